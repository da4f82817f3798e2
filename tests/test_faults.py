"""Fault injection: a writer killed between any two of its steps (PROPAGANDA_SPANS_DIE_AT,
no timed signals), stopped by SIGTERM, or hitting a full disk (RLIMIT_FSIZE) leaves the
previous output byte for byte, and the next run succeeds and leaves no debris."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dataset.cli import main
from dataset.owned import DIE_AT_VARIABLE
from dataset.project import RAW_DIR, dataset_version
from dataset.release.checksums import check_folder
from dataset.release.make import make_release
from tests.conftest import FIXTURE_LABELS, REPO, earlier_releases, make_corpus
from validation.cli import main as validate

#: Every step boundary of a build, in order (dataset/builder/pipeline.py, dataset/owned.py).
BUILD_STEPS = ("build:batch", "build:written", "build:staged", "build:set-aside", "build:placed")
#: Every step boundary of a release (dataset/release/make.py, dataset/owned.py); the target
#: is new, so nothing is set aside.
RELEASE_STEPS = ("release:built", "release:assembled", "release:staged", "release:placed")
#: A release of the project's own data into the releases folder given as argument.
RELEASE = (
    "import sys; from pathlib import Path; from dataset.project import RAW_DIR; "
    "from dataset.release.make import make_release; "
    "make_release(RAW_DIR, Path(sys.argv[1]), repo=None, log=lambda message: None)"
)
#: A size limit no output of the small corpus fits in: the first Parquet file or report
#: written past it fails with EFBIG.
TINY = 2_000


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def run(
    *args: str, die_at: str | None = None, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != DIE_AT_VARIABLE}
    if die_at is not None:
        env[DIE_AT_VARIABLE] = die_at
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=preexec,
    )


def build(
    source: Path,
    out: Path,
    die_at: str | None = None,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    command = ("-m", "dataset", "build", "--source", str(source), "--out", str(out))
    return run(*command, die_at=die_at, preexec=preexec)


def build_here(source: Path, out: Path) -> None:
    """A build in this process, through the command line's code: only a run that a fault
    stops needs a process of its own."""
    assert main(["build", "--source", str(source), "--out", str(out)]) == 0


def change(source: Path) -> None:
    """An input edit (one span fewer), so the old and the new output differ."""
    labels = source / "labels" / FIXTURE_LABELS.name
    labels.write_text("".join(labels.read_text("utf-8").splitlines(keepends=True)[:-1]))


def small_files(limit: int = TINY) -> None:
    """In the child: files may not grow past ``limit`` bytes, and going past it is an
    error (EFBIG), not the default SIGXFSZ that would kill the process."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.fixture
def two_builds(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes], dict[str, bytes]]:
    """A source and its build in ``out``, the source then changed, and the bytes of the
    build before and after the change (the latter built elsewhere)."""
    source = make_corpus(tmp_path / "raw")
    out = tmp_path / "out"
    build_here(source, out)
    before = snapshot(out)
    change(source)
    reference = tmp_path.parent / f"{tmp_path.name}-reference"
    build_here(source, reference)
    after = snapshot(reference)
    assert after != before
    return source, out, before, after


