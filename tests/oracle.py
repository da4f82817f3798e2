"""The row-by-row builder: the oracle the package's columnar builder is held to.

Article by article, line by line, in plain Python, the way the PTC formats are described:
slow, but easy to read and check by eye. The tests build the same batches with it and with
``dataset.builder.tables.TableBatch`` and require identical tables (and so identical
Parquet bytes). It raises the first InputError of a batch in reading order, as the
package's diagnostics readers do.
"""

from __future__ import annotations

import bisect
import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from dataset.builder.tables import BATCHED_TABLES, TableBatch
from dataset.ptc.corpus import ArticleFiles
from dataset.ptc.formats import (
    LabelLine,
    check_rationales,
    line_ranges,
    read_article,
    read_label_file,
    read_rationale_file,
    title_of,
)
from dataset.ptc.provenance import check_against_article, read_provenance
from dataset.schema import Schema, schema

SPAN_ID = schema().tables["spans"].field("span_id").template or ""
LINE_ID = schema().tables["lines"].field("line_id").template or ""


@dataclass(frozen=True)
class Span:
    layer: str
    label: str
    technique: int | None
    semeval_class: int | None
    start: int
    end: int
    rationale: str | None


def span_id(article_id: str, layer: str, start: int, end: int, label: str) -> str:
    """The span's key, formed by the schema's template."""
    return SPAN_ID.format(article_id=article_id, layer=layer, start=start, end=end, label=label)


def _spans(
    article: ArticleFiles,
    num_chars: int,
    resolve: Mapping[str, tuple[int | None, int | None]],
    read: Callable[[Path], bytes],
) -> list[Span]:
    spans: list[Span] = []
    for layer in sorted(article.labels):
        path = article.labels[layer]
        lines = read_label_file(
            path, article_id=article.article_id, num_chars=num_chars, data=read(path)
        )
        rationales = _rationales(article, layer, lines, read)
        for line in lines:
            technique, semeval_class = resolve[line.label]
            spans.append(
                Span(
                    layer=layer,
                    label=line.label,
                    technique=technique,
                    semeval_class=semeval_class,
                    start=line.start,
                    end=line.end,
                    rationale=rationales.get((line.label, line.start, line.end)),
                )
            )
    spans.sort(key=lambda s: (s.layer, s.start, s.end, s.label))
    return spans


def _rationales(
    article: ArticleFiles, layer: str, lines: list[LabelLine], read: Callable[[Path], bytes]
) -> dict[tuple[str, int, int], str]:
    path = article.rationales.get(layer)
    if path is None:
        return {}
    rationales = read_rationale_file(path, read(path))
    check_rationales(
        path, layer, rationales, {(line.label, line.start, line.end) for line in lines}
    )
    return rationales


def _overlapping(line_ends: list[int], line_starts: list[int], span: Span) -> range:
    """Indices of the lines that share at least one code point with the span."""
    first = bisect.bisect_right(line_ends, span.start)
    last = bisect.bisect_left(line_starts, span.end)
    return range(first, last)


