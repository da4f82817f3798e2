"""Benchmark the build, the validation and loading on synthetic PTC-format corpora.

``python -m benchmarks.run [--sizes 1000,10000] [--repeats 3] [--with-100k]`` synthesizes a
corpus per size (``dataset.ptc.synth``), then measures, in a fresh process per run so that no
run's memory or caches leak into another's figures:

- our build (all four tables) and the same build without the sentences table, whose
  difference is the sentence table's own cost;
- the loading-script baseline and the plain-pyarrow floor (see ``benchmarks.tasks``), in
  the same run, as ratios to our articles-and-spans build (like with like);
- ``python -m validation <build> --no-reports``;
- loading the built spans with ``datasets.load_dataset`` (cold and warm cache) and pandas.

Every figure is the median of ``--repeats`` runs (all runs are kept in the JSON). It writes
the figures to JSON and a Markdown report with the machine and the issue's targets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from dataset.ptc.synth import synthesize

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (1_000, 10_000)
LARGE_SIZE = 100_000
DEFAULT_SEED = 2020
DEFAULT_JSON = REPO_ROOT / "benchmarks" / "results.json"
DEFAULT_MD = REPO_ROOT / "BENCHMARKS.md"
#: Seconds one measured process may take before it is killed and the run fails.
TASK_TIMEOUT = 3 * 3600
LIBRARIES = ("pyarrow", "datasets", "pandas", "numpy", "great-expectations", "pyyaml")
BUILD_TASKS = ("build", "build-no-sentences", "baseline", "floor")
#: The issue's targets.
TARGET_BASELINE_SPEEDUP = 5.0
TARGET_BASELINE_SIZE = 10_000
TARGET_FLOOR_RATIO = 2.0
TARGET_VALIDATION_SPANS = 1_000_000
TARGET_VALIDATION_SECONDS = 10.0
TARGET_MEMORY_BYTES = 1 << 30
TARGET_MEMORY_SIZE = 100_000


@dataclass(frozen=True)
class Process:
    """One finished child process: exit status, output, wall time and peak memory."""

    returncode: int
    stdout: str
    stderr: str
    wall_seconds: float
    peak_rss_bytes: int


def spawn(command: list[str], env: dict[str, str], timeout: float = TASK_TIMEOUT) -> Process:
    """Run ``command`` from the repository root and reap it with ``os.wait4``, whose
    resource usage is that child's alone (``RUSAGE_CHILDREN`` would mix runs)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=err)
        timer = threading.Timer(timeout, child.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Process(
            returncode=child.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            wall_seconds=wall,
            peak_rss_bytes=usage.ru_maxrss * 1024,
        )


def child_env(hf_home: Path) -> dict[str, str]:
    """Offline Hugging Face settings with a throw-away cache, no progress bars."""
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
        "HF_HOME": str(hf_home),
    }


