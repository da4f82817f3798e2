"""Reading a built dataset folder into the tables the checks run on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dataset.schema import TABLE_NAMES


@dataclass
class LoadedDataset:
    folder: Path
    tables: dict[str, pa.Table] = field(default_factory=dict)
    #: Arrow schema of every shard, per table, for the type checks.
    shard_schemas: dict[str, list[tuple[Path, pa.Schema]]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def column(self, table: str, name: str) -> list[Any]:
        """A column as Python values, or all None when the column is missing (the schema
        checks report that; the other rules then see nothing to judge)."""
        data = self.tables[table]
        if name not in data.column_names:
            return [None] * data.num_rows
        values: list[Any] = data.column(name).to_pylist()
        return values


def shard_paths(folder: Path, table: str) -> list[Path]:
    """The table's Parquet shards in the folder layout the builder writes
    (``<table>/*.parquet``) or a release's (``data/<table>/*.parquet``)."""
    for base in (folder, folder / "data"):
        paths = sorted((base / table).glob("*.parquet"))
        if paths:
            return paths
    return []


def load(folder: Path) -> LoadedDataset:
    loaded = LoadedDataset(folder=folder)
    for name in TABLE_NAMES:
        paths = shard_paths(folder, name)
        if not paths:
            loaded.missing.append(name)
            continue
        loaded.shard_schemas[name] = [(path, pq.read_schema(path)) for path in paths]
        tables = [pq.read_table(path) for path in paths]
        loaded.tables[name] = pa.concat_tables(tables, promote_options="permissive")
    return loaded
