"""``python -m dataset score``: arguments, one call into ``dataset.evaluation.score``,
and the report on the terminal (and in ``--json``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dataset.commands.options import chosen_schema
from dataset.evaluation.gold import CLASS_SETS
from dataset.evaluation.score import format_report, score
from dataset.owned import write_file
from dataset.project import BUILD_DIR
from dataset.ptc.task_files import TASKS
from dataset.schema import add_schema_option

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Score your system's predictions, in a task's official file format, against a built
dataset or a release, with the metrics of the official scorers: si (SemEval-2020 span
identification, partial-overlap precision, recall and F1), tc (technique classification,
micro F1 and per class) or slc (NLP4IF-2019 sentence level). --json also writes the
figures.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gold",
        type=Path,
        default=BUILD_DIR,
        metavar="DIR",
        help=f"a built dataset or a release folder (default: {BUILD_DIR})",
    )
    parser.add_argument(
        "--layer",
        help="gold annotation layer (default: the only one, else 'gold'; for slc "
        "the layer that labels the lines table)",
    )
    parser.add_argument("--pred", type=Path, required=True, metavar="FILE", help="the predictions")
    parser.add_argument("--task", required=True, choices=TASKS, help="the task's file format")
    parser.add_argument(
        "--classes",
        choices=CLASS_SETS,
        default=None,
        help="si and tc: SemEval-2020's 14 classes (default) or PTC's 18 techniques",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    add_schema_option(parser)


def run(args: argparse.Namespace) -> int:
    spec = chosen_schema(args)
    report = score(
        args.gold, args.pred, args.task, layer=args.layer, classes=args.classes, spec=spec
    )
    print(format_report(report))
    if args.json is not None:
        write_file(args.json, json.dumps(report.to_json(), indent=2) + "\n", "--json")
    return 0