def run_task(
    task: str, source: Path, out: Path, env: dict[str, str], cache: Path | None = None
) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.tasks", task, str(source), str(out)]
    if cache is not None:
        command += ["--cache", str(cache)]
    process = spawn(command, env)
    if process.returncode != 0:
        raise RuntimeError(f"{task} failed (exit {process.returncode}):\n{process.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(process.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = process.wall_seconds
    return figures


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def summary(runs: list[dict[str, Any]], articles: int, spans: int) -> dict[str, Any]:
    seconds = median_of(runs, "seconds")
    return {
        "seconds": seconds,
        "articles_per_second": articles / seconds,
        "spans_per_second": spans / seconds,
        "peak_rss_bytes": int(median_of(runs, "peak_rss_bytes")),
        "runs": runs,
    }


def validation_available() -> str | None:
    """Why ``python -m validation`` cannot run yet, or None when it can."""
    if not (REPO_ROOT / "validation" / "__main__.py").is_file():
        return "validation/__main__.py does not exist yet"
    return None


def measure_validation(
    built: Path, spans: int, repeats: int, env: dict[str, str]
) -> dict[str, Any]:
    """Wall time of the whole command (start-up and imports included: what a user waits)."""
    missing = validation_available()
    if missing is not None:
        return {"status": "not available", "reason": missing}
    runs = []
    for repeat in range(repeats):
        process = spawn([sys.executable, "-m", "validation", str(built), "--no-reports"], env)
        runs.append(
            {
                "seconds": process.wall_seconds,
                "peak_rss_bytes": process.peak_rss_bytes,
                "returncode": process.returncode,
            }
        )
        log(f"  validation #{repeat + 1}: {process.wall_seconds:.2f} s, exit {process.returncode}")
        if process.returncode != 0:
            return {
                "status": f"failed (exit {process.returncode})",
                "reason": (process.stderr or process.stdout)[-2000:],
                "runs": runs,
            }
    seconds = median_of(runs, "seconds")
    return {
        "status": "ok",
        "seconds": seconds,
        "spans_per_second": spans / seconds,
        "peak_rss_bytes": int(median_of(runs, "peak_rss_bytes")),
        "runs": runs,
    }


def same_content(first: Path, second: Path, tables: tuple[str, ...]) -> bool:
    """Whether two outputs hold the same rows, in the same order, with the same schema."""
    import pyarrow.parquet as pq

    for table in tables:
        left, right = pq.read_table(first / table), pq.read_table(second / table)
        if not (left.equals(right) and left.schema.equals(right.schema, check_metadata=True)):
            return False
    return True


def measure_size(
    size: int, repeats: int, seed: int, work: Path, env: dict[str, str]
) -> dict[str, Any]:
    folder = work / str(size)
    corpus = folder / "corpus"
    log(f"size {size}: synthesizing")
    start = time.perf_counter()
    stats = synthesize(corpus, size, seed)
    synth_seconds = time.perf_counter() - start
    runs: dict[str, list[dict[str, Any]]] = {task: [] for task in BUILD_TASKS}
    built = folder / "build"
    floor_matches = False
    for repeat in range(repeats):
        for task in BUILD_TASKS:
            out = built if task == "build" else folder / task
            cache = folder / f"{task}-cache"
            for path in (out, cache):
                shutil.rmtree(path, ignore_errors=True)
            figures = run_task(task, corpus, out, env, cache)
            if (figures["articles"], figures["spans"]) != (stats.articles, stats.spans):
                raise RuntimeError(f"{task} wrote {figures}, the corpus has {stats}")
            runs[task].append(figures)
            log(f"  {task} #{repeat + 1}: {figures['seconds']:.2f} s")
            if task == "floor" and repeat == 0:
                floor_matches = same_content(out, built, ("articles", "spans"))
            if out != built:
                shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
    figures = {task: summary(runs[task], stats.articles, stats.spans) for task in BUILD_TASKS}
    full, core = figures["build"]["seconds"], figures["build-no-sentences"]["seconds"]
    baseline, floor = figures["baseline"]["seconds"], figures["floor"]["seconds"]
    result: dict[str, Any] = {
        "corpus": {
            "articles": stats.articles,
            "spans": stats.spans,
            "spans_per_article": stats.spans_per_article,
            "characters": stats.characters,
            "bytes": stats.bytes,
            "empty_label_files": stats.empty_label_files,
            "spans_overlapping_another_technique": stats.overlapping_spans,
            "seed": seed,
            "synth_seconds": synth_seconds,
        },
        **figures,
        "sentences_extra": {
            "seconds": full - core,
            "share_of_build": (full - core) / full,
        },
        "floor_writes_the_same_tables": floor_matches,
        "ratios": {
            "ours_over_baseline": core / baseline,
            "baseline_speedup": baseline / core,
            "ours_over_floor": core / floor,
            "full_build_over_floor": full / floor,
        },
    }
    result["validation"] = measure_validation(built, stats.spans, repeats, env)
    result["load"] = measure_loads(built, corpus, folder, repeats, env)
    shutil.rmtree(folder, ignore_errors=True)
    return result


def measure_loads(
    built: Path, corpus: Path, folder: Path, repeats: int, env: dict[str, str]
) -> dict[str, Any]:
    """``datasets.load_dataset`` with a fresh cache (cold), then the same cache (warm), and
    ``pandas.read_parquet``; the OS file cache is warm in all three."""
    runs: dict[str, list[dict[str, Any]]] = {"hf_cold": [], "hf_warm": [], "pandas": []}
    for repeat in range(repeats):
        cache = folder / "load-cache"
        shutil.rmtree(cache, ignore_errors=True)
        runs["hf_cold"].append(run_task("load-hf", corpus, built, env, cache))
        runs["hf_warm"].append(run_task("load-hf", corpus, built, env, cache))
        runs["pandas"].append(run_task("load-pandas", corpus, built, env))
        shutil.rmtree(cache, ignore_errors=True)
        log(
            "  load #{}: hf cold {:.2f} s, hf warm {:.2f} s, pandas {:.2f} s".format(
                repeat + 1, *(runs[key][-1]["seconds"] for key in runs)
            )
        )
    return {
        key: {
            "seconds": median_of(values, "seconds"),
            "peak_rss_bytes": int(median_of(values, "peak_rss_bytes")),
            "runs": values,
        }
        for key, values in runs.items()
    }


def machine() -> dict[str, Any]:
    memory = 0
    cpu = platform.processor()
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    libraries: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            libraries[name] = installed_version(name)
        except PackageNotFoundError:
            libraries[name] = None
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "memory_bytes": memory,
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "libraries": libraries,
    }


