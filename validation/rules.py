"""Cross-table and text rules: each computes one boolean per row of a table.

A rule answers "is this row fine?" for every row, vectorised where Arrow or NumPy can do
it and in plain Python loops where it needs the article text. Great Expectations then checks
that each rule's column is all true (validation/expectations.py). A rule judges only what
it owns: rows whose article is missing or whose offsets are null are left to the checks
that own those faults, so a broken row is reported once, under the right id.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from dataset.schema import schema
from dataset.tables import span_id as derived_span_id
from validation.load import LoadedDataset, shard_paths

#: Characters a span may not start or end with (PTC's version-2 cleaning rule).
FORBIDDEN_EDGE = re.compile(r"[\s.,:;]")


@dataclass
class RuleOutcome:
    check_id: str
    table: str
    ok: np.ndarray
    #: Explains a failing row (by position): what was found and what was expected.
    describe: Callable[[int], str]


def _texts(data: LoadedDataset) -> dict[str, str]:
    if "articles" not in data.tables:
        return {}
    ids = data.column("articles", "article_id")
    texts = data.column("articles", "text")
    return {i: t for i, t in zip(ids, texts, strict=True) if i is not None and t is not None}


def _rows(data: LoadedDataset, table: str, *columns: str) -> Iterator[tuple[Any, ...]]:
    return zip(*(data.column(table, c) for c in columns), strict=True)


def offsets_in_range(data: LoadedDataset, table: str, texts: dict[str, str]) -> RuleOutcome:
    rows = list(_rows(data, table, "article_id", "start", "end"))
    ok = np.ones(len(rows), dtype=bool)
    for index, (article, start, end) in enumerate(rows):
        if article in texts and start is not None and end is not None:
            ok[index] = 0 <= start < end <= len(texts[article])

    def describe(index: int) -> str:
        article, start, end = rows[index]
        return f"start={start}, end={end}; expected 0 <= start < end <= {len(texts[article])}"

    return RuleOutcome("offsets-in-range", table, ok, describe)


def text_matches_offsets(data: LoadedDataset, table: str, texts: dict[str, str]) -> RuleOutcome:
    rows = list(_rows(data, table, "article_id", "start", "end", "text"))
    ok = np.ones(len(rows), dtype=bool)
    for index, (article, start, end, stored) in enumerate(rows):
        text = texts.get(article)
        if text is not None and start is not None and end is not None:
            ok[index] = text[start:end] == stored

    def describe(index: int) -> str:
        article, start, end, stored = rows[index]
        return f"found {stored!r}, expected text[{start}:{end}] = {texts[article][start:end]!r}"

    return RuleOutcome("text-matches-offsets", table, ok, describe)


def spans_boundaries(data: LoadedDataset) -> RuleOutcome:
    fragments = data.column("spans", "text")
    ok = np.array(
        [
            not fragment
            or not (FORBIDDEN_EDGE.match(fragment[0]) or FORBIDDEN_EDGE.match(fragment[-1]))
            for fragment in fragments
        ],
        dtype=bool,
    )

    def describe(index: int) -> str:
        fragment = fragments[index]
        return (
            f"fragment {fragment!r} starts with {fragment[0]!r} / ends with {fragment[-1]!r}; "
            "expected no whitespace, newline, '.', ',', ':' or ';' at either edge"
        )

    return RuleOutcome("spans-boundaries", "spans", ok, describe)


def _span_identity(data: LoadedDataset) -> list[tuple[Any, ...]]:
    """(article, layer, technique or label, start, end) of every span."""
    return [
        (article, layer, technique if technique is not None else label, start, end)
        for article, layer, technique, label, start, end in _rows(
            data, "spans", "article_id", "layer", "technique", "label", "start", "end"
        )
    ]


def spans_no_duplicates(data: LoadedDataset) -> RuleOutcome:
    keys = _span_identity(data)
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for key in keys:
        counts[key] += 1
    ok = np.array([counts[key] == 1 for key in keys], dtype=bool)

    def describe(index: int) -> str:
        article, layer, technique, start, end = keys[index]
        return (
            f"{counts[keys[index]]} spans in article {article}, layer {layer} share technique "
            f"{technique} at {start}-{end}; expected one"
        )

    return RuleOutcome("spans-no-duplicates", "spans", ok, describe)


def spans_no_self_overlap(data: LoadedDataset) -> RuleOutcome:
    keys = _span_identity(data)
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for index, (article, layer, technique, start, end) in enumerate(keys):
        if start is not None and end is not None and start < end:
            groups[(article, layer, technique)].append(index)
    ok = np.ones(len(keys), dtype=bool)
    partner: dict[int, int] = {}
    for members in groups.values():
        members.sort(key=lambda i: (keys[i][3], keys[i][4]))
        reach, holder = -1, -1
        for index in members:
            start, end = keys[index][3], keys[index][4]
            if start < reach and (start, end) != (keys[holder][3], keys[holder][4]):
                ok[index] = ok[holder] = False
                partner[index] = holder
                partner.setdefault(holder, index)
            if end > reach:
                reach, holder = end, index

    def describe(index: int) -> str:
        other = keys[partner[index]]
        article, layer, technique, start, end = keys[index]
        return (
            f"{technique} {start}-{end} overlaps {technique} {other[3]}-{other[4]} in article "
            f"{article}, layer {layer}; expected one merged span"
        )

    return RuleOutcome("spans-no-self-overlap", "spans", ok, describe)


def semeval_mapping(data: LoadedDataset) -> RuleOutcome:
    spec = schema()
    technique_names = spec.techniques.names
    class_names = spec.semeval_classes.names
    mapping = spec.technique_to_semeval
    rows = list(_rows(data, "spans", "label", "technique", "semeval_class"))

    def expected(label: Any) -> tuple[int | None, int | None] | None:
        if label in mapping:
            klass = mapping[label]
            return technique_names.index(label), class_names.index(klass) if klass else None
        if label in class_names:
            return None, class_names.index(label)
        return None

    ok = np.array([expected(label) == (t, c) for label, t, c in rows], dtype=bool)

    def describe(index: int) -> str:
        label, technique, klass = rows[index]
        return (
            f"label {label!r} with technique={technique}, semeval_class={klass}; expected "
            f"(technique, semeval_class) = {expected(label)}"
        )

    return RuleOutcome("keys-semeval-mapping", "spans", ok, describe)


def derived_ids(data: LoadedDataset, table: str) -> RuleOutcome:
    if table == "spans":
        columns = ("span_id", "article_id", "layer", "start", "end", "label")
        rows = list(_rows(data, table, *columns))
        derived = [derived_span_id(a, layer, s, e, label) for _, a, layer, s, e, label in rows]
    else:
        rows = list(_rows(data, table, "sentence_id", "article_id", "sentence_index"))
        derived = [f"{article}:{index}" for _, article, index in rows]
    ok = np.array([row[0] == d for row, d in zip(rows, derived, strict=True)], dtype=bool)

    def describe(index: int) -> str:
        return f"found {rows[index][0]!r}, expected {derived[index]!r}"

    return RuleOutcome("keys-derived-ids", table, ok, describe)


def _by_article(data: LoadedDataset, table: str) -> dict[Any, list[int]]:
    groups: dict[Any, list[int]] = defaultdict(list)
    for index, article in enumerate(data.column(table, "article_id")):
        groups[article].append(index)
    return groups


def sentences_tile(data: LoadedDataset, texts: dict[str, str]) -> RuleOutcome:
    rows = list(_rows(data, "sentences", "article_id", "sentence_index", "start", "end"))
    ok = np.ones(len(rows), dtype=bool)
    problem: dict[int, str] = {}
    for article, members in _by_article(data, "sentences").items():
        text = texts.get(article)
        if text is None:
            continue
        members.sort(key=lambda i: (rows[i][1] is None, rows[i][1]))
        cursor = 0
        for position, index in enumerate(members):
            _, sentence_index, start, end = rows[index]
            if start is None or end is None:
                continue
            if sentence_index != position:
                problem[index] = f"sentence_index {sentence_index}; expected {position}"
            elif start < cursor:
                problem[index] = f"starts at {start}, before the previous sentence ends ({cursor})"
            elif text[cursor:start].strip():
                problem[index] = f"leaves {text[cursor:start].strip()[:60]!r} uncovered before it"
            cursor = max(cursor, end)
        if members and text[cursor:].strip() and members[-1] not in problem:
            problem[members[-1]] = f"leaves {text[cursor:].strip()[:60]!r} uncovered after it"
    for index in problem:
        ok[index] = False
    return RuleOutcome("sentences-tile", "sentences", ok, problem.__getitem__)


def sentences_labels(data: LoadedDataset) -> RuleOutcome:
    columns = ("article_id", "label_layer", "start", "end", "techniques", "semeval_classes")
    rows = list(_rows(data, "sentences", *columns, "has_propaganda"))
    spans: dict[tuple[Any, Any], list[tuple[int, int, Any, Any]]] = defaultdict(list)
    layers_per_article: dict[Any, set[Any]] = defaultdict(set)
    for article, layer, start, end, technique, klass in _rows(
        data, "spans", "article_id", "layer", "start", "end", "technique", "semeval_class"
    ):
        layers_per_article[article].add(layer)
        if start is not None and end is not None:
            spans[(article, layer)].append((start, end, technique, klass))
    for members in spans.values():
        members.sort(key=lambda member: (member[0], member[1]))
    expected: list[tuple[list[int], list[int], bool | None]] = []
    for article, layer, start, end, _, _, _ in rows:
        if layer is None or layer not in layers_per_article.get(article, set()):
            # No spans of the layer: either unannotated (null flag) or an empty label file;
            # the built table records which, so the flag is judged only against spans.
            expected.append(([], [], None))
            continue
        members = spans[(article, layer)]
        reach = bisect.bisect_left(members, (end,))
        hits = [m for m in members[:reach] if m[1] > start]
        expected.append(
            (
                sorted({m[2] for m in hits if m[2] is not None}),
                sorted({m[3] for m in hits if m[3] is not None}),
                bool(hits),
            )
        )
    ok = np.ones(len(rows), dtype=bool)
    for index, (row, (techniques, classes, flag)) in enumerate(zip(rows, expected, strict=True)):
        _, layer, _, _, found_techniques, found_classes, found_flag = row
        if flag is None:
            ok[index] = (
                found_techniques == []
                and found_classes == []
                and (found_flag is None if layer is None else found_flag is False)
            )
        else:
            ok[index] = (found_techniques, found_classes, found_flag) == (techniques, classes, flag)

    def describe(index: int) -> str:
        row = rows[index]
        techniques, classes, flag = expected[index]
        return (
            f"found techniques={row[4]}, semeval_classes={row[5]}, has_propaganda={row[6]}; "
            f"expected {techniques}, {classes}, {flag if flag is not None else 'False/None'}"
        )

    return RuleOutcome("sentences-labels", "sentences", ok, describe)


def articles_hash_length(data: LoadedDataset) -> RuleOutcome:
    rows = list(_rows(data, "articles", "text", "sha256", "num_chars", "title"))
    found: list[tuple[str, int, str]] = []
    ok = np.ones(len(rows), dtype=bool)
    for index, (text, digest, length, title) in enumerate(rows):
        if text is None:
            found.append(("", 0, ""))
            continue
        actual = (hashlib.sha256(text.encode("utf-8")).hexdigest(), len(text), text.split("\n")[0])
        found.append(actual)
        ok[index] = (digest, length, title) == actual

    def describe(index: int) -> str:
        _, digest, length, title = rows[index]
        return (
            f"stored sha256={digest}, num_chars={length}, title={title!r}; text gives "
            f"{found[index][0]}, {found[index][1]}, {found[index][2]!r}"
        )

    return RuleOutcome("articles-hash-length", "articles", ok, describe)


def articles_provenance_hash(data: LoadedDataset) -> RuleOutcome:
    rows = list(_rows(data, "articles", "sha256", "provenance_sha256"))
    ok = np.array([recorded is None or recorded == digest for digest, recorded in rows], dtype=bool)

    def describe(index: int) -> str:
        digest, recorded = rows[index]
        return f"raw file sha256 {digest}; provenance record says {recorded}"

    return RuleOutcome("articles-provenance-hash", "articles", ok, describe)


def articles_provenance_present(data: LoadedDataset) -> RuleOutcome:
    recorded = data.column("articles", "provenance_sha256")
    ok = np.array([value is not None for value in recorded], dtype=bool)
    return RuleOutcome(
        "articles-provenance-present",
        "articles",
        ok,
        lambda index: "no provenance record (article<ID>.provenance.yaml) was built in",
    )


def spans_rationale_present(data: LoadedDataset) -> RuleOutcome:
    rationales = data.column("spans", "rationale")
    ok = np.array([bool(value) for value in rationales], dtype=bool)
    return RuleOutcome(
        "spans-rationale-present",
        "spans",
        ok,
        lambda index: "no rationale; add one to the layer's rationale file",
    )


def schema_types(data: LoadedDataset) -> list[tuple[str, str, bool, str]]:
    """(table, column or shard, ok, detail) for every column of every shard."""
    spec = schema()
    findings: list[tuple[str, str, bool, str]] = []
    for table, shards in data.shard_schemas.items():
        generated = spec.arrow_schema(table)
        for path, stored in shards:
            shard = path.name
            ok = stored.metadata is not None and stored.metadata.get(
                b"huggingface"
            ) == generated.metadata.get(b"huggingface")
            findings.append(
                (table, f"{shard}:huggingface-metadata", ok, "Hugging Face features metadata")
            )
            for field in generated:
                if field.name not in stored.names:
                    continue
                found = stored.field(field.name).type
                findings.append(
                    (
                        table,
                        f"{shard}:{field.name}",
                        found.equals(field.type),
                        f"found {found}, expected {field.type}",
                    )
                )
    return findings


def taxonomy_stable(data: LoadedDataset, previous: Path | None) -> list[tuple[str, bool, str]]:
    """(technique id, ok, detail) against the previous release's techniques table."""
    if previous is None or "techniques" not in data.tables:
        return []
    paths = shard_paths(previous, "techniques")
    if not paths:
        return []
    before = {
        row["technique"]: row["name"]
        for path in paths
        for row in pq.read_table(path, columns=["technique", "name"]).to_pylist()
    }
    now = dict(_rows(data, "techniques", "technique", "name"))
    findings: list[tuple[str, bool, str]] = []
    for technique, name in sorted(before.items()):
        current = now.get(technique)
        findings.append(
            (
                str(technique),
                current == name,
                f"id {technique} was {name!r} in {previous.name}, now {current!r}",
            )
        )
    return findings
