"""``python -m dataset card``: arguments and one call each into ``dataset.release.datacard``
and ``dataset.release.readme`` (``render``, ``render_readme``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from dataset.errors import InputError
from dataset.owned import write_file
from dataset.project import DATACARD_PATH, RELEASES_DIR
from dataset.release.datacard import card_blocks, render
from dataset.release.readme import README_PATH, render_readme
from dataset.schema import load_schema

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Rewrite the generated sections of DATACARD.md (field tables, taxonomy, counts, checks,
licence) from the schema and the data, and those of README.md (the newest release and how
to load it) from releases/, so neither drifts from them. --check writes nothing and exits
1 when either is out of date.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--card", type=Path, default=DATACARD_PATH)
    parser.add_argument("--readme", type=Path, default=README_PATH)
    parser.add_argument(
        "--releases", type=Path, default=RELEASES_DIR, help="folder holding v<version>/ folders"
    )
    parser.add_argument(
        "--check", action="store_true", help="fail instead of writing when a file is stale"
    )


def _refresh(path: Path, option: str, rewrite: Callable[[str], str], check: bool) -> bool:
    """Rewrite one file's generated sections; False when ``check`` finds it stale."""
    if not path.is_file():
        raise InputError(path, "is not a file", f"pass {option} the file to bring up to date")
    text = path.read_text(encoding="utf-8")
    rendered = rewrite(text)
    if rendered == text:
        return True
    if check:
        print(f"{path} is stale: run `python -m dataset card`", file=sys.stderr)
        return False
    write_file(path, rendered, option)
    print(f"updated {path}")
    return True


def run(args: argparse.Namespace) -> int:
    spec = load_schema()
    card = _refresh(
        args.card, "--card", lambda t: render(t, card_blocks(spec), where=args.card), args.check
    )
    readme = _refresh(
        args.readme,
        "--readme",
        lambda t: render_readme(t, args.releases, where=args.readme),
        args.check,
    )
    return 0 if card and readme else 1