#: Folders whose code the figures depend on; a change to them during a run is flagged.
MEASURED_CODE = ("dataset", "validation", "benchmarks", "schemas")


def code_fingerprint() -> str:
    """sha256 over the measured code, to catch edits made while a run is going on."""
    digest = hashlib.sha256()
    for folder in MEASURED_CODE:
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            if path.suffix in {".py", ".yaml"} and "__pycache__" not in path.parts:
                digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def code_state() -> dict[str, Any]:
    """The commit measured and the files changed on top of it, so figures can be traced."""
    state: dict[str, Any] = {"commit": None, "modified": [], "fingerprint": code_fingerprint()}
    try:
        state["commit"] = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return state
    state["modified"] = sorted(line[3:] for line in status.splitlines())
    return state


def _verdict(ok: bool) -> str:
    return "met" if ok else "missed"


def validation_estimate(sizes: dict[int, dict[str, Any]]) -> tuple[float, str] | None:
    """Validation seconds for the target's span count and how they were obtained: from a
    least-squares line (fixed start-up cost + cost per span) through the measured sizes, or
    in proportion from the only one measured."""
    points = sorted(
        (figures["corpus"]["spans"], figures["validation"]["seconds"])
        for figures in sizes.values()
        if figures["validation"].get("status") == "ok"
    )
    if not points:
        return None
    goal = TARGET_VALIDATION_SPANS
    if len(points) == 1:
        spans, seconds = points[0]
        return seconds * goal / spans, f"in proportion to {seconds:.1f} s for {spans:,} spans"
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum(
        (x - mean_x) ** 2 for x, _ in points
    )
    fixed = mean_y - slope * mean_x
    kind = "interpolated" if points[-1][0] >= goal else "extrapolated"
    measured = ", ".join(f"{y:.1f} s for {x:,}" for x, y in points)
    return (
        fixed + slope * goal,
        f"{kind} on a line through the measured sizes ({measured} spans: "
        f"{fixed:.1f} s fixed + {slope * 1e6:.1f} s per million spans)",
    )


