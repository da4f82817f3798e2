"""``python -m dataset publish``: arguments and the checks on them, then one call into
``dataset.release.publish`` (the Hub, a local repository, or a dry run)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dataset.errors import InputError
from dataset.project import RELEASES_DIR, dataset_version
from dataset.release.layout import release_dir
from dataset.release.publish import (
    TOKEN_VARIABLE,
    publish_to_folder,
    publish_to_hub,
    published_files,
    refuse_unverified,
)

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Upload a release to the Hugging Face Hub (--repo-id OWNER/NAME, token from HF_TOKEN) or
into a local git repository (--to DIR), and tag it v<version>. The release is verified
first; a version already published with the same content is left alone, one with other
content is refused, and only the release's own files are written. --dry-run lists what
would be uploaded and changes nothing.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", nargs="?", help="version to publish (default: pyproject's)")
    parser.add_argument("--releases", type=Path, default=RELEASES_DIR)
    parser.add_argument("--repo-id", help="Hub dataset repository, OWNER/NAME")
    parser.add_argument("--to", type=Path, help="publish into this local git repository instead")
    parser.add_argument("--dry-run", action="store_true", help="list what would be uploaded")
    parser.add_argument(
        "--allow-plain-blobs",
        action="store_true",
        help="with --to: publish even without git-lfs, whose absence stores the binary files "
        "as plain git blobs (for a repository that will never be pushed to the Hub)",
    )


def run(args: argparse.Namespace) -> int:
    version = args.version or dataset_version()
    folder = release_dir(version, args.releases)
    if not folder.is_dir():
        raise InputError(folder, f"there is no release {version}", "run nox -s release first")
    if args.allow_plain_blobs and not args.to:
        raise InputError(
            "--allow-plain-blobs", "only applies to a local repository", "add --to DIR, or drop it"
        )
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
    refuse_unverified(folder, version, args.releases)
    target = str(args.to) if args.to else (args.repo_id or "(a Hub repository, --repo-id)")
    if args.dry_run:
        print(f"would publish {folder} to {target} and tag it v{version}:")
        for name, content in published_files(folder).items():
            size = len(content) if isinstance(content, bytes) else content.stat().st_size
            print(f"  {size:>12,}  {name}")
        return 0
    if args.to:
        created = publish_to_folder(
            folder, version, args.to, allow_plain_blobs=args.allow_plain_blobs
        )
        state = "published" if created else "already published"
        print(f"{state}: {args.to} at tag v{version}")
        return 0
    url = publish_to_hub(folder, version, args.repo_id, token)
    print(f"published {folder} to {url}, tagged v{version}", file=sys.stdout)
    return 0
