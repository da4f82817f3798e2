"""Writing the Parquet tables deterministically and publishing them atomically.

Determinism: fixed row order, fixed writer options, no timestamps anywhere, so the same
inputs and the same locked libraries give byte-identical files. Atomicity: everything is
written into a hidden temporary folder beside the target and moved into place only when the
whole build succeeded, so a failed build never leaves half-written output behind and never
touches the previous build (see ``dataset.owned``, which also decides which folders a
build may replace).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dataset import owned
from dataset.digests import git_blob_id
from dataset.files import write_json
from dataset.owned import replacing

#: The build's manifest (named in ``dataset.owned``, where it marks a folder as a build).
MANIFEST_NAME = owned.MANIFEST_NAME

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
#: The most rows in one Parquet row group. Each batch of ``--batch-articles`` articles is
#: written as its own row group(s), so a row group is one batch (1,000 articles: about
#: 16,000 spans, 30,000 lines, 5 MB of text) unless a batch has more rows than this; why
#: 1,000 articles is in BENCHMARKS.md ("Row groups").
ROW_GROUP_ROWS = 65_536
#: Default bound on rows per shard file; ``--shard-rows`` changes it.
DEFAULT_SHARD_ROWS = 1_000_000


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


class WriteBehind:
    """Runs write jobs one at a time in a background thread, so a batch is compressed and
    written while the next one is built (pyarrow releases the GIL while it writes). Jobs
    run in the order given, so the files are the same as written in line; at most one job
    waits, so at most two batches are in memory. Leaving the block waits for the last job;
    its error is raised unless the block is already failing."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write-behind")
        self._pending: Future[None] | None = None

    def __enter__(self) -> WriteBehind:
        return self

    def submit(self, job: Callable[[], None]) -> None:
        self.wait()
        self._pending = self._executor.submit(job)

    def wait(self) -> None:
        """Wait for the job in flight; raise its error."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self.wait()
            elif self._pending is not None:
                self._pending.exception()  # finish, but the block's own error wins
        finally:
            self._executor.shutdown()


@contextmanager
def staged_output(target: Path) -> Iterator[Path]:
    """A scratch folder that replaces ``target`` when the block ends without error and is
    removed otherwise; ``target`` must be new, empty or a build (see ``dataset.owned``)."""
    with replacing(target, "--out", "build") as replacement:
        staging = replacement.scratch()
        yield staging
        replacement.step("written")
        replacement.place(staging)


#: Strings JSON writes as they are, between quotes (no quote, backslash or control code).
_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*')


class InputLog:
    """The manifest's list of input files, written to a scratch file in the staging folder
    batch by batch: a million articles are two million records, too many to hold. The
    records are formatted exactly as ``json.dump(..., indent=2)`` formats them in place."""

    NAME = ".inputs.part"
    _RECORD = (
        '    {{\n      "path": {path},\n      "sha256": "{sha256}",\n'
        '      "git_blob": "{git_blob}",\n      "bytes": {size}\n    }}'
    )

    def __init__(self, folder: Path) -> None:
        self.path = folder / self.NAME
        self._handle = self.path.open("w", encoding="utf-8")
        self.count = 0

    def add(self, path: str, data: bytes, sha256: str | None = None) -> None:
        """One input file, by its path relative to the source and its bytes; ``sha256`` is
        their digest when the caller has it already (the articles table holds every
        article's), so the bulk of the input is not hashed twice."""
        if sha256 is None:
            sha256 = hashlib.sha256(data).hexdigest()
        git_blob, size = git_blob_id(data), len(data)
        quoted = f'"{path}"' if _PLAIN.fullmatch(path) else json.dumps(path, ensure_ascii=False)
        record = self._RECORD.format(path=quoted, sha256=sha256, git_blob=git_blob, size=size)
        self._handle.write(record if not self.count else ",\n" + record)
        self.count += 1

    def close(self) -> None:
        self._handle.close()


#: Stands in for the inputs list while the rest of the manifest is formatted.
_INPUTS_PLACEHOLDER = "\x00inputs\x00"


def write_manifest(folder: Path, manifest: dict[str, Any], inputs: InputLog | None = None) -> Path:
    """Write MANIFEST.json; with ``inputs``, its ``inputs`` entry is the logged records,
    copied in from the scratch file (which is then removed), so the same bytes come out as
    if the whole list had been in ``manifest``."""
    path = folder / MANIFEST_NAME
    if inputs is None:
        return write_json(path, manifest)
    inputs.close()
    text = json.dumps({**manifest, "inputs": _INPUTS_PLACEHOLDER}, indent=2, ensure_ascii=False)
    before, after = text.split(json.dumps(_INPUTS_PLACEHOLDER), 1)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(before)
        if inputs.count:
            handle.write("[\n")
            with inputs.path.open(encoding="utf-8") as records:
                shutil.copyfileobj(records, handle)
            handle.write("\n  ]")
        else:
            handle.write("[]")
        handle.write(after + "\n")
    inputs.path.unlink()
    return path
