"""Errors about the user's input, reported as one message without a traceback."""

from __future__ import annotations

from pathlib import Path


class BuildRejectedError(Exception):
    """A build gate (validation) vetoed the new output; the previous output stays."""


class InputError(Exception):
    """A problem in the user's input that must be fixed before the command can go on.

    ``where`` is what the problem points at: a file or folder (a ``Path``, shown with the
    line when there is one) or a named input that is not a file, such as a command-line
    option (``"--repo-id"``) or a tool (``"git"``). The message says what is wrong and how
    to fix it, so a build over thousands of files points straight at the culprit.
    """

    def __init__(self, where: Path | str, problem: str, fix: str, line: int | None = None):
        self.where = where
        self.problem = problem
        self.fix = fix
        self.line = line
        super().__init__(self.render())

    @property
    def path(self) -> Path | None:
        """The file or folder at fault, or None when the problem is not in a file."""
        return self.where if isinstance(self.where, Path) else None

    def render(self) -> str:
        where = f"{self.where}:{self.line}" if self.line is not None else f"{self.where}"
        return f"error: {where}: {self.problem}\n  fix: {self.fix}"


def not_utf8(path: Path, error: UnicodeDecodeError, fix: str) -> InputError:
    """A file that does not decode as UTF-8: the offending byte, its offset and line."""
    data = bytes(error.object)
    return InputError(
        path,
        f"not valid UTF-8: byte 0x{data[error.start]:02x} at byte offset {error.start} "
        f"({error.reason})",
        fix,
        line=data[: error.start].count(b"\n") + 1,
    )


class Rejected(Exception):  # noqa: N818 (a verdict handed up, not an error to show)
    """A fast reader found its input bad without saying where: the caller asks the
    diagnostics readers (``read_article``, ``read_label_file``, ``read_provenance``) for the
    first error, with its file, line, problem and fix."""
