"""The engine options of ``python -m validation``: the default engine reads local folders
and takes no Spark settings, and says so instead of failing later."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dataset.builder.pipeline import BuildResult
from dataset.schema import schema
from tests.conftest import validation_process
from validation.cli import default_reports, main
from validation.core import Clock
from validation.run import DefaultEngine


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["s3a://bucket/dataset"], "s3a://bucket/dataset"),
        (["build", "--spark-master", "spark://host:7077"], "--spark-master"),
        (["build", "--spark-conf", "spark.executor.memory=8g"], "--spark-conf"),
    ],
)
def test_the_default_engine_refuses_what_only_spark_does(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert named in error
    assert "--engine spark" in error
    assert "Traceback" not in error


def test_reports_of_a_uri_go_to_the_working_directory() -> None:
    assert str(default_reports("hdfs://name:8020/data/propaganda")) == "propaganda-validation"
    assert str(default_reports("out/dataset")) == "out/dataset-validation"
    assert default_reports("out/dataset/..") == Path("out").resolve().parent / "out-validation"


def test_the_spark_engine_refuses_batch_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--engine", "spark", "--batch-articles", "10"]) == 2
    error = capsys.readouterr().err
    assert "--batch-articles" in error and "Spark engine" in error


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_jobs_must_be_positive(jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--jobs", jobs]) == 2
    error = capsys.readouterr().err
    assert "--jobs" in error and "positive" in error
    assert "Traceback" not in error


def test_the_spark_engine_refuses_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--engine", "spark", "--jobs", "2"]) == 2
    error = capsys.readouterr().err
    assert "--jobs" in error and "Spark engine" in error


def test_one_batch_of_articles_is_judged_without_workers(built: BuildResult) -> None:
    """Starting a worker (Great Expectations imported again) costs more than judging one
    batch: a small dataset is judged in the command's own process."""
    engine = DefaultEngine()
    assert engine.workers(engine.open(built.out, schema(), Clock())) == 1


def validate_command(folder: Path, reports: Path) -> subprocess.CompletedProcess[str]:
    return validation_process(str(folder), "--reports", str(reports))


def test_the_command_leaves_with_its_status_and_all_its_output(
    built: BuildResult, tmp_path: Path
) -> None:
    """``python -m validation`` exits without tearing the interpreter down (validation's
    __main__.leave): the exit status and every line it wrote still arrive."""
    reports = tmp_path / "reports"
    passed = validate_command(built.out, reports)
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout.endswith(f"wrote {reports / 'validation.html'}\n")
    refused = validate_command(tmp_path / "missing", reports)
    assert refused.returncode == 2
    assert "no such dataset folder" in refused.stderr and "Traceback" not in refused.stderr
