"""The registry's checks on Apache Spark: the same checks, levels, counts and report as the
default engine, on whole tables that Spark reads and never the driver.

Spark reads the Parquet shards (a local folder, or any path Spark can read). Each level runs
on the rows still judged: the column rules are the same Great Expectations expectations, run
through Great Expectations' Spark datasource; the SQL rules are the same queries, translated
once to Spark SQL (``validation.spark.dialect``) and run by Great Expectations'
``UnexpectedRowsExpectation``; the Python rules are the same functions, run on Arrow batches
inside Spark's executors. What comes back to the driver is counts, the ids of failing rows
(so the levels above leave them out) and the first rows in detail, never the tables.

A row's identity is its shard's place in the table and its index in that shard, as Spark's
Parquet reader gives it; the row order of the default engine's ``schema-order`` check is
exactly that order, so it is judged the same way: Spark finds each shard's runs of rows of
one article, and the default engine's own ``order_breaks`` runs over them on the driver.

The report's ``cpu_seconds`` are, per phase, this Python process's (as on the default
engine), plus ``jvm-and-workers``: what the JVM this process started for Spark and its
Python workers used during the run (in local mode, every executor's work; on a cluster,
the driver's JVM only, since the executors' processes run elsewhere).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import psutil
import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.window import Window

from dataset.project import dataset_version
from dataset.schema import TABLE_NAMES, schema
from validation import failures as made
from validation.allowlist import AllowlistEntry
from validation.checks import Check, Level, ReleaseFacts, catalogue, up_to
from validation.expectations import NULL, PAIR_SEPARATOR, Expect, edge_name, pair_name
from validation.failures import Failures, Violation, shorten
from validation.files import DatasetFiles
from validation.report import Report
from validation.run import ROW_LEVELS, Clock, judge_files, stopped_after
from validation.spark.dialect import batch_query, derived_sql, java_regex, spark_sql
from validation.spark.executors import check_executors
from validation.spark.files import open_location
from validation.spark.session import LOCAL_MASTER, spark_session
from validation.sql import DERIVED
from validation.stream import ARTICLE_TABLES, article_key, order_breaks
from validation.tally import EXAMPLES_KEPT, Tally

#: A row's identity: its shard's place in the table, its index in the shard.
ROW_ID = ("_file", "_row")
#: The report's row key (the primary key as text), as the default engine spells it.
KEY = "_key"
#: Columns that say where a row points, when the table has them.
LOCATED = ("article_id", "start", "end")


@dataclass
class CountedFailures(Failures):
    """Failures counted by Spark: ``keys`` holds only those an allowlist entry of the check
    names (all the tally needs to tell allowed rows from blocking ones), ``total`` all."""

    total: int = 0

    @property
    def count(self) -> int:
        return self.total


@dataclass
class Found:
    """One check's failing rows in one table: the Spark rows failing it (their ids), how
    many, the allowlisted keys among them and the first rows in detail."""

    rows: DataFrame
    total: int
    examples: list[Violation]
    allowed_keys: list[str] = field(default_factory=list)

    def failures(self, table: str) -> CountedFailures:
        examples = self.examples
        return CountedFailures(
            table,
            pa.array(self.allowed_keys, type=pa.string()),
            None,
            lambda limit: examples[:limit],
            total=self.total,
        )


def row_key(table: str) -> Column:
    """The primary key as text, parts joined by ':' and nulls as 'null' (failures.row_keys)."""
    parts = [
        sf.coalesce(sf.col(name).cast("string"), sf.lit("null"))
        for name in schema().tables[table].primary_key
    ]
    return parts[0] if len(parts) == 1 else sf.concat_ws(":", *parts)


def read_table(spark: SparkSession, table: str, uris: list[str]) -> DataFrame:
    """The table's shards as one DataFrame with each row's id and key."""
    names = [PurePosixPath(uri).name for uri in uris]
    shards = spark.createDataFrame(
        list(zip(names, range(len(names)), strict=True)), "_name string, _file int"
    )
    frame = spark.read.parquet(*uris).select(
        *schema().tables[table].column_names,
        sf.col("_metadata.file_name").alias("_name"),
        sf.col("_metadata.row_index").alias("_row"),
    )
    return frame.join(sf.broadcast(shards), "_name").drop("_name").withColumn(KEY, row_key(table))


def with_spec_columns(frame: DataFrame, specs: Sequence[Expect]) -> DataFrame:
    """The columns specs read that the table does not hold, as ``validation.gx.frame``
    makes them: a pair of columns as one text, the first or last character of a text
    (Spark's substring counts code points, as pyarrow's utf8 slice does)."""
    for spec in specs:
        if spec.pair is not None:
            first, second = (
                sf.coalesce(sf.col(name).cast("string"), sf.lit(NULL)) for name in spec.pair
            )
            frame = frame.withColumn(
                pair_name(*spec.pair), sf.concat_ws(PAIR_SEPARATOR, first, second)
            )
        if spec.edge is not None:
            (column,) = spec.columns
            at = 1 if spec.edge == "first" else -1
            frame = frame.withColumn(
                edge_name(spec.edge, column), sf.substring(sf.col(column), at, 1)
            )
    return frame


def _located(frame: DataFrame) -> list[str]:
    return [name for name in LOCATED if name in frame.columns]


def _violation(table: str, row: dict[str, Any], found: str, expected: str) -> Violation:
    return Violation(
        table=table,
        row=str(row[KEY]),
        found=shorten(found),
        expected=shorten(expected),
        article_id=row.get("article_id"),
        start=row.get("start"),
        end=row.get("end"),
    )


class Engine:
    """Runs the row checks of every level on the tables Spark reads."""

    def __init__(
        self, spark: SparkSession, checks: Sequence[Check], tally: Tally, files: DatasetFiles
    ) -> None:
        import os

        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.spark = spark
        self.checks = checks
        self.tally = tally
        self.files = files
        self._gx = gx
        self._classes: Any = gxe
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        # The engine caches what it reads itself; Great Expectations would persist every
        # batch it is handed and never release it.
        source = context.data_sources.add_spark("propaganda-spans", persist=False)
        self._batches = source.add_dataframe_asset("rows").add_batch_definition_whole_dataframe(
            "rows"
        )
        self._accepted: dict[str, list[str]] = {}
        for entry in tally.allowlist:
            self._accepted.setdefault(entry.check, []).append(entry.row)

    # -- running Great Expectations -------------------------------------------------------

    def _validate(
        self, frame: DataFrame, expectations: list[Any], index: list[str] | None = None
    ) -> list[Any]:
        """Great Expectations' results for ``expectations`` on ``frame``. With ``index``:
        every unexpected row, named by those columns. Without: the verdicts and counts only,
        which Great Expectations computes for all map expectations in one aggregation."""
        from great_expectations.validator.v1_validator import Validator

        result_format: dict[str, Any] = {"result_format": "BASIC", "partial_unexpected_count": 0}
        if index is not None:
            result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": index}
        validator = Validator(
            batch_definition=self._batches,
            batch_parameters={"dataframe": frame},
            result_format=result_format,
        )
        suite = self._gx.ExpectationSuite(name="rows", expectations=expectations)
        return list(validator.validate_expectation_suite(suite).results)

    def _accept(self, check: Check, table: str, found: Found) -> DataFrame | None:
        """Count ``found`` under ``check``; the ids of the failing rows no allowlist entry
        accepts (the levels above leave them out), or None when there are none."""
        accepted = self._accepted.get(check.id, [])
        rows = found.rows
        if found.total and accepted:
            found.allowed_keys = [
                row[KEY] for row in rows.filter(sf.col(KEY).isin(accepted)).select(KEY).collect()
            ]
            rows = rows.filter(~sf.col(KEY).isin(accepted))
        self.tally.add(check, found.failures(table))
        if found.total == len(found.allowed_keys):
            return None
        return rows.select(*ROW_ID)

    def expectations(
        self, level_checks: list[Check], table: str, frame: DataFrame
    ) -> Iterator[DataFrame | None]:
        owners = [
            (check, spec)
            for check in level_checks
            if check.kind == "expectations" and table in check.tables
            for spec in check.code(schema().tables[table])
        ]
        if not owners:
            return
        frame = with_spec_columns(frame, [spec for _, spec in owners])
        expectations = []
        for number, (_, spec) in enumerate(owners):
            kwargs = dict(spec.kwargs)
            if "regex" in kwargs:
                kwargs["regex"] = java_regex(kwargs["regex"])
            expectations.append(getattr(self._classes, spec.type)(**kwargs, meta={"spec": number}))
        # Valid data is the common case: one pass says which expectations fail, and only
        # those run again to name every failing row.
        failing = [
            int(item.expectation_config.meta["spec"])
            for item in self._validate(frame, expectations)
            if not item.success
        ]
        failed = [expectations[number] for number in failing]
        if not failed:
            for check, _ in owners:
                self.tally.ran(check)
            return
        for check, _ in owners:
            self.tally.ran(check)
        # The rows are named by their ids and by the columns the report shows for them.
        index = [*ROW_ID, KEY, *_located(frame)]
        index += sorted(
            {
                column
                for number in failing
                for column in owners[number][1].columns
                if column not in index
            }
        )
        for item in self._validate(frame, failed, index):
            config = item.expectation_config
            assert config is not None, "every result comes from one of our expectations"
            check, spec = owners[int(config.meta["spec"])]
            details = item.result or {}
            if item.exception_info and item.exception_info.get("raised_exception"):
                message = item.exception_info.get("exception_message")
                self.tally.error(check, f"{table}: {spec.type}: {message}")
                continue
            if not spec.per_row:
                found = (
                    []
                    if item.success
                    else [
                        Violation(table, table, f"{details.get('observed_value')!r}", spec.expected)
                    ]
                )
                self.tally.add(check, made.listed(table, found))
                continue
            unexpected: list[dict[str, Any]] = list(details.get("unexpected_index_list") or [])
            count = int(details.get("unexpected_count") or 0)
            if count != len(unexpected):
                raise RuntimeError(
                    f"{spec.type} on {spec.columns}: Great Expectations counted {count} "
                    f"unexpected rows but listed {len(unexpected)}"
                )
            examples = [
                _violation(
                    table,
                    row,
                    ", ".join(f"{name}={row[name]!r}" for name in spec.columns),
                    spec.expected,
                )
                for row in unexpected[:EXAMPLES_KEPT]
            ]
            ids = self.spark.createDataFrame(
                [(row[KEY], row["_file"], row["_row"]) for row in unexpected],
                f"{KEY} string, _file int, _row long",
            )
            yield self._accept(check, table, Found(ids, count, examples))

    def sql(
        self,
        level_checks: list[Check],
        judged: dict[str, DataFrame],
        empty: set[str],
        unjudged: dict[str, DataFrame],
    ) -> Iterator[tuple[str, DataFrame | None]]:
        """``unjudged``: per table with rows left out, the articles of those rows."""
        """The SQL rules on the rows still judged. As on the default engine, a row whose
        article has rows left out in a table the query reads is not judged by it (its
        verdict would rest on rows left out), and the derived relations are computed once
        from the rows still judged."""
        for name, frame in judged.items():
            frame.createOrReplaceTempView(name)
        derived: list[DataFrame] = []
        for name, (_, sources) in DERIVED.items():
            if all(t in judged for t in sources):
                relation = self.spark.sql(derived_sql(name)).cache()
                relation.createOrReplaceTempView(name)
                derived.append(relation)
        try:
            for check in level_checks:
                if check.kind != "sql":
                    continue
                for name in check.tables:
                    if name not in judged or name in empty:
                        continue
                    query = check.code(schema().tables[name])
                    if query is None or any(self.files.rows(t) == 0 for t in query.needs_rows):
                        continue
                    read = tuple(t for other in query.reads for t in _sources(other))
                    if any(t not in judged for t in read):
                        self.tally.not_judged(check, name, judged[name].count())
                        continue
                    usable = _usable(name, read, judged, unjudged)
                    if usable is not judged[name]:
                        self.tally.not_judged(check, name, judged[name].count() - usable.count())
                    usable.createOrReplaceTempView(name)
                    try:
                        found = self._query(check, name, query.sql, usable)
                    finally:
                        judged[name].createOrReplaceTempView(name)
                    yield name, found
        finally:
            for relation in derived:
                relation.unpersist()

    def _query(self, check: Check, name: str, sql: str, usable: DataFrame) -> DataFrame | None:
        """One rule's query on ``name``'s usable rows through Great Expectations'
        UnexpectedRowsExpectation: the ids of the failing rows no allowlist accepts."""
        expectation = self._classes.UnexpectedRowsExpectation(
            unexpected_rows_query=batch_query(sql, name), description=check.id
        )
        item = self._validate(usable, [expectation])[0]
        if item.exception_info and item.exception_info.get("raised_exception"):
            message = item.exception_info.get("exception_message")
            self.tally.error(check, f"{name}: {message}")
            return None
        count = int((item.result or {}).get("observed_value") or 0)
        if not count:
            self.tally.ran(check)
            return None
        rows = self.spark.sql(spark_sql(sql))
        examples = [
            _violation(name, {**row, KEY: row["row_key"]}, row["found"], row["expected"])
            for row in (r.asDict() for r in rows.limit(EXAMPLES_KEPT).collect())
        ]
        failing = usable.join(
            rows.select(sf.col("row_key").alias(KEY)).distinct(), KEY, "left_semi"
        ).cache()
        return self._accept(check, name, Found(failing, count, examples))

    def python_rows(
        self, level_checks: list[Check], table: str, frame: DataFrame
    ) -> Iterator[DataFrame | None]:
        for check in level_checks:
            if check.kind != "python" or check.scope != "rows" or table not in check.tables:
                continue
            rows = frame.mapInArrow(_python_rule(check.id, table), PYTHON_RESULT)
            rows = rows.cache()
            count = rows.count()
            examples = [
                _violation(table, row.asDict(), row["found"], row["expected"])
                for row in rows.limit(EXAMPLES_KEPT).collect()
            ]
            yield self._accept(check, table, Found(rows, count, examples))

    def order(self, check: Check, table: str, frame: DataFrame) -> DataFrame | None:
        """schema-order: runs of rows of one article per shard, judged on the driver by the
        default engine's ``order_breaks`` in shard and row order."""
        before = sf.lag("article_id").over(Window.partitionBy("_file").orderBy("_row"))
        heads = (
            frame.select(*ROW_ID, "article_id")
            .withColumn("_before", before)
            .filter(
                sf.col("_before").isNull()
                | sf.col("article_id").isNull()
                | (sf.col("_before") != sf.col("article_id"))
            )
            .orderBy(*ROW_ID)
            .select(*ROW_ID, "article_id")
            .collect()
        )
        keys = [article_key(row["article_id"]) for row in heads]
        late = order_breaks(keys, None)
        ranges: list[tuple[int, int, int, str, str]] = []
        running: Any = None
        for index, (row, key, is_late) in enumerate(zip(heads, keys, late, strict=True)):
            if is_late:
                following = heads[index + 1] if index + 1 < len(heads) else None
                stop = (
                    following["_row"]
                    if following is not None and following["_file"] == row["_file"]
                    else -1
                )
                ranges.append((row["_file"], row["_row"], stop, _describe(key), _describe(running)))
            if key is not None and (running is None or key > running):
                running = key
        spans = self.spark.createDataFrame(
            ranges, "file int, first long, stop long, article string, after string"
        )
        hit = (
            (sf.col("_file") == sf.col("file"))
            & (sf.col("_row") >= sf.col("first"))
            & ((sf.col("stop") < 0) | (sf.col("_row") < sf.col("stop")))
        )
        rows = frame.join(sf.broadcast(spans), hit).drop("file", "first", "stop").cache()
        count = rows.count() if ranges else 0
        examples = [
            _violation(
                table,
                row.asDict(),
                f"a row of article {row['article']} after article {row['after']}",
                "rows in article order",
            )
            for row in (rows.orderBy(*ROW_ID).limit(EXAMPLES_KEPT).collect() if count else [])
        ]
        return self._accept(check, table, Found(rows, count, examples))


