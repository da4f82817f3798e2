"""Reporting: the issue's targets judged on the measured figures, and BENCHMARKS.md."""

from __future__ import annotations

import inspect
import statistics
from collections.abc import Callable
from typing import Any

from benchmarks.measure import MEMORY_LIMIT, TREE_SAMPLE_SECONDS
from benchmarks.validation_targets import validation_targets
from dataset.builder.output import ROW_GROUP_ROWS
from dataset.builder.pipeline import DEFAULT_BATCH_ARTICLES

#: The targets, and the sizes they are judged at.
TARGET_BASELINE_SPEEDUP = 1.5
TARGET_FLOOR_RATIO = 2.0
TARGET_COMPARE_SIZE = 10_000
TARGET_MEMORY_BYTES = 1 << 30
TARGET_END_TO_END_SIZE = 1_000_000
#: "Linear": the cost per article at the largest size at most this multiple of the cost
#: at the comparison size.
TARGET_LINEAR_FACTOR = 1.5
TARGET_LOAD_SIZE = 100_000
TARGET_LOAD_HF_SECONDS = 1.0
TARGET_LOAD_PANDAS_SECONDS = 0.5
#: The catalogue answers at once (the validation's other targets: validation_targets).
TARGET_LIST_CHECKS_SECONDS = 1.0
#: The steps of the end-to-end run, as (label, figure getter).
STEPS: tuple[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]], ...] = (
    ("synthesize the corpus (`python -m dataset synth`)", lambda f: f["corpus"]),
    ("build, all tables", lambda f: f["build"]),
    ("validate (`python -m validation`, reports written)", lambda f: f["validation"]),
    ("load spans, `datasets.load_dataset`, cold cache", lambda f: f["load"]["hf_cold"]),
    ("load spans, `datasets.load_dataset`, warm cache", lambda f: f["load"]["hf_warm"]),
    ("load spans, `pandas.read_parquet`, the whole table", lambda f: f["load"]["pandas"]),
    (
        "load spans, `pandas.read_parquet`, one shard file at a time",
        lambda f: f["load"]["pandas_shards"],
    ),
)


def _verdict(ok: bool) -> str:
    return "met" if ok else "missed"


def _mib(value: float) -> str:
    return f"{value / 2**20:,.0f} MiB"


def _seconds(value: float) -> str:
    return f"{value:,.2f} s"


def _comparison_size(sizes: dict[int, dict[str, Any]]) -> int | None:
    compared = [size for size, figures in sizes.items() if "ratios" in figures]
    if not compared:
        return None
    return TARGET_COMPARE_SIZE if TARGET_COMPARE_SIZE in compared else max(compared)


