"""Reading many PTC label files at once, as one Arrow table.

Parsing label files line by line in Python costs more than writing the whole dataset, so
the build joins a batch's label files into one tab-separated buffer, lets pyarrow's CSV
reader parse it, cuts the rows per file by counting newlines and checks them with Arrow
kernels. ``read_label_file`` stays the reference: whenever the buffer does not parse or a
check fails, the files are read again one by one with it, which raises the first error
with its file, line, problem and fix, or, when the fast reader was only unsure (a blank
line, a lone carriage return, ``-0``), returns the rows it accepts. Either way the table
is exactly what ``read_label_file`` reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from dataset.ptc.formats import LABEL_COLUMNS, known_labels, read_label_file

#: One row per label line: the index of its file in the batch, the label as written and
#: the offsets.
LABEL_ROWS = pa.schema(
    [("file", pa.int64()), ("label", pa.string()), ("start", pa.int64()), ("end", pa.int64())]
)
_NAMES = ("article_id", "label", "start", "end")
_READ = pv.ReadOptions(column_names=list(_NAMES), use_threads=False)
#: No quoting and no escapes: PTC's label files are plain tab-separated lines, and a quote
#: is an ordinary character (which then fails the checks, as it does line by line).
_PARSE = pv.ParseOptions(
    delimiter="\t", quote_char=False, escape_char=False, ignore_empty_lines=False
)
_CONVERT = pv.ConvertOptions(
    column_types=dict.fromkeys(_NAMES, pa.string()), strings_can_be_null=False
)
_EMPTY = pa.schema([(name, pa.string()) for name in _NAMES]).empty_table()
_DIGITS = "^[0-9]+$"
_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
assert len(_NAMES) == len(LABEL_COLUMNS)


@dataclass(frozen=True)
class LabelFile:
    """A label file's bytes, the article its name gives and that article's length."""

    path: str
    data: bytes
    article_id: str
    num_chars: int


def read_label_files(files: Sequence[LabelFile]) -> pa.Table:
    """The rows of all ``files`` in order (LABEL_ROWS), accepted and rejected exactly as
    ``read_label_file`` accepts and rejects them."""
    return _read_at_once(files) or _read_one_by_one(files)


def _read_at_once(files: Sequence[LabelFile]) -> pa.Table | None:
    """The rows, or None when anything is not plainly right."""
    parsed = _parse(files)
    if parsed is None:
        return None
    rows, owner = parsed
    expected = pa.array([file.article_id for file in files], pa.string()).take(owner)
    if not (
        _all(pc.equal(rows["article_id"], expected))
        and _all(pc.is_in(rows["label"], value_set=_known()))
        and _all(pc.match_substring_regex(rows["start"], _DIGITS))
        and _all(pc.match_substring_regex(rows["end"], _DIGITS))
    ):
        return None
    try:
        start, end = (pc.cast(rows[column], pa.int64()) for column in ("start", "end"))
    except pa.ArrowInvalid:
        return None  # too large for int64: line by line it runs past the article
    num_chars = pa.array([file.num_chars for file in files], pa.int64()).take(owner)
    if not (_all(pc.less(start, end)) and _all(pc.less_equal(end, num_chars))):
        return None
    return pa.table([owner, rows["label"], start, end], schema=LABEL_ROWS)


def _parse(files: Sequence[LabelFile]) -> tuple[pa.Table, pa.Array] | None:
    """The files' lines split into string columns, and the index of each line's file; None
    when the joined buffer does not split into exactly one row per line."""
    buffers = [
        file.data if not file.data or file.data.endswith(b"\n") else file.data + b"\n"
        for file in files
    ]
    counts = np.fromiter((data.count(b"\n") for data in buffers), np.int64, len(buffers))
    owner = pa.array(np.repeat(np.arange(len(files), dtype=np.int64), counts))
    data = b"".join(buffers)
    if not data:
        return _EMPTY, owner
    if data.startswith(_BYTE_ORDER_MARK):
        return None  # Arrow skips a leading byte order mark; line by line it is an error
    try:
        rows = pv.read_csv(pa.py_buffer(data), _READ, _PARSE, _CONVERT)
    except pa.ArrowInvalid:
        return None
    if rows.num_rows != len(owner):
        return None  # a lone "\r" ends a row for Arrow but not a line
    return rows, owner


def _all(mask: pa.Array) -> bool:
    return pc.all(mask, min_count=0).as_py() is True


def _read_one_by_one(files: Sequence[LabelFile]) -> pa.Table:
    """The reference reader, file by file: raises the first error, else gives the rows."""
    owner: list[int] = []
    labels: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, file in enumerate(files):
        for line in read_label_file(
            Path(file.path), article_id=file.article_id, num_chars=file.num_chars, data=file.data
        ):
            owner.append(index)
            labels.append(line.label)
            starts.append(line.start)
            ends.append(line.end)
    return pa.table([owner, labels, starts, ends], schema=LABEL_ROWS)


@cache
def _known() -> pa.Array:
    return pa.array(sorted(known_labels()), pa.string())
