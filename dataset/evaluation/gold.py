"""The gold side of a task, read from a built dataset's Parquet tables.

Spans come from the ``spans`` table of one annotation layer, named in one of two class
sets: ``semeval`` (SemEval-2020's 14 classes; Obfuscation,Intentional_Vagueness,Confusion,
which SemEval dropped, has none) or ``ptc`` (PTC's 18 techniques; a span that its source
labelled only with a merged SemEval class, such as Whataboutism,Straw_Men,Red_Herring,
has none). A span without a name in the chosen set is left out and listed, never dropped
silently. Line labels come from the ``lines`` table, which one layer labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from dataset.errors import InputError
from dataset.ptc.corpus import DEFAULT_LAYER, implied_layer
from dataset.ptc.formats import article_order
from dataset.ptc.scoring import Span
from dataset.ptc.task_files import Task, span_order
from dataset.schema import Schema, schema
from dataset.shards import table_shards

ClassSet = Literal["semeval", "ptc"]
CLASS_SETS: tuple[ClassSet, ...] = ("semeval", "ptc")
DEFAULT_CLASSES: ClassSet = "semeval"


def class_names(classes: ClassSet, spec: Schema) -> list[str]:
    """The names of a class set, in the order of its ids (alphabetical, as the scorers'
    sorted class lists)."""
    return spec.semeval_classes.names if classes == "semeval" else spec.techniques.names


def check_classes(task: Task, classes: ClassSet | None) -> ClassSet | None:
    """The class set a task uses: none for ``slc`` (its labels come from the lines table),
    SemEval-2020's by default for ``si`` and ``tc``."""
    if task == "slc":
        if classes is not None:
            raise InputError(
                "--classes",
                "does not apply to --task slc: a line is propaganda when any span of the "
                "label layer touches it, whatever its technique",
                "leave out --classes",
            )
        return None
    return classes or DEFAULT_CLASSES


@dataclass(frozen=True)
class LeftOut:
    """A gold span that the chosen class set cannot name."""

    span_id: str
    #: The span with its label as the label file wrote it.
    span: Span
    reason: str


@dataclass(frozen=True)
class SpanGold:
    folder: Path
    layer: str
    classes: ClassSet
    #: Every article of the dataset and its length in code points.
    num_chars: dict[str, int]
    #: Articles known to be annotated in the layer (a span, or lines it labels), in order.
    annotated: tuple[str, ...]
    #: The layer's spans, named in the class set, in the order of task_files.span_order.
    spans: tuple[Span, ...]
    left_out: tuple[LeftOut, ...]


@dataclass(frozen=True)
class LineGold:
    folder: Path
    layer: str
    #: Every article of the dataset.
    articles: frozenset[str]
    #: (article, line, propaganda) for every line of every annotated article, in order.
    lines: tuple[tuple[str, int, bool], ...]
    #: Number of lines of each annotated article.
    line_counts: dict[str, int]
    #: Articles the label layer did not annotate, which have no gold line labels.
    not_annotated: tuple[str, ...]


def _columns(folder: Path, table: str, columns: Sequence[str]) -> dict[str, list[Any]] | None:
    """Columns of a table as Python lists, or None when the folder has no such table."""
    paths = table_shards(folder, table)
    if not paths:
        return None
    data = pa.concat_tables([_read(path, columns) for path in paths])
    values: dict[str, list[Any]] = data.to_pydict()
    return values


def _read(path: Path, columns: Sequence[str]) -> pa.Table:
    """One shard's columns; a shard cut short, damaged or lacking a column is an input
    error naming it."""
    try:
        return pq.read_table(path, columns=list(columns))
    except (OSError, pa.ArrowException) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(
            path,
            f"not a readable Parquet shard of this dataset ({first})",
            "rebuild the dataset with python -m dataset build (or restore the file)",
        ) from None


def _articles(folder: Path) -> dict[str, int]:
    if not folder.is_dir():
        raise InputError(folder, "no such folder", "pass the folder a build wrote (its --out)")
    articles = _columns(folder, "articles", ["article_id", "num_chars"])
    if articles is None:
        raise InputError(
            folder,
            "not a built dataset: there is no articles/*.parquet (nor data/articles/*.parquet)",
            "pass the --out folder of python -m dataset build, or a release folder",
        )
    return dict(zip(articles["article_id"], articles["num_chars"], strict=True))


def _lines(folder: Path) -> dict[str, list[Any]] | None:
    return _columns(folder, "lines", ["article_id", "line", "label_layer", "has_propaganda"])


def _choose_layer(folder: Path, layers: set[str], requested: str | None) -> str:
    """The layer asked for, else the one the build would imply (the only one, else ``gold``)."""
    listed = ", ".join(sorted(layers)) or "none"
    if requested is not None:
        if requested not in layers:
            raise InputError(
                "--layer",
                f"{requested!r} is not an annotation layer of {folder} (layers: {listed})",
                "pass one of the layers listed",
            )
        return requested
    implied = implied_layer(layers)
    if implied is not None:
        return implied
    if not layers:
        raise InputError(
            folder,
            "the dataset has no annotation layer: no spans, and no lines labelled by a layer",
            "build it from a corpus with label files",
        )
    raise InputError(
        "--layer",
        f"{folder} has several annotation layers ({listed}) and none is {DEFAULT_LAYER!r}",
        "pass --layer NAME",
    )


