"""The dataset folder as the validator finds it: which Parquet shards hold which table, and
the level-1 checks on each shard's own schema.

Reading anything that is not a dataset the validator can judge (no tables, a missing table
or column, a file that is not Parquet or is cut short) is an input error naming the file,
not a validation finding: there are no rows to judge.

The shards are also judged against the list the folder carries of them: a build's
``MANIFEST.json`` (each shard's sha256 and rows) or a release's ``SHA256SUMS``, since that
list is what a user trusts to say which bytes were built. A listing that disagrees with
the disk fails level 1; the rows are still judged, as the list is a claim about the files,
not about the rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs

from dataset.digests import sha256_of_stream
from dataset.errors import InputError
from dataset.schema import Schema, portable_features
from dataset.shards import Location, all_shards, locate
from validation.checks import FolderCheck, Level, ShardCheck, check
from validation.failures import Violation
from validation.manifest import manifest_tables

REBUILD = "rebuild the dataset with python -m dataset build (or restore the file)"
#: The shard lists a folder may carry: the build's manifest (dataset.builder.output writes
#: it; validation does not import the build) and a release's checksums.
MANIFEST_NAME = "MANIFEST.json"
SHA256SUMS = "SHA256SUMS"
#: A SHA256SUMS line naming a shard: ``<hex>  [data/]<table>/<file>.parquet``.
SUMS_SHARD = re.compile(r"([0-9a-f]{64}) [ *](?:data/)?([^/\s]+/[^/\s]+\.parquet)")


@dataclass(frozen=True)
class Shard:
    table: str
    path: Path
    rows: int
    arrow_schema: pa.Schema
    #: Where a reader elsewhere (Spark's) finds it: an absolute path, or the location's URI.
    uri: str = ""


@dataclass
class DatasetFiles:
    folder: Path
    shards: dict[str, list[Shard]] = field(default_factory=dict)
    #: Where the folder and shard paths are read (a URI's filesystem on Spark).
    filesystem: fs.FileSystem = field(default_factory=fs.LocalFileSystem)
    #: The build manifest to judge the shards by, when it is not in the folder (the
    #: release gate's: a release folder holds the build's shards without its manifest).
    manifest: Path | None = None
    #: The shard lists the folder carries, once read (``listings``: two checks ask).
    listed: list[Listing] | None = field(default=None, repr=False)

    def rows(self, table: str) -> int:
        return sum(shard.rows for shard in self.shards.get(table, []))


def unreadable(path: Path | str, error: Exception) -> InputError:
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return InputError(path, f"not a readable Parquet file ({first})", REBUILD)


def open_dataset(location: str | Path, schema: Schema) -> DatasetFiles:
    """Find every table's shards (``dataset.shards``: a local folder or a URI) and read their
    footers; anything unreadable is an InputError naming the file."""
    where = locate(location)
    if where.local and not where.is_folder():
        raise InputError(Path(location), "no such dataset folder", "build it first: nox -s build")
    found = all_shards(where, schema.table_names, REBUILD)
    folder = Path(location) if where.local else Path(PurePosixPath(where.base))
    files = DatasetFiles(folder=folder, filesystem=where.filesystem)
    for table, paths in found.items():
        wanted = schema.tables[table].column_names
        files.shards[table] = [_footer(where, table, path, wanted) for path in paths]
    return files


def _footer(where: Location, table: str, path: str, wanted: list[str]) -> Shard:
    """A shard's row count and Arrow schema, read from its footer."""
    named = where.where(path)
    try:
        with where.filesystem.open_input_file(path) as handle:
            metadata = pq.ParquetFile(handle).metadata
            stored = metadata.schema.to_arrow_schema()
    except (OSError, pa.ArrowException) as error:
        raise unreadable(named, error) from None
    missing = [name for name in wanted if name not in stored.names]
    if missing:
        raise InputError(
            named,
            f"table {table!r} lacks the column(s) {', '.join(missing)} of the schema",
            REBUILD,
        )
    uri = str(Path(path).resolve()) if where.local else where.uri(path)
    return Shard(table, Path(path), metadata.num_rows, stored, uri)


