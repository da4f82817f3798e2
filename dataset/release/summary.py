"""What a release holds, said from its data: the three-line summary that opens the Hub card
(and is Croissant's description), and an example row of each table.

Both are computed from the tables the release ships, so they cannot disagree with it; the
tests hold them to the Parquet files.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dataset.markdown import markdown_table
from dataset.release.bundle import Bundle
from dataset.release.info import description
from dataset.schema import Field, Schema

#: Names of the languages the data may hold, by BCP-47 primary subtag; others are shown as
#: their tag.
LANGUAGES = {"en": "English"}
#: Longest string an example row shows whole; longer ones are cut and their length given.
SHOWN_CHARS = 100


def code(text: str) -> str:
    """A Markdown code span holding ``text``, whatever backticks it contains."""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(text: str) -> str:
    return text


def counted(n: int, noun: str) -> str:
    """``1 article``, ``2 articles``, ``1,000 rows``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def label_layer(tables: Mapping[str, pa.Table]) -> str | None:
    """The layer that labels the lines table: the one to train and evaluate on when the
    spans hold several."""
    found = {v for v in tables["lines"].column("label_layer").to_pylist() if v is not None}
    return next(iter(found)) if len(found) == 1 else None


def _layers(bundle: Bundle, mark: Callable[[str], str]) -> str:
    per_layer = Counter(bundle.tables["spans"].column("layer").to_pylist())
    default = label_layer(bundle.tables)
    note = " (the default, which labels the lines)"
    parts = [
        f"{mark(layer)} {n}" + (note if layer == default else "")
        for layer, n in sorted(per_layer.items())
    ]
    return counted(len(per_layer), "annotation layer") + ": " + ", ".join(parts)


def summary_lines(bundle: Bundle, mark: Callable[[str], str] = code) -> list[str]:
    """Three sentences: what the dataset is, what this version holds, and its tables;
    ``mark`` formats names (a code span in Markdown, nothing in plain text)."""
    tables, counts = bundle.tables, bundle.counts.tables
    languages = " and ".join(LANGUAGES.get(tag, tag) for tag in bundle.languages)
    chars = sum(tables["articles"].column("num_chars").to_pylist())
    techniques = len(set(tables["spans"].column("label").to_pylist()))
    return [
        description(),
        f"Version {bundle.info.version} holds "
        f"{counted(counts['articles'], languages + ' news article')} "
        f"({counted(chars, 'character')}, {counted(counts['lines'], 'line')}) with "
        f"{counted(counts['spans'], 'span')} of {counted(techniques, 'technique')} in "
        f"{_layers(bundle, mark)}.",
        f"{len(bundle.schema.table_names)} tables, each loaded on its own: "
        + ", ".join(
            f"{mark(table)} ({counted(counts[table], 'row')})"
            for table in bundle.schema.table_names
        )
        + ".",
    ]


def example_row(bundle: Bundle, table: str) -> dict[str, Any] | None:
    """A row to show: the first, of the default layer for spans and with propaganda for
    lines when there is one; None for an empty table."""
    rows = bundle.tables[table]
    layer = label_layer(bundle.tables)
    if table == "spans" and layer is not None:
        rows = rows.filter(pc.equal(rows.column("layer"), layer))
    if table == "lines":
        flagged = rows.filter(pc.equal(rows.column("has_propaganda"), True))
        rows = flagged if flagged.num_rows else rows
    found: list[dict[str, Any]] = rows.slice(0, 1).to_pylist()
    return found[0] if found else None


def shown(value: object, field: Field, spec: Schema) -> str:
    """A value as a Markdown table cell: strings quoted (cut when long), class labels with
    their names, nulls as null."""
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(shown(item, field, spec) for item in value) + "]"
    if isinstance(value, bool):
        return code("true" if value else "false")
    if isinstance(value, int) and field.taxonomy is not None:
        return f"{code(str(value))} ({spec.taxonomies[field.taxonomy].names[value]})"
    if isinstance(value, str):
        cut = value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS]
        text = code(json.dumps(cut, ensure_ascii=False))
        return text if cut == value else f"{text}… ({len(value):,} characters in all)"
    return code(str(value))


def example_rows(bundle: Bundle) -> str:
    """One row of each table, field by field, as Markdown."""
    parts: list[str] = []
    spec = bundle.schema
    for table in spec.table_names:
        row = example_row(bundle, table)
        if row is None:
            parts.append(f"`{table}` is empty in this version.\n")
            continue
        fields = spec.tables[table].fields
        parts.append(f"`{table}`:\n")
        parts.append(
            markdown_table(
                ["field", "value"], ((f"`{f.name}`", shown(row[f.name], f, spec)) for f in fields)
            )
        )
    return "\n".join(parts)
