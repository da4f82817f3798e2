"""``python -m dataset citation``: the citation files of the version in pyproject.toml
without cutting a release, and the check of cffconvert's conversions of them (``nox -s
citation`` runs both, with cffconvert in an environment of its own)."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from dataset.owned import write_folder
from dataset.project import CHANGELOG_PATH, DATACARD_PATH, dataset_version
from dataset.release.assemble import checked_cff
from dataset.release.changelog import read_entries
from dataset.release.citation import citation_bib
from dataset.release.converted import CONVERSIONS, converted_problems
from dataset.release.info import ReleaseInfo
from dataset.schema import Schema, load_schema

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Write the CITATION.cff and CITATION.bib that the next release will carry (--out DIR, a
folder of their own), or check cffconvert's Zenodo, schema.org and APA conversions of that
CITATION.cff (--check-converted DIR): exit 1 when one misstates the release's rights or
authors.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--out", type=Path, metavar="DIR", help="write the citation files here")
    what.add_argument(
        "--check-converted",
        type=Path,
        metavar="DIR",
        help=f"check cffconvert's conversions in DIR ({', '.join(CONVERSIONS.values())})",
    )


def release_date(version: str) -> datetime.date:
    """The version's CHANGELOG.md date, or today while the version has no entry yet."""
    entry = read_entries(CHANGELOG_PATH).get(version)
    return entry.date if entry is not None else datetime.date.today()


def write_citation(folder: Path, spec: Schema) -> list[Path]:
    """The two files, in a folder of their own: like every output folder, it is replaced
    only when the tools wrote it (a folder holding anything else is refused)."""
    version = dataset_version()
    card = DATACARD_PATH.read_text(encoding="utf-8")
    info = ReleaseInfo(version, release_date(version), card, schema=spec)
    files = {"CITATION.cff": checked_cff(info), "CITATION.bib": citation_bib(info)}
    return write_folder(folder, files, "--out", "citation")


def run(args: argparse.Namespace) -> int:
    spec = load_schema()
    if args.out is not None:
        for path in write_citation(args.out, spec):
            print(f"wrote {path}")
        return 0
    problems = converted_problems(args.check_converted, spec.dataset.licence)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print(f"the conversions in {args.check_converted} state the rights and authors truly")
    return 1 if problems else 0
