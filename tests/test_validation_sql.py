"""The SQL rules: one text for DuckDB and, through sqlglot, for Spark SQL; offsets in code
points; and each article's own lines derived as the schema defines them."""

from __future__ import annotations

import pyarrow as pa
import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from dataset.ptc.formats import line_ranges
from dataset.schema import schema
from validation.checks import catalogue
from validation.duck import SqlRunner
from validation.sql import DERIVED, DIALECT, Query, article_lines

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