@check(
    "schema-columns",
    severity="error",
    level=Level.SCHEMA,
    kind=ShardCheck,
    description="Every Parquet shard of a table has exactly the schema's columns, in the "
    "schema's order (a missing table or column is an input error).",
)
def schema_columns(shard: Shard, spec: Schema) -> list[Violation]:
    wanted = spec.tables[shard.table].column_names
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


def same_features(stored: bytes | None, wanted: bytes | None) -> bool:
    """Whether stored Hugging Face features are the generated ones as ``datasets`` reads
    them: a list written as datasets 4's ``List`` is the ``Sequence`` the schema writes now
    (which datasets 3 reads too), so files built before that change stay valid."""
    if stored is None or wanted is None:
        return stored == wanted
    try:
        return bool(portable_features(json.loads(stored)) == json.loads(wanted))
    except ValueError:
        return False


@check(
    "schema-types",
    severity="error",
    level=Level.SCHEMA,
    kind=ShardCheck,
    description="Every column of every Parquet shard has the Arrow type generated from the "
    "schema, and the Hugging Face features are stored in the schema metadata.",
)
def schema_types(shard: Shard, spec: Schema) -> list[Violation]:
    generated = spec.arrow_schema(shard.table)
    stored = shard.arrow_schema
    findings: list[Violation] = []
    wanted = generated.metadata.get(b"huggingface")
    if not same_features((stored.metadata or {}).get(b"huggingface"), wanted):
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


@dataclass(frozen=True)
class Listing:
    """What a MANIFEST.json or SHA256SUMS says of the shards: by ``<table>/<file>``, the
    sha256 and (the manifest only) the rows; ``problem`` when it cannot be read."""

    name: str
    shards: dict[str, tuple[str, int | None]]
    problem: str | None = None


def _read_text(files: DatasetFiles, path: Path) -> str | None:
    """The file's text, None when there is no such file."""
    where = _fs_path(files, path)
    if files.filesystem.get_file_info(where).type != fs.FileType.File:
        return None
    with files.filesystem.open_input_stream(where) as stream:
        data: bytes = stream.read()
    return data.decode("utf-8", errors="replace")


def _fs_path(files: DatasetFiles, path: Path) -> str:
    local = isinstance(files.filesystem, fs.LocalFileSystem)
    return str(path.absolute()) if local else path.as_posix()


def _manifest_shards(files: DatasetFiles, manifest: Path) -> dict[str, tuple[str, int | None]]:
    """The shards a build manifest lists (``validation.manifest``: read without keeping its
    list of inputs); ValueError when it is not one."""
    with files.filesystem.open_input_stream(_fs_path(files, manifest)) as stream:
        tables = manifest_tables(stream)
    if not isinstance(tables, dict):
        raise ValueError("it has no 'tables' mapping")
    shards: dict[str, tuple[str, int | None]] = {}
    for table, entry in tables.items():
        for record in entry["files"]:
            path, digest, rows = record["path"], record["sha256"], record["rows"]
            if not (isinstance(path, str) and isinstance(digest, str) and type(rows) is int):
                raise ValueError(f"a file record of {table!r} is not path, sha256 and rows")
            shards[path] = (digest, rows)
    return shards


