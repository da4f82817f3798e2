"""Each list of requirements in pyproject.toml names a distribution once: a second entry
either repeats the first (noise a reader must check) or contradicts it (and the resolver,
not the author, decides which bound holds)."""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO


def requirement_lists(project: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """(where, requirement strings) for dependencies, extras and dependency groups;
    ``include-group`` entries are references, not requirements, so they are skipped."""
    yield "project.dependencies", project["project"].get("dependencies", [])
    for extra, items in project["project"].get("optional-dependencies", {}).items():
        yield f"project.optional-dependencies.{extra}", items
    for group, items in project.get("dependency-groups", {}).items():
        yield f"dependency-groups.{group}", [item for item in items if isinstance(item, str)]


def repeated(requirements: Iterable[str]) -> list[str]:
    """Distributions named more than once (same name and markers), canonical names."""
    keys = Counter(
        (canonicalize_name(parsed.name), str(parsed.marker or ""))
        for parsed in map(Requirement, requirements)
    )
    return sorted(name for (name, _), count in keys.items() if count > 1)


def test_no_distribution_is_listed_twice_in_one_list() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    lists = requirement_lists(project)
    twice = {where: names for where, items in lists if (names := repeated(items))}
    assert twice == {}


def test_a_repeated_distribution_is_caught_whatever_its_spelling() -> None:
    assert repeated(["jinja2>=3.1", "pyyaml>=6", "Jinja2>=3.0"]) == ["jinja2"]
    assert repeated(["pyyaml>=6", "PyYAML; python_version < '4'"]) == []
