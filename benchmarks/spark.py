"""The Spark engine's figures for the bench: ``python -m benchmarks.run --engine spark``
calls :func:`spark_figures` once per compared size.

Local mode (``local[2]``, the engine's default master, on the machine's two cores) is
measured at every compared size by ``benchmarks.measure.measure_validations``, its runs
interleaved with the default engine's (the target is their ratio), its memory the whole
process tree's (Python driver, JVM, Python workers). At CLUSTER_SIZE the same build is
also validated on a standalone cluster on this machine, started as the
``tests_spark_cluster`` session starts it (``tests.spark.cluster.cluster.Cluster``: a
master and two one-core workers on 127.0.0.1); its memory adds the peaks of the driver's
tree and of each cluster process's tree (the workers' executors included), an upper bound,
since the peaks need not coincide.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.measure import TreeMemory, log, spawn

#: The size validated on the standalone cluster too.
CLUSTER_SIZE = 10_000
#: Two one-core workers: a few shuffle partitions, as the cluster tests use.
CLUSTER_OPTIONS = ("--spark-conf", "spark.sql.shuffle.partitions=4")


def spark_figures(
    built: Path,
    articles: int,
    repeats: int,
    env: dict[str, str],
    folder: Path,
    *,
    local: dict[str, Any],
) -> dict[str, Any]:
    """The Spark engine's figures on ``built`` (``articles`` articles), to merge into the
    size's figures: ``validation_spark`` (``local``: the runs in local mode, measured
    between the default engine's) always, ``validation_spark_cluster`` (a standalone
    cluster on this machine) at CLUSTER_SIZE."""
    figures = {"validation_spark": local}
    if articles == CLUSTER_SIZE:
        figures["validation_spark_cluster"] = measure_on_cluster(
            built, articles, repeats, env, folder
        )
    return figures


def measure_on_cluster(
    built: Path, articles: int, repeats: int, env: dict[str, str], folder: Path
) -> dict[str, Any]:
    """``python -m validation BUILT --engine spark --spark-master spark://...`` on a cluster
    started for these runs and stopped however they end: wall time, the report's clock, and
    the memory of the driver's tree plus the cluster's."""
    from tests.spark.cluster.cluster import Cluster, loopback_env

    cluster = Cluster(Path(tempfile.mkdtemp(prefix="spark-cluster-", dir=folder)))
    watchdog = cluster.watchdog()
    runs: list[dict[str, Any]] = []
    try:
        cluster.start()
        for repeat in range(repeats):
            run = _cluster_run(cluster, built, {**env, **loopback_env()}, folder / "cluster")
            log(f"  validation (spark cluster) #{repeat + 1}: {run.get('seconds', 0):.2f} s")
            if "failed" in run:
                return {"status": "failed", "reason": run["failed"], "runs": runs}
            runs.append(run)
    finally:
        watchdog.cancel()
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)
    return {
        "status": "ok",
        "master": "standalone, 2 workers x 1 core",
        "seconds": statistics.median(run["seconds"] for run in runs),
        "microseconds_per_article": statistics.median(run["seconds"] for run in runs)
        / articles
        * 1e6,
        "work_seconds": statistics.median(run["work_seconds"] for run in runs),
        "peak_rss_bytes": max(run["peak_rss_bytes"] for run in runs),
        "runs": runs,
    }


def _cluster_run(cluster: Any, built: Path, env: dict[str, str], reports: Path) -> dict[str, Any]:
    """One validation on ``cluster``; its figures, or ``failed`` with the reason."""
    shutil.rmtree(reports, ignore_errors=True)
    command = [sys.executable, "-m", "validation", str(built), "--engine", "spark"]
    command += ["--spark-master", cluster.url, "--reports", str(reports), *CLUSTER_OPTIONS]
    daemons = [TreeMemory(process.pid) for process in cluster.processes]
    process = spawn(command, {**env, "PYSPARK_PYTHON": sys.executable}, tree=True)
    cluster_peak = sum(memory.stop() for memory in daemons)
    if process.returncode != 0:
        return {"failed": (process.stderr or process.stdout)[-2000:]}
    report = json.loads((reports / "validation.json").read_text(encoding="utf-8"))
    shutil.rmtree(reports, ignore_errors=True)
    return {
        "seconds": process.wall_seconds,
        "work_seconds": report["seconds"]["total"] - report["seconds"]["start-up"],
        "phases": report["seconds"],
        "cpu_seconds": report["cpu_seconds"],
        "peak_rss_bytes": (process.peak_tree_rss_bytes or 0) + cluster_peak,
        "driver_peak_rss_bytes": process.peak_tree_rss_bytes,
    }


#: Issue 23's targets for Spark in local mode: the whole command within this multiple of
#: the default engine's, and the process tree's peak under this, at TARGET_SIZE articles.
TARGET_RATIO = 4.0
TARGET_TREE_BYTES = 4 << 30
TARGET_SIZE = 100_000


def spark_targets(sizes: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The Spark targets, judged on the local-mode figures at TARGET_SIZE against the
    default engine with ``--jobs 1`` there (``shares``); "not measured" when the bench did
    not run both (``--engine spark --with-100k``)."""
    speed = (
        f"Spark (local mode) validation within {TARGET_RATIO:g}x of the default engine with "
        f"`--jobs 1`, whole command, at {TARGET_SIZE:,} articles"
    )
    memory = (
        f"Spark (local mode) process tree's peak under {TARGET_TREE_BYTES / 2**30:g} GiB at "
        f"{TARGET_SIZE:,} articles"
    )
    figures = sizes.get(TARGET_SIZE, {})
    spark = figures.get("validation_spark", {})
    single = figures.get("shares", {}).get("validation_jobs_1", {})
    rows = []
    if spark.get("status") == "ok" and single.get("status") == "ok":
        ratio = spark["seconds"] / single["seconds"]
        shown = f"{ratio:.2f}x ({spark['seconds']:.1f} s against {single['seconds']:.1f} s"
        rounds = paired_ratios(spark["runs"], single["runs"])
        shown += f"; round by round {', '.join(f'{r:.2f}x' for r in rounds)})"
        rows.append(_row(speed, shown, "met" if ratio <= TARGET_RATIO else "missed"))
    else:
        rows.append(_row(speed, "not measured", "not measured"))
    if spark.get("status") == "ok":
        tree = spark["peak_rss_bytes"]
        verdict = "met" if tree < TARGET_TREE_BYTES else "missed"
        rows.append(_row(memory, f"{tree / 2**30:.2f} GiB", verdict))
    else:
        rows.append(_row(memory, "not measured", "not measured"))
    return rows


def paired_ratios(spark: list[dict[str, Any]], single: list[dict[str, Any]]) -> list[float]:
    """Each round's Spark run over the ``--jobs 1`` run made beside it
    (``measure_validations`` interleaves them): how far the verdict moves from round to
    round on this machine."""
    return [a["seconds"] / b["seconds"] for a, b in zip(spark, single, strict=True)]


def _row(target: str, measured: str, status: str) -> dict[str, Any]:
    return {"target": target, "measured": measured, "status": status}
