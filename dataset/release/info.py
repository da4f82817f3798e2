"""What every generated release file is made from, besides the data: the version, the
release date, the datasheet text, and the project metadata in pyproject.toml."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from dataset.project import pyproject
from dataset.schema import schema

#: Licence of the project's own work in the data (annotations, rationales, schema), as an
#: SPDX id; the article text keeps its publisher's copyright (see ``TEXT_TERMS``).
DATA_LICENCE = "CC-BY-4.0"
DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
TEXT_TERMS = (
    "Article text: copyright stays with its original publisher; included unaltered for "
    "non-commercial research on propaganda detection only (see the articles.licence column)."
)


@dataclass(frozen=True)
class ReleaseInfo:
    version: str
    date: datetime.date
    #: DATACARD.md as it was when the release was made.
    card: str

    @property
    def name(self) -> str:
        name: str = schema().dataset.name
        return name

    @property
    def pretty_name(self) -> str:
        pretty: str = schema().dataset.pretty_name
        return pretty


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
