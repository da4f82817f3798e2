"""The column rules: Great Expectations expectations generated from ``schemas/``.

Each check below turns the schema into expectation specs for one table (a spec names a Great
Expectations 1.x expectation class and its arguments); ``validation.gx`` runs them on each
batch. Building a spec needs no Great Expectations import, so the catalogue is instant.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from dataset.schema import Schema, SpanBoundary, Table
from validation.checks import ColumnCheck, Level, check


@dataclass(frozen=True)
class Expect:
    """One expectation: its Great Expectations class name, arguments, the columns it
    reads, and what a passing row holds (the report's "expected")."""

    type: str
    kwargs: dict[str, Any]
    expected: str
    columns: tuple[str, ...] = ()
    #: Whether the expectation judges rows (a map expectation) rather than the table.
    per_row: bool = True
    #: Columns whose values it needs (not-null needs only the nulls, so a long text is
    #: handed over as its lengths).
    needs_values: bool = True
    #: A column of the frame made of two of the table's, as ``pair(a, b)`` spells them.
    pair: tuple[str, str] | None = None
    #: A column of the frame holding the first or last character of the table's column.
    edge: Literal["first", "last"] | None = None


def full_match(pattern: str) -> str:
    """The schema's pattern for Python's ``re.search`` as Great Expectations applies it: a
    final ``$`` becomes ``\\Z``, since ``$`` would also accept a trailing newline."""
    return (
        pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern
    )


#: Separates the two values of a pair column, and stands for a null in one.
PAIR_SEPARATOR = " \u2192 "
NULL = "null"


def pair(first: Any, second: Any) -> str:
    """Two values as one, as a pair column holds them."""
    return f"{NULL if first is None else first}{PAIR_SEPARATOR}{NULL if second is None else second}"


def pair_name(first: str, second: str) -> str:
    return f"{first}{PAIR_SEPARATOR}{second}"


EDGES: tuple[Literal["first", "last"], ...] = ("first", "last")


def edge_name(edge: str, column: str) -> str:
    return f"{edge} character of {column}"


def pairs_in_set(first: str, second: str, pairs: list[tuple[Any, Any]], expected: str) -> Expect:
    """(first, second) of each row is one of ``pairs``, nulls included. Great Expectations'
    ExpectColumnPairValuesToBeInSet does this on pandas in a Python loop over the rows
    (hours for millions of spans), so the pair is one column, (first → second), and the
    set check is ExpectColumnValuesToBeInSet, which pandas vectorises."""
    return Expect(
        "ExpectColumnValuesToBeInSet",
        {"column": pair_name(first, second), "value_set": sorted({pair(a, b) for a, b in pairs})},
        expected,
        (first, second),
        pair=(first, second),
    )


def _column(kind: str, column: str, expected: str, **kwargs: Any) -> Expect:
    return Expect(kind, {"column": column, **kwargs}, expected, (column,))


@check(
    "schema-not-null",
    severity="error",
    level=Level.SCHEMA,
    kind=ColumnCheck,
    description="Columns the schema declares non-nullable hold no nulls.",
)
def not_null(table: Table, spec: Schema) -> list[Expect]:
    return [
        Expect(
            "ExpectColumnValuesToNotBeNull",
            {"column": f.name},
            f"a {f.name} (the column is not nullable)",
            (f.name,),
            needs_values=False,
        )
        for f in table.fields
        if not f.nullable
    ]


def _greater_than(table: Table) -> list[Expect]:
    return [
        Expect(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": f.name,
                "column_B": f.greater_than,
                "ignore_row_if": "either_value_is_missing",
            },
            f"{f.name} > {f.greater_than}",
            (f.name, f.greater_than),
        )
        for f in table.fields
        if f.greater_than is not None
    ]


