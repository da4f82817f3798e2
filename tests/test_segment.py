"""The sentence segmenter tiles any text and splits where a reader would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dataset.build.segment import segment, split_line

ALPHABET = st.sampled_from([*"Ab c.!?\u00a0\n\u201c\u201d\"'()5é", "Mr.", "U.S.", " J. "])
TEXTS = st.lists(ALPHABET, max_size=80).map("".join)


@given(TEXTS)
def test_sentences_tile_every_non_blank_character(text: str) -> None:
    cursor = 0
    for sentence in segment(text):
        assert sentence.end > sentence.start
        assert text[cursor : sentence.start].strip() == "", "gaps hold whitespace only"
        piece = text[sentence.start : sentence.end]
        assert piece == piece.strip(), "sentences never start or end with whitespace"
        assert "\n" not in piece, "a sentence never crosses a line"
        cursor = sentence.end
    assert text[cursor:].strip() == ""


@given(TEXTS)
def test_paragraphs_count_non_blank_lines(text: str) -> None:
    sentences = segment(text)
    indices = [s.paragraph_index for s in sentences]
    assert indices == sorted(indices)
    lines = text.split("\n")
    body_paragraphs = sum(1 for line in lines[1:] if line.strip())
    assert (max(indices) if indices else 0) == body_paragraphs


def pieces(line: str) -> list[str]:
    return [line[s:e] for s, e in split_line(line, 0, len(line))]


def test_splits_at_sentence_ends_and_after_closing_quotes() -> None:
    assert pieces("He said, \u201cStop.\u201d He left. Did he? Yes!") == [
        "He said, \u201cStop.\u201d",
        "He left.",
        "Did he?",
        "Yes!",
    ]


def test_keeps_abbreviations_initials_and_lowercase_continuations() -> None:
    assert pieces("Mr. Smith met U.S. envoys and J. Doe. It was 3 p.m. sharp.") == [
        "Mr. Smith met U.S. envoys and J. Doe.",
        "It was 3 p.m. sharp.",
    ]
    assert pieces("Version 2.5 is out... and more.") == ["Version 2.5 is out... and more."]


def test_title_is_one_sentence_and_paragraph_zero() -> None:
    text = "Is it over? Maybe\n\nFirst. Second.\n\nThird.\u00a0\n\n"
    assert [(text[s.start : s.end], s.paragraph_index) for s in segment(text)] == [
        ("Is it over? Maybe", 0),
        ("First.", 1),
        ("Second.", 1),
        ("Third.", 2),
    ]
