"""The preview marks every span, overlapping ones included, without changing the text."""

from __future__ import annotations

import datetime
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from dataset.builder.pipeline import BuildResult
from dataset.release.bundle import load_bundle
from dataset.release.info import ReleaseInfo
from dataset.release.preview import CHIP_PX, Span, highlight, lanes, painter, preview_html
from dataset.schema import schema


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


def span(start: int, end: int, label: str = "Loaded_Language") -> Span:
    return Span("maintainers", label, None, None, start, end, None)


def parse(markup: str) -> Segments:
    parser = Segments()
    parser.feed(markup)
    parser.close()
    return parser


def test_overlapping_spans_cover_exactly_their_characters() -> None:
    text = "Déjà vu <all> over & again, and again."
    spans = [
        span(0, 12),
        span(5, 20, "Doubt"),
        span(5, 20, "Repetition"),
        span(15, 38, "Slogans"),
        span(21, 26),
    ]
    parsed = parse(highlight(text, spans, painter(schema())))
    assert parsed.text == text
    for index in range(len(text)):
        expected = {n for n, s in enumerate(spans, start=1) if s.start <= index < s.end}
        assert parsed.covering[index] == expected, (index, text[index])
    assert sorted(parsed.tags) == sorted(f"{n} {s.label}" for n, s in enumerate(spans, start=1))


def test_overlapping_spans_never_share_an_underline_lane() -> None:
    spans = [span(0, 10), span(2, 4), span(3, 12), span(10, 11)]
    lane_of = lanes(spans)
    for i, a in enumerate(spans):
        for j, b in enumerate(spans):
            if i < j and a.start < b.end and b.start < a.end:
                assert lane_of[i] != lane_of[j]
    assert lane_of[3] == 0


def test_text_is_escaped_and_untouched_without_spans() -> None:
    text = "<b>\"bold\"</b> & 'it' \u00a0 \n\n"
    markup = highlight(text, [], painter(schema()))
    assert parse(markup).text == text
    assert "<b>" not in markup and markup == html.escape(text).replace("&#x27;", "&#39;").replace(
        "&quot;", "&#34;"
    )


def test_the_preview_of_a_build_is_self_contained(built: BuildResult) -> None:
    info = ReleaseInfo("0.0.0", datetime.date(2026, 1, 1), "", schema=schema())
    page = preview_html(load_bundle(built.out, info), b"\x89PNG")
    assert f"font-size: {CHIP_PX}px" in page and CHIP_PX >= 12
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page
    blocks = re.findall(r'<div class="text"[^>]*>(.*?)</div>', page, re.DOTALL)
    article = (Path(built.out).parent / "raw" / "articles").glob("*.txt")
    assert [parse(block).text for block in blocks] == [p.read_text("utf-8") for p in article]
    assert page.count('class="tag"') == built.rows("spans")
