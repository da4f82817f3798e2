"""CHANGELOG.md: one entry per released version, ``## [<version>] - <YYYY-MM-DD>``.

The entry's date is the release date (so a release made twice, or re-made by ``verify``
years later, carries the same date), and its ``### Spans per technique`` table lists the
span rows per technique that changed against the previous release, every technique for a
first release. The entry is written by hand and checked here against the data: a release
whose entry disagrees is refused, with the table it should hold.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from dataset.errors import InputError
from dataset.markdown import markdown_table

HEADING = re.compile(r"^## \[(?P<version>[^\]\s]+)\] - (?P<date>\S+)[ \t]*$", re.MULTILINE)
COUNTS_HEADING = "### Spans per technique"
NO_PREVIOUS = "\N{EN DASH}"
NO_CHANGE = "No technique's span count changed."

#: (technique, rows in the previous release or None for a first release, rows now)
Row = tuple[str, int | None, int]


@dataclass(frozen=True)
class Entry:
    version: str
    date: datetime.date
    body: str
    line: int


def read_entries(path: Path) -> dict[str, Entry]:
    if not path.is_file():
        raise InputError(path, "there is no changelog", "create it with an entry per version")
    text = path.read_text(encoding="utf-8")
    matches = list(HEADING.finditer(text))
    entries: dict[str, Entry] = {}
    for index, match in enumerate(matches):
        line = text.count("\n", 0, match.start()) + 1
        try:
            date = datetime.date.fromisoformat(match["date"])
        except ValueError:
            raise InputError(
                path, f"{match['date']!r} is not a date", "write it as YYYY-MM-DD", line
            ) from None
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        if match["version"] in entries:
            raise InputError(path, f"two entries for {match['version']}", "keep one", line)
        entries[match["version"]] = Entry(match["version"], date, text[match.end() : end], line)
    return entries


def entry_for(path: Path, version: str) -> Entry:
    entries = read_entries(path)
    if version not in entries:
        raise InputError(
            path,
            f"no entry for version {version}",
            f"add a section headed '## [{version}] - YYYY-MM-DD' (the release date) saying "
            f"what changed, with a '{COUNTS_HEADING}' table (`python -m dataset release` "
            "prints the table it expects)",
        )
    return entries[version]


def expected_rows(current: dict[str, int], previous: dict[str, int] | None) -> list[Row]:
    """Every technique for a first release, else those whose span count changed."""
    if previous is None:
        return [(label, None, rows) for label, rows in current.items()]
    labels = list(current) + sorted(set(previous) - set(current))
    return [
        (label, previous.get(label, 0), current.get(label, 0))
        for label in labels
        if previous.get(label, 0) != current.get(label, 0)
    ]


def render_rows(rows: list[Row]) -> str:
    """The block the entry must hold, ready to paste."""
    if not rows:
        return f"{COUNTS_HEADING}\n\n{NO_CHANGE}\n"
    table = markdown_table(
        ["technique", "previous release", "this release"],
        (
            (f"`{label}`", NO_PREVIOUS if before is None else before, now)
            for label, before, now in rows
        ),
    )
    return f"{COUNTS_HEADING}\n\n{table}"


def parse_rows(entry: Entry) -> list[Row] | None:
    """The entry's counts table, or None when it has no counts section."""
    lines = entry.body.splitlines()
    if COUNTS_HEADING not in (line.strip() for line in lines):
        return None
    start = [line.strip() for line in lines].index(COUNTS_HEADING) + 1
    rows: list[Row] = []
    for line in lines[start:]:
        stripped = line.strip()
        if stripped.startswith("#"):
            break
        if not stripped.startswith("|"):
            continue
        cells = [cell.strip() for cell in stripped.strip("|").split("|")]
        if len(cells) != 3 or cells[0] == "technique" or set(cells[0]) <= {"-", ":"}:
            continue
        before = None if cells[1] == NO_PREVIOUS else _int(cells[1])
        rows.append((cells[0].strip("`"), before, _int(cells[2])))
    return rows


def _int(cell: str) -> int:
    try:
        return int(cell.replace(",", ""))
    except ValueError:
        return -1


def check_counts(
    path: Path, entry: Entry, current: dict[str, int], previous: dict[str, int] | None
) -> None:
    """Refuse an entry whose counts table disagrees with the data."""
    expected = expected_rows(current, previous)
    found = parse_rows(entry)
    if found is not None and sorted(found, key=str) == sorted(expected, key=str):
        return
    problem = (
        f"the entry for {entry.version} has no '{COUNTS_HEADING}' section"
        if found is None
        else f"the entry for {entry.version} lists span counts that disagree with the data"
    )
    since = "the previous release" if previous is not None else "nothing (first release)"
    raise InputError(
        path,
        problem,
        f"replace it with this block (span rows per technique changed since {since}):\n\n"
        + render_rows(expected),
        entry.line,
    )
