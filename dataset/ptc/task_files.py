"""The files of the shared tasks on PTC, in the order their scorers need, and their reader.

Tab-separated, no header, one item per line:

- ``si``, SemEval-2020 Task 11 span identification: ``article_id, start, end``;
- ``tc``, SemEval-2020 Task 11 technique classification: ``article_id, technique, start,
  end``, with the 14 SemEval-2020 class names (or PTC's 18 technique names);
- ``slc``, NLP4IF-2019 sentence level: ``article_id, line, propaganda|non-propaganda``, one
  row for every line of the article file, numbered from 1.

**Order.** ``task-TC_scorer.py`` (SemEval-2020, ``tools/`` of the task's public repository)
reads both files into per-article lists keyed by article in order of first appearance,
sorts each article's spans by start offset alone (a stable sort, so spans that start
together keep their file order), stops with "The spans of the annotations of article …
do not match" unless the two lists agree position by position on start and end, swaps
spans with identical offsets so that equal labels meet, and then pairs the labels of the
two files article by article, each in its own file's article order. So a prediction file
must (1) hold exactly the gold spans, (2) give spans of one article that start at the same
offset in the same end order as the gold file, and (3) list the articles in the same order
as the gold file: otherwise the labels of different articles are paired, with no error.
SemEval-2020's gold files list articles by ascending ID and an article's spans in
annotation order. :func:`span_order` is ascending article ID (as numbers), then start, end
and label: the scorer's sort leaves it unchanged, so a prediction written in the order of
an exported gold file pairs exactly. ``task-SI_scorer.py`` and NLP4IF-2019's
``task-SLC_scorer.py`` match by article (and, for SLC, line number) and need no order; the
export writes them in the same article order, lines ascending.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dataset.errors import InputError
from dataset.ptc.formats import (
    article_order,
    decode_lines,
    is_digits,
    parse_offset,
    read_label_file,
)
from dataset.ptc.scoring import NO_LABEL, Span
from dataset.schema import Schema

Task = Literal["si", "tc", "slc"]
TASKS: tuple[Task, ...] = ("si", "tc", "slc")
COLUMNS: dict[Task, tuple[str, ...]] = {
    "si": ("article ID", "start", "end"),
    "tc": ("article ID", "technique", "start", "end"),
    "slc": ("article ID", "line", "label"),
}
PROPAGANDA = "propaganda"
NON_PROPAGANDA = "non-propaganda"


def span_order(
    span: Span, spec: Schema | None = None
) -> tuple[tuple[int, str] | str, int, int, str]:
    """Articles in the order of the built tables (IDs as numbers, as SemEval-2020's files
    list them), then start, end and label."""
    return (article_order(span.article_id, spec), span.start, span.end, span.label)


def span_row(task: Task, span: Span) -> str:
    """One line of an ``si`` or ``tc`` file, with its line break."""
    if task == "tc":
        return f"{span.article_id}\t{span.label}\t{span.start}\t{span.end}\n"
    return f"{span.article_id}\t{span.start}\t{span.end}\n"


def line_row(article_id: str, line: int, propaganda: bool) -> str:
    """One line of an ``slc`` file, with its line break."""
    return f"{article_id}\t{line}\t{PROPAGANDA if propaganda else NON_PROPAGANDA}\n"


# Reading predictions ----------------------------------------------------------------------


@dataclass(frozen=True)
class PredictedSpan:
    span: Span
    row: int


@dataclass(frozen=True)
class PredictedLine:
    article_id: str
    line: int
    propaganda: bool
    row: int


def _rows(path: Path, task: Task) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a prediction file split into columns, with their line numbers;
    a trailing carriage return is tolerated."""
    if not path.is_file():
        raise InputError(path, "no such file", "pass the prediction file with --pred")
    columns = COLUMNS[task]
    rows: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(decode_lines(path), start=1):
        row = raw.removesuffix("\r")
        if not row.strip():
            continue
        cells = row.split("\t")
        if len(cells) != len(columns):
            raise InputError(
                path,
                f"expected {len(columns)} tab-separated columns ({', '.join(columns)}) for "
                f"--task {task}, found {len(cells)}: {row!r}",
                "write one prediction per line in the task's format (python -m dataset "
                f"export --task {task} writes the gold file in it)",
                line=number,
            )
        if not is_digits(cells[0]):
            raise InputError(
                path,
                f"the article ID {cells[0]!r} in column 1 is not a string of digits",
                "column 1 holds the digits of the article file name",
                line=number,
            )
        rows.append((number, cells))
    return rows


def _check_article(
    path: Path, row: int, article_id: str, known: Collection[str], dataset: str
) -> None:
    if article_id not in known:
        raise InputError(
            path,
            f"unknown article {article_id}: it is not an article of {dataset}",
            "predict only articles of the gold dataset, or score against the dataset the "
            "articles belong to",
            line=row,
        )


def _check_inside(path: Path, row: int, span: Span, num_chars: int) -> None:
    if span.end > num_chars:
        raise InputError(
            path,
            f"the span {span.start}-{span.end} runs past the end of article "
            f"{span.article_id}, which has {num_chars} code points",
            "offsets count Unicode code points of the raw article, not bytes",
            line=row,
        )


