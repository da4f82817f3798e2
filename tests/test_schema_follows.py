"""Change one fact in a copy of the schema and every output follows: the build's keys and
order, validation's boundary rule and taxonomy; all in this process, the schema loaded
once and handed down (``--schema``, or ``load_schema`` and a ``spec`` argument)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dataset.builder.pipeline import build
from dataset.cli import main
from dataset.errors import InputError
from dataset.evaluation.score import score
from dataset.schema import Schema, load_schema, schema_path
from validation.cli import main as validate_main
from validation.report import Report
from validation.run import validate_dataset

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
        reports = ["--reports", str(tmp_path / f"{out}-reports"), "--previous", "none"]
        validate_main([str(tmp_path / out), *reports, *chosen])

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


def test_build_validates_under_the_schema_it_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``build --schema X --validate``: the gate judges the build by X, not the default."""
    source = _corpus(tmp_path / "corpus")
    template = _schema(
        tmp_path,
        (
            "template: '{article_id}:{layer}:{start}-{end}:{label}'",
            "template: 'span/{article_id}/{start}/{end}/{layer}/{label}'",
        ),
    )
    build_it = ["build", "--source", str(source), "--validate", "--schema"]
    assert main([*build_it, str(template), "--out", str(tmp_path / "kept")]) == 0
    assert _failed_checks(tmp_path / "kept-validation" / "validation.json") == set()
    assert (
        pq.read_table(tmp_path / "kept" / "spans").column("span_id")[0].as_py().startswith("span/")
    )
    (tmp_path / "boundary").mkdir()
    boundary = _schema(tmp_path / "boundary", ('punctuation: ".,:;"', 'punctuation: ".,:;!"'))
    assert main([*build_it, str(boundary), "--out", str(tmp_path / "refused")]) == 1
    assert "validation failed" in capsys.readouterr().err
    assert not (tmp_path / "refused").exists()
    failed = _failed_checks(tmp_path / "refused-validation" / "validation.json")
    assert failed == {"spans-boundaries"}


def _failing(report: Report) -> set[str]:
    return {result.check.id for result in report.checks if result.status == "failed"}


def _with_zeal(tmp_path: Path) -> Schema:
    """The schema with a 19th technique, Zeal."""
    return load_schema(
        _schema(
            tmp_path,
            (
                "        description: Deflects a criticism by accusing the critic of the same "
                "or a similar fault.\n",
                "        description: Deflects a criticism by accusing the critic of the same "
                "or a similar fault.\n      - id: 18\n        name: Zeal\n"
                "        description: A technique only this test knows.\n",
            ),
        )
    )


def test_validation_follows_a_technique_the_schema_adds(tmp_path: Path) -> None:
    """One more technique, loaded with load_schema and passed down: the build under it
    lists 19 techniques and passes; judged by the default schema, its class labels fail, as
    do the default build's under the changed schema; and another boundary rule, in the same
    process, fails the spans that end with a character it adds."""
    source = _corpus(tmp_path / "corpus")
    added = _with_zeal(tmp_path)
    default = load_schema()
    assert added.techniques.names[-1] == "Zeal"
    changed = build(source, tmp_path / "changed", progress=False, spec=added).out
    plain = build(source, tmp_path / "plain", progress=False, spec=default).out
    assert pq.read_table(changed / "techniques").num_rows == 19

    assert _failing(validate_dataset(changed, schema=added)) == set()
    assert _failing(validate_dataset(plain, schema=default)) == set()
    # The class label's names differ, at level 1: the tables are not judged above it.
    assert _failing(validate_dataset(changed, schema=default)) == {"schema-types"}
    assert _failing(validate_dataset(plain, schema=added)) == {"schema-types"}
    boundary = load_schema(_schema(tmp_path, ('punctuation: ".,:;"', 'punctuation: ".,:;!"')))
    assert _failing(validate_dataset(plain, schema=boundary)) == {"spans-boundaries"}


def test_validation_orders_articles_as_the_schema_it_is_given(tmp_path: Path) -> None:
    """Without ``sort_as: integer`` article "10" comes before "9": a build under that
    schema is in order by it, and out of order by the default, in the same process."""
    source = _corpus(tmp_path / "corpus")
    as_text = load_schema(_schema(tmp_path, ("        sort_as: integer\n", "")))
    built = build(source, tmp_path / "out", progress=False, spec=as_text).out
    assert pq.read_table(built / "articles").column("article_id").to_pylist() == ["10", "9"]
    assert "schema-order" not in _failing(validate_dataset(built, schema=as_text))
    assert "schema-order" in _failing(validate_dataset(built, schema=load_schema()))


def test_scoring_knows_the_techniques_of_the_schema_it_is_given(tmp_path: Path) -> None:
    """A prediction naming a technique only the changed schema has is scored under it, and
    refused under the default, in the same process."""
    source = _corpus(tmp_path / "corpus")
    added = _with_zeal(tmp_path)
    built = build(source, tmp_path / "out", progress=False, spec=added).out
    pred = tmp_path / "tc.txt"
    pred.write_text("10\tZeal\t16\t25\n9\tLoaded_Language\t16\t25\n", encoding="utf-8")
    report = score(built, pred, "tc", classes="ptc", spec=added)
    assert report.to_json()["overall"]["f1"] == 0.5
    with pytest.raises(InputError, match="Zeal"):
        score(built, pred, "tc", classes="ptc", spec=load_schema())
