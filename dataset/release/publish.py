"""Publish a release: ``python -m dataset publish VERSION`` (``nox -s publish -- 1.0.0``).

Uploads ``releases/v<version>/``, with the ``.gitattributes`` that routes its binary files
to Git LFS (see ``gitattributes``), as the content of a dataset repository and tags that
commit ``v<version>``: on the Hugging Face Hub (``--repo-id OWNER/NAME``, token from
HF_TOKEN, never printed), or with ``--to DIR`` into a local git repository the same way,
which needs no network. The release is verified first and a version already tagged with
other content is refused; one tagged with the same content is left alone. ``--dry-run``
lists what would be uploaded and changes nothing.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dataset.build.output import git_blob_id
from dataset.errors import InputError
from dataset.project import RELEASES_DIR, dataset_version
from dataset.release.gitattributes import GITATTRIBUTES, gitattributes, lfs_pointer_oid
from dataset.release.layout import SHA256SUMS, files_of, release_dir
from dataset.release.manifest import read_manifest
from dataset.release.verify import verify_release

TOKEN_VARIABLE = "HF_TOKEN"
COMMITTER = ("propaganda-spans release", "release@propaganda-spans.invalid")


def release_files(folder: Path) -> list[str]:
    """The release's files, SHA256SUMS last."""
    return [*files_of(folder), SHA256SUMS]


def _published_files(folder: Path) -> dict[str, bytes | Path]:
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


def _checked(folder: Path, version: str, releases: Path) -> None:
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


def publish_to_folder(folder: Path, version: str, target: Path) -> bool:
    """Commit the release into the git repository ``target`` and tag it; False when the
    tag already holds exactly this release."""
    tag = f"v{version}"
    files = _published_files(folder)
    if target.exists() and any(target.iterdir()) and not (target / ".git").exists():
        raise InputError(target, "the folder is not a git repository", "choose a new or git folder")
    if not (target / ".git").exists():
        target.mkdir(parents=True, exist_ok=True)
        _git(target, "init", "--quiet", "--initial-branch=main")
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
    for entry in target.iterdir():
        if entry.name == ".git":
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for name, content in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (target / name).write_bytes(content)
        else:
            shutil.copyfile(content, target / name)
    env = _identity(datetime.date.fromisoformat(read_manifest(folder)["date"]))
    _git(target, "add", "--all")
    _git(target, "commit", "--quiet", "--allow-empty", "-m", f"Release {tag}", env=env)
    _git(target, "tag", "-a", tag, "-m", f"{folder.name}: release {version}", env=env)
    return True


def publish_to_hub(folder: Path, version: str, repo_id: str, token: str) -> str:
    """Upload the release as the repository's content and tag it; returns the commit URL."""
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
    files = _published_files(folder)
    stale = set(api.list_repo_files(repo_id, repo_type="dataset")) - files.keys()
    commit = api.create_commit(
        repo_id,
        repo_type="dataset",
        operations=[
            *(CommitOperationAdd(name, content) for name, content in files.items()),
            *(CommitOperationDelete(name) for name in sorted(stale)),
        ],
        commit_message=f"Release {tag}",
    )
    api.create_tag(
        repo_id, repo_type="dataset", tag=tag, revision=commit.oid, tag_message=f"Release {tag}"
    )
    return str(commit.commit_url)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", nargs="?", help="version to publish (default: pyproject's)")
    parser.add_argument("--releases", type=Path, default=RELEASES_DIR)
    parser.add_argument("--repo-id", help="Hub dataset repository, OWNER/NAME")
    parser.add_argument("--to", type=Path, help="publish into this local git repository instead")
    parser.add_argument("--dry-run", action="store_true", help="list what would be uploaded")


def run(args: argparse.Namespace) -> int:
    version = args.version or dataset_version()
    folder = release_dir(version, args.releases)
    if not folder.is_dir():
        raise InputError(folder, f"there is no release {version}", "run nox -s release first")
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not (args.dry_run or args.to):
        if not args.repo_id:
            raise InputError("--repo-id", "no Hub repository given", "pass --repo-id OWNER/NAME")
        if not token:
            raise InputError(
                TOKEN_VARIABLE,
                f"no Hugging Face token: {TOKEN_VARIABLE} is not set",
                f"export {TOKEN_VARIABLE} with a write token, or use --to DIR or --dry-run",
            )
    _checked(folder, version, args.releases)
    target = str(args.to) if args.to else (args.repo_id or "(a Hub repository, --repo-id)")
    if args.dry_run:
        print(f"would publish {folder} to {target} and tag it v{version}:")
        for name, content in _published_files(folder).items():
            size = len(content) if isinstance(content, bytes) else content.stat().st_size
            print(f"  {size:>12,}  {name}")
        return 0
    if args.to:
        created = publish_to_folder(folder, version, args.to)
        state = "published" if created else "already published"
        print(f"{state}: {args.to} at tag v{version}")
        return 0
    url = publish_to_hub(folder, version, args.repo_id, token)
    print(f"published {folder} to {url}, tagged v{version}", file=sys.stdout)
    return 0
