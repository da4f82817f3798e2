"""The SQL rules: one text for DuckDB and, through sqlglot, for Spark SQL; offsets in code
points; and each article's own lines derived as the schema defines them."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot.errors import ErrorLevel

from dataset.ptc.formats import line_ranges
from dataset.schema import schema
from validation.checks import catalogue
from validation.duck import SqlRunner
from validation.sql import (
    DERIVED,
    DIALECT,
    MASK_PLACES,
    Query,
    article_lines,
    lines_labels,
    no_self_overlap,
)

QUERIES: dict[str, str] = {name: sql for name, (sql, _) in DERIVED.items()}
for found in catalogue(schema()):
    if found.kind == "sql":
        for table in found.tables:
            query: Query | None = found.code(schema().tables[table])
            assert query is not None
            QUERIES[f"{found.id}/{table}"] = query.sql


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_translates_to_spark_sql(name: str) -> None:
    sql = QUERIES[name]
    if name in DERIVED:
        sql = article_lines("spark")
        sqlglot.parse_one(sql, read="spark", error_level=ErrorLevel.RAISE)
        return
    (spark,) = sqlglot.transpile(
        sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE
    )
    assert spark


def test_dialects_differ_in_the_same_places() -> None:
    assert DIALECT["duckdb"].keys() == DIALECT["spark"].keys()


TEXTS = [
    "Title\n\nBody with “quotes” and é.\nLast line without newline",
    "\ufeffTitle\r\n\r\nBody\r\n",
    "Only a title\n",
    "Emoji 😀 counts as one code point\n\n\n",
]


def test_article_lines_are_the_lines_the_schema_defines() -> None:
    articles = pa.table({"article_id": [str(i) for i in range(len(TEXTS))], "text": TEXTS})
    with SqlRunner() as runner:
        rows = runner.run(DERIVED["article_lines"][0], {"articles": articles}).to_pylist()
    found = sorted((int(r["article_id"]), r["line"], r["start"], r["end"], r["text"]) for r in rows)
    wanted = [
        (article, number, start, end, text[start:end])
        for article, text in enumerate(TEXTS)
        for number, (start, end) in enumerate(line_ranges(text), start=1)
    ]
    assert found == wanted


def test_substring_counts_code_points() -> None:
    articles = pa.table({"text": ["Emoji 😀 and “quotes”"]})
    with SqlRunner() as runner:
        (row,) = runner.run(
            "SELECT substring(text, 15, 8) AS cut FROM articles", {"articles": articles}
        ).to_pylist()
    assert row["cut"] == "Emoji 😀 and “quotes”"[14:22]


#: Spans of one article: two layers, two techniques, short offsets, so that overlaps,
#: nesting and identical spans (an allowlisted duplicate) all come up.
SPAN_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["1", "2"]),
        st.sampled_from(["Doubt", "Repetition"]),
        st.integers(0, 12),
        st.integers(1, 6),
    ),
    max_size=12,
)


def spans_table(spans: list[tuple[str, str, int, int]]) -> pa.Table:
    """Spans of article "a" as (layer, label, start, end), their span_id their place."""
    return pa.table(
        {
            "span_id": [str(n) for n in range(len(spans))],
            "article_id": ["a"] * len(spans),
            "layer": [s[0] for s in spans],
            "label": [s[1] for s in spans],
            "start": pa.array([s[2] for s in spans], pa.int32()),
            "end": pa.array([s[3] for s in spans], pa.int32()),
        }
    )


@settings(max_examples=150, deadline=None)
@given(SPAN_ROWS)
def test_self_overlap_flags_the_spans_another_span_of_their_kind_overlaps(
    rows: list[tuple[str, str, int, int]],
) -> None:
    """A span fails when a span of its layer and technique at other offsets shares a code
    point with it; an identical span does not count."""
    spans = [(layer, label, start, start + width) for layer, label, start, width in rows]
    table = spans_table(spans)
    query = no_self_overlap(schema().tables["spans"])
    assert query is not None
    with SqlRunner() as runner:
        found = {row["row_key"] for row in runner.run(query.sql, {"spans": table}).to_pylist()}
    wanted = {
        str(n)
        for n, (layer, label, start, end) in enumerate(spans)
        if any(
            (layer, label) == (o_layer, o_label)
            and (start, end) != (o_start, o_end)
            and o_start < end
            and start < o_end
            for o_layer, o_label, o_start, o_end in spans
        )
    }
    assert found == wanted


#: A line as (article_id, line_id, label_layer, start, end, techniques, semeval_classes,
#: has_propaganda); a span as (article_id, layer, technique, semeval_class, start, end).
Line = tuple[
    str, str, str | None, int, int, list[int | None] | None, list[int | None] | None, bool | None
]
SpanLabel = tuple[str, str, int | None, int | None, int, int]
#: A line's techniques, semeval_classes and has_propaganda.
Labels = tuple[list[int | None] | None, list[int | None] | None, bool | None]

LABEL_SPANS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.sampled_from(["1", "2"]),
        st.one_of(st.none(), st.integers(0, 3)),
        st.one_of(st.none(), st.integers(0, 2)),
        st.integers(0, 12),
        st.integers(1, 5),
    ).map(lambda s: (*s[:5], s[4] + s[5])),
    max_size=10,
)
LABEL_LISTS = st.one_of(st.none(), st.lists(st.one_of(st.none(), st.integers(0, 3)), max_size=4))
#: Ways to get a line's labels almost right, by name.
NEAR_MISSES: dict[str, Callable[[Labels], Labels]] = {
    "reversed": lambda t: (t[0][::-1] if t[0] else t[0], t[1], t[2]),
    "repeated": lambda t: (t[0] + t[0][:1] if t[0] is not None else t[0], t[1], t[2]),
    "null added": lambda t: (t[0] + [None] if t[0] is not None else t[0], t[1], t[2]),
    "one dropped": lambda t: (t[0][1:] if t[0] is not None else t[0], t[1], t[2]),
    "one added": lambda t: ([*t[0], 3] if t[0] is not None and 3 not in t[0] else [3], t[1], t[2]),
    "class reversed": lambda t: (t[0], t[1][::-1] if t[1] else t[1], t[2]),
    "class dropped": lambda t: (t[0], t[1][1:] if t[1] is not None else t[1], t[2]),
    "flag flipped": lambda t: (t[0], t[1], not t[2]),
    "flag null": lambda t: (t[0], t[1], None),
}
#: Lines whose labels are those their spans give (``None``), almost (a near miss's name)
#: or anything at all.
LABEL_LINES = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.sampled_from(["1", "2", "3"]),
        st.sampled_from([None, "1", "2"]),
        st.integers(0, 14),
        st.integers(0, 5),
        st.one_of(
            st.none(),
            st.sampled_from(sorted(NEAR_MISSES)),
            st.tuples(LABEL_LISTS, LABEL_LISTS, st.one_of(st.none(), st.booleans())),
        ),
    ),
    max_size=8,
)


def labels_given(
    article: str, layer: str | None, start: int, end: int, spans: list[SpanLabel]
) -> Labels:
    """What a line's techniques, classes and flag must be: PTC's SLC rule, by brute force."""
    if layer is None:
        return None, None, None
    touching = [
        s for s in spans if (s[0], s[1]) == (article, layer) and s[4] < end and s[5] > start
    ]
    techniques: list[int | None] = [*sorted({s[2] for s in touching if s[2] is not None})]
    classes: list[int | None] = [*sorted({s[3] for s in touching if s[3] is not None})]
    return techniques, classes, bool(touching)


def label_tables(lines: list[Line], spans: list[SpanLabel]) -> dict[str, pa.Table]:
    """The lines and spans tables (the columns lines-labels reads)."""
    return {
        "lines": pa.table(
            {
                "line_id": [line[1] for line in lines],
                "article_id": [line[0] for line in lines],
                "label_layer": [line[2] for line in lines],
                "start": pa.array([line[3] for line in lines], pa.int32()),
                "end": pa.array([line[4] for line in lines], pa.int32()),
                "techniques": pa.array([line[5] for line in lines], pa.list_(pa.int64())),
                "semeval_classes": pa.array([line[6] for line in lines], pa.list_(pa.int64())),
                "has_propaganda": pa.array([line[7] for line in lines], pa.bool_()),
            }
        ),
        "spans": pa.table(
            {
                "article_id": [s[0] for s in spans],
                "layer": [s[1] for s in spans],
                "technique": pa.array([s[2] for s in spans], pa.int64()),
                "semeval_class": pa.array([s[3] for s in spans], pa.int64()),
                "start": pa.array([s[4] for s in spans], pa.int32()),
                "end": pa.array([s[5] for s in spans], pa.int32()),
            }
        ),
    }


def shown(value: object) -> str:
    """A value as the report's text shows it (DuckDB's casts to VARCHAR)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return str(value)


