"""Writing the Parquet tables deterministically and publishing them atomically.

Determinism: fixed row order, fixed writer options, no timestamps anywhere, so the same
inputs and the same locked libraries give byte-identical files. Atomicity: everything is
written into a hidden temporary folder beside the target and moved into place only when the
whole build succeeded, so a failed build never leaves half-written output behind and never
touches the previous build.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dataset.errors import InputError

MANIFEST_NAME = "MANIFEST.json"
#: Writer options are part of the output's bytes; changing one is a new dataset version.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "write_page_index": False,
    "store_schema": True,
}
#: Rows per Parquet row group: small enough to stream, large enough to compress well.
ROW_GROUP_ROWS = 65_536
#: Default bound on rows per shard file; ``--shard-rows`` changes it.
DEFAULT_SHARD_ROWS = 1_000_000


def git_blob_id(data: bytes) -> str:
    """What ``git hash-object`` prints for these bytes: a content address that finds the
    exact bytes of an input in any clone with history (``git cat-file blob``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ShardedTableWriter:
    """Appends batches of one table to ``<folder>/<table>-NNNNN.parquet`` files, starting a
    new file whenever the current one reaches ``shard_rows`` rows."""

    def __init__(self, folder: Path, table: str, schema: pa.Schema, shard_rows: int) -> None:
        self.folder = folder
        self.table = table
        self.schema = schema
        self.shard_rows = shard_rows
        self.paths: list[Path] = []
        self.rows: list[int] = []
        self._writer: pq.ParquetWriter | None = None

    def _open(self) -> pq.ParquetWriter:
        path = self.folder / f"{self.table}-{len(self.paths):05d}.parquet"
        self.paths.append(path)
        self.rows.append(0)
        return pq.ParquetWriter(path, self.schema, **PARQUET_OPTIONS)

    def write(self, batch: pa.Table) -> None:
        offset = 0
        while offset < batch.num_rows:
            if self._writer is None or self.rows[-1] >= self.shard_rows:
                self.close()
                self._writer = self._open()
            take = min(self.shard_rows - self.rows[-1], batch.num_rows - offset)
            self._writer.write_table(batch.slice(offset, take), row_group_size=ROW_GROUP_ROWS)
            self.rows[-1] += take
            offset += take

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def finish(self) -> None:
        """Close the last shard; a table with no rows still gets one (empty) file, so every
        table can be loaded the same way."""
        if not self.paths:
            self._writer = self._open()
        self.close()


def _is_previous_build(folder: Path) -> bool:
    return (folder / MANIFEST_NAME).is_file()


@contextmanager
def staged_output(target: Path) -> Iterator[Path]:
    """A temporary folder that replaces ``target`` when the block ends without error and is
    deleted otherwise. Refuses to replace a non-empty folder that is not a previous build."""
    target = target.resolve()
    if target.exists() and any(target.iterdir()) and not _is_previous_build(target):
        raise InputError(
            target,
            f"the output folder exists and is not a previous build (it has no {MANIFEST_NAME})",
            "choose an empty or new --out folder; the build never deletes other files",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = target.parent / f".{target.name}.previous"
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def write_json(path: Path, data: Any) -> Path:
    """JSON as every manifest and metadata file of the project is written: indented, UTF-8,
    a final newline. Streamed to disk: for 100k articles the build manifest lists 200k
    inputs, and building the whole string first would be the build's largest allocation."""
    with path.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return path
