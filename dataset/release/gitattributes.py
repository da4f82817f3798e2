"""The ``.gitattributes`` of a published release repository.

The Hugging Face Hub refuses binary files pushed as plain git blobs: they must go through
Git LFS (or Xet, which reads the same attributes). A release's binary files (the Parquet
shards, the chart) are therefore routed to LFS by extension. A file counts as binary the
way git itself decides it, a NUL byte in its first 8000 bytes, or when it is not UTF-8.
The release folder itself has no ``.gitattributes``: inside the project's repository it
would route the committed release through LFS too.
"""

from __future__ import annotations

import re
from pathlib import Path

GITATTRIBUTES = ".gitattributes"
LFS = "filter=lfs diff=lfs merge=lfs -text"
#: How many leading bytes git inspects to call a file binary.
GIT_BINARY_PROBE = 8000
#: A Git LFS pointer file (spec v1), as the repository stores an LFS-tracked file.
LFS_POINTER = re.compile(
    rb"\Aversion https://git-lfs\.github\.com/spec/v1\noid sha256:(?P<oid>[0-9a-f]{64})\n"
    rb"size (?P<size>[0-9]+)\n\Z"
)


def is_binary(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(GIT_BINARY_PROBE)
    if b"\0" in head:
        return True
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def lfs_extensions(folder: Path, files: list[str]) -> list[str]:
    """The extensions (``.parquet``) of the release's binary files, sorted."""
    return sorted({Path(name).suffix for name in files if is_binary(folder / name)})


def gitattributes(folder: Path, files: list[str]) -> str:
    lines = [f"*{suffix} {LFS}" for suffix in lfs_extensions(folder, files)]
    return "# Binary files of the release are stored with Git LFS, as the Hub requires.\n" + (
        "".join(f"{line}\n" for line in lines)
    )


def lfs_pointer_oid(blob: bytes) -> str | None:
    """The sha256 of the content an LFS pointer stands for, or None for any other blob."""
    match = LFS_POINTER.match(blob)
    return match["oid"].decode("ascii") if match else None
