"""Where the Spark engine finds a dataset: a local folder, or any URI with a filesystem
that pyarrow knows (``s3://``, ``s3a://``, ``gs://``, ``hdfs://``, ``file://``).

The level-1 checks on each shard's own schema read the Parquet footers here, on the driver,
with pyarrow (as the default engine does), since Spark does not show a file's Arrow types
or its metadata; Spark reads the rows themselves from the URIs this module returns.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs

from dataset.errors import InputError
from dataset.schema import TABLE_NAMES, schema
from validation.files import REBUILD, DatasetFiles, Shard, open_dataset

#: Schemes Spark spells differently from pyarrow.
PYARROW_SCHEMES = {"s3a": "s3", "s3n": "s3"}


def open_location(location: str) -> tuple[DatasetFiles, dict[str, list[str]]]:
    """The dataset's shards (footers read) and, per table, the URIs Spark reads them from."""
    if "://" not in location:
        files = open_dataset(Path(location))
        return files, {
            table: [str(shard.path.resolve()) for shard in shards]
            for table, shards in files.shards.items()
        }
    return _open_uri(location)


def _open_uri(location: str) -> tuple[DatasetFiles, dict[str, list[str]]]:
    scheme, _, rest = location.partition("://")
    try:
        filesystem, base = fs.FileSystem.from_uri(f"{PYARROW_SCHEMES.get(scheme, scheme)}://{rest}")
    except (pa.ArrowException, OSError, ValueError) as error:
        raise InputError(
            location, f"no filesystem for this location ({error})", "check the URI"
        ) from None
    # What Spark needs before pyarrow's path: "s3a://", "file://", "hdfs://host:port".
    trimmed = location.rstrip("/")
    if not trimmed.endswith(base):
        raise InputError(location, "cannot tell the filesystem's path in this URI", "check the URI")
    prefix = trimmed[: len(trimmed) - len(base)]
    found: dict[str, list[str]] = {}
    for table in TABLE_NAMES:
        found[table] = []
        for folder in (f"{base}/{table}", f"{base}/data/{table}"):
            infos = filesystem.get_file_info(fs.FileSelector(folder, allow_not_found=True))
            paths = sorted(i.path for i in infos if i.is_file and i.path.endswith(".parquet"))
            if paths:
                found[table] = paths
                break
    if not any(found.values()):
        raise InputError(
            location,
            "holds no tables: no <table>/*.parquet for any of " + ", ".join(TABLE_NAMES),
            "point at a folder written by python -m dataset build (or a release folder)",
        )
    files = DatasetFiles(folder=Path(PurePosixPath(base)), filesystem=filesystem)
    uris: dict[str, list[str]] = {}
    for table, paths in found.items():
        if not paths:
            raise InputError(
                f"{location}/{table}",
                f"the table {table!r} is missing (no {table}/*.parquet)",
                REBUILD,
            )
        wanted = schema().tables[table].column_names
        files.shards[table] = []
        for path in paths:
            where = f"{prefix}{path}"
            try:
                with filesystem.open_input_file(path) as handle:
                    metadata = pq.ParquetFile(handle).metadata
                    stored = metadata.schema.to_arrow_schema()
            except (OSError, pa.ArrowException) as error:
                first = str(error).splitlines()[0] if str(error) else type(error).__name__
                raise InputError(where, f"not a readable Parquet file ({first})", REBUILD) from None
            missing = [name for name in wanted if name not in stored.names]
            if missing:
                raise InputError(
                    where,
                    f"table {table!r} lacks the column(s) {', '.join(missing)} of the schema",
                    REBUILD,
                )
            files.shards[table].append(Shard(table, Path(path), metadata.num_rows, stored))
        uris[table] = [f"{prefix}{path}" for path in paths]
    return files, uris
