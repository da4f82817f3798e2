"""The Spark session validation runs in: local mode by default, any master when asked.

Local sessions suit a laptop or a CI runner: two worker threads, a small driver heap
collected by the parallel collector, no web UI, no progress bars, loopback networking only,
errors-only JVM logs, Spark's classes mapped from an archive (``class_archive``). A
cluster is sized by whoever runs it, so only the quiet settings apply there;
``--spark-conf KEY=VALUE`` (or the cluster's ``spark-defaults.conf``) decides the rest.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import Any

import psutil
import py4j  # type: ignore[import-untyped]
from pyspark.sql import SparkSession

from dataset.errors import InputError
from validation.spark.class_archive import (
    ClassArchive,
    archive_key,
    class_archive,
    java_executable,
)

LOCAL_MASTER = "local[2]"
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
JAVA_OPTIONS = "spark.driver.extraJavaOptions"
#: py4j's loggers, which log a command cut short by Ctrl-C with its traceback.
PY4J_LOGGERS = ("py4j", "py4j.clientserver", "py4j.java_gateway")
#: py4j's own files: it also logs through the root logger (``logging.exception``).
PY4J_FOLDER = str(Path(py4j.__file__).parent)

#: Every session: no UI server or console progress bars, UTC, errors-only JVM logs.
COMMON_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    JAVA_OPTIONS: f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}",
}

#: Local mode only: a heap that fits beside other work, few shuffle partitions for two
#: cores, and no network beyond the loopback interface.
#:
#: The heap is 1.5 GiB with 80% of it (beyond Spark's 300 MiB reserve) for execution, not
#: Spark's 60%: the rows a run keeps are on disk (``engine.KEPT_LEVEL``), so the storage
#: share of the heap would sit empty while the text rules' sorts spill to disk. 100k
#: synthetic articles, whole run, alternating: with a 1 GiB heap at 60%, 63.4-67.4 s and
#: 354 MiB spilled by text-matches-offsets on spans alone; at 1.5 GiB and 80%, 57.6-59.6 s
#: and nothing spilled (a 2 GiB heap: 57.2-63.8 s). The process tree (the JVM, this
#: process and its Python workers) peaks at about the heap plus 1.6 GiB: 2.7 -> 3.2 GiB
#: at 100k (3.2-3.5 GiB with a 2 GiB heap).
#:
#: Adaptive query execution re-plans each query after every stage to merge small
#: partitions and split skewed ones; with four partitions on one machine there is nothing
#: to merge or split, and the re-planning costs a little in every query: 100k synthetic
#: articles, whole run, five runs each alternating, median 64.0 s with it, 61.6 s without
#: (4 of the 5 pairs faster without).
LOCAL_CONF: dict[str, str] = {
    "spark.driver.memory": "1536m",
    "spark.memory.fraction": "0.8",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.adaptive.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}

#: Local mode only, added to the driver's Java options (where the executors run too): the
#: parallel collector, which stops the work to collect rather than running beside it. With
#: two cores, G1's concurrent threads take them from the tasks: 100k synthetic articles,
#: whole run, three runs each alternating on a quiet machine, 94.9 s with G1 (Java 17's
#: default) against 84.6 s.
LOCAL_JAVA_OPTIONS = "-XX:+UseParallelGC"

# PySpark warns about pandas 3 on import; validation hands no pandas data to Spark.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)


def session_conf(master: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The configuration a session for ``master`` is built with."""
    conf = dict(COMMON_CONF)
    if master.startswith("local"):
        conf.update(LOCAL_CONF)
        conf[JAVA_OPTIONS] = f"{conf[JAVA_OPTIONS]} {LOCAL_JAVA_OPTIONS}"
    conf.update(overrides or {})
    return conf


