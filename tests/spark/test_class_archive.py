"""The class-data sharing archive of local sessions: made once by one JVM, put in place
only when finished, mapped by the sessions after it, quiet when Java cannot use it, and
nothing removed but its own old archives."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyspark
import pytest

from validation.spark.class_archive import (
    QUIET,
    UNUSED_DAYS,
    archive_key,
    class_archive,
    java_executable,
)
from validation.spark.session import LOCAL_MASTER, local_class_archive

KEY = "k" * 20


def record(folder: Path, name: str, pid: int, created: float) -> Path:
    path = folder / f"{KEY}.{name}.writer"
    path.write_text(f"{pid} {created}\n", encoding="utf-8")
    return path


def exited(folder: Path, name: str) -> Path:
    """The record of a writer that has exited: this process's number, another start."""
    return record(folder, name, os.getpid(), 1.0)


def test_the_first_session_has_its_jvm_write_an_archive_of_its_own(tmp_path: Path) -> None:
    made = class_archive(KEY, tmp_path)
    assert made.writing is not None and made.writing.parent == tmp_path
    assert made.java_options == f"-XX:ArchiveClassesAtExit={made.writing} {QUIET}"
    writer = made.writing.with_suffix(".writer").read_text(encoding="utf-8").split()
    assert writer == [str(os.getpid()), str(psutil.Process().create_time())]
    # While that writer runs, no other session starts a second one.
    assert class_archive(KEY, tmp_path).java_options == ""


def test_a_finished_archive_is_put_in_place_and_mapped(tmp_path: Path) -> None:
    exited(tmp_path, "a")
    (tmp_path / f"{KEY}.a.part").write_bytes(b"archive")
    found = class_archive(KEY, tmp_path)
    archive = tmp_path / f"{KEY}.jsa"
    assert found.java_options == f"-XX:SharedArchiveFile={archive} {QUIET}"
    assert found.writing is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [archive.name]
    assert archive.read_bytes() == b"archive"


def test_an_archive_still_being_written_is_not_mapped(tmp_path: Path) -> None:
    record(tmp_path, "a", os.getpid(), psutil.Process().create_time())
    (tmp_path / f"{KEY}.a.part").write_bytes(b"half")
    assert class_archive(KEY, tmp_path).java_options == ""
    assert (tmp_path / f"{KEY}.a.part").read_bytes() == b"half"
    assert not (tmp_path / f"{KEY}.jsa").exists()


def test_a_writer_that_left_nothing_is_forgotten(tmp_path: Path) -> None:
    """A JVM killed before it wrote: its record goes and another session writes."""
    gone = exited(tmp_path, "a")
    made = class_archive(KEY, tmp_path)
    assert not gone.exists()
    assert made.writing is not None


def test_a_half_written_record_waits_a_minute(tmp_path: Path) -> None:
    torn = tmp_path / f"{KEY}.a.writer"
    torn.write_text("12", encoding="utf-8")
    assert class_archive(KEY, tmp_path).java_options == ""
    old = time.time() - 120
    os.utime(torn, (old, old))
    assert class_archive(KEY, tmp_path).writing is not None
    assert not torn.exists()


def test_only_its_own_unused_archives_are_removed(tmp_path: Path) -> None:
    long_ago = time.time() - (UNUSED_DAYS + 1) * 86400
    stale, recent, current, notes = (
        tmp_path / "other.jsa",
        tmp_path / "recent.jsa",
        tmp_path / f"{KEY}.jsa",
        tmp_path / "notes.txt",
    )
    for path in (stale, recent, current, notes):
        path.write_bytes(b"x")
    for path in (stale, current, notes):
        os.utime(path, (long_ago, long_ago))
    assert class_archive(KEY, tmp_path).java_options.startswith("-XX:SharedArchiveFile=")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [recent.name, current.name, notes.name]
    )
    # Mapping an archive marks it used.
    assert current.stat().st_mtime > long_ago


def test_a_cache_that_cannot_be_written_gives_no_archive(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a user's file", encoding="utf-8")
    assert class_archive(KEY, blocked / "archives").java_options == ""
    assert blocked.read_text(encoding="utf-8") == "a user's file"


def test_a_cache_path_the_jvm_options_would_split_gives_no_archive(tmp_path: Path) -> None:
    assert class_archive(KEY, tmp_path / "my cache").java_options == ""
    assert not (tmp_path / "my cache").exists()


def test_a_user_without_a_home_gets_no_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", no_home)
    assert class_archive(KEY).java_options == ""


def test_the_key_names_java_and_the_jars(tmp_path: Path) -> None:
    java = java_executable()
    assert java is not None
    jars = Path(pyspark.__file__).parent / "jars"
    key = archive_key(java, jars, pyspark.__version__)
    assert key == archive_key(java, jars, pyspark.__version__)
    assert key != archive_key(java, tmp_path, pyspark.__version__)
    assert key != archive_key(java, jars, "0.0")


def test_a_users_java_options_or_a_cluster_get_no_archive() -> None:
    options = {"spark.driver.extraJavaOptions": "-Xss4m"}
    assert local_class_archive(LOCAL_MASTER, options).java_options == ""
    assert local_class_archive("spark://head:7077", None).java_options == ""


@pytest.mark.parametrize("archive", [None, b"not an archive"])
def test_a_session_runs_and_stays_quiet_with_or_without_a_usable_archive(
    tmp_path: Path, archive: bytes | None
) -> None:
    """A fresh JVM writes an archive at its exit, or meets a damaged one, and says nothing
    of it; either way its session runs."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    folder = tmp_path / "propaganda-spans" / "spark-class-archives"
    if archive is not None:
        java = java_executable()
        assert java is not None
        jars = Path(pyspark.__file__).parent / "jars"
        folder.mkdir(parents=True)
        (folder / f"{archive_key(java, jars, pyspark.__version__)}.jsa").write_bytes(archive)
    session_counts(env)
    if archive is None:
        # The JVM has exited (its output has ended): the next session maps its archive.
        (made,) = folder.glob("*.part")
        assert made.stat().st_size > 0
        session_counts(env)
        assert [p.suffix for p in folder.iterdir()] == [".jsa"]


def session_counts(env: dict[str, str]) -> None:
    """A local session in a process of its own counts seven rows and says nothing else."""
    code = (
        "from validation.spark.session import spark_session\n"
        "print(spark_session().range(7).count())\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "7"
    assert "cds" not in (ran.stdout + ran.stderr).lower()
