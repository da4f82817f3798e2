"""The benchmark's Spark path runs end to end on a tiny corpus (``--engine spark``).

No figure is checked (speed belongs in BENCHMARKS.md); what is checked is that the Spark
validation ran beside the default engine's, in a process of its own, that its memory is the
whole process tree's (the JVM's included, which ``os.wait4`` alone does not see), that the
tree's processes are gone before the next measurement, and that the report shows the
figures and says how they were measured.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import psutil

from benchmarks.measure import spawn
from benchmarks.run import main
from benchmarks.spark import TARGET_SIZE, spark_targets


def test_bench_measures_spark_beside_the_default_engine(tmp_path: Path) -> None:
    out_json, out_md = tmp_path / "results.json", tmp_path / "BENCHMARKS.md"
    argv = ["--sizes", "20", "--repeats", "1", "--engine", "spark"]
    argv += ["--work-dir", str(tmp_path / "work"), "--out-json", str(out_json)]
    assert main([*argv, "--out-md", str(out_md)]) == 0

    results = json.loads(out_json.read_text())
    assert results["engines"] == ["default", "spark"]
    assert results["machine"]["java"] and results["machine"]["libraries"]["pyspark"]
    figures = results["sizes"]["20"]
    assert figures["validation"]["status"] == "ok"
    spark = figures["validation_spark"]
    assert spark["status"] == "ok" and spark["engine"] == "spark"
    run = spark["runs"][0]
    assert run["peak_rss_bytes"] > run["largest_process_peak_rss_bytes"], "the JVM counted"
    assert 0 < spark["work_seconds"] < spark["seconds"]
    assert run["cpu_seconds"]["jvm-and-workers"] > 0 and run["cpu_seconds"]["total"] > 0
    report = out_md.read_text()
    assert "**validation on Spark**" in report
    assert "resident sets of the command's whole process tree" in report


#: A process that starts a child holding 256 MiB and exits without waiting for it.
ORPHANING = """
import subprocess, sys, time
holder = "x = b'1' * (256 << 20); print(flush=True); import time; time.sleep(1.5)"
child = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(0.5)
"""


def test_tree_memory_counts_descendants_and_waits_for_them() -> None:
    """What Spark's JVM does to the bench, in miniature: a descendant the measured process
    never reaps is counted in the tree's memory, and gone before the next measurement."""
    process = spawn([sys.executable, "-c", ORPHANING], dict(os.environ), tree=True)
    assert process.returncode == 0, process.stderr
    assert process.peak_tree_rss_bytes is not None
    assert process.peak_tree_rss_bytes > 256 << 20 > process.peak_rss_bytes
    orphan = int(process.stdout.split()[-1])
    assert not psutil.pid_exists(orphan) or psutil.Process(orphan).status() == "zombie"


def test_spark_targets_are_judged_against_one_job_at_100k() -> None:
    """Met, missed and not measured, on unrounded figures; each round's ratio shown."""
    one_job = {"status": "ok", "seconds": 40.0, "runs": [{"seconds": 40.0}, {"seconds": 50.0}]}
    spark_runs = [{"seconds": 160.1}, {"seconds": 150.0}]
    figures = {
        "validation_spark": {
            "status": "ok",
            "seconds": 160.1,
            "peak_rss_bytes": 4 << 30,
            "runs": spark_runs,
        },
        "shares": {"validation_jobs_1": one_job},
    }
    speed, memory = spark_targets({TARGET_SIZE: figures})
    assert (speed["status"], memory["status"]) == ("missed", "missed")
    assert speed["measured"].endswith("; round by round 4.00x, 3.00x)"), speed["measured"]
    figures["validation_spark"] = {
        "status": "ok",
        "seconds": 160.0,
        "peak_rss_bytes": 3 << 30,
        "runs": spark_runs,
    }
    assert [row["status"] for row in spark_targets({TARGET_SIZE: figures})] == ["met", "met"]
    assert [row["status"] for row in spark_targets({10_000: figures})] == ["not measured"] * 2