def parse_conf(pairs: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` command-line settings as a mapping."""
    conf: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(
                "--spark-conf", f"{pair!r} is not KEY=VALUE", "write e.g. spark.driver.memory=4g"
            )
        conf[key.strip()] = value
    return conf


def require_java() -> None:
    """Spark runs on the JVM: say so plainly instead of PySpark's gateway traceback."""
    if java_executable() is None:
        raise InputError(
            "java",
            "no Java runtime found; the Spark engine needs Java 17 or newer",
            "install one (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME",
        )


def spark_session(
    master: str = LOCAL_MASTER, conf: Mapping[str, str] | None = None
) -> SparkSession:
    """The active session if there is one (a notebook's, or a test's), else a new one for
    ``master`` configured by :func:`session_conf`."""
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    require_java()
    chosen = (conf or {}).get("spark.pyspark.python")
    if chosen:
        # spark-submit turns this setting into the executors' Python; a driver that is a
        # plain Python process must do so itself, or PySpark ignores it.
        os.environ["PYSPARK_PYTHON"] = chosen
    elif master.startswith("local"):
        # Python workers run this interpreter: the Python rules run in them and need this
        # environment's packages (PySpark would start whatever "python3" is on the PATH).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = session_conf(master, conf)
    archive = local_class_archive(master, conf)
    if archive.java_options:
        settings[JAVA_OPTIONS] = f"{settings[JAVA_OPTIONS]} {archive.java_options}"
    builder = SparkSession.builder.master(master).appName("propaganda-spans validation")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    launched = getattr(session.sparkContext._gateway, "proc", None)
    with contextlib.suppress(OSError, psutil.Error):
        archive.started(launched.pid if launched is not None else None)
    session.sparkContext.setLogLevel("ERROR")
    return session


def local_class_archive(master: str, conf: Mapping[str, str] | None) -> ClassArchive:
    """The class-data sharing archive of a local session (``class_archive``), unless the
    user gives the JVM's options, which then are theirs alone."""
    java = java_executable()
    if not master.startswith("local") or JAVA_OPTIONS in (conf or {}) or java is None:
        return ClassArchive("")
    import pyspark

    jars = Path(pyspark.__file__).parent / "jars"
    try:
        return class_archive(archive_key(java, jars, pyspark.__version__))
    except OSError:
        return ClassArchive("")


class _NotFromPy4j(logging.Filter):
    """Drops what py4j's own code logs through the root logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.pathname.startswith(PY4J_FOLDER)


class QuietInterrupt:
    """Ctrl-C during a Spark run as one KeyboardInterrupt, for the command line to report in
    a line: PySpark's own SIGINT handler cancels the jobs through the very connection the
    interrupted call is using (the cancel fails with a Py4JError), and py4j logs the cut
    command with its traceback. From the start py4j's logs are held back and, once
    ``watch`` is given the session, SIGINT only raises; ``end`` puts both back and, after
    an interrupt, stops the session this run started (or cancels the jobs of one it was
    handed)."""

    def __init__(self) -> None:
        self.spark: SparkSession | None = None
        self.started = self.interrupted = False
        self._filter = _NotFromPy4j()
        self._levels = {name: logging.getLogger(name).level for name in PY4J_LOGGERS}
        for name in PY4J_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        logging.getLogger().addFilter(self._filter)
        self._handler: Any = None

    def watch(self, spark: SparkSession, started: bool) -> None:
        """Take SIGINT over from PySpark for ``spark`` (``started``: by this run)."""
        self.spark, self.started = spark, started
        if threading.current_thread() is threading.main_thread():
            self._handler = signal.signal(signal.SIGINT, self._raise)

    def _raise(self, signum: int, frame: FrameType | None) -> None:
        del signum, frame
        self.interrupted = True
        raise KeyboardInterrupt

    def end(self) -> None:
        """Leave the session as an interrupted run should, then log and signal as before."""
        try:
            if self.interrupted and self.spark is not None:
                # A failure here must not hide the interrupt the caller is handling.
                with contextlib.suppress(Exception):
                    context = self.spark.sparkContext
                    # Tasks still finishing as the scheduler stops log Java stack traces.
                    context.setLogLevel("OFF")
                    context.cancelAllJobs()
                    if self.started:
                        self.spark.stop()
                    else:
                        context.setLogLevel("ERROR")
        finally:
            if self._handler is not None:
                signal.signal(signal.SIGINT, self._handler)
                self._handler = None
            logging.getLogger().removeFilter(self._filter)
            for name, level in self._levels.items():
                logging.getLogger(name).setLevel(level)
