"""What several commands share: the schema ``--schema`` names (``dataset.schema`` adds the
option), loaded once by the command and handed to the work."""

from __future__ import annotations

import argparse

from dataset.schema import Schema, load_schema


def chosen_schema(args: argparse.Namespace) -> Schema:
    """The schema ``--schema`` names, else the environment's or the default, read now."""
    return load_schema(args.schema)