def targets(sizes: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's four targets, each judged on the figure that measures it."""
    rows: list[dict[str, Any]] = []
    at = TARGET_BASELINE_SIZE if TARGET_BASELINE_SIZE in sizes else max(sizes)
    speedup = sizes[at]["ratios"]["baseline_speedup"]
    rows.append(
        {
            "target": f"build at least {TARGET_BASELINE_SPEEDUP:g}x faster than the "
            f"loading-script baseline on {TARGET_BASELINE_SIZE:,} articles",
            "measured": f"{speedup:.2f}x as fast (ours/baseline = "
            f"{sizes[at]['ratios']['ours_over_baseline']:.2f}) on {at:,} articles",
            "status": _verdict(speedup >= TARGET_BASELINE_SPEEDUP),
            "by": f"{TARGET_BASELINE_SPEEDUP / speedup:.1f}x short"
            if speedup < TARGET_BASELINE_SPEEDUP
            else "",
        }
    )
    ratios = {size: figures["ratios"]["ours_over_floor"] for size, figures in sizes.items()}
    worst = max(ratios.values())
    rows.append(
        {
            "target": f"build within {TARGET_FLOOR_RATIO:g}x of the plain-pyarrow floor",
            "measured": ", ".join(f"{r:.2f}x on {s:,}" for s, r in ratios.items()),
            "status": _verdict(worst <= TARGET_FLOOR_RATIO),
            "by": f"{worst / TARGET_FLOOR_RATIO:.2f}x over" if worst > TARGET_FLOOR_RATIO else "",
        }
    )
    target = (
        f"validation of {TARGET_VALIDATION_SPANS:,} spans under {TARGET_VALIDATION_SECONDS:g} s"
    )
    estimate = validation_estimate(sizes)
    if estimate is not None:
        seconds, how = estimate
        rows.append(
            {
                "target": target,
                "measured": f"{seconds:.1f} s for 1M spans, {how}",
                "status": _verdict(seconds < TARGET_VALIDATION_SECONDS),
                "by": f"{seconds / TARGET_VALIDATION_SECONDS:.1f}x over"
                if seconds >= TARGET_VALIDATION_SECONDS
                else "",
            }
        )
    else:
        statuses = {s: f["validation"].get("status") for s, f in sizes.items()}
        rows.append(
            {"target": target, "measured": f"validation: {statuses}", "status": "not measured"}
        )
    memory_target = f"peak memory of the build for {TARGET_MEMORY_SIZE:,} articles under 1 GB"
    if TARGET_MEMORY_SIZE in sizes:
        peak = sizes[TARGET_MEMORY_SIZE]["build"]["peak_rss_bytes"]
        rows.append(
            {
                "target": memory_target,
                "measured": f"{peak / 2**20:.0f} MiB",
                "status": _verdict(peak < TARGET_MEMORY_BYTES),
                "by": f"{peak / TARGET_MEMORY_BYTES:.2f}x over"
                if peak >= TARGET_MEMORY_BYTES
                else "",
            }
        )
    else:
        largest = max(sizes)
        peak = sizes[largest]["build"]["peak_rss_bytes"]
        rows.append(
            {
                "target": memory_target,
                "measured": f"not run (pass --with-100k); {peak / 2**20:.0f} MiB at {largest:,}",
                "status": "not measured",
            }
        )
    return rows


def _mib(value: float) -> str:
    return f"{value / 2**20:.0f} MiB"


def _seconds(value: float) -> str:
    return f"{value:.2f} s"


def markdown(results: dict[str, Any]) -> str:
    sizes = {int(size): figures for size, figures in results["sizes"].items()}
    columns = sorted(sizes)
    lines = [
        "# Benchmarks",
        "",
        "Generated by `benchmarks/run.py` (`nox -s bench`; add `-- --with-100k` for the",
        "100,000-article corpus). Do not edit by hand: rerun the command.",
        "",
        f"- command: `{results['command']}`",
        f"- date (UTC): {results['date']}",
        f"- code: commit `{(results['code']['commit'] or 'unknown')[:12]}`"
        + (
            f" plus uncommitted changes to {len(results['code']['modified'])} files"
            if results["code"]["modified"]
            else ""
        ),
        *(
            ["- **warning: the code changed during this run; its figures are not consistent**"]
            if results.get("code_changed_during_run")
            else []
        ),
        f"- every figure is the median of {results['repeats']} runs, each in a fresh process"
        + (
            f" ({results['large_repeats']} runs for {LARGE_SIZE:,} articles and more)"
            if results["large_repeats"] != results["repeats"]
            else ""
        ),
        "",
        "## Machine",
        "",
    ]
    info = results["machine"]
    lines += [
        f"- {info['cores']} cores ({info['usable_cores']} usable), "
        f"{info['memory_bytes'] / 2**30:.1f} GiB memory, {info['cpu']}",
        f"- {info['platform']}, Python {info['python']}",
        "- " + ", ".join(f"{name} {ver}" for name, ver in info["libraries"].items()),
        "",
        "## Targets",
        "",
        "| target | measured | status |",
        "| --- | --- | --- |",
    ]
    for row in results["targets"]:
        status = row["status"] + (f" ({row['by']})" if row.get("by") else "")
        lines.append(f"| {row['target']} | {row['measured']} | **{status}** |")
    header = "| figure | " + " | ".join(f"{size:,} articles" for size in columns) + " |"
    lines += ["", "## Figures", "", header, "| --- |" + " ---: |" * len(columns)]

    def add(label: str, cell: Any) -> None:
        cells = []
        for size in columns:
            try:
                cells.append(cell(sizes[size]))
            except (KeyError, TypeError):
                cells.append("n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    add("spans", lambda f: f"{f['corpus']['spans']:,}")
    add("spans per article", lambda f: f"{f['corpus']['spans_per_article']:.1f}")
    add("raw corpus", lambda f: f"{f['corpus']['bytes'] / 2**20:.1f} MiB")
    add("**our build**, all four tables", lambda f: _seconds(f["build"]["seconds"]))
    add("- articles / s", lambda f: f"{f['build']['articles_per_second']:,.0f}")
    add("- spans / s", lambda f: f"{f['build']['spans_per_second']:,.0f}")
    add("- peak resident memory", lambda f: _mib(f["build"]["peak_rss_bytes"]))
    add(
        "our build, articles + spans only",
        lambda f: _seconds(f["build-no-sentences"]["seconds"]),
    )
    add(
        "- spans / s",
        lambda f: f"{f['build-no-sentences']['spans_per_second']:,.0f}",
    )
    add(
        "sentences table, extra cost",
        lambda f: (
            f"{_seconds(f['sentences_extra']['seconds'])} "
            f"({f['sentences_extra']['share_of_build']:.0%} of the build)"
        ),
    )
    add(
        "**baseline** (loading script: generator → from_generator → to_parquet)",
        lambda f: _seconds(f["baseline"]["seconds"]),
    )
    add("- peak resident memory", lambda f: _mib(f["baseline"]["peak_rss_bytes"]))
    add(
        "ours (articles + spans) / baseline",
        lambda f: (
            f"{f['ratios']['ours_over_baseline']:.2f} "
            f"({f['ratios']['baseline_speedup']:.2f}x as fast)"
        ),
    )
    add("**floor** (plain pyarrow, no checks)", lambda f: _seconds(f["floor"]["seconds"]))
    add("- peak resident memory", lambda f: _mib(f["floor"]["peak_rss_bytes"]))
    add(
        "floor output equal to ours (articles, spans)",
        lambda f: "yes" if f["floor_writes_the_same_tables"] else "no",
    )
    add("ours (articles + spans) / floor", lambda f: f"{f['ratios']['ours_over_floor']:.2f}")
    add("ours (all four tables) / floor", lambda f: f"{f['ratios']['full_build_over_floor']:.2f}")
    add("**validation** (`python -m validation --no-reports`)", _validation_cell)
    add("- spans / s", lambda f: f"{f['validation']['spans_per_second']:,.0f}")
    add("- peak resident memory", lambda f: _mib(f["validation"]["peak_rss_bytes"]))
    add("**load** spans, `datasets.load_dataset`, cold cache", _load_cell("hf_cold"))
    add("load spans, `datasets.load_dataset`, warm cache", _load_cell("hf_warm"))
    add("load spans, `pandas.read_parquet`", _load_cell("pandas"))
    lines += [
        "",
        "## How it is measured",
        "",
        "- Corpora come from `python -m dataset synth` (seeded, PTC-like lengths, techniques",
        "  and span counts; its text is drawn from a pool of a few thousand sentences, so it",
        "  compresses better than real news would). Inputs sit in the OS file cache.",
        "- Build, baseline, floor and loads run in a fresh process each; their time covers the",
        "  work only (interpreter start-up and imports excluded) and their memory is the",
        "  process's peak resident set (VmHWM, imports included). Validation is timed as the",
        "  whole command, start-up included.",
        "- *Articles + spans only* is our build with sentence segmentation switched off",
        "  (`TableBatch._add_sentences` patched out), so it writes what the baseline writes;",
        "  the sentences table's extra cost is the difference to the full build.",
        "- The baseline does what Hugging Face's `sem_eval_2020_task_11` loading script does:",
        "  a generator reads each article and its label file and yields one example with its",
        "  spans as a list of dicts into `datasets.Dataset.from_generator` (explicit features,",
        "  fresh cache), then `to_parquet` with the library's default writer options.",
        "- The floor reads the same files and writes the same articles and spans tables (same",
        "  Arrow schemas and Parquet options, including zstd level 9) with plain pyarrow.",
        "- Loads read the built `spans` table; *cold* is a fresh `datasets` cache, *warm* the",
        "  same cache again.",
        "",
    ]
    return "\n".join(lines) + "\n"


def _validation_cell(figures: dict[str, Any]) -> str:
    validation = figures["validation"]
    if validation.get("status") != "ok":
        return str(validation.get("status", "n/a"))
    return _seconds(validation["seconds"])


def _load_cell(key: str) -> Any:
    def cell(figures: dict[str, Any]) -> str:
        return _seconds(figures["load"][key]["seconds"])

    return cell


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive article counts, e.g. 1000,10000")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated corpus sizes in articles (default: 1000,10000)",
    )
    parser.add_argument("--with-100k", action="store_true", help="add the 100,000-article corpus")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (default: 3)")
    parser.add_argument(
        "--large-repeats",
        type=int,
        help=f"runs per figure for {LARGE_SIZE:,} articles and more (default: --repeats)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="synthesis seed")
    parser.add_argument("--out-json", type=Path, default=DEFAULT_JSON, help="figures as JSON")
    parser.add_argument("--out-md", type=Path, default=DEFAULT_MD, help="Markdown report")
    parser.add_argument(
        "--work-dir", type=Path, help="where corpora and builds go (default: a temporary folder)"
    )
    args = parser.parse_args(argv)
    sizes: list[int] = sorted({*args.sizes, *([LARGE_SIZE] if args.with_100k else [])})
    large_repeats = args.large_repeats or args.repeats
    if args.repeats < 1 or large_repeats < 1:
        parser.error("--repeats and --large-repeats must be positive")
    work = Path(tempfile.mkdtemp(prefix="propaganda-bench-", dir=args.work_dir))
    env = child_env(work / "hf-home")
    results: dict[str, Any] = {
        "command": shlex.join(["python", "-m", "benchmarks.run", *sys.argv[1:]])
        if argv is None
        else shlex.join(["python", "-m", "benchmarks.run", *argv]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "repeats": args.repeats,
        "large_repeats": large_repeats,
        "machine": machine(),
        "code": code_state(),
        "sizes": {},
    }
    try:
        for size in sizes:
            repeats = large_repeats if size >= LARGE_SIZE else args.repeats
            results["sizes"][str(size)] = measure_size(size, repeats, args.seed, work, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["code_changed_during_run"] = code_fingerprint() != results["code"]["fingerprint"]
    if results["code_changed_during_run"]:
        log("warning: the measured code changed during the run; rerun for consistent figures")
    results["targets"] = targets({int(s): f for s, f in results["sizes"].items()})
    args.out_json.parent.mkdir(parents=True, exist_ok=True)
    args.out_json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    args.out_md.write_text(markdown(results), encoding="utf-8")
    for row in results["targets"]:
        log(f"{row['status']:>12}  {row['target']}: {row['measured']}")
    log(f"wrote {args.out_json} and {args.out_md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
