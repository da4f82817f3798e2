"""``python -m dataset verify``: arguments, one call into ``dataset.release.verify`` per
version, and the verdicts. ``--checked-out-code`` is what this command runs inside an older
release commit's worktree, so its name and meaning never change."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dataset.errors import InputError
from dataset.project import RELEASES_DIR, dataset_version
from dataset.release.assemble import renderers
from dataset.release.checkout import ENVS_DIR
from dataset.release.checksums import read_sums
from dataset.release.layout import is_reproducible, release_dir
from dataset.release.pins import PINS_PATH
from dataset.release.verify import (
    CHECKED_OUT_CODE,
    verify_release,
    verify_with_checked_out_code,
)
from dataset.schema import Schema, load_schema
from dataset.versions import released_versions

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Check that a release is what it claims to be: every file matches SHA256SUMS, and the
commit that made it, with its own locked environment, rebuilds every reproducible file
byte for byte. Give versions, or --all for every folder under --releases (default: the
version in pyproject.toml).
"""


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "versions", nargs="*", metavar="VERSION", help="versions to verify (default: pyproject's)"
    )
    parser.add_argument("--all", action="store_true", help="verify every release in --releases")
    parser.add_argument("--releases", type=Path, default=RELEASES_DIR)
    parser.add_argument(
        "--pins", type=Path, default=PINS_PATH, help="the file naming reproducing commits"
    )
    parser.add_argument(
        "--envs", type=Path, default=ENVS_DIR, help="where the per-lock environments are kept"
    )
    parser.add_argument(
        CHECKED_OUT_CODE,
        action="store_true",
        help="only rebuild with the code checked out here, in this environment, and compare "
        "(what verify runs inside the release commit's worktree)",
    )


def _versions(args: argparse.Namespace) -> list[str]:
    if args.all:
        found = [str(version) for version in sorted(released_versions(args.releases))]
        if not found:
            raise InputError(args.releases, "holds no release folder", "run nox -s release first")
        return found
    return list(args.versions) or [dataset_version()]


def _run_checked_out_code(version: str, releases: Path, spec: Schema) -> bool:
    renderers()
    problems = verify_with_checked_out_code(version, releases, log=_stderr, spec=spec)
    folder = release_dir(version, releases)
    if problems:
        print(f"{folder} FAILS verification:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return False
    sums = read_sums(folder)
    reproducible = sum(1 for name in sums if is_reproducible(name))
    print(
        f"verified {folder}: all {len(sums)} files match SHA256SUMS and the "
        f"{reproducible} reproducible ones were rebuilt byte for byte"
    )
    return True


def _run_at_commit(version: str, args: argparse.Namespace) -> bool:
    result = verify_release(version, args.releases, pins=args.pins, envs=args.envs, log=_stderr)
    if result.problems:
        print(f"{result.folder} FAILS verification:", file=sys.stderr)
        for line in result.problems:
            print(f"  {line}", file=sys.stderr)
        return False
    assert result.pin is not None
    print(
        f"verified {result.folder}: every file matches SHA256SUMS, and commit "
        f"{result.pin.commit} (from {result.pin.origin}) with its uv.lock "
        f"(sha256 {result.lock_sha256}) rebuilt every reproducible file byte for byte"
    )
    return True


def run(args: argparse.Namespace) -> int:
    versions = _versions(args)
    if args.checked_out_code:
        spec = load_schema()
        outcomes = [_run_checked_out_code(version, args.releases, spec) for version in versions]
    else:
        outcomes = [_run_at_commit(version, args) for version in versions]
    return 0 if all(outcomes) else 1