def _sources(name: str) -> tuple[str, ...]:
    """The tables a relation a query reads is made of."""
    return DERIVED[name][1] if name in DERIVED else (name,)


def _usable(
    name: str,
    read: tuple[str, ...],
    judged: dict[str, DataFrame],
    unjudged: dict[str, DataFrame],
) -> DataFrame:
    """The judged rows of ``name`` none of whose article's rows in a table the query reads
    are left out (the default engine's ``_depending_on_unjudged``); ``unjudged`` holds,
    per table, the articles of its rows left out."""
    frame = judged[name]
    if "article_id" not in frame.columns:
        return frame
    for other in read:
        articles = unjudged.get(other)
        if other != name and articles is not None:
            frame = frame.join(articles, "article_id", "left_anti")
    return frame


def _describe(key: Any) -> str:
    if key is None:
        return "none"
    return key if isinstance(key, str) else str(key[1])


#: What a Python rule hands back from Spark's executors: one row per failing row.
PYTHON_RESULT = (
    f"{KEY} string, _file int, _row long, article_id string, start int, `end` int, "
    "found string, expected string"
)


def _python_rule(check_id: str, table: str) -> Any:
    """The function Spark runs on each Arrow batch of the table: the registry's own code
    for ``check_id``, its failures as rows."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import numpy as np

        from validation.checks import by_id

        code = by_id()[check_id].code
        for batch in batches:
            data = pa.Table.from_batches([batch])
            keys = data.column(KEY).combine_chunks()
            found = code(table, data, keys, np.arange(data.num_rows, dtype=np.int64))
            positions = pa.array(found.positions, type=pa.int64())
            details = found.details(found.count)
            taken = data.select(list(ROW_ID)).take(positions)
            yield pa.RecordBatch.from_pydict(
                {
                    KEY: [v.row for v in details],
                    "_file": taken.column("_file").combine_chunks(),
                    "_row": taken.column("_row").combine_chunks(),
                    "article_id": [v.article_id for v in details],
                    "start": [v.start for v in details],
                    "end": [v.end for v in details],
                    "found": [v.found for v in details],
                    "expected": [v.expected for v in details],
                },
                schema=pa.schema(
                    [
                        (KEY, pa.string()),
                        ("_file", pa.int32()),
                        ("_row", pa.int64()),
                        ("article_id", pa.string()),
                        ("start", pa.int32()),
                        ("end", pa.int32()),
                        ("found", pa.string()),
                        ("expected", pa.string()),
                    ]
                ),
            )

    return run


def _leave_out_dependents(
    frames: dict[str, DataFrame], left_out: dict[str, DataFrame | None]
) -> None:
    """Rows whose article failed a lower level are not judged either."""

    def articles_of(name: str) -> DataFrame | None:
        rows = left_out.get(name)
        if rows is None:
            return None
        return (
            frames[name]
            .join(rows, list(ROW_ID), "left_semi")
            .select("article_id")
            .where(sf.col("article_id").isNotNull())
            .distinct()
        )

    def leave_out(name: str, articles: DataFrame | None) -> None:
        if name in frames and articles is not None:
            rows = frames[name].join(articles, "article_id", "left_semi").select(*ROW_ID)
            before = left_out[name]
            left_out[name] = rows if before is None else before.union(rows).distinct()

    if "articles" in frames:
        gone = articles_of("articles")
        leave_out("spans", gone)
        leave_out("lines", gone)


def spark_cpu_seconds(spark: SparkSession | None) -> float | None:
    """Processor seconds used so far by the JVM this process started for ``spark`` and by
    its descendants (Python workers; those they reaped included), or None when there is no
    such JVM (no session yet, or one whose JVM this process did not start)."""
    gateway = getattr(spark.sparkContext, "_gateway", None) if spark is not None else None
    launched = getattr(gateway, "proc", None)
    if launched is None:
        return None
    try:
        jvm = psutil.Process(launched.pid)
        tree = [jvm, *jvm.children(recursive=True)]
    except psutil.Error:
        return None
    used = 0.0
    for process in tree:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        used += times.user + times.system + times.children_user + times.children_system
    return used


def validate_on_spark(
    location: str,
    *,
    allowlist: Sequence[AllowlistEntry] = (),
    previous: Path | None = None,
    master: str = LOCAL_MASTER,
    conf: dict[str, str] | None = None,
    level: Level = Level.RELEASE,
) -> Report:
    """Run every check of the registry up to ``level`` on the dataset at ``location`` with
    Spark."""
    clock = Clock()
    began, used = time.perf_counter(), time.process_time()
    # A JVM this run starts has used nothing before it; a running session's has.
    spark_before = spark_cpu_seconds(SparkSession.getActiveSession()) or 0.0
    with clock("start-up"):
        spark = spark_session(master, conf)
        check_executors(spark)
    with clock("files"):
        files, uris = open_location(location)
    listed = catalogue()
    checks = up_to(level, listed)
    tally = Tally(listed, allowlist, checks)
    broken = judge_files(checks, tally, files)
    with clock("start-up"):
        engine = Engine(spark, checks, tally, files)
    readable = [name for name in TABLE_NAMES if name not in broken]
    if "articles" in broken:
        for name in ARTICLE_TABLES:
            if name not in broken:
                readable.remove(name)
                for check in checks:
                    if name in check.tables and check.scope != "files":
                        tally.not_judged(check, name, files.rows(name))
    frames = {name: read_table(spark, name, uris[name]).cache() for name in readable}
    left_out: dict[str, DataFrame | None] = dict.fromkeys(frames)
    try:
        for row_level in ROW_LEVELS:
            if row_level <= level:
                with clock(f"level {int(row_level)}"):
                    _run_level(engine, checks, row_level, frames, left_out, files=files)
        techniques = None
        if "techniques" in frames:
            columns = schema().tables["techniques"].column_names
            techniques = frames["techniques"].select(*columns).toArrow()
    finally:
        for frame in frames.values():
            frame.unpersist()
    facts = ReleaseFacts(techniques, previous, tally.allowlist, tally.matched)
    for check in checks:
        if check.scope == "release":
            result = check.code(facts)
            if result is not None:
                tally.add(check, result)
    clock.seconds["total"] = time.perf_counter() - began
    clock.cpu["total"] = time.process_time() - used
    spark_used = spark_cpu_seconds(spark)
    if spark_used is not None:
        clock.cpu["jvm-and-workers"] = spark_used - spark_before
    return Report(
        folder=Path(location),
        version=dataset_version(),
        previous_release=previous,
        checks=list(tally.results.values()),
        rows={name: files.rows(name) for name in TABLE_NAMES},
        seconds={phase: round(value, 3) for phase, value in clock.seconds.items()},
        cpu_seconds={phase: round(value, 3) for phase, value in clock.cpu.items()},
        batches=1,
        stopped_after=stopped_after(level),
    )


def _run_level(
    engine: Engine,
    checks: Sequence[Check],
    level: Level,
    frames: dict[str, DataFrame],
    left_out: dict[str, DataFrame | None],
    *,
    files: DatasetFiles,
) -> None:
    """One level's checks on the rows not left out by the levels below; the rows failing
    them join those left out."""
    if level > Level.SCHEMA:
        _leave_out_dependents(frames, left_out)
    level_checks = [
        c
        for c in checks
        if c.level == level and (c.kind != "python" or c.scope in ("rows", "stream"))
    ]
    judged: dict[str, DataFrame] = {}
    #: Tables none of whose rows are still judged: no check of this level runs on them.
    empty: set[str] = set()
    for name, frame in frames.items():
        rows = left_out[name]
        judged[name] = frame
        skipped = 0
        if rows is not None:
            # A row failing two checks of a level is listed twice; it is one row left out.
            rows = left_out[name] = rows.distinct().localCheckpoint()
            skipped = rows.count()
            if skipped:
                judged[name] = frame.join(rows, list(ROW_ID), "left_anti").cache()
            if skipped == files.rows(name):
                empty.add(name)
        for check in level_checks:
            if name in check.tables:
                engine.tally.not_judged(check, name, skipped)
    failed: dict[str, list[DataFrame | None]] = {name: [] for name in frames}
    for check in level_checks:
        if check.kind == "python" and check.scope == "stream":
            for name in check.tables:
                if name in judged:
                    failed[name].append(engine.order(check, name, judged[name]))
    for name, frame in judged.items():
        if name not in empty:
            failed[name].extend(engine.expectations(level_checks, name, frame))
    unjudged = {
        name: frames[name]
        .join(rows, list(ROW_ID), "left_semi")
        .select("article_id")
        .where(sf.col("article_id").isNotNull())
        .distinct()
        for name, rows in left_out.items()
        if rows is not None and "article_id" in frames[name].columns
    }
    for name, rows in engine.sql(level_checks, judged, empty, unjudged):
        failed[name].append(rows)
    for name, frame in judged.items():
        if name not in empty:
            failed[name].extend(engine.python_rows(level_checks, name, frame))
    for name, parts in failed.items():
        for part in parts:
            if part is not None:
                before = left_out[name]
                left_out[name] = part if before is None else before.union(part)
