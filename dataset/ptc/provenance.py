"""Per-article provenance records (``article<ID>.provenance.yaml``).

A record says where the text came from and under which terms it is redistributed. Unknown
facts are written as null rather than left out, so a missing key is always a mistake.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, create_model

from dataset.errors import InputError
from dataset.schema import Schema
from dataset.yaml_models import (
    InputKind,
    InputModel,
    InputValueError,
    line_at,
    parse_model,
)

#: The keys that tie a record to its article; beside them a record has exactly the
#: schema's provenance columns (``Schema.provenance_columns``), null where a fact is unknown.
IDENTITY_KEYS = ("article_id", "title", "sha256")


def required_keys(spec: Schema) -> tuple[str, ...]:
    """Every key a provenance record has under ``spec``."""
    return (*IDENTITY_KEYS, *spec.provenance_columns)


def _as_text(value: Any) -> Any:
    """An article ID written without quotes is still the ID its file name gives."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _text_or_null(value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise InputValueError(
            f"must be a string or null, found {type(value).__name__} {value!r}",
            fix='quote the value (dates as "2017-03")',
        )
    return value


class _Identity(InputModel):
    """The keys that tie a record to its article's bytes."""

    article_id: Annotated[str, BeforeValidator(_as_text)]
    title: str | None
    sha256: str


@cache
def provenance_model(columns: tuple[str, ...]) -> type[_Identity]:
    """A record's model: the identity keys and one required key per column the record fills
    (a fact that is unknown is null, never left out)."""
    fact = (Annotated[str | None, BeforeValidator(_text_or_null)], ...)
    fields: dict[str, Any] = dict.fromkeys(columns, fact)
    return create_model("ProvenanceRecord", __base__=_Identity, **fields)


def read_provenance(
    path: Path, article_id: str, data: bytes | None = None, *, spec: Schema
) -> dict[str, Any]:
    """The record of ``article_id`` (``data``: its bytes, when already read), checked."""
    kind = InputKind(
        "the provenance record",
        f"a provenance record has exactly the keys {', '.join(required_keys(spec))} "
        "(null where unknown)",
        syntax="fix the YAML syntax (keys and values as in the other provenance files)",
    )
    record, root = parse_model(path, provenance_model(spec.provenance_columns), kind, data=data)
    if record.article_id != article_id:
        raise InputError(
            path,
            f"article_id is {record.article_id!r} but the file name says {article_id}",
            "make the record's article_id equal to the digits in its file name",
            line=line_at(root, "article_id"),
        )
    return record.model_dump()


def check_against_article(path: Path, record: dict[str, Any], raw: bytes, title: str) -> None:
    """The article bytes must be the ones the record was written for: articles are never
    edited after they are added, since every offset depends on them."""
    digest = hashlib.sha256(raw).hexdigest()
    if record["sha256"] != digest:
        raise InputError(
            path,
            f"the record's sha256 {record['sha256']} differs from the article file's {digest}",
            "restore the article's original bytes (articles are never edited), or, for a "
            "new source file, update the record and re-check every offset",
        )
    if record["title"] is not None and record["title"] != title:
        raise InputError(
            path,
            f"the record's title {record['title']!r} differs from line 1 of the article {title!r}",
            "copy line 1 of the article into the record's title",
        )
