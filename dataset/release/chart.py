"""technique_counts.png: spans per technique, the chart the release card shows.

Drawn with Matplotlib's Agg canvas under its default style (never the machine's
matplotlibrc) and saved without the "Software" PNG text chunk, so the same counts and the
same locked Matplotlib give the same bytes.
"""

from __future__ import annotations

import io

import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from dataset.release.bundle import Bundle
from dataset.release.palette import colour

DPI = 100


def technique_chart(bundle: Bundle) -> bytes:
    counts, info = bundle.counts, bundle.info
    labels = list(counts.techniques)
    values = [counts.techniques[label] for label in labels]
    with matplotlib.style.context("default"):
        figure = Figure(figsize=(9, 0.32 * len(labels) + 1.4), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        names = bundle.schema.techniques.names
        axes.barh(positions, values, color=[colour(label, names) for label in labels])
        axes.set_yticks(positions, labels, fontsize=9)
        axes.invert_yaxis()
        for position, value in zip(positions, values, strict=True):
            axes.annotate(
                str(value),
                (value, position),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        axes.set_xlabel("spans (all annotation layers)")
        axes.set_xlim(0, max([*values, 1]) * 1.12)
        axes.set_title(
            f"{info.pretty_name} {info.version}: spans per technique ({sum(values)} in all)",
            fontsize=11,
        )
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
