"""Verify a release: ``python -m dataset verify [VERSION]`` (``nox -s verify -- 1.0.0``).

Two checks, every difference reported:

1. integrity: every file of ``releases/v<version>/`` matches its SHA256SUMS, and no file
   is missing or unlisted;
2. reproducibility: the release is rebuilt from the inputs its manifest records (read
   from the working tree when unchanged, else from git history by blob id) with the
   date and datasheet it was made with, validated, and every reproducible file (the
   Parquet shards and every generated file; see ``dataset.release``) must equal its
   SHA256SUMS entry byte for byte. release-manifest.json and validation.json are records
   of the original run (commit, machine), checked by 1 only.

The rebuild uses the checked-out code and locked libraries; a code change that alters the
output therefore fails verification, which is the point: it must come with a new version.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dataset.build.output import sha256_of
from dataset.build.pipeline import build
from dataset.errors import InputError
from dataset.project import RELEASES_DIR, dataset_version
from dataset.release.assemble import assemble
from dataset.release.checksums import check_folder, compare, hashes, read_sums
from dataset.release.gate import validate
from dataset.release.info import ReleaseInfo
from dataset.release.inputs import fetch, materialise
from dataset.release.layout import (
    MANIFEST,
    is_reproducible,
    previous_release,
    release_dir,
)
from dataset.release.manifest import read_manifest
from dataset.schema import REPO_ROOT, SCHEMA_PATH


def _quiet(message: str) -> None:
    del message


def _located(path: str, repo: Path) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else repo / candidate


def rebuild(manifest: dict[str, Any], version: str, out: Path, work: Path, repo: Path) -> None:
    """Write the release's reproducible files afresh into ``out`` from its inputs."""
    source = work / "source"
    materialise(manifest["inputs"], _located(manifest["source"], repo), source, repo)
    card_entry = manifest["card"]
    card = fetch(card_entry, _located(card_entry["path"], repo), repo).decode("utf-8")
    options = manifest["build"]
    built = build(
        source,
        work / "build",
        sentence_layer=options["sentence_layer"],
        default_layer=options["default_layer"],
        shard_rows=options["shard_rows"],
        progress=False,
        log=_quiet,
    )
    info = ReleaseInfo(version, datetime.date.fromisoformat(manifest["date"]), card)
    assemble(built.out, out, info)


def verify_release(
    version: str,
    releases: Path = RELEASES_DIR,
    repo: Path = REPO_ROOT,
    log: Callable[[str], None] = _quiet,
) -> list[str]:
    """Every difference between the release and its SHA256SUMS or its rebuild; empty when
    the release verifies."""
    folder = release_dir(version, releases)
    if not folder.is_dir():
        raise InputError(folder, f"there is no release {version}", "list releases/ for versions")
    problems = [f"release folder: {line}" for line in check_folder(folder)]
    sums = read_sums(folder)
    if not (folder / MANIFEST).is_file():
        return [*problems, f"{MANIFEST} is missing: nothing says how to rebuild the release"]
    manifest = read_manifest(folder)
    if manifest.get("version") != version:
        problems.append(f"{MANIFEST} names version {manifest.get('version')}, not {version}")
    if sha256_of(SCHEMA_PATH) != manifest["schema"]["sha256"]:
        return [
            *problems,
            f"schemas/ changed since {version} was released, so this checkout cannot rebuild it; "
            f"verify from the commit that added releases/v{version}",
        ]
    log(f"rebuilding {version} from {len(manifest['inputs'])} recorded input file(s)")
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        rebuilt = Path(tmp) / folder.name
        rebuild(manifest, version, rebuilt, Path(tmp), repo)
        gate = validate(rebuilt, previous_release(version, releases))
        problems += [f"rebuild fails validation: {line}" for line in gate.failures]
        expected = {name: digest for name, digest in sums.items() if is_reproducible(name)}
        found = {name: digest for name, digest in hashes(rebuilt).items() if is_reproducible(name)}
        problems += [f"rebuild: {line}" for line in compare(expected, found, "the rebuild")]
    return problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", nargs="?", help="version to verify (default: pyproject's)")
    parser.add_argument("--releases", type=Path, default=RELEASES_DIR)


def run(args: argparse.Namespace) -> int:
    version = args.version or dataset_version()
    problems = verify_release(
        version, args.releases, log=lambda message: print(message, file=sys.stderr)
    )
    folder = release_dir(version, args.releases)
    if problems:
        print(f"{folder} FAILS verification:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    sums = read_sums(folder)
    reproducible = sum(1 for name in sums if is_reproducible(name))
    print(
        f"verified {folder}: all {len(sums)} files match SHA256SUMS and the "
        f"{reproducible} reproducible ones were rebuilt byte for byte"
    )
    return 0
