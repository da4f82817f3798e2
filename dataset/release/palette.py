"""One colour per technique, shared by the chart and the preview so they read together.

Matplotlib's tab20 colours, dark shades first, so neighbouring technique ids differ.
"""

from __future__ import annotations

from dataset.schema import schema

COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#dbdb8d",
)
#: For labels that are not PTC techniques (a merged SemEval-2020 class given alone).
OTHER = "#9edae5"


def colour(label: str) -> str:
    names = schema().techniques.names
    return COLOURS[names.index(label) % len(COLOURS)] if label in names else OTHER


def ink(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG relative luminance)."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(background[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000" if luminance > 0.179 else "#fff"
