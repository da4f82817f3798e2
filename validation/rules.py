"""Cross-table and text rules: each computes one boolean per row of a table.

A rule answers "is this row fine?" for every row, with Arrow and NumPy doing the work in
bulk (a Python loop only where the article text must be sliced), so a million spans
validate in seconds. Great Expectations then checks that each rule's column is all true
(validation/expectations.py). A rule judges only what it owns: rows whose article is
missing or whose offsets are null are left to the checks that own those faults, so a broken
row is reported once, under the right id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dataset.ptc.formats import line_ranges, title_of
from dataset.schema import schema
from validation.load import LoadedDataset, shard_paths

#: Python's str.isspace() as an RE2 class (RE2's \s alone misses U+00A0, U+000B and more).
WHITESPACE = r"\s\p{Z}\x{0b}\x{1c}-\x{1f}\x{85}"
#: A span may not start or end with these (PTC's version-2 cleaning rule, from the schema).
_EDGE = WHITESPACE + re.escape(schema().dataset.span_boundary.punctuation)
FORBIDDEN_EDGE = f"^[{_EDGE}]|[{_EDGE}]$"
NULL = np.iinfo(np.int64).min
#: Room for class ids when (row, class) pairs are packed into one integer.
PAIR_STRIDE = 1 << 20


@dataclass
class RuleOutcome:
    check_id: str
    table: str
    ok: np.ndarray
    #: Explains a failing row (by position): what was found and what was expected.
    describe: Callable[[int], str]


def _bools(array: pa.ChunkedArray | pa.Array, null: bool = True) -> np.ndarray:
    return np.asarray(pc.fill_null(array, null).to_numpy(zero_copy_only=False), dtype=bool)


def _article_lengths(data: LoadedDataset) -> np.ndarray:
    if "articles" not in data.tables:
        return np.zeros(0, dtype=np.int64)
    lengths = pc.fill_null(pc.utf8_length(data.array("articles", "text")), -1)
    return np.asarray(lengths.to_numpy(), dtype=np.int64)


def offsets_in_range(data: LoadedDataset, table: str) -> RuleOutcome:
    article = data.article_positions(table)
    start = data.integers(table, "start", NULL)
    end = data.integers(table, "end", NULL)
    lengths = _article_lengths(data)
    known = (article >= 0) & (start != NULL) & (end != NULL)
    length = np.where(article >= 0, lengths[np.maximum(article, 0)] if len(lengths) else -1, -1)
    ok = ~known | ((start >= 0) & (start < end) & (end <= length))

    def describe(index: int) -> str:
        return (
            f"start={start[index]}, end={end[index]}; expected 0 <= start < end <= {length[index]}"
        )

    return RuleOutcome("offsets-in-range", table, ok, describe)


def text_matches_offsets(data: LoadedDataset, table: str) -> RuleOutcome:
    texts = [text or "" for text in data.article_texts]
    article = data.article_positions(table).tolist()
    starts = data.column(table, "start")
    ends = data.column(table, "end")
    stored = data.column(table, "text")
    ok = np.fromiter(
        (
            a < 0 or s is None or e is None or not 0 <= s <= e or texts[a][s:e] == t
            for a, s, e, t in zip(article, starts, ends, stored, strict=True)
        ),
        dtype=bool,
        count=len(article),
    )

    def describe(index: int) -> str:
        s, e = starts[index], ends[index]
        expected = texts[article[index]][s:e]
        return f"found {stored[index]!r}, expected text[{s}:{e}] = {expected!r}"

    return RuleOutcome("text-matches-offsets", table, ok, describe)


def spans_boundaries(data: LoadedDataset) -> RuleOutcome:
    fragments = data.array("spans", "text")
    ok = ~_bools(pc.match_substring_regex(fragments, FORBIDDEN_EDGE), null=False)
    values = data.column("spans", "text") if not ok.all() else []

    def describe(index: int) -> str:
        fragment = values[index]
        return (
            f"fragment {fragment!r} starts with {fragment[0]!r} / ends with {fragment[-1]!r}; "
            "expected no whitespace, newline, '.', ',', ':' or ';' at either edge"
        )

    return RuleOutcome("spans-boundaries", "spans", ok, describe)


def _codes(array: pa.ChunkedArray) -> np.ndarray:
    """Dense integer codes for the values of a column (nulls get their own code)."""
    encoded = pc.dictionary_encode(array.combine_chunks(), null_encoding="encode")
    return np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)


def _technique_or_label(data: LoadedDataset) -> pa.ChunkedArray:
    technique = pc.cast(data.array("spans", "technique"), pa.string())
    tagged = pc.binary_join_element_wise("#", technique, "")
    return pc.coalesce(tagged, data.array("spans", "label"))


def _span_keys(data: LoadedDataset) -> np.ndarray:
    """(article, layer, technique-or-label, start, end) of every span, as integer rows."""
    return np.column_stack(
        [
            _codes(data.array("spans", "article_id")),
            _codes(data.array("spans", "layer")),
            _codes(_technique_or_label(data)),
            data.integers("spans", "start", NULL),
            data.integers("spans", "end", NULL),
        ]
    )


def _group_ids(keys: np.ndarray) -> np.ndarray:
    """For each row of an integer matrix, the id of its group of identical rows (sort-based:
    much faster than np.unique(axis=0) on millions of rows)."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort(keys.T[::-1])
    ordered = keys[order]
    new_group = np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)]
    ids = np.empty(len(keys), dtype=np.int64)
    ids[order] = np.cumsum(new_group) - 1
    return ids


