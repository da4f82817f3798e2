"""Deterministic rule-based sentence segmentation of PTC articles.

PTC articles come one paragraph per line, and a line may hold several sentences. We split
each line at sentence-final punctuation followed by whitespace and a capital letter, digit
or opening quote, except after common abbreviations and single-letter initials. No model is
downloaded and the result depends only on the text, so sentence offsets are reproducible
across machines and library versions (which a statistical segmenter cannot promise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Sentence-final punctuation, any closing quotes or brackets, then whitespace and the
#: start of a new sentence (possibly behind an opening quote or bracket).
_BOUNDARY = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
#: Words that end with a period without ending the sentence (lowercased, final period dropped).
ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "maj",
        "gov",
        "sen",
        "rep",
        "pres",
        "rev",
        "hon",
        "fr",
        "mt",
        "ft",
        "no",
        "nos",
        "vol",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "approx",
        "dept",
        "est",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "a.m",
        "p.m",
    }
)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph_index: int


def _is_abbreviation(text: str, period_at: int) -> bool:
    """Whether the '.' at ``period_at`` ends an abbreviation or an initial, not a sentence.

    Walks back over the word only (never rescans the line), so segmentation stays linear in
    the length of the text."""
    start = period_at
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    word = text[start:period_at].lstrip("\"'(\u201c\u2018[").lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) without surrounding whitespace (str.isspace, as strip() uses)."""
    piece = text[start:end]
    left = piece.lstrip()
    return start + len(piece) - len(left), end - len(left) + len(left.rstrip())


def split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets within ``text[start:end]``, trimmed of whitespace."""
    pieces: list[tuple[int, int]] = []
    piece_start = start
    for match in _BOUNDARY.finditer(text, start, end):
        boundary = match.end()
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        pieces.append(_trimmed(text, piece_start, boundary))
        piece_start = boundary
    pieces.append(_trimmed(text, piece_start, end))
    return [(s, e) for s, e in pieces if e > s]


def segment(text: str) -> list[Sentence]:
    """Sentences of a PTC article: the title (line 1) is one sentence in paragraph 0; each
    further non-blank line is a paragraph split into sentences. Together they cover every
    non-whitespace character exactly once."""
    sentences: list[Sentence] = []
    paragraph = 0
    line_start = 0
    first_line = True
    while line_start <= len(text):
        newline = text.find("\n", line_start)
        line_end = len(text) if newline == -1 else newline
        if first_line:
            start, end = _trimmed(text, line_start, line_end)
            if end > start:
                sentences.append(Sentence(start, end, paragraph))
            first_line = False
        elif text[line_start:line_end].strip():
            paragraph += 1
            sentences.extend(
                Sentence(start, end, paragraph)
                for start, end in split_line(text, line_start, line_end)
            )
        if newline == -1:
            break
        line_start = newline + 1
    return sentences
