"""Publish a release: ``python -m dataset publish VERSION`` (``nox -s publish -- 1.0.0``).

Uploads ``releases/v<version>/``, with the ``.gitattributes`` that routes its binary files
to Git LFS (see ``gitattributes``), as the content of a dataset repository and tags that
commit ``v<version>``: on the Hugging Face Hub (``--repo-id OWNER/NAME``, token from
HF_TOKEN, never printed), or with ``--to DIR`` into a local git repository the same way,
which needs no network. The release is verified first and a version already tagged with
other content is refused; one tagged with the same content is left alone. ``--dry-run``
lists what would be uploaded and changes nothing.

Publishing never touches what is not a release's: ``--to`` refuses a working tree with
uncommitted changes or untracked files and a repository whose history holds anything but
releases of this dataset (a new or empty one is fine); in both places only the release's
files are written and only files an earlier release listed are removed (1.0.0's
``data/sentences/`` when 2.0.0 replaces it), and what will be committed is printed first.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataset.digests import git_blob_id
from dataset.errors import InputError
from dataset.files import write_atomically
from dataset.owned import die_at
from dataset.release.gitattributes import GITATTRIBUTES, gitattributes, lfs_pointer_oid
from dataset.release.layout import MANIFEST, SHA256SUMS, files_of
from dataset.release.manifest import read_manifest
from dataset.release.verify import verify_release

TOKEN_VARIABLE = "HF_TOKEN"
#: What a publish to a folder is changing, kept in .git until it has committed and tagged,
#: so the next publish can undo a killed one's half-written working tree.
JOURNAL = "propaganda-spans-publish.json"
COMMITTER = ("propaganda-spans release", "release@propaganda-spans.invalid")


def release_files(folder: Path) -> list[str]:
    """The release's files, SHA256SUMS last."""
    return [*files_of(folder), SHA256SUMS]


def published_files(folder: Path) -> dict[str, bytes | Path]:
    """What the published repository holds: the release's files and its .gitattributes."""
    files = release_files(folder)
    return {
        GITATTRIBUTES: gitattributes(folder, files).encode("utf-8"),
        **{name: folder / name for name in files},
    }


def _same_content(repo: Path, blob: str, content: bytes | Path) -> bool:
    """Whether the tagged blob holds ``content``: the same bytes, or an LFS pointer to
    them (when git-lfs stored the file)."""
    data = content if isinstance(content, bytes) else content.read_bytes()
    if blob == git_blob_id(data):
        return True
    if len(data) == 0:
        return False
    stored = _git_bytes(repo, "cat-file", "blob", blob)
    return lfs_pointer_oid(stored) == hashlib.sha256(data).hexdigest()


def refuse_unverified(folder: Path, version: str, releases: Path) -> None:
    """Refuse a release that ``verify`` (its own commit's rebuild) does not reproduce."""
    problems = verify_release(
        version, releases, log=lambda line: print(line, file=sys.stderr)
    ).problems
    if problems:
        raise InputError(
            folder,
            f"release {version} fails verification, so it is not published:\n  "
            + "\n  ".join(problems),
            f"run `nox -s verify -- {version}` for details; never publish an altered release",
        )


def _git_bytes(repo: Path, *args: str, env: dict[str, str] | None = None) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise InputError("git", "git is not installed", "install git to publish to a folder")
    result = subprocess.run(
        [git, "-C", str(repo), "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
        capture_output=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace").strip()
        raise InputError(repo, f"git {' '.join(args)} failed: {stderr}", "see git")
    return result.stdout


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return _git_bytes(repo, *args, env=env).decode("utf-8")


def _tagged_blobs(repo: Path, tag: str) -> dict[str, str] | None:
    """{path: blob id} of the tagged tree, or None when the tag does not exist."""
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}")
    except InputError:
        return None
    listing = _git(repo, "ls-tree", "-r", "-z", f"{tag}^{{tree}}")
    blobs: dict[str, str] = {}
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        blobs[path] = meta.split()[2]
    return blobs


def _identity(date: datetime.date) -> dict[str, str]:
    """Author and committer for the release commit, dated on the release date so the same
    release published twice gives the same commit."""
    stamp = f"{date.isoformat()}T00:00:00+00:00"
    name, email = COMMITTER
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }


@dataclass(frozen=True)
class Plan:
    """What publishing changes in a repository: the release's files written, the files
    of an earlier release that this one no longer holds removed, anything else kept."""

    write: list[str]
    remove: list[str]
    kept: list[str]

    def lines(self, where: str) -> list[str]:
        said = [f"publishing to {where}: {len(self.write)} file(s) written"]
        said += [f"  write   {name}" for name in self.write]
        said += [
            f"  remove  {name}  (an earlier release's, not in this one)" for name in self.remove
        ]
        said += [f"  keep    {name}  (no release of this dataset listed it)" for name in self.kept]
        return said


def plan(new: Iterable[str], present: Iterable[str], listed_before: set[str]) -> Plan:
    """Write ``new``; of the other files ``present``, remove only those an earlier release
    listed (``listed_before``), and keep the rest."""
    write = sorted(new)
    others = sorted(set(present) - set(write))
    return Plan(
        write=write,
        remove=[name for name in others if name in listed_before],
        kept=[name for name in others if name not in listed_before],
    )


