"""Before any work, one tiny Spark job that imports the project on the executors.

On a cluster each executor starts whatever ``python3`` it finds unless ``PYSPARK_PYTHON``
or ``spark.pyspark.python`` says otherwise, and the Python rules then fail deep inside the
first level with a long traceback (``No module named 'pyarrow'``) after minutes of work.
This job asks every executor's Python, within seconds, for the modules the Python rules
import, and turns a failure into one message naming that Python, the missing module and
the fix.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable
from typing import Any

from pyspark.sql import SparkSession

from dataset.errors import InputError

#: What the Python rules import in the executors (``validation.checks`` brings the project).
NEEDED = ("pyarrow", "numpy", "validation.checks")
#: Seconds the job may take: executors that never start (no worker with a free core) would
#: otherwise leave Spark waiting for ever.
TIMEOUT = 120.0
#: The job's tasks: more than one, so that more than one executor answers.
TASKS = 4
#: Applications whose executors have answered (a notebook's session is asked once).
_checked: set[str] = set()

FIX = (
    "run the executors on a Python that has this project and its spark extra installed: "
    "set PYSPARK_PYTHON (or --spark-conf spark.pyspark.python=PATH) to it, e.g. {python} "
    "where the workers share this machine's files, or ship the project with --py-files / "
    "--spark-conf spark.archives=ENV.tar.gz#env"
)


def _probe(needed: tuple[str, ...]) -> Callable[[Any], list[tuple[str, str, str, str]]]:
    """The function each task runs: the executor's Python, its version, and the first module
    it cannot import with the error, or empty texts. It is made here so that Spark ships it
    by value: it must not need this project to be unpickled."""

    def probe(_: Any) -> list[tuple[str, str, str, str]]:
        import importlib
        import sys as executor

        version = executor.version.split()[0]
        for name in needed:
            try:
                importlib.import_module(name)
            except ImportError as error:
                missing = getattr(error, "name", None) or name
                return [(executor.executable, version, missing, f"{type(error).__name__}: {error}")]
        return [(executor.executable, version, "", "")]

    return probe


def check_executors(spark: SparkSession, timeout: float = TIMEOUT) -> None:
    """Stop with an InputError unless every executor that runs a task of one tiny job can
    import the project; once per Spark application."""
    context = spark.sparkContext
    if context.applicationId in _checked:
        return
    tag = "propaganda-spans-preflight"
    context.addJobTag(tag)
    fired = threading.Event()

    def cancel() -> None:
        fired.set()
        context.cancelJobsWithTag(tag)

    timer = threading.Timer(timeout, cancel)
    timer.start()
    try:
        answers = context.parallelize(range(TASKS), TASKS).mapPartitions(_probe(NEEDED)).collect()
    except Exception as error:  # Py4J and PySpark raise many kinds
        raise _failed(spark, error, timeout if fired.is_set() else None) from None
    finally:
        timer.cancel()
        context.removeJobTag(tag)
    for python, version, missing, message in answers:
        if missing:
            raise InputError(
                "executors",
                f"the executors' Python ({python}, {version}) cannot import {missing} ({message})",
                FIX.format(python=sys.executable),
            )
    _checked.add(context.applicationId)


def _failed(spark: SparkSession, error: Exception, timed_out: float | None) -> InputError:
    """The job itself failed: no executor in time, or a Python worker that could not start
    (the wrong version, or no PySpark for it to import)."""
    if timed_out is not None:
        return InputError(
            "executors",
            f"no executor ran the first job within {timed_out:.0f} s "
            f"(master {spark.sparkContext.master})",
            "check that the cluster has workers with free cores and that they reach this "
            "driver (spark.driver.host)",
        )
    text = str(error)
    python = (
        spark.conf.get("spark.pyspark.python", None)
        or os.environ.get("PYSPARK_PYTHON")
        or "python3 on the executors' PATH"
    )
    module = re.search(r"No module named '([^']+)'", text)
    problem = (
        f"cannot import {module.group(1)}"
        if module
        else "could not run a Python task (" + _last_python_error(text) + ")"
    )
    return InputError(
        "executors",
        f"the executors' Python ({python}) {problem}",
        FIX.format(python=sys.executable),
    )


def _last_python_error(text: str) -> str:
    """The line naming the Python error in a Spark failure, or its first line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    named = [line for line in lines if re.match(r"^[A-Za-z_.]+(Error|Exception): ", line)]
    return (named[-1] if named else lines[0] if lines else type(text).__name__)[:300]
