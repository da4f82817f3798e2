"""The Spark session factory: quiet local defaults, user settings on top, and a plain
error when Java is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from dataset.errors import InputError
from validation.spark.session import parse_conf, require_java, session_conf


def test_local_sessions_are_small_quiet_and_offline() -> None:
    conf = session_conf("local[2]")
    assert conf["spark.driver.memory"] == "1536m"
    assert conf["spark.ui.enabled"] == "false"
    assert conf["spark.driver.bindAddress"] == "127.0.0.1"
    assert "log4j2.properties" in conf["spark.driver.extraJavaOptions"]
    assert "-XX:+UseParallelGC" in conf["spark.driver.extraJavaOptions"].split()
    assert conf["spark.sql.adaptive.enabled"] == "false"


def test_a_cluster_is_sized_by_its_owner_and_user_settings_win() -> None:
    conf = session_conf("spark://head:7077", {"spark.executor.memory": "8g"})
    assert "spark.driver.memory" not in conf
    assert "spark.driver.host" not in conf
    assert "UseParallelGC" not in conf["spark.driver.extraJavaOptions"]
    assert "spark.sql.adaptive.enabled" not in conf
    assert conf["spark.executor.memory"] == "8g"
    assert session_conf("local[2]", {"spark.driver.memory": "6g"})["spark.driver.memory"] == "6g"


def test_spark_conf_pairs_are_parsed_and_checked() -> None:
    assert parse_conf(["a.b=1", "c= x=y"]) == {"a.b": "1", "c": " x=y"}
    with pytest.raises(InputError, match="KEY=VALUE"):
        parse_conf(["spark.driver.memory"])


def test_missing_java_is_a_plain_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match="no Java runtime"):
        require_java()


def test_the_local_session_runs_in_local_mode(spark: SparkSession) -> None:
    assert spark.sparkContext.master == "local[2]"
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    assert spark.range(10).count() == 10
