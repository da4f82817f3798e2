"""A class-data sharing archive for local Spark sessions: Spark's classes mapped from one
file instead of loaded, parsed and verified again by every JVM a validation starts.

Java's dynamic class-data sharing writes the classes a JVM loaded beyond the JDK's own to
an archive when it exits (``-XX:ArchiveClassesAtExit``); a later JVM maps them
(``-XX:SharedArchiveFile``). At 1,000 synthetic articles, start-up took 5.8 s without one
and 4.2-4.4 s with one (whole runs 24.2-24.4 -> 21.0-22.8 s); the JVM that writes one exits
a few seconds later than it would have.

The archive lives in the user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``), in a
folder of its own, named after what it is made of: the Java runtime and the PySpark
installation (its jars are the class path, which the archive must match). A JVM that
cannot use an archive (another build of Java, a changed class path, a damaged file) says
so in a warning and loads its classes as usual; those warnings are turned off, as is the
list of classes it could not archive.

- A session that finds the archive maps it and marks it used.
- A session that finds none, and no JVM making one, has its JVM write one, to a file of
  its own, when it exits; which JVM that is, is recorded beside the file.
- A later session puts a finished file in place (a rename) once the JVM that wrote it has
  exited, so no JVM maps a file still being written. A record without a running JVM or a
  file (a JVM that was killed) is removed.
- Archives not used for ``UNUSED_DAYS`` are removed: each is some 200 MB. Nothing else in
  the folder is touched, and nothing outside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil

#: The JVM's messages about class-data sharing: off (see the module's docstring).
QUIET = "-Xlog:cds=off -Xlog:cds+dynamic=off"
#: An archive not used for this long is removed.
UNUSED_DAYS = 30
ARCHIVE, WRITING, WRITER = ".jsa", ".part", ".writer"


def archive_folder() -> Path | None:
    """The folder of archives in the user's cache; None for a user without a home."""
    cache = os.environ.get("XDG_CACHE_HOME")
    if not cache:
        try:
            cache = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(cache) / "propaganda-spans" / "spark-class-archives"


def archive_key(java: Path, jars: Path, spark_version: str) -> str:
    """What an archive is made of: the Java runtime (its path, its release file's text and
    its executable's modification time) and PySpark's jars (their folder, its version)."""
    java = java.resolve()
    release = java.parent.parent / "release"
    parts = [
        str(java),
        release.read_text(encoding="utf-8", errors="replace") if release.is_file() else "",
        str(java.stat().st_mtime_ns),
        str(jars.resolve()),
        spark_version,
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class ClassArchive:
    """The archive a session maps, or the file its JVM writes: ``java_options`` say which."""

    java_options: str
    #: Where the JVM writes an archive at its exit, when it is to make one.
    writing: Path | None = None

    def started(self, jvm_pid: int | None) -> None:
        """Record which JVM writes ``writing`` (a later session waits for it to exit)."""
        if self.writing is None:
            return
        record = self.writing.with_suffix(WRITER)
        if jvm_pid is None:
            # A JVM this process did not start uses its own options: nothing is written.
            record.unlink(missing_ok=True)
            return
        _record(record, jvm_pid)


def class_archive(key: str, folder: Path | None = None) -> ClassArchive:
    """The archive for ``key``: mapped if there is one, written if no JVM is writing it;
    no options at all if the folder cannot be written."""
    folder = archive_folder() if folder is None else folder
    if folder is None or any(c.isspace() or c in "\"'\\" for c in str(folder)):
        # Spark splits the JVM's options at spaces and reads quotes: such a path would
        # not reach the JVM whole.
        return ClassArchive("")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        archive = folder / f"{key}{ARCHIVE}"
        writing = _adopt_finished(folder, key, archive)
        _remove_unused(folder, keep=archive)
        if archive.is_file():
            os.utime(archive)
            return ClassArchive(f"-XX:SharedArchiveFile={archive} {QUIET}")
        if writing:
            return ClassArchive("")
        made = folder / f"{key}.{uuid.uuid4().hex}{WRITING}"
        # The record exists before the JVM does: a session starting meanwhile waits.
        _record(made.with_suffix(WRITER), os.getpid())
    except OSError:
        return ClassArchive("")
    return ClassArchive(f"-XX:ArchiveClassesAtExit={made} {QUIET}", made)


def _adopt_finished(folder: Path, key: str, archive: Path) -> bool:
    """Put in place the archive of a JVM that has exited; whether a JVM is still writing
    one. Records of JVMs that exited without writing are removed."""
    writing = False
    for record in folder.glob(f"{key}.*{WRITER}"):
        made = record.with_suffix(WRITING)
        if _running(record):
            writing = True
            continue
        if made.is_file() and made.stat().st_size and not archive.exists():
            made.replace(archive)
        made.unlink(missing_ok=True)
        record.unlink(missing_ok=True)
    return writing


def _record(record: Path, pid: int) -> None:
    """Name the process writing an archive: its number and when it started (written whole,
    then renamed into place)."""
    new = record.with_name(f"{record.name}.new")
    new.write_text(f"{pid} {psutil.Process(pid).create_time()}\n", encoding="utf-8")
    new.replace(record)


def _running(record: Path) -> bool:
    """Whether the process a writer's record names still runs (not another one since
    given its number)."""
    try:
        pid_text, created = record.read_text(encoding="utf-8").split()
        return _created(int(pid_text)) == float(created)
    except ValueError:
        # Being written this moment, or left half-written by a process that died.
        return record.stat().st_mtime > time.time() - 60


def _created(pid: int) -> float | None:
    """When the running process ``pid`` started; None if none runs (one that has exited
    but is not yet reaped has written all it will write)."""
    try:
        process = psutil.Process(pid)
        return None if process.status() == psutil.STATUS_ZOMBIE else process.create_time()
    except psutil.Error:
        return None


def _remove_unused(folder: Path, keep: Path) -> None:
    cutoff = time.time() - UNUSED_DAYS * 86400
    for archive in folder.glob(f"*{ARCHIVE}"):
        if archive != keep and archive.stat().st_mtime < cutoff:
            archive.unlink(missing_ok=True)


def java_executable() -> Path | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return Path(home) / "bin" / "java"
    found = shutil.which("java")
    return Path(found) if found else None
