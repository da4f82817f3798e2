"""Options several commands share: ``--schema``, the one way a command is pointed at another
schema file, loaded once by the command and handed to the work."""

from __future__ import annotations

import argparse
from pathlib import Path

from dataset.schema import SCHEMA_VARIABLE, Schema, load_schema


def add_schema_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--schema",
        type=Path,
        metavar="FILE",
        help=f"work under another schema file (default: ${SCHEMA_VARIABLE}, else the "
        "project's schemas/propaganda_spans.yaml)",
    )


def chosen_schema(args: argparse.Namespace) -> Schema:
    """The schema ``--schema`` names, else the environment's or the default, read now."""
    return load_schema(args.schema)
