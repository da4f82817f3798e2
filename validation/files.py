"""The dataset folder as the validator finds it: which Parquet shards hold which table, and
the level-1 checks on each shard's own schema.

Reading anything that is not a dataset the validator can judge (no tables, a missing table
or column, a file that is not Parquet or is cut short) is an input error naming the file,
not a validation finding: there are no rows to judge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dataset.errors import InputError
from dataset.schema import TABLE_NAMES, schema
from validation.checks import Level, check
from validation.failures import Violation

REBUILD = "rebuild the dataset with python -m dataset build (or restore the file)"


@dataclass(frozen=True)
class Shard:
    table: str
    path: Path
    rows: int
    arrow_schema: pa.Schema


@dataclass
class DatasetFiles:
    folder: Path
    shards: dict[str, list[Shard]] = field(default_factory=dict)

    def rows(self, table: str) -> int:
        return sum(shard.rows for shard in self.shards.get(table, []))


def shard_paths(folder: Path, table: str) -> list[Path]:
    """The table's Parquet shards in the folder layout the builder writes
    (``<table>/*.parquet``) or a release's (``data/<table>/*.parquet``)."""
    for base in (folder, folder / "data"):
        paths = sorted((base / table).glob("*.parquet"))
        if paths:
            return paths
    return []


def unreadable(path: Path, error: Exception) -> InputError:
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return InputError(path, f"not a readable Parquet file ({first})", REBUILD)


def open_dataset(folder: Path) -> DatasetFiles:
    """Find every table's shards and read their footers; anything unreadable is an
    InputError naming the file."""
    if not folder.is_dir():
        raise InputError(folder, "no such dataset folder", "build it first: nox -s build")
    found = {table: shard_paths(folder, table) for table in TABLE_NAMES}
    if not any(found.values()):
        raise InputError(
            folder,
            "holds no tables: no <table>/*.parquet for any of " + ", ".join(TABLE_NAMES),
            "point at a folder written by python -m dataset build (or a release folder)",
        )
    files = DatasetFiles(folder=folder)
    for table, paths in found.items():
        if not paths:
            raise InputError(
                folder / table,
                f"the table {table!r} is missing (no {table}/*.parquet)",
                REBUILD,
            )
        wanted = schema().tables[table].column_names
        files.shards[table] = []
        for path in paths:
            try:
                metadata = pq.ParquetFile(path).metadata
                stored = metadata.schema.to_arrow_schema()
            except (OSError, pa.ArrowException) as error:
                raise unreadable(path, error) from None
            missing = [name for name in wanted if name not in stored.names]
            if missing:
                raise InputError(
                    path,
                    f"table {table!r} lacks the column(s) {', '.join(missing)} of the schema",
                    REBUILD,
                )
            files.shards[table].append(Shard(table, path, metadata.num_rows, stored))
    return files


@check(
    "schema-columns",
    severity="error",
    level=Level.SCHEMA,
    kind="python",
    scope="files",
    tables=TABLE_NAMES,
    description="Every Parquet shard of a table has exactly the schema's columns, in the "
    "schema's order (a missing table or column is an input error).",
)
def schema_columns(shard: Shard) -> list[Violation]:
    wanted = schema().tables[shard.table].column_names
    if shard.arrow_schema.names == wanted:
        return []
    return [
        Violation(
            shard.table,
            f"{shard.table}:{shard.path.name}",
            f"columns {', '.join(shard.arrow_schema.names)}",
            f"columns {', '.join(wanted)}",
        )
    ]


@check(
    "schema-types",
    severity="error",
    level=Level.SCHEMA,
    kind="python",
    scope="files",
    tables=TABLE_NAMES,
    description="Every column of every Parquet shard has the Arrow type generated from the "
    "schema, and the Hugging Face features are stored in the schema metadata.",
)
def schema_types(shard: Shard) -> list[Violation]:
    generated = schema().arrow_schema(shard.table)
    stored = shard.arrow_schema
    findings: list[Violation] = []
    wanted = generated.metadata.get(b"huggingface")
    if (stored.metadata or {}).get(b"huggingface") != wanted:
        findings.append(
            Violation(
                shard.table,
                f"{shard.table}:{shard.path.name}:huggingface-metadata",
                "other Hugging Face features in the schema metadata",
                "the features generated from the schema",
            )
        )
    for column in generated:
        found = stored.field(column.name).type
        if not found.equals(column.type):
            findings.append(
                Violation(
                    shard.table,
                    f"{shard.table}:{shard.path.name}:{column.name}",
                    str(found),
                    str(column.type),
                )
            )
    return findings
