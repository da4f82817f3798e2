"""``python -m dataset export``: a built dataset's gold as the official task files.

``--task si`` writes ``article_id, start, end`` (SemEval-2020 Task 11 span identification),
``--task tc`` writes ``article_id, technique, start, end`` with the 14 SemEval-2020 class
names (``--classes semeval``, the default) or PTC's 18 technique names (``--classes ptc``),
and ``--task slc`` writes ``article_id, line, propaganda|non-propaganda`` for every line of
every annotated article (NLP4IF-2019 sentence level, from the lines table). Articles come
by ascending ID, an article's spans by start, end and label: the order in which
SemEval-2020's TC scorer pairs gold and prediction lines. Spans that the chosen class set
cannot name are left out and listed, never dropped silently.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dataset.evaluation.export import export
from dataset.evaluation.gold import CLASS_SETS
from dataset.project import BUILD_DIR
from dataset.ptc.task_files import TASKS

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


def run(args: argparse.Namespace) -> int:
    result = export(
        args.folder,
        args.task,
        args.out,
        layer=args.layer,
        classes=args.classes,
        per_article=args.per_article,
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