def labels_failing(lines: list[Line], spans: list[SpanLabel]) -> list[tuple[str, str]]:
    """Each line lines-labels must report, with the report's expected text, by brute force."""
    layers: dict[str, set[str]] = {}
    for line in lines:
        layers.setdefault(line[0], set()).add(line[2] or "")
    failing = []
    for article, line_id, layer, start, end, techniques, classes, flag in lines:
        want = labels_given(article, layer, start, end, spans)
        if len(layers[article]) > 1:
            failing.append((line_id, "one label layer for all lines of the article"))
        elif (techniques, classes, flag) != want:
            expected = (
                f"techniques {shown(want[0])}, classes {shown(want[1])}, "
                f"has_propaganda {shown(want[2])}"
            )
            failing.append((line_id, expected))
    return sorted(failing)


def labels_found(tables: dict[str, pa.Table]) -> list[tuple[str, str]]:
    query = lines_labels(schema().tables["lines"])
    assert query is not None
    with SqlRunner() as runner:
        rows = runner.run(query.sql, tables).to_pylist()
    return sorted((row["row_key"], row["expected"]) for row in rows)


@settings(max_examples=200, deadline=None)
@given(LABEL_LINES, LABEL_SPANS)
def test_lines_labels_are_what_the_spans_of_their_layer_give(
    drawn: list[tuple[str, str, str | None, int, int, Labels | str | None]],
    spans: list[SpanLabel],
) -> None:
    """Against brute force: lists unsorted, repeated or holding nulls, a flag wrong or
    null, labels on a line without a layer, two layers in one article, and two rows with
    one line_id (an allowlisted duplicate), each judged by its own spans."""
    lines: list[Line] = []
    for article, line_id, layer, start, width, labels in drawn:
        end = start + width
        right = labels_given(article, layer, start, end, spans)
        if labels is None:
            given_ = right
        elif isinstance(labels, str):
            given_ = NEAR_MISSES[labels](right)
        else:
            given_ = labels
        lines.append((article, line_id, layer, start, end, *given_))
    assert labels_found(label_tables(lines, spans)) == labels_failing(lines, spans)