def listings(files: DatasetFiles) -> list[Listing]:
    """The shard lists the folder carries (or the one it was given), none when it has
    neither a manifest nor SHA256SUMS; shards of tables the schema does not know are left
    to whoever wrote them."""
    if files.listed is not None:
        return files.listed
    found: list[Listing] = []
    manifest = files.manifest or files.folder / MANIFEST_NAME
    if files.filesystem.get_file_info(_fs_path(files, manifest)).type == fs.FileType.File:
        try:
            shards = _of_tables(files, _manifest_shards(files, manifest))
            found.append(Listing(manifest.name, shards))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            problem = f"not a build manifest ({type(error).__name__}: {error})"
            found.append(Listing(manifest.name, {}, problem))
    text = _read_text(files, files.folder / SHA256SUMS)
    if text is not None:
        sums = [SUMS_SHARD.fullmatch(line) for line in text.splitlines()]
        listed: dict[str, tuple[str, int | None]] = {
            m.group(2): (m.group(1), None) for m in sums if m is not None
        }
        found.append(Listing(SHA256SUMS, _of_tables(files, listed)))
    files.listed = found
    return found


def _of_tables(
    files: DatasetFiles, shards: dict[str, tuple[str, int | None]]
) -> dict[str, tuple[str, int | None]]:
    """The listed shards of the tables the folder was opened with (every table of the
    run's schema)."""
    return {key: value for key, value in shards.items() if key.split("/")[0] in files.shards}


def _sha256(files: DatasetFiles, path: Path) -> str:
    with files.filesystem.open_input_stream(_fs_path(files, path)) as stream:
        return sha256_of_stream(stream)


@check(
    "manifest-present",
    severity="warning",
    level=Level.SCHEMA,
    kind=FolderCheck,
    tables=(),
    description="The folder carries a list of its shards to check them against: the build's "
    "MANIFEST.json or a release's SHA256SUMS (a release's data/ copied alone has neither).",
)
def manifest_present(files: DatasetFiles) -> list[Violation]:
    if listings(files):
        return []
    return [
        Violation(
            "files",
            MANIFEST_NAME,
            f"neither {MANIFEST_NAME} nor {SHA256SUMS} in {files.folder}, so nothing says "
            "which bytes were built",
            f"the build's {MANIFEST_NAME} (or the release's {SHA256SUMS}) beside the tables",
        )
    ]


@check(
    "manifest-matches",
    severity="error",
    level=Level.SCHEMA,
    kind=FolderCheck,
    tables=(),
    description="Every Parquet shard on disk is listed in the build's MANIFEST.json with its "
    "sha256 and row count (a release's SHA256SUMS: its sha256), and every shard listed is on "
    "disk; a manifest that cannot be read fails.",
)
def manifest_matches(files: DatasetFiles) -> list[Violation]:
    on_disk = {
        f"{shard.table}/{shard.path.name}": shard
        for shards in files.shards.values()
        for shard in shards
    }
    digests: dict[str, str] = {}
    findings: list[Violation] = []
    for listing in listings(files):
        if listing.problem is not None:
            findings.append(
                Violation("files", listing.name, listing.problem, f"a readable {listing.name}")
            )
            continue
        for key, shard in on_disk.items():
            if key not in listing.shards:
                findings.append(_unlisted(shard, key, listing.name))
                continue
            if key not in digests:
                digests[key] = _sha256(files, shard.path)
            findings += _differences(shard, key, digests[key], listing)
        findings += [
            Violation(key.split("/")[0], key, "no such shard", f"the shard {listing.name} lists")
            for key in sorted(listing.shards.keys() - on_disk.keys())
        ]
    return findings


def _unlisted(shard: Shard, key: str, name: str) -> Violation:
    return Violation(shard.table, key, f"a shard {name} does not list", f"only shards {name} lists")


def _differences(shard: Shard, key: str, digest: str, listing: Listing) -> list[Violation]:
    listed, rows = listing.shards[key]
    found: list[Violation] = []
    if digest != listed:
        found.append(
            Violation(shard.table, key, f"sha256 {digest}", f"sha256 {listed} ({listing.name})")
        )
    if rows is not None and rows != shard.rows:
        found.append(
            Violation(shard.table, key, f"{shard.rows} rows", f"{rows} rows ({listing.name})")
        )
    return found
