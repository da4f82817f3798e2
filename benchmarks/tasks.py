"""The measured tasks, each run in a process of its own by ``benchmarks.run``.

``python -m benchmarks.tasks TASK SOURCE OUT [--cache DIR] [--articles N --seed S]
[--batch-articles N]``
runs one task and prints one JSON line: the seconds spent in the task itself (interpreter
start-up, imports and the schema's loading excluded, so the figures compare the work, not
the libraries' import times; the build needs ``datasets`` for the tables' Hugging Face
features, and that import is excluded too), the process's peak resident memory (VmHWM, imports
included, since that is what a user's machine must hold) and task-specific counts. A
process per run keeps one run's memory and caches out of the next one's figures.

Tasks:

- ``synth``: ``python -m dataset synth``'s work, writing the corpus SOURCE (OUT unused).
- ``build``: ``dataset.builder.pipeline.build``, all tables.
- ``build-no-lines``: the same build with ``lines=False`` (``--no-lines``), so it writes
  the content the baseline writes (articles and spans); the difference to ``build`` is the
  lines table's own cost.
- ``baseline``: what Hugging Face's ``sem_eval_2020_task_11`` loading script does: a Python
  generator reads each article and its label file and yields one example per article with
  its spans as a list of dicts, into ``datasets.Dataset.from_generator`` with explicit
  features, then ``to_parquet``.
- ``floor``: ``benchmarks.floor``, the fastest plain-pyarrow program for the build's
  articles and spans bytes.
- ``load-hf`` / ``load-pandas``: read the built spans table back (OUT is the build);
  ``load-pandas-shards`` reads it one shard file at a time.
- ``scan``: read the built articles and spans one row group at a time (OUT is the build).
- ``read``: read every built table one row group at a time (OUT is the build), what the
  validation reads.
- ``yardstick-expectations`` / ``yardstick-sql``: Great Expectations / DuckDB running the
  validation's rules once over the whole build OUT (``benchmarks.yardsticks``), in
  processor seconds.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def peak_rss_bytes() -> int:
    """Peak resident memory of this process: VmHWM from /proc, else getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _synth(args: argparse.Namespace) -> dict[str, Any]:
    from dataset.ptc.synth import synthesize

    stats = synthesize(args.source, args.articles, args.seed)
    return {
        "articles": stats.articles,
        "spans": stats.spans,
        "characters": stats.characters,
        "bytes": stats.bytes,
        "empty_label_files": stats.empty_label_files,
        "spans_overlapping_another_technique": stats.overlapping_spans,
    }


def _build(args: argparse.Namespace, *, lines: bool = True) -> dict[str, Any]:
    from dataset.builder.pipeline import DEFAULT_BATCH_ARTICLES, build

    result = build(
        args.source,
        args.out,
        lines=lines,
        batch_articles=args.batch_articles or DEFAULT_BATCH_ARTICLES,
        progress=False,
        log=lambda _message: None,
    )
    return {"articles": result.rows("articles"), "spans": result.rows("spans")}


def _build_no_lines(args: argparse.Namespace) -> dict[str, Any]:
    return _build(args, lines=False)


