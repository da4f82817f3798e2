"""The default engine on every core: batches judged in worker processes (``--jobs``).

The parent reads the batches (``validation.stream``: the order check's state is one key
carried from batch to batch) and hands each to a worker, which judges it with its own Great
Expectations context and DuckDB connection and hands back its tally (``Tally.part``: exact
counts, the first examples, the allowlist entries it matched). The parent adds them in batch
order, so the report is the one a single process writes, timings aside. Every per-row,
column and SQL rule is local to its batch (the articles' rows travel with their spans and
lines), which is what makes the batches independent.

Workers are started by a fork server: Great Expectations is not fork-safe in every
version, and the parent never imports it. At most ``jobs + 1`` batches are in flight, so
memory follows the number of workers, never the corpus.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.util import Finalize, get_temp_dir
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from dataset.errors import InputError
from validation.checks import Check, Level, catalogue, up_to
from validation.core import Clock, Run, judge_levels
from validation.tally import Part, Tally

if TYPE_CHECKING:
    from dataset.schema import Schema
    from validation.allowlist import AllowlistEntry
    from validation.files import DatasetFiles
    from validation.run import Breaks, Read, Tools


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Setting:
    """What every worker needs to judge a batch as the parent would."""

    schema: Schema
    files: DatasetFiles
    allowlist: Sequence[AllowlistEntry]
    level: Level
    #: DuckDB's threads in each worker: the cores shared out among the workers.
    sql_threads: int


@dataclass(frozen=True)
class Work:
    """A batch as the parent hands it to a worker: the rows of each article table (first
    row over the whole table, count) for the worker to read itself, their rows out of
    order, and small tables read whole (techniques)."""

    rows: dict[str, tuple[int, int]]
    breaks: Breaks
    whole: dict[str, pa.Table]

    @staticmethod
    def of(read: Read) -> Work:
        rows = {
            name: (read.first_rows[name], read.tables[name].num_rows) for name in read.first_rows
        }
        whole = {name: data for name, data in read.tables.items() if name not in rows}
        return Work(rows, read.breaks, whole)


@dataclass
class Judged:
    """A batch's verdicts and the worker's time on it."""

    part: Part
    seconds: dict[str, float]
    cpu: dict[str, float]


class _Worker:
    """A worker process's state: the run's setting and, once made, its tools."""

    def __init__(self, setting: Setting) -> None:
        from validation.memory import use_returning_pool

        use_returning_pool()
        self.setting = setting
        self.listed = catalogue(setting.schema)
        self.checks: tuple[Check, ...] = up_to(setting.level, self.listed)
        self._tools: Tools | None = None

    def tools(self) -> Tools:
        if self._tools is None:
            from validation.duck import SqlRunner
            from validation.gx import expectations_runner
            from validation.run import Tools

            self._tools = Tools(expectations_runner(), SqlRunner(threads=self.setting.sql_threads))
            # Worker processes end without running atexit: close DuckDB (and its spill
            # folder) through multiprocessing's own finalizers.
            Finalize(self._tools.sql, self._tools.sql.close, exitpriority=10)
        return self._tools

    def judge(self, work: Work) -> Judged:
        from validation.run import ArrowBatch
        from validation.stream import read_rows

        setting, clock = self.setting, Clock()
        with clock("read"):
            tables = dict(work.whole)
            for name, (first, count) in work.rows.items():
                tables[name] = read_rows(setting.files, setting.schema, name, first, count)
        tally = Tally(self.listed, setting.allowlist, self.checks)
        run = Run(setting.schema, self.checks, tally, setting.files, clock, setting.level)
        with clock("start-up"):
            tools = self.tools()
        judge_levels(ArrowBatch(run, tools, tables, work.breaks), run)
        return Judged(tally.part(), clock.seconds, clock.cpu)


#: This worker process's state, made by the pool's initializer.
_WORKER: dict[str, _Worker] = {}


def _start(setting: Setting) -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent stops the run and
    # says so; a worker would print its own traceback and leave the pool broken.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["worker"] = _Worker(setting)


@dataclass(frozen=True)
class Refused:
    """An ``InputError`` a worker met (a shard unreadable past its footer), handed back as
    its parts: the exception itself does not survive pickling, and the parent raises it
    again so the user gets the message and exit 2, not a broken pool's traceback."""

    where: Path | str
    problem: str
    fix: str
    line: int | None

    def error(self) -> InputError:
        return InputError(self.where, self.problem, self.fix, self.line)


