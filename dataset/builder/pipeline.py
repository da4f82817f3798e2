"""Build the dataset's Parquet tables from a folder of PTC-format files.

The build reads ``article<ID>.txt`` files and
their label files (18 PTC technique names or 14 SemEval-2020 class names), in batches so
memory stays flat, and writes ``<out>/<table>/<table>-NNNNN.parquet`` for the articles,
spans, lines and techniques tables plus a MANIFEST.json of input and output hashes.
The output folder is replaced only when the whole build succeeds.
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from tqdm import tqdm

from dataset.builder.output import (
    DEFAULT_SHARD_ROWS,
    PARQUET_OPTIONS,
    ROW_GROUP_ROWS,
    InputLog,
    ShardedTableWriter,
    WriteBehind,
    staged_output,
    write_manifest,
)
from dataset.builder.tables import BATCHED_TABLES, TableBatch, techniques_table
from dataset.digests import sha256_of
from dataset.errors import InputError
from dataset.owned import GENERATOR, MANIFEST_NAME, check_apart, die_at, files_in
from dataset.project import BUILD_DIR, RAW_DIR, REPO_ROOT, dataset_version
from dataset.ptc.corpus import DEFAULT_LAYER, Corpus, discover, implied_layer
from dataset.schema import Schema, load_schema

DEFAULT_BATCH_ARTICLES = 1_000
#: Below this many articles a progress bar is noise.
PROGRESS_MIN_ARTICLES = 200
#: Libraries whose versions decide the output's bytes, recorded in the manifest.
BYTE_SHAPING_LIBRARIES = ("pyarrow", "datasets", "pyyaml")


@dataclass(frozen=True)
class CorpusName:
    """What a build says the corpus is: a name and, optionally, a version."""

    name: str
    version: str | None = None

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name} {self.version}"


def project_corpus(spec: Schema) -> CorpusName:
    """This project's own dataset, at the version in pyproject.toml."""
    return CorpusName(spec.dataset.name, dataset_version())


def name_of(source: Path, requested: CorpusName | None, spec: Schema) -> CorpusName | None:
    """The name asked for; else this project's dataset when the source is its own raw
    folder; else none, so another corpus is never stamped as this dataset's release."""
    if requested is not None:
        return requested
    return project_corpus(spec) if source.resolve() == RAW_DIR.resolve() else None


def _identity(corpus: CorpusName | None) -> dict[str, Any]:
    if corpus is None:
        return {
            "dataset": None,
            "version": None,
            "note": "an unnamed corpus (python -m dataset build --name NAME --version VERSION "
            "names one)",
        }
    return {"dataset": corpus.name, "version": corpus.version}


@dataclass(frozen=True)
class BuildResult:
    """Where the build went and its manifest without the list of inputs (``summary``);
    ``manifest`` reads the whole MANIFEST.json when asked, since for a million articles
    its inputs are two million records."""

    out: Path
    summary: dict[str, Any]

    @cached_property
    def manifest(self) -> dict[str, Any]:
        manifest: dict[str, Any] = json.loads((self.out / MANIFEST_NAME).read_text("utf-8"))
        return manifest

    def rows(self, table: str) -> int:
        return int(self.summary["tables"][table]["rows"])


def choose_label_layer(corpus: Corpus, requested: str | None) -> str | None:
    """The layer whose spans label the lines: the one asked for, else the only
    layer, else ``gold``; several layers and no choice is an error, not a silent pick."""
    layers = corpus.layers
    if requested is not None:
        if layers and requested not in layers:
            raise InputError(
                corpus.root,
                f"--label-layer {requested!r} is not a layer of this corpus "
                f"(layers: {', '.join(layers)})",
                "pass one of the layers found, named by the label files article<ID>.<layer>.labels",
            )
        return requested
    implied = implied_layer(layers)
    if implied is not None or not layers:
        return implied
    raise InputError(
        corpus.root,
        f"the corpus has several annotation layers ({', '.join(layers)}) and none is "
        f"called {DEFAULT_LAYER!r}",
        "pass --label-layer NAME to say which layer labels the lines table",
    )


def _file_record(path: Path, root: Path) -> dict[str, Any]:
    return {
        "path": path.relative_to(root).as_posix(),
        "sha256": sha256_of(path),
        "bytes": path.stat().st_size,
    }


