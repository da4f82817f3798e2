"""Output the tools own: the one rule for which folders a command may replace, and the
locked, staged, all-or-nothing replacement every writer goes through.

A folder is the tools' when it carries their marker (a build's MANIFEST.json, or
MARKER_NAME in a report or export folder, with ``generator`` naming this tool and the list
of every file written) and holds nothing else. A build manifest older than the marker
counts when its tables list exactly the files on disk. Anything else stops the command
with the path and the fix, before anything is deleted: what ``rsync`` or ``git`` users
expect of a tool that replaces folders.

A replacement runs under a lock file beside the target (``.<name>.lock``, held with
``flock`` for the whole run) whose content is the journal of the scratch folders the run
made. The new output is written into one of them, flushed to the disk and swapped in with
two renames (the old output set aside as ``.<name>.previous`` in between). A run killed at
any point leaves the previous output whole or set aside; the next run, once it holds the
lock (so the earlier one is dead), removes exactly the folders that run's journal names
and puts a set-aside output back. SIGTERM and SIGINT clean up like any other failure.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from dataset.errors import InputError
from dataset.files import folder_mode, fsync_path, fsync_tree, is_disk_full, write_atomically

#: The tool named in every marker it writes.
GENERATOR = "propaganda-spans"
#: A build's manifest, which is also its marker.
MANIFEST_NAME = "MANIFEST.json"
#: The marker of folders without a manifest (validation reports, exported label files).
MARKER_NAME = ".written-by-propaganda-spans.json"
#: Fault injection: the step at which the writers SIGKILL their own process (tests only).
DIE_AT_VARIABLE = "PROPAGANDA_SPANS_DIE_AT"
#: Strangers listed by name in a refusal; the rest are counted.
SHOWN = 5


def die_at(step: str) -> None:
    """Kill this process, as ``kill -9`` would, when PROPAGANDA_SPANS_DIE_AT names
    ``step``: the tests' way of crashing a writer exactly between two of its steps, with
    no timing involved. ``<step>@SIGTERM`` (or another signal's name) sends that instead."""
    wanted, _, name = os.environ.get(DIE_AT_VARIABLE, "").partition("@")
    if wanted == step:
        os.kill(os.getpid(), signal.Signals[name] if name else signal.SIGKILL)


def set_aside(target: Path) -> Path:
    """Where a replacement keeps the old output between its two renames."""
    return target.parent / f".{target.name}.previous"


def files_in(folder: Path) -> set[str]:
    """Every file (and link) under ``folder``, as POSIX paths relative to it."""
    found: set[str] = set()
    for root, folders, files in os.walk(folder):
        relative = Path(root).relative_to(folder)
        links = [name for name in folders if Path(root, name).is_symlink()]
        found.update((relative / name).as_posix() for name in [*files, *links])
    return found


def marker(files: set[str] | list[str]) -> dict[str, Any]:
    """What a marker (or a manifest) says about its folder: who wrote it, and every file."""
    return {"generator": GENERATOR, "files": sorted(files)}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _legacy_manifest_files(manifest: dict[str, Any]) -> set[str] | None:
    """The files a build manifest from before the marker lists: its tables' shards and
    itself; None when it is not shaped like one."""
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        return None
    listed = {MANIFEST_NAME}
    for table in tables.values():
        files = table.get("files") if isinstance(table, dict) else None
        if not isinstance(files, list):
            return None
        listed.update(str(file.get("path")) for file in files if isinstance(file, dict))
    return listed


def claimed_files(folder: Path, legacy: frozenset[str] = frozenset()) -> set[str] | None:
    """The files the tools say they wrote in ``folder``, or None when nothing proves the
    folder theirs. ``legacy``: the files a folder of this kind held before markers existed
    (a report folder's), accepted when the folder holds nothing else."""
    for name in (MARKER_NAME, MANIFEST_NAME):
        data = _read_json(folder / name)
        if isinstance(data, dict) and data.get("generator") == GENERATOR:
            files = data.get("files")
            if isinstance(files, list):
                return {str(file) for file in files} | {name}
    manifest = _read_json(folder / MANIFEST_NAME)
    disk = files_in(folder)
    if isinstance(manifest, dict) and "generator" not in manifest:
        listed = _legacy_manifest_files(manifest)
        if listed == disk:
            return listed
    if legacy and disk <= legacy:
        return disk
    return None


def check_replaceable(target: Path, option: str, legacy: frozenset[str] = frozenset()) -> None:
    """Refuse, before anything is touched, to replace a folder the tools cannot prove
    theirs: a file or link, a folder without their marker, or one holding other files."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        kind = "a symbolic link" if target.is_symlink() else "a file"
        raise InputError(
            target,
            f"{option} names {kind}, not a folder; nothing was changed",
            f"pass {option} a new folder, or a folder this tool wrote before",
        )
    disk = files_in(target) if target.exists() else set()
    if not disk:
        return
    claimed = claimed_files(target, legacy)
    if claimed is None:
        raise InputError(
            target,
            f"{option} names a folder that this tool did not write (it has no {MANIFEST_NAME} "
            f"or {MARKER_NAME} naming {GENERATOR}); nothing was deleted",
            f"pass {option} a new or empty folder, or move the folder's files elsewhere",
        )
    strangers = sorted(disk - claimed)
    if strangers:
        shown = ", ".join(strangers[:SHOWN])
        more = f" and {len(strangers) - SHOWN} more" if len(strangers) > SHOWN else ""
        raise InputError(
            target,
            f"{option} holds {len(strangers)} file(s) this tool did not write ({shown}{more}); "
            "nothing was deleted",
            f"move those files out of the folder, or pass {option} another folder",
        )


def check_apart(out: Path, source: Path, option: str = "--out", inputs: str = "--source") -> None:
    """Refuse an output folder that is, lies inside, or holds the inputs: replacing it
    would delete them."""
    written, read = out.resolve(), source.resolve()
    if written == read:
        relation = f"is the same folder as {inputs}"
    elif written.is_relative_to(read):
        relation = f"lies inside {inputs} ({read})"
    elif read.is_relative_to(written):
        relation = f"holds {inputs} ({read})"
    else:
        return
    raise InputError(
        out,
        f"{option} {relation}; replacing it would delete the inputs, so nothing was changed",
        f"pass {option} a folder outside {inputs}, and {inputs} a folder outside {option}",
    )


def write_file(path: Path, content: str | bytes, option: str) -> Path:
    """Write one output file the user named, whole or not at all; its folder must exist
    (a mistyped path never creates folders) and it must not be a folder."""
    if path.is_dir():
        raise InputError(path, f"{option} names a folder", f"pass {option} the path of a file")
    if not path.parent.is_dir():
        raise InputError(
            path,
            f"{option}'s folder {path.parent} does not exist; nothing was written",
            f"create it first (mkdir -p {path.parent}) or pass {option} a path in an existing one",
        )
    try:
        write_atomically(path, content)
    except OSError as error:
        raise InputError(
            path,
            f"could not be written ({error.strerror or error}); no file was changed",
            "free space on the disk or fix the folder's permissions, then run again"
            if is_disk_full(error)
            else "check the folder's permissions, then run again",
        ) from None
    return path


class Interrupted(SystemExit):
    """SIGTERM or SIGINT, raised where the program was, so the writers clean up."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signal_name = signal.Signals(signum).name


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    del frame
    raise Interrupted(signum)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGINT become an exception for the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


class _Lock:
    """``.<name>.lock`` beside the target: held while a run writes, its content the
    journal of that run's scratch folders."""

    def __init__(self, target: Path) -> None:
        self.path = target.parent / f".{target.name}.lock"
        self.scratch: list[str] = []
        self.left_by_dead_run: list[str] = []
        while True:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self._journal().get("pid", "?")
                os.close(self.fd)
                raise InputError(
                    target,
                    f"another run (process {holder}) is writing this output now; "
                    "nothing was changed",
                    "wait until it has finished, then run again",
                ) from None
            if self._still_the_lock():
                break
            os.close(self.fd)  # the holder removed it as we opened it: take the new one
        self.left_by_dead_run = [str(name) for name in self._journal().get("scratch", [])]
        self._save()

    def _still_the_lock(self) -> bool:
        try:
            return self.path.stat().st_ino == os.fstat(self.fd).st_ino
        except FileNotFoundError:
            return False

    def _journal(self) -> dict[str, Any]:
        try:
            data = json.loads(os.pread(self.fd, 1 << 16, 0) or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self) -> None:
        data = json.dumps({"pid": os.getpid(), "scratch": self.scratch}).encode("utf-8")
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)
        os.fsync(self.fd)

    def add(self, name: str) -> None:
        self.scratch.append(name)
        self._save()

    def remove(self, name: str) -> None:
        self.scratch.remove(name)
        self._save()

    def release(self) -> None:
        self.path.unlink(missing_ok=True)
        os.close(self.fd)


