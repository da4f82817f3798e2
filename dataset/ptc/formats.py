"""Reading files in the formats of the Propaganda Techniques Corpus (PTC).

PTC distributes one ``article<ID>.txt`` per article and one tab-separated label file per
article (``article<ID>.labels``, ``article<ID>.labels.tsv`` or, as in SemEval-2020 Task 11,
``article<ID>.task2-TC.labels``). This module recognises those names, reads the files
without altering a byte, and turns every malformed line into an InputError that says which
file, which line, what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from dataset.errors import InputError, not_utf8
from dataset.schema import Schema, schema

ARTICLE_NAME = re.compile(r"^article(?P<id>[^.]*)\.txt$")
LABEL_NAME = re.compile(r"^article(?P<id>[^.]*)(?:\.(?P<layer>[^.]+))?\.labels(?:\.tsv)?$")
RATIONALE_NAME = re.compile(r"^article(?P<id>[^.]*)\.(?P<layer>[^.]+)\.rationale\.tsv$")
PROVENANCE_NAME = re.compile(r"^article(?P<id>[^.]*)\.provenance\.ya?ml$")
LAYER = re.compile(r"^[A-Za-z0-9_-]+$")
#: C0 control characters other than tab, newline and carriage return: never part of an
#: article's text (a NUL is the mark of a binary file or a broken extraction).
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
INTEGER = re.compile(r"^-?[0-9]+$")
LABEL_COLUMNS = ("article ID", "technique", "start", "end")
RATIONALE_HEADER = "technique\tstart\tend\trationale"
#: SemEval-2020 span-identification files carry no technique; the TC files beside them
#: hold the same spans with labels, so the builder skips them.
SPAN_IDENTIFICATION_LAYERS = frozenset({"task1-SI"})


def is_input_name(name: str) -> bool:
    """A name discovery takes as an article, label, rationale or provenance file."""
    return name.startswith("article") and any(
        pattern.match(name)
        for pattern in (ARTICLE_NAME, LABEL_NAME, RATIONALE_NAME, PROVENANCE_NAME)
    )


@dataclass(frozen=True)
class LabelLine:
    article_id: str
    label: str
    start: int
    end: int
    line: int


def checked_article_id(path: Path, candidate: str) -> str:
    """The digits of a file name, or an InputError: IDs are digits and nothing else, so no
    name can smuggle path separators or other surprises into the output."""
    if not is_digits(candidate):
        raise InputError(
            path,
            f"the article ID {candidate!r} in the file name is not a string of digits",
            "rename the file to article<ID>.txt (or article<ID>.<layer>.labels) with a "
            "digits-only ID, as PTC does",
        )
    return candidate


def checked_layer(path: Path, candidate: str) -> str:
    if not LAYER.match(candidate):
        raise InputError(
            path,
            f"the layer name {candidate!r} in the file name may only use letters, digits, "
            "'_' and '-'",
            "rename the file to article<ID>.<layer>.labels with a plain layer name",
        )
    return candidate


def parse_label_file_name(name: str) -> tuple[str, str | None] | None:
    """``article123.maintainers.labels`` gives ("123", "maintainers"), ``article123.labels``
    gives ("123", None), anything else None. The ID is not checked here."""
    match = LABEL_NAME.match(name)
    if match is None:
        return None
    return match["id"], match["layer"]


def is_digits(value: str) -> bool:
    """ASCII digits only (str.isdigit alone accepts other scripts' digits)."""
    return value.isascii() and value.isdigit()


def read_article(path: Path, data: bytes | None = None) -> str:
    """The article exactly as stored: decoded as UTF-8 with no newline translation.
    ``data`` is the file's bytes when the caller has read them already."""
    if data is None:
        data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise not_utf8(
            path,
            error,
            "re-save the article as UTF-8 from the original source; offsets count code "
            "points of the UTF-8 text, so no other encoding can be read",
        ) from None
    control = CONTROL_CHARACTER.search(text)
    if control is not None:
        raise control_character(path, text, control.start())
    if not text.strip():
        raise InputError(
            path,
            "the article is empty" if not text else "the article holds only whitespace",
            "put the article's title on line 1 and its body from line 3, or remove the "
            "file and its label files",
        )
    return text


def control_character(path: Path, text: str, offset: int) -> InputError:
    """The first C0 control character of an article, where a text editor would show it."""
    code = ord(text[offset])
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    name = " (NUL)" if code == 0 else ""
    return InputError(
        path,
        f"a control character U+{code:04X}{name} at offset {offset} (column {column}): an "
        "article is plain text, where only tab, newline and carriage return are allowed",
        "remove the control characters (e.g. tr -d '\\000-\\010\\013\\014\\016-\\037' "
        "< in > out, left over from a binary or PDF extraction), then check that the "
        "label files' offsets still point at their fragments",
        line=line,
    )


#: A UTF-8 byte order mark decodes to U+FEFF at offset 0; it stays in the text (offsets
#: count it, as PTC's tools would) but is not part of the title.
BYTE_ORDER_MARK = "\ufeff"


def breaks_span_boundary(char: str, spec: Schema | None = None) -> bool:
    """True for characters that may not open or close a span (PTC's version-2 rule, as the
    schema states it; ``spec`` None: the schema of ``dataset.schema.schema``)."""
    return (spec or schema()).dataset.span_boundary.breaks(char)


def article_order(article_id: str, spec: Schema | None = None) -> tuple[int, str] | str:
    """The sort key of an article ID, as the schema orders the articles table."""
    key = (spec or schema()).tables["articles"].sort_key("article_id")
    return key(article_id) if key is not None else article_id


def title_of(text: str) -> str:
    """Line 1 of the article, the title: without a leading byte order mark and without its
    line break (``\n`` or ``\r\n``). The one title rule, used by the build and validation."""
    first = text.split("\n", 1)[0].removeprefix(BYTE_ORDER_MARK)
    return first.removesuffix("\r")


def line_ranges(text: str) -> list[tuple[int, int]]:
    """PTC's sentence-level unit (NLP4IF-2019 SLC): the article file's lines, as code-point
    ranges ``[start, end)``. Line *i* runs from the end of line *i-1* to its own end,
    including its ``\n``, as PTC's own tool derives the SLC gold, so the lines tile the
    text. A last line without ``\n`` counts; the empty string after a final ``\n`` does not."""
    ranges: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        newline = text.find("\n", start)
        end = len(text) if newline < 0 else newline + 1
        ranges.append((start, end))
        start = end
    return ranges


def decode_lines(path: Path, data: bytes | None = None) -> list[str]:
    """A tab-separated file's lines, split at "\n" only (a "\r" stays for the caller)."""
    if data is None:
        data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise not_utf8(path, error, "re-save the file as UTF-8") from None
    return text.split("\n")


def parse_offset(path: Path, number: int, column: str, value: str) -> int:
    """Column ``column`` of line ``number`` as a code-point offset, or an InputError."""
    if is_digits(value):
        return int(value)
    if not INTEGER.match(value):
        raise InputError(
            path,
            f"the {column} offset {value!r} is not an integer",
            "write offsets as plain non-negative integers counting code points from the "
            "start of the article file",
            line=number,
        )
    offset = int(value)
    if offset < 0:
        raise InputError(
            path,
            f"the {column} offset {offset} is negative",
            "offsets count code points from 0, the first character of the title",
            line=number,
        )
    return offset


def read_label_file(
    path: Path,
    *,
    article_id: str | None = None,
    num_chars: int | None = None,
    data: bytes | None = None,
    spec: Schema | None = None,
) -> list[LabelLine]:
    """Read a PTC technique-classification label file.

    When ``article_id`` is given, every line's ID must equal it (the ID of the file name);
    when ``num_chars`` is given, offsets must lie inside the article. Blank lines are
    skipped; a trailing carriage return is tolerated.
    """
    known = (spec or schema()).label_names
    lines: list[LabelLine] = []
    for number, raw in enumerate(decode_lines(path, data), start=1):
        row = raw.removesuffix("\r")
        if row.strip():
            lines.append(
                _label_line(path, number, row, known, article_id=article_id, num_chars=num_chars)
            )
    return lines


def _label_line(
    path: Path,
    number: int,
    row: str,
    known: AbstractSet[str],
    *,
    article_id: str | None,
    num_chars: int | None,
) -> LabelLine:
    """Line ``number`` of a label file, checked column by column."""
    columns = row.split("\t")
    if len(columns) != len(LABEL_COLUMNS):
        raise InputError(
            path,
            f"expected {len(LABEL_COLUMNS)} tab-separated columns "
            f"({', '.join(LABEL_COLUMNS)}), found {len(columns)}: {row!r}",
            "separate the columns with single tabs; technique names contain commas, never tabs",
            line=number,
        )
    line_id, label, start_text, end_text = columns
    _check_article_id(path, number, line_id, article_id)
    if label not in known:
        raise InputError(
            path,
            f"unknown technique {label!r}",
            "use one of the 18 PTC technique names or the 14 SemEval-2020 class names "
            "exactly as spelled in schemas/propaganda_spans.yaml (case, commas and "
            "hyphens matter)",
            line=number,
        )
    start = parse_offset(path, number, "start", start_text)
    end = parse_offset(path, number, "end", end_text)
    _check_span(path, number, start, end, num_chars)
    return LabelLine(article_id=line_id, label=label, start=start, end=end, line=number)


def _check_article_id(path: Path, number: int, line_id: str, article_id: str | None) -> None:
    """Column 1 holds digits, the file name's ID when one is given."""
    if not is_digits(line_id):
        raise InputError(
            path,
            f"the article ID {line_id!r} in column 1 is not a string of digits",
            "column 1 holds the digits of the article file name",
            line=number,
        )
    if article_id is not None and line_id != article_id:
        raise InputError(
            path,
            f"column 1 says article {line_id} but the file name says article {article_id}",
            f"put this line in article{line_id}'s label file, or correct column 1",
            line=number,
        )


def _check_span(path: Path, number: int, start: int, end: int, num_chars: int | None) -> None:
    """A span is not empty nor reversed, and lies inside the article when its length is
    given."""
    if start >= end:
        raise InputError(
            path,
            f"start {start} is not before end {end}"
            + (" (the offsets are reversed)" if start > end else " (the span is empty)"),
            "write start (inclusive) then end (exclusive), with end > start",
            line=number,
        )
    if num_chars is not None and end > num_chars:
        raise InputError(
            path,
            f"the span {start}-{end} runs past the end of the article, which has "
            f"{num_chars} code points",
            "offsets count Unicode code points, not bytes; recompute them against the "
            "raw article text",
            line=number,
        )


def read_rationale_file(path: Path, data: bytes | None = None) -> dict[tuple[str, int, int], str]:
    """Rationales keyed by (label, start, end), from a TSV with the header
    ``technique, start, end, rationale``."""
    rows = decode_lines(path, data)
    header = RATIONALE_HEADER.split("\t")
    if rows[0].removesuffix("\r") != RATIONALE_HEADER:
        raise InputError(
            path,
            f"the header is {rows[0]!r}, expected {RATIONALE_HEADER!r}",
            "start the file with the tab-separated header technique, start, end, rationale",
            line=1,
        )
    rationales: dict[tuple[str, int, int], str] = {}
    for number, raw in enumerate(rows[1:], start=2):
        row = raw.removesuffix("\r")
        if not row.strip():
            continue
        columns = row.split("\t")
        if len(columns) != len(header):
            raise InputError(
                path,
                f"expected 4 tab-separated columns, found {len(columns)}",
                "write technique, start, end and a one-line rationale without tabs",
                line=number,
            )
        label, start_text, end_text, rationale = columns
        key = (
            label,
            parse_offset(path, number, "start", start_text),
            parse_offset(path, number, "end", end_text),
        )
        rationales[key] = rationale
    return rationales


def check_rationales(
    path: Path,
    layer: str,
    rationales: Mapping[tuple[str, int, int], str],
    labelled: AbstractSet[tuple[str, int, int]],
) -> None:
    """Every rationale must explain a span of its layer's label file: ``labelled`` holds
    the (label, start, end) of that file's lines."""
    stray = sorted(set(rationales) - labelled)
    if stray:
        label, start, end = stray[0]
        raise InputError(
            path,
            f"a rationale for {label} {start}-{end}, which is not a span of the "
            f"{layer} label file ({len(stray)} such rationale(s) in all)",
            "regenerate labels and rationales together with `python -m dataset annotate`",
        )
