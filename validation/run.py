"""The default engine: a local folder, judged on this machine, batch by batch.

The articles are read in batches with their spans and lines (``validation.stream``); on
each batch, Great Expectations runs a level's column rules on the rows still judged, DuckDB
the SQL rules, Python the rest. The techniques table is one batch of its own. The run
itself (levels, rows left out, tallies, the release checks, the report) is
``validation.core``'s, as on Spark.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dataset.schema import Schema, load_schema
from validation import failures as made
from validation.allowlist import AllowlistEntry
from validation.checks import Check, ColumnCheck, Level, OrderCheck, RowCheck
from validation.core import Clock, Run, SqlRule, judge_batches, validate
from validation.duck import SqlRunner
from validation.expectations import Expect
from validation.failures import Failures, row_keys
from validation.files import DatasetFiles, open_dataset, unreadable
from validation.gx import ExpectationRunner, Outcome, expectations_runner, frame
from validation.memory import use_returning_pool
from validation.report import Report
from validation.sql import DERIVED
from validation.stream import ARTICLE_TABLES, DEFAULT_BATCH_ARTICLES, OrderBreak, article_batches

#: Rows out of article order, per table of a batch.
Breaks = dict[str, list[OrderBreak]]
#: Articles the SQL rules see at a time: their joins hold the articles' text and lines in
#: DuckDB's memory, which stays within its limit at this size.
SQL_ARTICLES = 5_000


def _order_failures(
    table: str, data: pa.Table, keys: pa.Array, breaks: list[OrderBreak]
) -> Failures:
    positions = np.concatenate(
        [np.arange(b.rows.start, b.rows.stop, dtype=np.int64) for b in breaks]
        or [np.zeros(0, dtype=np.int64)]
    )

    def found(position: int) -> str:
        hit = next(b for b in breaks if position in b.rows)
        return f"a row of article {hit.article_id} after article {hit.after}"

    return made.at_positions(
        table, data, keys, positions, found=found, expected=lambda _: "rows in article order"
    )


def _outcome_failures(table: str, data: pa.Table, keys: pa.Array, outcome: Outcome) -> Failures:
    spec = outcome.spec
    if not spec.per_row:
        return made.listed(
            table,
            [made.Violation(table, table, f"{outcome.observed!r}", spec.expected)]
            if not outcome.success
            else [],
        )
    columns = [data.column(name) for name in spec.columns]

    def found(position: int) -> str:
        return ", ".join(
            f"{name}={column[position].as_py()!r}"
            for name, column in zip(spec.columns, columns, strict=True)
        )

    return made.at_positions(
        table, data, keys, outcome.positions, found=found, expected=lambda _: spec.expected
    )


@dataclass
class Rows:
    """A batch's tables (or a part of them) and, per table, the row keys and which rows are
    still judged."""

    tables: dict[str, pa.Table]
    keys: dict[str, pa.Array]
    judged: dict[str, np.ndarray]

    def part(self, at: dict[str, np.ndarray]) -> Rows:
        return Rows(
            {name: _part(self.tables[name], rows) for name, rows in at.items()},
            {name: _part(self.keys[name], rows) for name, rows in at.items()},
            {name: self.judged[name][rows] for name, rows in at.items()},
        )


class Failed:
    """The rows failing the current level, by table, in batch positions."""

    def __init__(self, rows: Rows, at: dict[str, np.ndarray] | None = None) -> None:
        self.at = at
        self.rows: dict[str, np.ndarray] = (
            {name: np.zeros(data.num_rows, dtype=bool) for name, data in rows.tables.items()}
            if at is None
            else {}
        )

    def part(self, at: dict[str, np.ndarray]) -> Failed:
        """The same marks, for rows given in positions of a part of the batch."""
        view = Failed.__new__(Failed)
        view.at, view.rows = at, self.rows
        return view

    def mark(self, name: str, positions: np.ndarray | None) -> None:
        if positions is not None and len(positions):
            self.rows[name][positions if self.at is None else self.at[name][positions]] = True


class ArrowBatch:
    """A batch's tables on this machine, and which rows are still judged (``core.Batch``):
    Great Expectations on pandas frames, DuckDB on Arrow tables, Python on Arrow."""

    def __init__(self, run: Run, tools: Tools, tables: dict[str, pa.Table], breaks: Breaks) -> None:
        self.run, self.tools, self.breaks = run, tools, breaks
        self.tables = list(tables)
        self.rows = Rows(
            tables,
            {name: row_keys(run.schema.tables[name], data) for name, data in tables.items()},
            {name: np.ones(data.num_rows, dtype=bool) for name, data in tables.items()},
        )
        self.parts = _sql_chunks(tables)
        self.failed = Failed(self.rows)

    def start_level(self, level: Level) -> dict[str, int]:
        if level > Level.SCHEMA:
            _leave_out_dependents(self.rows.tables, self.rows.judged)
        self.failed = Failed(self.rows)
        return {name: int((~judged).sum()) for name, judged in self.rows.judged.items()}

    def judged(self, table: str) -> int:
        return int(self.rows.judged[table].sum())

    def _mark(self, check: Check, table: str, found: Failures, failed: Failed) -> None:
        failed.mark(table, self.run.tally.add(check, found, self.rows.keys[table]))

    def order(self, check: OrderCheck, table: str) -> None:
        data, keys = self.rows.tables[table], self.rows.keys[table]
        found = _order_failures(table, data, keys, self.breaks.get(table, []))
        self._mark(check, table, found, self.failed)

    def expectations(self, table: str, owners: list[tuple[ColumnCheck, Expect]]) -> None:
        data, judged = self.rows.tables[table], np.flatnonzero(self.rows.judged[table])
        specs = [spec for _, spec in owners]
        outcomes = self.tools.expectations.run(frame(data, judged, specs), specs)
        for (check, _), outcome in zip(owners, outcomes, strict=True):
            if outcome.error is not None:
                self.run.tally.error(check, f"{table}: {outcome.spec.type}: {outcome.error}")
                continue
            found = _outcome_failures(table, data, self.rows.keys[table], outcome)
            self._mark(check, table, found, self.failed)

    def python(self, check: RowCheck, table: str) -> None:
        judged = np.flatnonzero(self.rows.judged[table])
        data, keys = self.rows.tables[table], self.rows.keys[table]
        self._mark(check, table, check.code(table, data, keys, judged), self.failed)

    def sql(self, rules: list[SqlRule]) -> None:
        for at in self.parts:
            self._sql(rules, self.rows.part(at), self.failed.part(at))

    def _sql(self, rules: list[SqlRule], rows: Rows, failed: Failed) -> None:
        """The rules on one part of the batch (``SQL_ARTICLES`` articles at most)."""
        tables, judged = rows.tables, rows.judged
        derived: dict[str, pa.Table] = {}

        def relation(name: str) -> pa.Table:
            """A table's judged rows, or a derived relation computed from them once."""
            if name not in DERIVED:
                return _only(tables[name], judged[name])
            if name not in derived:
                sql, made_of = DERIVED[name]
                derived[name] = self.tools.sql.run(sql, {t: relation(t) for t in made_of})
            return derived[name]

        for rule in rules:
            name = rule.table
            if not judged[name].any():
                continue
            usable = judged[name] & ~_depending_on_unjudged(name, rule.reads, tables, judged)
            self.run.tally.not_judged(rule.check, name, int((judged[name] & ~usable).sum()))
            used = {name: _only(tables[name], usable)}
            used.update((t, relation(t)) for t in rule.query.reads if t != name)
            result = self.tools.sql.run(rule.query.sql, used)
            self._mark(rule.check, name, made.from_rows(name, result, rows.keys[name]), failed)

    def end_level(self) -> None:
        for name in self.rows.judged:
            self.rows.judged[name] &= ~self.failed.rows[name]


