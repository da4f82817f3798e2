"""preview.html: every article with its spans highlighted and labelled by technique.

One self-contained file (inline CSS, the chart as a data URI, no script, nothing fetched),
so it opens offline anywhere. Spans may overlap, so the text is cut at every span
boundary into segments; each segment lists every span covering it, is tinted with the
colour of the shortest one and underlined once per covering span, each span on its own
lane. A span's label sits in a CSS ``::before`` pseudo-element at its start, so the page's
text is exactly the article's text and copying from it gives the real fragment.
"""

from __future__ import annotations

import base64
import html
import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from dataset.release.bundle import Bundle
from dataset.release.counts import Counts
from dataset.release.palette import colour, ink

#: A preview of a large corpus shows its first articles only.
MAX_ARTICLES = 200
LANE_PX = 3

STYLE = """
body { font: 16px/1.5 Georgia, 'DejaVu Serif', serif; margin: 2rem auto; max-width: 60rem;
       padding: 0 1rem; color: #222; background: #fff; }
h1, h2, h3, table, .legend, .meta, .tag::before { font-family: 'DejaVu Sans', Arial, sans-serif; }
.meta { color: #555; font-size: 0.9rem; }
.legend span { display: inline-block; margin: 0 0.4rem 0.3rem 0; padding: 0 0.35rem;
               border-left: 0.8rem solid var(--c); font-size: 0.85rem; }
.text { white-space: pre-wrap; line-height: 2.6; border: 1px solid #ddd; padding: 1rem; }
.seg { background: var(--bg); box-shadow: var(--lanes); border-radius: 2px; }
.tag::before { content: attr(data-label); font-size: 0.62rem; color: var(--ink);
               background: var(--c); border-radius: 3px; padding: 0 0.25rem;
               margin-right: 0.15rem; vertical-align: super; white-space: nowrap; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0 2.5rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; }
td.swatch { border-left: 0.6rem solid var(--c); }
img { max-width: 100%; }
"""


@dataclass(frozen=True)
class Span:
    number: int
    label: str
    start: int
    end: int
    text: str
    rationale: str | None
    lane: int = 0


def with_lanes(spans: list[Span]) -> list[Span]:
    """Give each span the lowest underline lane free at its start (interval colouring), so
    overlapping spans never share a lane."""
    lanes_end: list[int] = []
    placed: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.number)):
        lane = next((i for i, end in enumerate(lanes_end) if end <= span.start), len(lanes_end))
        if lane == len(lanes_end):
            lanes_end.append(span.end)
        else:
            lanes_end[lane] = span.end
        placed.append(
            Span(span.number, span.label, span.start, span.end, span.text, span.rationale, lane)
        )
    return sorted(placed, key=lambda s: s.number)


def _style(covering: list[Span]) -> str:
    inner = min(covering, key=lambda s: (s.end - s.start, s.number))
    lanes = ", ".join(
        f"0 {LANE_PX * (s.lane + 1)}px 0 0 {colour(s.label)}"
        for s in sorted(covering, key=lambda s: s.lane)
    )
    return f"--bg: {colour(inner.label)}40; --lanes: {lanes}"


def highlight(text: str, spans: list[Span]) -> str:
    """The text as HTML with every span marked; overlapping spans split into segments."""
    spans = with_lanes(spans)
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    starts: dict[int, list[Span]] = defaultdict(list)
    for span in spans:
        starts[span.start].append(span)
    parts: list[str] = []
    for left, right in itertools.pairwise(cuts):
        for span in sorted(starts.get(left, []), key=lambda s: s.lane):
            parts.append(
                f'<span class="tag" style="--c: {colour(span.label)}; '
                f'--ink: {ink(colour(span.label))}" '
                f'data-label="{span.number} {html.escape(span.label)}"></span>'
            )
        piece = html.escape(text[left:right], quote=False)
        covering = [s for s in spans if s.start <= left and right <= s.end]
        if not covering:
            parts.append(piece)
            continue
        ids = " ".join(str(s.number) for s in covering)
        title = html.escape("; ".join(f"{s.number} {s.label}" for s in covering))
        parts.append(
            f'<mark class="seg" data-spans="{ids}" title="{title}" '
            f'style="{_style(covering)}">{piece}</mark>'
        )
    return "".join(parts)


def _span_table(spans: list[Span]) -> str:
    rows = "".join(
        f'<tr><td class="swatch" style="--c: {colour(s.label)}">{s.number}</td>'
        f"<td>{html.escape(s.label)}</td><td>{s.start}\N{EN DASH}{s.end}</td>"
        f"<td>{html.escape(s.text)}</td><td>{html.escape(s.rationale or '')}</td></tr>"
        for s in spans
    )
    return (
        "<table><thead><tr><th>#</th><th>technique</th><th>offsets</th><th>fragment</th>"
        f"<th>rationale</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _legend(counts: Counts) -> str:
    return "".join(
        f'<span style="--c: {colour(label)}">{html.escape(label)} ({rows})</span>'
        for label, rows in counts.techniques.items()
    )


def preview_html(bundle: Bundle, chart_png: bytes) -> str:
    info, counts = bundle.info, bundle.counts
    articles = bundle.rows("articles", ["article_id", "title", "text"])
    span_rows = bundle.rows(
        "spans", ["article_id", "layer", "label", "start", "end", "text", "rationale"]
    )
    by_article: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for row in span_rows:
        by_article[str(row["article_id"])].setdefault(str(row["layer"]), []).append(row)
    shown = articles[:MAX_ARTICLES]
    sections: list[str] = []
    for article in shown:
        article_id, text = str(article["article_id"]), str(article["text"])
        layers = by_article.get(article_id) or {"(not annotated)": []}
        blocks: list[str] = []
        for layer, rows in sorted(layers.items()):
            spans = [
                Span(
                    number=i,
                    label=str(r["label"]),
                    start=int(str(r["start"])),
                    end=int(str(r["end"])),
                    text=str(r["text"]),
                    rationale=None if r["rationale"] is None else str(r["rationale"]),
                )
                for i, r in enumerate(rows, start=1)
            ]
            blocks.append(
                f"<h3>Layer <code>{html.escape(layer)}</code>: {len(spans)} span(s)</h3>"
                f'<div class="text" data-article="{html.escape(article_id)}" '
                f'data-layer="{html.escape(layer)}">{highlight(text, spans)}</div>'
                + (_span_table(spans) if spans else "")
            )
        sections.append(
            f'<article id="article-{html.escape(article_id)}">'
            f"<h2>{html.escape(str(article['title']))}</h2>"
            f'<p class="meta">article {html.escape(article_id)}, {len(text)} characters</p>'
            + "".join(blocks)
            + "</article>"
        )
    more = (
        f'<p class="meta">Showing the first {MAX_ARTICLES} of {len(articles)} articles.</p>'
        if len(articles) > MAX_ARTICLES
        else ""
    )
    chart = base64.b64encode(chart_png).decode("ascii")
    title = f"{info.pretty_name} {info.version}: preview"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f'<p class="meta">{counts.tables["articles"]} article(s), {counts.tables["spans"]} '
        f"span(s), released {info.date.isoformat()}. Each highlighted stretch is a span; its "
        "label and number sit at its start, and overlapping spans are underlined on separate "
        "lanes (hover a stretch to list every span covering it).</p>\n"
        f'<div class="legend">{_legend(counts)}</div>\n'
        f'<img alt="Spans per technique" src="data:image/png;base64,{chart}">\n'
        f"{more}{''.join(sections)}\n</body>\n</html>\n"
    )
