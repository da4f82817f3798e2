"""``python -m dataset card``: arguments and one call into ``dataset.release.datacard``
(``render``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dataset.owned import write_file
from dataset.project import DATACARD_PATH
from dataset.release.datacard import render

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Rewrite the generated sections of DATACARD.md (field tables, taxonomy, counts, checks,
licence) from the schema and the data, so the card never drifts from them. --check writes
nothing and exits 1 when the card is out of date.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--card", type=Path, default=DATACARD_PATH)
    parser.add_argument(
        "--check", action="store_true", help="fail instead of writing when the card is stale"
    )


def run(args: argparse.Namespace) -> int:
    card = args.card.read_text(encoding="utf-8")
    rendered = render(card, where=args.card)
    if rendered == card:
        return 0
    if args.check:
        print(f"{args.card} is stale: run `python -m dataset card`", file=sys.stderr)
        return 1
    write_file(args.card, rendered, "--card")
    print(f"updated {args.card}")
    return 0
