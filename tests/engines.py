"""The validation engines as test parameters: the default engine always, Spark where
PySpark and a Java runtime are installed (``nox -s tests_spark``; ``nox -s tests`` has no
PySpark), so one test proves a behaviour on both."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from validation.report import Report
from validation.run import validate_dataset


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


def validate(engine: str, folder: Path, **options: Any) -> Report:
    """Validate ``folder`` on ``engine`` (Spark in local mode) with the same options."""
    if engine == "spark":
        from validation.spark.engine import validate_on_spark

        return validate_on_spark(str(folder), **options)
    return validate_dataset(folder, **options)
