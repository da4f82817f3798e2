"""The build as every release writer sees it, read once.

A release is made from one finished build: its tables are read into memory once, its shard
hashes, sizes and row counts are taken from the build's MANIFEST.json (the build hashed
each shard as it wrote it), and the counts the card, chart, changelog and manifest show
are computed once from those tables. Every writer receives this bundle and never opens a
Parquet file or hashes a shard again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dataset.errors import InputError
from dataset.owned import MANIFEST_NAME
from dataset.project import GUIDELINES_PATH
from dataset.release.counts import Counts, count, languages
from dataset.release.info import ReleaseInfo
from dataset.release.layout import DATA_DIR
from dataset.schema import Schema


@dataclass(frozen=True)
class DataFile:
    """One Parquet shard as shipped: its path inside the release and the build's record."""

    table: str
    #: POSIX path inside the release folder, ``data/<table>/<table>-NNNNN.parquet``.
    path: str
    sha256: str
    bytes: int
    rows: int

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def stem(self) -> str:
        return self.name.removesuffix(".parquet")


@dataclass(frozen=True)
class Bundle:
    """Everything a release file is generated from."""

    info: ReleaseInfo
    #: The build folder the shards are copied from.
    build: Path
    #: The build's MANIFEST.json.
    manifest: Mapping[str, Any]
    #: Every table, all shards concatenated in order.
    tables: Mapping[str, pa.Table]
    files: tuple[DataFile, ...]
    counts: Counts
    #: Languages of the articles (BCP-47 primary subtags), sorted.
    languages: tuple[str, ...]
    #: The annotation guidelines, as the release ships them.
    guidelines: bytes

    @property
    def schema(self) -> Schema:
        """The schema the release follows (its file's bytes are what it ships)."""
        return self.info.schema

    def files_of(self, table: str) -> list[DataFile]:
        return [file for file in self.files if file.table == table]

    def rows(self, table: str, columns: list[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.tables[table].select(columns).to_pylist()
        return rows


def read_build_manifest(build: Path) -> dict[str, Any]:
    path = build / MANIFEST_NAME
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            path,
            "the build folder has no manifest, so it is not a finished build",
            "release from a folder written by `python -m dataset build`",
        ) from None
    return data


def data_files(manifest: Mapping[str, Any], spec: Schema) -> tuple[DataFile, ...]:
    """The shards the build wrote, as the release will hold them, tables in schema order."""
    return tuple(
        DataFile(
            table=table,
            path=f"{DATA_DIR}/{entry['path']}",
            sha256=entry["sha256"],
            bytes=entry["bytes"],
            rows=entry["rows"],
        )
        for table in spec.table_names
        for entry in manifest["tables"][table]["files"]
    )


def _read_table(build: Path, table: str, files: list[DataFile], spec: Schema) -> pa.Table:
    shards = [pq.read_table(build / file.path.removeprefix(f"{DATA_DIR}/")) for file in files]
    return pa.concat_tables(shards) if shards else spec.arrow_schema(table).empty_table()


def load_bundle(build: Path, info: ReleaseInfo) -> Bundle:
    """Read a finished build once (its manifest and every table), and the guidelines a
    release ships beside it; the schema is ``info``'s."""
    spec = info.schema
    manifest = read_build_manifest(build)
    files = data_files(manifest, spec)
    tables = {
        table: _read_table(build, table, [f for f in files if f.table == table], spec)
        for table in spec.table_names
    }
    return Bundle(
        info=info,
        build=build,
        manifest=manifest,
        tables=tables,
        files=files,
        counts=count(tables, spec),
        languages=languages(tables["articles"]),
        guidelines=GUIDELINES_PATH.read_bytes(),
    )
