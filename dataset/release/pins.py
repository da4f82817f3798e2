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
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, RootModel

from dataset.errors import InputError
from dataset.project import RELEASES_DIR
from dataset.release.layout import MANIFEST
from dataset.release.manifest import read_manifest
from dataset.yaml_models import InputKind, InputModel, InputValueError, read_model

PINS_PATH = RELEASES_DIR / "REPRODUCIBLE.yaml"
FULL_SHA = re.compile(r"[0-9a-f]{40}")
_COMMIT_PROBLEM = "`commit` must be a full 40-character commit id, quoted"
_COMMIT_FIX = 'write the id `git rev-parse <commit>` prints, in quotes: commit: "633a978..."'


@dataclass(frozen=True)
class Pin:
    """The commit that reproduces a release, and where that fact came from."""

    commit: str
    origin: str


def _commit_entry(value: Any) -> Any:
    if not isinstance(value, dict):
        raise InputValueError(_COMMIT_PROBLEM, fix=_COMMIT_FIX)
    return value


def _full_sha(value: Any) -> Any:
    if not isinstance(value, str) or not FULL_SHA.fullmatch(value):
        raise InputValueError(_COMMIT_PROBLEM, fix=_COMMIT_FIX)
    return value


class PinEntry(InputModel):
    """One version's reproducing commit, and how it was found."""

    commit: Annotated[str, BeforeValidator(_full_sha)]
    note: str | None = None


class PinsFile(RootModel[dict[str, Annotated[PinEntry, BeforeValidator(_commit_entry)]]]):
    """REPRODUCIBLE.yaml: version -> entry."""

    model_config = ConfigDict(frozen=True)


PINS_INPUT = InputKind(
    "the pins file", 'map each version to its entry: "1.0.0": {commit: "<40 hex digits>"}'
)


def read_pins(path: Path = PINS_PATH) -> dict[str, str]:
    """Version -> full commit id from REPRODUCIBLE.yaml (empty when the file is absent)."""
    if not path.is_file():
        return {}
    pins = read_model(path, PinsFile, PINS_INPUT)
    return {version: entry.commit for version, entry in pins.root.items()}


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
