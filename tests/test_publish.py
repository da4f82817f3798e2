"""publish --to: only a clean release repository of this dataset (or a new one) is written
to, only the files a release lists are changed, and what will be committed is said first."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dataset.cli import main
from dataset.errors import InputError
from dataset.owned import DIE_AT_VARIABLE
from dataset.release.checksums import read_sums
from dataset.release.gitattributes import HUB_DEFAULTS, LFS, gitattributes, lfs_pointer_oid
from dataset.release.layout import SHA256SUMS, release_dir
from dataset.release.publish import listed_by, plan, publish_to_folder
from tests.conftest import REPO

GIT = shutil.which("git") or "git"
AS_USER = ["-c", "user.name=u", "-c", "user.email=u@example.invalid"]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run([GIT, "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout


def tracked(repo: Path) -> set[str]:
    return set(git(repo, "ls-files").split())


def published(version: str) -> set[str]:
    return {*read_sums(release_dir(version)), SHA256SUMS, ".gitattributes"}


def test_a_new_release_replaces_only_what_the_earlier_one_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    assert publish_to_folder(release_dir("1.0.0"), "1.0.0", repo, allow_plain_blobs=True) is True
    assert tracked(repo) == published("1.0.0")
    capsys.readouterr()
    assert publish_to_folder(release_dir("2.0.0"), "2.0.0", repo, allow_plain_blobs=True) is True
    said = capsys.readouterr().out
    removed = "  remove  data/sentences/sentences-00000.parquet  (an earlier release's"
    assert removed in said
    assert "  write   data/lines/lines-00000.parquet" in said
    assert tracked(repo) == published("2.0.0")
    assert not (repo / "data" / "sentences").exists()
    assert git(repo, "tag").split() == ["v1.0.0", "v2.0.0"]
    assert git(repo, "status", "--porcelain", "--ignored") == ""


@pytest.mark.parametrize("mess", ["untracked", "modified", "ignored"])
def test_a_dirty_working_tree_is_refused(mess: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    publish_to_folder(release_dir("1.0.0"), "1.0.0", repo, allow_plain_blobs=True)
    if mess == "untracked":
        (repo / "notes.txt").write_text("mine")
    elif mess == "modified":
        (repo / "README.md").write_text("my edit")
    else:
        (repo / ".git" / "info" / "exclude").write_text("notes.txt\n")
        (repo / "notes.txt").write_text("mine")
    head = git(repo, "rev-parse", "HEAD")
    with pytest.raises(InputError, match="uncommitted changes or untracked files"):
        publish_to_folder(release_dir("2.0.0"), "2.0.0", repo, allow_plain_blobs=True)
    assert git(repo, "rev-parse", "HEAD") == head
    assert (repo / "data" / "sentences" / "sentences-00000.parquet").exists()


def test_a_repository_that_is_not_a_release_repository_is_refused(tmp_path: Path) -> None:
    """The issue's case: pointed at a project checkout, publish committed the deletion of
    its files."""
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / "main.py").write_text("print('mine')\n")
    git(project, "add", "main.py")
    git(project, *AS_USER, "commit", "-qm", "my work")
    with pytest.raises(InputError, match="is not a release repository of this dataset"):
        publish_to_folder(release_dir("2.0.0"), "2.0.0", project, allow_plain_blobs=True)
    assert tracked(project) == {"main.py"}
    assert (project / "main.py").read_text() == "print('mine')\n"
    assert git(project, "status", "--porcelain") == ""


def test_a_folder_that_is_not_a_repository_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "thesis.tex").write_text("x")
    with pytest.raises(InputError, match="not a git repository and not empty"):
        publish_to_folder(release_dir("2.0.0"), "2.0.0", folder, allow_plain_blobs=True)
    assert [p.name for p in folder.iterdir()] == ["thesis.tex"]


def test_the_hub_plan_keeps_files_no_release_listed() -> None:
    """The Hub path removes the same way: only what an earlier release listed."""
    earlier = listed_by((release_dir("1.0.0") / SHA256SUMS).read_text("utf-8"))
    present = [*earlier, "notes/by-hand.md"]
    changes = plan(published("2.0.0"), present, earlier)
    assert changes.remove == ["data/sentences/sentences-00000.parquet"]
    assert changes.kept == ["notes/by-hand.md"]
    assert set(changes.write) == published("2.0.0")


#: Publish 2.0.0 into the repository given as argument (which holds 1.0.0).
PUBLISH = (
    "import sys; from pathlib import Path; from dataset.release.layout import release_dir; "
    "from dataset.release.publish import publish_to_folder; "
    "publish_to_folder(release_dir('2.0.0'), '2.0.0', Path(sys.argv[1]), allow_plain_blobs=True)"
)


@pytest.mark.slow
@pytest.mark.parametrize("step", ["publish:writing", "publish:written", "publish:committed"])
def test_a_publish_killed_at_any_step_is_finished_by_the_next(step: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    publish_to_folder(release_dir("1.0.0"), "1.0.0", repo, allow_plain_blobs=True)
    head = git(repo, "rev-parse", "HEAD")
    env = {**os.environ, DIE_AT_VARIABLE: step}
    killed = subprocess.run(
        [sys.executable, "-c", PUBLISH, str(repo)],
        cwd=REPO,
        env=env,
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    if step != "publish:committed":
        assert git(repo, "rev-parse", "HEAD") == head, "nothing committed"
    assert publish_to_folder(release_dir("2.0.0"), "2.0.0", repo, allow_plain_blobs=True) is True
    assert tracked(repo) == published("2.0.0")
    assert git(repo, "status", "--porcelain", "--ignored") == ""
    assert git(repo, "tag").split() == ["v1.0.0", "v2.0.0"]
    assert len(git(repo, "log", "--format=%s").splitlines()) == 2, "one commit per release"
    assert not (repo / "data" / "sentences").exists()


def test_without_git_lfs_publish_refuses_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_git = tmp_path / "bin"
    only_git.mkdir()
    (only_git / "git").symlink_to(GIT)
    monkeypatch.setenv("PATH", str(only_git))
    repo = tmp_path / "repo"
    with pytest.raises(InputError, match="git-lfs is not installed") as refused:
        publish_to_folder(release_dir("1.0.0"), "1.0.0", repo)
    assert "--allow-plain-blobs" in refused.value.fix
    assert not repo.exists()


def test_allow_plain_blobs_only_applies_to_a_local_repository(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["publish", "1.0.0", "--dry-run", "--allow-plain-blobs"]) == 2
    assert "--allow-plain-blobs: only applies to a local repository" in capsys.readouterr().err


def test_gitattributes_are_the_hubs_defaults_then_the_releases_own(tmp_path: Path) -> None:
    release = tmp_path / "release"
    release.mkdir()
    (release / "table.feather").write_bytes(b"ARROW1\0\0")
    (release / "notes.txt").write_text("plain text", encoding="utf-8")
    lines = gitattributes(release, ["table.feather", "notes.txt"]).splitlines()
    patterns = [line.removesuffix(f" {LFS}") for line in lines]
    assert patterns[: len(HUB_DEFAULTS)] == list(HUB_DEFAULTS)
    assert patterns[len(HUB_DEFAULTS) :] == ["# This dataset's own binary files", "*.feather"]
    shipped = gitattributes(release_dir("2.0.0"), sorted(read_sums(release_dir("2.0.0"))))
    assert shipped.splitlines() == lines[: len(HUB_DEFAULTS)]  # .parquet and .png are defaults


@pytest.mark.skipif(
    shutil.which("git-lfs") is None, reason="needs git-lfs (.ci/run installs Debian's)"
)
def test_with_git_lfs_the_binary_files_are_committed_as_lfs_pointers(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    assert publish_to_folder(release_dir("2.0.0"), "2.0.0", repo) is True
    shard = "data/spans/spans-00000.parquet"
    stored = subprocess.run(
        [GIT, "-C", str(repo), "cat-file", "blob", f"v2.0.0:{shard}"],
        capture_output=True,
        check=True,
    ).stdout
    assert lfs_pointer_oid(stored) == read_sums(release_dir("2.0.0"))[shard]
    assert (repo / shard).read_bytes() == (release_dir("2.0.0") / shard).read_bytes()
    assert publish_to_folder(release_dir("2.0.0"), "2.0.0", repo) is False
