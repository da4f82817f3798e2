"""Reading a built dataset folder into the tables the checks run on."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dataset.schema import TABLE_NAMES


@dataclass
class LoadedDataset:
    folder: Path
    tables: dict[str, pa.Table] = field(default_factory=dict)
    #: Arrow schema of every shard, per table, for the type checks.
    shard_schemas: dict[str, list[tuple[Path, pa.Schema]]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    _lists: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    _positions: dict[str, np.ndarray] = field(default_factory=dict)

    def array(self, table: str, name: str) -> pa.ChunkedArray:
        """A column as Arrow data; all nulls when the column is missing (the schema checks
        report that, and the other rules then see nothing to judge)."""
        data = self.tables[table]
        if name in data.column_names:
            return data.column(name)
        return pa.chunked_array([pa.nulls(data.num_rows)])

    def column(self, table: str, name: str) -> list[Any]:
        """A column as Python values, converted once per run."""
        key = (table, name)
        if key not in self._lists:
            self._lists[key] = self.array(table, name).to_pylist()
        return self._lists[key]

    def integers(self, table: str, name: str, fill: int = -1) -> np.ndarray:
        """An integer column as int64 NumPy values, nulls (and non-integers) as ``fill``."""
        values = self.array(table, name)
        if not pa.types.is_integer(values.type):
            return np.full(len(values), fill, dtype=np.int64)
        filled = pc.fill_null(values.cast(pa.int64()), fill)
        return np.asarray(filled.to_numpy(), dtype=np.int64)

    @cached_property
    def article_texts(self) -> list[str | None]:
        return self.column("articles", "text") if "articles" in self.tables else []

    def article_positions(self, table: str) -> np.ndarray:
        """For each row, the position of its article in the articles table, or -1; looked
        up once per table, as most rules need it."""
        if table not in self._positions:
            if "articles" not in self.tables:
                found = np.full(self.tables[table].num_rows, -1, dtype=np.int64)
            else:
                positions = pc.index_in(
                    self.array(table, "article_id"), value_set=self.array("articles", "article_id")
                )
                found = np.asarray(pc.fill_null(positions, -1).to_numpy(), dtype=np.int64)
            found.flags.writeable = False
            self._positions[table] = found
        return self._positions[table]


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
