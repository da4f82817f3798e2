"""Reading a built dataset article batch by article batch, in bounded memory.

The builder writes every table in article order (``order_by`` starts with ``article_id``),
so a batch of articles and the spans and lines that belong to them are neighbours in the
files. The validator reads each table's shards front to back and hands out, per batch, the
articles and every row of the other tables up to the batch's last article: memory follows
the batch, never the corpus, and every key that contains its article id is unique across
the whole table when it is unique within each batch.

That only holds when the rows really are in article order, so the order is the first check
on every row (``schema-order``). The state it needs is one key: the largest article seen so
far. A row whose article comes before that is out of order; it is reported and not judged by
the higher levels, and the rows that remain are in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dataset.ptc.formats import article_order, is_digits
from dataset.schema import Schema
from validation.checks import Level, OrderCheck, check
from validation.files import DatasetFiles, Shard, unreadable

#: Tables whose rows belong to an article; the first drives the batches.
ARTICLE_TABLES = ("articles", "spans", "lines")
#: Articles per batch: large enough that Great Expectations' fixed cost per run is small,
#: small enough that a batch (article texts, their spans and lines) stays far below 1 GiB.
DEFAULT_BATCH_ARTICLES = 10_000
#: Rows per Parquet read of the tables whose rows are short.
READ_ROWS = 65_536
#: Orphan rows after the last article are handed out in slices of this many rows.
TAIL_ROWS = 1_000_000

#: An article's place in the schema's article order: (number, id) when IDs sort as
#: integers, (0, id) when they sort as text.
ArticleKey = tuple[int, str]


def article_key(article_id: Any, spec: Schema) -> ArticleKey | None:
    """Where an article sorts in ``spec``'s article order; None for a null or non-digit
    id, which level 1 reports under schema-not-null or schema-values and which takes no
    part in the order."""
    if not isinstance(article_id, str) or not is_digits(article_id):
        return None
    key = article_order(article_id, spec)
    return key if isinstance(key, tuple) else (0, key)


def _describe(key: ArticleKey | None) -> str:
    return "none" if key is None else key[1]


@check(
    "schema-order",
    severity="error",
    level=Level.SCHEMA,
    kind=OrderCheck,
    tables=ARTICLE_TABLES,
    description="Rows come in article order, as the schema's order_by starts with "
    "article_id: no row belongs to an article before one already passed (the validator "
    "streams article by article on this order).",
)
def order_breaks(keys: list[ArticleKey | None], running: ArticleKey | None) -> list[bool]:
    """For a run of article keys, whether each comes before the largest key seen before it
    (starting from ``running``)."""
    breaks: list[bool] = []
    for key in keys:
        late = key is not None and running is not None and key < running
        breaks.append(late)
        if key is not None and (running is None or key > running):
            running = key
    return breaks


@dataclass(frozen=True)
class OrderBreak:
    """Rows of one article that come after a later article: their positions in the
    batch's table, their article and the article they follow."""

    rows: range
    article_id: str
    after: str


@dataclass
class Batch:
    """One batch of articles and the rows of the other tables that belong to them."""

    number: int
    tables: dict[str, pa.Table]
    breaks: dict[str, list[OrderBreak]] = field(default_factory=dict)
    #: Each table's first row in the batch, counted over the whole table (all shards).
    first_rows: dict[str, int] = field(default_factory=dict)


