"""The dataset version, written once in pyproject.toml and read from there everywhere."""

from __future__ import annotations

import tomllib
from functools import cache

from dataset.schema import REPO_ROOT


@cache
def dataset_version() -> str:
    with (REPO_ROOT / "pyproject.toml").open("rb") as handle:
        version: str = tomllib.load(handle)["project"]["version"]
    return version