@pytest.mark.slow
@pytest.mark.parametrize("step", BUILD_STEPS)
def test_a_build_killed_at_any_step_loses_nothing(
    step: str,
    two_builds: tuple[Path, Path, dict[str, bytes], dict[str, bytes]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, out, before, after = two_builds
    killed = build(source, out, die_at=step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    set_aside = out.parent / f".{out.name}.previous"
    if step == "build:set-aside":
        assert not out.exists() and snapshot(set_aside) == before
    elif step == "build:placed":
        assert snapshot(out) == after
    else:
        assert snapshot(out) == before
    assert (out.parent / f".{out.name}.lock").exists(), "the dead run's journal is left"

    capsys.readouterr()
    build_here(source, out)
    again = capsys.readouterr()
    assert ("restored" in again.err) is (step == "build:set-aside")
    assert f"built {out} (replaced;" in again.out
    assert snapshot(out) == after
    assert sorted(p.name for p in out.parent.iterdir()) == ["out", "raw"], "no debris"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_cleans_up_like_a_failure(
    two_builds: tuple[Path, Path, dict[str, bytes], dict[str, bytes]], stop: signal.Signals
) -> None:
    """SIGTERM (a service manager, a CI runner) or SIGINT (Ctrl-C) in the middle of a
    build: the shell's exit status for that signal, one line, the previous build kept."""
    source, out, before, _ = two_builds
    stopped = build(source, out, die_at=f"build:batch@{stop.name}")
    assert stopped.returncode == 128 + stop
    assert stopped.stderr == f"stopped by {stop.name}; {out} was left as it was\n"
    assert "Traceback" not in stopped.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["out", "raw"], "no debris"


def test_a_full_disk_during_a_build(
    two_builds: tuple[Path, Path, dict[str, bytes], dict[str, bytes]],
) -> None:
    source, out, before, after = two_builds
    full = build(source, out, preexec=small_files)
    assert full.returncode == 2, full.stderr
    assert os.strerror(27) in full.stderr, "the fault fired: EFBIG, File too large"
    assert full.stderr.startswith(f"error: {out}: the disk is full"), full.stderr
    assert "Traceback" not in full.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["out", "raw"], "no debris"
    build_here(source, out)
    assert snapshot(out) == after


def test_a_full_disk_while_writing_the_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_here(make_corpus(tmp_path / "raw"), out)
    reports = tmp_path / "reports"
    arguments = (str(out), "--previous", "none", "--reports", str(reports))
    assert validate(arguments) == 0
    before = snapshot(reports)
    assert max(len(content) for content in before.values()) > TINY, "the limit must bite"
    full = run("-m", "validation", *arguments, preexec=small_files)
    assert full.returncode == 2, full.stderr
    assert os.strerror(27) in full.stderr, "the fault fired: EFBIG, File too large"
    assert f"error: {reports}: the disk is full" in full.stderr
    assert "Traceback" not in full.stderr
    assert snapshot(reports) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw", "reports"]


def test_a_full_disk_while_exporting(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_here(make_corpus(tmp_path / "raw"), out)
    gold = tmp_path / "gold-tc.txt"
    arguments = ("export", str(out), "--task", "tc", "--out", str(gold))
    assert main(arguments) == 0
    before = gold.read_bytes()
    assert len(before) > 100, "the limit must bite"
    full = run("-m", "dataset", *arguments, preexec=lambda: small_files(100))
    assert full.returncode == 2, full.stderr
    assert os.strerror(27) in full.stderr, "the fault fired: EFBIG, File too large"
    assert full.stderr.startswith(f"error: {gold}: could not be written"), full.stderr
    assert "Traceback" not in full.stderr
    assert gold.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold-tc.txt", "out", "raw"]


@pytest.mark.slow
@pytest.mark.parametrize("step", RELEASE_STEPS)
def test_a_release_killed_at_any_step_loses_nothing(step: str, tmp_path: Path) -> None:
    releases = earlier_releases(tmp_path / "releases")
    before = {folder.name: snapshot(folder) for folder in releases.iterdir()}
    target = releases / f"v{dataset_version()}"
    killed = run("-c", RELEASE, str(releases), die_at=step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert {name: snapshot(releases / name) for name in before} == before
    if step == "release:placed":
        assert check_folder(target) == [], "a placed release is whole"
    else:
        assert not target.exists()

    # The next release, in this process as RELEASE would make it.
    make_release(RAW_DIR, releases, repo=None, log=lambda message: None)
    assert check_folder(target) == []
    assert {name: snapshot(releases / name) for name in before} == before
    assert sorted(p.name for p in releases.iterdir()) == sorted([*before, target.name])