def build(
    source: Path = RAW_DIR,
    out: Path = BUILD_DIR,
    *,
    label_layer: str | None = None,
    lines: bool = True,
    default_layer: str = DEFAULT_LAYER,
    batch_articles: int = DEFAULT_BATCH_ARTICLES,
    shard_rows: int = DEFAULT_SHARD_ROWS,
    progress: bool | None = None,
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
    gate: Callable[[Path], None] | None = None,
    named: CorpusName | None = None,
    follow_symlinks: bool = False,
    spec: Schema | None = None,
) -> BuildResult:
    """Build the tables into ``out``. ``gate`` sees the finished folder before it replaces
    ``out`` and can veto it by raising, so data that fails validation never lands. ``named``
    names the corpus in MANIFEST.json (see :func:`name_of`). ``follow_symlinks``
    reads what symlinks in ``source`` point at outside it (see ``dataset.ptc.walk``). ``spec``
    is the schema the tables follow (None: ``PROPAGANDA_SPANS_SCHEMA`` or the default, read
    now)."""
    spec = spec or load_schema()
    corpus_name = name_of(source, named, spec)
    source = source.resolve()
    check_apart(out, source)
    corpus = _read_corpus(source, default_layer, follow_symlinks, spec, log)
    layer = choose_label_layer(corpus, label_layer)
    batch = TableBatch(layer, spec, lines=lines)
    with staged_output(out) as staging, WriteBehind() as behind:
        inputs = InputLog(staging)
        writers = _open_writers(staging, spec, shard_rows)
        show = progress if progress is not None else len(corpus.articles) >= PROGRESS_MIN_ARTICLES
        for article in tqdm(corpus.articles, desc="articles", unit="art", disable=not show):
            batch.add(article)
            if batch.articles >= batch_articles:
                _flush(batch, writers, inputs, behind)
        _flush(batch, writers, inputs, behind)
        behind.wait()
        writers["techniques"].write(techniques_table(spec))
        for writer in writers.values():
            writer.finish()
        options = _options(layer, lines=lines, default_layer=default_layer, shard_rows=shard_rows)
        manifest = _manifest(corpus, staging, writers, options=options, name=corpus_name, spec=spec)
        write_manifest(staging, manifest, inputs)
        if gate is not None:
            gate(staging)
    return BuildResult(out=out.resolve(), summary=manifest)


def _read_corpus(
    source: Path,
    default_layer: str,
    follow_symlinks: bool,
    spec: Schema,
    log: Callable[[str], None],
) -> Corpus:
    """The corpus in ``source``, which must hold an article; the files it leaves unread are
    logged, so a user sees what the build did not take."""
    corpus = discover(
        source, default_layer=default_layer, follow_symlinks=follow_symlinks, spec=spec
    )
    if not corpus.articles:
        raise InputError(
            source,
            "no article<ID>.txt files were found",
            "point --source at a folder holding PTC-format articles",
        )
    for path in corpus.skipped:
        log(f"note: skipping span-identification file {path.relative_to(source)}")
    for path in corpus.unfollowed:
        log(f"note: not reading the linked folder {path.relative_to(source)} (--follow-symlinks)")
    return corpus


def _open_writers(staging: Path, spec: Schema, shard_rows: int) -> dict[str, ShardedTableWriter]:
    """A writer for each table of the schema, in a folder of its own under ``staging``."""
    writers = {
        name: ShardedTableWriter(staging / name, name, spec.arrow_schema(name), shard_rows)
        for name in spec.table_names
    }
    for writer in writers.values():
        writer.folder.mkdir()
    return writers


def _flush(
    batch: TableBatch,
    writers: dict[str, ShardedTableWriter],
    inputs: InputLog,
    behind: WriteBehind,
) -> None:
    """Turn the batch's articles into tables and hand their writing, and the logging of
    their input files, to the write-behind thread, so reading the next batch overlaps it."""
    articles = batch.pending
    tables = batch.tables()
    files, batch.files = batch.files, {}

    def write() -> None:
        for name in BATCHED_TABLES:
            writers[name].write(tables[name])
        digests = tables["articles"].column("sha256").to_pylist()
        for article, digest in zip(articles, digests, strict=True):
            for name in article.input_files:
                known = digest if name == article.article else None
                inputs.add(name, files[article.absolute(name)], known)

    behind.submit(write)
    die_at("build:batch")


def _options(
    layer: str | None, *, lines: bool, default_layer: str, shard_rows: int
) -> dict[str, Any]:
    """The build options that shape the output, as MANIFEST.json records them."""
    return {
        "label_layer": layer,
        "lines": lines,
        "default_layer": default_layer,
        "shard_rows": shard_rows,
        "row_group_rows": ROW_GROUP_ROWS,
        "parquet": PARQUET_OPTIONS,
    }


def _tables(staging: Path, writers: dict[str, ShardedTableWriter]) -> dict[str, Any]:
    """Each table's rows and files (path, sha256, bytes, rows), as MANIFEST.json lists them."""
    return {
        name: {
            "rows": sum(writer.rows),
            "files": [
                {**_file_record(path, staging), "rows": rows}
                for path, rows in zip(writer.paths, writer.rows, strict=True)
            ],
        }
        for name, writer in writers.items()
    }


def _schema_record(spec: Schema) -> dict[str, Any]:
    """The schema file the tables follow: its path in the checkout (else its name) and sha256."""
    inside = spec.source.is_relative_to(REPO_ROOT)
    path = spec.source.relative_to(REPO_ROOT).as_posix() if inside else spec.source.name
    return {"path": path, "sha256": spec.sha256}


def _manifest(
    corpus: Corpus,
    staging: Path,
    writers: dict[str, ShardedTableWriter],
    *,
    options: dict[str, Any],
    name: CorpusName | None,
    spec: Schema,
) -> dict[str, Any]:
    """The manifest, its ``inputs`` left to the InputLog."""
    return {
        "generator": GENERATOR,
        **_identity(name),
        "schema": _schema_record(spec),
        "options": options,
        "layers": corpus.layers,
        "inputs": None,
        "tables": _tables(staging, writers),
        "libraries": {
            "python": platform.python_version(),
            **{name: installed_version(name) for name in BYTE_SHAPING_LIBRARIES},
        },
        # Every file of the build, so a later build knows it may replace the folder.
        "files": sorted((files_in(staging) - {InputLog.NAME}) | {MANIFEST_NAME}),
    }
