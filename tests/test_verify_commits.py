"""Releases come from clean commits, and verify rebuilds them with that commit's own code and
uv.lock, also after the code has changed. Each test works in a git repository of its own
holding this project's files (the working-tree versions, committed), and runs the project
from there as a user would (``python -m dataset ...``)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dataset.errors import InputError
from dataset.project import dataset_version
from dataset.release.checkout import ENVS_DIR
from dataset.release.layout import MANIFEST
from dataset.release.verify import verify_release
from dataset.versions import released_versions
from tests.conftest import REPO

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")
IDENTITY = ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
VERSION = dataset_version()
OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


def git(repo: Path, *args: str) -> str:
    assert GIT is not None
    done = subprocess.run(
        [GIT, "-C", str(repo), *IDENTITY, *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def dataset(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m dataset ARGS`` with the repository's own code (run from its root)."""
    env = {**os.environ, **OFFLINE, "HF_HOME": str(repo.parent / "hf-home")}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "dataset", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One commit of the project's files without this version's release (the earlier ones
    stay, as the changelog is checked against the previous release), made once per module."""
    repo = tmp_path_factory.mktemp("template") / "project"
    listed = git(REPO, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in sorted(set(listed.split("\0")) - {""}):
        source = REPO / name
        if name.startswith(f"releases/v{VERSION}/") or not source.is_file():
            continue
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the project")
    return repo


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    """A clone of the template to change freely."""
    clone = tmp_path / "project"
    git(tmp_path, "clone", "-q", str(template), str(clone))
    return clone


def released(project: Path) -> str:
    """The newest release, present in the project: the tests of verify need one, and this
    version may not be released yet (the template leaves only this version's out)."""
    version = str(max(released_versions()))
    target = project / "releases" / f"v{version}"
    if not target.exists():
        shutil.copytree(REPO / "releases" / f"v{version}", target)
    return version


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def worktrees(repo: Path) -> list[str]:
    return [
        line
        for line in git(repo, "worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]


# Releases come only from clean commits


def test_a_dirty_tree_is_refused_before_anything_is_built(project: Path) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nA local edit.\n", "utf-8")
    done = dataset(project, "release")
    assert done.returncode == 2, done.stderr
    assert "uncommitted changes or untracked files: README.md" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (project / "releases" / f"v{VERSION}").exists()


def test_an_untracked_input_is_refused(project: Path) -> None:
    extra = project / "dataset" / "raw" / "labels" / "article9000000002.maintainers.labels"
    extra.write_text("", encoding="utf-8")
    done = dataset(project, "release")
    assert done.returncode == 2
    assert "article9000000002.maintainers.labels" in done.stderr
    assert not (project / "releases" / f"v{VERSION}").exists()


def test_a_git_ignored_input_is_refused(project: Path) -> None:
    name = "dataset/raw/labels/article9000000002.maintainers.labels"
    (project / ".git" / "info" / "exclude").write_text(f"/{name}\n", encoding="utf-8")
    (project / name).write_text("", encoding="utf-8")
    assert git(project, "status", "--porcelain") == ""
    done = dataset(project, "release")
    assert done.returncode == 2
    assert f"untracked (git-ignored) input files: {name}" in done.stderr
    assert not (project / "releases" / f"v{VERSION}").exists()


def test_an_input_outside_the_repository_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.copytree(project / "dataset" / "raw", outside)
    done = dataset(project, "release", "--source", str(outside))
    assert done.returncode == 2
    assert "is outside the repository" in done.stderr


# Verify rebuilds with the release's own commit


def test_verify_rebuilds_with_the_recorded_commit_after_the_code_changed(project: Path) -> None:
    made = dataset(project, "release")
    assert made.returncode == 0, made.stderr
    released_at = git(project, "rev-parse", "HEAD").strip()
    manifest = json.loads((project / "releases" / f"v{VERSION}" / MANIFEST).read_text("utf-8"))
    assert manifest["git"] == {"commit": released_at, "dirty": False}
    commit_all(project, f"release {VERSION}")

    # A later commit changes the bytes the code writes.
    writer = project / "dataset" / "files.py"
    code = writer.read_text(encoding="utf-8")
    assert "json.dumps(data, indent=2," in code
    writer.write_text(code.replace("json.dumps(data, indent=2,", "json.dumps(data, indent=3,"))
    commit_all(project, "indent JSON files by three")
    here = dataset(project, "verify", VERSION, "--checked-out-code")
    assert here.returncode == 1
    assert "croissant.json" in here.stderr and "datapackage.json" in here.stderr

    # The locked environment is kept where this checkout's verify keeps it (by the lock's
    # sha256, synced exactly on every use), as the publish tests' is: made on a fresh clone's
    # first run, then only re-synced, not made again in every project copy.
    done = dataset(project, "verify", VERSION, "--envs", str(ENVS_DIR))
    assert done.returncode == 0, done.stderr
    lock = hashlib.sha256((project / "uv.lock").read_bytes()).hexdigest()
    assert f"commit {released_at}, from {MANIFEST}" in done.stderr
    assert f"commit {released_at} (from {MANIFEST}) with its uv.lock (sha256 {lock})" in done.stdout
    rebuilt = len(manifest["files"]["reproducible"])
    assert f"{rebuilt} reproducible ones were rebuilt byte for byte" in done.stderr
    assert worktrees(project) == [f"worktree {project}"]


def test_a_commit_missing_from_the_clone_names_the_fetch_to_run(project: Path) -> None:
    version = released(project)
    missing = "1" * 40
    pins = project / "releases" / "REPRODUCIBLE.yaml"
    pins.write_text(f'"{version}":\n  commit: "{missing}"\n', encoding="utf-8")
    with pytest.raises(InputError, match=f"commit {missing} .* is not in this clone") as error:
        verify_release(version, project / "releases", project, pins=pins)
    assert error.value.fix.startswith(f"run `git fetch origin {missing}`")


def test_a_shallow_clone_says_to_unshallow(project: Path, tmp_path: Path) -> None:
    first = git(project, "rev-parse", "HEAD").strip()
    version = released(project)
    pins = project / "releases" / "REPRODUCIBLE.yaml"
    pins.write_text(f'"{version}":\n  commit: "{first}"\n', encoding="utf-8")
    commit_all(project, "pin the release")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{project}", str(shallow))
    done = dataset(shallow, "verify", version)
    assert done.returncode == 2
    assert f"commit {first} (the commit that reproduces {version}) is missing" in done.stderr
    assert "git fetch --unshallow" in done.stderr and f"git fetch origin {first}" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_worktree_is_removed_when_the_rebuild_fails(project: Path) -> None:
    version = released(project)
    (project / "uv.lock").unlink()
    unlocked = commit_all(project, "drop the lock")
    pins = project / "releases" / "REPRODUCIBLE.yaml"
    pins.write_text(f'"{version}":\n  commit: "{unlocked}"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"the commit has no uv\.lock"):
        verify_release(version, project / "releases", project, pins=pins)
    assert worktrees(project) == [f"worktree {project}"]
