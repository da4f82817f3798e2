"""The validation engines as test parameters: the default engine always, Spark where
PySpark and a Java runtime are installed (``nox -s tests_spark``; ``nox -s tests`` has no
PySpark), so one test proves a behaviour on both, through the one run they share
(``validation.core.validate``)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from dataset.schema import load_schema
from validation.core import Engine
from validation.core import validate as run_on
from validation.report import Report
from validation.run import DefaultEngine


def spark_available() -> bool:
    java = shutil.which("java") or os.environ.get("JAVA_HOME")
    return importlib.util.find_spec("pyspark") is not None and java is not None


ENGINES = [
    pytest.param("default", id="default"),
    pytest.param(
        "spark",
        id="spark",
        marks=pytest.mark.skipif(not spark_available(), reason="needs PySpark and Java"),
    ),
]


def engine_named(name: str) -> Engine:
    """A fresh engine: the default one, or Spark in local mode."""
    if name == "spark":
        from validation.spark.engine import SparkEngine

        return SparkEngine()
    return DefaultEngine()


def validate(engine: str, folder: Path, **options: Any) -> Report:
    """Validate ``folder`` on ``engine`` with the same options, as the command does."""
    return run_on(engine_named(engine), folder, schema=load_schema(), **options)
