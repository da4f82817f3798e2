"""release-manifest.json: what a release was made from and with.

It records the version and date, the git commit and whether the tree had changes, every
input with its sha256 and git blob id (which is what ``verify`` rebuilds from), the build
options, the library versions, and the row counts per table and per technique. The commit
and the Python version change with every commit and machine, so this file is a record
that SHA256SUMS covers but ``verify`` does not expect to reproduce.
"""

from __future__ import annotations

import json
import platform
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from dataset.project import GUIDELINES_PATH
from dataset.release.bundle import Bundle
from dataset.release.inputs import git_commit, record, repo_relative
from dataset.release.layout import MANIFEST, RECORD_ONLY

#: Libraries whose versions shape the release's bytes or decide what it was checked with.
LIBRARIES = (
    "pyarrow",
    "datasets",
    "huggingface-hub",
    "pyyaml",
    "matplotlib",
    "great-expectations",
)


def release_manifest(
    bundle: Bundle,
    *,
    source: Path,
    card: Path,
    card_bytes: bytes,
    changelog: Path,
    changelog_bytes: bytes,
    files: list[str],
    commit: str | None = None,
) -> dict[str, Any]:
    """The record of a release; inputs, their hashes and blob ids come from the build's
    manifest, so no input is read again. ``commit``: the clean commit the release was made
    from (else HEAD as found)."""
    built = bundle.manifest
    options = built["options"]
    return {
        "dataset": built["dataset"],
        "version": bundle.info.version,
        "date": bundle.info.date.isoformat(),
        "git": git_commit() if commit is None else {"commit": commit, "dirty": False},
        "source": repo_relative(source),
        "build": {
            "label_layer": options["label_layer"],
            "default_layer": options["default_layer"],
            "shard_rows": options["shard_rows"],
            "layers": built["layers"],
        },
        "inputs": built["inputs"],
        "card": record(repo_relative(card), card_bytes),
        "changelog": record(repo_relative(changelog), changelog_bytes),
        "schema": record(repo_relative(bundle.schema.source), bundle.schema.file_bytes),
        "guidelines": record(repo_relative(GUIDELINES_PATH), bundle.guidelines),
        "libraries": {
            "python": platform.python_version(),
            **{name: installed_version(name) for name in LIBRARIES},
        },
        "counts": bundle.counts.to_json(),
        "files": {
            "reproducible": [name for name in files if name not in RECORD_ONLY],
            "record_only": sorted(RECORD_ONLY),
        },
    }


def read_manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return data
