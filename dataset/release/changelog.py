"""CHANGELOG.md: one entry per released version, ``## [<version>] - <YYYY-MM-DD>``.

The entry's date is the release date (so a release made twice, or re-made by ``verify``
years later, carries the same date), and its ``### Spans per technique`` table lists the
span rows per technique that changed against the previous release, every technique for a
first release. When the tables or their columns changed since the previous release, it
also needs a ``### Migrating from <previous version>`` section for that release's users,
naming in code spans every table and column removed, added or retyped. The entry is
written by hand and checked here against the data: a release whose entry disagrees is
refused, with the table it should hold or the list of changes its note must cover.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from markdown_it.tree import SyntaxTreeNode

from dataset.errors import InputError
from dataset.markdown import markdown_table, parse
from dataset.release.layout import DATA_DIR
from dataset.versions import parse_version

HEADING = re.compile(r"^\[(?P<version>[^\]\s]+)\] - (?P<date>\S+)$")
COUNTS_HEADING = "### Spans per technique"
NO_PREVIOUS = "\N{EN DASH}"
NO_CHANGE = "No technique's span count changed."

#: (technique, rows in the previous release or None for a first release, rows now)
Row = tuple[str, int | None, int]
#: (the table or column name a migration note must mention, what happened to it)
Change = tuple[str, str]


@dataclass(frozen=True)
class Entry:
    version: str
    date: datetime.date
    #: The entry's Markdown, below its heading.
    body: str
    line: int


def read_entries(path: Path) -> dict[str, Entry]:
    """Every ``## [<version>] - <date>`` entry; its body runs to the next level-2 heading."""
    if not path.is_file():
        raise InputError(path, "there is no changelog", "create it with an entry per version")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    headings = [
        (node.children[0].content, node.map)
        for node in parse(text).children
        if node.type == "heading" and node.tag == "h2" and node.map is not None
    ]
    entries: dict[str, Entry] = {}
    for index, (title, (first, after)) in enumerate(headings):
        match = HEADING.match(title)
        if match is None:
            continue
        line = first + 1
        try:
            date = datetime.date.fromisoformat(match["date"])
        except ValueError:
            raise InputError(
                path, f"{match['date']!r} is not a date", "write it as YYYY-MM-DD", line
            ) from None
        if match["version"] in entries:
            raise InputError(path, f"two entries for {match['version']}", "keep one", line)
        end = headings[index + 1][1][0] if index + 1 < len(headings) else len(lines)
        body = "\n".join(lines[after:end])
        entries[match["version"]] = Entry(match["version"], date, body, line)
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


def _subsection(entry: Entry, heading: str) -> list[SyntaxTreeNode] | None:
    """The block nodes under the entry's ``heading`` (a ``### ...`` line) up to the next
    heading, or None when the entry has no such heading."""
    level, _, title = heading.partition(" ")
    nodes = parse(entry.body).children
    for index, node in enumerate(nodes):
        if node.type == "heading" and node.markup == level and node.children[0].content == title:
            following = nodes[index + 1 :]
            end = next((i for i, n in enumerate(following) if n.type == "heading"), None)
            return following[:end]
    return None


def _int(cell: str) -> int:
    try:
        return int(cell.replace(",", ""))
    except ValueError:
        return -1


def parse_rows(entry: Entry) -> list[Row] | None:
    """The entry's counts table, or None when it has no counts section."""
    nodes = _subsection(entry, COUNTS_HEADING)
    if nodes is None:
        return None
    rows: list[Row] = []
    for table in (node for node in nodes if node.type == "table"):
        for body in (part for part in table.children if part.type == "tbody"):
            for row in body.children:
                cells = [
                    cell.children[0].content.strip() if cell.children else ""
                    for cell in row.children
                ]
                if len(cells) != 3:
                    continue
                before = None if cells[1] == NO_PREVIOUS else _int(cells[1])
                rows.append((cells[0].strip("`"), before, _int(cells[2])))
    return rows


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


