"""Validate a built dataset folder: every check of the registry, level by level, batch by
batch.

The shards' own schemas are judged first (a table whose files do not have the schema's
columns and types is not read at all). Then the articles are read in batches with their
spans and lines (``validation.stream``), and each batch goes through the levels: Great
Expectations runs the column rules of a level on the rows still judged, DuckDB the SQL
rules, Python the rest; rows failing a level are left out of the levels above. The
techniques table is one batch of its own. Last come the checks on the whole release.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dataset.project import dataset_version
from dataset.schema import TABLE_NAMES, schema
from validation import failures as made
from validation.allowlist import AllowlistEntry
from validation.checks import Check, Level, ReleaseFacts, catalogue, up_to
from validation.duck import SqlRunner
from validation.expectations import Expect
from validation.failures import Failures, row_keys
from validation.files import DatasetFiles, open_dataset, unreadable
from validation.gx import ExpectationRunner, Outcome, frame
from validation.memory import use_returning_pool
from validation.report import Report
from validation.sql import DERIVED, Query
from validation.stream import ARTICLE_TABLES, DEFAULT_BATCH_ARTICLES, OrderBreak, article_batches
from validation.tally import Tally

#: Levels whose checks judge the rows of a batch.
ROW_LEVELS = (Level.SCHEMA, Level.KEYS, Level.CONTENT)
#: Articles the SQL rules see at a time: their joins hold the articles' text and lines in
#: DuckDB's memory, which stays within its limit at this size.
SQL_ARTICLES = 5_000


class Clock:
    """Wall-clock and processor seconds per phase (processor time counts every thread,
    DuckDB's included)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        began, used = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - began
            self.cpu[phase] = self.cpu.get(phase, 0.0) + time.process_time() - used


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


class BatchValidator:
    """Runs the row checks, level by level, on each batch."""

    def __init__(
        self, checks: Sequence[Check], tally: Tally, files: DatasetFiles, clock: Clock
    ) -> None:
        self.checks = checks
        self.tally = tally
        self.files = files
        self.clock = clock
        with clock("start-up"):
            self.expectations = ExpectationRunner()
            self.sql = SqlRunner()

    def close(self) -> None:
        self.sql.close()

    def validate(self, tables: dict[str, pa.Table], breaks: dict[str, list[OrderBreak]]) -> None:
        rows = Rows(
            tables,
            {name: row_keys(name, data) for name, data in tables.items()},
            {name: np.ones(data.num_rows, dtype=bool) for name, data in tables.items()},
        )
        parts = _sql_chunks(tables)
        for level in ROW_LEVELS:
            if level > Level.SCHEMA:
                _leave_out_dependents(tables, rows.judged)
            checks = [
                c
                for c in self.checks
                if c.level == level and (c.kind != "python" or c.scope in ("rows", "stream"))
            ]
            for check in checks:
                for name in set(check.tables) & set(tables):
                    self.tally.not_judged(check, name, int((~rows.judged[name]).sum()))
            failed = Failed(rows)
            self._order(checks, rows, breaks, failed)
            with self.clock("expectations"):
                self._expectations(checks, rows, failed)
            with self.clock("sql"):
                for at in parts:
                    self._sql(checks, rows.part(at), failed.part(at))
            with self.clock("python"):
                self._python(checks, rows, failed)
            for name in tables:
                rows.judged[name] &= ~failed.rows[name]

    def _order(
        self,
        checks: list[Check],
        rows: Rows,
        breaks: dict[str, list[OrderBreak]],
        failed: Failed,
    ) -> None:
        for check in checks:
            if check.kind == "python" and check.scope == "stream":
                for name in set(check.tables) & set(rows.tables):
                    data, keys = rows.tables[name], rows.keys[name]
                    found = _order_failures(name, data, keys, breaks.get(name, []))
                    failed.mark(name, self.tally.add(check, found, keys))

    def _python(self, checks: list[Check], rows: Rows, failed: Failed) -> None:
        for check in checks:
            if check.kind == "python" and check.scope == "rows":
                for name in set(check.tables) & set(rows.tables):
                    judged = np.flatnonzero(rows.judged[name])
                    if len(judged):
                        data, keys = rows.tables[name], rows.keys[name]
                        found = check.code(name, data, keys, judged)
                        failed.mark(name, self.tally.add(check, found, keys))

    def _expectations(self, checks: list[Check], rows: Rows, failed: Failed) -> None:
        for name, data in rows.tables.items():
            judged = np.flatnonzero(rows.judged[name])
            owners: list[tuple[Check, Expect]] = [
                (check, spec)
                for check in checks
                if check.kind == "expectations" and name in check.tables
                for spec in check.code(schema().tables[name])
            ]
            if not owners or not len(judged):
                continue
            specs = [spec for _, spec in owners]
            outcomes = self.expectations.run(frame(data, judged, specs), specs)
            for (check, _), outcome in zip(owners, outcomes, strict=True):
                if outcome.error is not None:
                    self.tally.error(check, f"{name}: {outcome.spec.type}: {outcome.error}")
                    continue
                found = _outcome_failures(name, data, rows.keys[name], outcome)
                failed.mark(name, self.tally.add(check, found, rows.keys[name]))

    def _sql(self, checks: list[Check], rows: Rows, failed: Failed) -> None:
        tables, judged = rows.tables, rows.judged
        derived: dict[str, pa.Table] = {}

        def relation(name: str) -> pa.Table:
            """A table's judged rows, or a derived relation computed from them once."""
            if name not in DERIVED:
                return _only(tables[name], judged[name])
            if name not in derived:
                sql, sources = DERIVED[name]
                derived[name] = self.sql.run(sql, {t: relation(t) for t in sources})
            return derived[name]

        def sources(name: str) -> tuple[str, ...]:
            return DERIVED[name][1] if name in DERIVED else (name,)

        for check in checks:
            if check.kind != "sql":
                continue
            for name in check.tables:
                if name not in tables or not judged[name].any():
                    continue
                query: Query | None = check.code(schema().tables[name])
                if query is None or any(self.files.rows(t) == 0 for t in query.needs_rows):
                    continue
                read = tuple(t for other in query.reads for t in sources(other))
                if any(t not in tables for t in read):
                    self.tally.not_judged(check, name, int(judged[name].sum()))
                    continue
                usable = judged[name] & ~_depending_on_unjudged(name, read, tables, judged)
                self.tally.not_judged(check, name, int((judged[name] & ~usable).sum()))
                used = {name: _only(tables[name], usable)}
                used.update((t, relation(t)) for t in query.reads if t != name)
                result = self.sql.run(query.sql, used)
                found = made.from_rows(name, result, rows.keys[name])
                failed.mark(name, self.tally.add(check, found, rows.keys[name]))


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


def _read_whole(files: DatasetFiles, table: str) -> pa.Table:
    parts = []
    for shard in files.shards[table]:
        try:
            parts.append(pq.read_table(shard.path, columns=schema().tables[table].column_names))
        except (OSError, pa.ArrowException) as error:
            raise unreadable(shard.path, error) from None
    return pa.concat_tables(parts)


def judge_files(checks: Sequence[Check], tally: Tally, files: DatasetFiles) -> set[str]:
    """The level-1 checks on each shard's footer and on the folder's list of shards; the
    tables failing the footer checks are not read. Both engines start with it."""
    broken: set[str] = set()
    for check in checks:
        if check.kind == "python" and check.scope == "folder":
            tally.add(check, made.listed("files", check.code(files)))
        if check.kind == "python" and check.scope == "files":
            for name in check.tables:
                for shard in files.shards[name]:
                    found = made.listed(name, check.code(shard))
                    tally.add(check, found)
                    if found.count:
                        broken.add(name)
    for name in broken:
        for check in checks:
            if name in check.tables and check.scope != "files":
                tally.not_judged(check, name, files.rows(name))
    return broken


def validate_dataset(
    folder: Path,
    *,
    allowlist: Sequence[AllowlistEntry] = (),
    previous: Path | None = None,
    batch_articles: int = DEFAULT_BATCH_ARTICLES,
    manifest: Path | None = None,
    level: Level = Level.RELEASE,
) -> Report:
    """Run every check of the registry up to ``level`` on a built dataset folder (its shards
    judged by ``manifest`` when given, else by the list the folder carries). Arrow's pool
    becomes one that returns freed batches' memory (``validation.memory``), since the run
    streams."""
    use_returning_pool()
    clock = Clock()
    began, used = time.perf_counter(), time.process_time()
    with clock("files"):
        files = open_dataset(folder)
        files.manifest = manifest
    listed = catalogue()
    checks = up_to(level, listed)
    tally = Tally(listed, allowlist, checks)
    broken = judge_files(checks, tally, files)
    validator = BatchValidator(checks, tally, files, clock)
    batches = 0
    try:
        if "articles" not in broken:
            readable = tuple(name for name in ARTICLE_TABLES if name not in broken)
            stream = article_batches(files, readable, batch_articles)
            while True:
                with clock("read"):
                    batch = next(stream, None)
                if batch is None:
                    break
                validator.validate(batch.tables, batch.breaks)
                batches += 1
                del batch
                # Hand the batch's memory back, so the next one does not stack on it.
                pa.default_memory_pool().release_unused()
        else:
            for name in ARTICLE_TABLES:
                for check in checks:
                    if name in check.tables and check.scope != "files" and name not in broken:
                        tally.not_judged(check, name, files.rows(name))
        techniques = None
        if "techniques" not in broken:
            with clock("read"):
                techniques = _read_whole(files, "techniques")
            validator.validate({"techniques": techniques}, {})
            batches += 1
    finally:
        validator.close()
    facts = ReleaseFacts(techniques, previous, tally.allowlist, tally.matched)
    for check in checks:
        if check.scope == "release":
            result = check.code(facts)
            if result is not None:
                tally.add(check, result)
    clock.seconds["total"] = time.perf_counter() - began
    clock.cpu["total"] = time.process_time() - used
    return Report(
        folder=folder,
        version=dataset_version(),
        previous_release=previous,
        checks=list(tally.results.values()),
        rows={name: files.rows(name) for name in TABLE_NAMES},
        seconds={phase: round(value, 3) for phase, value in clock.seconds.items()},
        cpu_seconds={phase: round(value, 3) for phase, value in clock.cpu.items()},
        batches=batches,
        stopped_after=stopped_after(level),
    )


def stopped_after(level: Level) -> int | None:
    """What a report says of a run up to ``level``: None when every level ran."""
    return None if level == max(Level) else int(level)
