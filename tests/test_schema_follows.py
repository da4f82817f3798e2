"""Change one fact in a copy of the schema and every output follows: the build's keys and
order (built in this process, with ``--schema``), validation's boundary rule."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dataset.cli import main
from dataset.schema import schema_path

TEXT = "They lie again\n\nThey lie!\n"


def _corpus(root: Path) -> Path:
    root.mkdir()
    for article_id in ("10", "9"):
        (root / f"article{article_id}.txt").write_text(TEXT, encoding="utf-8")
        (root / f"article{article_id}.labels").write_text(
            f"{article_id}\tLoaded_Language\t16\t25\n", encoding="utf-8"
        )
    return root


def _schema(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = schema_path().read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    copy = tmp_path / "schema.yaml"
    copy.write_text(text, encoding="utf-8")
    return copy


def _run(schema: Path | None, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if schema is not None:
        env["PROPAGANDA_SPANS_SCHEMA"] = str(schema)
    return subprocess.run(
        [sys.executable, *map(str, args)], env=env, capture_output=True, text=True, check=False
    )


def _failed_checks(report: Path) -> set[str]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return {check["id"] for check in data["checks"] if check["status"] == "failed"}


def test_a_changed_boundary_character_and_key_template_are_followed(tmp_path: Path) -> None:
    source = _corpus(tmp_path / "corpus")
    changed = _schema(
        tmp_path,
        ('punctuation: ".,:;"', 'punctuation: ".,:;!"'),
        (
            "template: '{article_id}:{layer}:{start}-{end}:{label}'",
            "template: 'span/{article_id}/{start}/{end}/{layer}/{label}'",
        ),
        ("        sort_as: integer\n", ""),
    )
    for schema, out in ((None, "default"), (changed, "changed")):
        chosen = [] if schema is None else ["--schema", str(schema)]
        arguments = ["build", "--source", str(source), "--out", str(tmp_path / out), *chosen]
        assert main(arguments) == 0
        _run(schema, "-m", "validation", tmp_path / out, "--reports", tmp_path / f"{out}-reports")

    default_spans = pq.read_table(tmp_path / "default" / "spans").to_pylist()
    changed_spans = pq.read_table(tmp_path / "changed" / "spans").to_pylist()
    assert [row["span_id"] for row in default_spans] == [
        "9:gold:16-25:Loaded_Language",
        "10:gold:16-25:Loaded_Language",
    ], "article IDs sort as integers by default"
    assert [row["span_id"] for row in changed_spans] == [
        "span/10/16/25/gold/Loaded_Language",
        "span/9/16/25/gold/Loaded_Language",
    ], "without sort_as the IDs sort as strings, and keys follow the template"

    recorded = json.loads((tmp_path / "changed" / "MANIFEST.json").read_text(encoding="utf-8"))
    assert recorded["schema"] == {
        "path": changed.name,
        "sha256": hashlib.sha256(changed.read_bytes()).hexdigest(),
    }, "the manifest names the schema the build followed"

    assert "spans-boundaries" not in _failed_checks(
        tmp_path / "default-reports" / "validation.json"
    )
    assert "spans-boundaries" in _failed_checks(tmp_path / "changed-reports" / "validation.json")


def test_annotate_follows_the_boundary_rule_of_the_schema_it_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = _schema(tmp_path, ('punctuation: ".,:;"', 'punctuation: ".,:;!"'))
    raw = tmp_path / "raw" / "articles"
    raw.mkdir(parents=True)
    (raw / "article1.txt").write_text(TEXT, encoding="utf-8")
    records = tmp_path / "annotations" / "alice"
    records.mkdir(parents=True)
    (records / "article1.yaml").write_text(
        'article_id: "1"\nlayer: alice\nannotator: a\nguidelines: g\nspans:\n'
        '  - technique: Loaded_Language\n    fragment: "lie!"\n    occurrence: 1\n'
        "    rationale: r\n",
        encoding="utf-8",
    )
    check = ["annotate", "--annotations", str(tmp_path / "annotations")]
    check += ["--raw", str(raw.parent), "--check"]
    assert main(check) == 1, "the default rule allows '!': the label file is only missing"
    capsys.readouterr()
    assert main([*check, "--schema", str(changed)]) == 2
    assert "ends with '!'" in capsys.readouterr().err