@dataclass
class Read:
    """A batch as read: its tables, the rows out of article order and, per article table,
    the batch's first row in the whole table."""

    tables: dict[str, pa.Table]
    breaks: Breaks
    first_rows: dict[str, int]


@dataclass
class Tools:
    """What judges the rows on this machine, started once per run."""

    expectations: ExpectationRunner
    sql: SqlRunner


class DefaultEngine:
    """The default engine (``core.Engine``): a local folder, read in batches of articles
    (``validation.stream``) and judged on this machine, in ``jobs`` worker processes
    (``validation.parallel``; default the smaller of the cores and the article batches) or,
    with one job, in this process."""

    def __init__(self, batch_articles: int | None = None, jobs: int | None = None) -> None:
        self.chosen_batch, self.jobs = batch_articles, jobs
        self._techniques: pa.Table | None = None
        self._tools: Tools | None = None

    def open(self, location: str | Path, schema: Schema, clock: Clock) -> DatasetFiles:
        # Arrow's pool returns freed batches' memory (validation.memory): the run streams.
        use_returning_pool()
        with clock("files"):
            return open_dataset(Path(location), schema)

    def workers(self, files: DatasetFiles) -> int:
        """The processes that judge the batches: ``jobs``, else one per core, but no more
        than there are batches of articles."""
        if self.jobs is not None:
            return self.jobs
        from validation.parallel import cores

        batch = self.chosen_batch or DEFAULT_BATCH_ARTICLES
        return max(1, min(cores(), -(-files.rows("articles") // batch)))

    def batch_articles(self, jobs: int) -> int:
        """The articles of a batch: as chosen, else DEFAULT_BATCH_ARTICLES shared out among
        the jobs, so the batches in memory at once hold as many articles whatever their
        number (each worker holds one, with its own Great Expectations and DuckDB)."""
        return self.chosen_batch or max(1, DEFAULT_BATCH_ARTICLES // jobs)

    def judge(self, run: Run, tables: tuple[str, ...]) -> int:
        """Every batch judged (``core.JudgingEngine``); the number of batches."""
        jobs = self.workers(run.files)
        if jobs == 1:
            return judge_batches(self, run, tables)
        from validation.parallel import judge_in_workers

        return judge_in_workers(
            run, self._read(run, tables, self.batch_articles(jobs), ("article_id",)), jobs
        )

    def batches(self, run: Run, tables: tuple[str, ...]) -> Iterator[ArrowBatch]:
        with run.clock("start-up"):
            tools = self._tools = Tools(expectations_runner(), SqlRunner())
        for read in self._read(run, tables, self.batch_articles(1)):
            batch = ArrowBatch(run, tools, read.tables, read.breaks)
            del read
            yield batch
            # The batch goes before the next is read, so they do not stack up.
            del batch

    def _read(
        self, run: Run, tables: tuple[str, ...], size: int, columns: tuple[str, ...] | None = None
    ) -> Iterator[Read]:
        """Each batch of ``size`` articles: its tables (``columns`` of the article tables,
        default all), rows out of order and first rows; the techniques table last, whole."""
        articles = tuple(name for name in ARTICLE_TABLES if name in tables)
        if articles:
            stream = article_batches(run.files, articles, size, run.schema, columns)
            while True:
                with run.clock("read"):
                    batch = next(stream, None)
                if batch is None:
                    break
                read = Read(batch.tables, batch.breaks, batch.first_rows)
                del batch
                yield read
                del read
                # Hand the batch's memory back, so the next one does not stack on it.
                pa.default_memory_pool().release_unused()
        if "techniques" in tables:
            with run.clock("read"):
                self._techniques = _read_whole(run, "techniques")
            yield Read({"techniques": self._techniques}, {}, {})

    def techniques(self) -> pa.Table | None:
        return self._techniques

    def finish(self, clock: Clock) -> None:
        if self._tools is not None:
            self._tools.sql.close()


def _sql_chunks(tables: dict[str, pa.Table]) -> list[dict[str, np.ndarray]]:
    """The batch's rows in parts of at most SQL_ARTICLES articles each, with the rows of the
    other tables that belong to them (rows of articles not in the batch go with the last
    part). The SQL rules are article-local, so they give the same rows part by part, in the
    memory of one part."""
    articles = tables.get("articles")
    whole = {name: np.arange(data.num_rows) for name, data in tables.items()}
    if articles is None or articles.num_rows <= SQL_ARTICLES:
        return [whole]
    count = -(-articles.num_rows // SQL_ARTICLES)
    ids = articles.column("article_id")
    parts: list[dict[str, np.ndarray]] = [{} for _ in range(count)]
    for name, data in tables.items():
        if name == "articles":
            part = whole[name] // SQL_ARTICLES
        else:
            found = pc.index_in(data.column("article_id"), value_set=ids)
            at = np.asarray(pc.fill_null(found, articles.num_rows - 1).to_numpy(), dtype=np.int64)
            part = at // SQL_ARTICLES
        for index in range(count):
            parts[index][name] = np.flatnonzero(part == index)
    return parts


def _part(data: Any, rows: np.ndarray) -> Any:
    """Rows of a table or array: a zero-copy slice when they are consecutive."""
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
        return data.slice(int(rows[0]), len(rows))
    return data.take(pa.array(rows, type=pa.int64()))


def _only(data: pa.Table, rows: np.ndarray) -> pa.Table:
    """The rows still judged (the table itself when that is all of them)."""
    return data if rows.all() else data.filter(pa.array(rows))


def _unjudged_articles(data: pa.Table, judged: np.ndarray) -> pa.Array:
    left_out = data.column("article_id").filter(pa.array(~judged)).combine_chunks()
    return pc.drop_null(pc.unique(left_out))


def _in_articles(data: pa.Table, articles: pa.Array) -> np.ndarray:
    hit = pc.is_in(data.column("article_id"), value_set=articles)
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)


def _depending_on_unjudged(
    name: str, reads: tuple[str, ...], tables: dict[str, pa.Table], judged: dict[str, np.ndarray]
) -> np.ndarray:
    """Rows of ``name`` in an article some of whose rows in a table the query reads are not
    judged: the query's verdict on them would rest on rows that are left out."""
    depending = np.zeros(tables[name].num_rows, dtype=bool)
    if "article_id" not in tables[name].column_names:
        return depending
    for other in reads:
        if other != name and not judged[other].all():
            depending |= _in_articles(
                tables[name], _unjudged_articles(tables[other], judged[other])
            )
    return depending


def _leave_out_dependents(tables: dict[str, pa.Table], judged: dict[str, np.ndarray]) -> None:
    """Rows whose article failed a lower level are not judged either."""
    if "articles" in tables and not judged["articles"].all():
        gone = _unjudged_articles(tables["articles"], judged["articles"])
        for name in ("spans", "lines"):
            if name in tables:
                judged[name] &= ~_in_articles(tables[name], gone)


def _read_whole(run: Run, table: str) -> pa.Table:
    parts = []
    for shard in run.files.shards[table]:
        try:
            parts.append(pq.read_table(shard.path, columns=run.schema.tables[table].column_names))
        except (OSError, pa.ArrowException) as error:
            raise unreadable(shard.path, error) from None
    return pa.concat_tables(parts)


def validate_dataset(
    folder: Path,
    *,
    allowlist: Sequence[AllowlistEntry] = (),
    previous: Path | None = None,
    batch_articles: int | None = None,
    jobs: int | None = None,
    manifest: Path | None = None,
    level: Level = Level.RELEASE,
    schema: Schema | None = None,
) -> Report:
    """Run every check of the registry up to ``level`` on a built dataset folder, on this
    machine (``core.validate``); the schema is the project's unless one is given."""
    return validate(
        DefaultEngine(batch_articles, jobs),
        folder,
        schema=load_schema() if schema is None else schema,
        allowlist=allowlist,
        previous=previous,
        manifest=manifest,
        level=level,
    )