class OracleBatch:
    """A batch's articles, spans and lines tables, built row by row. Files are read
    through a package ``TableBatch``'s ``read``, so the oracle sees the same bytes and
    the same unreadable-file errors."""

    def __init__(
        self, label_layer: str | None, spec: Schema | None = None, *, lines: bool = True
    ) -> None:
        self.spec = spec or schema()
        self.label_layer = label_layer
        self.with_lines = lines
        self.resolve = self.spec.label_ids
        self.reader = TableBatch(label_layer, self.spec, lines=lines)
        self.files = self.reader.files
        self.read = self.reader.read
        self.pending: list[ArticleFiles] = []

    def add(self, article: ArticleFiles) -> None:
        self.pending.append(article)

    def tables(self) -> dict[str, pa.Table]:
        """The pending articles' tables; the batch is empty afterwards."""
        articles, self.pending = self.pending, []
        self.columns: dict[str, dict[str, list[Any]]] = {
            name: {column: [] for column in self.spec.tables[name].column_names}
            for name in BATCHED_TABLES
        }
        for article in articles:
            self._add(article)
        return {
            name: pa.table(self.columns[name], schema=self.spec.arrow_schema(name))
            for name in BATCHED_TABLES
        }

    def _add(self, article: ArticleFiles) -> None:
        raw = self.read(article.path)
        text = read_article(article.path, raw)
        title = title_of(text)
        record: dict[str, Any] = dict.fromkeys(self.spec.provenance_columns)
        record["sha256"] = None
        if article.provenance is not None:
            provenance = self.read(article.provenance)
            record = read_provenance(
                article.provenance, article.article_id, provenance, spec=self.spec
            )
            check_against_article(article.provenance, record, raw, title)
        spans = _spans(article, len(text), self.resolve, self.read)
        self._add_article(article, text, title, record)
        self._add_spans(article.article_id, text, spans)
        if self.with_lines:
            self._add_lines(article, text, spans)

    def _add_article(
        self, article: ArticleFiles, text: str, title: str, record: dict[str, Any]
    ) -> None:
        columns = self.columns["articles"]
        values = {
            "article_id": article.article_id,
            "title": title,
            "text": text,
            "num_chars": len(text),
            "sha256": hashlib.sha256(self.files[os.fspath(article.path)]).hexdigest(),
            "provenance_sha256": record["sha256"],
            "source_file": article.article,
            **{key: record[key] for key in self.spec.provenance_columns},
        }
        for column, values_list in columns.items():
            values_list.append(values[column])

    def _add_spans(self, article_id: str, text: str, spans: list[Span]) -> None:
        columns = self.columns["spans"]
        for span in spans:
            columns["span_id"].append(
                span_id(article_id, span.layer, span.start, span.end, span.label)
            )
            columns["article_id"].append(article_id)
            columns["layer"].append(span.layer)
            columns["label"].append(span.label)
            columns["technique"].append(span.technique)
            columns["semeval_class"].append(span.semeval_class)
            columns["start"].append(span.start)
            columns["end"].append(span.end)
            columns["text"].append(text[span.start : span.end])
            columns["rationale"].append(span.rationale)

    def _add_lines(self, article: ArticleFiles, text: str, spans: list[Span]) -> None:
        ranges = line_ranges(text)
        annotated = self.label_layer is not None and self.label_layer in article.labels
        techniques: dict[int, set[int]] = defaultdict(set)
        classes: dict[int, set[int]] = defaultdict(set)
        flagged: set[int] = set()
        if annotated:
            starts = [start for start, _ in ranges]
            ends = [end for _, end in ranges]
            for span in spans:
                if span.layer != self.label_layer:
                    continue
                for index in _overlapping(ends, starts, span):
                    flagged.add(index)
                    if span.technique is not None:
                        techniques[index].add(span.technique)
                    if span.semeval_class is not None:
                        classes[index].add(span.semeval_class)
        count = len(ranges)
        article_id = article.article_id
        columns = self.columns["lines"]
        columns["line_id"].extend(
            LINE_ID.format(article_id=article_id, line=number) for number in range(1, count + 1)
        )
        columns["article_id"].extend([article_id] * count)
        columns["line"].extend(range(1, count + 1))
        columns["start"].extend(start for start, _ in ranges)
        columns["end"].extend(end for _, end in ranges)
        columns["text"].extend(text[start:end] for start, end in ranges)
        columns["label_layer"].extend([self.label_layer if annotated else None] * count)
        if annotated:
            columns["techniques"].extend(sorted(techniques.get(i, ())) for i in range(count))
            columns["semeval_classes"].extend(sorted(classes.get(i, ())) for i in range(count))
            columns["has_propaganda"].extend(index in flagged for index in range(count))
        else:
            for column in ("techniques", "semeval_classes", "has_propaganda"):
                columns[column].extend([None] * count)
