"""Errors about the user's input files, reported without a traceback."""

from __future__ import annotations

from pathlib import Path


class BuildRejectedError(Exception):
    """A build gate (validation) vetoed the new output; the previous output stays."""


class InputError(Exception):
    """A problem in an input file that the user must fix before the build can go on.

    The message names the file, the line when there is one, what is wrong and how to fix
    it, so that a build over thousands of files points straight at the culprit.
    """

    def __init__(self, path: Path | str, problem: str, fix: str, line: int | None = None):
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        self.line = line
        super().__init__(self.render())

    def render(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else f"{self.path}"
        return f"error: {where}: {self.problem}\n  fix: {self.fix}"