@pytest.mark.parametrize("near_miss", sorted(NEAR_MISSES))
def test_lines_labels_catch_a_near_miss(near_miss: str) -> None:
    """A line touched by two techniques of two classes, its labels almost right; the
    line beside it, right, passes."""
    spans: list[SpanLabel] = [
        ("a", "1", 2, 1, 0, 3),
        ("a", "1", 0, 0, 2, 6),
        ("a", "2", 3, 2, 0, 9),
    ]
    right = labels_given("a", "1", 0, 5, spans)
    lines: list[Line] = [
        ("a", "a:1", "1", 0, 5, *NEAR_MISSES[near_miss](right)),
        ("a", "a:2", "1", 5, 9, *labels_given("a", "1", 5, 9, spans)),
    ]
    assert labels_found(label_tables(lines, spans)) == labels_failing(lines, spans)
    assert [row for row, _ in labels_failing(lines, spans)] == ["a:1"]


@pytest.mark.parametrize("extra", [[], [MASK_PLACES + 5]])
def test_lines_labels_of_a_line_with_more_values_than_one_mask_holds(extra: list[int]) -> None:
    """A list longer than the 64-bit proof takes is judged by the full comparison."""
    spans: list[SpanLabel] = [("a", "1", t, None, 0, 3) for t in range(MASK_PLACES + 3)]
    techniques: list[int | None] = [*sorted(set(range(MASK_PLACES + 3)) | set(extra))]
    lines: list[Line] = [("a", "a:1", "1", 0, 4, techniques, [], True)]
    expected = labels_failing(lines, spans)
    assert len(expected) == len(extra)
    assert labels_found(label_tables(lines, spans)) == expected
