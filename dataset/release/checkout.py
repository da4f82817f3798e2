"""An old commit, checked out and installed as it was: a temporary git worktree of the
commit plus a virtual environment made from that commit's own ``uv.lock``.

This is what lets ``verify`` rebuild a release with the code and libraries that made it,
whatever the current checkout holds. The worktree is removed on the way out, also when
the rebuild fails or is interrupted. Environments are kept per lock (by the lock's
sha256) and re-synced exactly with ``uv sync --locked`` on every use, so releases that
share a lock share an environment and uv's cache makes a new lock cost little.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dataset.errors import InputError
from dataset.project import REPO_ROOT

#: The dependency group that a commit's ``nox -s verify`` installs besides the project's
#: dependencies (matplotlib for the chart, and what release files are checked with).
RELEASE_GROUP = "release"
#: Where environments live by default: inside the ignored build/ folder of the checkout.
ENVS_DIR = REPO_ROOT / "build" / "verify-envs"


@dataclass(frozen=True)
class Environment:
    python: Path
    lock_sha256: str
    seconds: float


def _git_path() -> str:
    git = shutil.which("git")
    if git is None:
        raise InputError("git", "git is not installed", "install git: verify checks out commits")
    return git


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_git_path(), "-C", str(repo), *args], capture_output=True, text=True, check=False
    )


def require_commit(repo: Path, commit: str, why: str) -> None:
    """Fail clearly, with the command that fetches it, when ``commit`` is not in the clone."""
    if git(repo, "rev-parse", "--git-dir").returncode != 0:
        raise InputError(
            repo,
            f"is not a git clone, so commit {commit} ({why}) cannot be checked out",
            "verify from a full clone: git clone <the project's repository URL>",
        )
    if git(repo, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0:
        return
    shallow = git(repo, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    if shallow:
        raise InputError(
            repo,
            f"commit {commit} ({why}) is missing: this is a shallow clone",
            f"run `git fetch --unshallow` (or `git fetch origin {commit}`), then verify again",
        )
    raise InputError(
        repo,
        f"commit {commit} ({why}) is not in this clone",
        f"run `git fetch origin {commit}` (or clone the project's repository), then verify again",
    )


@contextmanager
def worktree(repo: Path, commit: str) -> Iterator[Path]:
    """The commit checked out (detached) in a temporary folder, removed afterwards; the
    records of worktrees that an earlier, killed run left behind are pruned first."""
    git(repo, "worktree", "prune")
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        tree = Path(tmp) / "tree"
        added = git(repo, "worktree", "add", "--detach", str(tree), commit)
        if added.returncode != 0:
            raise InputError(
                repo,
                f"git worktree add of {commit} failed: {added.stderr.strip()}",
                "check that the clone is writable and the commit exists",
            )
        try:
            yield tree
        finally:
            git(repo, "worktree", "remove", "--force", str(tree))
            git(repo, "worktree", "prune")


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        raise InputError(
            "uv",
            "uv is not installed: verify installs each release's uv.lock with it",
            "pip install uv (or run through nox, which brings it)",
        )
    return uv


def _groups(tree: Path) -> list[str]:
    with (tree / "pyproject.toml").open("rb") as handle:
        groups = tomllib.load(handle).get("dependency-groups", {})
    return [f"--group={RELEASE_GROUP}"] if RELEASE_GROUP in groups else []


def locked_environment(
    tree: Path, envs: Path = ENVS_DIR, log: Callable[[str], None] = print
) -> Environment:
    """The checked-out commit's locked dependencies, synced exactly into a venv kept for
    that lock; the project itself runs from the worktree, so it is not installed."""
    lock = tree / "uv.lock"
    if not lock.is_file():
        raise InputError(
            lock, "the commit has no uv.lock", "verify a commit that locks its libraries"
        )
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    venv = envs.resolve() / digest[:16]
    env = {
        **os.environ,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_COMPILE_BYTECODE": "1",
        "UV_NO_PROGRESS": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    command = [_uv(), "sync", "--locked", "--no-install-project", "--no-default-groups"]
    log(f"installing uv.lock (sha256 {digest}) into {venv}")
    start = time.perf_counter()
    done = subprocess.run(
        [*command, *_groups(tree)], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise InputError(
            lock,
            f"uv sync --locked failed:\n{done.stderr.strip()}",
            "check the network or uv's cache; the lock must install unchanged",
        )
    return Environment(venv / "bin" / "python", digest, time.perf_counter() - start)