class _Runs:
    """The rows of one table read so far and not yet handed out, with their article runs
    (consecutive rows of one article): the start row of each run, its key, the running
    maximum key after it and whether it comes before that maximum (out of order)."""

    def __init__(self, empty: pa.Table, spec: Schema) -> None:
        self.table = empty
        self.spec = spec
        self.starts: list[int] = []
        self.keys: list[ArticleKey | None] = []
        self.maxima: list[ArticleKey | None] = []
        self.late: list[bool] = []
        #: Rows handed out so far.
        self.handed = 0

    @property
    def rows(self) -> int:
        return int(self.table.num_rows)

    def append(self, batch: pa.RecordBatch, running: ArticleKey | None) -> ArticleKey | None:
        ids = batch.column("article_id")
        if len(ids) == 0:
            return running
        changed = pc.fill_null(pc.not_equal(ids[1:], ids[:-1]), True)
        heads = [0, *(np.flatnonzero(changed.to_numpy(zero_copy_only=False)) + 1).tolist()]
        keys = [article_key(ids[i].as_py(), self.spec) for i in heads]
        offset = self.rows
        for head, key, late in zip(heads, keys, order_breaks(keys, running), strict=True):
            if key is not None and (running is None or key > running):
                running = key
            self.starts.append(offset + head)
            self.keys.append(key)
            self.maxima.append(running)
            self.late.append(late)
        # Shards may differ in what they declare nullable (nulls are schema-not-null's).
        added = pa.Table.from_batches([batch])
        self.table = pa.concat_tables([self.table, added], promote_options="permissive")
        return running

    def cut(self, runs: int) -> tuple[pa.Table, list[OrderBreak]]:
        """Hand out the first ``runs`` runs: their rows and the rows out of order among
        them."""
        end = self.starts[runs] if runs < len(self.starts) else self.rows
        breaks: list[OrderBreak] = []
        for index in range(runs):
            if self.late[index]:
                stop = self.starts[index + 1] if index + 1 < len(self.starts) else self.rows
                before = _describe(self.maxima[index - 1])
                article = _describe(self.keys[index])
                breaks.append(OrderBreak(range(self.starts[index], stop), article, before))
        taken = self.table.slice(0, end)
        self.table = self.table.slice(end)
        self.handed += end
        self.starts = [start - end for start in self.starts[runs:]]
        del self.keys[:runs], self.maxima[:runs], self.late[:runs]
        return taken, breaks


class TableStream:
    """One table's shards, read front to back and handed out by article."""

    def __init__(
        self,
        arrow: pa.Schema,
        shards: list[Shard],
        read_rows: int,
        columns: tuple[str, ...] | None = None,
        *,
        spec: Schema,
    ) -> None:
        """``columns``: the columns read (default all); ``article_id`` alone tells the
        batches' rows apart, for workers that read the rest themselves (``read_rows``).
        ``spec``: the schema whose article order the rows are in."""
        names = arrow.names if columns is None else list(columns)
        self._batches = self._read(shards, read_rows, names)
        self._runs = _Runs(pa.schema([arrow.field(name) for name in names]).empty_table(), spec)
        self._running: ArticleKey | None = None
        self._exhausted = False

    @staticmethod
    def _read(shards: list[Shard], read_rows: int, columns: list[str]) -> Iterator[pa.RecordBatch]:
        for shard in shards:
            try:
                reader = pq.ParquetFile(shard.path)
                for group in range(reader.num_row_groups):
                    # A row group read whole costs its own size; Parquet's batch iterator
                    # holds several decoded row groups at once, so it is kept for groups
                    # too large to read whole.
                    if reader.metadata.row_group(group).num_rows <= read_rows:
                        yield from reader.read_row_group(group, columns=columns).to_batches()
                    else:
                        yield from reader.iter_batches(
                            batch_size=read_rows, row_groups=[group], columns=columns
                        )
            except (OSError, pa.ArrowException) as error:
                raise unreadable(shard.path, error) from None

    def _fill(self) -> bool:
        """Read one more record batch; False at the end of the table."""
        batch = None if self._exhausted else next(self._batches, None)
        if batch is None:
            self._exhausted = True
            return False
        self._running = self._runs.append(batch, self._running)
        return True

    @property
    def handed(self) -> int:
        """Rows handed out so far: the next batch's first row in the whole table."""
        return self._runs.handed

    @property
    def done(self) -> bool:
        return self._exhausted and self._runs.rows == 0

    def take_articles(self, count: int) -> tuple[pa.Table, list[OrderBreak], ArticleKey | None]:
        """The next ``count`` runs (articles; an article's rows are never split) and the
        largest key among them and before."""
        while len(self._runs.starts) <= count and self._fill():
            pass
        runs = min(count, len(self._runs.starts))
        last = self._runs.maxima[runs - 1] if runs else None
        taken, breaks = self._runs.cut(runs)
        return taken, breaks, last

    def take_through(
        self, last: ArticleKey | None, limit: int | None = None
    ) -> tuple[pa.Table, list[OrderBreak]]:
        """The rows up to the first whose running maximum passes ``last`` (with ``last``
        None: all rows, or at least ``limit`` rows, cut between runs)."""
        while True:
            within = next(
                (
                    index
                    for index, maximum in enumerate(self._runs.maxima)
                    if last is not None and maximum is not None and maximum > last
                ),
                None,
            )
            if within is not None or (limit is not None and self._runs.rows >= limit):
                break
            if not self._fill():
                break
        runs = len(self._runs.starts) if within is None else within
        if limit is not None:
            runs = next((i for i, start in enumerate(self._runs.starts) if start >= limit), runs)
        return self._runs.cut(runs)