def spans_no_duplicates(data: LoadedDataset) -> RuleOutcome:
    keys = _span_keys(data)
    groups = _group_ids(keys)
    copies = np.bincount(groups)[groups] if len(groups) else groups
    ok = copies == 1

    def describe(index: int) -> str:
        return (
            f"{copies[index]} spans in article {data.column('spans', 'article_id')[index]}, "
            f"layer {data.column('spans', 'layer')[index]} share technique "
            f"{data.column('spans', 'label')[index]} at {keys[index, 3]}-{keys[index, 4]}; "
            "expected one"
        )

    return RuleOutcome("spans-no-duplicates", "spans", ok, describe)


def spans_no_self_overlap(data: LoadedDataset) -> RuleOutcome:
    keys = _span_keys(data)
    ok = np.ones(len(keys), dtype=bool)
    partner: dict[int, int] = {}
    valid = np.flatnonzero((keys[:, 3] != NULL) & (keys[:, 4] != NULL) & (keys[:, 3] < keys[:, 4]))
    if len(valid):
        group = _group_ids(keys[valid, :3])
        start, end = keys[valid, 3], keys[valid, 4]
        order = np.lexsort((end, start, group))
        g, s, e = group[order], start[order], end[order]
        stride = int(e.max()) + 1
        reach = np.maximum.accumulate(g * stride + e) - g * stride
        same_group = np.r_[False, g[1:] == g[:-1]]
        reach_before = np.r_[-1, reach[:-1]]
        duplicate = same_group & np.r_[False, (s[1:] == s[:-1]) & (e[1:] == e[:-1])]
        clash = np.flatnonzero(same_group & (s < reach_before) & ~duplicate)
        for position in clash:
            first = position
            while first > 0 and g[first - 1] == g[position]:
                first -= 1
            holder = first + int(np.argmax(e[first:position]))
            row, other = int(valid[order[position]]), int(valid[order[holder]])
            ok[row] = ok[other] = False
            partner[row] = other
            partner.setdefault(other, row)

    def describe(index: int) -> str:
        other = partner[index]
        label = data.column("spans", "label")[index]
        return (
            f"{label} {keys[index, 3]}-{keys[index, 4]} overlaps {label} "
            f"{keys[other, 3]}-{keys[other, 4]} in article "
            f"{data.column('spans', 'article_id')[index]}, layer "
            f"{data.column('spans', 'layer')[index]}; expected one merged span"
        )

    return RuleOutcome("spans-no-self-overlap", "spans", ok, describe)


def semeval_mapping(data: LoadedDataset) -> RuleOutcome:
    spec = schema()
    technique_names = spec.techniques.names
    class_names = spec.semeval_classes.names
    mapping = spec.technique_to_semeval

    def expected(label: str | None) -> tuple[int, int]:
        """(technique, class) a label implies, -1 for none, -2 for an unknown label."""
        if label in mapping:
            klass = mapping[label]
            return technique_names.index(label), class_names.index(klass) if klass else -1
        if label in class_names:
            return -1, class_names.index(label)
        return -2, -2

    labels = pc.dictionary_encode(data.array("spans", "label").combine_chunks())
    table = np.array([expected(label) for label in labels.dictionary.to_pylist()] or [(0, 0)])
    codes = np.asarray(pc.fill_null(labels.indices, 0).to_numpy(), dtype=np.int64)
    technique = data.integers("spans", "technique", -1)
    klass = data.integers("spans", "semeval_class", -1)
    known = _bools(pc.is_valid(data.array("spans", "label")), null=False)
    ok = ~known | ((table[codes, 0] == technique) & (table[codes, 1] == klass))

    def describe(index: int) -> str:
        label = data.column("spans", "label")[index]
        want = tuple(None if v < 0 else v for v in expected(label))
        return (
            f"label {label!r} with technique={data.column('spans', 'technique')[index]}, "
            f"semeval_class={data.column('spans', 'semeval_class')[index]}; expected "
            f"(technique, semeval_class) = {want}"
        )

    return RuleOutcome("keys-semeval-mapping", "spans", ok, describe)