def listed_by(sums: str) -> set[str]:
    """Every file a published release held, from its SHA256SUMS text."""
    names = {line.partition("  ")[2] for line in sums.splitlines() if "  " in line}
    return names | {SHA256SUMS, GITATTRIBUTES}


def _not_a_release_repository(target: Path | str, why: str) -> InputError:
    return InputError(
        target,
        f"is not a release repository of this dataset ({why}); nothing was changed",
        "publish into a new or empty folder, or into a repository that only ever received "
        "releases of this dataset",
    )


def _check_history(repo: Path, dataset: str) -> set[str]:
    """The files earlier releases listed, after checking that every commit of the
    repository is a release of ``dataset`` made by publish (empty for a new repository)."""
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", "HEAD")
    except InputError:
        return set()
    listed: set[str] = set()
    for entry in _git(repo, "log", "--format=%H%x09%ce%x09%s", "HEAD").splitlines():
        commit, email, subject = entry.split("\t", 2)
        if email != COMMITTER[1] or not subject.startswith("Release v"):
            raise _not_a_release_repository(repo, f"commit {commit[:12]} {subject!r} is not one")
        try:
            manifest = json.loads(_git(repo, "show", f"{commit}:{MANIFEST}"))
            listed |= listed_by(_git(repo, "show", f"{commit}:{SHA256SUMS}"))
        except (InputError, ValueError):
            raise _not_a_release_repository(
                repo, f"commit {commit[:12]} holds no release"
            ) from None
        if not isinstance(manifest, dict) or manifest.get("dataset") != dataset:
            raise _not_a_release_repository(repo, f"commit {commit[:12]} is another dataset's")
    return listed


def _check_clean(repo: Path) -> None:
    """Refuse a working tree with uncommitted changes or untracked files, ignored ones
    included: publish would commit them, or overwrite them."""
    status = _git(repo, "status", "--porcelain", "--untracked-files=all", "--ignored")
    if status.strip():
        changed = [line[3:] for line in status.splitlines()]
        raise InputError(
            repo,
            f"has uncommitted changes or untracked files ({', '.join(changed[:5])}"
            f"{', ...' if len(changed) > 5 else ''}); nothing was changed",
            "commit, move or remove them first (git status shows them)",
        )


def _open_repository(target: Path) -> None:
    """A git repository at ``target``: an existing one, or a new one in a new or empty
    folder; any other folder is refused."""
    if target.exists() and not target.is_dir():
        raise InputError(target, "--to names a file", "pass --to a folder")
    if (target / ".git").exists():
        return
    if target.exists() and any(target.iterdir()):
        raise InputError(
            target,
            "is not a git repository and not empty; nothing was changed",
            "pass --to a new or empty folder, or a release repository",
        )
    target.mkdir(parents=True, exist_ok=True)
    _git(target, "init", "--quiet", "--initial-branch=main")


def _apply(target: Path, files: dict[str, bytes | Path], changes: Plan) -> None:
    """Write the release's files (each whole, or not at all) and remove the stale ones."""
    for name in changes.write:
        content = files[name]
        data = content if isinstance(content, bytes) else content.read_bytes()
        write_atomically(target / name, data)
        die_at("publish:writing")
    if changes.remove:
        _git(target, "rm", "--quiet", "--", *changes.remove)
    _git(target, "add", "--", *changes.write)


def _head(repo: Path) -> str | None:
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", "HEAD").strip()
    except InputError:
        return None


def _undo_interrupted(repo: Path) -> None:
    """Put back what a publish killed before its commit left: the files its journal says
    it wrote or removed return to the last commit's (files new to it go). A publish
    killed after its commit left nothing to undo."""
    journal = repo / ".git" / JOURNAL
    try:
        record = json.loads(journal.read_text("utf-8"))
    except (OSError, ValueError):
        return
    head = _head(repo)
    if isinstance(record, dict) and record.get("head") == head:
        listing = _git(repo, "ls-tree", "-r", "-z", "--name-only", "HEAD") if head else ""
        committed = set(filter(None, listing.split("\0")))
        _git(repo, *(("reset", "--quiet") if head else ("read-tree", "--empty")))
        touched = [str(name) for name in [*record.get("write", []), *record.get("remove", [])]]
        if back := sorted(set(touched) & committed):
            _git(repo, "checkout", "HEAD", "--", *back)
        for name in sorted(set(touched) - committed):
            (repo / name).unlink(missing_ok=True)
            for parent in (repo / name).parents:
                if parent == repo or (parent.is_dir() and any(parent.iterdir())):
                    break
                if parent.is_dir():
                    parent.rmdir()
        print(f"note: undid the changes of an interrupted publish in {repo}", file=sys.stderr)
    journal.unlink()


