"""Where the project's files live and what pyproject.toml says, in one place.

Run from a checkout, paths point into the repository and the version is read from
pyproject.toml, where it is written once. Installed from a wheel (no checkout), the version
comes from the installed package's metadata, which the wheel build copied from that same
pyproject.toml; the checkout-only folders (raw inputs, releases, DATACARD.md) are then absent
and the commands that need them say so.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
PYPROJECT_PATH = REPO_ROOT / "pyproject.toml"
RAW_DIR = REPO_ROOT / "dataset" / "raw"
ANNOTATIONS_DIR = REPO_ROOT / "dataset" / "annotations"
GUIDELINES_PATH = REPO_ROOT / "dataset" / "guidelines.md"
BUILD_DIR = REPO_ROOT / "build" / "dataset"
DATACARD_PATH = REPO_ROOT / "DATACARD.md"
CHANGELOG_PATH = REPO_ROOT / "CHANGELOG.md"
RELEASES_DIR = REPO_ROOT / "releases"
DISTRIBUTION = "propaganda-spans"


def in_checkout() -> bool:
    return PYPROJECT_PATH.is_file()


@cache
def pyproject() -> dict[str, Any]:
    """The ``[project]`` table of pyproject.toml (empty outside a checkout)."""
    if not in_checkout():
        return {}
    with PYPROJECT_PATH.open("rb") as handle:
        project: dict[str, Any] = tomllib.load(handle)["project"]
    return project


@cache
def dataset_version() -> str:
    """The dataset's version: pyproject.toml in a checkout, package metadata when installed."""
    if in_checkout():
        return str(pyproject()["version"])
    try:
        return installed_version(DISTRIBUTION)
    except PackageNotFoundError:  # pragma: no cover - neither a checkout nor installed
        return "0+unknown"