def derived_ids(data: LoadedDataset, table: str) -> RuleOutcome:
    text = pa.string()
    if table == "spans":
        offsets = pc.binary_join_element_wise(
            pc.cast(data.array(table, "start"), text), pc.cast(data.array(table, "end"), text), "-"
        )
        key = "span_id"
        derived = pc.binary_join_element_wise(
            data.array(table, "article_id"),
            data.array(table, "layer"),
            offsets,
            data.array(table, "label"),
            ":",
        )
    else:
        key = "line_id"
        derived = pc.binary_join_element_wise(
            data.array(table, "article_id"),
            pc.cast(data.array(table, "line"), text),
            ":",
        )
    ok = _bools(pc.equal(data.array(table, key), derived))

    def describe(index: int) -> str:
        return f"found {data.column(table, key)[index]!r}, expected {derived[index].as_py()!r}"

    return RuleOutcome("keys-derived-ids", table, ok, describe)


def lines_tile(data: LoadedDataset) -> RuleOutcome:
    """Lines must be PTC's lines exactly: recomputed from the article text with the one
    line rule (dataset.ptc.formats.line_ranges) and compared row by row."""
    article = data.article_positions("lines")
    number = data.integers("lines", "line", NULL)
    start = data.integers("lines", "start", NULL)
    end = data.integers("lines", "end", NULL)
    ok = np.ones(len(article), dtype=bool)
    problem: dict[int, str] = {}
    texts = [text or "" for text in data.article_texts]
    expected = [line_ranges(text) for text in texts]
    seen: dict[int, int] = {}
    for row in np.flatnonzero(article >= 0).tolist():
        ranges = expected[article[row]]
        seen[int(article[row])] = seen.get(int(article[row]), 0) + 1
        n = int(number[row])
        if not 1 <= n <= len(ranges):
            problem[row] = f"line {n}; the article has lines 1..{len(ranges)}"
        elif (int(start[row]), int(end[row])) != ranges[n - 1]:
            problem[row] = (
                f"line {n} covers {start[row]}-{end[row]}; the article's line {n} is "
                f"{ranges[n - 1][0]}-{ranges[n - 1][1]}"
            )
    counts = {position: len(ranges) for position, ranges in enumerate(expected)}
    for row in np.flatnonzero(article >= 0).tolist():
        position = int(article[row])
        if row not in problem and seen.get(position, 0) != counts[position]:
            problem[row] = (
                f"the article has {counts[position]} lines and the table {seen[position]} rows"
            )
    for row in problem:
        ok[row] = False
    return RuleOutcome("lines-tile", "lines", ok, problem.__getitem__)


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values; sort-based, as NumPy 2's hash-based np.unique is several times
    slower on millions of integers."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _symmetric_difference(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Values in exactly one of two arrays of distinct values."""
    both = np.sort(np.concatenate([first, second]))
    if not len(both):
        return both
    repeated = np.r_[both[1:] == both[:-1], False] | np.r_[False, both[1:] == both[:-1]]
    different: np.ndarray = both[~repeated]
    return different


