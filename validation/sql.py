"""The cross-table and text rules, written once as SQL.

Each check below returns, for one table, a query over the tables ``articles``, ``spans`` and
``lines`` (by those names) whose rows are the failing rows of that table, with the columns
``row_key, article_id, start, end, found, expected``. DuckDB runs them on each batch of
articles (``validation.duck``); the Spark engine runs the same text, translated by
sqlglot (``validation.spark.dialect``). So the queries keep to what both engines share:
standard joins, ``EXISTS``, window functions, ``CASE``, ``||`` and ``substring`` (which
counts code points in both), plus list functions with the same name in both
(``array_sort``, ``array_distinct``, ``array_agg ... FILTER``). A relation that one
spelling would make slowly on one engine is spelled once per engine in ``DIALECT``
(``article_lines``: a window over each article's lines suits DuckDB, not Spark), and a
common table expression that Spark makes faster its own way is spelled for it in
``SPARK_EXPRESSIONS`` (``line_matches``: texts compared by their digests).

Some rules share a relation derived from the articles: ``article_lines``, each article's
own lines (``DERIVED``), computed once per batch. Slicing a text by code points walks it
from the start, so cutting a span out of the line it lies in, rather than out of the whole
article, is what keeps the text rules fast.

Every query is article-local: a row's verdict depends only on the rows of its own article,
so running a query per batch of articles or once on the whole table gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from dataset.schema import Table
from validation.checks import Level, SqlCheck, check
from validation.expectations import template_parts

#: Every article's lines as the schema defines them (a line runs to and includes its
#: newline; the empty string after a final newline is no line), with their code-point
#: offsets and text, in each engine's own spelling. DuckDB places the pieces of a split
#: text with a running sum over each article's pieces; Spark would shuffle and sort every
#: text by article for that window, so it sums the pieces' lengths within the article's
#: own row (``aggregate``: where each piece starts, and where the text ends) and explodes
#: the row once, a line ending where the next starts (less the newline the last lacks):
#: counting a piece's code points walks it, so it is done once. ``posexplode_outer``, not
#: ``posexplode``: for the latter Spark's optimizer adds a filter that the list is not
#: empty, which splits every text a second time (the filter drops the null row the outer
#: form makes for an article without a text, as it drops an empty text's one piece).
#: 100k synthetic articles, made alone, three runs each alternating: 3.9-4.3 s -> 3.4-3.8 s.
DIALECT = {
    "duckdb": {
        "article_lines": """
        WITH pieces AS (
            SELECT article_id, unnest(string_split(text, chr(10))) AS piece,
                generate_subscripts(string_split(text, chr(10)), 1) AS n
            FROM articles
        ),
        placed AS (
            SELECT article_id, n, piece,
                CAST(sum(length(piece) + 1) OVER (
                    PARTITION BY article_id ORDER BY n ROWS UNBOUNDED PRECEDING
                ) AS BIGINT) - length(piece) - 1 AS start,
                count(*) OVER (PARTITION BY article_id) AS pieces
            FROM pieces
        )
        SELECT article_id, n AS line, start,
            start + length(piece) + CASE WHEN n < pieces THEN 1 ELSE 0 END AS "end",
            piece || CASE WHEN n < pieces THEN chr(10) ELSE '' END AS text
        FROM placed
        WHERE n < pieces OR piece <> ''
        """,
    },
    "spark": {
        "article_lines": """
        WITH split_texts AS (
            SELECT article_id, split(text, chr(10), -1) AS pieces FROM articles
        ),
        bounded AS (
            SELECT article_id, pieces, size(pieces) AS n_pieces,
                aggregate(pieces, array(CAST(0 AS BIGINT)),
                    (starts, piece) -> concat(
                        starts, array(element_at(starts, -1) + length(piece) + 1)
                    )
                ) AS starts
            FROM split_texts
        )
        SELECT article_id, p.pos + 1 AS line, starts[p.pos] AS start,
            starts[p.pos + 1] - CASE WHEN p.pos + 1 < n_pieces THEN 0 ELSE 1 END AS `end`,
            p.piece || CASE WHEN p.pos + 1 < n_pieces THEN chr(10) ELSE '' END AS text
        FROM bounded LATERAL VIEW posexplode_outer(pieces) p AS pos, piece
        WHERE p.pos + 1 < n_pieces OR p.piece <> ''
        """,
    },
}


def sha256(expression: str) -> str:
    """The hex SHA-256 of a string's UTF-8 bytes (sqlglot spells it ``sha2(x, 256)`` for
    Spark)."""
    return f"sha256({expression})"


def article_lines(engine: str = "duckdb") -> str:
    """Every article's lines, with their code-point offsets and text, as ``engine`` spells
    the query (``DIALECT``)."""
    return DIALECT[engine]["article_lines"]


#: Relations the rules share, each computed once per batch from the tables it reads.
DERIVED: dict[str, tuple[str, tuple[str, ...]]] = {
    "article_lines": (article_lines(), ("articles",)),
}


#: Common table expressions several rules start from, each spelled once here. DuckDB makes
#: them in every query that reads them, from the batch's rows, at little cost; the Spark
#: engine makes one that two queries of a level spell the same way once for the level
#: (``validation.spark.dialect.common_expressions``), which spares it a join of every line
#: with its article's lines per rule.
#:
#: ``article_extents``: per article with any text, its number of lines and its length in
#: code points (the end of its last line), without reading the texts again: counting code
#: points walks a text from its start.
ARTICLE_EXTENTS = """article_extents AS (
            SELECT article_id, count(*) AS lines, max("end") AS chars
            FROM article_lines GROUP BY article_id
        )"""
#: ``line_matches``: each row of the lines table beside its article's line of the same
#: number (nulls where the article has no such line), and whether their texts agree. Spark
#: spells it its own way (``SPARK_EXPRESSIONS``).
LINE_MATCHES = """line_matches AS (
            SELECT l.line_id, l.article_id, l.line, l.start, l."end", t.start AS line_start,
                t."end" AS line_end, l.text = t.text AS same_text
            FROM lines AS l
            LEFT JOIN article_lines AS t ON t.article_id = l.article_id AND t.line = l.line
        )"""
#: Common table expressions Spark makes from its own spelling (Spark SQL), put in place of
#: the shared one wherever a query spells them (``validation.spark.dialect.spark_sql``).
#:
#: ``line_matches``: Spark moves the rows it joins between its tasks, and texts are most of
#: a line's bytes (about 480 MB on each side at 100k synthetic articles), so each side
#: brings the SHA-256 digest of its text (32 bytes) instead, made before the rows move:
#: equal digests are taken as equal texts, as the dataset takes an article's sha256 column
#: for its text. A line whose digest differs is a suspect, judged on its texts like any
#: other. Made alone at 100k articles, three runs each alternating: 7.7-9.6 s with the
#: texts, 5.7-6.7 s with their digests.
SPARK_EXPRESSIONS = {
    "line_matches": """
        SELECT l.line_id, l.article_id, l.line, l.start, l.`end`, t.start AS line_start,
            t.`end` AS line_end, l.text_sha256 = t.text_sha256 AS same_text
        FROM (
            SELECT line_id, article_id, line, start, `end`,
                unhex(sha2(text, 256)) AS text_sha256
            FROM lines
        ) AS l
        LEFT JOIN (
            SELECT article_id, line, start, `end`, unhex(sha2(text, 256)) AS text_sha256
            FROM article_lines
        ) AS t ON t.article_id = l.article_id AND t.line = l.line
        """,
    #:
    #: ``line_wants``: each line with what its spans say its labels are, and its article's
    #: number of label layers. The shared spelling joins lines to spans and groups the pairs
    #: back by line, which on Spark moves the lines six times; here each article's spans
    #: become one list (gathered before the rows move), each line takes the spans it touches
    #: from its article's list, and the layers are counted by a window over the article the
    #: join has already sorted by: lines and spans move once each. 100k synthetic articles,
    #: whole runs, two pairs alternating: lines-labels 8.1 and 8.2 s -> 6.4 and 6.5 s.
    "line_wants": """
        SELECT r.*,
            size(collect_set(coalesce(r.label_layer, '')) OVER (PARTITION BY r.article_id))
                AS named,
            CASE WHEN r.label_layer IS NULL THEN NULL ELSE array_sort(array_distinct(transform(
                filter(r.hits, s -> s.technique IS NOT NULL), s -> s.technique
            ))) END AS want_techniques,
            CASE WHEN r.label_layer IS NULL THEN NULL ELSE array_sort(array_distinct(transform(
                filter(r.hits, s -> s.semeval_class IS NOT NULL), s -> s.semeval_class
            ))) END AS want_classes,
            CASE WHEN r.label_layer IS NULL THEN NULL ELSE size(r.hits) > 0 END AS want_flag
        FROM (
            SELECT l.*, filter(coalesce(a.spans, array()), s -> s.layer = l.label_layer
                AND s.start < l.`end` AND s.`end` > l.start) AS hits
            FROM lines AS l LEFT JOIN (
                SELECT article_id,
                    collect_list(struct(layer, start, `end`, technique, semeval_class)) AS spans
                FROM spans GROUP BY article_id
            ) AS a ON a.article_id = l.article_id
            WHERE l.article_id IS NOT NULL
        ) AS r
        """,
}
#: ``texts``: the texts of the articles a rule's ``suspect`` rows lie in, and no other
#: (a join copies what it builds on; on valid data there are none).
SUSPECT_TEXTS = """texts AS (
            SELECT article_id, text FROM articles
            WHERE article_id IN (SELECT article_id FROM suspect)
        )"""


@dataclass(frozen=True)
class Query:
    """A rule's query for one table, the other tables it reads, and the tables that must
    hold rows at all for it to make sense (an empty lines table means 'built without
    lines', not 'every article lacks its lines')."""

    sql: str
    reads: tuple[str, ...] = ()
    needs_rows: tuple[str, ...] = ()


def quoted(column: str) -> str:
    """A column reference; ``end`` is a reserved word in SQL."""
    return f'"{column}"' if column == "end" else column


def row_key(table: Table, alias: str = "r") -> str:
    """The report's row key (the primary key, parts joined by ':') as SQL."""
    parts = [f"CAST({alias}.{quoted(c)} AS VARCHAR)" for c in table.primary_key]
    return " || ':' || ".join(parts)


def located(table: Table, alias: str = "r") -> str:
    """The select list every rule starts with: the row key and where the row points."""
    names = table.column_names

    def column(name: str, kind: str) -> str:
        return f"{alias}.{quoted(name)}" if name in names else f"CAST(NULL AS {kind})"

    return (
        f"{row_key(table, alias)} AS row_key, {column('article_id', 'VARCHAR')} AS article_id, "
        f'{column("start", "INTEGER")} AS start, {column("end", "INTEGER")} AS "end"'
    )


def article_reference(table: Table) -> str | None:
    """The column pointing at articles.article_id, if the table has one."""
    return next((f.name for f in table.fields if f.references == "articles.article_id"), None)


def has_offsets(table: Table) -> bool:
    return {"start", "end", "text"} <= set(table.column_names) and bool(article_reference(table))


@check(
    "keys-article-exists",
    severity="error",
    level=Level.KEYS,
    kind=SqlCheck,
    description="Every span and line points at an article of the articles table.",
)
def article_exists(table: Table) -> Query | None:
    column = article_reference(table)
    if column is None:
        return None
    return Query(
        f"""
        SELECT {located(table)}, r.{column} AS found, 'an article_id of the articles table'
            AS expected
        FROM {table.name} AS r
        WHERE NOT EXISTS (SELECT 1 FROM articles AS a WHERE a.article_id = r.{column})
        """,
        reads=("articles",),
    )


def template_sql(table: Table, alias: str = "r") -> str | None:
    """The derived key as the schema's template spells it, as SQL."""
    derived = table.derived_key
    if derived is None or derived.template is None:
        return None
    pieces: list[str] = []
    for text, name in template_parts(table):
        if text:
            pieces.append("'" + text.replace("'", "''") + "'")
        pieces.append(f"CAST({alias}.{quoted(name)} AS VARCHAR)")
    tail = derived.template[derived.template.rfind("}") + 1 :]
    if tail:
        pieces.append("'" + tail.replace("'", "''") + "'")
    return " || ".join(pieces)


@check(
    "keys-derived-ids",
    severity="error",
    level=Level.KEYS,
    kind=SqlCheck,
    description="span_id and line_id are formed from the row as the schema's template says.",
)
def derived_ids(table: Table) -> Query | None:
    derived = table.derived_key
    expression = template_sql(table)
    if derived is None or expression is None:
        return None
    return Query(
        f"""
        SELECT {located(table)}, r.{derived.name} AS found, {expression} AS expected
        FROM {table.name} AS r
        WHERE r.{derived.name} <> {expression}
        """
    )


@check(
    "offsets-in-range",
    severity="error",
    level=Level.CONTENT,
    kind=SqlCheck,
    description="end <= the length of the article's text in code points (0 <= start < end "
    "is schema-values).",
)
def offsets_in_range(table: Table) -> Query | None:
    if not has_offsets(table):
        return None
    return Query(
        f"""
        WITH {ARTICLE_EXTENTS}
        SELECT {located(table)}, 'end ' || CAST(r."end" AS VARCHAR) AS found,
            'end <= ' || CAST(coalesce(a.chars, 0) AS VARCHAR) || ', the length of the article'
                AS expected
        FROM {table.name} AS r LEFT JOIN article_extents AS a ON a.article_id = r.article_id
        WHERE r."end" > coalesce(a.chars, 0)
        """,
        reads=("article_lines",),
    )


@check(
    "text-matches-offsets",
    severity="error",
    level=Level.CONTENT,
    kind=SqlCheck,
    description="The stored text equals the article's text[start:end] (offsets in code points).",
)
def text_matches_offsets(table: Table) -> Query | None:
    if not has_offsets(table):
        return None
    return _lines_match_text(table) if table.name == "lines" else _rows_match_text(table)


def _lines_match_text(table: Table) -> Query:
    """A line is suspect unless it lies at its article line's offsets with that line's
    text (``line_matches``, shared with lines-tile); a suspect is sliced from the text."""
    return Query(
        f"""
        WITH {LINE_MATCHES},
        suspect AS (
            SELECT m.* FROM line_matches AS m
            WHERE m.line_start IS NULL OR m.start <> m.line_start
                OR m."end" <> m.line_end OR NOT coalesce(m.same_text, FALSE)
        ),
        {SUSPECT_TEXTS},
        compared AS (
            SELECT s.*, l.text AS found,
                substring(a.text, s.start + 1, s."end" - s.start) AS expected
            FROM suspect AS s JOIN lines AS l ON l.line_id = s.line_id
            JOIN texts AS a ON a.article_id = s.article_id
        )
        SELECT {located(table)}, r.found, r.expected
        FROM compared AS r WHERE r.found <> r.expected
        """,
        reads=("articles", "article_lines"),
    )


def _rows_match_text(table: Table) -> Query:
    """One pass keeps the rows within one line that differ from its slice and the rows not
    within one line; only those meet the text of their articles, and only those articles'
    texts are joined (a join copies what it builds on), and only failing rows get the
    report's columns. The rows bring only the columns read here: Spark moves and sorts
    what a join's side holds (a span's other columns, its rationale among them)."""
    join = 't.article_id = r.article_id AND t.start <= r.start AND r.start < t."end"'
    within = 'line_text IS NOT NULL AND "end" <= line_end'
    sliced = 'substring(line_text, start - line_start + 1, "end" - start)'
    read = ", ".join(
        f"r.{quoted(name)}"
        for name in dict.fromkeys([*table.primary_key, "article_id", "start", "end", "text"])
    )
    return Query(
        f"""
        WITH placed AS (
            SELECT {read}, t.text AS line_text, t.start AS line_start, t."end" AS line_end
            FROM {table.name} AS r LEFT JOIN article_lines AS t ON {join}
        ),
        suspect AS (
            SELECT p.*, CASE WHEN {within} THEN {sliced} END AS line_expected
            FROM placed AS p
            WHERE NOT ({within}) OR text <> {sliced}
        ),
        {SUSPECT_TEXTS},
        compared AS (
            SELECT s.*, coalesce(
                s.line_expected, substring(a.text, s.start + 1, s."end" - s.start)
            ) AS expected
            FROM suspect AS s JOIN texts AS a ON a.article_id = s.article_id
        )
        SELECT {located(table)}, r.text AS found, r.expected
        FROM compared AS r WHERE r.text <> r.expected
        """,
        reads=("articles", "article_lines"),
    )


@check(
    "spans-no-self-overlap",
    severity="error",
    level=Level.CONTENT,
    kind=SqlCheck,
    description="Within one layer, spans of the same technique neither overlap nor nest "
    "(they should be one span).",
)
def no_self_overlap(table: Table) -> Query | None:
    if table.name != "spans":
        return None
    # Each span's place as one number, start then end, so that a window can look at the
    # spans strictly before or after it (a RANGE frame) and pass over identical ones: an
    # allowlisted duplicate is still judged here, and is not its own overlap. One pass over
    # the table, without a distinct copy joined back to it (on Spark, four moves of every
    # span -> one).
    place = 'CAST(r.start AS BIGINT) * 4294967296 + r."end"'
    window = f"PARTITION BY r.article_id, r.layer, r.label ORDER BY {place}"
    return Query(
        f"""
        WITH neighbours AS (
            SELECT r.*,
                max(r."end") OVER (
                    {window} RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) AS reach_before,
                min(r.start) OVER (
                    {window} RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
                ) AS next_start
            FROM spans AS r
        )
        SELECT {located(table)},
            r.label || ' ' || CAST(r.start AS VARCHAR) || '-' || CAST(r."end" AS VARCHAR)
                AS found,
            CASE WHEN r.reach_before > r.start
                THEN 'no overlap with the ' || r.label || ' span of layer ' || r.layer
                    || ' before it, which reaches ' || CAST(r.reach_before AS VARCHAR)
                ELSE 'no overlap with the ' || r.label || ' span of layer ' || r.layer
                    || ' starting at ' || CAST(r.next_start AS VARCHAR)
            END AS expected
        FROM neighbours AS r
        WHERE r.reach_before > r.start OR r.next_start < r."end"
        """
    )


@check(
    "lines-tile",
    severity="error",
    level=Level.CONTENT,
    kind=SqlCheck,
    description="The lines of an article are exactly its lines: line n runs from the end "
    "of line n-1 (0 for line 1) to just after its newline (the last line may have none), "
    "so the lines tile the text; none is missing or extra (unless the table is empty: "
    "built with --no-lines).",
)
def lines_tile(table: Table) -> Query | None:
    if table.name == "articles":
        # The lines present as a list per article, which Spark makes before the rows move
        # between its tasks; a distinct count would move every line (100k synthetic
        # articles: 4.6 -> 2.3 s).
        return Query(
            f"""
            WITH {LINE_MATCHES},
            {ARTICLE_EXTENTS},
            present AS (
                SELECT article_id, array_length(array_distinct(array_agg(line))) AS lines
                FROM line_matches WHERE line_start IS NOT NULL GROUP BY article_id
            )
            SELECT {located(table)},
                CAST(coalesce(p.lines, 0) AS VARCHAR) || ' of its lines' AS found,
                'all ' || CAST(e.lines AS VARCHAR) || ' lines of its text' AS expected
            FROM articles AS r JOIN article_extents AS e ON e.article_id = r.article_id
            LEFT JOIN present AS p ON p.article_id = r.article_id
            WHERE coalesce(p.lines, 0) < e.lines
            """,
            reads=("lines", "article_lines"),
            needs_rows=("lines",),
        )
    if table.name != "lines":
        return None
    return Query(
        f"""
        WITH {LINE_MATCHES},
        {ARTICLE_EXTENTS}
        SELECT {located(table)},
            'line ' || CAST(r.line AS VARCHAR) || ' at ' || CAST(r.start AS VARCHAR) || '-'
                || CAST(r."end" AS VARCHAR) AS found,
            CASE WHEN r.line_start IS NULL
                THEN 'no line ' || CAST(r.line AS VARCHAR) || ': the article has '
                    || CAST(coalesce(c.lines, 0) AS VARCHAR) || ' lines'
                ELSE 'line ' || CAST(r.line AS VARCHAR) || ' at ' || CAST(r.line_start AS VARCHAR)
                    || '-' || CAST(r.line_end AS VARCHAR)
            END AS expected
        FROM line_matches AS r LEFT JOIN article_extents AS c ON c.article_id = r.article_id
        WHERE r.line_start IS NULL OR r.start <> r.line_start OR r."end" <> r.line_end
        """,
        reads=("article_lines",),
    )


@check(
    "lines-labels",
    severity="error",
    level=Level.CONTENT,
    kind=SqlCheck,
    description="A line's techniques, SemEval classes and has_propaganda are what the "
    "spans of its label layer sharing a code point with it give (PTC's SLC rule), and are "
    "null exactly when label_layer is (the article is not annotated in that layer); all "
    "lines of an article name the same label layer.",
)
def lines_labels(table: Table) -> Query | None:
    if table.name != "lines":
        return None
    # A line's spans are those touching its own extent: two rows sharing a line_id (a
    # duplicate keys-unique reports) are each judged by what they touch, not by both.
    return Query(
        f"""
        WITH touching AS (
            SELECT l.article_id, l.label_layer, l.start, l."end",
                array_sort(array_distinct(
                    array_agg(s.technique) FILTER (WHERE s.technique IS NOT NULL)
                )) AS techniques,
                array_sort(array_distinct(
                    array_agg(s.semeval_class) FILTER (WHERE s.semeval_class IS NOT NULL)
                )) AS semeval_classes
            FROM lines AS l JOIN spans AS s ON s.article_id = l.article_id
                AND s.layer = l.label_layer AND s.start < l."end" AND s."end" > l.start
            GROUP BY l.article_id, l.label_layer, l.start, l."end"
        ),
        layers AS (
            SELECT article_id, count(DISTINCT coalesce(label_layer, '')) AS named
            FROM lines GROUP BY article_id
        ),
        line_wants AS (
            SELECT r.*, m.named,
                CASE WHEN r.label_layer IS NULL THEN NULL
                    ELSE coalesce(o.techniques, []) END AS want_techniques,
                CASE WHEN r.label_layer IS NULL THEN NULL
                    ELSE coalesce(o.semeval_classes, []) END AS want_classes,
                CASE WHEN r.label_layer IS NULL THEN NULL
                    ELSE o.article_id IS NOT NULL END AS want_flag
            FROM lines AS r LEFT JOIN touching AS o ON o.article_id = r.article_id
                AND o.label_layer = r.label_layer AND o.start = r.start AND o."end" = r."end"
            JOIN layers AS m ON m.article_id = r.article_id
        )
        SELECT {located(table)},
            'layer ' || coalesce(r.label_layer, 'null') || ', techniques '
                || coalesce(CAST(r.techniques AS VARCHAR), 'null') || ', classes '
                || coalesce(CAST(r.semeval_classes AS VARCHAR), 'null') || ', has_propaganda '
                || coalesce(CAST(r.has_propaganda AS VARCHAR), 'null') AS found,
            CASE WHEN r.named > 1 THEN 'one label layer for all lines of the article'
                ELSE 'techniques ' || coalesce(CAST(r.want_techniques AS VARCHAR), 'null')
                    || ', classes ' || coalesce(CAST(r.want_classes AS VARCHAR), 'null')
                    || ', has_propaganda ' || coalesce(CAST(r.want_flag AS VARCHAR), 'null')
            END AS expected
        FROM line_wants AS r
        WHERE r.named > 1
            OR r.techniques IS DISTINCT FROM r.want_techniques
            OR r.semeval_classes IS DISTINCT FROM r.want_classes
            OR r.has_propaganda IS DISTINCT FROM r.want_flag
        """,
        reads=("spans",),
    )


@check(
    "articles-hash-length",
    severity="error",
    level=Level.CONTENT,
    kind=SqlCheck,
    description="Each article's sha256 and num_chars match its text.",
)
def hash_length(table: Table) -> Query | None:
    if table.name != "articles":
        return None
    return Query(
        f"""
        WITH {ARTICLE_EXTENTS}
        SELECT {located(table)},
            'sha256 ' || r.sha256 || ', num_chars ' || CAST(r.num_chars AS VARCHAR) AS found,
            'sha256 ' || {sha256("r.text")} || ', num_chars '
                || CAST(coalesce(x.chars, 0) AS VARCHAR) AS expected
        FROM articles AS r LEFT JOIN article_extents AS x ON x.article_id = r.article_id
        WHERE {sha256("r.text")} <> r.sha256 OR coalesce(x.chars, 0) <> r.num_chars
        """,
        reads=("article_lines",),
    )
