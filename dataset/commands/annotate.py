"""``python -m dataset annotate``: arguments, one call into
``dataset.annotation.annotate`` (``expected_outputs``), and the writing or checking of the
files it names."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dataset.annotation.annotate import expected_outputs, orphan_outputs
from dataset.commands.options import chosen_schema
from dataset.files import write_atomically
from dataset.project import ANNOTATIONS_DIR, RAW_DIR
from dataset.schema import add_schema_option

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Turn annotation records (<annotations>/<layer>/article<ID>.yaml: technique, the
fragment as you see it, and which occurrence) into the PTC label and rationale files the
build reads; you never count offsets. Records are checked against PTC's rules (known
techniques, no span starting or ending with whitespace or .,:;, no overlap within a
technique). --check writes nothing and exits 1 when a label file no longer matches its
record.
"""


def _report_orphans(orphans: list[Path], annotations: Path) -> None:
    for path in orphans:
        print(
            f"orphan: {path} belongs to a layer kept as records in {annotations}, but no "
            "record produces it; delete it, or restore the record it came from",
            file=sys.stderr,
        )


# Command line ----------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--annotations",
        type=Path,
        default=ANNOTATIONS_DIR,
        metavar="DIR",
        help="folder of <layer>/article<ID>.yaml records (default: %(default)s)",
    )
    parser.add_argument(
        "--raw",
        type=Path,
        default=RAW_DIR,
        metavar="DIR",
        help="folder holding articles/ and labels/ (default: %(default)s)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a label or rationale file differs from its record",
    )
    add_schema_option(parser)


def run(args: argparse.Namespace) -> int:
    annotations: Path = args.annotations
    raw: Path = args.raw
    expected = expected_outputs(annotations, raw, chosen_schema(args))
    orphans = orphan_outputs(annotations, raw, expected)
    _report_orphans(orphans, annotations)
    if args.check:
        stale = len(orphans)
        for output, (record, content) in expected.items():
            if not output.is_file():
                print(f"stale: {output} is missing (from {record})", file=sys.stderr)
                stale += 1
            elif output.read_bytes() != content.encode("utf-8"):
                print(f"stale: {output} differs from what {record} produces", file=sys.stderr)
                stale += 1
        if stale:
            print(
                f"{stale} file(s) out of date; run `python -m dataset annotate` and commit "
                "the result (never edit label files by hand)",
                file=sys.stderr,
            )
            return 1
        print(f"ok: {len(expected)} label and rationale files match their records")
        return 0
    written = 0
    for output, (_record, content) in expected.items():
        if output.is_file() and output.read_bytes() == content.encode("utf-8"):
            continue
        write_atomically(output, content)
        written += 1
    print(f"wrote {written} file(s), {len(expected) - written} already up to date")
    return 1 if orphans else 0
