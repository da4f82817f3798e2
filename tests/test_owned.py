"""Output the tools own (dataset/owned.py): a command replaces a folder only when it can
prove the folder is its own, never deletes anything else, writes every file whole, and
gives new files the modes the umask allows."""

from __future__ import annotations

import fcntl
import json
import os
import stat
from pathlib import Path

import pytest

from dataset.cli import EXIT_INPUT_ERROR, main
from dataset.errors import InputError
from dataset.owned import GENERATOR, MANIFEST_NAME, MARKER_NAME, check_replaceable
from validation.cli import main as validate


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def build_into(corpus: Path, out: Path) -> int:
    return main(["build", "--source", str(corpus), "--out", str(out)])


def refused(capsys: pytest.CaptureFixture[str], where: Path, words: str) -> None:
    message = capsys.readouterr().err
    assert message.startswith(f"error: {where}: "), message
    assert words in message
    assert "\n  fix: " in message
    assert "Traceback" not in message


def test_the_manifest_names_the_tool_and_every_file(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build_into(corpus, out) == 0
    manifest = json.loads((out / MANIFEST_NAME).read_text("utf-8"))
    assert manifest["generator"] == GENERATOR
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert manifest["files"] == on_disk
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw"], "no lock, no staging"


def test_a_folder_with_a_foreign_manifest_is_not_replaced(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's first report: any MANIFEST.json used to make a folder a build."""
    thesis = tmp_path / "u"
    thesis.mkdir()
    (thesis / MANIFEST_NAME).write_text("{}")
    (thesis / "thesis.tex").write_text("x")
    before = snapshot(thesis)
    assert build_into(corpus, thesis) == EXIT_INPUT_ERROR
    refused(capsys, thesis, "this tool did not write")
    assert snapshot(thesis) == before


def test_a_file_added_to_a_build_stops_the_next_build(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert build_into(corpus, out) == 0
    (out / "spans" / "my-notes.txt").write_text("mine")
    before = snapshot(out)
    assert build_into(corpus, out) == EXIT_INPUT_ERROR
    refused(capsys, out, "1 file(s) this tool did not write (spans/my-notes.txt)")
    assert snapshot(out) == before


def test_a_build_from_before_the_marker_is_replaced_when_its_files_match(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert build_into(corpus, out) == 0
    manifest = json.loads((out / MANIFEST_NAME).read_text("utf-8"))
    del manifest["generator"], manifest["files"]
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))
    (out / "extra.txt").write_text("mine")
    assert build_into(corpus, out) == EXIT_INPUT_ERROR
    refused(capsys, out, "this tool did not write")
    (out / "extra.txt").unlink()
    assert build_into(corpus, out) == 0
    assert "replaced" in capsys.readouterr().out
    assert json.loads((out / MANIFEST_NAME).read_text("utf-8"))["generator"] == GENERATOR


@pytest.mark.parametrize("where", ["same", "inside", "around"])
def test_out_and_source_never_overlap(
    where: str, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = {"same": corpus, "inside": corpus / "out", "around": corpus.parent}[where]
    before = snapshot(corpus)
    assert build_into(corpus, out) == EXIT_INPUT_ERROR
    refused(capsys, out, "replacing it would delete the inputs")
    assert snapshot(corpus) == before
    assert not (corpus / "out").exists()


def test_out_naming_a_file(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "a-file"
    file.write_text("mine")
    assert build_into(corpus, file) == EXIT_INPUT_ERROR
    refused(capsys, file, "--out names a file, not a folder")
    assert file.read_text() == "mine"


def test_a_build_that_loses_the_race_says_so(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert build_into(corpus, out) == 0
    before = snapshot(out)
    with (tmp_path / ".out.lock").open("w") as held:
        held.write(json.dumps({"pid": 4242, "scratch": []}))
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX)
        assert build_into(corpus, out) == EXIT_INPUT_ERROR
    refused(capsys, out, "another run (process 4242) is writing this output now")
    assert snapshot(out) == before


def test_report_folders_are_owned_too(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert build_into(corpus, out) == 0
    reports = tmp_path / "reports"
    arguments = [str(out), "--previous", "none", "--reports", str(reports)]
    assert validate(arguments) == 0
    assert sorted(p.name for p in reports.iterdir()) == sorted(
        [MARKER_NAME, "validation.html", "validation.json"]
    )
    (reports / "todo.txt").write_text("mine")
    capsys.readouterr()
    assert validate(arguments) == EXIT_INPUT_ERROR
    refused(capsys, reports, "1 file(s) this tool did not write (todo.txt)")
    assert (reports / "todo.txt").read_text() == "mine"


def test_a_report_folder_from_before_the_marker_counts(tmp_path: Path) -> None:
    legacy = frozenset({"validation.json", "validation.html"})
    (tmp_path / "validation.json").write_text("{}")
    check_replaceable(tmp_path, "--reports", legacy)
    (tmp_path / "notes.md").write_text("mine")
    with pytest.raises(InputError, match="a folder that this tool did not write"):
        check_replaceable(tmp_path, "--reports", legacy)


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_modes_follow_the_umask(umask: int, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = os.umask(umask)
    try:
        assert main(["build", "--source", str(corpus), "--out", str(out), "--validate"]) == 0
    finally:
        os.umask(before)
    for folder in (out, tmp_path / "out-validation"):
        for path in [folder, *folder.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o777 if path.is_dir() else 0o666) & ~umask, path


def test_score_json_names_a_folder_or_a_missing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.task_corpus import build_corpus

    gold = build_corpus(tmp_path, {"gold": {"1": []}}, ["1"])
    pred = tmp_path / "pred.txt"
    pred.write_text("")
    args = ["score", "--gold", str(gold), "--pred", str(pred), "--task", "si", "--json"]
    assert main([*args, str(tmp_path)]) == EXIT_INPUT_ERROR
    refused(capsys, tmp_path, "--json names a folder")
    missing = tmp_path / "nonexistent" / "dir" / "x.json"
    assert main([*args, str(missing)]) == EXIT_INPUT_ERROR
    refused(capsys, missing, "does not exist; nothing was written")
    assert not (tmp_path / "nonexistent").exists()
    assert main([*args, str(tmp_path / "x.json")]) == 0


def test_export_replaces_only_its_own_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.task_corpus import build_corpus

    gold = build_corpus(tmp_path, {"gold": {"1": []}}, ["1"])
    out = tmp_path / "labels"
    args = ["export", str(gold), "--task", "tc", "--per-article", "--out", str(out)]
    assert main(args) == 0
    assert main(args) == 0, "an earlier export is replaced"
    (out / "mine.txt").write_text("mine")
    assert main(args) == EXIT_INPUT_ERROR
    refused(capsys, out, "did not write (mine.txt)")
    missing = tmp_path / "nowhere" / "si.txt"
    assert main(["export", str(gold), "--task", "si", "--out", str(missing)]) == EXIT_INPUT_ERROR
    refused(capsys, missing, "does not exist")