def _floor(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.floor import build_floor

    return build_floor(args.source, args.out)


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


def _baseline(args: argparse.Namespace) -> dict[str, Any]:
    import datasets
    import pyarrow.compute as pc

    from dataset.schema import schema

    source: Path = args.source
    layers = {path.name.split(".")[1] for path in (source / "labels").iterdir()}
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
    args.out.mkdir(parents=True)
    dataset = datasets.Dataset.from_generator(
        _baseline_examples,
        features=features,
        cache_dir=str(args.cache),
        gen_kwargs={
            "article_dir": str(source / "articles"),
            "label_dir": str(source / "labels"),
            "layer": layers.pop(),
        },
    )
    dataset.to_parquet(str(args.out / "train.parquet"))
    lengths = pc.list_value_length(dataset.data.column("technique_classification"))
    return {"articles": dataset.num_rows, "spans": pc.sum(lengths).as_py()}


def _load_hf(args: argparse.Namespace) -> dict[str, Any]:
    import datasets

    spans = datasets.load_dataset(
        "parquet",
        data_files=str(args.out / "spans" / "*.parquet"),
        split="train",
        cache_dir=str(args.cache),
    )
    return {"spans": spans.num_rows}


def _load_pandas(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd

    spans = pd.read_parquet(args.out / "spans", dtype_backend="pyarrow")
    return {"spans": len(spans)}


def _load_pandas_shards(args: argparse.Namespace) -> dict[str, Any]:
    """Read the spans one shard file at a time, as a table too large for memory is read."""
    import pandas as pd

    rows = 0
    for path in sorted((args.out / "spans").glob("*.parquet")):
        rows += len(pd.read_parquet(path, dtype_backend="pyarrow"))
    return {"spans": rows}


def _row_groups_read(folder: Path, tables: tuple[str, ...]) -> int:
    """Rows read from ``tables`` one row group at a time, as a streaming reader does: its
    peak memory is set by the largest row group."""
    import pyarrow.parquet as pq

    rows = 0
    for table in tables:
        for path in sorted((folder / table).glob("*.parquet")):
            parquet = pq.ParquetFile(path)
            for index in range(parquet.num_row_groups):
                rows += parquet.read_row_group(index).num_rows
    return rows


def _scan(args: argparse.Namespace) -> dict[str, Any]:
    """The articles and spans tables, one row group at a time."""
    return {"rows": _row_groups_read(args.out, ("articles", "spans"))}


def _read(args: argparse.Namespace) -> dict[str, Any]:
    """Every table of the build, every column, one row group at a time: the plain pyarrow
    read of what the validator reads, the yardstick of its speed."""
    from dataset.schema import schema

    return {"rows": _row_groups_read(args.out, schema().table_names)}


def _yardstick(name: str) -> Callable[[argparse.Namespace], dict[str, Any]]:
    """``benchmarks.yardsticks``' ``name`` on the build OUT: its processor seconds."""

    def task(args: argparse.Namespace) -> dict[str, Any]:
        from benchmarks import yardsticks
        from dataset.schema import load_schema

        measured = getattr(yardsticks, name)
        return {"cpu_seconds": measured(args.out, load_schema())}

    return task


TASKS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "yardstick-expectations": _yardstick("expectations"),
    "yardstick-sql": _yardstick("sql"),
    "synth": _synth,
    "build": _build,
    "build-no-lines": _build_no_lines,
    "baseline": _baseline,
    "floor": _floor,
    "load-hf": _load_hf,
    "load-pandas": _load_pandas,
    "load-pandas-shards": _load_pandas_shards,
    "scan": _scan,
    "read": _read,
}
#: Modules each task imports before its clock starts.
PRELOAD = {
    "synth": ("dataset.ptc.synth",),
    "build": ("dataset.builder.pipeline",),
    "build-no-lines": ("dataset.builder.pipeline",),
    "baseline": ("datasets", "pyarrow.compute"),
    "floor": ("benchmarks.floor",),
    "load-hf": ("datasets",),
    "load-pandas": ("pandas", "pyarrow.parquet"),
    "load-pandas-shards": ("pandas", "pyarrow.parquet"),
    "scan": ("pyarrow.parquet",),
    "read": ("pyarrow.parquet",),
    "yardstick-expectations": ("benchmarks.yardsticks", "validation.gx"),
    "yardstick-sql": ("benchmarks.yardsticks", "duckdb"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tasks", description=__doc__)
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("source", type=Path, help="the PTC-format corpus")
    parser.add_argument("out", type=Path, help="the task's output (or, to load, the build)")
    parser.add_argument("--cache", type=Path, help="datasets cache folder")
    parser.add_argument("--articles", type=int, default=0, help="synth: corpus size")
    parser.add_argument("--seed", type=int, default=0, help="synth: seed")
    parser.add_argument("--batch-articles", type=int, default=0, help="builds: batch size")
    args = parser.parse_args(argv)
    for module in PRELOAD[args.task]:
        importlib.import_module(module)
    if args.task != "synth":
        from dataset.schema import schema

        for table in schema().table_names:
            schema().arrow_schema(table)  # made once, outside the timed part
    start = time.perf_counter()
    figures = TASKS[args.task](args)
    figures["seconds"] = time.perf_counter() - start
    figures["peak_rss_bytes"] = peak_rss_bytes()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
