"""Ctrl-C (SIGINT) stops a command with exit status 130 and one line saying what was left,
never a traceback, and loses nothing: a real subprocess, sent a real SIGINT once it is
provably at work (no timed sleeps). As at a terminal, the signal goes to the command's
whole process group, its ``--jobs`` workers included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dataset.cli import main as dataset_main
from tests.conftest import REPO
from validation.cli import main as validate

#: Generous for a loaded 2-core machine; a test waits this long at most for each step.
PATIENCE = 300.0
#: Synthetic articles, validated a few at a time: many batches, so the run is still at
#: work when the signal comes however slow the machine.
ARTICLES = 400
BATCH_ARTICLES = "2"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


#: Runs ``python ARGS`` with SIGINT's default disposition. A command started in the
#: background by a shell without job control (as a CI runner may start the suite) has SIGINT
#: ignored, its children too, and Python then installs no KeyboardInterrupt for it.
WITH_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


def start(*args: str, tmp: Path) -> subprocess.Popen[str]:
    """``python ARGS`` in a process group of its own (a terminal's job), Ctrl-C reaching it
    as at a terminal, its temporary files in ``tmp``."""
    tmp.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-c", WITH_SIGINT, *args],
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(tmp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_until(ready: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    """Poll ``ready`` until it holds; fail if the process ends first or time runs out."""
    deadline = time.monotonic() + PATIENCE
    while not ready():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"ended ({process.returncode}) before it was at work:\n{out}\n{err}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("never got to work")
        time.sleep(0.05)


def interrupt(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Ctrl-C as a terminal sends it (to the process group); the output once it ended."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        return process.communicate(timeout=PATIENCE)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise


def spilling(tmp: Path) -> Callable[[], bool]:
    """Whether a DuckDB connection was opened (its spill folder, validation.duck): the SQL
    rules of the first batch are being judged."""
    return lambda: any(tmp.glob("validation-duckdb-*"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of a synthetic corpus, validated once, its reports beside it."""
    root = tmp_path_factory.mktemp("interrupt")
    source, out = root / "raw", root / "built"
    assert dataset_main(["synth", "--articles", str(ARTICLES), "--out", str(source)]) == 0
    assert dataset_main(["build", "--source", str(source), "--out", str(out)]) == 0
    assert validate([str(out), "--jobs", "1"]) == 0
    return out


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_during_validation(built: Path, jobs: str, tmp_path: Path) -> None:
    reports = built.parent / f"{built.name}-validation"
    before = snapshot(reports)
    tmp = tmp_path / "tmp"
    command = ("-m", "validation", str(built), "--jobs", jobs, "--batch-articles", BATCH_ARTICLES)
    process = start(*command, tmp=tmp)
    wait_until(spilling(tmp), process)
    out, err = interrupt(process)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert err == f"interrupted; nothing was written, {reports} is unchanged\n"
    assert out == ""
    assert snapshot(reports) == before
    assert not any(tmp.iterdir()), "the DuckDB spill folders were removed"
    assert sorted(p.name for p in built.parent.iterdir()) == ["built", "built-validation", "raw"]