def _flattened(array: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """The items of an integer list column (nulls as -1) and the row each comes from; none
    when the column is not a list (schema-types reports that)."""
    if not pa.types.is_list(array.type):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    combined = array.combine_chunks()
    values = np.asarray(pc.fill_null(pc.list_flatten(combined), -1).to_numpy(), dtype=np.int64)
    parents = np.asarray(pc.list_parent_indices(combined).to_numpy(), dtype=np.int64)
    return values, parents


def _list_pairs(array: pa.ChunkedArray) -> np.ndarray:
    """(row, value) pairs of a list column, packed as row * PAIR_STRIDE + value."""
    values, parents = _flattened(array)
    usable = (values >= 0) & (values < PAIR_STRIDE)
    return _unique(parents[usable] * PAIR_STRIDE + values[usable])


def lines_labels(data: LoadedDataset) -> RuleOutcome:
    """Expected labels from an interval join of spans and lines on global offsets
    (article position * stride + offset), done with searchsorted instead of loops."""
    article_s = data.article_positions("lines")
    start_s = data.integers("lines", "start", NULL)
    end_s = data.integers("lines", "end", NULL)
    layer_s = np.array(data.column("lines", "label_layer"), dtype=object)
    n_articles = data.tables["articles"].num_rows if "articles" in data.tables else 0
    article_layer = np.full(max(n_articles, 1), None, dtype=object)
    known_s = (article_s >= 0) & (start_s != NULL) & (end_s != NULL)
    article_layer[article_s[known_s]] = layer_s[known_s]

    article_p = data.article_positions("spans")
    start_p = data.integers("spans", "start", NULL)
    end_p = data.integers("spans", "end", NULL)
    layer_p = np.array(data.column("spans", "layer"), dtype=object)
    usable = (article_p >= 0) & (start_p != NULL) & (end_p != NULL) & (start_p < end_p)
    usable[usable] = article_layer[article_p[usable]] == layer_p[usable]

    rows = np.flatnonzero(known_s)
    stride = int(max(end_s.max(initial=0), end_p.max(initial=0))) + 2
    order = rows[np.lexsort((start_s[rows], article_s[rows]))]
    g_start = article_s[order] * stride + start_s[order]
    g_end = article_s[order] * stride + end_s[order]
    spans = np.flatnonzero(usable)
    first = np.searchsorted(g_end, article_p[spans] * stride + start_p[spans], side="right")
    last = np.searchsorted(g_start, article_p[spans] * stride + end_p[spans], side="left")
    counts = np.maximum(last - first, 0)
    span_of_pair = np.repeat(spans, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    line_of_pair = order[np.repeat(first, counts) + offsets]

    def expected_pairs(column: str) -> np.ndarray:
        values = data.integers("spans", column, -1)[span_of_pair]
        keep = values >= 0
        return _unique(line_of_pair[keep] * PAIR_STRIDE + values[keep])

    ok = np.ones(len(article_s), dtype=bool)
    mismatched: set[int] = set()
    expectations = {}
    for column, stored in (("technique", "techniques"), ("semeval_class", "semeval_classes")):
        expectations[column] = expected_pairs(column)
        found = _list_pairs(data.array("lines", stored))
        mismatched.update(
            (_symmetric_difference(expectations[column], found) // PAIR_STRIDE).tolist()
        )
    flagged = np.zeros(len(article_s), dtype=bool)
    flagged[line_of_pair] = True
    has = data.array("lines", "has_propaganda")
    has_value = _bools(has, null=False)
    has_null = ~_bools(pc.is_valid(has), null=False)
    annotated = np.array([layer is not None for layer in layer_s], dtype=bool)
    flag_ok = np.where(annotated, ~has_null & (has_value == flagged), has_null)
    ok &= flag_ok | ~known_s
    for row in mismatched:
        if known_s[row]:
            ok[row] = False

    def describe(index: int) -> str:
        def wanted(column: str) -> list[int]:
            pairs = expectations[column]
            values: list[int] = (pairs[pairs // PAIR_STRIDE == index] % PAIR_STRIDE).tolist()
            return values

        flag = bool(flagged[index]) if annotated[index] else None
        return (
            f"found techniques={data.column('lines', 'techniques')[index]}, "
            f"semeval_classes={data.column('lines', 'semeval_classes')[index]}, "
            f"has_propaganda={data.column('lines', 'has_propaganda')[index]}; expected "
            f"{wanted('technique')}, {wanted('semeval_class')}, {flag}"
        )

    return RuleOutcome("lines-labels", "lines", ok, describe)


def list_class_ids(data: LoadedDataset) -> RuleOutcome:
    """List-valued class labels (lines) hold ids of their taxonomy, sorted, distinct."""
    spec = schema()
    ok = np.ones(data.tables["lines"].num_rows, dtype=bool)
    for column, size in (
        ("techniques", len(spec.techniques.labels)),
        ("semeval_classes", len(spec.semeval_classes.labels)),
    ):
        values, parents = _flattened(data.array("lines", column))
        ok[parents[(values < 0) | (values >= size)]] = False
        same_list = parents[1:] == parents[:-1]
        ok[parents[1:][same_list & (values[1:] <= values[:-1])]] = False
    sizes = (len(spec.techniques.labels), len(spec.semeval_classes.labels))
    return RuleOutcome(
        "keys-taxonomy",
        "lines",
        ok,
        lambda i: (
            f"techniques={data.column('lines', 'techniques')[i]}, semeval_classes="
            f"{data.column('lines', 'semeval_classes')[i]}; expected sorted distinct ids below "
            f"{sizes[0]} and {sizes[1]}"
        ),
    )


def article_exists(data: LoadedDataset, table: str) -> RuleOutcome:
    article = data.article_positions(table)
    present = _bools(pc.is_valid(data.array(table, "article_id")), null=False)
    ok = (article >= 0) | ~present
    return RuleOutcome(
        "keys-article-exists",
        table,
        ok,
        lambda i: f"article {data.column(table, 'article_id')[i]} is not in the articles table",
    )


def articles_hash_length(data: LoadedDataset) -> RuleOutcome:
    texts = data.article_texts
    stored = list(
        zip(
            data.column("articles", "sha256"),
            data.column("articles", "num_chars"),
            data.column("articles", "title"),
            strict=True,
        )
    )
    actual = [
        (hashlib.sha256(text.encode("utf-8")).hexdigest(), len(text), title_of(text))
        if text is not None
        else None
        for text in texts
    ]
    ok = np.array([a is None or s == a for s, a in zip(stored, actual, strict=True)], dtype=bool)

    def describe(index: int) -> str:
        return (
            f"stored (sha256, num_chars, title) = {stored[index]}; the text gives {actual[index]}"
        )

    return RuleOutcome("articles-hash-length", "articles", ok, describe)


def articles_provenance_hash(data: LoadedDataset) -> RuleOutcome:
    digest = data.array("articles", "sha256")
    recorded = data.array("articles", "provenance_sha256")
    ok = _bools(pc.or_kleene(pc.is_null(recorded), pc.equal(digest, recorded)))

    def describe(index: int) -> str:
        return (
            f"raw file sha256 {digest[index].as_py()}; provenance record says "
            f"{recorded[index].as_py()}"
        )

    return RuleOutcome("articles-provenance-hash", "articles", ok, describe)


def articles_provenance_present(data: LoadedDataset) -> RuleOutcome:
    ok = _bools(pc.is_valid(data.array("articles", "provenance_sha256")), null=False)
    return RuleOutcome(
        "articles-provenance-present",
        "articles",
        ok,
        lambda index: "no provenance record (article<ID>.provenance.yaml) was built in",
    )


def spans_rationale_present(data: LoadedDataset) -> RuleOutcome:
    rationale = data.array("spans", "rationale")
    ok = _bools(pc.greater(pc.utf8_length(rationale), 0), null=False)
    return RuleOutcome(
        "spans-rationale-present",
        "spans",
        ok,
        lambda index: "no rationale; add one to the layer's rationale file",
    )


def schema_types(data: LoadedDataset) -> list[tuple[str, str, bool, str]]:
    """(table, shard:column, ok, detail) for every column of every shard."""
    spec = schema()
    findings: list[tuple[str, str, bool, str]] = []
    for table, shards in data.shard_schemas.items():
        generated = spec.arrow_schema(table)
        wanted = generated.metadata.get(b"huggingface")
        for path, stored in shards:
            found_metadata = (stored.metadata or {}).get(b"huggingface")
            findings.append(
                (
                    table,
                    f"{table}:{path.name}:huggingface-metadata",
                    found_metadata == wanted,
                    "the Hugging Face features in the schema metadata differ from the schema's",
                )
            )
            for field in generated:
                if field.name not in stored.names:
                    continue
                found = stored.field(field.name).type
                findings.append(
                    (
                        table,
                        f"{table}:{path.name}:{field.name}",
                        found.equals(field.type),
                        f"found {found}, expected {field.type}",
                    )
                )
    return findings


def techniques_match_schema(data: LoadedDataset) -> list[tuple[str, str, bool, str]]:
    spec = schema()
    expected: dict[Any, tuple[Any, Any]] = {
        label.id: (
            label.name,
            spec.semeval_classes.id_of(label.semeval_class) if label.semeval_class else None,
        )
        for label in spec.techniques.labels
    }
    found: dict[Any, tuple[Any, Any]] = {
        technique: (name, klass)
        for technique, name, klass in zip(
            data.column("techniques", "technique"),
            data.column("techniques", "name"),
            data.column("techniques", "semeval_class"),
            strict=True,
        )
    }
    return [
        (
            "techniques",
            str(technique),
            found.get(technique) == expected.get(technique),
            f"found (name, semeval_class) = {found.get(technique)}, "
            f"expected {expected.get(technique)}",
        )
        for technique in sorted(set(expected) | set(found), key=lambda t: (t is None, t or 0))
    ]


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
    now = dict(
        zip(data.column("techniques", "technique"), data.column("techniques", "name"), strict=True)
    )
    return [
        (
            str(technique),
            now.get(technique) == name,
            f"id {technique} was {name!r} in {previous.name}, now {now.get(technique)!r}",
        )
        for technique, name in sorted(before.items())
    ]