MIGRATION_HEADING = "### Migrating from {version}"


def layout_changes(before: Mapping[str, pa.Schema], now: Mapping[str, pa.Schema]) -> list[Change]:
    """How the tables and columns changed since the previous release: (the name a migration
    note must mention, what happened to it), tables first, in schema order."""
    changes: list[Change] = [
        (table, f"table `{table}` removed") for table in before if table not in now
    ]
    changes += [(table, f"table `{table}` added") for table in now if table not in before]
    for table in (name for name in now if name in before):
        old, new = before[table], now[table]
        changes += [
            (column, f"`{table}`: column `{column}` removed")
            for column in old.names
            if column not in new.names
        ]
        changes += [
            (column, f"`{table}`: column `{column}` added")
            for column in new.names
            if column not in old.names
        ]
        changes += [
            (column, f"`{table}`: column `{column}` changed type, {old_type} to {new_type}")
            for column in new.names
            if column in old.names
            for old_type, new_type in [(old.field(column).type, new.field(column).type)]
            if old_type != new_type
        ]
    return changes


def release_layout(folder: Path) -> dict[str, pa.Schema]:
    """The Arrow schema of each table of a release, from its first Parquet shard."""
    layout: dict[str, pa.Schema] = {}
    for table_dir in sorted((folder / DATA_DIR).iterdir()):
        shards = sorted(table_dir.glob("*.parquet"))
        if shards:
            layout[table_dir.name] = pq.read_schema(shards[0])
    return layout


def mentioned(entry: Entry, heading: str) -> set[str] | None:
    """The code spans under the entry's ``heading`` (a ``table`` or ``table.column`` counts
    for both names), or None when there is no such heading."""
    nodes = _subsection(entry, heading)
    if nodes is None:
        return None
    found: set[str] = set()
    for node in nodes:
        for inner in node.walk():
            if inner.type == "code_inline":
                found.add(inner.content)
                found.update(inner.content.split("."))
    return found


def check_migration(path: Path, entry: Entry, previous_version: str, changes: list[Change]) -> None:
    """Refuse an entry that changes the tables without a migration note naming every
    removed, added or retyped table and column in a code span."""
    if not changes:
        return
    heading = MIGRATION_HEADING.format(version=previous_version)
    names = mentioned(entry, heading)
    missing = [change for change in changes if names is None or change[0] not in names]
    if not missing:
        return
    problem = (
        f"the entry for {entry.version} changes the tables but has no '{heading}' section"
        if names is None
        else f"the entry's '{heading}' section does not mention "
        + ", ".join(f"`{name}`" for name, _ in missing)
    )
    raise InputError(
        path,
        problem,
        f"write the section for users of {previous_version}: what each change means and what "
        "a query of theirs becomes, naming each table and column in backticks. The changes:\n\n"
        f"{heading}\n\n" + "".join(f"- {what}\n" for _, what in changes),
        entry.line,
    )


#: Links to the datasheet, which a release ships as its README.md.
DATASHEET_LINK = re.compile(r"\[DATACARD\.md\]\(DATACARD\.md")


def shipped(text: str, version: str) -> str:
    """The changelog as a release ships it: the introduction and the entries of this
    version and earlier ones (an entry written for a later version changes no released
    file), links to DATACARD.md pointing at the release's README.md, which holds it."""
    lines = text.splitlines(keepends=True)
    sections = [
        (node.children[0].content, node.map[0])
        for node in parse(text).children
        if node.type == "heading" and node.tag == "h2" and node.map is not None
    ]
    ends = [start for _, start in sections[1:]] + [len(lines)]
    kept = lines[: sections[0][1]] if sections else lines
    for (title, start), end in zip(sections, ends, strict=True):
        match = HEADING.match(title)
        if match and parse_version(match["version"]) <= parse_version(version):
            kept += lines[start:end]
    return DATASHEET_LINK.sub("[the datasheet](README.md", "".join(kept))
