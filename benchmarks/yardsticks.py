"""What Great Expectations and DuckDB take for the validation's own rules, each at its best:
the yardsticks of the validation's shares (issue 23, target 2). BENCHMARKS.md shows this
code.

- ``expectations``: every table read whole, then each level's expectations run once over
  the whole table, through the validator's own frame and runner (``validation.gx``: the
  same expectations, in one pass with the run's final result format, ``COMPLETE``),
  timed from the first frame to the last result.
- ``sql``: each level's SQL rules run once by DuckDB over the Parquet files themselves
  (views named as the queries expect; the derived relations made once, as tables), timed
  from making them to the last result, reading the files included.

Both count processor seconds (every thread), as the validation's report does per phase.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dataset.schema import Schema
from validation.checks import ColumnCheck, Level, SqlCheck, catalogue

#: The levels whose checks judge rows, as the validation runs them.
ROW_LEVELS = (Level.SCHEMA, Level.KEYS, Level.CONTENT)


def _whole(folder: Path, schema: Schema, table: str) -> pa.Table:
    columns = schema.tables[table].column_names
    paths = sorted((folder / table).glob("*.parquet"))
    return pa.concat_tables(pq.read_table(path, columns=columns) for path in paths)


def expectations(folder: Path, schema: Schema) -> float:
    """Processor seconds of Great Expectations running every level's expectations once
    over each whole table."""
    from validation.gx import expectations_runner, frame

    runner = expectations_runner()
    checks = catalogue(schema)
    tables = {name: _whole(folder, schema, name) for name in schema.table_names}
    used = time.process_time()
    for level in ROW_LEVELS:
        for name, data in tables.items():
            specs = [
                spec
                for check in checks
                if check.level == level and isinstance(check, ColumnCheck)
                if name in check.tables
                for spec in check.code(schema.tables[name], schema)
            ]
            if specs and data.num_rows:
                runner.once(frame(data, np.arange(data.num_rows), specs), specs, "COMPLETE")
    return time.process_time() - used


def sql(folder: Path, schema: Schema) -> float:
    """Processor seconds of DuckDB running every level's SQL rules once over the Parquet
    files."""
    import duckdb

    from validation.sql import DERIVED

    connection = duckdb.connect()
    for name in schema.table_names:
        pattern = (folder / name / "*.parquet").as_posix()
        connection.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{pattern}')")
    checks = catalogue(schema)
    used = time.process_time()
    # The derived relations made once, as the validation makes them once per batch.
    for name, (query, _) in DERIVED.items():
        connection.execute(f"CREATE TEMP TABLE {name} AS {query}")
    for level in ROW_LEVELS:
        for check in checks:
            if check.level != level or not isinstance(check, SqlCheck):
                continue
            for name in check.tables:
                query = check.code(schema.tables[name])
                if query is not None:
                    connection.sql(query.sql).to_arrow_table()
    seconds = time.process_time() - used
    connection.close()
    return seconds
