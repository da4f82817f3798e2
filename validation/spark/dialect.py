"""Every difference between the default engine's dialects and Spark's, in one place.

The checks are written once: the SQL rules in DuckDB's dialect (``validation.sql``), the
schema's regular expressions for Python's ``re`` (what Great Expectations applies on
pandas). On Spark, the SQL goes through sqlglot, which rewrites DuckDB functions into
Spark's (``sha256(x)`` -> ``SHA2(x, 256)``, ``array_agg`` -> ``COLLECT_LIST``, ``string_agg``
-> ``LISTAGG``, ``"end"`` -> ```end```, explicit ``NULLS LAST`` where the defaults differ),
and refuses a function it does not know rather than pass it through untranslated; a common
table expression that Spark spells its own way (``validation.sql.SPARK_EXPRESSIONS``) is
put in its place. Great Expectations hands regular expressions to Spark's ``RLIKE``, which
is Java's ``java.util.regex``, so :func:`java_regex` rewrites the few Python constructs
whose meaning differs there.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, UnsupportedError


def spark_sql(query: str, read: str = "duckdb") -> str:
    """A query in DuckDB's dialect as Spark SQL. Raises sqlglot's ParseError on a query it
    cannot read and UnsupportedError on a construct it cannot translate, including any
    function it does not know (which it would otherwise copy through unchanged)."""
    tree = sqlglot.parse_one(query, read=read, error_level=ErrorLevel.RAISE)
    unknown = sorted({node.name for node in tree.find_all(exp.Anonymous)})
    if unknown:
        raise UnsupportedError(f"no Spark translation known for {', '.join(unknown)}")
    _respell(tree)
    return tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)


def _respell(tree: exp.Expr) -> None:
    """Put Spark's own spelling (``validation.sql.SPARK_EXPRESSIONS``) in place of each
    common table expression of ``tree`` that has one."""
    from validation.sql import SPARK_EXPRESSIONS

    with_ = tree.args.get("with_")
    for cte in with_.expressions if with_ is not None else []:
        spelling = SPARK_EXPRESSIONS.get(cte.alias_or_name)
        if spelling is not None:
            cte.set("this", sqlglot.parse_one(spelling, read="spark", error_level=ErrorLevel.RAISE))


def derived_sql(name: str) -> str:
    """A relation of ``validation.sql.DERIVED`` as Spark SQL: ``article_lines`` from its
    Spark spelling (``validation.sql.DIALECT``), checked by sqlglot as Spark SQL."""
    from validation.sql import DERIVED, article_lines

    if name == "article_lines":
        return spark_sql(article_lines("spark"), read="spark")
    return spark_sql(DERIVED[name][0])


@dataclass(frozen=True)
class Shared:
    """A common table expression run on its own: the view it becomes, the query making its
    rows (which may read the views made before it) and ``key``, the query making it from the
    tables alone, which is the same text in every query that spells it the same way."""

    view: str
    making: str
    key: str


@dataclass(frozen=True)
class Staged:
    """A Spark SQL query whose common table expressions read more than once (or named to be
    shared with other queries) are run first: ``shared`` holds them in order; ``main`` is
    the rest, reading their views."""

    shared: tuple[Shared, ...]
    main: str


#: Prefix of the views a staged query's shared expressions become (no table starts so).
SHARED_VIEW = "_shared_"


def expressions(query: str) -> dict[str, str]:
    """Each common table expression of ``query`` (Spark SQL) by name, as the query making
    its rows alone (it and the expressions it reads): two queries that spell one the same
    way, over the same tables, make the same rows."""
    tree = sqlglot.parse_one(query, read="spark", error_level=ErrorLevel.RAISE)
    with_ = tree.args.get("with_")
    if with_ is None:
        return {}
    ctes = with_.expressions
    return {cte.alias_or_name: _making(ctes, place) for place, cte in enumerate(ctes)}


def common_expressions(queries: Collection[str]) -> set[str]:
    """The expressions (as ``expressions`` spells them) that two or more of ``queries``
    share: worth making once for all of them."""
    seen = Counter(key for query in queries for key in set(expressions(query).values()))
    return {key for key, count in seen.items() if count > 1}


def staged(query: str, common: Collection[str] = ()) -> Staged:
    """``query`` (Spark SQL) with each common table expression it reads more than once, or
    that other queries share (its key in ``common``), split off. DuckDB computes an
    expression read twice once; Spark inlines it wherever it is read and computes it again
    each time, so the engine runs it first, once, and keeps its rows."""
    tree = sqlglot.parse_one(query, read="spark", error_level=ErrorLevel.RAISE)
    keys = expressions(query)
    twice = set(_read_twice(tree))
    shared: list[Shared] = []
    for name in [name for name in keys if name in twice or keys[name] in common]:
        ctes = tree.args["with_"].expressions
        place = [cte.alias_or_name for cte in ctes].index(name)
        view = SHARED_VIEW + name
        shared.append(Shared(view, _making(ctes, place), keys[name]))
        ctes[place].pop()
        for table in _reading(tree, {name}):
            if not table.alias:
                # Columns may be qualified by the expression's name.
                table.set("alias", exp.TableAlias(this=exp.to_identifier(name)))
            table.set("this", exp.to_identifier(view))
    return Staged(tuple(shared), _pruned(tree).sql(dialect="spark"))


def _making(ctes: list[exp.CTE], place: int) -> str:
    """The query making the rows of ``ctes[place]``, the expressions before it that it
    reads included."""
    making = exp.select("*").from_(ctes[place].alias_or_name)
    making.set("with_", exp.With(expressions=[cte.copy() for cte in ctes[: place + 1]]))
    return _pruned(making).sql(dialect="spark")


def _reading(tree: exp.Expr, names: Collection[str]) -> list[exp.Table]:
    """The places in ``tree`` that read one of the common table expressions ``names``."""
    return [table for table in tree.find_all(exp.Table) if table.name in names and not table.db]


def _reads(tree: exp.Expr) -> dict[str, int]:
    """How often each common table expression of ``tree``'s top level is read."""
    with_ = tree.args.get("with_")
    if with_ is None:
        return {}
    reads = dict.fromkeys((cte.alias_or_name for cte in with_.expressions), 0)
    for table in _reading(tree, reads):
        reads[table.name] += 1
    return reads


