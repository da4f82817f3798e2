"""Allowlists: accepted violations in corpora with known upstream errata.

An allowlist is a YAML list of entries ``{check: <check id>, row: <row key>, reason: ...}``.
A listed violation is still reported (as allowed), never dropped, and an entry that no
longer matches any violation is reported too, so allowlists cannot silently rot. An
allowed row counts as passing its check: the higher levels go on judging it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from dataset.errors import InputError, not_utf8
from validation.checks import Level, ReleaseFacts, by_id, check
from validation.failures import Failures, Violation, listed


@dataclass(frozen=True)
class AllowlistEntry:
    check: str
    row: str
    reason: str


def read_allowlist(path: Path) -> list[AllowlistEntry]:
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(
            path, f"cannot read the allowlist: {error.strerror}", "check the path"
        ) from None
    except UnicodeDecodeError as error:
        raise not_utf8(path, error, "save the allowlist as UTF-8") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(
            path,
            f"the allowlist is not valid YAML: {getattr(error, 'problem', None) or error}",
            "fix the YAML syntax",
            line=mark.line + 1 if mark is not None else None,
        ) from None
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise InputError(
            path, "the allowlist is not a YAML list", "write one '- check: ...' per entry"
        )
    known = by_id()
    allowlist: list[AllowlistEntry] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or set(entry) != {"check", "row", "reason"}:
            raise InputError(
                path,
                f"entry {number} must have exactly the keys check, row and reason",
                "write entries as {check: <check id>, row: <row key>, reason: <why accepted>}",
            )
        odd = [key for key in ("check", "row", "reason") if not _is_scalar(entry[key])]
        if odd:
            raise InputError(
                path,
                f"entry {number}: {', '.join(odd)} must be text, not a list or a mapping",
                "write one check id, one row key and one reason per entry",
            )
        if entry["check"] not in known:
            raise InputError(
                path,
                f"entry {number} names the unknown check {entry['check']!r}",
                "use a check id from the catalogue (python -m validation --list-checks)",
            )
        if not str(entry["reason"]).strip():
            raise InputError(path, f"entry {number} gives no reason", "say why it is accepted")
        allowlist.append(
            AllowlistEntry(str(entry["check"]), str(entry["row"]), str(entry["reason"]))
        )
    return allowlist


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


@check(
    "allowlist-current",
    severity="warning",
    level=Level.RELEASE,
    kind="python",
    scope="release",
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
