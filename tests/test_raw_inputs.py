"""The committed raw inputs are the ones the dataset promises."""

from __future__ import annotations

import hashlib

import yaml

from dataset.ptc.provenance import required_keys
from dataset.schema import schema
from tests.conftest import (
    ARTICLE,
    ARTICLE_BYTES,
    ARTICLE_CHARS,
    ARTICLE_LINES,
    MASTERMIND,
    PROVENANCE,
    RAW,
)

ARTICLE_SHA256 = "21d5d8656b0f4482889115550aa887b315a1ee4041f4b434983efe7443dfe385"


def test_article_bytes_are_the_source_bytes() -> None:
    data = ARTICLE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == ARTICLE_SHA256
    text = data.decode("utf-8")
    assert (len(data), len(text), text.count("\n")) == (ARTICLE_BYTES, ARTICLE_CHARS, ARTICLE_LINES)
    start, end = MASTERMIND
    assert text[start:end] == "mastermind"
    gold = (RAW / "labels" / f"{ARTICLE.stem}.gold.labels").read_text(encoding="utf-8")
    assert f"\tLoaded_Language\t{start}\t{end}\n" in gold
    assert data.endswith("\u00a0\n\n".encode())


def test_provenance_record_is_complete_and_unguessed() -> None:
    record = yaml.safe_load(PROVENANCE.read_text(encoding="utf-8"))
    assert set(required_keys(schema())) == set(record)
    assert record["sha256"] == ARTICLE_SHA256
    assert record["outlet"] == "Russia Insider", "identified after 1.0.0 (PROVENANCE.md)"
    assert record["url"].startswith("https://russia-insider.com/")
    assert "not recorded when the file was made" in record["source_note"]
    assert "newspaper3k" not in record["source_note"], "how it was scraped is not recorded"
    assert record["author"] is None
    assert record["publication_date_basis"] == "inferred"
    assert record["publication_date"] == "2017-03"
    assert record["title"] == ARTICLE.read_text(encoding="utf-8").split("\n", 1)[0]
