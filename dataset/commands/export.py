"""``python -m dataset export``: arguments, one call into ``dataset.evaluation.export``,
and the list of spans the chosen class set cannot name."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dataset.commands.options import chosen_schema
from dataset.evaluation.export import export
from dataset.evaluation.gold import CLASS_SETS
from dataset.project import BUILD_DIR
from dataset.ptc.task_files import TASKS
from dataset.schema import add_schema_option

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Write a built dataset's gold annotations as the files the official SemEval-2020 Task 11
and NLP4IF-2019 scorers read: --task si (article, start, end), tc (article, technique,
start, end; 14 SemEval classes, or PTC's 18 techniques with --classes ptc) or slc (one
propaganda / non-propaganda line per article line). Spans the chosen class set cannot name
are listed, never dropped silently.
"""

#: Left-out spans listed one by one on the terminal; the rest are counted.
SHOWN = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder",
        type=Path,
        nargs="?",
        default=BUILD_DIR,
        metavar="DIR",
        help=f"a built dataset or a release folder (default: {BUILD_DIR})",
    )
    parser.add_argument("--task", required=True, choices=TASKS, help="the task's file format")
    parser.add_argument(
        "--layer",
        help="annotation layer (default: the only one, else 'gold'; for slc the "
        "layer that labels the lines table)",
    )
    parser.add_argument(
        "--classes",
        choices=CLASS_SETS,
        default=None,
        help="si and tc: SemEval-2020's 14 classes (default) or PTC's 18 techniques",
    )
    parser.add_argument("--out", type=Path, required=True, help="the file to write")
    parser.add_argument(
        "--per-article",
        action="store_true",
        help="tc: write --out as a folder of article<ID>.<layer>.labels files, PTC's layout, "
        "which the builder reads back",
    )
    add_schema_option(parser)


def run(args: argparse.Namespace) -> int:
    result = export(
        args.folder,
        args.task,
        args.out,
        layer=args.layer,
        classes=args.classes,
        per_article=args.per_article,
        spec=chosen_schema(args),
    )
    what = "lines" if result.task == "slc" else "spans"
    classes = f", {result.classes} classes" if result.classes else ""
    print(
        f"wrote {result.out}: {result.rows} {what} of {result.articles} article(s), "
        f"layer {result.layer}{classes}"
    )
    if result.left_out:
        print(
            f"note: {len(result.left_out)} span(s) left out, the {result.classes} class set "
            "cannot name them:",
            file=sys.stderr,
        )
        for span in result.left_out[:SHOWN]:
            print(f"  {span.span_id} ({span.reason})", file=sys.stderr)
        if len(result.left_out) > SHOWN:
            print(f"  ... and {len(result.left_out) - SHOWN} more", file=sys.stderr)
    if result.not_annotated:
        print(
            f"note: {len(result.not_annotated)} article(s) not annotated in layer "
            f"{result.layer} have no gold line labels and are not written",
            file=sys.stderr,
        )
    return 0