class Replacement:
    """One run's right to replace ``target``: scratch folders beside it, and the swap."""

    def __init__(self, target: Path, name: str, lock: _Lock) -> None:
        self.target = target
        self.name = name
        self.previous = set_aside(target)
        self._lock = lock

    def step(self, label: str) -> None:
        """A step boundary, where the fault-injection tests may kill the run."""
        die_at(f"{self.name}:{label}")

    def scratch(self) -> Path:
        """A new, empty folder beside the target (mode from the umask), removed at the
        end unless placed; named in the journal before it exists."""
        folder = self.target.parent / f".{self.target.name}.{self.name}-{secrets.token_hex(4)}"
        self._lock.add(folder.name)
        folder.mkdir(mode=folder_mode())
        folder.chmod(folder_mode())
        return folder

    def place(self, staging: Path) -> None:
        """Swap ``staging`` in for the target: flushed, the old output set aside, the new
        one renamed into place, the old one removed."""
        fsync_tree(staging)
        self.step("staged")
        if self.target.exists():
            self.target.rename(self.previous)
            fsync_path(self.target.parent)
            self.step("set-aside")
        staging.rename(self.target)
        fsync_path(self.target.parent)
        if staging.name in self._lock.scratch:
            self._lock.remove(staging.name)
        self.step("placed")
        if self.previous.exists():
            shutil.rmtree(self.previous)

    def discard(self) -> None:
        """Remove every scratch folder of this run that was not placed."""
        for name in list(self._lock.scratch):
            shutil.rmtree(self.target.parent / name, ignore_errors=True)
            self._lock.remove(name)


