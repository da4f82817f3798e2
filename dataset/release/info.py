"""What every generated release file is made from, besides the data: the version, the
release date, the datasheet text, and the project metadata in pyproject.toml."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from dataset.project import pyproject
from dataset.schema import Schema

#: ``[project.urls]`` labels that name the dataset's home page, compared after PEP 753
#: normalisation (lower case, no punctuation or spaces).
HOME_LABELS = ("homepage", "home")


def home_page() -> str | None:
    """The home page ``[project.urls]`` in pyproject.toml names, or None: a release never
    invents one."""
    urls: dict[str, str] = pyproject().get("urls", {})
    for label, url in urls.items():
        if "".join(ch for ch in label.lower() if ch.isalnum()) in HOME_LABELS:
            return url
    return None


@dataclass(frozen=True)
class ReleaseInfo:
    version: str
    date: datetime.date
    #: DATACARD.md as it was when the release was made.
    card: str
    #: The dataset's home page, which every metadata file then carries; None when
    #: pyproject.toml names none.
    home: str | None = field(default_factory=home_page)
    #: CHANGELOG.md as it was when the release was made; None for releases made before
    #: releases shipped it.
    changelog: str | None = None
    #: The schema the release follows, loaded once by the command that makes it: its
    #: tables, taxonomies, licence and names are every release file's.
    schema: Schema = field(kw_only=True)

    @property
    def name(self) -> str:
        return self.schema.dataset.name

    @property
    def pretty_name(self) -> str:
        return self.schema.dataset.pretty_name


def project() -> dict[str, Any]:
    """The ``[project]`` table of pyproject.toml."""
    return pyproject()


def description() -> str:
    text: str = project()["description"]
    return text


def keywords() -> list[str]:
    return list(project().get("keywords", []))


def authors() -> list[str]:
    return [author["name"] for author in project()["authors"]]
