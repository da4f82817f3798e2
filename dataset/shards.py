"""Where a dataset's Parquet shards are: one finder for a local folder and for any URI with a
filesystem pyarrow knows (``s3://``, ``s3a://``, ``gs://``, ``hdfs://``, ``file://``).

A table's shards are ``<table>/*.parquet`` below the folder (the builder's layout) or, when
there are none, ``data/<table>/*.parquet`` (a release's, as the Hub lays datasets out), in
sorted order: the order the builder wrote them in and the order every reader takes them in.
A foundation module: validation (both engines), the loaders (``dataset.evaluation.gold``)
and the release find shards, and none should ask another layer how.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from pyarrow import fs

from dataset.errors import InputError

#: Where a release keeps its tables, below its folder.
DATA_DIR = "data"
SUFFIX = ".parquet"
#: Schemes Spark spells differently from pyarrow.
PYARROW_SCHEMES = {"s3a": "s3", "s3n": "s3"}


def is_uri(location: str | Path) -> bool:
    return "://" in str(location)


@dataclass(frozen=True)
class Location:
    """A dataset folder on its filesystem: ``base`` is its path there, and ``prefix`` turns
    such a path back into the location's own spelling (``s3a://bucket``, ``file://``; empty
    for a local path), which is what Spark reads."""

    given: str
    filesystem: fs.FileSystem
    base: str
    prefix: str = ""

    @property
    def local(self) -> bool:
        """Given as a path on this machine (not as a URI)."""
        return not self.prefix

    def uri(self, path: str) -> str:
        return f"{self.prefix}{path}"

    def where(self, path: str) -> Path | str:
        """A path as errors name it: a Path on this machine, the URI elsewhere."""
        return Path(path) if self.local else self.uri(path)

    def is_folder(self) -> bool:
        return bool(self.filesystem.get_file_info(self.base).type == fs.FileType.Directory)

    def shards(self, table: str) -> list[str]:
        """The table's shards as paths on the filesystem, sorted; none when it has none."""
        for folder in (f"{self.base}/{table}", f"{self.base}/{DATA_DIR}/{table}"):
            if self.filesystem.get_file_info(folder).type != fs.FileType.Directory:
                continue
            infos = self.filesystem.get_file_info(fs.FileSelector(folder))
            paths = sorted(i.path for i in infos if i.is_file and i.path.endswith(SUFFIX))
            if paths:
                return paths
        return []


def locate(location: str | Path) -> Location:
    """The folder at ``location``: a local path as given, or a URI's filesystem and path."""
    if not is_uri(location):
        return Location(str(location), fs.LocalFileSystem(), Path(location).as_posix())
    given = str(location)
    scheme, _, rest = given.partition("://")
    try:
        filesystem, base = fs.FileSystem.from_uri(f"{PYARROW_SCHEMES.get(scheme, scheme)}://{rest}")
    except (pa.ArrowException, OSError, ValueError) as error:
        problem = f"no filesystem for this location ({error})"
        raise InputError(given, problem, "check the URI") from None
    # What comes before pyarrow's path: "s3a://", "file://", "hdfs://host:port".
    trimmed = given.rstrip("/")
    if not trimmed.endswith(base):
        raise InputError(given, "cannot tell the filesystem's path in this URI", "check the URI")
    return Location(given, filesystem, base, trimmed[: len(trimmed) - len(base)])


def table_shards(folder: Path, table: str) -> list[Path]:
    """A local folder's shards of ``table``, in order; none when it has none."""
    return [Path(path) for path in locate(folder).shards(table)]


def all_shards(where: Location, tables: tuple[str, ...], fix: str) -> dict[str, list[str]]:
    """Every table's shards; an InputError (with ``fix``) when the folder holds none of the
    tables, or misses one."""
    found = {table: where.shards(table) for table in tables}
    root: Path | str = Path(where.given) if where.local else where.given
    if not any(found.values()):
        raise InputError(
            root,
            "holds no tables: no <table>/*.parquet for any of " + ", ".join(tables),
            "point at a folder written by python -m dataset build (or a release folder)",
        )
    for table, paths in found.items():
        if not paths:
            raise InputError(
                root / table if isinstance(root, Path) else f"{root}/{table}",
                f"the table {table!r} is missing (no {table}/*.parquet)",
                fix,
            )
    return found
