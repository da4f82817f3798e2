"""Turning a batch of articles' files into the articles, spans and lines tables.

A batch is built column by column (``dataset.builder.columnar``), the package's only
builder. When it finds bad input, the diagnostics readers (``read_article``,
``read_provenance``, ``read_label_file``, ``read_rationale_file``) read the batch again in
the order a person would, article by article, and name the first error with its file,
line, problem and fix. Either way a batch becomes Arrow tables with the schema generated
from ``schemas/`` and is then dropped, so memory is bounded by the batch, not the corpus.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa

from dataset.builder.columnar import BatchColumns
from dataset.errors import InputError, Rejected
from dataset.ptc.corpus import ArticleFiles
from dataset.ptc.formats import (
    check_rationales,
    read_article,
    read_label_file,
    read_rationale_file,
    title_of,
)
from dataset.ptc.provenance import check_against_article, read_provenance
from dataset.ptc.walk import not_a_file, special_kind
from dataset.schema import Schema

#: The tables whose rows come from the articles, gathered per batch; the techniques table
#: comes from the schema alone.
BATCHED_TABLES = ("articles", "spans", "lines")


def read_file(path: str) -> bytes:
    """A file's bytes with as few system calls as it takes: open, read its size and one
    byte more (which finds the end unless the file grew), close. Opened without waiting,
    so a FIFO put where discovery saw a regular file is refused, not waited on."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise not_a_file(Path(path), special_kind(status.st_mode))
        size = status.st_size
        data = os.read(descriptor, size + 1)
        if len(data) <= size:
            return data
        chunks = [data]
        while chunks[-1]:
            chunks.append(os.read(descriptor, 1 << 20))
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def first_error(
    articles: Sequence[ArticleFiles], read: Callable[[Path], bytes], spec: Schema
) -> None:
    """Raise the first InputError of a batch, reading its files one by one in the order a
    person checks them: each article, its provenance, then its label files layer by layer,
    each with its rationale file. Used only after the columnar builder rejected the batch,
    so that the message names the file, line, problem and fix."""
    for article in articles:
        raw = read(article.path)
        text = read_article(article.path, raw)
        if article.provenance is not None:
            data = read(article.provenance)
            record = read_provenance(article.provenance, article.article_id, data, spec=spec)
            check_against_article(article.provenance, record, raw, title_of(text))
        for layer in sorted(article.labels):
            path = article.labels[layer]
            lines = read_label_file(
                path, article_id=article.article_id, num_chars=len(text), data=read(path), spec=spec
            )
            rationale = article.rationales.get(layer)
            if rationale is not None:
                labelled = {(line.label, line.start, line.end) for line in lines}
                rationales = read_rationale_file(rationale, read(rationale))
                check_rationales(rationale, layer, rationales, labelled)


class TableBatch:
    """The articles, spans and lines tables of a batch of articles.

    ``label_layer`` is the annotation layer whose spans label the lines; ``lines=False``
    leaves the lines table empty (for builds that only need articles and spans)."""

    def __init__(self, label_layer: str | None, spec: Schema, *, lines: bool = True) -> None:
        self.spec = spec
        self.label_layer = label_layer
        self.with_lines = lines
        #: The bytes of every input file the batch read, by path as a string: the manifest
        #: takes their digests from here, so no file is read twice.
        self.files: dict[str, bytes] = {}
        self.pending: list[ArticleFiles] = []

    @property
    def articles(self) -> int:
        return len(self.pending)

    def read(self, path: Path | str) -> bytes:
        """An input file's bytes, kept in ``files`` for the manifest; a file that cannot
        be read (gone since discovery, no permission) is an input error."""
        path = os.fspath(path)
        try:
            data = self.files[path] = read_file(path)
        except OSError as error:
            raise InputError(
                Path(path),
                f"cannot read this input file: {error.strerror}",
                "make it readable by this user (or remove it and its label files)",
            ) from None
        return data

    def add(self, article: ArticleFiles) -> None:
        self.pending.append(article)

    def tables(self) -> dict[str, pa.Table]:
        """The pending articles' tables; the batch is empty afterwards. On bad input, the
        InputError of the batch's first error in reading order."""
        articles, self.pending = self.pending, []
        try:
            columns = BatchColumns(
                articles,
                label_layer=self.label_layer,
                lines=self.with_lines,
                read=self.read,
                spec=self.spec,
            ).tables
        except (Rejected, InputError) as rejected:
            first_error(articles, self.read, self.spec)
            if isinstance(rejected, InputError):
                raise
            raise RuntimeError(
                "the columnar builder rejected a batch that the diagnostics readers accept "
                f"(articles {articles[0].article_id} to {articles[-1].article_id}); this is "
                "a bug: please report it with the batch's files"
            ) from rejected
        columns.setdefault("lines", self.spec.arrow_schema("lines").empty_table())
        return columns


def techniques_table(spec: Schema) -> pa.Table:
    semeval = spec.semeval_classes
    labels = spec.techniques.labels
    return pa.table(
        {
            "technique": [label.id for label in labels],
            "name": [label.name for label in labels],
            "semeval_class": [
                semeval.id_of(label.semeval_class) if label.semeval_class else None
                for label in labels
            ],
            "description": [label.description for label in labels],
        },
        schema=spec.arrow_schema("techniques"),
    )