def _speed_targets(sizes: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    at = _comparison_size(sizes)
    speed = (
        f"articles + spans build at least {TARGET_BASELINE_SPEEDUP:g}x as fast as the "
        f"loading-script baseline on {TARGET_COMPARE_SIZE:,} articles"
    )
    floor = (
        f"full build (all tables) within {TARGET_FLOOR_RATIO:g}x of the articles + spans "
        f"floor on {TARGET_COMPARE_SIZE:,} articles"
    )
    if at is None:
        return [
            {"target": speed, "measured": "no comparison run", "status": "not measured"},
            {"target": floor, "measured": "no comparison run", "status": "not measured"},
        ]
    ratios = sizes[at]["ratios"]
    speedup, over = ratios["baseline_speedup"], ratios["full_build_over_floor"]
    return [
        {
            "target": speed,
            "measured": f"{speedup:.2f}x as fast on {at:,} articles",
            "status": _verdict(speedup >= TARGET_BASELINE_SPEEDUP),
        },
        {
            "target": floor,
            "measured": f"{over:.2f}x the floor on {at:,} articles",
            "status": _verdict(over <= TARGET_FLOOR_RATIO),
        },
    ]


def step_peaks(figures: dict[str, Any]) -> dict[str, int]:
    """Peak resident memory of each end-to-end step that was measured."""
    peaks = {}
    for label, step in STEPS:
        try:
            peaks[label] = int(step(figures)["peak_rss_bytes"])
        except KeyError:
            continue
    return peaks


def _memory_target(sizes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    target = (
        f"every end-to-end step under {TARGET_MEMORY_BYTES / 2**30:g} GiB peak resident "
        f"memory at {TARGET_END_TO_END_SIZE:,} articles"
    )
    largest = max(sizes)
    peaks = step_peaks(sizes[largest])
    over = [
        f"{label}: {_mib(peak)}" for label, peak in peaks.items() if peak >= TARGET_MEMORY_BYTES
    ]
    worst = max(peaks, key=lambda label: peaks[label])
    measured = (
        f"over at {largest:,} articles: " + "; ".join(over)
        if over
        else f"highest at {largest:,} articles: {_mib(peaks[worst])} ({worst})"
    )
    if largest < TARGET_END_TO_END_SIZE:
        return {
            "target": target,
            "measured": f"{measured}; pass --with-1m",
            "status": "not measured",
        }
    return {
        "target": target,
        "measured": measured,
        "status": _verdict(len(peaks) == len(STEPS) and not over),
    }


def _linear_target(sizes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    target = (
        f"build and validation cost per article at the largest size within "
        f"{TARGET_LINEAR_FACTOR:g}x of the cost at {TARGET_COMPARE_SIZE:,} (linear growth)"
    )
    smallest = TARGET_COMPARE_SIZE if TARGET_COMPARE_SIZE in sizes else min(sizes)
    largest = max(sizes)
    if largest == smallest:
        return {
            "target": target,
            "measured": f"only {largest:,} measured",
            "status": "not measured",
        }
    factors = {}
    for step in ("build", "validation"):
        first, last = sizes[smallest][step], sizes[largest][step]
        if "microseconds_per_article" in first and "microseconds_per_article" in last:
            factors[step] = last["microseconds_per_article"] / first["microseconds_per_article"]
    measured = ", ".join(
        f"{step} {factor:.2f}x from {smallest:,} to {largest:,}" for step, factor in factors.items()
    )
    return {
        "target": target,
        "measured": measured or "n/a",
        "status": _verdict(len(factors) == 2 and max(factors.values()) <= TARGET_LINEAR_FACTOR),
    }


def _load_target(sizes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    target = (
        f"spans of {TARGET_LOAD_SIZE:,} articles: `load_dataset` cold under "
        f"{TARGET_LOAD_HF_SECONDS:g} s, pandas under {TARGET_LOAD_PANDAS_SECONDS:g} s"
    )
    if TARGET_LOAD_SIZE not in sizes:
        return {"target": target, "measured": "pass --with-100k", "status": "not measured"}
    load = sizes[TARGET_LOAD_SIZE]["load"]
    cold, pandas = load["hf_cold"]["seconds"], load["pandas"]["seconds"]
    return {
        "target": target,
        "measured": f"cold {_seconds(cold)}, pandas {_seconds(pandas)}",
        "status": _verdict(cold < TARGET_LOAD_HF_SECONDS and pandas < TARGET_LOAD_PANDAS_SECONDS),
    }


def _validated(sizes: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {
        size: figures["validation"]
        for size, figures in sizes.items()
        if figures.get("validation", {}).get("status") == "ok"
    }


def _list_checks_target(sizes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    target = (
        f"`python -m validation --list-checks` answers in under {TARGET_LIST_CHECKS_SECONDS:g} s"
    )
    listed = [v["list_checks_seconds"] for v in _validated(sizes).values()]
    if not listed:
        return {"target": target, "measured": "no validation run", "status": "not measured"}
    slowest = max(listed)
    return {
        "target": target,
        "measured": f"{_seconds(slowest)} (slowest median of the sizes)",
        "status": _verdict(slowest < TARGET_LIST_CHECKS_SECONDS),
    }


def targets(
    sizes: dict[int, dict[str, Any]], one_article: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The issues' targets (build speed, validation: issue 23's replace the earlier "a
    million spans in 5 s of work"), each judged on the figure that measures it."""
    return [
        *_speed_targets(sizes),
        _memory_target(sizes),
        _linear_target(sizes),
        _load_target(sizes),
        *validation_targets(sizes, one_article),
        _list_checks_target(sizes),
    ]


def per_article_lines(sizes: dict[int, dict[str, Any]]) -> list[str]:
    """One line per step: its cost per article at each size (linear growth = flat)."""
    lines = []
    for step in ("build", "validation"):
        costs = [
            f"{sizes[size][step]['microseconds_per_article']:,.0f} µs at {size:,}"
            for size in sorted(sizes)
            if "microseconds_per_article" in sizes[size][step]
        ]
        lines.append(f"{step} per article: " + "; ".join(costs))
    return lines


#: Adds a row to the figures table: its label and how a size's figures give its cell.
Add = Callable[[str, Callable[[dict[str, Any]], str]], None]


def _figures_table(sizes: dict[int, dict[str, Any]]) -> list[str]:
    columns = sorted(sizes)
    lines = [
        "| figure | " + " | ".join(f"{size:,} articles" for size in columns) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]

    def add(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        cells = []
        for size in columns:
            try:
                cells.append(cell(sizes[size]))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    _build_rows(add)
    _validation_rows(add)
    if any("shares" in figures for figures in sizes.values()):
        _share_rows(add)
    if any("validation_spark" in figures for figures in sizes.values()):
        _spark_rows(add)
    _load_rows(add)
    return lines


def _build_rows(add: Add) -> None:
    add("spans", lambda f: f"{f['corpus']['spans']:,}")
    add("spans per article", lambda f: f"{f['corpus']['spans_per_article']:.1f}")
    add("raw corpus", lambda f: f"{f['corpus']['bytes'] / 2**20:,.1f} MiB")
    add("load average (1 min) after the size", lambda f: f"{f['load_average'][0]:.1f}")
    add("**our build**, all tables", lambda f: _seconds(f["build"]["seconds"]))
    add("- whole command", lambda f: _seconds(_build_command(f)))
    add("- per article", lambda f: f"{f['build']['microseconds_per_article']:,.0f} µs")
    add("- peak resident memory", lambda f: _mib(f["build"]["peak_rss_bytes"]))
    add(
        "our build, articles + spans (`--no-lines`)",
        lambda f: _seconds(f["build-no-lines"]["seconds"]),
    )
    add(
        "lines table, extra cost",
        lambda f: (
            f"{_seconds(f['lines_extra']['seconds'])} "
            f"({f['lines_extra']['share_of_build']:.0%} of the build)"
        ),
    )
    add(
        "**baseline** (loading script: generator → from_generator → to_parquet)",
        lambda f: _seconds(f["baseline"]["seconds"]),
    )
    add("- peak resident memory", lambda f: _mib(f["baseline"]["peak_rss_bytes"]))
    add("baseline / ours (articles + spans)", lambda f: f"{f['ratios']['baseline_speedup']:.2f}x")
    add("**floor** (plain pyarrow, articles + spans)", lambda f: _seconds(f["floor"]["seconds"]))
    add("- peak resident memory", lambda f: _mib(f["floor"]["peak_rss_bytes"]))
    add("floor output equal to ours", lambda f: str(f["floor_output_equal"]))
    add("ours (articles + spans) / floor", lambda f: f"{f['ratios']['ours_over_floor']:.2f}")
    add("ours (all tables) / floor", lambda f: f"{f['ratios']['full_build_over_floor']:.2f}")


def _build_command(figures: dict[str, Any]) -> float:
    """The full build's whole command (interpreter and imports included), median."""
    return float(statistics.median(r["process_seconds"] for r in figures["build"]["runs"]))


def _validation_rows(add: Add) -> None:
    v = "validation"
    add(
        "**validation** (`python -m validation`, default `--jobs`, reports written)",
        _validation_cell,
    )
    add("- batches", lambda f: f"{f[v]['runs'][0]['batches']:,}")
    add(
        "- validation / full build, whole commands",
        lambda f: f"{f[v]['seconds'] / _build_command(f):.2f}x",
    )
    add("- per article", lambda f: f"{f[v]['microseconds_per_article']:,.0f} µs")
    add("- peak resident memory, process tree (summed)", lambda f: _mib(f[v]["peak_rss_bytes"]))
    add(
        "- peak resident memory, largest process",
        lambda f: _mib(f[v]["runs"][0]["largest_process_peak_rss_bytes"]),
    )
    add(
        "- start-up (Great Expectations' context, DuckDB)",
        lambda f: _seconds(f[v]["start_up_seconds"]),
    )
    add("- work after start-up", lambda f: _seconds(f[v]["work_seconds"]))
    add("- processor time, all processes", lambda f: _seconds(f[v]["cpu_seconds"]["total"]))
    add(
        "pyarrow read of the same tables, a row group at a time",
        lambda f: _seconds(f[v]["read"]["seconds"]),
    )
    add(
        "validation work / pyarrow read",
        lambda f: f"{f[v]['work_seconds'] / f[v]['read']['seconds']:.1f}x",
    )
    add(
        "validation work per million spans",
        lambda f: _seconds(f[v]["work_seconds"] * 1e6 / f["corpus"]["spans"]),
    )
    add("`--list-checks`", lambda f: _seconds(f[v]["list_checks_seconds"]))


def _share_rows(add: Add) -> None:
    one = "validation_jobs_1"
    add(
        "**validation, `--jobs 1`**, whole command", lambda f: _seconds(f["shares"][one]["seconds"])
    )
    add("- peak resident memory", lambda f: _mib(f["shares"][one]["peak_rss_bytes"]))
    for phase, name in (("expectations", "Great Expectations"), ("sql", "DuckDB")):
        _phase_rows(add, phase, name)


def _phase_rows(add: Add, phase: str, name: str) -> None:
    def ours(figures: dict[str, Any]) -> str:
        return _seconds(figures["shares"]["validation_jobs_1"]["cpu_seconds"][phase])

    def alone(figures: dict[str, Any]) -> str:
        return _seconds(figures["shares"]["yardsticks"][phase]["cpu_seconds"])

    add(f"- {phase} share, processor time", ours)
    add(f"{name} alone, the same rules once over the whole tables, processor time", alone)
    add(f"- {phase} share / {name} alone", lambda f: f"{_share_ratio(f, phase):.2f}x")


def _share_ratio(figures: dict[str, Any], phase: str) -> float:
    ours = figures["shares"]["validation_jobs_1"]["cpu_seconds"][phase]
    return float(ours / figures["shares"]["yardsticks"][phase]["cpu_seconds"])


def _spark_rows(add: Add) -> None:
    spark = "validation_spark"
    add(
        "**validation on Spark** (`--engine spark`, local mode, reports written)",
        lambda f: _validation_cell(f, spark),
    )
    add("- per article", lambda f: f"{f[spark]['microseconds_per_article']:,.0f} µs")
    add(
        "- peak resident memory, process tree (Python driver, JVM, Python workers)",
        lambda f: _mib(f[spark]["peak_rss_bytes"]),
    )
    add(
        "- start-up (JVM, Spark session, Great Expectations' context)",
        lambda f: _seconds(f[spark]["start_up_seconds"]),
    )
    add("- work after start-up", lambda f: _seconds(f[spark]["work_seconds"]))
    add(
        "Spark / default engine, whole command",
        lambda f: f"{f[spark]['seconds'] / f['validation']['seconds']:.1f}x",
    )
    add(
        "validation on a standalone Spark cluster (2 workers x 1 core, this machine)",
        lambda f: _validation_cell(f, "validation_spark_cluster"),
    )
    add(
        "- peak resident memory, driver's tree + the cluster processes' trees",
        lambda f: _mib(f["validation_spark_cluster"]["peak_rss_bytes"]),
    )


def _load_rows(add: Add) -> None:
    add("**load** spans, `datasets.load_dataset`, cold cache", _load_cell("hf_cold"))
    add("load spans, `datasets.load_dataset`, warm cache", _load_cell("hf_warm"))
    add("load spans, `pandas.read_parquet`", _load_cell("pandas"))
    add("- peak resident memory", lambda f: _mib(f["load"]["pandas"]["peak_rss_bytes"]))


def _steps_table(size: int, figures: dict[str, Any]) -> list[str]:
    lines = [
        f"## {size:,} articles, end to end",
        "",
        f"{figures['corpus']['spans']:,} spans, {figures['corpus']['bytes'] / 2**30:.1f} GiB "
        f"of raw files; one run of each step; load average {figures['load_average']}.",
        "",
        "| step | time | peak resident memory |",
        "| --- | ---: | ---: |",
    ]
    for label, step in STEPS:
        try:
            found = step(figures)
            lines.append(
                f"| {label} | {_seconds(found['seconds'])} | {_mib(found['peak_rss_bytes'])} |"
            )
        except KeyError:
            lines.append(f"| {label} | n/a | n/a |")
    return [*lines, ""]


def _sweep_section(size: int, figures: dict[str, Any]) -> list[str]:
    sweep = figures["row_group_sweep"]
    batches = {int(batch): row for batch, row in sweep["batches"].items()}
    text_per_batch = figures["corpus"]["bytes"] / size * DEFAULT_BATCH_ARTICLES
    lines = [
        "## Row groups",
        "",
        "The build writes one Parquet row group per batch of `--batch-articles` articles",
        f"(default {DEFAULT_BATCH_ARTICLES:,}; `ROW_GROUP_ROWS` = {ROW_GROUP_ROWS:,} only caps a "
        "batch's lines or spans). A row group is the unit every reader decodes at once, so its",
        "size sets the memory of a streaming reader (`datasets` streaming, `iter_batches`) and",
        "of the build itself, while larger groups compress a little better.",
        f"Measured on {size:,} articles (articles + spans build; load average "
        f"{sweep['load_average']}):",
        "",
        "| articles per row group | build | build peak memory | articles + spans on disk "
        "| read a row group at a time: peak memory | spans, `load_dataset` cold "
        "| spans, pandas |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for batch, row in sorted(batches.items()):
        lines.append(
            f"| {batch:,} | {_seconds(row['build_seconds'])} | {_mib(row['build_peak_rss_bytes'])} "
            f"| {sum(row['bytes'].values()) / 2**20:,.1f} MiB | {_mib(row['scan_peak_rss_bytes'])} "
            f"| {_seconds(row['load']['hf_cold'])} | {_seconds(row['load']['pandas'])} |"
        )
    return [*lines, "", *row_group_reason(batches, text_per_batch), ""]


def row_group_reason(batches: dict[int, dict[str, Any]], text_per_batch: float) -> list[str]:
    """Why the default batch is the row group, in the measured figures."""
    chosen, largest = DEFAULT_BATCH_ARTICLES, max(batches)
    if chosen not in batches or largest == chosen:
        return []
    here, big = batches[chosen], batches[largest]
    smallest = batches[min(batches)]
    size = sum(here["bytes"].values())
    return [
        f"Why {chosen:,}: going from {chosen:,} to {largest:,} articles per row group saves "
        f"{1 - sum(big['bytes'].values()) / size:.1%} of the files' size but raises the "
        f"memory of reading them a row group at a time from {_mib(here['scan_peak_rss_bytes'])} "
        f"to {_mib(big['scan_peak_rss_bytes'])} and the build's from "
        f"{_mib(here['build_peak_rss_bytes'])} to {_mib(big['build_peak_rss_bytes'])}; "
        f"going down to {min(batches):,} makes the files "
        f"{sum(smallest['bytes'].values()) / size - 1:.1%} larger. At {chosen:,} articles a "
        f"row group of the articles table holds {text_per_batch / 2**20:.1f} MiB of text "
        "(the lines table the same again): small next to a 1 GiB budget, of which the build "
        "holds two batches at a time (one being written while the next is built).",
    ]


def _validation_cell(figures: dict[str, Any], key: str = "validation") -> str:
    validation = figures[key]
    if validation.get("status") != "ok":
        return str(validation.get("status", "n/a"))
    return _seconds(validation["seconds"])


def _load_cell(key: str) -> Callable[[dict[str, Any]], str]:
    def cell(figures: dict[str, Any]) -> str:
        return _seconds(figures["load"][key]["seconds"])

    return cell


HOW_MEASURED = [
    "## How it is measured",
    "",
    "- Corpora come from `python -m dataset synth` (seeded, PTC-like lengths, techniques",
    "  and span counts; its text is drawn from a pool of a few thousand sentences, so it",
    "  compresses better than real news would). Inputs sit in the OS file cache.",
    "- Every run is a fresh process. Build, baseline, floor, synthesis and loads are timed",
    "  on the work alone (interpreter start-up, imports and loading the schema excluded);",
    "  validation is timed as the whole command (start-up included, its JSON and HTML",
    "  reports written), and its work after start-up by its own clock (the report's",
    "  `seconds`); its yardstick is pyarrow reading the same tables, every column, a row",
    "  group at a time, in the same run. Memory is the",
    "  process's peak resident set (VmHWM, imports included); the validation's is its whole",
    "  process tree's (the `--jobs` workers and their fork server), the peak of the summed",
    f"  resident sets sampled every {TREE_SAMPLE_SECONDS:g} s (pages the processes share count",
    "  once per process: an upper bound). Every process may take at",
    f"  most {MEMORY_LIMIT / 2**30:g} GiB of address space, so a step that would exhaust the "
    "shared machine",
    "  fails and is reported instead.",
    "- *Articles + spans* is our build with `--no-lines` (`build(..., lines=False)`), which",
    "  writes what the baseline writes; the lines table's extra cost is the difference to",
    "  the full build.",
    "- The baseline does what Hugging Face's `sem_eval_2020_task_11` loading script does:",
    "  a generator reads each article and its label file and yields one example with its",
    "  spans as a list of dicts into `datasets.Dataset.from_generator` (explicit features,",
    "  fresh cache), then `to_parquet` with the library's default writer options.",
    "- The floor (`benchmarks/floor.py`) is the fastest plain-pyarrow program we could write",
    "  for the same articles and spans bytes: `os.read`, a batch's label files parsed as one",
    "  tab-separated buffer by pyarrow's CSV reader, span texts cut from the UTF-8 bytes by",
    "  NumPy, span IDs joined by Arrow kernels, the same schemas and Parquet options. It",
    "  checks nothing, so a malformed input gives wrong rows or a pyarrow exception where",
    "  the build names the file, the line and the fix.",
    "- Loads read the built `spans` table; *cold* is a fresh `datasets` cache, *warm* the",
    "  same cache again.",
    "- The validation runs with its default `--jobs` (one worker per core, no more than",
    "  the article batches); at the largest comparison size it runs once more with",
    "  `--jobs 1`, whose Great Expectations and SQL shares (the report's processor seconds",
    "  per phase) are set beside the yardsticks of the same run (`benchmarks/yardsticks.py`,",
    "  shown below). Its runs take turns, a round at a time: the default `--jobs`, then",
    "  `--jobs 1`, then Spark when measured, so a busy spell of the machine hits each.",
    "  The one-article dataset is validated beside `python -m",
    "  benchmarks.import_gx`, a file that imports Great Expectations: with PySpark",
    '  installed, `python -c "import great_expectations"` exits in the middle of the',
    "  import (PySpark takes a `-c` process for a doctest run), so it would time too little.",
    "- A ratio in the targets is judged on its unrounded value.",
    "- The machine is shared: the load average beside the figures says how busy it was;",
    "  compare ratios taken in the same run rather than seconds across runs.",
    "",
]
#: How the Spark engine's figures are measured, when the run has them.
HOW_SPARK_IS_MEASURED = [
    "- Validation on Spark (`--engine spark`) runs Spark in local mode, the engine's default",
    "  master, at every comparison size; at 10,000 articles it also runs on a standalone",
    "  cluster started on this machine (`benchmarks/spark.py`). Its time is the whole",
    "  command's, and its start-up (the JVM and the Spark session included) comes from the",
    "  report's clock, as for the default engine. Its memory is the peak of the summed",
    "  resident sets of the command's whole process tree (the Python driver, the JVM that",
    "  runs Spark's driver and executors, the Python workers), sampled every "
    f"{TREE_SAMPLE_SECONDS:g} s: pages",
    "  the processes share count once per process, so it is an upper bound, and a peak",
    "  shorter than a sample can be missed. It is measured at the comparison sizes only.",
    "  Its runs alternate with the default engine's, and the Spark target shows each",
    "  round's ratio (its Spark run over the `--jobs 1` run beside it) after the medians'.",
    "",
]


def _header(results: dict[str, Any]) -> list[str]:
    code = results["code"]
    return [
        "# Benchmarks",
        "",
        "Generated by `benchmarks/run.py` (`nox -s bench`; `-- --with-100k` adds 100,000",
        "articles, `-- --with-1m` a million, end to end). Do not edit by hand: rerun the command.",
        "",
        f"- command: `{results['command']}`",
        f"- date (UTC): {results['date']}",
        f"- code: commit `{(code['commit'] or 'unknown')[:12]}`"
        + (
            f" plus uncommitted changes to {len(code['modified'])} files"
            if code["modified"]
            else ""
        ),
        *(
            ["- **warning: the code changed during this run; its figures are not consistent**"]
            if results.get("code_changed_during_run")
            else []
        ),
        (
            f"- every figure is the median of {results['repeats']} runs, each in a fresh process"
            if results["repeats"] > 1
            else "- every figure is one run, in a fresh process"
        )
        + (
            f" ({results['large_repeats']} for 100,000 articles and more)"
            if results["large_repeats"] != results["repeats"]
            else ""
        )
        + (
            "; the million articles end to end are one run per step"
            if any("ratios" not in figures for figures in results["sizes"].values())
            else ""
        ),
        f"- load average (1, 5, 15 min) at the start: {results['load_average']['start']}, "
        f"at the end: {results['load_average']['end']}",
        "",
    ]


def _machine(results: dict[str, Any]) -> list[str]:
    info = results["machine"]
    return [
        "## Machine",
        "",
        f"- {info['cores']} cores ({info['usable_cores']} usable), "
        f"{info['memory_bytes'] / 2**30:.1f} GiB memory, {info['cpu']}",
        f"- {info['platform']}, Python {info['python']}",
        "- " + ", ".join(f"{name} {ver}" for name, ver in info["libraries"].items()),
        *([f"- Java: {info['java']}"] if "java" in info else []),
        "",
    ]


def _small_section(one_article: dict[str, Any] | None) -> list[str]:
    if one_article is None or one_article["validation"].get("status") != "ok":
        return []
    validation = one_article["validation"]
    return [
        "## A one-article dataset",
        "",
        f"Validating it (`python -m validation`, reports written): "
        f"{_seconds(validation['seconds'])}, peak {_mib(validation['peak_rss_bytes'])}; "
        f"`import great_expectations` alone, in a fresh process: "
        f"{_seconds(one_article['import_gx_seconds'])} "
        f"({validation['seconds'] / one_article['import_gx_seconds']:.2f}x); "
        f"load average {one_article['load_average']}.",
        "",
    ]


def _yardstick_section(sizes: dict[int, dict[str, Any]]) -> list[str]:
    """The code of the engines' yardsticks, as the issue asks the report to show it."""
    if not any("shares" in figures for figures in sizes.values()):
        return []
    from benchmarks import yardsticks

    return [
        "## The engines' yardsticks",
        "",
        "The validation's Great Expectations and SQL shares (`--jobs 1`, the report's "
        "processor seconds per phase) are compared with this code, run in the same bench "
        "(`benchmarks/yardsticks.py`):",
        "",
        "```python",
        inspect.getsource(yardsticks.expectations).rstrip(),
        "",
        "",
        inspect.getsource(yardsticks.sql).rstrip(),
        "```",
        "",
    ]


def markdown(results: dict[str, Any]) -> str:
    sizes = {int(size): figures for size, figures in results["sizes"].items()}
    lines = [*_header(results), *_machine(results)]
    lines += ["## Targets", "", "| target | measured | status |", "| --- | --- | --- |"]
    for row in results["targets"]:
        lines.append(f"| {row['target']} | {row['measured']} | **{row['status']}** |")
    lines += ["", "## Figures", "", *_figures_table(sizes), ""]
    lines += [f"- {line}" for line in per_article_lines(sizes)] + [""]
    lines += _small_section(results.get("one_article"))
    for size, figures in sorted(sizes.items()):
        if size >= TARGET_END_TO_END_SIZE or "ratios" not in figures:
            lines += _steps_table(size, figures)
    for size, figures in sorted(sizes.items()):
        if "row_group_sweep" in figures:
            lines += _sweep_section(size, figures)
    lines += _yardstick_section(sizes)
    spark = any("validation_spark" in figures for figures in sizes.values())
    return "\n".join([*lines, *HOW_MEASURED, *(HOW_SPARK_IS_MEASURED if spark else [])])
