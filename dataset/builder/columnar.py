"""The articles, spans and lines tables of a batch, built column by column.

Reading the batch's files and the per-article checks are Python's; everything per span
and per line is done by Arrow kernels and NumPy on the batch's UTF-8 bytes: the label
files parsed as one buffer (``dataset.ptc.label_table``), span and line texts cut from
the articles' bytes, the lines' labels found by an interval join. It is the package's
only builder; on bad input it raises ``Rejected`` (or the InputError of a per-article
check) and ``dataset.builder.tables`` asks the diagnostics readers for the batch's first
error. The tests hold its tables to a row-by-row oracle (``tests/oracle.py``).
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataset.builder.utf8 import Utf8Batch
from dataset.errors import Rejected
from dataset.ptc.corpus import ArticleFiles
from dataset.ptc.formats import check_rationales, read_article, read_rationale_file, title_of
from dataset.ptc.label_table import LabelFile, read_label_files
from dataset.ptc.provenance import check_against_article, read_provenance
from dataset.schema import Schema

#: A byte that is never part of a whitespace character: an article holding one is not
#: blank, and only articles without one need Python's ``str.strip`` to tell.
_VISIBLE = re.compile(rb"[!-~]")


def has_control_characters(data: np.ndarray) -> bool:
    """Whether UTF-8 bytes hold a C0 control character other than tab, newline and
    carriage return (no UTF-8 sequence holds a byte below 0x20 but the character itself):
    one comparison over the batch's bytes, then a look at the few low bytes (mostly
    newlines) it finds."""
    low = data[np.flatnonzero(data < 0x20)]
    return bool(np.any((low != 0x09) & (low != 0x0A) & (low != 0x0D)))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` without its hashing)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def format_column(template: str, fields: Mapping[str, pa.Array], rows: int) -> pa.Array:
    """``template.format(**row)`` for every row, by joining Arrow string columns; a
    template with format specs or conversions is formatted row by row."""
    parts: list[pa.Array | pa.Scalar] = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(pa.scalar(literal))
        if field is None:
            continue
        if spec or conversion:
            columns = {name: array.to_pylist() for name, array in fields.items()}
            return pa.array(
                [template.format(**{k: v[i] for k, v in columns.items()}) for i in range(rows)],
                pa.string(),
            )
        parts.append(pc.cast(fields[field], pa.string()))
    if not any(isinstance(part, pa.Array) for part in parts):
        return pa.array([template] * rows, pa.string())
    return pc.binary_join_element_wise(*parts, "")


class BatchColumns:
    """One batch's tables, or ``Rejected`` / ``InputError`` for the diagnostics readers
    to explain."""

    def __init__(
        self,
        articles: Sequence[ArticleFiles],
        *,
        label_layer: str | None,
        lines: bool,
        read: Callable[[Path | str], bytes],
        spec: Schema,
    ) -> None:
        self.spec = spec
        self.articles = articles
        self.label_layer = label_layer
        self.read = read
        self.ids = pa.array([article.article_id for article in articles], pa.string())
        raws = [read(article.absolute(article.article)) for article in articles]
        try:
            texts = pa.array(raws, pa.binary()).cast(pa.string())
        except pa.ArrowInvalid:
            raise Rejected from None  # not UTF-8: read_article says where
        self.texts: pa.StringArray = texts
        self.utf8 = Utf8Batch(texts)
        if has_control_characters(self.utf8.data):
            raise Rejected  # read_article says which article, where
        self.num_chars = pc.utf8_length(texts)
        self.tables = {
            "articles": self._articles(raws),
            "spans": self._spans(),
        }
        if lines:
            self.tables["lines"] = self._lines()

    def _articles(self, raws: list[bytes]) -> pa.Table:
        columns: dict[str, list[Any]] = {
            name: [] for name in ("title", "sha256", "provenance_sha256", "source_file")
        }
        records: dict[str, list[Any]] = {name: [] for name in self.spec.provenance_columns}
        for article, raw in zip(self.articles, raws, strict=True):
            if _VISIBLE.search(raw) is None:
                read_article(article.path, raw)  # blank, or visible only beyond ASCII
            title = title_of(raw.split(b"\n", 1)[0].decode("utf-8"))
            record: dict[str, Any] = dict.fromkeys(self.spec.provenance_columns)
            record["sha256"] = None
            if article.provenance is not None:
                provenance = self.read(article.provenance)
                record = read_provenance(
                    article.provenance, article.article_id, provenance, spec=self.spec
                )
                check_against_article(article.provenance, record, raw, title)
            columns["title"].append(title)
            columns["sha256"].append(hashlib.sha256(raw).hexdigest())
            columns["provenance_sha256"].append(record["sha256"])
            columns["source_file"].append(article.article)
            for key in self.spec.provenance_columns:
                records[key].append(record[key])
        values = {
            "article_id": self.ids,
            "text": self.texts,
            "num_chars": self.num_chars,
            **columns,
            **records,
        }
        arrow_schema = self.spec.arrow_schema("articles")
        return pa.table([values[name] for name in arrow_schema.names], schema=arrow_schema)

    def _label_files(self) -> tuple[list[LabelFile], list[int], list[str]]:
        files: list[LabelFile] = []
        owners: list[int] = []
        layers: list[str] = []
        num_chars = self.num_chars.to_pylist()
        for index, article in enumerate(self.articles):
            for layer, name in article.label_files:
                path = article.absolute(name)
                files.append(LabelFile(path, self.read(path), article.article_id, num_chars[index]))
                owners.append(index)
                layers.append(layer)
        return files, owners, layers

    def _spans(self) -> pa.Table:
        files, file_article, file_layer = self._label_files()
        rows = read_label_files(files, self.spec)
        file = rows["file"].to_numpy()
        layer_names = sorted(set(file_layer))
        layer_rank = np.array([layer_names.index(layer) for layer in file_layer], np.int64)
        label_names = pa.array(sorted(self.spec.label_ids), pa.string())
        label_rank = pc.index_in(rows["label"], value_set=label_names).to_numpy()
        article = np.array(file_article, np.int64)[file]
        layer = layer_rank[file]
        start, end = rows["start"].to_numpy(), rows["end"].to_numpy()
        rationale = self._rationales(files, file_article, file_layer, rows)
        order = np.lexsort((label_rank, end, start, layer, article))
        article, layer, label_rank = article[order], layer[order], label_rank[order]
        start, end, file = start[order], end[order], file[order]
        self.span_rows = (article, layer, start, end, label_rank, layer_names)
        ids = self.spec.label_ids
        techniques = pa.array([ids[name][0] for name in label_names.to_pylist()], pa.int64())
        classes = pa.array([ids[name][1] for name in label_names.to_pylist()], pa.int64())
        code_points = np.asarray(self.utf8.code_point_of(self.utf8.starts[:-1]))
        values: dict[str, Any] = {
            "article_id": self.ids.take(pa.array(article)),
            "layer": pa.array(layer_names, pa.string()).take(pa.array(layer)),
            "label": label_names.take(pa.array(label_rank)),
            "technique": techniques.take(pa.array(label_rank)),
            "semeval_class": classes.take(pa.array(label_rank)),
            "start": pa.array(start, pa.int32()),
            "end": pa.array(end, pa.int32()),
            "text": self.utf8.substrings(
                self.utf8.byte_of(code_points[article] + start),
                self.utf8.byte_of(code_points[article] + end),
            ),
            "rationale": rationale.take(pa.array(order)),
        }
        template = self.spec.tables["spans"].field("span_id").template or ""
        values["span_id"] = format_column(template, values, len(order))
        arrow_schema = self.spec.arrow_schema("spans")
        return pa.table([values[name] for name in arrow_schema.names], schema=arrow_schema)

    def _rationales(
        self, files: list[LabelFile], file_article: list[int], file_layer: list[str], rows: pa.Table
    ) -> pa.Array:
        """The rationale of each label row, from the few articles that have rationale files."""
        if not any(article.rationale_files for article in self.articles):
            return pa.nulls(rows.num_rows, pa.string())
        found: list[str | None] = [None] * rows.num_rows
        file = rows["file"].to_numpy()
        for index in range(len(files)):
            article = self.articles[file_article[index]]
            path = article.rationales.get(file_layer[index])
            if path is None:
                continue
            rationales = read_rationale_file(path, self.read(path))
            mine = np.flatnonzero(file == index)
            keys = [
                (rows["label"][row].as_py(), rows["start"][row].as_py(), rows["end"][row].as_py())
                for row in mine.tolist()
            ]
            check_rationales(path, file_layer[index], rationales, set(keys))
            for row, key in zip(mine.tolist(), keys, strict=True):
                found[row] = rationales.get(key)
        return pa.array(found, pa.string())

    def _lines(self) -> pa.Table:
        utf8 = self.utf8
        article_ends = utf8.starts[1:]
        newlines = np.flatnonzero(utf8.data == ord("\n")) + 1
        bounds = _distinct(np.concatenate((newlines, article_ends)))
        bounds = np.concatenate(([0], bounds)) if len(bounds) else np.zeros(1, np.int64)
        line_article = np.searchsorted(article_ends, bounds[:-1], side="right")
        first_line = np.searchsorted(bounds[:-1], utf8.starts[:-1], side="left")
        number = np.arange(len(bounds) - 1) - first_line[line_article] + 1
        code_points = utf8.code_point_of(bounds)
        article_base = code_points[first_line]
        start = code_points[:-1] - article_base[line_article]
        end = code_points[1:] - article_base[line_article]
        annotated = np.array(
            [any(layer == self.label_layer for layer, _ in a.label_files) for a in self.articles],
            dtype=bool,
        )
        line_annotated = annotated[line_article] if len(line_article) else annotated[:0]
        techniques, classes, flagged = self._line_labels(code_points, line_annotated)
        line_ids = self.ids.take(pa.array(line_article))
        values: dict[str, Any] = {
            "article_id": line_ids,
            "line": pa.array(number, pa.int32()),
            "start": pa.array(start, pa.int32()),
            "end": pa.array(end, pa.int32()),
            "text": utf8.tiles(bounds),
            "label_layer": pc.if_else(
                pa.array(line_annotated), self.label_layer, pa.scalar(None, pa.string())
            ),
            "techniques": techniques,
            "semeval_classes": classes,
            "has_propaganda": pa.array(flagged, pa.bool_(), mask=~line_annotated),
        }
        template = self.spec.tables["lines"].field("line_id").template or ""
        values["line_id"] = format_column(template, values, len(number))
        arrow_schema = self.spec.arrow_schema("lines")
        return pa.table([values[name] for name in arrow_schema.names], schema=arrow_schema)

    def _line_labels(
        self, line_code_points: np.ndarray, annotated: np.ndarray
    ) -> tuple[pa.Array, pa.Array, np.ndarray]:
        """Per line: the sorted distinct techniques and SemEval classes of the label
        layer's spans that share a code point with it, and whether any span does."""
        article, layer, start, end, label_rank, layer_names = self.span_rows
        lines = len(line_code_points) - 1
        arrow_schema = self.spec.arrow_schema("lines")
        if self.label_layer in layer_names:
            chosen = layer == layer_names.index(self.label_layer)
        else:
            chosen = np.zeros(len(layer), dtype=bool)
        base = self.utf8.code_point_of(self.utf8.starts[:-1])
        span_start = base[article[chosen]] + start[chosen]
        span_end = base[article[chosen]] + end[chosen]
        first = np.searchsorted(line_code_points[1:], span_start, side="right")
        last = np.searchsorted(line_code_points[:-1], span_end, side="left")
        counts = last - first
        covered = np.repeat(first - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        covered = covered + np.arange(int(counts.sum()))
        flagged = np.bincount(covered, minlength=lines) > 0
        label_names = sorted(self.spec.label_ids)
        ids = self.spec.label_ids
        lists = []
        for position, column in ((0, "techniques"), (1, "semeval_classes")):
            by_rank = np.array(
                [
                    -1 if ids[name][position] is None else ids[name][position]
                    for name in label_names
                ],
                np.int64,
            )
            value = np.repeat(by_rank[label_rank[chosen]], counts)
            keep = value >= 0
            width = int(by_rank.max()) + 1
            pairs = _distinct(covered[keep] * width + value[keep])
            offsets = np.searchsorted(pairs // width, np.arange(lines + 1), side="left")
            lists.append(
                pa.ListArray.from_arrays(
                    pa.array(offsets, pa.int32()),
                    pa.array(pairs % width, pa.int64()),
                    type=arrow_schema.field(column).type,
                    mask=pa.array(~annotated),
                )
            )
        return lists[0], lists[1], flagged