def read_spans(path: Path, num_chars: Mapping[str, int], dataset: str) -> list[PredictedSpan]:
    """An ``si`` prediction file; every article must be one of ``num_chars`` and every span
    must lie inside its article."""
    spans: list[PredictedSpan] = []
    for row, (article_id, start_text, end_text) in _rows(path, "si"):
        _check_article(path, row, article_id, num_chars, dataset)
        start = parse_offset(path, row, "start", start_text)
        end = parse_offset(path, row, "end", end_text)
        if start >= end:
            raise InputError(
                path,
                f"start {start} is not before end {end}",
                "write start (inclusive) then end (exclusive), with end > start",
                line=row,
            )
        span = Span(article_id, NO_LABEL, start, end)
        _check_inside(path, row, span, num_chars[article_id])
        spans.append(PredictedSpan(span, row))
    return spans


def read_labelled_spans(
    path: Path,
    num_chars: Mapping[str, int],
    dataset: str,
    labels: Sequence[str],
    wrong_label: Callable[[str], str],
    *,
    spec: Schema,
) -> list[PredictedSpan]:
    """A ``tc`` prediction file: the label-file checks of :func:`read_label_file` (the
    label names ``spec`` knows), then
    every article known, every span inside it and every label one of ``labels``
    (``wrong_label`` says how to fix one that is not)."""
    if not path.is_file():
        raise InputError(path, "no such file", "pass the prediction file with --pred")
    allowed = frozenset(labels)
    spans: list[PredictedSpan] = []
    for line in read_label_file(path, spec=spec):
        _check_article(path, line.line, line.article_id, num_chars, dataset)
        span = Span(line.article_id, line.label, line.start, line.end)
        _check_inside(path, line.line, span, num_chars[line.article_id])
        if line.label not in allowed:
            raise InputError(
                path, f"unknown technique {line.label!r}", wrong_label(line.label), line=line.line
            )
        spans.append(PredictedSpan(span, line.line))
    return spans


def read_lines(
    path: Path, line_counts: Mapping[str, int], articles: Collection[str], dataset: str
) -> list[PredictedLine]:
    """An ``slc`` prediction file. ``articles`` are all the dataset's articles (anything
    else is unknown), ``line_counts`` the lines of those with gold labels. Labels are read
    case-insensitively, as the NLP4IF-2019 scorer reads them."""
    seen: dict[tuple[str, int], int] = {}
    lines: list[PredictedLine] = []
    for row, (article_id, line_text, label_text) in _rows(path, "slc"):
        _check_article(path, row, article_id, articles, dataset)
        if article_id not in line_counts:
            raise InputError(
                path,
                f"article {article_id} has no gold line labels in {dataset} (it is not "
                "annotated in the layer that labels the lines table)",
                "predict only annotated articles (python -m dataset export --task slc lists "
                "their lines)",
                line=row,
            )
        number = _line_number(path, row, line_text, article_id, line_counts[article_id])
        propaganda = _line_label(path, row, label_text)
        key = (article_id, number)
        if key in seen:
            raise InputError(
                path,
                f"article {article_id} line {number} is predicted twice (first on line "
                f"{seen[key]})",
                "give each line of each article one label",
                line=row,
            )
        seen[key] = row
        lines.append(PredictedLine(article_id, number, propaganda, row))
    return lines


def _line_number(path: Path, row: int, text: str, article_id: str, line_count: int) -> int:
    """Column 2 of an ``slc`` row: a line of the article, numbered from 1."""
    if not is_digits(text) or int(text) < 1:
        raise InputError(
            path,
            f"the line number {text!r} is not a whole number from 1",
            "number an article's lines from 1 (the title), as NLP4IF-2019 does",
            line=row,
        )
    number = int(text)
    if number > line_count:
        raise InputError(
            path,
            f"line {number} is past the end of article {article_id}, which has {line_count} lines",
            "number the lines of the article file from 1, every line counted",
            line=row,
        )
    return number


def _line_label(path: Path, row: int, text: str) -> bool:
    """Column 3 of an ``slc`` row, read case-insensitively: whether the line is propaganda."""
    label = text.lower()
    if label not in (PROPAGANDA, NON_PROPAGANDA):
        raise InputError(
            path,
            f"the label {text!r} is neither {PROPAGANDA} nor {NON_PROPAGANDA}",
            f"write {PROPAGANDA} or {NON_PROPAGANDA} in column 3",
            line=row,
        )
    return label == PROPAGANDA


def tc_scorer_pairing(spans: Sequence[Span]) -> list[tuple[str, int, int]]:
    """The spans in the order ``task-TC_scorer.py`` pairs them: articles in order of first
    appearance, each article's spans stably sorted by start. Two files pair correctly in
    that scorer exactly when these sequences are equal."""
    by_article: dict[str, list[Span]] = {}
    for span in spans:
        by_article.setdefault(span.article_id, []).append(span)
    return [
        (article, span.start, span.end)
        for article, group in by_article.items()
        for span in sorted(group, key=lambda span: span.start)
    ]
