"""The measured tasks, each run in a process of its own by ``benchmarks.run``.

``python -m benchmarks.tasks TASK SOURCE OUT [--cache DIR]`` runs one task and prints one
JSON line: the seconds spent in the task itself (interpreter start-up and imports excluded,
so the figures compare the work, not the libraries' import times), the process's peak
resident memory (VmHWM, imports included, since that is what a user's machine must hold)
and task-specific counts. A process per run keeps one run's memory and caches out of the
next one's figures.

Tasks:

- ``build``: ``dataset.build.pipeline.build``, all four tables.
- ``build-no-sentences``: the same build with sentence segmentation switched off, so it
  writes the content the baseline writes (articles and spans); the difference to ``build``
  is the sentences table's own cost.
- ``baseline``: what Hugging Face's ``sem_eval_2020_task_11`` loading script does: a Python
  generator reads each article and its label file and yields one example per article with
  its spans as a list of dicts, into ``datasets.Dataset.from_generator`` with explicit
  features, then ``to_parquet``.
- ``floor``: read the raw files and write the articles and spans tables (same Arrow schemas,
  same Parquet options) with plain pyarrow: no checks, no manifest, no sentences.
- ``load-hf`` / ``load-pandas``: read the built spans table back.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

#: Articles per Parquet write in the floor, as in the build's default batch.
FLOOR_BATCH_ARTICLES = 1_000


def peak_rss_bytes() -> int:
    """Peak resident memory of this process: VmHWM from /proc, else getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _build(source: Path, out: Path, _cache: Path | None) -> dict[str, Any]:
    from dataset.build.pipeline import build

    result = build(source, out, progress=False, log=lambda _message: None)
    return {"articles": result.rows("articles"), "spans": result.rows("spans")}


def _build_no_sentences(source: Path, out: Path, cache: Path | None) -> dict[str, Any]:
    """The build with the lines table left empty (``lines=False``), everything else
    unchanged, so it writes what the baseline writes."""
    from dataset.build.pipeline import build

    result = build(source, out, lines=False, progress=False, log=lambda _message: None)
    return {"articles": result.rows("articles"), "spans": result.rows("spans")}


def _label_paths(source: Path) -> dict[str, list[tuple[str, Path]]]:
    """Label files by article ID, as (layer, path), from names article<ID>.<layer>.labels."""
    found: dict[str, list[tuple[str, Path]]] = {}
    for path in sorted((source / "labels").iterdir()):
        article_id, layer, suffix = path.name.removeprefix("article").split(".")
        if suffix == "labels":
            found.setdefault(article_id, []).append((layer, path))
    return found


def _articles(source: Path) -> list[tuple[str, Path]]:
    paths = [(p.name[len("article") : -len(".txt")], p) for p in (source / "articles").iterdir()]
    return sorted(paths, key=lambda item: (int(item[0]), item[0]))


def _baseline_examples(article_dir: str, label_dir: str, layer: str) -> Iterator[dict[str, Any]]:
    """One example per article, the way the loading script reads PTC's folders."""
    for path in sorted(Path(article_dir).glob("article*.txt")):
        article_id = path.stem[len("article") :]
        with path.open(encoding="utf-8") as handle:
            text = handle.read()
        spans = []
        with (Path(label_dir) / f"article{article_id}.{layer}.labels").open(
            encoding="utf-8"
        ) as handle:
            for line in handle:
                _, technique, start, end = line.rstrip("\n").split("\t")
                spans.append(
                    {
                        "start_char_offset": int(start),
                        "end_char_offset": int(end),
                        "technique": technique,
                    }
                )
        yield {"article_id": article_id, "text": text, "technique_classification": spans}


def _baseline(source: Path, out: Path, cache: Path | None) -> dict[str, Any]:
    import datasets
    import pyarrow.compute as pc

    from dataset.schema import schema

    layers = {layer for entries in _label_paths(source).values() for layer, _ in entries}
    if len(layers) != 1:
        raise SystemExit(f"the baseline reads one layer, the corpus has {sorted(layers)}")
    features = datasets.Features(
        {
            "article_id": datasets.Value("string"),
            "text": datasets.Value("string"),
            "technique_classification": datasets.List(
                {
                    "start_char_offset": datasets.Value("int64"),
                    "end_char_offset": datasets.Value("int64"),
                    "technique": datasets.ClassLabel(names=schema().techniques.names),
                }
            ),
        }
    )
    out.mkdir(parents=True)
    start = time.perf_counter()
    dataset = datasets.Dataset.from_generator(
        _baseline_examples,
        features=features,
        cache_dir=str(cache),
        gen_kwargs={
            "article_dir": str(source / "articles"),
            "label_dir": str(source / "labels"),
            "layer": layers.pop(),
        },
    )
    dataset.to_parquet(str(out / "train.parquet"))
    seconds = time.perf_counter() - start
    lengths = pc.list_value_length(dataset.data.column("technique_classification"))
    return {"articles": dataset.num_rows, "spans": pc.sum(lengths).as_py(), "seconds": seconds}


