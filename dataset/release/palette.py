"""One colour per technique, shared by the chart and the preview so they read together.

Every pair of the 19 colours (the 18 techniques in id order, then ``OTHER`` for a merged
SemEval-2020 class given alone) is told apart: their CIEDE2000 colour difference (the
CIE's 2000 formula, in CIELAB under D65) is at least ``MIN_DELTA_E_2000``, where 2 is
barely perceptible side by side and 10 is a clear difference. The colours were picked by
farthest-point search, then swaps that raise the minimum, over a grid of the sRGB gamut in
CIE LCh, among colours that stay visible as an underline on white (contrast 1.5:1 or more)
and carry a black or white label at WCAG AA contrast (4.5:1); the tests recompute both
properties with an independent implementation (coloraide).
"""

from __future__ import annotations

from collections.abc import Sequence

COLOURS = (
    "#4b6dfb",
    "#edc814",
    "#d5120b",
    "#585d12",
    "#fcb5f5",
    "#970b6c",
    "#21e5d0",
    "#ecc3b1",
    "#5f3e30",
    "#8d9b76",
    "#ae7410",
    "#f5467e",
    "#194f48",
    "#8f7a9b",
    "#b2d0f0",
    "#3e4665",
    "#2e8e9f",
    "#d71bff",
)
#: For labels that are not PTC techniques (a merged SemEval-2020 class given alone).
OTHER = "#22eb2f"
#: The smallest CIEDE2000 difference between any two colours above, rounded down.
MIN_DELTA_E_2000 = 23.2


def colour(label: str, techniques: Sequence[str]) -> str:
    """The colour of ``label``: by its place among the schema's ``techniques`` (in id
    order), ``OTHER`` for any other label."""
    if label not in techniques:
        return OTHER
    return COLOURS[list(techniques).index(label) % len(COLOURS)]


def _luminance(colour_hex: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour_hex[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def ink(background: str) -> str:
    """Black or white, whichever has the higher WCAG contrast on ``background``."""
    luminance = _luminance(background)
    on_black = (luminance + 0.05) / 0.05
    on_white = 1.05 / (luminance + 0.05)
    return "#000" if on_black >= on_white else "#fff"
