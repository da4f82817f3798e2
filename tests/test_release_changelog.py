"""CHANGELOG.md entries: dates, and span counts per technique checked against the data."""

from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from dataset.errors import InputError
from dataset.project import CHANGELOG_PATH, RELEASES_DIR, dataset_version
from dataset.release.changelog import (
    COUNTS_HEADING,
    NO_CHANGE,
    check_counts,
    check_migration,
    entry_for,
    expected_rows,
    layout_changes,
    parse_rows,
    read_entries,
    release_layout,
    render_rows,
)
from dataset.schema import schema

BEFORE = {"Doubt": 2, "Loaded_Language": 5, "Slogans": 0}
AFTER = {"Doubt": 2, "Loaded_Language": 7, "Slogans": 1}


def changelog(tmp_path: Path, body: str, version: str = "1.1.0") -> Path:
    path = tmp_path / "CHANGELOG.md"
    path.write_text(f"# Changelog\n\n## [{version}] - 2027-01-02\n\nWords.\n\n{body}\n", "utf-8")
    return path


def test_the_current_version_has_a_dated_entry() -> None:
    entry = entry_for(CHANGELOG_PATH, dataset_version())
    assert isinstance(entry.date, datetime.date)
    assert parse_rows(entry) or NO_CHANGE in entry.body


def test_a_later_release_lists_only_the_counts_that_changed() -> None:
    assert expected_rows(AFTER, BEFORE) == [("Loaded_Language", 5, 7), ("Slogans", 0, 1)]
    assert expected_rows({"Doubt": 1}, {"Doubt": 1, "Straw_Men": 2}) == [("Straw_Men", 2, 0)]


def test_a_first_release_lists_every_count() -> None:
    assert expected_rows(BEFORE, None) == [
        ("Doubt", None, 2),
        ("Loaded_Language", None, 5),
        ("Slogans", None, 0),
    ]


def test_the_rendered_block_is_what_the_check_accepts(tmp_path: Path) -> None:
    path = changelog(tmp_path, render_rows(expected_rows(AFTER, BEFORE)))
    check_counts(path, entry_for(path, "1.1.0"), AFTER, BEFORE)
    unchanged = changelog(tmp_path, render_rows([]))
    check_counts(unchanged, entry_for(unchanged, "1.1.0"), BEFORE, BEFORE)


def test_a_wrong_or_missing_table_is_refused_with_the_expected_one(tmp_path: Path) -> None:
    wrong = changelog(tmp_path, render_rows(expected_rows(AFTER, BEFORE)).replace("| 7 |", "| 8 |"))
    with pytest.raises(InputError, match="disagree") as error:
        check_counts(wrong, entry_for(wrong, "1.1.0"), AFTER, BEFORE)
    assert "| `Loaded_Language` | 5 | 7 |" in error.value.fix
    missing = changelog(tmp_path, "No table here.")
    with pytest.raises(InputError, match=f"no '{COUNTS_HEADING}' section"):
        check_counts(missing, entry_for(missing, "1.1.0"), AFTER, BEFORE)


def test_entries_need_a_real_date_and_one_heading_per_version(tmp_path: Path) -> None:
    path = tmp_path / "CHANGELOG.md"
    path.write_text("## [1.0.0] - someday\n", "utf-8")
    with pytest.raises(InputError, match="not a date"):
        read_entries(path)
    path.write_text("## [1.0.0] - 2026-01-01\n\n## [1.0.0] - 2026-01-02\n", "utf-8")
    with pytest.raises(InputError, match="two entries"):
        read_entries(path)


BEFORE_LAYOUT = {
    "sentences": pa.schema([pa.field("sentence_id", pa.string())]),
    "spans": pa.schema([pa.field("span_id", pa.string()), pa.field("start", pa.int64())]),
}
AFTER_LAYOUT = {
    "spans": pa.schema(
        [
            pa.field("span_id", pa.string(), nullable=False),
            pa.field("start", pa.int32()),
            pa.field("rationale", pa.string()),
        ]
    ),
    "lines": pa.schema([pa.field("line_id", pa.string())]),
}


def test_layout_changes_name_every_table_and_column_that_changed() -> None:
    assert layout_changes(BEFORE_LAYOUT, AFTER_LAYOUT) == [
        ("sentences", "table `sentences` removed"),
        ("lines", "table `lines` added"),
        ("rationale", "`spans`: column `rationale` added"),
        ("start", "`spans`: column `start` changed type, int64 to int32"),
    ]
    assert layout_changes(AFTER_LAYOUT, AFTER_LAYOUT) == []


def test_a_changed_layout_needs_a_migration_note_naming_every_change(tmp_path: Path) -> None:
    changes = layout_changes(BEFORE_LAYOUT, AFTER_LAYOUT)
    missing = changelog(tmp_path, "No note.", "2.0.0")
    with pytest.raises(InputError, match=r"has no '### Migrating from 1\.0\.0' section") as error:
        check_migration(missing, entry_for(missing, "2.0.0"), "1.0.0", changes)
    assert "- table `sentences` removed\n" in error.value.fix
    note = (
        "### Migrating from 1.0.0\n\n`sentences` became `lines`; `spans.start` is int32, and "
        "`spans.rationale` is new.\n\n### Spans per technique\n\n`start` `rationale`\n"
    )
    partial = changelog(tmp_path, note.replace("`spans.start` is int32, and ", ""), "2.0.0")
    with pytest.raises(InputError, match=r"does not mention `start`\n"):
        check_migration(partial, entry_for(partial, "2.0.0"), "1.0.0", changes)
    complete = changelog(tmp_path, note, "2.0.0")
    check_migration(complete, entry_for(complete, "2.0.0"), "1.0.0", changes)


def test_the_next_release_must_tell_1_0_0_users_about_the_lines_table() -> None:
    now = {table: schema().arrow_schema(table) for table in schema().tables}
    changes = dict(layout_changes(release_layout(RELEASES_DIR / "v1.0.0"), now))
    assert changes["sentences"] == "table `sentences` removed"
    assert changes["lines"] == "table `lines` added"
