"""The floor: the fastest plain-pyarrow program we can write that produces the build's
articles and spans tables, byte for byte, from a corpus in this project's layout.

It is what the build would cost with no checks, no messages, no manifest and no
discovery beyond two directory listings: files read with ``os.read``, all label files of
a batch parsed as one tab-separated buffer by pyarrow's CSV reader, span texts cut from
the articles' UTF-8 bytes by NumPy, span IDs joined by Arrow kernels, the same Arrow
schemas and Parquet options as the build, one row group per batch of articles, shard
files of the same size, and each batch written in a background thread while the next is
read, as the build does. Trusting its input is what makes it a floor: a malformed label
file gives wrong rows or a pyarrow exception, never a message saying which line is wrong.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from dataset.builder.output import DEFAULT_SHARD_ROWS, PARQUET_OPTIONS, ROW_GROUP_ROWS
from dataset.schema import schema

#: Articles per row group, as in the build's default batch.
BATCH_ARTICLES = 1_000
TABLES = ("articles", "spans")
LABEL_COLUMNS = ("article_id", "label", "start", "end")
READ = pv.ReadOptions(column_names=list(LABEL_COLUMNS))
PARSE = pv.ParseOptions(delimiter="\t", quote_char=False)
CONVERT = pv.ConvertOptions(
    column_types={
        "article_id": pa.string(),
        "label": pa.string(),
        "start": pa.int32(),
        "end": pa.int32(),
    }
)

EMPTY_LABELS = pa.schema(CONVERT.column_types).empty_table()


def read_bytes(path: str) -> bytes:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(descriptor).st_size
        chunks = [os.read(descriptor, size + 1)]
        while chunks[-1]:
            chunks.append(os.read(descriptor, 1 << 20))
        return b"".join(chunks)
    finally:
        os.close(descriptor)


class Labels:
    """Label names to technique and SemEval class IDs, and to their rank in sorted order
    (the build orders an article's spans by layer, start, end, then label)."""

    def __init__(self) -> None:
        spec = schema()
        classes = {label.name: label.id for label in spec.semeval_classes.labels}
        ids: dict[str, tuple[int | None, int | None]] = {
            name: (None, class_id) for name, class_id in classes.items()
        }
        for entry in spec.techniques.labels:
            klass = entry.semeval_class
            ids[entry.name] = (entry.id, classes[klass] if klass else None)
        names = sorted(ids)
        self.names = pa.array(names)
        self.technique = pa.array([ids[name][0] for name in names], pa.int64())
        self.semeval_class = pa.array([ids[name][1] for name in names], pa.int64())


def label_files(source: Path) -> dict[str, list[tuple[str, str]]]:
    """(layer, path) of every label file by article ID, layers in sorted order."""
    found: dict[str, list[tuple[str, str]]] = {}
    folder = source / "labels"
    for name in sorted(entry.name for entry in os.scandir(folder)) if folder.is_dir() else []:
        article_id, layer, _suffix = name.removeprefix("article").split(".")
        found.setdefault(article_id, []).append((layer, f"{folder}/{name}"))
    return found


def substrings(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """``data[starts[i]:ends[i]]`` for every i as one string array, gathered by NumPy."""
    lengths = ends - starts
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    gather = np.arange(offsets[-1], dtype=np.int64) + np.repeat(starts - offsets[:-1], lengths)
    return pa.LargeStringArray.from_buffers(
        len(lengths), pa.py_buffer(offsets), pa.py_buffer(data[gather])
    ).cast(pa.string())


def multibyte_code_points(data: np.ndarray) -> np.ndarray:
    """For each continuation byte (0b10xxxxxx, below -64 as a signed byte) of the UTF-8
    ``data``, the index of the code point it belongs to: its position minus the
    continuation bytes up to and including it. Empty for ASCII."""
    continuation = np.flatnonzero(data.view(np.int8) < -64)
    return continuation - np.arange(1, len(continuation) + 1)


def byte_offsets(multibyte: np.ndarray, chars: np.ndarray) -> np.ndarray:
    """Byte positions of code point indices: an index moves right by one byte per
    continuation byte of the code points before it."""
    return chars + np.searchsorted(multibyte, chars, side="left") if len(multibyte) else chars


def articles_table(
    ids: list[str], raws: list[bytes], texts: pa.Array, columns: list[str]
) -> dict[str, Any]:
    count = len(ids)
    values: dict[str, Any] = dict.fromkeys(columns, pa.nulls(count, pa.string()))
    values["article_id"] = ids
    values["title"] = [
        raw.split(b"\n", 1)[0].decode().removeprefix("\ufeff").removesuffix("\r") for raw in raws
    ]
    values["text"] = texts
    values["num_chars"] = pc.utf8_length(texts)
    values["sha256"] = [hashlib.sha256(raw).hexdigest() for raw in raws]
    values["source_file"] = [f"articles/article{article_id}.txt" for article_id in ids]
    return values


def spans_table(
    ids: list[str], texts: pa.Array, files: list[tuple[int, str, bytes]], labels: Labels
) -> dict[str, Any]:
    """The spans of a batch from its label files, given as (article index, layer, bytes)."""
    buffers = [data if data.endswith(b"\n") or not data else data + b"\n" for _, _, data in files]
    counts = np.array([data.count(b"\n") for data in buffers], dtype=np.int64)
    data = b"".join(buffers)
    rows = pv.read_csv(pa.py_buffer(data), READ, PARSE, CONVERT) if data else EMPTY_LABELS
    owner = np.repeat(np.array([index for index, _, _ in files], dtype=np.int64), counts)
    layer_names = sorted({layer for _, layer, _ in files})
    layer_of_file = np.array([layer_names.index(layer) for _, layer, _ in files], dtype=np.int64)
    layer = np.repeat(layer_of_file, counts)
    rank = pc.index_in(rows["label"], value_set=labels.names).to_numpy()
    start = rows["start"].to_numpy()
    end = rows["end"].to_numpy()
    order = np.lexsort((rank, end, start, layer, owner))
    owner, layer, rank = owner[order], layer[order], rank[order]
    start, end = start[order], end[order]
    article_id = pa.array(ids).take(pa.array(owner))
    layers = pa.array(layer_names, pa.string()).take(pa.array(layer))
    label = labels.names.take(pa.array(rank))
    first, last = pa.array(start), pa.array(end)
    offsets = pc.binary_join_element_wise(
        pc.cast(first, pa.string()), pc.cast(last, pa.string()), "-"
    )
    text_data = texts.buffers()[2]
    raw = (
        np.frombuffer(text_data, dtype=np.uint8) if text_data is not None else np.zeros(0, np.uint8)
    )
    num_chars = pc.utf8_length(texts).to_numpy().astype(np.int64)
    char_base = np.zeros(len(num_chars), dtype=np.int64)
    np.cumsum(num_chars[:-1], out=char_base[1:])
    multibyte = multibyte_code_points(raw)
    begin = byte_offsets(multibyte, char_base[owner] + start)
    stop = byte_offsets(multibyte, char_base[owner] + end)
    return {
        "span_id": pc.binary_join_element_wise(article_id, layers, offsets, label, ":"),
        "article_id": article_id,
        "layer": layers,
        "label": label,
        "technique": labels.technique.take(pa.array(rank)),
        "semeval_class": labels.semeval_class.take(pa.array(rank)),
        "start": first,
        "end": last,
        "text": substrings(raw, begin, stop),
        "rationale": pa.nulls(len(order), pa.string()),
    }


def build_floor(source: Path, out: Path) -> dict[str, int]:
    """Write ``out/articles`` and ``out/spans`` as the build would; return row counts."""
    spec = schema()
    labels = Labels()
    arrow_schemas = {name: spec.arrow_schema(name) for name in TABLES}
    folder = source / "articles"
    names = sorted(
        (entry.name for entry in os.scandir(folder)),
        key=lambda name: int(name[len("article") : -len(".txt")]),
    )
    by_article = label_files(source)
    writers = {name: Shards(out / name, name, arrow_schemas[name]) for name in TABLES}
    totals = dict.fromkeys(TABLES, 0)
    pending: Future[None] | None = None

    def write(tables: dict[str, pa.Table]) -> None:
        for name, table in tables.items():
            writers[name].write(table)

    with ThreadPoolExecutor(max_workers=1) as behind:
        for offset in range(0, len(names), BATCH_ARTICLES):
            batch = read_batch(names[offset : offset + BATCH_ARTICLES], folder, by_article)
            tables = {
                name: pa.table(columns, schema=arrow_schemas[name])
                for name, columns in (
                    ("articles", articles_table(*batch[:3], arrow_schemas["articles"].names)),
                    ("spans", spans_table(batch[0], batch[2], batch[3], labels)),
                )
            }
            for name, table in tables.items():
                totals[name] += table.num_rows
            if pending is not None:
                pending.result()
            pending = behind.submit(write, tables)
        if pending is not None:
            pending.result()
    for writer in writers.values():
        writer.close()
    return totals


class Shards:
    """Files of at most DEFAULT_SHARD_ROWS rows, a batch split where a file fills up, as
    the build shards its tables."""

    def __init__(self, folder: Path, name: str, arrow_schema: pa.Schema) -> None:
        folder.mkdir(parents=True)
        self.folder, self.name, self.schema = folder, name, arrow_schema
        self.files = 0
        self.rows = 0
        self.writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table) -> None:
        offset = 0
        while offset < table.num_rows:
            if self.writer is None or self.rows == DEFAULT_SHARD_ROWS:
                self.close()
                path = self.folder / f"{self.name}-{self.files:05d}.parquet"
                self.writer = pq.ParquetWriter(path, self.schema, **PARQUET_OPTIONS)
                self.files += 1
                self.rows = 0
            take = min(DEFAULT_SHARD_ROWS - self.rows, table.num_rows - offset)
            self.writer.write_table(table.slice(offset, take), row_group_size=ROW_GROUP_ROWS)
            self.rows += take
            offset += take

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def read_batch(
    names: list[str], folder: Path, by_article: dict[str, list[tuple[str, str]]]
) -> tuple[list[str], list[bytes], pa.Array, list[tuple[int, str, bytes]]]:
    """A batch's article IDs, article bytes, texts and label files."""
    ids: list[str] = []
    raws: list[bytes] = []
    files: list[tuple[int, str, bytes]] = []
    for index, name in enumerate(names):
        article_id = name[len("article") : -len(".txt")]
        ids.append(article_id)
        raws.append(read_bytes(f"{folder}/{name}"))
        files.extend(
            (index, layer, read_bytes(path)) for layer, path in by_article.get(article_id, ())
        )
    return ids, raws, pa.array(raws, pa.binary()).cast(pa.string()), files
