"""The inputs of a release, recorded so that the release can be rebuilt later.

Each input is recorded with its sha256 and its git blob id. The blob id is a content
address, independent of commits and machines, so ``verify`` finds the exact bytes of an
old input in any clone with history (``git cat-file blob``) even after the working tree
has moved on; an input whose current file still has the recorded hash is read from the
working tree.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

from dataset.digests import git_blob_id, sha256_of
from dataset.errors import InputError
from dataset.project import REPO_ROOT


def record(name: str, data: bytes) -> dict[str, Any]:
    """An input that is not a build input (the datasheet, the schema), from bytes already
    read, in the form the build manifest records its inputs."""
    return {
        "path": name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "git_blob": git_blob_id(data),
        "bytes": len(data),
    }


def repo_relative(path: Path, repo: Path = REPO_ROOT) -> str:
    """``path`` relative to the repository when inside it (portable), else absolute."""
    path = path.resolve()
    try:
        return path.relative_to(repo.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _from_git(blob: str, repo: Path) -> bytes | None:
    git = shutil.which("git")
    if git is None:
        return None
    result = subprocess.run(
        [git, "-C", str(repo), "cat-file", "blob", blob], capture_output=True, check=False
    )
    return result.stdout if result.returncode == 0 else None


def fetch(entry: dict[str, Any], location: Path, repo: Path = REPO_ROOT) -> bytes:
    """The recorded input's exact bytes, from ``location`` if unchanged, else from git."""
    if location.is_file() and sha256_of(location) == entry["sha256"]:
        return location.read_bytes()
    data = _from_git(entry["git_blob"], repo)
    if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise InputError(
            location,
            f"the input {entry['path']} (sha256 {entry['sha256']}) is neither in the working "
            "tree nor in the git history",
            "run from a full clone (not shallow) of the repository that holds the release",
        )
    return data


def materialise(entries: list[dict[str, Any]], source: Path, dest: Path, repo: Path) -> None:
    """Write the recorded files of ``source`` into ``dest``, byte for byte."""
    for entry in entries:
        target = dest / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(fetch(entry, source / entry["path"], repo))


def git_commit(repo: Path = REPO_ROOT) -> dict[str, Any]:
    """HEAD and whether the working tree had changes: a record, never compared."""
    git = shutil.which("git")
    if git is None:
        return {"commit": None, "dirty": None}
    head = subprocess.run(
        [git, "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    status = subprocess.run(
        [git, "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True, check=False
    )
    return {
        "commit": head.stdout.strip() if head.returncode == 0 else None,
        "dirty": bool(status.stdout.strip()) if status.returncode == 0 else None,
    }