def _floor(source: Path, out: Path, _cache: Path | None) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dataset.build.output import PARQUET_OPTIONS, ROW_GROUP_ROWS
    from dataset.schema import schema

    spec = schema()
    semeval = {label.name: label.id for label in spec.semeval_classes.labels}
    ids: dict[str, tuple[int | None, int | None]] = {
        name: (None, class_id) for name, class_id in semeval.items()
    }
    for entry in spec.techniques.labels:
        klass = entry.semeval_class
        ids[entry.name] = (entry.id, semeval[klass] if klass else None)
    labels = _label_paths(source)
    tables = ("articles", "spans")
    arrow_schemas = {name: spec.arrow_schema(name) for name in tables}
    for name in tables:
        (out / name).mkdir(parents=True)
    writers = {
        name: pq.ParquetWriter(
            out / name / f"{name}-00000.parquet", arrow_schemas[name], **PARQUET_OPTIONS
        )
        for name in tables
    }
    totals = dict.fromkeys(tables, 0)
    articles = _articles(source)
    for offset in range(0, len(articles), FLOOR_BATCH_ARTICLES):
        columns: dict[str, dict[str, list[Any]]] = {
            name: {column: [] for column in arrow_schemas[name].names} for name in tables
        }
        art, spn = columns["articles"], columns["spans"]
        for article_id, path in articles[offset : offset + FLOOR_BATCH_ARTICLES]:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
            art["article_id"].append(article_id)
            art["title"].append(text.split("\n", 1)[0].rstrip("\r"))
            art["text"].append(text)
            art["num_chars"].append(len(text))
            art["sha256"].append(hashlib.sha256(raw).hexdigest())
            art["source_file"].append(path.relative_to(source).as_posix())
            rows = []
            for layer, label_path in labels.get(article_id, []):
                for line in label_path.read_text(encoding="utf-8").splitlines():
                    if line:
                        _, label, first, last = line.split("\t")
                        rows.append((layer, int(first), int(last), label))
            rows.sort()
            for layer, start, end, label in rows:
                technique, semeval_class = ids[label]
                spn["span_id"].append(f"{article_id}:{layer}:{start}-{end}:{label}")
                spn["article_id"].append(article_id)
                spn["layer"].append(layer)
                spn["label"].append(label)
                spn["technique"].append(technique)
                spn["semeval_class"].append(semeval_class)
                spn["start"].append(start)
                spn["end"].append(end)
                spn["text"].append(text[start:end])
        for name in tables:
            rows_now = len(columns[name][arrow_schemas[name].names[0]])
            for column in arrow_schemas[name].names:
                if not columns[name][column]:
                    columns[name][column] = [None] * rows_now
            table = pa.table(columns[name], schema=arrow_schemas[name])
            writers[name].write_table(table, row_group_size=ROW_GROUP_ROWS)
            totals[name] += table.num_rows
    for writer in writers.values():
        writer.close()
    return {"articles": totals["articles"], "spans": totals["spans"]}


def _load_hf(_source: Path, out: Path, cache: Path | None) -> dict[str, Any]:
    import datasets

    spans = datasets.load_dataset(
        "parquet",
        data_files=str(out / "spans" / "*.parquet"),
        split="train",
        cache_dir=str(cache),
    )
    return {"spans": spans.num_rows}


def _load_pandas(_source: Path, out: Path, _cache: Path | None) -> dict[str, Any]:
    import pandas as pd

    spans = pd.read_parquet(out / "spans", dtype_backend="pyarrow")
    return {"spans": len(spans)}


TASKS: dict[str, Callable[[Path, Path, Path | None], dict[str, Any]]] = {
    "build": _build,
    "build-no-sentences": _build_no_sentences,
    "baseline": _baseline,
    "floor": _floor,
    "load-hf": _load_hf,
    "load-pandas": _load_pandas,
}
#: Modules each task imports before its clock starts.
PRELOAD = {
    "build": ("dataset.build.pipeline",),
    "build-no-sentences": ("dataset.build.pipeline",),
    "baseline": ("datasets", "dataset.schema"),
    "floor": ("pyarrow.parquet", "dataset.build.output", "dataset.schema"),
    "load-hf": ("datasets",),
    "load-pandas": ("pandas", "pyarrow.parquet"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tasks", description=__doc__)
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("source", type=Path, help="the PTC-format corpus")
    parser.add_argument("out", type=Path, help="the task's output (or, to load, the build)")
    parser.add_argument("--cache", type=Path, help="datasets cache folder")
    args = parser.parse_args(argv)
    import importlib

    for module in PRELOAD[args.task]:
        importlib.import_module(module)
    start = time.perf_counter()
    figures = TASKS[args.task](args.source, args.out, args.cache)
    seconds = time.perf_counter() - start
    figures.setdefault("seconds", seconds)
    figures["peak_rss_bytes"] = peak_rss_bytes()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
