"""Where the Spark engine finds a dataset: a local folder, or any URI with a filesystem
that pyarrow knows (``dataset.shards``).

The level-1 checks on each shard's own schema read the Parquet footers on the driver, with
pyarrow (as the default engine does), since Spark does not show a file's Arrow types or its
metadata; Spark reads the rows themselves from the URIs this module returns.
"""

from __future__ import annotations

from validation.files import DatasetFiles, open_dataset


def open_location(location: str) -> tuple[DatasetFiles, dict[str, list[str]]]:
    """The dataset's shards (footers read) and, per table, the URIs Spark reads them from."""
    files = open_dataset(location)
    return files, {table: [shard.uri for shard in shards] for table, shards in files.shards.items()}
