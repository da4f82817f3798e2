"""The engine options of ``python -m validation``: the default engine reads local folders
and takes no Spark settings, and says so instead of failing later."""

from __future__ import annotations

from pathlib import Path

import pytest

from validation.cli import default_reports, main


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
