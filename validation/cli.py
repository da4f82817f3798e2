"""``python -m validation [DIR]``: validate a built dataset folder.

Prints a summary, writes validation.json and a self-contained validation.html, and exits 1
when an error-level check fails, 2 when the input cannot be validated at all.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from dataset.errors import InputError
from dataset.project import BUILD_DIR
from validation.checks import catalogue
from validation.stream import DEFAULT_BATCH_ARTICLES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder", nargs="?", type=Path, default=BUILD_DIR, help="built dataset folder"
    )
    parser.add_argument("--allowlist", type=Path, help="YAML list of accepted violations")
    parser.add_argument(
        "--previous",
        help="previous release folder for taxonomy-stable ('none' to skip; default: the newest "
        "release under releases/ older than this version)",
    )
    parser.add_argument(
        "--reports", type=Path, help="folder for validation.json and validation.html"
    )
    parser.add_argument("--no-reports", action="store_true", help="print the summary only")
    parser.add_argument(
        "--batch-articles",
        type=int,
        default=DEFAULT_BATCH_ARTICLES,
        help="articles validated at a time, with their spans and lines; bounds memory",
    )
    parser.add_argument(
        "--list-checks", action="store_true", help="print the check catalogue and exit"
    )


def list_checks() -> None:
    print(f"{'check':30} {'level':>5} {'severity':8} {'kind':12} description")
    for found in catalogue():
        print(
            f"{found.id:30} {int(found.level):>5} {found.severity:8} {found.kind:12} "
            f"{found.description}"
        )


def run(args: argparse.Namespace) -> int:
    if args.list_checks:
        list_checks()
        return 0
    from validation.allowlist import read_allowlist
    from validation.report import print_summary, write_reports
    from validation.run import previous_release, validate_dataset

    if args.batch_articles < 1:
        raise InputError("--batch-articles", "must be a positive number", "pass 1 or more")
    allowlist = read_allowlist(args.allowlist) if args.allowlist else []
    if args.previous is None:
        previous = previous_release()
    elif args.previous == "none":
        previous = None
    else:
        previous = Path(args.previous)
    report = validate_dataset(
        args.folder, allowlist=allowlist, previous=previous, batch_articles=args.batch_articles
    )
    print_summary(report)
    if not args.no_reports:
        out = args.reports or args.folder.parent / f"{args.folder.name}-validation"
        for path in write_reports(report, out):
            print(f"wrote {path}")
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m validation", description=__doc__)
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except InputError as error:
        print(error.render(), file=sys.stderr)
        return 2
