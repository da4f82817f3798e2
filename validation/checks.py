"""The check registry: every check is declared once, by a decorator on the code that
implements it.

A check's id, severity, level, description and kind sit in that decorator; its kind is a
class (``SqlCheck``, ``RowCheck``, ...) that says where in a run it is carried out, so the
run (``validation.core``) dispatches on types, in one place. The catalogue
(``--list-checks``), the DATACARD table and the runner's dispatch are all read from the
registry, so nothing restates them. Check ids are an interface (reports, allowlists and
tests name them): an id is never renamed or reused.

Levels work as in the Universal Dependencies validator: a row that fails a check of a lower
level is not judged again by the checks of higher levels, and the report counts such rows
instead of failing them a second time under another id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

if TYPE_CHECKING:
    import pyarrow as pa

    from dataset.schema import Schema
    from validation.allowlist import AllowlistEntry

Severity = Literal["error", "warning"]
#: How a check is carried out: Great Expectations expectations generated from the schema,
#: one SQL query per table run by DuckDB, or Python.
Kind = Literal["expectations", "sql", "python"]
#: When a Python check runs: on each shard's footer before any row is read, once on the
#: folder's list of shards (``folder``, also before any row), while the rows are read, on
#: each batch's rows, or once on the whole release at the end.
Scope = Literal["files", "folder", "stream", "rows", "release"]


class Level(IntEnum):
    """The order in which rows are judged; a row failing one level is not judged above it."""

    SCHEMA = 1
    KEYS = 2
    CONTENT = 3
    RELEASE = 4

    @property
    def label(self) -> str:
        return f"{self.value} ({self.name.lower()})"


@dataclass(frozen=True)
class Check:
    """A check of the registry; its class says how and when it is carried out."""

    id: str
    severity: Severity
    level: Level
    description: str
    #: The tables whose rows the check judges (for expectations and SQL: the tables its
    #: code generates anything for).
    tables: tuple[str, ...]
    #: The function that carries the check out; its signature is its class's.
    code: Callable[..., Any]
    kind: ClassVar[Kind]
    scope: ClassVar[Scope]


class ShardCheck(Check):
    """On each shard's footer, before any row is read: ``code(shard, schema) ->
    [Violation]``."""

    kind, scope = "python", "files"


class FolderCheck(Check):
    """Once on the folder's list of shards: ``code(files) -> [Violation]``."""

    kind, scope = "python", "folder"


class OrderCheck(Check):
    """On the order of the rows as they are read (``schema-order``)."""

    kind, scope = "python", "stream"


class ColumnCheck(Check):
    """Great Expectations expectations: ``code(table, schema) -> [Expect]``."""

    kind, scope = "expectations", "rows"


class SqlCheck(Check):
    """One SQL query per table: ``code(table) -> Query | None``."""

    kind, scope = "sql", "rows"


@dataclass(frozen=True)
class RowCheck(Check):
    """Python on the rows still judged: ``code(table, data, keys, rows) -> Failures``.

    An engine that moves rows to the code (Spark, to its Python workers) hands it the
    columns in ``reads`` (every column when empty) beside the row's key and location, and
    of a column in ``first_line_of`` only its first line, up to its first newline: a whole
    text is most of an article's bytes."""

    kind, scope = "python", "rows"
    #: The columns the code reads.
    reads: tuple[str, ...] = ()
    #: Text columns of ``reads`` of which the code reads the first line alone.
    first_line_of: tuple[str, ...] = ()


class ReleaseCheck(Check):
    """Once on the whole release, at the end: ``code(facts) -> Failures | None``."""

    kind, scope = "python", "release"


#: The kinds that judge rows, level by level.
ROW_CHECKS = (OrderCheck, ColumnCheck, SqlCheck, RowCheck)


@dataclass(frozen=True)
class ReleaseFacts:
    """What the checks on the whole release look at, once every row has been judged."""

    #: The techniques table, unless its files failed level 1.
    techniques: pa.Table | None
    previous: Path | None
    allowlist: Sequence[AllowlistEntry]
    #: (check, row) of the allowlist entries that matched a violation.
    matched: set[tuple[str, str]]


_REGISTRY: dict[str, Check] = {}
#: Checks whose tables come from the schema when the catalogue is made: those an
#: expectation or SQL generator produces anything for, or every table for a shard check.
_DERIVED_TABLES: dict[str, bool] = {}
#: Modules whose decorators register the checks; importing them is cheap (no Great
#: Expectations, no DuckDB), so ``--list-checks`` answers at once.
CHECK_MODULES = (
    "validation.files",
    "validation.stream",
    "validation.expectations",
    "validation.sql",
    "validation.python_rules",
    "validation.allowlist",
)

F = TypeVar("F", bound=Callable[..., Any])


def check(
    check_id: str,
    *,
    severity: Severity,
    level: Level,
    kind: type[Check],
    description: str,
    tables: tuple[str, ...] | None = None,
    **details: Any,
) -> Callable[[F], F]:
    """Register the decorated function as the implementation of check ``check_id``;
    ``details`` are fields of ``kind`` beyond those of every check (``RowCheck.reads``)."""

    def register(code: F) -> F:
        if check_id in _REGISTRY:
            raise ValueError(f"check {check_id!r} is declared twice")
        _DERIVED_TABLES[check_id] = tables is None
        _REGISTRY[check_id] = kind(
            id=check_id,
            severity=severity,
            level=level,
            description=" ".join(description.split()),
            tables=tables or (),
            code=code,
            **details,
        )
        return code

    return register


def _generated_for(found: Check, spec: Schema) -> tuple[str, ...]:
    """The tables of ``spec`` an expectation or SQL generator produces anything for; every
    table, for a check on each shard."""
    if isinstance(found, ShardCheck):
        return spec.table_names
    if isinstance(found, ColumnCheck):
        return tuple(name for name, table in spec.tables.items() if found.code(table, spec))
    return tuple(name for name, table in spec.tables.items() if found.code(table))


def registered() -> dict[str, Check]:
    """Every check by id, as its decorator declares it: its code, severity and level,
    which no schema changes. A check generated from the schema names no tables here; the
    catalogue of a schema gives them."""
    for module in CHECK_MODULES:
        import_module(module)
    return dict(_REGISTRY)


def catalogue(spec: Schema) -> tuple[Check, ...]:
    """Every check, with the tables of ``spec`` it judges, by level, then in the order its
    module declares it: a run's catalogue is that of the schema the run was given."""
    checks = [
        replace(found, tables=_generated_for(found, spec)) if _DERIVED_TABLES[check_id] else found
        for check_id, found in registered().items()
    ]
    return tuple(sorted(checks, key=_place))


def _place(found: Check) -> tuple[int, int, int]:
    """Level, then the module's place in CHECK_MODULES, then the line the check's code
    starts on: the same order whichever module happened to be imported first."""
    module = found.code.__module__
    rank = CHECK_MODULES.index(module) if module in CHECK_MODULES else len(CHECK_MODULES)
    return int(found.level), rank, found.code.__code__.co_firstlineno


def up_to(level: Level, checks: Sequence[Check]) -> tuple[Check, ...]:
    """The checks a run that stops after ``level`` carries out (``--level``): a quick
    schema-and-keys pass over a large corpus runs levels 1 and 2 only."""
    return tuple(found for found in checks if found.level <= level)
