"""No function of the code is longer than MAX_LINES lines, from its ``def`` (decorators not
counted) to its last line: a function that does one job fits on a screen. ruff checks the
complexity (C901, max 12) and the branches and statements (PLR0912, PLR0915); this checks
what ruff has no rule for."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO

MAX_LINES = 60
#: The code held to it: the packages, the benchmarks and the nox sessions.
CODE = ("dataset", "validation", "benchmarks", "noxfile.py")


def python_files() -> Iterator[Path]:
    for name in CODE:
        path = REPO / name
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def long_functions(source: str, limit: int = MAX_LINES) -> list[tuple[str, int, int]]:
    """(name, first line, lines) of every function or method in ``source`` over ``limit``
    lines, nested ones too."""
    return [
        (node.name, node.lineno, lines)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (lines := (node.end_lineno or node.lineno) - node.lineno + 1) > limit
    ]


def test_no_function_is_longer_than_a_screen() -> None:
    found = [
        f"{path.relative_to(REPO).as_posix()}:{line} {name} ({lines} lines)"
        for path in python_files()
        for name, line, lines in long_functions(path.read_text(encoding="utf-8"))
    ]
    listed = "\n".join(found)
    assert not found, f"split these into functions of one job each (≤ {MAX_LINES} lines):\n{listed}"


SAMPLE = """\
@decorator
def short():
    a = 1
    return a


class A:
    async def method(self):
        def inner():
            return 1

        return inner
"""


def test_the_length_runs_from_def_to_the_last_line() -> None:
    # short: lines 2-4 (its decorator not counted); method: 8-12; inner: 9-10.
    assert long_functions(SAMPLE, limit=2) == [("short", 2, 3), ("method", 8, 5)]
