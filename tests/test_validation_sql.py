"""The SQL rules: one text for DuckDB and, through sqlglot, for Spark SQL; offsets in code
points; and each article's own lines derived as the schema defines them."""

from __future__ import annotations

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
from validation.sql import DERIVED, DIALECT, Query, article_lines, no_self_overlap

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
