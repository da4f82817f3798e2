"""Content addresses of files and bytes: the SHA-256 that manifests and SHA256SUMS record,
and the git blob id that finds an input's exact bytes in any clone with history.

A foundation module: the build, the release and its verification all hash, and none of
them should reach into another layer to do it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol


class BinaryStream(Protocol):
    """What ``hashlib.file_digest`` reads: a local file or a pyarrow stream."""

    def readinto(self, buffer: bytearray, /) -> int: ...

    def readable(self) -> bool: ...


def git_blob_id(data: bytes) -> str:
    """What ``git hash-object`` prints for these bytes: a content address that finds the
    exact bytes of an input in any clone with history (``git cat-file blob``)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)  # not header + data: that would copy every input once more
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    """A file's SHA-256, read a piece at a time (shards can be large)."""
    with path.open("rb") as handle:
        return sha256_of_stream(handle)


def sha256_of_stream(stream: BinaryStream) -> str:
    """The SHA-256 of an open binary stream, read a piece at a time: a local file, or one
    of pyarrow's filesystems' (validation reads a dataset wherever it lies)."""
    return hashlib.file_digest(stream, "sha256").hexdigest()
