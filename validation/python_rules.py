"""Rules that run as Python: the ones that must use the project's own Python code (the
title rule) or compare with another release rather than rows of this one."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dataset.ptc.formats import title_of
from dataset.shards import table_shards
from validation.checks import Level, ReleaseCheck, ReleaseFacts, RowCheck, check
from validation.failures import Failures, Violation, at_positions, listed

#: An article's first line, without its newline: all that its title depends on.
FIRST_LINE = "^(?P<line>[^\\n]*)"


@check(
    "articles-title",
    severity="error",
    level=Level.CONTENT,
    kind=RowCheck,
    tables=("articles",),
    reads=("title", "text"),
    first_line_of=("text",),
    description="Each article's title is its first line without the line break (\\n or "
    "\\r\\n) and without a leading byte order mark: the title rule the builder uses "
    "(dataset.ptc.formats.title_of).",
)
def titles(table: str, data: pa.Table, keys: pa.Array, rows: np.ndarray) -> Failures:
    # title_of reads the first line only: only that much of each text becomes Python.
    lines = pc.extract_regex(data.column("text"), FIRST_LINE).combine_chunks()
    wanted_rows = pa.table({"title": data.column("title"), "line": pc.struct_field(lines, [0])})
    if len(rows) < data.num_rows:
        wanted_rows = wanted_rows.take(pa.array(rows, type=pa.int64()))
    wrong: list[int] = []
    wanted: dict[int, str] = {}
    for position, title, line in zip(
        rows.tolist(),
        wanted_rows.column("title").to_pylist(),
        wanted_rows.column("line").to_pylist(),
        strict=True,
    ):
        expected = title_of(line)
        if title != expected:
            wrong.append(position)
            wanted[position] = expected
    stored = data.column("title")
    return at_positions(
        table,
        data,
        keys,
        np.asarray(wrong, dtype=np.int64),
        found=lambda position: repr(stored[position].as_py()),
        expected=lambda position: repr(wanted[position]),
    )


@check(
    "taxonomy-stable",
    severity="error",
    level=Level.RELEASE,
    kind=ReleaseCheck,
    tables=("techniques",),
    description="Technique ids and names mean what they meant in the previous release.",
)
def taxonomy_stable(facts: ReleaseFacts) -> Failures | None:
    """None (not run) when there is no previous release to compare with."""
    current, previous = facts.techniques, facts.previous
    paths = table_shards(previous, "techniques") if previous is not None else []
    if current is None or previous is None or not paths:
        return None
    before = {
        row["technique"]: row["name"]
        for path in paths
        for row in pq.read_table(path, columns=["technique", "name"]).to_pylist()
    }
    now = dict(
        zip(
            current.column("technique").to_pylist(),
            current.column("name").to_pylist(),
            strict=True,
        )
    )
    return listed(
        "techniques",
        [
            Violation(
                "techniques",
                str(technique),
                f"id {technique} is {now.get(technique)!r}",
                f"{name!r}, as in {previous.name}",
            )
            for technique, name in sorted(before.items())
            if now.get(technique) != name
        ],
    )
