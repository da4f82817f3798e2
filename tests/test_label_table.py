"""Many label files read at once accept and reject exactly what the line-by-line reader does.

The build's label parser reads a batch's files as one buffer; the line-by-line reader
(``read_label_file``) only diagnoses. They must reach the same verdict on every input,
and give the same rows when they accept: random files mixing good lines with every kind
of bad or unusual one check both.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset.errors import InputError, Rejected
from dataset.ptc.formats import read_label_file
from dataset.ptc.label_table import LABEL_ROWS, LabelFile, read_label_files
from dataset.schema import schema

NUM_CHARS = 500
LABELS = (
    "Doubt",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Flag-Waving",
    "Reductio_ad_hitlerum",
)


def reference(files: list[LabelFile]) -> pa.Table | str:
    """What the line-by-line reader makes of the files: their rows, or its first error."""
    rows: dict[str, list[object]] = {name: [] for name in LABEL_ROWS.names}
    try:
        for index, file in enumerate(files):
            for line in read_label_file(
                Path(file.path),
                article_id=file.article_id,
                num_chars=file.num_chars,
                data=file.data,
            ):
                for name, value in zip(
                    LABEL_ROWS.names, (index, line.label, line.start, line.end), strict=True
                ):
                    rows[name].append(value)
    except InputError as error:
        return str(error)
    return pa.table(rows, schema=LABEL_ROWS)


def assert_same(actual: pa.Table | None, expected: pa.Table | str) -> None:
    """Both reject, or both accept with the same rows."""
    if isinstance(expected, str):
        assert actual is None, expected
    else:
        assert isinstance(actual, pa.Table)
        assert actual.equals(expected)


def fast(files: list[LabelFile]) -> pa.Table | None:
    """The rows the build's parser reads, or None when it rejects the files."""
    try:
        return read_label_files(files, schema())
    except Rejected:
        return None


def good_line(article_id: str, label: str, start: int, length: int) -> str:
    start = min(start, NUM_CHARS - 1)
    return f"{article_id}\t{label}\t{start}\t{min(start + length, NUM_CHARS)}"


good_lines = st.builds(
    lambda label, start, length: lambda article_id: good_line(article_id, label, start, length),
    st.sampled_from(LABELS),
    st.integers(0, NUM_CHARS - 1),
    st.integers(1, 80),
)
#: Lines the line-by-line reader rejects or skips, or that Arrow reads differently.
odd_lines = st.sampled_from(
    [
        lambda a: "",
        lambda a: "   ",
        lambda a: "\t\t\t",
        lambda a: "\r",
        lambda a: f"{a}\tDoubt\t1\t5\r",
        lambda a: f"{a}\tDoubt\t1\t5\r\r",
        lambda a: f"{a}\tDoubt\t1\t5\r{a}\tDoubt\t7\t9",
        lambda a: f"{a}\tDoubt\t-0\t5",
        lambda a: f"{a}\tDoubt\t+1\t5",
        lambda a: f"{a}\tDoubt\t 1\t5",
        lambda a: f"{a}\tDoubt\t01\t05",
        lambda a: f"{a}\tDoubt\t1\t99999999999999999999999",
        lambda a: f"{a}\tDoubt\t5\t1",
        lambda a: f"{a}\tDoubt\t5\t5",
        lambda a: f"{a}\tDoubt\t1\t{NUM_CHARS + 1}",
        lambda a: f"{a}\tdoubt\t1\t5",
        lambda a: f'{a}\t"Doubt"\t1\t5',
        lambda a: f"{a}\tDoubt\t1",
        lambda a: f"{a}\tDoubt\t1\t5\t",
        lambda a: f"{a} Doubt 1 5",
        lambda a: f"\ufeff{a}\tDoubt\t1\t5",
        lambda a: f"{a}0\tDoubt\t1\t5",
        lambda a: f"x{a}\tDoubt\t1\t5",
        lambda a: f"{a}\tDoubt\t1\t5\u00a0",
        lambda a: f"{a}\tDoubt\t\u0661\t5",
    ]
)


@st.composite
def label_files(draw: st.DrawFn, odd: bool) -> list[LabelFile]:
    files = []
    for index in range(draw(st.integers(0, 4))):
        article_id = str(100 + index)
        makers = draw(st.lists(st.one_of(good_lines, odd_lines) if odd else good_lines, max_size=6))
        text = "\n".join(make(article_id) for make in makers)
        ending = draw(st.sampled_from(["", "\n", "\r\n"])) if text else ""
        data = (text + ending).encode("utf-8")
        if odd and draw(st.integers(0, 20)) == 0:
            data += b"\xff"
        files.append(LabelFile(f"article{article_id}.labels", data, article_id, NUM_CHARS))
    return files


@settings(max_examples=300, deadline=None)
@given(label_files(odd=True))
def test_same_verdict_and_rows_as_line_by_line(files: list[LabelFile]) -> None:
    assert_same(fast(files), reference(files))


@settings(max_examples=100, deadline=None)
@given(label_files(odd=False))
def test_clean_files_are_read_at_once(files: list[LabelFile]) -> None:
    at_once = fast(files)
    assert at_once is not None
    assert_same(at_once, reference(files))


@pytest.mark.parametrize(
    ("data", "accepted"),
    [
        (b"7\tDoubt\t1\t5\n\n", True),
        ("7\tDoubt\t1\t5\r\n\t \u00a0\u3000\n".encode(), True),
        (b"7\tDoubt\t-0\t5\n7\tDoubt\t007\t8", True),
        (b"7\tDoubt\t1\t5\r7\tDoubt\t2\t6\n", False),
        (b"\xef\xbb\xbf7\tDoubt\t1\t5\n", False),
        (b"7\tDoubt\t1\t5\x1c\n", False),
    ],
    ids=[
        "blank-line",
        "whitespace-lines",
        "minus-zero",
        "lone-carriage-return",
        "byte-order-mark",
        "trailing-separator",
    ],
)
def test_unusual_files_get_the_line_by_line_verdict(data: bytes, accepted: bool) -> None:
    """What Arrow's CSV reader would have read differently from the line-by-line reader:
    the one parser takes each as the diagnostics reader does."""
    files = [LabelFile("article7.labels", data, "7", NUM_CHARS)]
    expected = reference(files)
    assert isinstance(expected, pa.Table) == accepted
    assert_same(fast(files), expected)