@check(
    "schema-values",
    severity="error",
    level=Level.SCHEMA,
    kind=ColumnCheck,
    description="Values match the schema's patterns, allowed values, minimums and "
    "orderings (such as end > start).",
)
def values(table: Table, spec: Schema) -> list[Expect]:
    specs: list[Expect] = []
    for f in table.fields:
        if f.pattern is not None:
            specs.append(
                _column(
                    "ExpectColumnValuesToMatchRegex",
                    f.name,
                    f"a value matching {f.pattern}",
                    regex=full_match(f.pattern),
                )
            )
        if f.allowed is not None:
            specs.append(
                _column(
                    "ExpectColumnValuesToBeInSet",
                    f.name,
                    f"one of {', '.join(f.allowed)}",
                    value_set=list(f.allowed),
                )
            )
        if f.min is not None:
            specs.append(
                _column("ExpectColumnValuesToBeBetween", f.name, f">= {f.min}", min_value=f.min)
            )
    return specs + _greater_than(table)


@check(
    "keys-unique",
    severity="error",
    level=Level.KEYS,
    kind=ColumnCheck,
    description="Primary keys are unique (within a batch of articles; keys that contain "
    "their article id are then unique in the whole table, as rows come in article order).",
)
def unique_keys(table: Table, spec: Schema) -> list[Expect]:
    key = list(table.primary_key)
    if len(key) == 1:
        return [_column("ExpectColumnValuesToBeUnique", key[0], f"a {key[0]} no other row has")]
    return [
        Expect(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": key},
            f"a ({', '.join(key)}) no other row has",
            tuple(key),
        )
    ]


def template_parts(table: Table) -> list[tuple[str, str]]:
    """(literal text before, field name) for each field of the table's derived-key
    template: what identifies a row, and how its key is spelled."""
    derived = table.derived_key
    if derived is None or derived.template is None:
        return []
    return [(text, name) for text, name, _, _ in string.Formatter().parse(derived.template) if name]


@check(
    "spans-no-duplicates",
    severity="error",
    level=Level.KEYS,
    kind=ColumnCheck,
    description="No two spans share what identifies a span (article, layer, start, end and "
    "label: the fields of the span_id template), so a label line listed twice is caught "
    "even where span_id is not what the template gives.",
)
def no_duplicate_spans(table: Table, spec: Schema) -> list[Expect]:
    if table.name != "spans":
        return []
    columns = [name for _, name in template_parts(table)]
    return [
        Expect(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": columns},
            f"a ({', '.join(columns)}) no other span has",
            tuple(columns),
        )
    ]


def _taxonomy_table(table: Table, spec: Schema) -> list[Expect]:
    """The table whose primary key is a class label lists exactly that taxonomy: one row
    per label, with the label's name and SemEval class."""
    if len(table.primary_key) != 1:
        return []
    key = table.field(table.primary_key[0])
    if key.type != "class_label" or key.labels is None:
        return []
    labels = spec.taxonomies[key.labels].labels
    specs = [
        Expect(
            "ExpectTableRowCountToEqual",
            {"value": len(labels)},
            f"{len(labels)} rows, one per label of the {key.labels} taxonomy",
            per_row=False,
        )
    ]
    for column, value_of in (
        ("name", lambda label: label.name),
        (
            "semeval_class",
            lambda label: (
                spec.semeval_classes.id_of(label.semeval_class) if label.semeval_class else None
            ),
        ),
    ):
        if column in table.column_names:
            specs.append(
                pairs_in_set(
                    key.name,
                    column,
                    [(label.id, value_of(label)) for label in labels],
                    f"the {column} the schema gives that {key.name}",
                )
            )
    return specs


@check(
    "keys-taxonomy",
    severity="error",
    level=Level.KEYS,
    kind=ColumnCheck,
    description="Technique and SemEval class ids lie in their taxonomies, and the "
    "techniques table holds exactly the schema's ids, names and mapping.",
)
def taxonomy_ids(table: Table, spec: Schema) -> list[Expect]:
    specs = [
        _column(
            "ExpectColumnValuesToBeBetween",
            f.name,
            f"an id of the {f.labels} taxonomy (0..{len(spec.taxonomies[f.labels].labels) - 1})",
            min_value=0,
            max_value=len(spec.taxonomies[f.labels].labels) - 1,
        )
        for f in table.fields
        if f.type == "class_label" and f.labels is not None
    ]
    return specs + _taxonomy_table(table, spec)


#: The columns of a table of spans: a label as written in the label file and the ids it
#: resolves to.
LABEL_COLUMNS = ("label", "technique", "semeval_class")