def load_spans(
    folder: Path,
    layer: str | None,
    classes: ClassSet,
    *,
    labelled: bool = True,
    spec: Schema | None = None,
) -> SpanGold:
    """The spans of ``layer`` named in ``classes`` of ``spec`` (None:
    ``dataset.schema.schema``). With ``labelled`` false (span identification) a span needs
    no name, and only the SemEval view leaves any out."""
    spec = spec or schema()
    num_chars = _articles(folder)
    rows = _span_rows(folder)
    lines = _lines(folder)
    labelled_by = {name for name in (lines or {}).get("label_layer", []) if name is not None}
    chosen = _choose_layer(folder, {row["layer"] for row in rows} | labelled_by, layer)
    annotated = _annotated(rows, lines, chosen)
    names = class_names(classes, spec)
    kept: list[Span] = []
    left_out: list[LeftOut] = []
    for row in (row for row in rows if row["layer"] == chosen):
        named = _named(row, classes, labelled, names)
        if isinstance(named, LeftOut):
            left_out.append(named)
        else:
            kept.append(named)
    return SpanGold(
        folder=folder,
        layer=chosen,
        classes=classes,
        num_chars=num_chars,
        annotated=tuple(sorted(annotated, key=lambda article: article_order(article, spec))),
        spans=tuple(sorted(kept, key=lambda span: span_order(span, spec))),
        left_out=tuple(left_out),
    )


def _span_rows(folder: Path) -> list[dict[str, Any]]:
    """The rows of the spans table as dictionaries (none when the folder has no spans)."""
    spans = _columns(
        folder,
        "spans",
        ["span_id", "article_id", "layer", "label", "technique", "semeval_class", "start", "end"],
    )
    if not spans:
        return []
    return [dict(zip(spans, values, strict=True)) for values in zip(*spans.values(), strict=True)]


def _annotated(
    rows: list[dict[str, Any]], lines: dict[str, list[Any]] | None, layer: str
) -> set[str]:
    """The articles annotated in ``layer``: those with a span in it, and those whose lines
    it labels (an article annotated with no span)."""
    annotated = {row["article_id"] for row in rows if row["layer"] == layer}
    if lines is not None:
        annotated.update(
            article
            for article, label_layer in zip(lines["article_id"], lines["label_layer"], strict=True)
            if label_layer == layer
        )
    return annotated


def _named(
    row: dict[str, Any], classes: ClassSet, labelled: bool, names: list[str]
) -> Span | LeftOut:
    """A spans-table row as a span named in the class set (``names``, by id), or left out
    with why."""
    as_written = Span(row["article_id"], row["label"], row["start"], row["end"])
    if classes == "semeval" and row["semeval_class"] is None:
        return LeftOut(row["span_id"], as_written, "no SemEval-2020 class (SemEval dropped it)")
    if classes == "ptc" and labelled and row["technique"] is None:
        return LeftOut(
            row["span_id"],
            as_written,
            "labelled only with a merged SemEval-2020 class, not one of PTC's techniques",
        )
    if classes == "semeval":
        name = names[row["semeval_class"]]
    elif row["technique"] is not None:
        name = names[row["technique"]]
    else:
        name = row["label"]
    return Span(row["article_id"], name, row["start"], row["end"])


def load_lines(folder: Path, layer: str | None, spec: Schema | None = None) -> LineGold:
    """The line labels of the ``lines`` table, which the build derived from one layer,
    articles in the order of ``spec`` (None: ``dataset.schema.schema``)."""
    spec = spec or schema()
    articles = frozenset(_articles(folder))
    lines = _lines(folder)
    if lines is None or not lines["article_id"]:
        raise InputError(
            folder,
            "the dataset has no lines table rows (built before the lines table existed, or "
            "with --no-lines)",
            "rebuild the dataset with the current python -m dataset build, without --no-lines",
        )
    labelled_by = {value for value in lines["label_layer"] if value is not None}
    if not labelled_by:
        raise InputError(
            folder,
            "no article is annotated in the layer that labels the lines table, so no line "
            "has a gold label",
            "rebuild with --label-layer naming a layer that has label files",
        )
    label_layer = next(iter(labelled_by))
    if layer is not None and layer != label_layer:
        raise InputError(
            "--layer",
            f"the lines table of {folder} is labelled by layer {label_layer!r}, not {layer!r}",
            f"rebuild with --label-layer {layer}, or leave out --layer",
        )
    rows = sorted(
        zip(lines["article_id"], lines["line"], lines["has_propaganda"], strict=True),
        key=lambda row: (article_order(row[0], spec), row[1]),
    )
    gold = tuple((article, line, bool(label)) for article, line, label in rows if label is not None)
    counts: dict[str, int] = {}
    for article, _line, _label in gold:
        counts[article] = counts.get(article, 0) + 1
    return LineGold(
        folder=folder,
        layer=label_layer,
        articles=articles,
        lines=gold,
        line_counts=counts,
        not_annotated=tuple(
            sorted(articles - set(counts), key=lambda article: article_order(article, spec))
        ),
    )
