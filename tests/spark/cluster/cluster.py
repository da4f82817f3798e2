"""A standalone Spark cluster on this machine, started from the PySpark package's own
``bin/spark-class``: one master and two workers, each a JVM of its own with one core and
its own work folder, all on 127.0.0.1 and free ports.

Every process runs in a process group of its own, so stopping a group also stops what it
started (a worker's executors and their Python workers). ``Cluster.stop`` is idempotent
and runs however the tests end; a watchdog stops the cluster after a hard timeout, which
fails whatever job is still running instead of leaving it waiting.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyspark

SPARK_HOME = Path(pyspark.__file__).parent
LOOPBACK = "127.0.0.1"
#: Seconds the master and workers may take to come up and register.
READY_TIMEOUT = 90.0
#: Seconds after which the whole cluster is stopped, whatever runs on it.
HARD_TIMEOUT = 2400.0
#: Heap of the master's and each worker's own JVM; executors get the workers' memory.
DAEMON_MEMORY = "384m"
WORKER_MEMORY = "1g"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def loopback_env() -> dict[str, str]:
    """What every JVM of the cluster and every driver talking to it runs with."""
    return {
        **os.environ,
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_LOCAL_IP": LOOPBACK,
        "SPARK_DAEMON_MEMORY": DAEMON_MEMORY,
        "SPARK_NO_DAEMONIZE": "1",
    }


@dataclass
class Cluster:
    """The running cluster: its master URL, processes and their logs."""

    folder: Path
    workers: int = 2
    url: str = ""
    web: int = 0
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def start(self) -> Cluster:
        port, self.web = free_port(), free_port()
        self.url = f"spark://{LOOPBACK}:{port}"
        master = ["org.apache.spark.deploy.master.Master", "--host", LOOPBACK]
        self._spawn("master", [*master, "--port", str(port), "--webui-port", str(self.web)])
        self._wait(lambda state: state is not None, "the master's web UI")
        for number in range(1, self.workers + 1):
            work = self.folder / f"worker-{number}"
            work.mkdir(parents=True, exist_ok=True)
            worker = ["org.apache.spark.deploy.worker.Worker", self.url, "--host", LOOPBACK]
            worker += ["--cores", "1", "--memory", WORKER_MEMORY, "--work-dir", str(work)]
            self._spawn(f"worker-{number}", [*worker, "--webui-port", str(free_port())])
        self._wait(
            lambda state: state is not None and state.get("aliveworkers") == self.workers,
            f"{self.workers} workers registered with the master",
        )
        return self

    def _spawn(self, name: str, arguments: list[str]) -> None:
        log = self.folder / f"{name}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            self.processes.append(
                subprocess.Popen(
                    [str(SPARK_HOME / "bin" / "spark-class"), *arguments],
                    env=loopback_env(),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )

    def state(self) -> dict[str, object] | None:
        """The master's own account of itself (its web UI's JSON), or None while it is not
        answering."""
        try:
            with urllib.request.urlopen(f"http://{LOOPBACK}:{self.web}/json/", timeout=2) as page:
                found: dict[str, object] = json.load(page)
                return found
        except OSError:
            return None

    def _wait(self, ready: object, what: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if callable(ready) and ready(self.state()):
                return
            dead = [p.args for p in self.processes if p.poll() is not None]
            if dead:
                raise RuntimeError(f"a cluster process ended early: {dead}\n{self.tail()}")
            time.sleep(0.5)
        raise RuntimeError(f"no {what} within {READY_TIMEOUT:.0f} s\n{self.tail()}")

    def tail(self, lines: int = 15) -> str:
        """The last lines of every process's log, for a failure's message."""
        parts = []
        for log in self.logs:
            text = log.read_text(encoding="utf-8", errors="replace").splitlines()
            parts.append(f"--- {log.name}\n" + "\n".join(text[-lines:]))
        return "\n".join(parts)

    def stop(self) -> None:
        """Stop every process group the cluster started: politely, then for good."""
        for process in reversed(self.processes):
            _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
            _signal(process, signal.SIGKILL)
            process.wait()

    def alive(self, grace: float = 10.0) -> list[int]:
        """The process groups the cluster started that still have a member ``grace``
        seconds after they were stopped (their orphans are reaped by then)."""
        deadline = time.monotonic() + grace
        while True:
            found = [process.pid for process in self.processes if _has_members(process.pid)]
            if not found or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

    def watchdog(self, seconds: float = HARD_TIMEOUT) -> threading.Timer:
        """A timer that stops the cluster after ``seconds``; cancel it when done."""
        timer = threading.Timer(seconds, self.stop)
        timer.daemon = True
        timer.start()
        return timer


def _signal(process: subprocess.Popen[bytes], which: signal.Signals) -> None:
    """Signal the process's whole group (its children too), if it still exists."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, which)


def _has_members(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
