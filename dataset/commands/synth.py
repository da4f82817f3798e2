"""``python -m dataset synth``: arguments, one call into ``dataset.ptc.synth``
(``synthesize``), and a one-line summary."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from dataset.commands.options import chosen_schema
from dataset.ptc.synth import synthesize
from dataset.schema import add_schema_option

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Write a synthetic PTC-format corpus of any size (nonsense text with PTC-like article
lengths, techniques, span lengths and overlaps), to test and benchmark the build and the
validation at scale. The same --seed gives the same bytes on every machine.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", type=int, required=True, help="number of articles")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", type=Path, required=True, help="new or empty output folder")
    add_schema_option(parser)


def run(args: argparse.Namespace) -> int:
    stats = synthesize(args.out, args.articles, args.seed, chosen_schema(args))
    top: Sequence[tuple[str, int]] = sorted(stats.techniques.items(), key=lambda kv: -kv[1])[:3]
    print(
        f"wrote {stats.articles} articles and {stats.spans} spans "
        f"({stats.spans_per_article:.1f} per article, {stats.empty_label_files} empty label "
        f"files, {stats.overlapping_spans} spans overlapping another technique) to {args.out}; "
        f"most frequent: {', '.join(f'{name} {count}' for name, count in top)}"
    )
    return 0