def _judge(work: Work) -> Judged | Refused:
    try:
        judged = _WORKER["worker"].judge(work)
    except InputError as error:
        return Refused(error.where, error.problem, error.fix, error.line)
    pa.default_memory_pool().release_unused()
    return judged


def _merge(run: Run, judged: Judged | Refused) -> None:
    if isinstance(judged, Refused):
        raise judged.error()
    run.tally.merge(judged.part)
    for phase, seconds in judged.seconds.items():
        run.clock.seconds[phase] = run.clock.seconds.get(phase, 0.0) + seconds
    for phase, cpu in judged.cpu.items():
        run.clock.cpu[phase] = run.clock.cpu.get(phase, 0.0) + cpu
    run.clock.elsewhere += sum(judged.cpu.values())


#: The longest path a Unix socket can be bound to (Linux's ``sun_path``, less its NUL).
SOCKET_PATH_MAX = 107
#: What multiprocessing adds to the temporary folder for the fork server's socket:
#: ``/pymp-XXXXXXXX/listener-XXXXXXXX``.
SOCKET_NAME_LENGTH = len("/pymp-XXXXXXXX/listener-XXXXXXXX")
#: Where the socket goes when the temporary folder's path is too long for it, as Python
#: 3.13's multiprocessing does of itself.
SHORT_FOLDERS = ("/tmp", "/var/tmp", "/usr/tmp")


def socket_folder(temporary: str, fallbacks: Sequence[str]) -> str | None:
    """The folder for the fork server's socket: ``temporary`` when the socket's path fits,
    else the first writable short folder; None when there is none."""
    for folder in (temporary, *fallbacks):
        fits = len(os.fsencode(folder)) + SOCKET_NAME_LENGTH <= SOCKET_PATH_MAX
        if fits and Path(folder).is_dir() and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


def _place_the_socket() -> None:
    """Make multiprocessing's own temporary folder (where the fork server's socket is bound)
    short enough for a socket: a long ``TMPDIR`` would otherwise stop ``--jobs`` with
    "AF_UNIX path too long" before any worker starts. Only the socket moves; DuckDB still
    spills to ``TMPDIR``."""
    temporary = tempfile.gettempdir()
    folder = socket_folder(temporary, SHORT_FOLDERS)
    if folder is None:
        raise InputError(
            "TMPDIR",
            f"{temporary} is too long a path for the workers' Unix socket "
            f"(at most {SOCKET_PATH_MAX - SOCKET_NAME_LENGTH} bytes), and no short "
            f"folder ({', '.join(SHORT_FOLDERS)}) is writable",
            "set TMPDIR to a shorter folder, or validate in one process with --jobs 1",
        )
    saved = tempfile.tempdir
    tempfile.tempdir = folder
    try:
        get_temp_dir()  # made once per process and kept: the socket's folder from now on
    finally:
        tempfile.tempdir = saved


def judge_in_workers(
    run: Run,
    batches: Iterator[Read],
    jobs: int,
) -> int:
    """Judge ``batches`` (their article tables' ``article_id`` only: each worker reads its
    batch's rows itself) in ``jobs`` worker processes, adding their tallies to ``run``'s in
    batch order; the number of batches."""
    setting = Setting(
        run.schema, run.files, run.tally.allowlist, run.level, max(1, cores() // jobs)
    )
    _place_the_socket()
    context = multiprocessing.get_context("forkserver")
    pending: deque[Future[Judged | Refused]] = deque()
    count = 0
    with ProcessPoolExecutor(jobs, context, initializer=_start, initargs=(setting,)) as pool:
        try:
            for read in batches:
                pending.append(pool.submit(_judge, Work.of(read)))
                del read
                count += 1
                while len(pending) > jobs:
                    _merge(run, pending.popleft().result())
            while pending:
                _merge(run, pending.popleft().result())
        except BaseException:
            # Interrupted or refused: the workers finish the batch in hand (and close their
            # DuckDB), but judge none of those still waiting.
            pool.shutdown(cancel_futures=True)
            raise
    return count
