"""Writing files so that no reader, and no crash, ever sees half of one.

Everything here is mechanism: a file or a folder written beside its place, flushed to the
disk and renamed into place, with the modes ``cp`` and ``tar`` would give it (what the
umask allows), and the project's one JSON format. Which folders may be replaced is
decided in ``dataset.owned``.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

#: errno values that mean the disk (or the file-size limit, or the quota) is full.
DISK_FULL = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
#: The same, as libraries that lose the errno (pyarrow) word it.
_DISK_FULL_WORDS = tuple(os.strerror(code) for code in DISK_FULL)


def umask() -> int:
    """The process's umask, read without changing it where Linux tells it (a set-and-restore
    would race with other threads creating files)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        status = ""
    for line in status.splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    current = os.umask(0o022)
    os.umask(current)
    return current


def file_mode() -> int:
    """The mode a new file gets from ``cp`` or ``tar``: 0666 less the umask."""
    return 0o666 & ~umask()


def folder_mode() -> int:
    """The mode a new folder gets from ``mkdir``: 0777 less the umask."""
    return 0o777 & ~umask()


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` says the disk, the quota or the file-size limit is exhausted."""
    if not isinstance(error, OSError):
        return False
    return error.errno in DISK_FULL or any(words in str(error) for words in _DISK_FULL_WORDS)


def fsync_path(path: Path) -> None:
    """Flush a file's (or a folder's entries') data to the disk."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def fsync_tree(folder: Path) -> None:
    """Flush every file and folder under ``folder`` (and ``folder`` itself), so a rename
    that publishes the folder never publishes files whose data is still in memory."""
    for root, _, files in os.walk(folder):
        for name in files:
            if not Path(root, name).is_symlink():
                fsync_path(Path(root, name))
        fsync_path(Path(root))


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write through a temporary file in the same folder, flushed to the disk, and rename
    it into place, so a reader (or a crash, or a full disk) never sees a half-written file.
    Text is UTF-8 without newline translation; the mode is what the umask allows."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), file_mode())
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
        fsync_path(path.parent)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any) -> Path:
    """JSON as every manifest and metadata file of the project is written: indented, UTF-8,
    a final newline, written atomically. (The build's own manifest, whose inputs list has
    two entries per article, is streamed by ``dataset.builder.output.write_manifest``.)"""
    write_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path
