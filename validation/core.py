"""One validation run, whatever engine judges the rows: the levels, the rows left out after
a lower level fails, the exact tallies, the allowlist, the checks on the whole release, the
report and its timings are written here once.

An engine (``validation.run.DefaultEngine``: Great Expectations, DuckDB and Python on this
machine, batch by batch; ``validation.spark.engine.SparkEngine``: whole tables on Spark)
implements only what differs: opening the dataset, handing out its rows as batches, and,
on the rows of a batch still judged, running a level's expectations, SQL rules and Python
rules and keeping the failing rows out of the levels above (``Batch``). Which check runs
where is decided here, by its class (``validation.checks``), never by an engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from dataset.project import dataset_version
from validation import failures as made
from validation.checks import (
    ROW_CHECKS,
    Check,
    ColumnCheck,
    FolderCheck,
    Level,
    OrderCheck,
    ReleaseCheck,
    ReleaseFacts,
    RowCheck,
    ShardCheck,
    SqlCheck,
    catalogue,
    up_to,
)
from validation.report import Report
from validation.sql import DERIVED, Query
from validation.stream import ARTICLE_TABLES
from validation.tally import Tally

if TYPE_CHECKING:
    import pyarrow as pa

    from dataset.schema import Schema
    from validation.allowlist import AllowlistEntry
    from validation.expectations import Expect
    from validation.files import DatasetFiles

#: Levels whose checks judge the rows of a batch.
ROW_LEVELS = (Level.SCHEMA, Level.KEYS, Level.CONTENT)


class Clock:
    """Wall-clock and processor seconds per phase (processor time counts every thread,
    DuckDB's included)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        #: Processor seconds other processes (``--jobs`` workers) spent on the run.
        self.elsewhere = 0.0

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        began, used = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - began
            self.cpu[phase] = self.cpu.get(phase, 0.0) + time.process_time() - used


@dataclass
class Run:
    """What every part of one run shares: the schema, the checks it carries out, their
    tally, the dataset's files and the clock."""

    schema: Schema
    checks: Sequence[Check]
    tally: Tally
    files: DatasetFiles
    clock: Clock
    #: The highest level the run judges (``--level``).
    level: Level


@dataclass(frozen=True)
class SqlRule:
    """One SQL check's query on one table of a batch, and the tables it reads (derived
    relations replaced by the tables they are made of)."""

    check: SqlCheck
    table: str
    query: Query
    reads: tuple[str, ...]


class Batch(Protocol):
    """Rows an engine judges level by level: a batch of articles with their spans and lines
    (the default engine), or whole tables (Spark). The failing rows each method finds are
    counted in the run's tally and left out of the levels above when ``end_level`` runs."""

    @property
    def tables(self) -> Sequence[str]:
        """The tables the batch holds rows of."""
        ...

    def start_level(self, level: Level) -> dict[str, int]:
        """Leave out what the levels below failed (above level 1: also every row of an
        article whose row in the articles table failed); the rows of each table left out."""
        ...

    def judged(self, table: str) -> int:
        """Rows of ``table`` still judged at this level."""
        ...

    def order(self, check: OrderCheck, table: str) -> None: ...

    def expectations(self, table: str, owners: list[tuple[ColumnCheck, Expect]]) -> None: ...

    def sql(self, rules: list[SqlRule]) -> None:
        """The rules on the rows still judged; a row whose article has rows left out in a
        table the query reads is not judged by it (its verdict would rest on them)."""
        ...

    def python(self, check: RowCheck, table: str) -> None: ...

    def end_level(self) -> None: ...


class Engine(Protocol):
    """What differs between engines: where the rows are and what judges them."""

    def open(self, location: str | Path, schema: Schema, clock: Clock) -> DatasetFiles:
        """Find the shards and read their footers (timed under ``clock``)."""
        ...

    def batches(self, run: Run, tables: tuple[str, ...]) -> Iterator[Batch]:
        """The rows of ``tables`` (none failed level 1's shard checks), batch by batch."""
        ...

    def techniques(self) -> pa.Table | None:
        """The techniques table the batches held, for the checks on the release."""
        ...

    def finish(self, clock: Clock) -> None:
        """Release what the run held; add the engine's own processor time to ``clock``."""
        ...


@runtime_checkable
class JudgingEngine(Engine, Protocol):
    """An engine that judges its batches itself (the default engine, in worker processes
    with ``--jobs``), adding their verdicts to the run's tally in batch order."""

    def judge(self, run: Run, tables: tuple[str, ...]) -> int:
        """Judge every batch of ``tables``; the number of batches."""
        ...


def judge_batches(engine: Engine, run: Run, tables: tuple[str, ...]) -> int:
    """Judge every batch of ``tables`` in this process; the number of batches."""
    count = 0
    for batch in engine.batches(run, tables):
        judge_levels(batch, run)
        count += 1
        del batch
    return count


def judge_files(
    checks: Sequence[Check], tally: Tally, files: DatasetFiles, schema: Schema
) -> set[str]:
    """The level-1 checks on each shard's footer (against ``schema``) and on the folder's
    list of shards; the tables failing the footer checks are not read."""
    broken: set[str] = set()
    for check in checks:
        if isinstance(check, FolderCheck):
            tally.add(check, made.listed("files", check.code(files)))
        if isinstance(check, ShardCheck):
            for name in check.tables:
                for shard in files.shards[name]:
                    found = made.listed(name, check.code(shard, schema))
                    tally.add(check, found)
                    if found.count:
                        broken.add(name)
    for name in broken:
        _not_judged(checks, tally, name, files.rows(name))
    return broken


def _not_judged(checks: Sequence[Check], tally: Tally, table: str, rows: int) -> None:
    """Rows of ``table`` no check above its shard checks judges."""
    for check in checks:
        if table in check.tables and not isinstance(check, ShardCheck):
            tally.not_judged(check, table, rows)


def readable_tables(run: Run, broken: set[str]) -> tuple[str, ...]:
    """The tables whose rows are read: not those failing their shard checks, and none of
    an article's tables when the articles table does."""
    if "articles" not in broken:
        return tuple(name for name in run.schema.table_names if name not in broken)
    for name in ARTICLE_TABLES:
        if name not in broken:
            _not_judged(run.checks, run.tally, name, run.files.rows(name))
    return tuple(
        name for name in run.schema.table_names if name not in broken and name not in ARTICLE_TABLES
    )


def judge_levels(batch: Batch, run: Run) -> None:
    """Each level's row checks on the rows the levels below left judged."""
    for level in ROW_LEVELS:
        if level > run.level:
            break
        checks = [c for c in run.checks if c.level == level and isinstance(c, ROW_CHECKS)]
        for name, skipped in batch.start_level(level).items():
            for check in checks:
                if name in check.tables:
                    run.tally.not_judged(check, name, skipped)
        for check in checks:
            if isinstance(check, OrderCheck):
                for name in _judging(check, batch):
                    batch.order(check, name)
        with run.clock("expectations"):
            _expectations(checks, batch, run)
        with run.clock("sql"):
            batch.sql(list(_sql_rules(checks, batch, run)))
        with run.clock("python"):
            _python(checks, batch)
        batch.end_level()


def _expectations(checks: Sequence[Check], batch: Batch, run: Run) -> None:
    """Each table's expectations of the level, in one run per table."""
    for name in batch.tables:
        owners = [
            (check, spec)
            for check in checks
            if isinstance(check, ColumnCheck) and name in check.tables
            for spec in check.code(run.schema.tables[name], run.schema)
        ]
        if owners and batch.judged(name):
            batch.expectations(name, owners)


def _python(checks: Sequence[Check], batch: Batch) -> None:
    for check in checks:
        if isinstance(check, RowCheck):
            for name in _judging(check, batch):
                if batch.judged(name):
                    batch.python(check, name)


def _judging(check: Check, batch: Batch) -> list[str]:
    return [name for name in check.tables if name in batch.tables]


def sources(name: str) -> tuple[str, ...]:
    """The tables a relation a query reads is made of."""
    return DERIVED[name][1] if name in DERIVED else (name,)


def _sql_rules(checks: Sequence[Check], batch: Batch, run: Run) -> Iterator[SqlRule]:
    """The SQL rules that judge rows of this batch: none on a table with no rows judged,
    none that needs rows of a table the dataset has none of; the rows of a rule that reads
    a table the batch lacks are not judged."""
    for check in checks:
        if not isinstance(check, SqlCheck):
            continue
        for name in _judging(check, batch):
            judged = batch.judged(name)
            query: Query | None = check.code(run.schema.tables[name]) if judged else None
            if query is None or any(run.files.rows(t) == 0 for t in query.needs_rows):
                continue
            read = tuple(t for other in query.reads for t in sources(other))
            if any(t not in batch.tables for t in read):
                run.tally.not_judged(check, name, judged)
                continue
            yield SqlRule(check, name, query, read)


def validate(
    engine: Engine,
    location: str | Path,
    *,
    schema: Schema,
    allowlist: Sequence[AllowlistEntry] = (),
    previous: Path | None = None,
    manifest: Path | None = None,
    level: Level = Level.RELEASE,
) -> Report:
    """Run every check of the registry up to ``level`` on the dataset at ``location`` (its
    shards judged by ``manifest`` when given, else by the list the folder carries)."""
    clock = Clock()
    began, used = time.perf_counter(), time.process_time()
    files = engine.open(location, schema, clock)
    files.manifest = manifest
    listed = catalogue(schema)
    checks = up_to(level, listed)
    run = Run(schema, checks, Tally(listed, allowlist, checks), files, clock, level)
    try:
        readable = readable_tables(run, judge_files(checks, run.tally, files, schema))
        if isinstance(engine, JudgingEngine):
            batches = engine.judge(run, readable)
        else:
            batches = judge_batches(engine, run, readable)
        techniques = engine.techniques()
    finally:
        engine.finish(clock)
    facts = ReleaseFacts(techniques, previous, run.tally.allowlist, run.tally.matched)
    for check in checks:
        if isinstance(check, ReleaseCheck):
            result = check.code(facts)
            if result is not None:
                run.tally.add(check, result)
    clock.seconds["total"] = time.perf_counter() - began
    clock.cpu["total"] = time.process_time() - used + clock.elsewhere
    return Report(
        folder=Path(location),
        version=dataset_version(),
        previous_release=previous,
        checks=list(run.tally.results.values()),
        rows={name: files.rows(name) for name in schema.table_names},
        seconds={phase: round(value, 3) for phase, value in clock.seconds.items()},
        cpu_seconds={phase: round(value, 3) for phase, value in clock.cpu.items()},
        batches=batches,
        stopped_after=stopped_after(level),
    )


def stopped_after(level: Level) -> int | None:
    """What a report says of a run up to ``level``: None when every level ran."""
    return None if level == max(Level) else int(level)
