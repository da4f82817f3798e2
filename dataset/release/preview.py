"""preview.html: every article with its spans highlighted and labelled by technique.

One self-contained file (inline CSS, the chart as a data URI, no script, nothing fetched),
so it opens offline anywhere; rendered from ``templates/preview.html`` with Jinja2, which
escapes every text from the data. Spans may overlap, so the text is cut at every span
boundary into segments; each segment lists every span covering it, is tinted with the
colour of the shortest one and underlined once per covering span, each span on its own
lane. A span's label sits in a CSS ``::before`` pseudo-element at its start (a chip of
``CHIP_PX`` pixels, readable at normal zoom), so the page's text is exactly the article's
text and copying from it gives the real fragment.
"""

from __future__ import annotations

import base64
import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from markupsafe import Markup

from dataset.release.bundle import Bundle
from dataset.release.palette import MIN_DELTA_E_2000, colour, ink
from dataset.release.render import render
from dataset.schema import Schema

#: A preview of a large corpus shows its first articles only.
MAX_ARTICLES = 200
LANE_PX = 3
#: Size of a span's label chip: the page's body text is 16 px, and browsers' minimum
#: readable size settings start at 12 px.
CHIP_PX = 13
#: Alpha (hex) of the tint behind a covered stretch.
TINT = "40"
#: A label's colour (``palette.colour`` under one schema's techniques).
Paint = Callable[[str], str]


@dataclass(frozen=True)
class Span:
    """A row of the spans table, as the preview marks it (read back from the Parquet, so
    the preview shows what was built)."""

    layer: str
    label: str
    technique: int | None
    semeval_class: int | None
    start: int
    end: int
    rationale: str | None


@dataclass(frozen=True)
class Segment:
    """A stretch of text covered by the same spans (numbered from 1, in layer order)."""

    text: str
    #: Spans that start here, by lane.
    starts: list[int]
    #: Spans covering the whole stretch.
    covering: list[int]
    style: str


def lanes(spans: Sequence[Span]) -> list[int]:
    """Each span's underline lane: the lowest lane free at its start (interval colouring),
    so overlapping spans never share a lane."""
    lanes_end: list[int] = []
    lane_of = [0] * len(spans)
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, -spans[i].end, i))
    for index in order:
        span = spans[index]
        lane = next((i for i, end in enumerate(lanes_end) if end <= span.start), len(lanes_end))
        if lane == len(lanes_end):
            lanes_end.append(span.end)
        else:
            lanes_end[lane] = span.end
        lane_of[index] = lane
    return lane_of


def _style(spans: Sequence[Span], lane_of: list[int], covering: list[int], paint: Paint) -> str:
    inner = min(covering, key=lambda n: (spans[n - 1].end - spans[n - 1].start, n))
    underlines = ", ".join(
        f"0 {LANE_PX * (lane_of[n - 1] + 1)}px 0 0 {paint(spans[n - 1].label)}"
        for n in sorted(covering, key=lambda n: lane_of[n - 1])
    )
    return f"--bg: {paint(spans[inner - 1].label)}{TINT}; --lanes: {underlines}"


def segments(text: str, spans: Sequence[Span], paint: Paint) -> list[Segment]:
    """The text cut at every span boundary, with the spans starting at and covering each
    piece; span ``n`` is ``spans[n - 1]``."""
    lane_of = lanes(spans)
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    starts: dict[int, list[int]] = defaultdict(list)
    for number, span in enumerate(spans, start=1):
        starts[span.start].append(number)
    pieces: list[Segment] = []
    for left, right in itertools.pairwise(cuts):
        covering = [n for n, s in enumerate(spans, start=1) if s.start <= left and right <= s.end]
        pieces.append(
            Segment(
                text=text[left:right],
                starts=sorted(starts.get(left, []), key=lambda n: lane_of[n - 1]),
                covering=covering,
                style=_style(spans, lane_of, covering, paint) if covering else "",
            )
        )
    return pieces


def highlight(text: str, spans: Sequence[Span], paint: Paint) -> str:
    """The text as HTML with every span marked in the colour ``paint`` gives its label;
    overlapping spans split into segments."""
    pieces = segments(text, spans, paint)
    return render("marked.html", segments=pieces, spans=spans, colour=paint, ink=ink)


def painter(spec: Schema) -> Paint:
    """Each label's colour under the schema's techniques."""
    return partial(colour, techniques=spec.techniques.names)


def _span(row: dict[str, Any]) -> Span:
    return Span(
        layer=row["layer"],
        label=row["label"],
        technique=row["technique"],
        semeval_class=row["semeval_class"],
        start=row["start"],
        end=row["end"],
        rationale=row["rationale"],
    )


def preview_html(bundle: Bundle, chart_png: bytes) -> str:
    info, counts, paint = bundle.info, bundle.counts, painter(bundle.schema)
    articles = bundle.rows("articles", ["article_id", "title", "text"])
    columns = ["article_id", "layer", "label", "technique", "semeval_class", "start", "end"]
    by_article: dict[str, dict[str, list[Span]]] = defaultdict(dict)
    for row in bundle.rows("spans", [*columns, "rationale"]):
        by_article[row["article_id"]].setdefault(row["layer"], []).append(_span(row))
    shown = []
    for article in articles[:MAX_ARTICLES]:
        text = article["text"]
        layers = by_article.get(article["article_id"]) or {"(not annotated)": []}
        shown.append(
            {
                "id": article["article_id"],
                "title": article["title"],
                "text": text,
                "chars": len(text),
                "layers": [
                    # highlight's output is HTML that Jinja2 escaped as it rendered it
                    {"name": name, "spans": spans, "marked": Markup(highlight(text, spans, paint))}
                    for name, spans in sorted(layers.items())
                ],
            }
        )
    return render(
        "preview.html",
        title=f"{info.pretty_name} {info.version}: preview",
        articles_count=counts.tables["articles"],
        spans_count=counts.tables["spans"],
        date=info.date.isoformat(),
        min_delta_e=f"{MIN_DELTA_E_2000:.1f}",
        chip_px=CHIP_PX,
        legend=list(counts.techniques.items()),
        colour=paint,
        chart=base64.b64encode(chart_png).decode("ascii"),
        more=len(articles) > MAX_ARTICLES,
        shown=MAX_ARTICLES,
        total=len(articles),
        articles=shown,
    )
