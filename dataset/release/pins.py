"""Which commit reproduces a release: ``releases/REPRODUCIBLE.yaml`` first, else the commit
its release-manifest.json records.

A release's manifest is written once and never changed, so a commit it records wrongly (a
release made from a dirty tree) stays wrong forever. ``REPRODUCIBLE.yaml`` lives outside the
immutable release folders and names, per version, the commit whose code and ``uv.lock``
were found to rebuild the folder byte for byte, with a note saying how that was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dataset.errors import InputError
from dataset.project import RELEASES_DIR
from dataset.release.layout import MANIFEST
from dataset.release.manifest import read_manifest

PINS_PATH = RELEASES_DIR / "REPRODUCIBLE.yaml"
FULL_SHA = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class Pin:
    """The commit that reproduces a release, and where that fact came from."""

    commit: str
    origin: str


def read_pins(path: Path = PINS_PATH) -> dict[str, str]:
    """Version -> full commit id from REPRODUCIBLE.yaml (empty when the file is absent)."""
    if not path.is_file():
        return {}
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(path, f"is not valid YAML: {error}", "fix the YAML syntax", line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(path, "must map versions to entries", 'write `"1.0.0": {commit: ...}`')
    pins: dict[str, str] = {}
    for version, entry in data.items():
        commit = entry.get("commit") if isinstance(entry, dict) else None
        if not isinstance(commit, str) or not FULL_SHA.fullmatch(commit):
            raise InputError(
                path,
                f"version {version}: `commit` must be a full 40-character commit id, quoted",
                'write the id `git rev-parse <commit>` prints, in quotes: commit: "633a978..."',
            )
        pins[str(version)] = commit
    return pins


def reproducing_commit(version: str, folder: Path, pins: Path = PINS_PATH) -> Pin:
    """The commit to rebuild ``folder`` (release ``version``) with."""
    pinned = read_pins(pins).get(version)
    if pinned is not None:
        return Pin(pinned, f"{pins.name}")
    git = read_manifest(folder).get("git") or {}
    commit = git.get("commit")
    if not isinstance(commit, str) or not FULL_SHA.fullmatch(commit):
        raise InputError(
            folder / MANIFEST,
            f"release {version} records no commit, and {pins.name} names none",
            f"find the commit that reproduces it and add it to {pins}",
        )
    if git.get("dirty") is not False:
        return Pin(commit, f"{MANIFEST}, which says the tree was dirty: it may not reproduce it")
    return Pin(commit, MANIFEST)
