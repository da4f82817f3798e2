"""What every kind of check hands back: the failing rows of one table in one batch.

Great Expectations outcomes, SQL results and Python findings all become ``Failures``: the
row key of every failing row (for exact counts and allowlists), their positions in the
batch (so higher levels can leave them out), and the first few in detail for the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataset.schema import Table

#: Longest found/expected text kept in a report row.
DETAIL_CHARS = 200


@dataclass
class Violation:
    """One failing row as the reports show it."""

    table: str
    row: str
    found: str
    expected: str
    article_id: str | None = None
    start: int | None = None
    end: int | None = None
    allowed_because: str | None = None

    @property
    def detail(self) -> str:
        return f"found {self.found}; expected {self.expected}"

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "row": self.row,
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "found": self.found,
            "expected": self.expected,
            "allowed_because": self.allowed_because,
        }


def shorten(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "\u2026"


@dataclass
class Failures:
    """The failing rows of one table for one check in one batch."""

    table: str
    #: The row key of every failing row.
    keys: pa.Array
    #: Their positions in the batch's table (None when the failure is not about rows).
    positions: np.ndarray | None
    #: The first ``n`` failing rows in detail.
    details: Callable[[int], list[Violation]]

    @property
    def count(self) -> int:
        return len(self.keys)


def row_keys(table: Table, data: pa.Table) -> pa.Array:
    """The report's key of every row: its primary key as text (parts joined by ':')."""
    columns = [
        pc.cast(data.column(name), pa.string()).combine_chunks() for name in table.primary_key
    ]
    if len(columns) == 1:
        return pc.fill_null(columns[0], "null")
    filled = [pc.fill_null(column, "null") for column in columns]
    joined: pa.Array = pc.binary_join_element_wise(*filled, ":")
    return joined


def _located(table: str, data: pa.Table, position: int) -> dict[str, Any]:
    names = data.column_names
    return {
        "article_id": data.column("article_id")[position].as_py()
        if "article_id" in names
        else None,
        "start": data.column("start")[position].as_py() if "start" in names else None,
        "end": data.column("end")[position].as_py() if "end" in names else None,
    }


def at_positions(
    table: str,
    data: pa.Table,
    keys: pa.Array,
    positions: np.ndarray,
    *,
    found: Callable[[int], str],
    expected: Callable[[int], str],
) -> Failures:
    """Failures at row positions of a batch's table, described lazily."""

    def details(limit: int) -> list[Violation]:
        return [
            Violation(
                table=table,
                row=str(keys[int(position)].as_py()),
                found=shorten(found(int(position))),
                expected=shorten(expected(int(position))),
                **_located(table, data, int(position)),
            )
            for position in positions[:limit]
        ]

    taken = keys.take(pa.array(positions, type=pa.int64()))
    return Failures(table, taken, positions, details)


def from_rows(table: str, rows: pa.Table, batch_keys: pa.Array | None) -> Failures:
    """Failures from a result with the columns row_key, article_id, start, end, found and
    expected (as the SQL rules return them); positions are found by key in the batch."""
    keys = pc.fill_null(pc.cast(rows.column("row_key"), pa.string()), "null").combine_chunks()
    positions = None
    if batch_keys is not None and not len(keys):
        positions = np.zeros(0, dtype=np.int64)
    elif batch_keys is not None:
        hit = pc.is_in(batch_keys, value_set=keys).to_numpy(zero_copy_only=False)
        positions = np.flatnonzero(hit)
        # In the order of the files, whatever order the engine returned them in: a key's
        # rank among the hit keys (a hash of those few, not of the whole batch's keys).
        hit_keys = batch_keys.take(pa.array(positions, type=pa.int64()))
        order = pc.sort_indices(pc.index_in(keys, value_set=hit_keys))
        rows, keys = rows.take(order), keys.take(order)

    def details(limit: int) -> list[Violation]:
        return [
            Violation(
                table=table,
                row=str(row["row_key"]),
                found=shorten(row["found"]),
                expected=shorten(row["expected"]),
                article_id=row["article_id"],
                start=row["start"],
                end=row["end"],
            )
            for row in rows.slice(0, limit).to_pylist()
        ]

    return Failures(table, keys, positions, details)


def listed(table: str, violations: list[Violation]) -> Failures:
    """Failures that are not rows of a batch (a shard's schema, a release's taxonomy)."""
    keys = pa.array([v.row for v in violations], type=pa.string())
    return Failures(table, keys, None, lambda limit: violations[:limit])