def article_batches(
    files: DatasetFiles,
    tables: tuple[str, ...],
    batch_articles: int,
    schema: Schema,
    columns: tuple[str, ...] | None = None,
) -> Iterator[Batch]:
    """The article tables among ``tables`` (the articles table first) in batches of
    ``batch_articles`` articles; rows after the last article come in batches of their own.
    ``columns``: the columns read (default all)."""
    streams = {
        name: TableStream(
            schema.arrow_schema(name),
            files.shards[name],
            batch_articles if name == "articles" else READ_ROWS,
            columns,
            spec=schema,
        )
        for name in ARTICLE_TABLES
        if name in tables
    }
    driver = streams["articles"]
    number = 0
    while not driver.done:
        first = {name: stream.handed for name, stream in streams.items()}
        articles, breaks, last = driver.take_articles(batch_articles)
        batch = Batch(number, {"articles": articles}, {"articles": breaks}, first)
        for name, stream in streams.items():
            if name != "articles":
                limit = TAIL_ROWS if last is None else None
                batch.tables[name], batch.breaks[name] = stream.take_through(last, limit)
        number += 1
        yield batch
    while not all(stream.done for stream in streams.values()):
        first = {name: stream.handed for name, stream in streams.items()}
        batch = Batch(number, {"articles": driver.take_through(None)[0]}, {"articles": []}, first)
        for name, stream in streams.items():
            if name != "articles":
                batch.tables[name], batch.breaks[name] = stream.take_through(None, TAIL_ROWS)
        number += 1
        yield batch


def read_rows(files: DatasetFiles, schema: Schema, table: str, first: int, count: int) -> pa.Table:
    """Rows ``first`` to ``first + count`` of a table over all its shards, every column, as
    ``article_batches`` hands them out: a ``--jobs`` worker reads its own batch."""
    arrow = schema.arrow_schema(table)
    parts = [arrow.empty_table()]
    at = 0
    for shard in files.shards[table]:
        try:
            reader = pq.ParquetFile(shard.path)
            for group in range(reader.num_row_groups):
                rows = reader.metadata.row_group(group).num_rows
                if at + rows > first and at < first + count:
                    found = reader.read_row_group(group, columns=arrow.names)
                    skip = max(first - at, 0)
                    parts.append(found.slice(skip, first + count - at - skip))
                at += rows
        except (OSError, pa.ArrowException) as error:
            raise unreadable(shard.path, error) from None
        if at >= first + count:
            break
    # Shards may differ in what they declare nullable, as in TableStream.
    return pa.concat_tables(parts, promote_options="permissive")
