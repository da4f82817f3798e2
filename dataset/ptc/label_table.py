"""Reading many PTC label files at once, as one Arrow table.

Parsing label files line by line in Python costs more than writing the whole dataset, so
the build joins a batch's label files into one buffer and splits and checks it with Arrow
kernels. This is the build's only label parser: it accepts exactly what
``read_label_file`` accepts (blank lines, a trailing carriage return, ``-0`` and leading
zeros) and rejects the rest with ``Rejected``, after which ``read_label_file`` serves only
to say which file, line and problem. A property test holds the two to the same verdict.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dataset.errors import Rejected
from dataset.ptc.formats import LABEL_COLUMNS
from dataset.schema import Schema

#: One row per label line: the index of its file in the batch, the label as written and
#: the offsets.
LABEL_ROWS = pa.schema(
    [("file", pa.int64()), ("label", pa.string()), ("start", pa.int64()), ("end", pa.int64())]
)
_DIGITS = "^[0-9]+$"
#: What ``parse_offset`` reads as a non-negative integer: digits, or a negative zero.
_OFFSET = "^(?:[0-9]+|-0+)$"
#: A line that ``str.strip`` empties: only the characters Python counts as whitespace.
_BLANK = "^[{}]*$".format(
    "".join(f"\\x{{{code:x}}}" for code in range(sys.maxunicode + 1) if chr(code).isspace())
)


@dataclass(frozen=True)
class LabelFile:
    """A label file's bytes, the article its name gives and that article's length."""

    path: str
    data: bytes
    article_id: str
    num_chars: int


def read_label_files(files: Sequence[LabelFile], spec: Schema) -> pa.Table:
    """The rows of all ``files`` in order (LABEL_ROWS), accepted and rejected exactly as
    ``read_label_file`` accepts and rejects them; ``Rejected`` when any file is bad."""
    rows, owner = _rows(files)
    columns = pc.split_pattern(rows, "\t")
    if not _all(pc.equal(pc.list_value_length(columns), len(LABEL_COLUMNS))):
        raise Rejected
    values = pc.list_flatten(columns)
    article_id, label, start_text, end_text = (
        values.take(pa.array(np.arange(index, len(values), len(LABEL_COLUMNS))))
        for index in range(len(LABEL_COLUMNS))
    )
    expected = pa.array([file.article_id for file in files], pa.large_string()).take(owner)
    if not (
        _all(pc.match_substring_regex(article_id, _DIGITS))
        and _all(pc.equal(article_id, expected))
        and _all(pc.is_in(label, value_set=pa.array(sorted(spec.label_names), pa.large_string())))
        and _all(pc.match_substring_regex(start_text, _OFFSET))
        and _all(pc.match_substring_regex(end_text, _OFFSET))
    ):
        raise Rejected
    try:
        start, end = (pc.cast(text, pa.int64()) for text in (start_text, end_text))
    except pa.ArrowInvalid:
        raise Rejected from None  # beyond int64: line by line it runs past the article
    num_chars = pa.array([file.num_chars for file in files], pa.int64()).take(owner)
    if not (_all(pc.less(start, end)) and _all(pc.less_equal(end, num_chars))):
        raise Rejected
    return pa.table([owner, label.cast(pa.string()), start, end], schema=LABEL_ROWS)


def _rows(files: Sequence[LabelFile]) -> tuple[pa.Array, pa.Array]:
    """The files' non-blank lines without a trailing carriage return, and the index of
    each line's file; ``Rejected`` when a file is not UTF-8. Lines end at ``\\n`` only."""
    buffers = [
        file.data if not file.data or file.data.endswith(b"\n") else file.data + b"\n"
        for file in files
    ]
    counts = np.fromiter((data.count(b"\n") for data in buffers), np.int64, len(buffers))
    owner = pa.array(np.repeat(np.arange(len(files), dtype=np.int64), counts))
    try:
        text = pa.array([b"".join(buffers)], pa.large_binary()).cast(pa.large_string())
    except pa.ArrowInvalid:
        raise Rejected from None
    lines = pc.list_flatten(pc.split_pattern(text, "\n"))[:-1]
    lines = pc.if_else(pc.ends_with(lines, "\r"), pc.utf8_slice_codeunits(lines, 0, -1), lines)
    kept = pc.invert(pc.match_substring_regex(lines, _BLANK))
    return lines.filter(kept), owner.filter(kept)


def _all(mask: pa.Array) -> bool:
    return pc.all(mask, min_count=0).as_py() is True
