"""Writing a built dataset's gold as the official task files.

One file for the whole dataset, as the scorers read it, in the order they need (see
dataset/ptc/task_files.py). For ``tc``, ``per_article`` writes PTC's own layout instead:
one ``article<ID>.<layer>.labels`` per annotated article, empty when the article has no
span, which the builder reads back as the same layer (and a hidden marker that lets a
later export replace the folder; see ``dataset.owned``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from dataset.errors import InputError
from dataset.evaluation.gold import (
    ClassSet,
    LeftOut,
    SpanGold,
    check_classes,
    load_lines,
    load_spans,
)
from dataset.owned import write_file, write_folder
from dataset.ptc.task_files import Task, line_row, span_row
from dataset.schema import Schema, schema


@dataclass(frozen=True)
class Exported:
    out: Path
    task: Task
    layer: str
    classes: ClassSet | None
    rows: int
    articles: int
    left_out: tuple[LeftOut, ...] = ()
    not_annotated: tuple[str, ...] = ()


def export(
    folder: Path,
    task: Task,
    out: Path,
    *,
    layer: str | None = None,
    classes: ClassSet | None = None,
    per_article: bool = False,
    spec: Schema | None = None,
) -> Exported:
    """The gold of ``folder`` written to ``out`` as the task's official files, under
    ``spec`` (None: ``dataset.schema.schema``)."""
    spec = spec or schema()
    chosen = check_classes(task, classes)
    if per_article and task != "tc":
        raise InputError(
            "--per-article",
            f"only --task tc has a per-article layout; the {task} scorer reads one file",
            "leave out --per-article",
        )
    if out.is_dir() and not per_article:
        raise InputError(out, "--out is a folder", "pass the path of the file to write")
    if task == "slc":
        return _export_lines(folder, out, layer, spec)
    assert chosen is not None
    gold = load_spans(folder, layer, chosen, labelled=task == "tc", spec=spec)
    if per_article:
        _write_per_article(gold, task, out)
    else:
        write_file(out, "".join(span_row(task, span) for span in gold.spans), "--out")
    return Exported(
        out=out,
        task=task,
        layer=gold.layer,
        classes=chosen,
        rows=len(gold.spans),
        articles=len({span.article_id for span in gold.spans}),
        left_out=gold.left_out,
    )


def _export_lines(folder: Path, out: Path, layer: str | None, spec: Schema) -> Exported:
    """The ``slc`` gold: every line of every annotated article, in one file."""
    lines = load_lines(folder, layer, spec)
    write_file(out, "".join(line_row(*line) for line in lines.lines), "--out")
    return Exported(
        out=out,
        task="slc",
        layer=lines.layer,
        classes=None,
        rows=len(lines.lines),
        articles=len(lines.line_counts),
        not_annotated=lines.not_annotated,
    )


def _write_per_article(gold: SpanGold, task: Task, out: Path) -> None:
    """PTC's own layout: a label file for each annotated article, empty when it has no span."""
    by_article: dict[str, list[str]] = defaultdict(list)
    for span in gold.spans:
        by_article[span.article_id].append(span_row(task, span))
    files = {
        f"article{article}.{gold.layer}.labels": "".join(by_article[article])
        for article in gold.annotated
    }
    write_folder(out, files, "--out", "export")
