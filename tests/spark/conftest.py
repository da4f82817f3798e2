"""One local Spark session (``local[2]``) for all Spark tests: starting the JVM is the
slow part, so it happens once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

from validation.spark.session import LOCAL_MASTER, spark_session


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = spark_session(LOCAL_MASTER)
    yield session
    session.stop()
