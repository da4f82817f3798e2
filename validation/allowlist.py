"""Allowlists: accepted violations in corpora with known upstream errata.

An allowlist is a YAML list of entries ``{check: <check id>, row: <row key>, reason: ...}``.
A listed violation is still reported (as allowed), never dropped, and an entry that no
longer matches any violation is reported too, so allowlists cannot silently rot. An
allowed row counts as passing its check: the higher levels go on judging it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, RootModel

from dataset.errors import InputError
from dataset.yaml_models import (
    InputKind,
    InputModel,
    InputValueError,
    line_at,
    parse_model,
)
from validation.checks import Level, ReleaseCheck, ReleaseFacts, check, registered
from validation.failures import Failures, Violation, listed


def _scalar(value: Any) -> Any:
    if not isinstance(value, str | int | float | bool):
        raise InputValueError(
            "must be text, not a list or a mapping",
            fix="write one check id, one row key and one reason per entry",
        )
    return str(value)


def _given(value: str) -> str:
    if not value.strip():
        raise InputValueError("gives no reason", fix="say why it is accepted")
    return value


Scalar = Annotated[str, BeforeValidator(_scalar)]


@dataclass(frozen=True)
class AllowlistEntry:
    check: str
    row: str
    reason: str


class _Entry(InputModel):
    """One entry as written: which check, which row, and why it is accepted."""

    check: Scalar
    row: Scalar
    reason: Annotated[Scalar, AfterValidator(_given)]


class _Allowlist(RootModel[tuple[_Entry, ...]]):
    model_config = ConfigDict(frozen=True)


ALLOWLIST_INPUT = InputKind(
    "the allowlist",
    "write one entry per accepted violation: - {check: <check id>, row: <row key>, "
    "reason: <why accepted>}",
)


def read_allowlist(path: Path) -> list[AllowlistEntry]:
    entries, root = parse_model(path, _Allowlist, ALLOWLIST_INPUT, empty=[])
    known = registered()
    for number, entry in enumerate(entries.root):
        if entry.check not in known:
            raise InputError(
                path,
                f"entry {number + 1} names the unknown check {entry.check!r}",
                "use a check id from the catalogue (python -m validation --list-checks)",
                line=line_at(root, number, "check"),
            )
    return [AllowlistEntry(e.check, e.row, e.reason) for e in entries.root]


@check(
    "allowlist-current",
    severity="warning",
    level=Level.RELEASE,
    kind=ReleaseCheck,
    tables=(),
    description="Every allowlist entry still matches a violation (stale entries are reported).",
)
def stale_entries(facts: ReleaseFacts) -> Failures:
    return listed(
        "allowlist",
        [
            Violation(
                "allowlist",
                f"{entry.check}:{entry.row}",
                f"no {entry.check} violation at row {entry.row!r}",
                f"a violation to accept ({entry.reason})",
            )
            for entry in facts.allowlist
            if (entry.check, entry.row) not in facts.matched
        ],
    )
