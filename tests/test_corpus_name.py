"""A corpus is named as itself: MANIFEST.json names this project's dataset only for its own
dataset/raw (or when --name says so), and calls any other corpus unnamed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dataset.builder.pipeline import CorpusName, build
from dataset.cli import EXIT_INPUT_ERROR, main
from dataset.owned import MANIFEST_NAME
from dataset.project import RAW_DIR, dataset_version
from tests.conftest import make_corpus


def manifest_of(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / MANIFEST_NAME).read_text("utf-8"))
    return data


def test_the_projects_own_raw_folder_is_this_dataset(tmp_path: Path) -> None:
    manifest = manifest_of(build(RAW_DIR, tmp_path / "out", progress=False).out)
    assert (manifest["dataset"], manifest["version"]) == ("propaganda-spans", dataset_version())
    assert "note" not in manifest


def test_any_other_corpus_is_unnamed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Even a byte-identical copy of dataset/raw: the build cannot know it was not edited.
    copy = tmp_path / "raw"
    shutil.copytree(RAW_DIR, copy)
    assert main(["build", "--source", str(copy), "--out", str(tmp_path / "out")]) == 0
    manifest = manifest_of(tmp_path / "out")
    assert (manifest["dataset"], manifest["version"]) == (None, None)
    assert "unnamed" in str(manifest["note"])
    printed = capsys.readouterr().out
    assert "an unnamed corpus" in printed
    assert dataset_version() not in printed


def test_name_and_version_from_the_command_line(tmp_path: Path) -> None:
    source = make_corpus(tmp_path / "raw")
    args = ["build", "--source", str(source), "--out", str(tmp_path / "out")]
    assert main([*args, "--name", "semeval2020-train", "--version", "2"]) == 0
    manifest = manifest_of(tmp_path / "out")
    assert (manifest["dataset"], manifest["version"]) == ("semeval2020-train", "2")


def test_a_name_without_a_version_and_the_library_call(tmp_path: Path) -> None:
    source = make_corpus(tmp_path / "raw")
    result = build(source, tmp_path / "out", progress=False, named=CorpusName("ptc-v2"))
    manifest = manifest_of(result.out)
    assert (manifest["dataset"], manifest["version"]) == ("ptc-v2", None)


@pytest.mark.parametrize(
    ("options", "where"),
    [
        (["--version", "2"], "--version"),
        (["--name", " "], "--name"),
        (["--name", "x", "--version", "2 "], "--version"),
    ],
)
def test_bad_names_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], where: str
) -> None:
    source = make_corpus(tmp_path / "raw")
    out = tmp_path / "out"
    assert main(["build", "--source", str(source), "--out", str(out), *options]) == (
        EXIT_INPUT_ERROR
    )
    assert capsys.readouterr().err.startswith(f"error: {where}: ")
    assert not out.exists()
