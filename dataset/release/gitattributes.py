"""The ``.gitattributes`` of a published release repository.

The Hugging Face Hub refuses binary files pushed as plain git blobs: they must go through
Git LFS (or Xet, which reads the same attributes). The file holds the patterns a new Hub
dataset repository starts with, so a repository published here behaves like one made on the
Hub, and then the extensions of the release's own binary files that those patterns miss. A
file counts as binary the way git itself decides it, a NUL byte in its first 8000 bytes, or
when it is not UTF-8.
The release folder itself has no ``.gitattributes``: inside the project's repository it
would route the committed release through LFS too.
"""

from __future__ import annotations

import re
from pathlib import Path

GITATTRIBUTES = ".gitattributes"
LFS = "filter=lfs diff=lfs merge=lfs -text"
#: The LFS patterns of a new Hugging Face Hub dataset repository's .gitattributes, in its
#: order and with its comments.
HUB_DEFAULTS: tuple[str, ...] = (
    *("*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz", "*.h5", "*.joblib"),
    *("*.lfs.*", "*.lz4", "*.mlmodel", "*.model", "*.msgpack", "*.npy", "*.npz", "*.onnx"),
    *("*.ot", "*.parquet", "*.pb", "*.pickle", "*.pkl", "*.pt", "*.pth", "*.rar"),
    *("*.safetensors", "saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz", "*.wasm"),
    *("*.xz", "*.zip", "*.zst", "*tfevents*"),
    "# Audio files - uncompressed",
    *("*.pcm", "*.sam", "*.raw"),
    "# Audio files - compressed",
    *("*.aac", "*.flac", "*.mp3", "*.ogg", "*.wav"),
    "# Image files - uncompressed",
    *("*.bmp", "*.gif", "*.png", "*.tiff"),
    "# Image files - compressed",
    *("*.jpg", "*.jpeg", "*.webp"),
)
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
    """The Hub's default patterns, then the release's binary extensions they miss."""
    hub = [line if line.startswith("#") else f"{line} {LFS}" for line in HUB_DEFAULTS]
    own = [f"*{suffix}" for suffix in lfs_extensions(folder, files)]
    missed = [f"{pattern} {LFS}" for pattern in own if pattern not in HUB_DEFAULTS]
    if missed:
        missed.insert(0, "# This dataset's own binary files")
    return "".join(f"{line}\n" for line in [*hub, *missed])


def lfs_pointer_oid(blob: bytes) -> str | None:
    """The sha256 of the content an LFS pointer stands for, or None for any other blob."""
    match = LFS_POINTER.match(blob)
    return match["oid"].decode("ascii") if match else None