@check(
    "keys-semeval-mapping",
    severity="error",
    level=Level.KEYS,
    kind=ColumnCheck,
    description="Each span's label, technique and SemEval-2020 class agree with the "
    "18-to-14 mapping (a merged class has no single technique; Obfuscation has no class).",
)
def semeval_mapping(table: Table, spec: Schema) -> list[Expect]:
    if not set(LABEL_COLUMNS) <= set(table.column_names):
        return []
    resolved = spec.label_ids
    return [
        pairs_in_set(
            "label",
            column,
            [(label, ids[index]) for label, ids in resolved.items()],
            f"the {column} the schema gives that label",
        )
        for index, column in enumerate(LABEL_COLUMNS[1:])
    ]


#: Every character str.isspace() accepts lies in the Basic Multilingual Plane (a test
#: checks all of Unicode), so the boundary characters are looked for there.
BASIC_PLANE = 0x10000


@cache
def breaking_characters(rule: SpanBoundary) -> tuple[str, ...]:
    """Every character a span may not start or end with, by a schema's boundary rule
    (str.isspace(), so U+00A0 and the other Unicode spaces, plus its punctuation); found
    once per rule, as it scans the whole plane."""
    found = {c for c in map(chr, range(BASIC_PLANE)) if rule.breaks(c)}
    return tuple(sorted(found | set(rule.punctuation)))


@check(
    "spans-boundaries",
    severity="error",
    level=Level.CONTENT,
    kind=ColumnCheck,
    description="No span starts or ends with whitespace (U+00A0 included), a newline or "
    "the schema's boundary punctuation (PTC version-2 rule: '.', ',', ':', ';').",
)
def span_boundaries(table: Table, spec: Schema) -> list[Expect]:
    if table.name != "spans":
        return []
    rule = spec.dataset.span_boundary
    return [
        Expect(
            "ExpectColumnValuesToNotBeInSet",
            {"column": edge_name(edge, "text"), "value_set": list(breaking_characters(rule))},
            f"a fragment whose {edge} character is neither whitespace nor one of "
            + " ".join(rule.punctuation),
            ("text",),
            edge=edge,
        )
        for edge in EDGES
    ]


@check(
    "articles-provenance-hash",
    severity="error",
    level=Level.CONTENT,
    kind=ColumnCheck,
    description="The raw file's sha256 matches the one in its provenance record.",
)
def provenance_hash(table: Table, spec: Schema) -> list[Expect]:
    if not {"sha256", "provenance_sha256"} <= set(table.column_names):
        return []
    return [
        Expect(
            "ExpectColumnPairValuesToBeEqual",
            {
                "column_A": "sha256",
                "column_B": "provenance_sha256",
                "ignore_row_if": "either_value_is_missing",
            },
            "the sha256 the provenance record holds",
            ("sha256", "provenance_sha256"),
        )
    ]


@check(
    "articles-provenance-present",
    severity="warning",
    level=Level.CONTENT,
    kind=ColumnCheck,
    description="Each article has a provenance record.",
)
def provenance_present(table: Table, spec: Schema) -> list[Expect]:
    if "provenance_sha256" not in table.column_names:
        return []
    return [
        Expect(
            "ExpectColumnValuesToNotBeNull",
            {"column": "provenance_sha256"},
            "a provenance record (article<ID>.provenance.yaml) built in",
            ("provenance_sha256",),
            needs_values=False,
        )
    ]


@check(
    "spans-rationale-present",
    severity="warning",
    level=Level.CONTENT,
    kind=ColumnCheck,
    description="Each span has its annotator's rationale.",
)
def rationale_present(table: Table, spec: Schema) -> list[Expect]:
    if "rationale" not in table.column_names or table.name != "spans":
        return []
    return [
        Expect(
            "ExpectColumnValuesToNotBeNull",
            {"column": "rationale"},
            "a rationale from the layer's rationale file",
            ("rationale",),
            needs_values=False,
        ),
        _column(
            "ExpectColumnValueLengthsToBeBetween",
            "rationale",
            "a rationale that is not empty",
            min_value=1,
        ),
    ]
