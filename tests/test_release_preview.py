"""The preview marks every span, overlapping ones included, without changing the text."""

from __future__ import annotations

import datetime
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from dataset.build.pipeline import BuildResult
from dataset.release.bundle import load_bundle
from dataset.release.info import ReleaseInfo
from dataset.release.preview import Span, highlight, preview_html, with_lanes


class Segments(HTMLParser):
    """The text of a highlighted block, and for each character the spans covering it."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.covering: list[set[int]] = []
        self.tags: list[str] = []
        self._open: set[int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "mark":
            self._open = {int(n) for n in (values["data-spans"] or "").split()}
        elif values.get("class") == "tag":
            self.tags.append(values["data-label"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._open = None

    def handle_data(self, data: str) -> None:
        self.text += data
        self.covering += [set(self._open or ())] * len(data)


def span(number: int, start: int, end: int, label: str = "Loaded_Language") -> Span:
    return Span(number, label, start, end, "", None)


def parse(markup: str) -> Segments:
    parser = Segments()
    parser.feed(markup)
    parser.close()
    return parser


def test_overlapping_spans_cover_exactly_their_characters() -> None:
    text = "Déjà vu <all> over & again, and again."
    spans = [
        span(1, 0, 12),
        span(2, 5, 20, "Doubt"),
        span(3, 5, 20, "Repetition"),
        span(4, 15, 38, "Slogans"),
        span(5, 21, 26),
    ]
    parsed = parse(highlight(text, spans))
    assert parsed.text == text
    for index in range(len(text)):
        expected = {s.number for s in spans if s.start <= index < s.end}
        assert parsed.covering[index] == expected, (index, text[index])
    assert sorted(parsed.tags) == sorted(f"{s.number} {s.label}" for s in spans)


def test_overlapping_spans_never_share_an_underline_lane() -> None:
    spans = with_lanes([span(1, 0, 10), span(2, 2, 4), span(3, 3, 12), span(4, 10, 11)])
    lanes = {s.number: s.lane for s in spans}
    for a in spans:
        for b in spans:
            if a.number < b.number and a.start < b.end and b.start < a.end:
                assert lanes[a.number] != lanes[b.number]
    assert lanes[4] == 0


def test_text_is_escaped_and_untouched_without_spans() -> None:
    text = "<b>bold</b> & \u00a0 \n\n"
    markup = highlight(text, [])
    assert markup == html.escape(text, quote=False)


def test_the_preview_of_a_build_is_self_contained(built: BuildResult) -> None:
    info = ReleaseInfo("0.0.0", datetime.date(2026, 1, 1), "")
    page = preview_html(load_bundle(built.out, info), b"\x89PNG")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page
    blocks = re.findall(r'<div class="text"[^>]*>(.*?)</div>', page, re.DOTALL)
    article = (Path(built.out).parent / "raw" / "articles").glob("*.txt")
    assert [parse(block).text for block in blocks] == [p.read_text("utf-8") for p in article]
    assert page.count('class="tag"') == built.rows("spans")
