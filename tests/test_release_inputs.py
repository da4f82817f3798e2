"""Release inputs are found again by content: in the working tree while unchanged, then in
git history by blob id."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dataset.digests import git_blob_id
from dataset.errors import InputError
from dataset.release.inputs import fetch, record

GIT = shutil.which("git")


def git(repo: Path, *args: str) -> str:
    assert GIT is not None
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    done = subprocess.run(
        [GIT, "-C", str(repo), *identity, *args], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_blob_ids_are_what_git_computes(tmp_path: Path) -> None:
    path = tmp_path / "file.txt"
    path.write_bytes("Déjà vu\u00a0\n".encode())
    assert git_blob_id(path.read_bytes()) == git(tmp_path, "hash-object", str(path)).strip()


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_a_changed_input_comes_back_from_git_history(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    path = repo / "labels.tsv"
    path.write_text("1\tDoubt\t0\t5\n", encoding="utf-8")
    entry = record("labels.tsv", path.read_bytes())
    git(repo, "add", "labels.tsv")
    git(repo, "commit", "--quiet", "-m", "inputs")
    assert fetch(entry, path, repo) == b"1\tDoubt\t0\t5\n"
    path.write_text("1\tDoubt\t0\t6\n", encoding="utf-8")
    assert fetch(entry, path, repo) == b"1\tDoubt\t0\t5\n"
    path.unlink()
    assert fetch(entry, path, repo) == b"1\tDoubt\t0\t5\n"


def test_an_input_found_nowhere_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.write_text("old", encoding="utf-8")
    entry = record("gone.txt", path.read_bytes())
    path.write_text("new", encoding="utf-8")
    with pytest.raises(InputError, match="neither in the working tree nor in the git history"):
        fetch(entry, path, tmp_path)
