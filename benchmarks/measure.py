"""Measuring: every figure comes from a child process of its own, reaped with ``os.wait4``.

A size's measurement synthesizes its corpus, then times our build (all tables and
articles + spans only), the loading-script baseline and the pyarrow floor, the validation
command and loading the built spans. End-to-end sizes (a million articles) skip the
baseline, the floor and the articles + spans build: they answer how the build, the
validation and loading scale, not how they compare.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Seconds one measured process may take before it is killed and the run fails.
TASK_TIMEOUT = 3 * 3600
#: Address space one measured process may take (8 GiB; the target for a step is 1 GiB).
MEMORY_LIMIT = 8 << 30
LIBRARIES = ("pyarrow", "datasets", "pandas", "numpy", "great-expectations", "pyyaml", "pyspark")
#: Our build, the same build without the lines table, and the two it is compared with.
BUILD_TASKS = ("build", "build-no-lines", "baseline", "floor")
#: Tables the floor writes, which must come out as ours do.
FLOOR_TABLES = ("articles", "spans")
#: Batch sizes (articles per row group) tried by the row-group sweep.
SWEEP_BATCHES = (250, 1_000, 4_000, 16_000)
#: The validation engines the bench can measure; the first is the default.
ENGINES = ("default", "spark")
#: Seconds between two samples of a process tree's resident memory.
TREE_SAMPLE_SECONDS = 0.1
#: Seconds a measured process's descendants get to exit after it (Spark's JVM stops when
#: its driver is gone), so the next run starts on a quiet machine.
DESCENDANTS_EXIT_SECONDS = 60


@dataclass(frozen=True)
class Process:
    """One finished child process: exit status, output, wall time and peak memory."""

    returncode: int
    stdout: str
    stderr: str
    wall_seconds: float
    peak_rss_bytes: int
    #: With ``spawn(..., tree=True)``: the peak of the summed resident memory of the process
    #: and all its descendants (see ``TreeMemory``).
    peak_tree_rss_bytes: int | None = None


class TreeMemory:
    """The peak of the summed resident sets of a process and all its descendants, sampled
    every TREE_SAMPLE_SECONDS in a thread. ``os.wait4`` gives only the largest single
    process's peak, and none for a descendant its parent never reaps, such as the JVM that
    PySpark starts; a sum of resident sets counts pages that processes share (forked Python
    workers) once per process, so it is an upper bound of what the tree holds."""

    def __init__(self, pid: int) -> None:
        # psutil comes with the spark extra: only the Spark engine's figures need a tree.
        import psutil

        self._psutil = psutil
        self._root = psutil.Process(pid)
        self._seen: dict[int, psutil.Process] = {}
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                tree = [self._root, *self._root.children(recursive=True)]
            except self._psutil.Error:
                tree = list(self._seen.values())
            total = 0
            for process in tree:
                try:
                    total += process.memory_info().rss
                except self._psutil.Error:
                    continue
                self._seen.setdefault(process.pid, process)
            self.peak = max(self.peak, total)
            self._stop.wait(TREE_SAMPLE_SECONDS)

    def stop(self) -> int:
        """Stop sampling, wait for the descendants to exit (killing those that outstay
        DESCENDANTS_EXIT_SECONDS), and return the peak."""
        self._stop.set()
        self._thread.join()
        rest = [p for pid, p in self._seen.items() if pid != self._root.pid and p.is_running()]
        _, alive = self._psutil.wait_procs(rest, timeout=DESCENDANTS_EXIT_SECONDS)
        for process in alive:
            process.kill()
        return self.peak


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


#: Starts a command with at most MEMORY_LIMIT of address space (the limit survives exec),
#: so a step that would take the machine's memory fails with MemoryError and is reported.
_LIMITED = (
    "import os, resource, sys; "
    "resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]),) * 2); "
    "os.execv(sys.argv[2], sys.argv[2:])"
)


def spawn(
    command: list[str], env: dict[str, str], timeout: float = TASK_TIMEOUT, *, tree: bool = False
) -> Process:
    """Run ``command`` from the repository root and reap it with ``os.wait4``, whose
    resource usage is that child's alone (``RUSAGE_CHILDREN`` would mix runs); ``tree``
    also samples the memory of the child's whole process tree."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        limited = [sys.executable, "-c", _LIMITED, str(MEMORY_LIMIT), *command]
        child = subprocess.Popen(limited, cwd=REPO_ROOT, env=env, stdout=out, stderr=err)
        memory = TreeMemory(child.pid) if tree else None
        timer = threading.Timer(timeout, child.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        tree_peak = memory.stop() if memory is not None else None
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Process(
            returncode=child.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            wall_seconds=wall,
            peak_rss_bytes=usage.ru_maxrss * 1024,
            peak_tree_rss_bytes=tree_peak,
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
    task: str, source: Path, out: Path, env: dict[str, str], *options: str
) -> dict[str, Any]:
    """One ``benchmarks.tasks`` process; its JSON line plus the process's wall time."""
    command = [sys.executable, "-m", "benchmarks.tasks", task, str(source), str(out), *options]
    process = spawn(command, env)
    if process.returncode != 0:
        raise RuntimeError(f"{task} failed (exit {process.returncode}):\n{process.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(process.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = process.wall_seconds
    return figures


def load_average() -> list[float]:
    """The 1, 5 and 15-minute load averages: how busy the machine was around a figure."""
    return [round(value, 2) for value in os.getloadavg()]


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def summary(runs: list[dict[str, Any]], articles: int) -> dict[str, Any]:
    seconds = median_of(runs, "seconds")
    return {
        "seconds": seconds,
        "microseconds_per_article": seconds / articles * 1e6,
        "peak_rss_bytes": int(median_of(runs, "peak_rss_bytes")),
        "runs": runs,
    }


def synthesize(corpus: Path, size: int, seed: int, env: dict[str, str]) -> dict[str, Any]:
    figures = run_task("synth", corpus, corpus, env, "--articles", str(size), "--seed", str(seed))
    log(f"  synth: {figures['seconds']:.2f} s")
    return {**figures, "seed": seed}


def _validation_run(
    built: Path, env: dict[str, str], reports: Path, engine: str, jobs: int | None
) -> dict[str, Any] | str:
    """One ``python -m validation`` process: its figures, or why it failed. Memory is the
    whole process tree's (``--jobs`` workers; on Spark the JVM and Python workers too)."""
    shutil.rmtree(reports, ignore_errors=True)
    command = [sys.executable, "-m", "validation", str(built), "--reports", str(reports)]
    command += ["--engine", "spark"] if engine == "spark" else []
    command += [] if jobs is None else ["--jobs", str(jobs)]
    # psutil comes with the spark extra, which the bench session installs; without it
    # (the tests' environment) the largest process's peak stands in for the tree's.
    process = spawn(command, env, tree=importlib.util.find_spec("psutil") is not None)
    log(
        f"  validation ({engine}, jobs {jobs or 'default'}): {process.wall_seconds:.2f} s, "
        f"exit {process.returncode}, load average {load_average()}"
    )
    if process.returncode != 0:
        return (process.stderr or process.stdout)[-2000:]
    report = json.loads((reports / "validation.json").read_text(encoding="utf-8"))
    clock = report["seconds"]
    return {
        "seconds": process.wall_seconds,
        "work_seconds": clock["total"] - clock["start-up"],
        "start_up_seconds": clock["start-up"],
        "phases": clock,
        "cpu_seconds": report["cpu_seconds"],
        "peak_rss_bytes": process.peak_tree_rss_bytes or process.peak_rss_bytes,
        "largest_process_peak_rss_bytes": process.peak_rss_bytes,
        "batches": report["batches"],
        "returncode": process.returncode,
    }


#: A way of running the validation: its engine and ``--jobs`` (None: the default).
Variant = tuple[str, int | None]


def measure_validation(
    built: Path,
    articles: int,
    repeats: int,
    env: dict[str, str],
    folder: Path,
    *,
    engine: str = ENGINES[0],
    jobs: int | None = None,
) -> dict[str, Any]:
    """Wall time of the whole command (start-up and imports included: what a user waits,
    reports written as by default) and the validator's own clock from its JSON report:
    ``work_seconds`` is everything after start-up (importing Great Expectations, making its
    context and DuckDB's connection; on Spark, starting the JVM and the session too).
    ``peak_rss_bytes`` is the whole process tree's (``TreeMemory``: the ``--jobs``
    workers; on Spark the JVM and Python workers), ``largest_process_peak_rss_bytes``
    what ``os.wait4`` gives; ``cpu_seconds`` the report's, per phase (workers included)."""
    variants = {"only": (engine, jobs)}
    return measure_validations(built, articles, repeats, env, folder, variants=variants)["only"]


def measure_validations(
    built: Path,
    articles: int,
    repeats: int,
    env: dict[str, str],
    folder: Path,
    *,
    variants: dict[str, Variant],
) -> dict[str, dict[str, Any]]:
    """``measure_validation``'s figures for each variant, the runs interleaved (one of
    each per round) so a busy spell hits all of them, as ``measure_builds`` does: two
    variants' ratio is then the ratio of runs made minutes apart, not of two blocks of runs
    an hour's drift apart. A variant that fails stops being run."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
    failed: dict[str, str] = {}
    reports = folder / "validation-reports"
    for _ in range(repeats):
        for name, (engine, jobs) in variants.items():
            if name in failed:
                continue
            run = _validation_run(built, env, reports, engine, jobs)
            if isinstance(run, str):
                failed[name] = run
            else:
                runs[name].append(run)
    shutil.rmtree(reports, ignore_errors=True)
    return {
        name: (
            {"status": "failed", "reason": failed[name], "runs": runs[name]}
            if name in failed
            else _validation_summary(runs[name], articles, *variants[name])
        )
        for name in variants
    }


def _validation_summary(
    runs: list[dict[str, Any]], articles: int, engine: str, jobs: int | None
) -> dict[str, Any]:
    phases = {phase for run in runs for phase in run["cpu_seconds"]}
    return {
        "status": "ok",
        "engine": engine,
        "jobs": jobs,
        **summary(runs, articles),
        "work_seconds": median_of(runs, "work_seconds"),
        "start_up_seconds": median_of(runs, "start_up_seconds"),
        "cpu_seconds": {
            phase: float(statistics.median(run["cpu_seconds"].get(phase, 0.0) for run in runs))
            for phase in sorted(phases)
        },
    }


def validation_yardsticks(built: Path, repeats: int, env: dict[str, str]) -> dict[str, Any]:
    """The default engine's yardsticks: the plain pyarrow read of the same tables and
    ``--list-checks``."""
    reads = [run_task("read", built, built, env) for _ in range(repeats)]
    listings = [
        spawn([sys.executable, "-m", "validation", "--list-checks"], env).wall_seconds
        for _ in range(repeats)
    ]
    return {
        "read": {
            "seconds": median_of(reads, "seconds"),
            "peak_rss_bytes": int(median_of(reads, "peak_rss_bytes")),
            "runs": reads,
        },
        "list_checks_seconds": float(statistics.median(listings)),
    }


def engine_shares(
    built: Path, single: dict[str, Any], repeats: int, env: dict[str, str]
) -> dict[str, Any]:
    """Issue 23's target 2: the validation with ``--jobs 1`` (``single``: its Great
    Expectations and SQL shares, in processor seconds) beside Great Expectations and DuckDB
    running the same rules once over the whole tables (``benchmarks.yardsticks``)."""
    yardsticks = {}
    for name in ("expectations", "sql"):
        runs = [run_task(f"yardstick-{name}", built, built, env) for _ in range(repeats)]
        yardsticks[name] = {"cpu_seconds": median_of(runs, "cpu_seconds"), "runs": runs}
        log(f"  yardstick {name}: {yardsticks[name]['cpu_seconds']:.2f} s of processor time")
    return {"validation_jobs_1": single, "yardsticks": yardsticks}


def measure_small(work: Path, repeats: int, env: dict[str, str]) -> dict[str, Any]:
    """Issue 23's target 3: validating a one-article dataset, whole command, beside the
    import of Great Expectations alone in a fresh process (a file, ``benchmarks.import_gx``:
    with PySpark installed, ``python -c "import great_expectations"`` exits in the middle
    of the import, see ``validation.gx``)."""
    folder = work / "one-article"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    synthesize(folder / "corpus", 1, 1, env)
    run_task("build", folder / "corpus", folder / "build", env, "--cache", str(folder / "cache"))
    validation = measure_validation(folder / "build", 1, repeats, env, folder)
    imports = []
    for _ in range(repeats):
        process = spawn([sys.executable, "-m", "benchmarks.import_gx"], env)
        if process.returncode != 0:
            raise RuntimeError(f"importing Great Expectations failed:\n{process.stderr[-3000:]}")
        imports.append(process.wall_seconds)
    log(f"  import great_expectations: {statistics.median(imports):.2f} s")
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "validation": validation,
        "import_gx_seconds": float(statistics.median(imports)),
        "import_gx_runs": imports,
        "load_average": load_average(),
    }


def same_output(first: Path, second: Path, tables: tuple[str, ...]) -> str:
    """``bytes`` when the two outputs' files of ``tables`` are byte-identical, ``rows`` when
    they only hold the same rows and schema (e.g. split into other shards), else ``no``."""
    import pyarrow.parquet as pq

    def files(root: Path) -> dict[str, str]:
        return {
            path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for table in tables
            for path in sorted((root / table).glob("*.parquet"))
        }

    if files(first) == files(second):
        return "bytes"
    for table in tables:
        left, right = pq.read_table(first / table), pq.read_table(second / table)
        if not (left.equals(right) and left.schema.equals(right.schema, check_metadata=True)):
            return "no"
    return "rows"


def measure_builds(
    *,
    corpus: Path,
    folder: Path,
    counts: tuple[int, int],
    tasks: tuple[str, ...],
    repeats: int,
    env: dict[str, str],
) -> tuple[dict[str, Any], str | None]:
    """Each build task ``repeats`` times, interleaved so a busy spell hits all of them;
    the full build stays in ``folder/build`` for the validation and the loads."""
    runs: dict[str, list[dict[str, Any]]] = {task: [] for task in tasks}
    built = folder / "build"
    floor_matches = None
    for repeat in range(repeats):
        for task in tasks:
            out = built if task == "build" else folder / task
            cache = folder / f"{task}-cache"
            for path in (out, cache):
                shutil.rmtree(path, ignore_errors=True)
            figures = run_task(task, corpus, out, env, "--cache", str(cache))
            if (figures["articles"], figures["spans"]) != counts:
                raise RuntimeError(f"{task} wrote {figures}, the corpus has {counts}")
            runs[task].append(figures)
            log(f"  {task} #{repeat + 1}: {figures['seconds']:.2f} s")
            if task == "floor" and repeat == 0 and built.is_dir():
                floor_matches = same_output(out, built, FLOOR_TABLES)
            if out != built:
                shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
    return {task: summary(runs[task], counts[0]) for task in tasks}, floor_matches


def measure_loads(
    built: Path,
    folder: Path,
    repeats: int,
    env: dict[str, str],
    *,
    warm: bool = True,
    shards: bool = False,
) -> dict[str, Any]:
    """``datasets.load_dataset`` with a fresh cache (cold), then (``warm``) the same cache
    again, and ``pandas.read_parquet``, of the whole table and (``shards``) one shard file
    at a time; the OS file cache is warm in all of them."""
    runs: dict[str, list[dict[str, Any]]] = {"hf_cold": [], "hf_warm": [], "pandas": []}
    if not warm:
        del runs["hf_warm"]
    if shards:
        runs["pandas_shards"] = []
    cache = folder / "load-cache"
    for repeat in range(repeats):
        shutil.rmtree(cache, ignore_errors=True)
        runs["hf_cold"].append(run_task("load-hf", built, built, env, "--cache", str(cache)))
        if warm:
            runs["hf_warm"].append(run_task("load-hf", built, built, env, "--cache", str(cache)))
        runs["pandas"].append(run_task("load-pandas", built, built, env))
        if shards:
            runs["pandas_shards"].append(run_task("load-pandas-shards", built, built, env))
        shutil.rmtree(cache, ignore_errors=True)
        seconds = (f"{key} {values[-1]['seconds']:.2f} s" for key, values in runs.items())
        log(f"  load #{repeat + 1}: " + ", ".join(seconds))
    return {
        key: {
            "seconds": median_of(values, "seconds"),
            "peak_rss_bytes": int(median_of(values, "peak_rss_bytes")),
            "runs": values,
        }
        for key, values in runs.items()
    }


def _validations(
    built: Path,
    size: int,
    repeats: int,
    env: dict[str, str],
    folder: Path,
    *,
    spark: bool,
    shares: bool,
) -> dict[str, Any]:
    """The validation's figures at one size: the default engine (default ``--jobs``) with
    its yardsticks; ``spark`` adds the Spark engine, ``shares`` the engine shares (with
    ``--jobs 1``). The runs of the engines are interleaved (``measure_validations``): the
    Spark target is a ratio of Spark's runs to those with ``--jobs 1``."""
    variants: dict[str, Variant] = {"validation": (ENGINES[0], None)}
    if shares:
        variants["validation_jobs_1"] = (ENGINES[0], 1)
    if spark:
        variants["validation_spark"] = ("spark", None)
    measured = measure_validations(built, size, repeats, env, folder, variants=variants)
    result: dict[str, Any] = {
        "validation": {**measured["validation"], **validation_yardsticks(built, repeats, env)}
    }
    if spark:
        from benchmarks.spark import spark_figures  # it imports this module

        result.update(
            spark_figures(built, size, repeats, env, folder, local=measured["validation_spark"])
        )
    if shares:
        result["shares"] = engine_shares(built, measured["validation_jobs_1"], repeats, env)
    return result


def _ratios(builds: dict[str, Any], floor_matches: str | None) -> dict[str, Any]:
    full, core = builds["build"]["seconds"], builds["build-no-lines"]["seconds"]
    baseline, floor = builds["baseline"]["seconds"], builds["floor"]["seconds"]
    return {
        "lines_extra": {"seconds": full - core, "share_of_build": (full - core) / full},
        "floor_output_equal": floor_matches,
        "ratios": {
            "baseline_speedup": baseline / core,
            "ours_over_floor": core / floor,
            "full_build_over_floor": full / floor,
        },
    }


def measure_size(
    size: int,
    repeats: int,
    seed: int,
    work: Path,
    env: dict[str, str],
    *,
    compare: bool,
    sweep: tuple[int, ...] = (),
    spark: bool = False,
    shares: bool = False,
) -> dict[str, Any]:
    """All figures of one corpus size; ``compare`` adds the articles + spans build, the
    baseline and the floor (end-to-end sizes leave them out), ``sweep`` a row-group sweep
    over these batch sizes, ``spark`` the validation on the Spark engine
    (``validation_spark``) beside the default engine's, ``shares`` the engine shares
    (``engine_shares``)."""
    folder = work / str(size)
    corpus = folder / "corpus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log(f"size {size:,}: load average {load_average()}")
    synth = synthesize(corpus, size, seed, env)
    counts = (synth["articles"], synth["spans"])
    tasks = BUILD_TASKS if compare else ("build",)
    builds, floor_matches = measure_builds(
        corpus=corpus, folder=folder, counts=counts, tasks=tasks, repeats=repeats, env=env
    )
    built = folder / "build"
    result: dict[str, Any] = {
        "corpus": {**synth, "spans_per_article": synth["spans"] / synth["articles"]},
        **builds,
        **_validations(built, size, repeats, env, folder, spark=spark, shares=shares),
        "load": measure_loads(built, folder, repeats, env, shards=not compare),
        "load_average": load_average(),
    }
    if compare:
        result.update(_ratios(builds, floor_matches))
    if sweep:
        result["row_group_sweep"] = row_group_sweep(corpus, folder, env, sweep)
    shutil.rmtree(folder, ignore_errors=True)
    return result


def row_group_sweep(
    corpus: Path, folder: Path, env: dict[str, str], batches: tuple[int, ...]
) -> dict[str, Any]:
    """The build writes one row group per batch of articles. For each batch size: the
    articles + spans build's time and memory, the tables' size on disk, the spans' load
    times and the memory of reading the tables one row group at a time (what a streaming
    reader holds)."""
    log(f"  row-group sweep: load average {load_average()}")
    rows: dict[str, Any] = {}
    for batch in batches:
        out = folder / f"sweep-{batch}"
        shutil.rmtree(out, ignore_errors=True)
        build = run_task("build-no-lines", corpus, out, env, "--batch-articles", str(batch))
        scan = run_task("scan", out, out, env)
        loads = measure_loads(out, folder, 1, env, warm=False)
        rows[str(batch)] = {
            "build_seconds": build["seconds"],
            "build_peak_rss_bytes": build["peak_rss_bytes"],
            "bytes": {
                table: sum(path.stat().st_size for path in (out / table).glob("*.parquet"))
                for table in FLOOR_TABLES
            },
            "scan_seconds": scan["seconds"],
            "scan_peak_rss_bytes": scan["peak_rss_bytes"],
            "load": {key: value["seconds"] for key, value in loads.items()},
        }
        log(f"  {batch} articles per row group: {rows[str(batch)]}")
        shutil.rmtree(out, ignore_errors=True)
    return {"batches": rows, "load_average": load_average()}


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


def java_version() -> str | None:
    """The first line of ``java -version`` of the Java that PySpark starts (JAVA_HOME's,
    else the PATH's), or None without one."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else "java"
    try:
        answer = subprocess.run([java, "-version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    lines = answer.stderr.strip().splitlines()
    return lines[0] if lines else None


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