def _commit(target: Path, tag: str, message: str, env: dict[str, str]) -> None:
    """Commit the applied changes (unless a killed run committed them already) and tag."""
    staged = _git(target, "diff", "--cached", "--name-only")
    head = _head(target)
    subject = _git(target, "log", "-1", "--format=%s", "HEAD").strip() if head else ""
    if staged or subject != f"Release {tag}":
        _git(target, "commit", "--quiet", "--allow-empty", "-m", f"Release {tag}", env=env)
    die_at("publish:committed")
    _git(target, "tag", "-a", tag, "-m", message, env=env)


def _require_lfs(allow_plain_blobs: bool) -> bool:
    """Whether git-lfs is there, checked before anything is written: without it git stores
    the Parquet files as plain blobs without a word, and the Hub refuses the push."""
    if shutil.which("git-lfs") is not None:
        return True
    if allow_plain_blobs:
        return False
    raise InputError(
        "git-lfs",
        "git-lfs is not installed, so git would store the release's binary files (Parquet, "
        "PNG) as plain blobs, which the Hugging Face Hub refuses; nothing was changed",
        "install it (Debian: apt-get install git-lfs) and publish again, or pass "
        "--allow-plain-blobs for a repository that will never be pushed to the Hub",
    )


def publish_to_folder(
    folder: Path, version: str, target: Path, *, allow_plain_blobs: bool = False
) -> bool:
    """Commit the release into the git repository ``target`` and tag it; False when the
    tag already holds exactly this release. Only a clean release repository of this
    dataset (or a new one) is written to, and only the files releases list are touched.
    Binary files go through Git LFS, its filter set up in ``target``; without git-lfs the
    publish is refused unless ``allow_plain_blobs``."""
    tag = f"v{version}"
    files = published_files(folder)
    lfs = _require_lfs(allow_plain_blobs)
    _open_repository(target)
    if lfs:
        _git(target, "lfs", "install", "--local")
    _undo_interrupted(target)
    tagged = _tagged_blobs(target, tag)
    if tagged is not None:
        if tagged.keys() == files.keys() and all(
            _same_content(target, tagged[name], files[name]) for name in files
        ):
            return False
        raise InputError(
            target,
            f"{tag} is already published there with different content (releases are immutable)",
            "publish a new version instead",
        )
    _check_clean(target)
    listed = _check_history(target, read_manifest(folder)["dataset"])
    tracked = _git(target, "ls-files", "-z").split("\0")
    changes = plan(files, filter(None, tracked), listed)
    if changes.kept:
        raise _not_a_release_repository(
            target, f"it tracks {changes.kept[0]}, which no release lists"
        )
    print("\n".join(changes.lines(str(target))))
    journal = {"head": _head(target), "write": changes.write, "remove": changes.remove}
    write_atomically(target / ".git" / JOURNAL, json.dumps(journal))
    _apply(target, files, changes)
    die_at("publish:written")
    env = _identity(datetime.date.fromisoformat(read_manifest(folder)["date"]))
    _commit(target, tag, f"{folder.name}: release {version}", env)
    (target / ".git" / JOURNAL).unlink()
    return True


def _hub_listed(api: Any, repo_id: str, dataset: str, present: list[str]) -> set[str]:
    """The files the Hub repository's current release lists; refuses a repository that
    holds files but no release of this dataset (a new repository holds .gitattributes)."""
    if not set(present) - {GITATTRIBUTES}:
        return set()
    if MANIFEST not in present or SHA256SUMS not in present:
        raise _not_a_release_repository(repo_id, f"it holds no {MANIFEST} and {SHA256SUMS}")
    manifest = json.loads(
        Path(api.hf_hub_download(repo_id, MANIFEST, repo_type="dataset")).read_text("utf-8")
    )
    if not isinstance(manifest, dict) or manifest.get("dataset") != dataset:
        raise _not_a_release_repository(repo_id, "its release is another dataset's")
    sums = Path(api.hf_hub_download(repo_id, SHA256SUMS, repo_type="dataset"))
    return listed_by(sums.read_text("utf-8"))


def publish_to_hub(folder: Path, version: str, repo_id: str, token: str) -> str:
    """Upload the release as the repository's content and tag it; returns the commit URL.
    Removes only files an earlier release listed, and says what it commits first."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi

    tag = f"v{version}"
    api = HfApi(token=token)
    api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
    refs = api.list_repo_refs(repo_id, repo_type="dataset")
    if any(ref.name == tag for ref in refs.tags):
        raise InputError(
            repo_id,
            f"{tag} is already published on the Hub (releases are immutable)",
            "publish a new version instead",
        )
    files = published_files(folder)
    present = api.list_repo_files(repo_id, repo_type="dataset")
    listed = _hub_listed(api, repo_id, read_manifest(folder)["dataset"], present)
    changes = plan(files, present, listed | {GITATTRIBUTES})
    print("\n".join(changes.lines(repo_id)))
    commit = api.create_commit(
        repo_id,
        repo_type="dataset",
        operations=[
            *(CommitOperationAdd(name, content) for name, content in files.items()),
            *(CommitOperationDelete(name) for name in changes.remove),
        ],
        commit_message=f"Release {tag}",
    )
    api.create_tag(
        repo_id, repo_type="dataset", tag=tag, revision=commit.oid, tag_message=f"Release {tag}"
    )
    return str(commit.commit_url)
