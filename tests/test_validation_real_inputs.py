"""Real PTC inputs through the front door: CRLF and byte-order-mark articles build and
validate, and a corpus with known upstream errata builds with an allowlist, through
``python -m dataset build --validate --allowlist`` and through ``nox -s build``, with messages
that say what happened to the output folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dataset.builder.pipeline import build
from dataset.cli import main as dataset_main
from dataset.project import REPO_ROOT
from tests.conftest import ARTICLE, FIXTURES
from validation.run import validate_dataset

LINE_ENDINGS = FIXTURES / "line_endings"


def statuses(report: Path) -> dict[str, str]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {check["id"]: check["status"] for check in document["checks"]}


def test_crlf_and_bom_articles_build_and_validate(tmp_path: Path) -> None:
    assert b"\r\n" in (LINE_ENDINGS / "article1001.txt").read_bytes()
    assert (LINE_ENDINGS / "article1002.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    result = build(LINE_ENDINGS, tmp_path / "out", progress=False)
    report = validate_dataset(result.out)
    failing = {r.check.id for r in report.checks if r.status not in {"passed", "skipped"}}
    assert failing == {"articles-provenance-present", "spans-rationale-present"}
    titles = {
        row["article_id"]: row["title"]
        for row in pq.read_table(result.out / "articles").to_pylist()
    }
    assert titles == {"1001": "Refugees Flood Europe", "1002": "The Regime Lies Again"}
    lines = pq.read_table(result.out / "lines").to_pylist()
    assert [line["text"] for line in lines if line["article_id"] == "1001"][:2] == [
        "Refugees Flood Europe\r\n",
        "\r\n",
    ]
    assert next(line["text"] for line in lines if line["article_id"] == "1002") == (
        "\ufeffThe Regime Lies Again\n"
    )


#: A PTC folder with the errata of SemEval-2020's training data: a label line listed twice
#: and two pairs of overlapping spans of one technique.
ERRATA = [
    ("Loaded_Language", 126, 141),
    ("Loaded_Language", 126, 141),
    ("Loaded_Language", 251, 272),
    ("Loaded_Language", 255, 280),
    ("Doubt", 1698, 1732),
    ("Doubt", 1710, 1740),
]
ARTICLE_ID = "9000000001"


def span_id(technique: str, start: int, end: int) -> str:
    return f"{ARTICLE_ID}:gold:{start}-{end}:{technique}"


@pytest.fixture
def ptc_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "train-articles"
    folder.mkdir()
    shutil.copyfile(ARTICLE, folder / ARTICLE.name)
    lines = "".join(f"{ARTICLE_ID}\t{t}\t{s}\t{e}\n" for t, s, e in ERRATA)
    (folder / f"article{ARTICLE_ID}.labels").write_text(lines, encoding="utf-8")
    return folder


@pytest.fixture
def allowlist(tmp_path: Path) -> Path:
    duplicated = span_id("Loaded_Language", 126, 141)
    entries = [
        ("keys-unique", duplicated, "PTC lists this label line twice"),
        ("spans-no-duplicates", duplicated, "PTC lists this label line twice"),
        *(
            ("spans-no-self-overlap", span_id(t, s, e), "PTC's annotators left these apart")
            for t, s, e in ERRATA[2:]
        ),
    ]
    path = tmp_path / "errata.yaml"
    path.write_text(
        "".join(f"- {{check: {c}, row: '{r}', reason: \"{why}\"}}\n" for c, r, why in entries),
        encoding="utf-8",
    )
    return path


def build_command(source: Path, out: Path, *extra: str | Path) -> list[str]:
    return ["build", "--source", str(source), "--out", str(out), "--validate", *map(str, extra)]


def test_errata_block_the_build_and_the_message_says_nothing_was_created(
    ptc_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert dataset_main(build_command(ptc_folder, out)) == 1
    assert f"validation failed; {out} was not created." in capsys.readouterr().err
    assert not out.exists()
    found = statuses(tmp_path / "out-validation" / "validation.json")
    assert {c for c, s in found.items() if s == "failed"} == {
        "keys-unique",
        "spans-no-duplicates",
        "spans-no-self-overlap",
    }


def test_allowlisted_errata_build_then_replace_then_keep_the_output(
    ptc_folder: Path, allowlist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert dataset_main(build_command(ptc_folder, out, "--allowlist", allowlist)) == 0
    assert f"built {out} (created;" in capsys.readouterr().out
    found = statuses(tmp_path / "out-validation" / "validation.json")
    for check in ("keys-unique", "spans-no-duplicates", "spans-no-self-overlap"):
        assert found[check] == "allowed"
    assert found["allowlist-current"] == "passed"

    assert dataset_main(build_command(ptc_folder, out, "--allowlist", allowlist)) == 0
    assert f"built {out} (replaced;" in capsys.readouterr().out

    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    labels = ptc_folder / f"article{ARTICLE_ID}.labels"
    with labels.open("a", encoding="utf-8") as handle:
        handle.write(f"{ARTICLE_ID}\tDoubt\t1698\t1732\n")  # an erratum nobody accepted
    assert dataset_main(build_command(ptc_folder, out, "--allowlist", allowlist)) == 1
    assert f"validation failed; {out} was left as it was." in capsys.readouterr().err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_allowlist_without_validation_is_an_input_error(
    ptc_folder: Path, allowlist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["build", "--source", str(ptc_folder), "--out", str(tmp_path / "out")]
    assert dataset_main([*command, "--allowlist", str(allowlist)]) == 2
    assert "error: --allowlist: only applies when the build is validated" in capsys.readouterr().err


def test_nox_build_session_takes_the_allowlist(
    ptc_folder: Path, allowlist: Path, tmp_path: Path
) -> None:
    """``nox -s build -- --source DIR --out OUT --allowlist FILE``, run by nox in this
    environment (``--no-venv``) rather than a fresh one, which would need the network."""
    out = tmp_path / "out"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    command = [
        sys.executable,
        "-m",
        "nox",
        "--no-venv",
        "--envdir",
        str(tmp_path / "nox"),
        "-f",
        str(REPO_ROOT / "noxfile.py"),
        "-s",
        "build",
        "--",
        "--source",
        str(ptc_folder),
        "--out",
        str(out),
        "--allowlist",
        str(allowlist),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"built {out} (created;" in done.stdout + done.stderr
    assert statuses(tmp_path / "out-validation" / "validation.json")["keys-unique"] == "allowed"