def _recover(replacement: Replacement, dead: list[str], legacy: frozenset[str]) -> None:
    """Finish what a killed run left: its scratch folders removed, a set-aside output put
    back (or, when the new one was placed already, removed as that run would have)."""
    parent, prefix = replacement.target.parent, f".{replacement.target.name}."
    for name in dead:
        if name.startswith(prefix) and "/" not in name:
            shutil.rmtree(parent / name, ignore_errors=True)
    previous = replacement.previous
    if not previous.is_dir() or previous.is_symlink():
        return
    if not replacement.target.exists():
        previous.rename(replacement.target)
        print(
            f"note: restored {replacement.target} that a killed run had set aside", file=sys.stderr
        )
    elif files_in(previous) <= (claimed_files(previous, legacy) or set()):
        shutil.rmtree(previous)


def _disk_full(target: Path, error: OSError) -> InputError:
    return InputError(
        target,
        f"the disk is full (or a file-size or quota limit was reached) while writing: "
        f"{error.strerror or error}; the previous output was left as it was",
        "free space on the disk (or raise the limit), then run again",
    )


@contextlib.contextmanager
def replacing(
    target: Path,
    option: str,
    name: str,
    *,
    legacy: frozenset[str] = frozenset(),
    check: bool = True,
) -> Iterator[Replacement]:
    """The right to replace ``target`` for the block: locked, a dead run's debris
    recovered, ownership checked (unless ``check`` is False, for callers that decide for
    themselves), scratch folders removed at the end whatever happens. A full disk becomes
    an InputError naming the target."""
    target = target.absolute() if target.is_symlink() else target.resolve()
    if not target.is_symlink() and target.exists() and not target.is_dir():
        check_replaceable(target, option)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = _Lock(target)
    replacement = Replacement(target, name, lock)
    try:
        with _signals_raise():
            _recover(replacement, lock.left_by_dead_run, legacy)
            if check:
                check_replaceable(target, option, legacy)
            yield replacement
    except OSError as error:
        replacement.discard()
        if is_disk_full(error):
            raise _disk_full(target, error) from None
        raise
    except BaseException as error:
        replacement.discard()
        if isinstance(error, Interrupted):
            print(f"stopped by {error.signal_name}; {target} was left as it was", file=sys.stderr)
        raise
    else:
        replacement.discard()
    finally:
        lock.release()


def write_folder(
    target: Path,
    files: Mapping[str, str | bytes],
    option: str,
    name: str,
    *,
    legacy: frozenset[str] = frozenset(),
) -> list[Path]:
    """Replace the folder ``target`` by one holding exactly ``files`` (relative paths to
    contents) and the marker, all together: readers see the old set or the new one."""
    with replacing(target, option, name, legacy=legacy) as replacement:
        staging = replacement.scratch()
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            replacement.step(f"wrote {relative}")
        (staging / MARKER_NAME).write_text(json.dumps(marker(set(files)), indent=2) + "\n")
        replacement.place(staging)
    return [target / relative for relative in files]
