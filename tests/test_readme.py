"""What README.md's examples give: the Python blocks on the newest release (and the pandas
one on a build of the fixtures, whose labels include a merged SemEval-2020 class), and the
commands of the PTC round trip and annotation sections, in a folder laid out like a
checkout. test_readme_blocks.py runs every block as a newcomer would."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from dataset.builder.pipeline import build
from dataset.cli import main
from dataset.project import RELEASES_DIR, REPO_ROOT
from dataset.release.readme import newest_release
from tests.conftest import labelling_spans, make_corpus

README = REPO_ROOT / "README.md"
BLOCK = re.compile(r"^```(?P<language>\w+)\n(?P<code>.*?)^```$", re.MULTILINE | re.DOTALL)
ROUND_TRIP = "## PTC round trip"
WSR = "Whataboutism,Straw_Men,Red_Herring"


def blocks(language: str, section: str | None = None) -> list[str]:
    text = README.read_text("utf-8")
    if section is not None:
        start = text.index(section)
        end = text.find("\n## ", start + len(section))
        text = text[start : end if end >= 0 else len(text)]
    return [m["code"] for m in BLOCK.finditer(text) if m["language"] == language]


@pytest.fixture
def checkout(tmp_path: Path, hf_cache: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with build/dataset (the fixtures built) and releases/."""
    build(make_corpus(tmp_path / "raw"), tmp_path / "build" / "dataset", progress=False)
    (tmp_path / "releases").symlink_to(RELEASES_DIR)
    monkeypatch.setenv("HF_DATASETS_CACHE", hf_cache)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_block(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "readme"}
    exec(compile(code, str(README), "exec"), namespace)
    return namespace


def on_the_fixtures(code: str, version: str) -> str:
    """A README block pointed at the fixtures' build, keeping its layer in place of gold."""
    lines = pq.read_table(Path("build/dataset/lines")).column("label_layer").drop_null()
    (layer,) = lines.unique().to_pylist()
    code = code.replace(f"releases/v{version}/data", "build/dataset")
    return code.replace('"gold"', json.dumps(layer))


def test_the_readme_has_the_examples_this_test_checks() -> None:
    python = blocks("python")
    assert any("pd.read_parquet" in code for code in python)
    assert any("load_dataset(" in code for code in python)
    assert any("duckdb.sql(" in code for code in python)
    assert blocks("bash", ROUND_TRIP)


def test_every_python_example_runs_and_names_every_span(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version, folder = newest_release()
    lines = pq.read_table(folder / "data" / "lines").num_rows
    kept = labelling_spans(folder / "data")
    for code in blocks("python"):
        namespace = run_block(code)
        spans = namespace["spans"]
        assert len(spans) == kept.num_rows, code  # the layer that labels the lines
        if "pd.read_parquet" in code:
            assert all(isinstance(name, str) for name in spans["technique_name"].tolist())
            assert len(namespace["lines"]) == lines and len(namespace["flagged"]) > 0
            # On the fixtures' build, a span labelled only with a merged class gets its name.
            fixture = run_block(on_the_fixtures(code, version))
            assert WSR in fixture["spans"]["technique_name"].tolist()
        elif "load_dataset(" in code:
            rows = spans.to_list()
            assert all(row["technique_name"] or row["class_name"] for row in rows)
            assert len(namespace["lines"]) == lines
            assert capsys.readouterr().out.strip()


def test_the_round_trip_commands_run(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commands = [
        shlex.split(line)
        for code in blocks("bash", ROUND_TRIP)
        for line in code.splitlines()
        if line.strip()
    ]
    assert commands
    for command in commands:
        assert command[:3] == ["python", "-m", "dataset"], command
        assert main(command[3:]) == 0, command
    printed = capsys.readouterr().out
    assert "micro (all spans)" in printed
    assert "span identification" in printed
    assert (checkout / "build" / "tc.json").is_file()


ANNOTATION_LOOP = "## Two annotators, agreement and a gold layer"


def test_the_annotation_loop_runs_on_the_example_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """annotate, agreement, adjudicate, build, validate, in a copy of examples/ so the
    label files they write stay out of the checkout."""
    from validation.cli import main as validation_main

    shutil.copytree(REPO_ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    commands = [
        shlex.split(line)
        for code in blocks("bash", ANNOTATION_LOOP)
        for line in code.splitlines()
        if line.strip()
    ]
    assert [command[:4] for command in commands] == [
        ["python", "-m", "dataset", "annotate"],
        ["python", "-m", "dataset", "agreement"],
        ["python", "-m", "dataset", "adjudicate"],
        ["python", "-m", "dataset", "build"],
        ["python", "-m", "validation", "build/two-layers"],
    ]
    for command in commands:
        run = main if command[2] == "dataset" else validation_main
        assert run(command[3:]) == 0, command
    labels = tmp_path / "examples" / "two-layers" / "raw" / "labels"
    assert (labels / "article1.gold.labels").read_text("utf-8").count("\n") == 5
    figures = json.loads((tmp_path / "build" / "two-layers-agreement.json").read_text("utf-8"))
    assert figures["gamma"]["overall"]["n"] == 8
    lines = pq.read_table(tmp_path / "build" / "two-layers" / "lines").to_pylist()
    assert {row["label_layer"] for row in lines} == {"gold"}


def test_card_names_a_readme_that_is_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "README.md"
    assert main(["card", "--check", "--readme", str(missing)]) == 2
    assert "is not a file" in capsys.readouterr().err
    assert not missing.exists()


def test_card_names_a_releases_folder_that_holds_no_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_bytes(README.read_bytes())
    args = ["card", "--readme", str(readme), "--releases", str(tmp_path / "none")]
    assert main(args) == 2
    assert "holds no release folder" in capsys.readouterr().err
    assert readme.read_bytes() == README.read_bytes()
