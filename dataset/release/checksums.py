"""SHA256SUMS: the checksum of every file of a release, in the format of GNU
``sha256sum`` (``<hex>  <path>``), so ``sha256sum -c SHA256SUMS`` checks a download with
no project code at all."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dataset.digests import sha256_of
from dataset.errors import InputError
from dataset.release.layout import SHA256SUMS, files_of


def hashes(folder: Path, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """sha256 of every file of the folder (SHA256SUMS excluded), by POSIX path; files in
    ``known`` (hashed when they were written) are not read again."""
    known = known or {}
    return {name: known.get(name) or sha256_of(folder / name) for name in files_of(folder)}


def write_sums(folder: Path, sums: Mapping[str, str]) -> Path:
    """SHA256SUMS for ``sums``, which must list every file of the folder."""
    lines = [f"{digest}  {name}\n" for name, digest in sorted(sums.items())]
    path = folder / SHA256SUMS
    path.write_text("".join(lines), encoding="utf-8")
    return path


def read_sums(folder: Path) -> dict[str, str]:
    path = folder / SHA256SUMS
    if not path.is_file():
        raise InputError(path, "the release has no SHA256SUMS", "release it with nox -s release")
    sums: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            raise InputError(
                path, f"malformed line {line!r}", "expected '<sha256>  <path>'", number
            )
        sums[name] = digest
    return sums


def compare(expected: dict[str, str], found: dict[str, str], what: str) -> list[str]:
    """Differences between two {path: sha256} maps, one readable line each."""
    problems = [f"{name}: missing from {what}" for name in sorted(expected.keys() - found.keys())]
    problems += [f"{name}: not in SHA256SUMS" for name in sorted(found.keys() - expected.keys())]
    problems += [
        f"{name}: sha256 {found[name]} in {what}, {expected[name]} in SHA256SUMS"
        for name in sorted(expected.keys() & found.keys())
        if expected[name] != found[name]
    ]
    return problems


def check_folder(folder: Path) -> list[str]:
    """Every way the folder differs from its own SHA256SUMS (empty when intact)."""
    return compare(read_sums(folder), hashes(folder), "the release folder")
