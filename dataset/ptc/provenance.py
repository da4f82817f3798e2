"""Per-article provenance records (``article<ID>.provenance.yaml``).

A record says where the text came from and under which terms it is redistributed. Unknown
facts are written as null rather than left out, so a missing key is always a mistake.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from dataset.errors import InputError
from dataset.schema import schema

#: Columns of the articles table filled from the record, as the schema marks them
#: (``filled_from: provenance``); the record has exactly these keys (null where a fact is
#: unknown) plus the ones that tie it to its article.
ARTICLE_COLUMNS = tuple(
    f.name for f in schema().tables["articles"].fields if f.filled_from == "provenance"
)
IDENTITY_KEYS = ("article_id", "title", "sha256")
REQUIRED_KEYS = (*IDENTITY_KEYS, *ARTICLE_COLUMNS)


def read_provenance(path: Path, article_id: str, data: bytes | None = None) -> dict[str, Any]:
    try:
        record = yaml.safe_load((path.read_bytes() if data is None else data).decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(
            path,
            f"not a readable YAML file: {error}".splitlines()[0],
            "fix the YAML syntax (keys and values as in the other provenance files)",
            line=mark.line + 1 if mark is not None else None,
        ) from None
    if not isinstance(record, dict):
        raise InputError(path, "the record is not a YAML mapping", "write key: value lines")
    missing = [key for key in REQUIRED_KEYS if key not in record]
    unknown = sorted(set(record) - set(REQUIRED_KEYS))
    if missing or unknown:
        raise InputError(
            path,
            f"missing keys {missing}" if missing else f"unknown keys {unknown}",
            f"a provenance record has exactly the keys {', '.join(REQUIRED_KEYS)} "
            "(null where unknown)",
        )
    if str(record["article_id"]) != article_id:
        raise InputError(
            path,
            f"article_id is {record['article_id']!r} but the file name says {article_id}",
            "make the record's article_id equal to the digits in its file name",
        )
    for key in ARTICLE_COLUMNS:
        value = record[key]
        if value is not None and not isinstance(value, str):
            raise InputError(
                path,
                f"{key} must be a string or null, found {type(value).__name__} {value!r}",
                f'quote the value of {key} (dates as "2017-03")',
            )
    return record


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
