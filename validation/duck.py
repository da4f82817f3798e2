"""Running the SQL rules with DuckDB, embedded, on one batch at a time.

Each batch's tables are handed to DuckDB as Arrow data (no copy), under the names the
queries use; DuckDB works within a memory limit and spills to a temporary folder beyond it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import TracebackType

import pyarrow as pa

#: DuckDB's share of the validator's memory; with the batch and Great Expectations the
#: process stays well under 1 GiB.
MEMORY_LIMIT = "128MB"
THREADS = 2
#: What DuckDB raises (a RuntimeError) in place of the KeyboardInterrupt of a Ctrl-C that
#: reached it during a call; the signal itself is used up.
INTERRUPTED = "Query interrupted"


class SqlRunner:
    """One DuckDB connection for a validation run."""

    def __init__(self, memory_limit: str = MEMORY_LIMIT, threads: int = THREADS) -> None:
        import duckdb

        self._spill = tempfile.TemporaryDirectory(prefix="validation-duckdb-")
        self.connection = duckdb.connect(
            config={
                "memory_limit": memory_limit,
                "threads": threads,
                "temp_directory": str(Path(self._spill.name)),
                "preserve_insertion_order": False,
            }
        )

    def run(self, sql: str, tables: dict[str, pa.Table]) -> pa.Table:
        """The rows of ``sql`` over ``tables`` (registered under their names). A Ctrl-C
        that DuckDB turned into its own error is a KeyboardInterrupt again, so the command
        line reports an interrupted run, not a failed query."""
        try:
            return self._run(sql, tables)
        except RuntimeError as error:
            if str(error) == INTERRUPTED:
                raise KeyboardInterrupt from None
            raise

    def _run(self, sql: str, tables: dict[str, pa.Table]) -> pa.Table:
        for name, data in tables.items():
            self.connection.register(name, data)
        try:
            result: pa.Table = self.connection.sql(sql).to_arrow_table()
        finally:
            for name in tables:
                self.connection.unregister(name)
        return result

    def close(self) -> None:
        self.connection.close()
        self._spill.cleanup()

    def __enter__(self) -> SqlRunner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