def _read_twice(tree: exp.Expr) -> list[str]:
    return [name for name, count in _reads(tree).items() if count > 1]


def _pruned(tree: exp.Expr) -> exp.Expr:
    """``tree`` without the common table expressions nothing reads (one left unread
    may leave others unread)."""
    while unread := [name for name, count in _reads(tree).items() if not count]:
        for cte in list(tree.args["with_"].expressions):
            if cte.alias_or_name in unread:
                cte.pop()
    if tree.args.get("with_") is not None and not tree.args["with_"].expressions:
        tree.set("with_", None)
    return tree


#: What ``\s`` means in a Python ``str`` pattern: every character str.isspace() accepts
#: (Java's ``\s`` knows six of them), as Java escapes.
PYTHON_SPACE = "".join(
    f"\\x{{{code:X}}}" for code in range(sys.maxunicode + 1) if chr(code).isspace()
)

#: Python escapes and their Java spellings, outside and inside a character class.
#: ``\Z`` is the absolute end in Python and Java's ``\z``; ``\d`` is any Unicode decimal
#: digit in Python, ``\p{Nd}`` in Java.
_ESCAPES = {"Z": r"\z", "d": r"\p{Nd}", "D": r"\P{Nd}", "s": f"[{PYTHON_SPACE}]"}
_CLASS_ESCAPES = {"d": r"\p{Nd}", "D": r"\P{Nd}", "s": PYTHON_SPACE}
#: Escapes whose Python and Java meanings differ in ways not worth translating.
_UNSUPPORTED = set("wWbBS")


def java_regex(pattern: str) -> str:
    """The Java regular expression that accepts exactly the strings Python's ``re.search``
    accepts with ``pattern``.

    ``(?d)`` (UNIX_LINES) makes ``.``, ``^`` and ``$`` treat only ``\\n`` as a line break,
    as Python does. Inside a character class, Java reads ``[`` as a nested class and
    ``&&`` as an intersection, so both are escaped there. Anything else whose meaning
    differs (``\\w``, ``\\b``, ``\\S``, named groups) raises ValueError.
    """
    out: list[str] = ["(?d)"]
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 == len(pattern):
                raise ValueError(f"pattern {pattern!r} ends with a lone backslash")
            code = pattern[i + 1]
            if code in _UNSUPPORTED or (in_class and code == "Z"):
                raise ValueError(f"\\{code} in {pattern!r} has no exact Java equivalent")
            table = _CLASS_ESCAPES if in_class else _ESCAPES
            out.append(table.get(code, "\\" + code))
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
                out.append(char)
            else:
                out.append("\\" + char if char in "[&" else char)
            i += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            i += 1
            if i < len(pattern) and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < len(pattern) and pattern[i] == "]":
                out.append(r"\]")
                i += 1
            continue
        if pattern.startswith("(?P", i):
            raise ValueError(f"named groups in {pattern!r} are spelled differently in Java")
        out.append(char)
        i += 1
    return "".join(out)
