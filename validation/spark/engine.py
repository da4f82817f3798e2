"""The registry's checks on Apache Spark: the same checks, levels, counts and report as the
default engine, on whole tables that Spark reads and never the driver.

Spark reads the Parquet shards (a local folder, or any URI with a filesystem pyarrow knows:
``dataset.shards``; their footers are read on the driver with pyarrow, as on the default
engine, since Spark does not show a file's Arrow types or its metadata). The run itself is
``validation.core``'s; each level runs on the rows still judged: the column rules are the
same Great Expectations expectations, run through Great Expectations' Spark datasource;
the SQL rules are the same queries, translated once to Spark SQL
(``validation.spark.dialect``) and each run once by Spark (as DuckDB runs them on the
default engine), its failing rows kept; the Python rules are the same functions, run on
Arrow batches inside Spark's executors.
What comes back to the driver is counts, the ids of failing rows (so the levels above leave
them out) and the first rows in detail, never the tables.

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

import contextlib
import threading
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import psutil
import pyarrow as pa
import pyarrow.compute as pc
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as sf

from dataset.schema import Schema, Table, load_schema
from validation import failures as made
from validation.allowlist import AllowlistEntry
from validation.checks import Check, ColumnCheck, Level, OrderCheck, RowCheck
from validation.core import ROW_LEVELS, Clock, Run, SqlRule, validate
from validation.expectations import NULL, PAIR_SEPARATOR, Expect, edge_name, pair_name
from validation.failures import Failures, Violation, shorten
from validation.files import DatasetFiles, open_dataset
from validation.gx import context
from validation.report import Report
from validation.spark.dialect import (
    common_expressions,
    derived_sql,
    java_regex,
    spark_sql,
    staged,
)
from validation.spark.executors import check_executors
from validation.spark.session import LOCAL_MASTER, QuietInterrupt, spark_session
from validation.sql import DERIVED
from validation.stream import article_key, order_breaks
from validation.tally import EXAMPLES_KEPT

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


def row_key(table: Table) -> Column:
    """The primary key as text, parts joined by ':' and nulls as 'null' (failures.row_keys)."""
    parts = [sf.coalesce(sf.col(name).cast("string"), sf.lit("null")) for name in table.primary_key]
    return parts[0] if len(parts) == 1 else sf.concat_ws(":", *parts)


def read_table(spark: SparkSession, table: Table, uris: list[str]) -> DataFrame:
    """The table's shards as one DataFrame with each row's id and key. A shard's place is
    looked up in a literal map, a projection Spark leaves out of every query that does not
    read it (a join with a table of shards stays in all of them: 100k articles' lines,
    scanned for two columns, 2.2 -> 1.1 s)."""
    places = sf.create_map(
        *[
            item
            for place, uri in enumerate(uris)
            for item in (sf.lit(PurePosixPath(uri).name), sf.lit(place))
        ]
    )
    frame = spark.read.parquet(*uris).select(
        *table.column_names,
        sf.element_at(places, sf.col("_metadata.file_name")).alias("_file"),
        sf.col("_metadata.row_index").alias("_row"),
    )
    return frame.withColumn(KEY, row_key(table))


def read_columns(spark: SparkSession, table: Table, uris: list[str]) -> DataFrame:
    """The table's shards as one DataFrame of its columns alone, for passes that need no
    row ids. A plan that reads any field of Spark's file metadata and filters the rows
    builds the whole metadata struct, file path included, for each row it scans (Spark
    4.0, seen in the physical plan of every rule query): 100k synthetic articles, whole
    run, two pairs of runs alternating, 100.2 and 107.3 s with ids, 99.6 and 97.0 s
    without."""
    return spark.read.parquet(*uris).select(*table.column_names)


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


@cache
def spark_batches() -> Any:
    """Great Expectations' batch definition for Spark DataFrames, in the process's context,
    made once. Great Expectations would persist every batch it is handed and never release
    it."""
    source = context().data_sources.add_spark("propaganda-spans-spark", persist=False)
    return source.add_dataframe_asset("rows").add_batch_definition_whole_dataframe("rows")


class SparkRules:
    """A level's expectations, SQL rules and Python rules on DataFrames of rows still
    judged; each returns the ids of the failing rows no allowlist entry accepts."""

    def __init__(self, spark: SparkSession, run: Run) -> None:
        import great_expectations as gx
        import great_expectations.expectations as gxe

        self.spark = spark
        self.run = run
        self.tally = run.tally
        self._gx = gx
        self._classes: Any = gxe
        self._batches = spark_batches()
        #: The last level whose failing rows nothing reads: no level above it leaves them out.
        self._last_level = max(level for level in ROW_LEVELS if level <= run.level)
        #: Rows Spark keeps (``KEPT_LEVEL``) until the run ends (the failing rows the levels
        #: above leave out): ``release`` lets them go.
        self.kept: list[DataFrame] = []
        self._accepted: dict[str, list[str]] = {}
        for entry in run.tally.allowlist:
            self._accepted.setdefault(entry.check, []).append(entry.row)

    # -- running Great Expectations -------------------------------------------------------

    def _validate(
        self,
        frame: DataFrame,
        expectations: list[Any],
        index: list[str] | None = None,
        first: int | None = None,
    ) -> list[Any]:
        """Great Expectations' results for ``expectations`` on ``frame``. With ``index``:
        every unexpected row, named by those columns, or with ``first`` the count and only
        that many rows. Without: the verdicts only, which Great Expectations computes for
        all map expectations in one aggregation (BASIC would also collect each one's first
        unexpected values, a Spark job apiece)."""
        from great_expectations.validator.v1_validator import Validator

        result_format: dict[str, Any]
        if index is None:
            result_format = {"result_format": "BOOLEAN_ONLY"}
        elif first is None:
            result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": index}
        else:
            result_format = {
                "result_format": "SUMMARY",
                "partial_unexpected_count": first,
                "unexpected_index_column_names": index,
            }
        validator = Validator(
            batch_definition=self._batches,
            batch_parameters={"dataframe": frame},
            result_format=result_format,
        )
        suite = self._gx.ExpectationSuite(name="rows", expectations=expectations)
        return list(validator.validate_expectation_suite(suite).results)

    def _accept(
        self, check: Check, table: str, found: Found, keep: bool = True
    ) -> DataFrame | None:
        """Count ``found`` under ``check``; the ids of the failing rows no allowlist entry
        accepts (the levels above leave them out), or None when there are none or, without
        ``keep``, when no level above reads them."""
        accepted = self._accepted.get(check.id, [])
        rows = found.rows
        if found.total and accepted:
            found.allowed_keys = [
                row[KEY] for row in rows.filter(sf.col(KEY).isin(accepted)).select(KEY).collect()
            ]
            rows = rows.filter(~sf.col(KEY).isin(accepted))
        self.tally.add(check, found.failures(table))
        if not keep or found.total == len(found.allowed_keys):
            return None
        return rows.select(*ROW_ID)

    def expectations(
        self,
        owners: list[tuple[ColumnCheck, Expect]],
        table: str,
        frame: DataFrame,
        readable: DataFrame,
    ) -> Iterator[DataFrame | None]:
        """The expectations on ``frame``'s rows; ``readable`` holds the same rows, without
        row ids if they can be read so (the pass that only says which fail needs none)."""
        specs = [spec for _, spec in owners]
        frame = with_spec_columns(frame, specs)
        expectations = self._expectation_objects(owners)
        # Valid data is the common case: one pass says which expectations fail, and only
        # those run again to name every failing row.
        failing = [
            int(item.expectation_config.meta["spec"])
            for item in self._validate(with_spec_columns(readable, specs), expectations)
            if not item.success
        ]
        for check, _ in owners:
            self.tally.ran(check)
        if not failing:
            return
        # The rows are named by their ids and by the columns the report shows for them.
        index = [*ROW_ID, KEY, *_located(frame)]
        index += sorted(
            {c for number in failing for c in owners[number][1].columns if c not in index}
        )
        failed = [expectations[number] for number in failing]
        if owners[0][0].level == self._last_level:
            # No level above leaves these rows out: the count, the first rows and the
            # allowlisted ones are all the report needs, not every failing row.
            self._counted(frame, failed, owners, index=index, table=table)
            return
        for item in self._validate(frame, failed, index):
            config = item.expectation_config
            assert config is not None, "every result comes from one of our expectations"
            found = self._unexpected(item, *owners[int(config.meta["spec"])], table)
            if found is not None:
                yield found

    def _counted(
        self,
        frame: DataFrame,
        failed: list[Any],
        owners: list[tuple[ColumnCheck, Expect]],
        *,
        index: list[str],
        table: str,
    ) -> None:
        """Count the last level's failed expectations: each one's count and first rows from
        one pass, and the allowlisted rows it fails from a pass over those rows alone."""
        by_place = {int(expectation.meta["spec"]): expectation for expectation in failed}
        for item in self._validate(frame, failed, index, first=EXAMPLES_KEPT):
            config = item.expectation_config
            assert config is not None, "every result comes from one of our expectations"
            number = int(config.meta["spec"])
            check, spec = owners[number]
            accepted = self._accepted.get(check.id)
            allowlisted = None
            if accepted and spec.per_row and not _raised(item):
                rows = frame.where(sf.col(KEY).isin(accepted))
                (allowlisted,) = self._validate(rows, [by_place[number]], index)
            self._unexpected(item, check, spec, table, complete=False, allowlisted=allowlisted)

    def _expectation_objects(self, owners: list[tuple[ColumnCheck, Expect]]) -> list[Any]:
        """Great Expectations' expectations for the specs, each naming its place in
        ``owners``; regular expressions in Java's dialect, which Spark's RLIKE speaks."""
        expectations = []
        for number, (_, spec) in enumerate(owners):
            kwargs = dict(spec.kwargs)
            if "regex" in kwargs:
                kwargs["regex"] = java_regex(kwargs["regex"])
            expectations.append(getattr(self._classes, spec.type)(**kwargs, meta={"spec": number}))
        return expectations

    def _unexpected(
        self,
        item: Any,
        check: ColumnCheck,
        spec: Expect,
        table: str,
        *,
        complete: bool = True,
        allowlisted: Any = None,
    ) -> DataFrame | None:
        """Count one expectation's result under ``check``: an error, a verdict on the
        table, or every unexpected row; the ids of the failing rows to leave out, if any.
        A result that is not ``complete`` lists the first rows only (the last level's) and
        comes with ``allowlisted``: the same expectation's result on the allowlisted rows,
        when the check has any."""
        details = item.result or {}
        if _raised(item):
            message = item.exception_info.get("exception_message")
            self.tally.error(check, f"{table}: {spec.type}: {message}")
            return None
        if not spec.per_row:
            observed = f"{details.get('observed_value')!r}"
            found = [] if item.success else [Violation(table, table, observed, spec.expected)]
            self.tally.add(check, made.listed(table, found))
            return None
        count = int(details.get("unexpected_count") or 0)
        unexpected: list[dict[str, Any]] = list(
            details.get("unexpected_index_list" if complete else "partial_unexpected_index_list")
            or []
        )
        listed = count if complete else min(count, EXAMPLES_KEPT)
        if listed != len(unexpected):
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
        if not complete:
            allowed = (allowlisted.result or {}) if allowlisted is not None else {}
            unexpected = list(allowed.get("unexpected_index_list") or [])
        ids = self.spark.createDataFrame(
            [(row[KEY], row["_file"], row["_row"]) for row in unexpected],
            f"{KEY} string, _file int, _row long",
        )
        return self._accept(check, table, Found(ids, count, examples), keep=complete)

    def sql(
        self,
        rules: list[SqlRule],
        judged: dict[str, DataFrame],
        unjudged: dict[str, DataFrame],
        readable: dict[str, DataFrame],
    ) -> Iterator[tuple[str, DataFrame | None]]:
        """The SQL rules on the rows still judged (``unjudged``: per table with rows left
        out, the articles of those rows; ``readable``: the judged rows, without row ids
        where no row is left out, which is what the queries read). As on the default
        engine, a row whose article has rows left out in a table the query reads is not
        judged by it, and the derived relations are computed once from the rows still
        judged (and kept: Spark would otherwise compute them again in every query that
        reads them), as are the expressions two queries spell the same way."""
        for name, frame in readable.items():
            frame.createOrReplaceTempView(name)
        derived: list[DataFrame] = []
        read = {table for rule in rules for table in rule.query.reads}
        for name, (_, sources) in DERIVED.items():
            if name in read and all(t in judged for t in sources):
                relation = checkpoint(self.spark.sql(derived_sql(name)))
                relation.createOrReplaceTempView(name)
                derived.append(relation)
        queries = [spark_sql(rule.query.sql) for rule in rules]
        common = common_expressions(queries)
        kept = SharedRows()
        try:
            for rule, query in zip(rules, queries, strict=True):
                name = rule.table
                usable = _usable(name, rule.reads, judged, unjudged)
                sharing: SharedRows | None = kept
                if usable is not judged[name]:
                    self.tally.not_judged(rule.check, name, judged[name].count() - usable.count())
                    usable.createOrReplaceTempView(name)
                    # What it shares with the other queries reads other rows here.
                    sharing = None
                try:
                    found = self._query(
                        rule.check, name, query, usable, common=common, kept=sharing
                    )
                finally:
                    readable[name].createOrReplaceTempView(name)
                yield name, found
        finally:
            kept.release()
            for relation in derived:
                release(relation)

    def _query(
        self,
        check: Check,
        name: str,
        query: str,
        usable: DataFrame,
        *,
        common: Collection[str],
        kept: SharedRows | None,
    ) -> DataFrame | None:
        """One rule's query (Spark SQL) on ``name``'s usable rows, run once by Spark and its
        failing rows kept: the ids of those no allowlist accepts."""
        rows = staged_rows(self.spark, query, common, kept)
        try:
            count = rows.count()
            if not count:
                self.tally.ran(check)
                return None
            examples = [
                _violation(name, {**row, KEY: row["row_key"]}, row["found"], row["expected"])
                for row in (r.asDict() for r in rows.limit(EXAMPLES_KEPT).collect())
            ]
            failing = self.keep(
                checkpoint(
                    usable.join(
                        rows.select(sf.col("row_key").alias(KEY)).distinct(), KEY, "left_semi"
                    )
                )
            )
        finally:
            # The report's rows are read; the ids of the failing ones are kept apart.
            release(rows)
        return self._accept(check, name, Found(failing, count, examples))

    def keep(self, rows: DataFrame) -> DataFrame:
        """``rows`` (cached or checkpointed), to be let go when the run ends."""
        self.kept.append(rows)
        return rows

    def release(self) -> None:
        for rows in self.kept:
            release(rows)
        self.kept.clear()

    def python(self, check: RowCheck, table: str, frame: DataFrame) -> DataFrame | None:
        rows = handed(check, frame).mapInArrow(_python_rule(check.id, table), PYTHON_RESULT)
        rows = self.keep(rows.persist(KEPT_LEVEL))
        count = rows.count()
        examples = [
            _violation(table, row.asDict(), row["found"], row["expected"])
            for row in rows.limit(EXAMPLES_KEPT).collect()
        ]
        return self._accept(check, table, Found(rows, count, examples))

    def order(self, check: Check, table: str, frame: DataFrame) -> DataFrame | None:
        """schema-order: runs of rows of one article per shard, judged on the driver by the
        default engine's ``order_breaks`` in shard and row order."""
        ranges = _late_runs(_run_heads(frame), self.run.schema)
        if not ranges:
            self.tally.ran(check)
            return None
        spans = self.spark.createDataFrame(
            ranges, "file int, first long, stop long, article string, after string"
        )
        hit = (
            (sf.col("_file") == sf.col("file"))
            & (sf.col("_row") >= sf.col("first"))
            & ((sf.col("stop") < 0) | (sf.col("_row") < sf.col("stop")))
        )
        rows = self.keep(
            frame.join(sf.broadcast(spans), hit).drop("file", "first", "stop").persist(KEPT_LEVEL)
        )
        examples = [
            _violation(
                table,
                row.asDict(),
                f"a row of article {row['article']} after article {row['after']}",
                "rows in article order",
            )
            for row in rows.orderBy(*ROW_ID).limit(EXAMPLES_KEPT).collect()
        ]
        return self._accept(check, table, Found(rows, rows.count(), examples))


class SharedRows:
    """Relations a level's queries share (``dialect.common_expressions``), by key: each
    made by the first query that reads it and kept until the level's SQL rules have run.
    Each is kept with the relation its readers read: an empty one is read as an empty
    relation (``staged_rows``)."""

    def __init__(self) -> None:
        self.relations: dict[str, tuple[DataFrame, DataFrame]] = {}

    def release(self) -> None:
        for relation, _ in self.relations.values():
            release(relation)
        self.relations.clear()


#: Where the rows a run keeps (derived relations, shared expressions, failing rows, the
#: rows a level judges when some are left out) are stored: the executors' local disks,
#: which the system's page cache serves, rather than Spark's default, objects in the JVM's
#: heap, which in a small heap crowd the joins and sorts that follow. 100k synthetic
#: articles, whole run, runs alternating on a quiet machine: 74.4, 74.8, 75.3 s in the
#: heap, 70.1, 70.6 s on disk (article_lines and the first query 8.8 -> 6.9 s).
KEPT_LEVEL = StorageLevel.DISK_ONLY


def checkpoint(frame: DataFrame) -> DataFrame:
    """``frame``'s rows, computed now and kept where ``KEPT_LEVEL`` says, their lineage
    cut (Spark computes them once, whichever queries read them)."""
    return frame.localCheckpoint(eager=True, storageLevel=KEPT_LEVEL)


def release(frame: DataFrame) -> None:
    """Let go of the rows Spark keeps for ``frame``. ``unpersist`` does so for a persisted
    DataFrame but not for a checkpointed one, which nothing persisted: its rows are an RDD
    the checkpoint persisted, kept until the JVM collects it."""
    frame.unpersist()
    plan = frame._jdf.queryExecution().analyzed()
    if plan.getClass().getSimpleName() == "LogicalRDD":
        plan.rdd().unpersist(False)


def staged_rows(
    spark: SparkSession, query: str, common: Collection[str] = (), kept: SharedRows | None = None
) -> DataFrame:
    """``query``'s rows (Spark SQL), kept: the expressions it reads more than once are run
    first, once each, and kept until it has run (``dialect.staged``); those other queries
    share (keys in ``common``) are taken from ``kept``, or made and left there. One that
    holds no rows is read as an empty relation, whose joins Spark's optimizer drops before
    anything runs (the text rules' suspect rows: on valid data, no article's text is read
    again)."""
    plan = staged(query, common if kept is not None else ())
    own: list[DataFrame] = []
    try:
        for shared in plan.shared:
            if kept is not None and shared.key in kept.relations:
                _, read = kept.relations[shared.key]
            else:
                relation = checkpoint(spark.sql(shared.making))
                read = relation.limit(0) if relation.isEmpty() else relation
                if kept is not None and shared.key in common:
                    kept.relations[shared.key] = (relation, read)
                else:
                    own.append(relation)
            read.createOrReplaceTempView(shared.view)
        return checkpoint(spark.sql(plan.main))
    finally:
        for shared in plan.shared:
            spark.catalog.dropTempView(shared.view)
        for relation in own:
            release(relation)


def _raised(item: Any) -> bool:
    """Whether Great Expectations' result is an error rather than a verdict."""
    return bool(item.exception_info and item.exception_info.get("raised_exception"))


def _run_heads(frame: DataFrame) -> list[dict[str, Any]]:
    """The first row of each run of rows of one article, per shard, in shard and row
    order (a row without an article is a run of its own). An article whose rows in a shard
    are contiguous is one run, found by an aggregation with no sort of the table, whose rows
    (one per article and shard) come to the driver in one job; only the rows of other
    articles, if any, are looked at one by one: a row starts a run unless the row before it
    is one of the same article's."""
    rows = frame.select(*ROW_ID, "article_id")
    groups = (
        rows.groupBy("_file", "article_id")
        .agg(
            sf.min("_row").alias("_first"), sf.max("_row").alias("_last"), sf.count("*").alias("_n")
        )
        .toArrow()
    )
    one_run = pc.and_(
        pc.equal(pc.add(pc.subtract(groups["_last"], groups["_first"]), 1), groups["_n"]),
        pc.or_(pc.is_valid(groups["article_id"]), pc.equal(groups["_n"], 1)),
    )
    heads = groups.filter(one_run).select(["_file", "_first", "article_id"])
    heads = heads.rename_columns(["_file", "_row", "article_id"])
    others = groups.filter(pc.invert(one_run)).select(["_file", "article_id"])
    if others.num_rows:
        scattered_groups = frame.sparkSession.createDataFrame(
            others.rename_columns(["_f", "_a"]).to_pylist(), "_f int, _a string"
        )
        same = (sf.col("_file") == sf.col("_f")) & sf.col("article_id").eqNullSafe(sf.col("_a"))
        scattered = rows.join(sf.broadcast(scattered_groups), same, "left_semi")
        after = scattered.select("_file", "article_id", (sf.col("_row") + 1).alias("_row"))
        starts = scattered.join(after, [*ROW_ID, "article_id"], "left_anti").toArrow()
        heads = pa.concat_tables([heads, starts.select(heads.column_names).cast(heads.schema)])
    found = heads.sort_by([("_file", "ascending"), ("_row", "ascending")])
    ordered: list[dict[str, Any]] = found.to_pylist()
    return ordered


def _late_runs(heads: list[dict[str, Any]], schema: Schema) -> list[tuple[int, int, int, str, str]]:
    """The runs that come before an article seen earlier: shard, first row, the row where
    the run stops (-1: at the shard's end), the run's article and the largest before it."""
    keys = [article_key(row["article_id"], schema) for row in heads]
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
    return ranges


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


def handed(check: RowCheck, frame: DataFrame) -> DataFrame:
    """The columns of ``frame`` a Python rule reads (``RowCheck.reads``) beside each row's
    id, key and location, a text it reads the first line of cut there: Spark hands its
    Python workers every column of what they run on. The title rule at 100k synthetic
    articles, warm, three runs each: 1.2-1.3 s with every column, 0.6 s with the title
    and first lines."""
    if not check.reads:
        return frame
    names = list(dict.fromkeys([*ROW_ID, KEY, *_located(frame), *check.reads]))
    return frame.select(
        *[
            sf.substring_index(sf.col(name), "\n", 1).alias(name)
            if name in check.first_line_of
            else name
            for name in names
        ]
    )


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

        from validation.checks import registered

        code = registered()[check_id].code
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


class SparkBatch:
    """The tables Spark reads, whole, and which of their rows are left out (``core.Batch``):
    what comes back to the driver is counts and the ids of failing rows."""

    def __init__(
        self, rules: SparkRules, frames: dict[str, DataFrame], without_ids: dict[str, DataFrame]
    ) -> None:
        self.rules = rules
        self.frames = frames
        #: The same tables without row ids (``read_columns``).
        self.without_ids = without_ids
        self.tables = list(frames)
        self.left_out: dict[str, DataFrame | None] = dict.fromkeys(frames)
        self.judged_rows: dict[str, DataFrame] = dict(frames)
        self.counts: dict[str, int] = {}
        self.failed: dict[str, list[DataFrame | None]] = {}

    def start_level(self, level: Level) -> dict[str, int]:
        if level > Level.SCHEMA:
            _leave_out_dependents(self.frames, self.left_out)
        skipped_by: dict[str, int] = {}
        for name, frame in self.frames.items():
            rows, skipped = self.left_out[name], 0
            if self.judged_rows[name] is not frame:
                # The level below's judged rows: nothing reads them again.
                self.judged_rows[name].unpersist()
            self.judged_rows[name] = frame
            if rows is not None:
                # A row failing two checks of a level is listed twice; it is one row left out.
                rows = self.left_out[name] = self.rules.keep(checkpoint(rows.distinct()))
                skipped = rows.count()
                if skipped:
                    self.judged_rows[name] = frame.join(rows, list(ROW_ID), "left_anti").persist(
                        KEPT_LEVEL
                    )
            self.counts[name] = self.rules.run.files.rows(name) - skipped
            skipped_by[name] = skipped
        self.failed = {name: [] for name in self.frames}
        return skipped_by

    def judged(self, table: str) -> int:
        return self.counts[table]

    def release(self) -> None:
        """Let go of every row the run kept: a session that validates again (a notebook's)
        starts with all of its memory and disk."""
        for name, rows in self.judged_rows.items():
            if rows is not self.frames[name]:
                rows.unpersist()
        self.judged_rows = dict(self.frames)
        self.rules.release()

    def readable(self, table: str) -> DataFrame:
        """The judged rows for a pass that needs no row ids: the table without them when
        no row is left out."""
        rows = self.judged_rows[table]
        return self.without_ids[table] if rows is self.frames[table] else rows

    def order(self, check: OrderCheck, table: str) -> None:
        self.failed[table].append(self.rules.order(check, table, self.judged_rows[table]))

    def expectations(self, table: str, owners: list[tuple[ColumnCheck, Expect]]) -> None:
        found = self.rules.expectations(
            owners, table, self.judged_rows[table], self.readable(table)
        )
        self.failed[table].extend(found)

    def sql(self, rules: list[SqlRule]) -> None:
        unjudged = {
            name: self.frames[name]
            .join(rows, list(ROW_ID), "left_semi")
            .select("article_id")
            .where(sf.col("article_id").isNotNull())
            .distinct()
            for name, rows in self.left_out.items()
            if rows is not None and "article_id" in self.frames[name].columns
        }
        readable = {name: self.readable(name) for name in self.frames}
        for name, rows in self.rules.sql(rules, self.judged_rows, unjudged, readable):
            self.failed[name].append(rows)

    def python(self, check: RowCheck, table: str) -> None:
        self.failed[table].append(self.rules.python(check, table, self.judged_rows[table]))

    def end_level(self) -> None:
        """The rows failing this level join those left out."""
        for name, parts in self.failed.items():
            for part in parts:
                if part is not None:
                    before = self.left_out[name]
                    self.left_out[name] = part if before is None else before.union(part)


class SparkEngine:
    """The Spark engine (``core.Engine``): any location Spark reads, whole tables."""

    def __init__(self, master: str = LOCAL_MASTER, conf: dict[str, str] | None = None) -> None:
        self.master, self.conf = master, conf
        self.spark: SparkSession | None = None
        self.uris: dict[str, list[str]] = {}
        self.frames: dict[str, DataFrame] = {}
        self._techniques: pa.Table | None = None
        self._quiet: QuietInterrupt | None = None
        self._importing: threading.Thread | None = None
        # A JVM this run starts has used nothing before it; a running session's has.
        self._spark_before = spark_cpu_seconds(SparkSession.getActiveSession()) or 0.0

    def open(self, location: str | Path, schema: Schema, clock: Clock) -> DatasetFiles:
        """Start Spark and make sure its executors can run the project, then find the
        shards and read their footers on the driver. From here to ``finish``, Ctrl-C is
        one quiet KeyboardInterrupt (``QuietInterrupt``)."""
        self._quiet = quiet = QuietInterrupt()
        self._importing = _import_great_expectations_meanwhile()
        try:
            with clock("start-up"):
                started = SparkSession.getActiveSession() is None
                self.spark = spark = spark_session(self.master, self.conf)
                quiet.watch(spark, started)
                check_executors(spark)
            with clock("files"):
                files = open_dataset(str(location), schema)
        except BaseException:
            # validate calls finish only once open has returned.
            quiet.end()
            self._quiet = None
            raise
        self.uris = {
            table: [shard.uri for shard in shards] for table, shards in files.shards.items()
        }
        return files

    def batches(self, run: Run, tables: tuple[str, ...]) -> Iterator[SparkBatch]:
        spark = self.spark
        assert spark is not None, "open comes first"
        # Every pass reads the Parquet files again rather than a cache of the tables: in a
        # small heap the cached texts spill to disk, and making and reading that copy cost
        # more than Spark's reader (100k articles, local mode, with the BOOLEAN_ONLY first
        # pass above: 178 -> 141 s, whole run).
        self.frames = {
            name: read_table(spark, run.schema.tables[name], self.uris[name]) for name in tables
        }
        without_ids = {
            name: read_columns(spark, run.schema.tables[name], self.uris[name]) for name in tables
        }
        with run.clock("start-up"):
            if self._importing is not None:
                self._importing.join()
            rules = SparkRules(spark, run)
        batch = SparkBatch(rules, self.frames, without_ids)
        yield batch
        batch.release()
        if "techniques" in self.frames:
            self._techniques = without_ids["techniques"].toArrow()

    def techniques(self) -> pa.Table | None:
        return self._techniques

    def finish(self, clock: Clock) -> None:
        """The processor time of the JVM and its workers; Ctrl-C and py4j's logs as they
        were (the session stopped if the run was interrupted)."""
        spark_used = spark_cpu_seconds(self.spark)
        if spark_used is not None:
            clock.cpu["jvm-and-workers"] = spark_used - self._spark_before
        if self._quiet is not None:
            self._quiet.end()
            self._quiet = None


def _import_great_expectations_meanwhile() -> threading.Thread:
    """Make the process's Great Expectations context (``validation.gx.context``: the import,
    with analytics off and ``__main__`` named) on a thread of its own while the JVM starts:
    the import is Python's work and the start the JVM's, so on two cores they overlap (1.7 s
    of the 6.6 s a session, its executors and the import take one after the other). A
    failure is left for the main thread, which meets it again and reports it."""

    def load() -> None:
        with contextlib.suppress(Exception):
            context()

    thread = threading.Thread(target=load, name="import-great-expectations", daemon=True)
    thread.start()
    return thread


def validate_on_spark(
    location: str,
    *,
    allowlist: Sequence[AllowlistEntry] = (),
    previous: Path | None = None,
    master: str = LOCAL_MASTER,
    conf: dict[str, str] | None = None,
    level: Level = Level.RELEASE,
    schema: Schema | None = None,
) -> Report:
    """Run every check of the registry up to ``level`` on the dataset at ``location`` with
    Spark (``core.validate``); the schema is the project's unless one is given."""
    return validate(
        SparkEngine(master, conf),
        location,
        schema=load_schema() if schema is None else schema,
        allowlist=allowlist,
        previous=previous,
        level=level,
    )
