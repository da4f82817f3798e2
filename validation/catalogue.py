"""The catalogue of validation checks: stable ids, one-line descriptions, severities.

Check ids are an interface: reports, allowlists and tests refer to them, so an id is never
renamed or reused. The catalogue table in DATACARD.md is generated from this list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Check:
    id: str
    severity: Severity
    tables: tuple[str, ...]
    description: str
    engine: Literal["expectation", "rule"]


CHECKS: tuple[Check, ...] = (
    Check(
        "schema-columns",
        "error",
        ("articles", "spans", "lines", "techniques"),
        "Each table exists and has exactly the schema's columns, in the schema's order.",
        "expectation",
    ),
    Check(
        "schema-types",
        "error",
        ("articles", "spans", "lines", "techniques"),
        "Every column of every Parquet shard has the Arrow type generated from the schema, "
        "and the Hugging Face features are stored in the schema metadata.",
        "rule",
    ),
    Check(
        "schema-not-null",
        "error",
        ("articles", "spans", "lines", "techniques"),
        "Columns the schema declares non-nullable hold no nulls.",
        "expectation",
    ),
    Check(
        "schema-values",
        "error",
        ("articles", "spans", "lines"),
        "Values match the schema's patterns, allowed values and minimums.",
        "expectation",
    ),
    Check(
        "keys-unique",
        "error",
        ("articles", "spans", "lines", "techniques"),
        "Primary keys are unique.",
        "expectation",
    ),
    Check(
        "keys-article-exists",
        "error",
        ("spans", "lines"),
        "Every span and line points at an article of the articles table.",
        "rule",
    ),
    Check(
        "keys-taxonomy",
        "error",
        ("spans", "lines", "techniques"),
        "Technique and SemEval class ids lie in their taxonomies, and the techniques table "
        "holds exactly the schema's ids, names and mapping.",
        "expectation",
    ),
    Check(
        "keys-semeval-mapping",
        "error",
        ("spans",),
        "Each span's label, technique and SemEval-2020 class agree with the 18-to-14 "
        "mapping (a merged class has no single technique).",
        "rule",
    ),
    Check(
        "keys-derived-ids",
        "error",
        ("spans", "lines"),
        "span_id and line_id are built from the row as the schema documents.",
        "rule",
    ),
    Check(
        "offsets-in-range",
        "error",
        ("spans", "lines"),
        "0 <= start < end <= the article's num_chars.",
        "rule",
    ),
    Check(
        "text-matches-offsets",
        "error",
        ("spans", "lines"),
        "The stored text equals the article's text[start:end].",
        "rule",
    ),
    Check(
        "spans-boundaries",
        "error",
        ("spans",),
        "No span starts or ends with whitespace (U+00A0 included), a newline, '.', ',', ':' "
        "or ';' (PTC version-2 rule).",
        "rule",
    ),
    Check(
        "spans-no-duplicates",
        "error",
        ("spans",),
        "No two spans share article, layer, technique (or label), start and end.",
        "rule",
    ),
    Check(
        "spans-no-self-overlap",
        "error",
        ("spans",),
        "Within one layer, spans of the same technique neither overlap nor nest "
        "(they should be one span).",
        "rule",
    ),
    Check(
        "lines-labels",
        "error",
        ("lines",),
        "Each line's techniques, SemEval classes and has_propaganda equal what the spans of "
        "its label layer that share a code point with it imply (PTC's SLC rule); all three "
        "are null when the article is not annotated in that layer.",
        "rule",
    ),
    Check(
        "lines-tile",
        "error",
        ("lines",),
        "Each article's lines are numbered 1..n in text order and tile its text exactly: "
        "the first starts at 0, each starts where the previous ends, each ends after a "
        "line break except the last, which ends at num_chars.",
        "rule",
    ),
    Check(
        "articles-hash-length",
        "error",
        ("articles",),
        "Each article's sha256 and num_chars match its text, and its title is line 1.",
        "rule",
    ),
    Check(
        "articles-provenance-hash",
        "error",
        ("articles",),
        "The raw file's sha256 matches the one in its provenance record.",
        "rule",
    ),
    Check(
        "taxonomy-stable",
        "error",
        ("techniques",),
        "Technique ids and names mean what they meant in the previous release.",
        "rule",
    ),
    Check(
        "articles-provenance-present",
        "warning",
        ("articles",),
        "Each article has a provenance record.",
        "rule",
    ),
    Check(
        "spans-rationale-present",
        "warning",
        ("spans",),
        "Each span has its annotator's rationale.",
        "rule",
    ),
    Check(
        "allowlist-current",
        "warning",
        (),
        "Every allowlist entry still matches a violation (stale entries are reported).",
        "rule",
    ),
)
CHECKS_BY_ID = {check.id: check for check in CHECKS}
