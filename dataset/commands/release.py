"""``python -m dataset release``: arguments, one call into ``dataset.release.make``
(``make_release``, or ``check_release`` with ``--check``), and the outcome in one line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dataset.builder.output import DEFAULT_SHARD_ROWS
from dataset.project import CHANGELOG_PATH, DATACARD_PATH, RAW_DIR, RELEASES_DIR, dataset_version
from dataset.ptc.corpus import DEFAULT_LAYER
from dataset.release.assemble import renderers
from dataset.release.make import StageOptions, check_release, make_release
from dataset.schema import load_schema

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Cut the release of the version in pyproject.toml into releases/v<version>/: build the
dataset from a clean commit, write the card, Croissant, Frictionless and citation files
beside the Parquet shards, validate, and only then move it into place. A released version
never changes: running it again with the same inputs does nothing; with inputs that now
give other bytes it refuses and asks you to bump the version. --check writes nothing and
exits 1 on such drift.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", type=Path, default=RAW_DIR, help="folder of PTC-format files")
    parser.add_argument(
        "--releases", type=Path, default=RELEASES_DIR, help="folder holding v<version>/ folders"
    )
    parser.add_argument("--changelog", type=Path, default=CHANGELOG_PATH)
    parser.add_argument("--card", type=Path, default=DATACARD_PATH, help="the datasheet")
    parser.add_argument("--label-layer", help="layer whose spans label the lines table")
    parser.add_argument("--default-layer", default=DEFAULT_LAYER)
    parser.add_argument("--shard-rows", type=int, default=DEFAULT_SHARD_ROWS)
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when this version is already released and its inputs "
        "no longer give the released bytes (a version not released yet is fine)",
    )


def run(args: argparse.Namespace) -> int:
    renderers()
    spec = load_schema()
    if args.check:
        options = StageOptions(args.label_layer, args.default_layer, args.shard_rows)
        drift = check_release(
            args.source,
            args.releases,
            changelog=args.changelog,
            card=args.card,
            options=options,
            spec=spec,
        )
        for line in drift:
            print(f"error: {line}", file=sys.stderr)
        if drift:
            print(
                f"version {dataset_version()} is already released with different content: "
                "bump the version in pyproject.toml and add its CHANGELOG.md entry "
                "(README: Releasing)",
                file=sys.stderr,
            )
        return 1 if drift else 0
    outcome = make_release(
        args.source,
        args.releases,
        changelog=args.changelog,
        card=args.card,
        label_layer=args.label_layer,
        default_layer=args.default_layer,
        shard_rows=args.shard_rows,
        spec=spec,
    )
    rows = ", ".join(f"{name} {n}" for name, n in outcome.counts.tables.items())
    verb = "released" if outcome.created else "unchanged"
    print(f"{verb} {outcome.folder}: {rows}")
    return 0
