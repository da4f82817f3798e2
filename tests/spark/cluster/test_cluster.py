"""The Spark engine on a real standalone cluster (a master and two workers, each its own
JVM, on 127.0.0.1): the same answers as the default engine on the shipped dataset and on a
small corrupted synthetic corpus, and one plain message, before any work, when the
executors' Python cannot import the project.

Each validation runs as a user runs it, ``python -m validation DIR --engine spark
--spark-master spark://...``, in a process of its own (one Spark application each), with
``PYSPARK_PYTHON`` naming this environment's Python for the executors.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dataset.builder.pipeline import BuildResult, build
from dataset.ptc.synth import synthesize
from tests.conftest import RAW, reseal
from tests.spark.cluster.cluster import Cluster, loopback_env
from validation.run import validate_dataset

#: Seconds one validation on the cluster may take before the test fails.
RUN_TIMEOUT = 900
#: Two cores: a few shuffle partitions, not Spark's 200.
SMALL = ["--spark-conf", "spark.sql.shuffle.partitions=4"]
#: What the report says that is not an answer: where the time went.
TIMINGS = ("seconds", "cpu_seconds", "batches")


def on_cluster(
    cluster: Cluster, folder: Path, reports: Path, *extra: str, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "validation", str(folder), "--engine", "spark"]
    argv += ["--spark-master", cluster.url, "--previous", "none", "--reports", str(reports)]
    return subprocess.run(
        [*argv, *SMALL, *extra],
        env={**loopback_env(), "PYSPARK_PYTHON": python},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def answers(report: dict[str, Any]) -> dict[str, Any]:
    """A JSON report without its timings, each check's example rows in one order."""
    kept = {key: value for key, value in report.items() if key not in TIMINGS}
    kept["checks"] = [
        {**check, "violations": sorted(check["violations"], key=json.dumps)}
        for check in report["checks"]
    ]
    return kept


def same_answers(cluster: Cluster, folder: Path, tmp_path: Path) -> dict[str, Any]:
    """Validate ``folder`` on the cluster and on the default engine; the cluster's report."""
    ran = on_cluster(cluster, folder, tmp_path / "reports")
    default = validate_dataset(folder).to_json()
    assert ran.returncode == (0 if default["ok"] else 1), ran.stderr[-3000:]
    written: dict[str, Any] = json.loads(
        (tmp_path / "reports" / "validation.json").read_text(encoding="utf-8")
    )
    assert answers(written) == answers(default)
    return written


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(RAW, tmp_path_factory.mktemp("shipped") / "dataset", progress=False)


def bare_python(where: Path) -> str:
    """A Python of this version without the project or any package: what a worker finds
    when nobody said which Python the executors run."""
    venv.EnvBuilder(with_pip=False).create(where)
    return str(where / "bin" / "python")


def test_executors_without_the_project_stop_before_any_work(
    cluster: Cluster, shipped: BuildResult, tmp_path: Path
) -> None:
    python = bare_python(tmp_path / "bare")
    ran = on_cluster(
        cluster,
        shipped.out,
        tmp_path / "reports",
        "--spark-conf",
        f"spark.pyspark.python={python}",
    )
    assert ran.returncode == 2, ran.stderr[-3000:]
    assert "Traceback" not in ran.stderr
    assert f"the executors' Python ({python}" in ran.stderr
    assert "cannot import pyarrow" in ran.stderr
    assert "PYSPARK_PYTHON" in ran.stderr and "--py-files" in ran.stderr
    assert not (tmp_path / "reports").exists()


def test_the_shipped_dataset_passes_alike(
    cluster: Cluster, shipped: BuildResult, tmp_path: Path
) -> None:
    report = same_answers(cluster, shipped.out, tmp_path)
    assert report["ok"]


def corrupt(folder: Path) -> None:
    """Break a synthetic build the way real data breaks: the first article again after the
    last (out of order), and a span that ends before it starts."""
    articles = folder / "articles" / "articles-00000.parquet"
    data = pq.read_table(articles)
    pq.write_table(pa.concat_tables([data, data.slice(0, 1)]), articles)
    spans = sorted((folder / "spans").glob("*.parquet"))[-1]
    rows = pq.read_table(spans)
    starts = rows.column("start").to_pylist()
    ends = rows.column("end").to_pylist()
    starts[-1], ends[-1] = ends[-1], starts[-1]
    index = rows.schema.get_field_index
    rows = rows.set_column(
        index("start"), "start", pa.array(starts, rows.schema.field("start").type)
    )
    rows = rows.set_column(index("end"), "end", pa.array(ends, rows.schema.field("end").type))
    pq.write_table(rows, spans)


def test_a_corrupted_synthetic_corpus_fails_alike(cluster: Cluster, tmp_path: Path) -> None:
    source = tmp_path / "corpus"
    synthesize(source, 20, seed=21)
    built = build(source, tmp_path / "dataset", shard_rows=120, progress=False, log=print)
    assert len(list((built.out / "spans").glob("*.parquet"))) > 1
    corrupt(built.out)
    # The manifest lists the shards as broken, so the rows' checks are what fail.
    reseal(built.out)
    report = same_answers(cluster, built.out, tmp_path)
    failed = {check["id"] for check in report["checks"] if check["status"] == "failed"}
    assert failed == {"schema-order", "schema-values"}
    assert report["ok"] is False


def test_no_process_runs_outside_the_loopback(cluster: Cluster) -> None:
    state = cluster.state()
    assert state is not None
    workers = state["workers"]
    assert isinstance(workers, list) and len(workers) == 2
    assert {worker["host"] for worker in workers} == {"127.0.0.1"}
    assert os.environ.get("SPARK_LOCAL_IP") in (None, "127.0.0.1")
