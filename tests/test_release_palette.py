"""Every pair of technique colours is distinguishable, and every chip's label readable.

The measure is CIEDE2000 (the CIE's 2000 colour difference, in CIELAB under D65),
computed by coloraide, an independent implementation; the palette module states the
minimum it guarantees, and the datasheet states the same figure."""

from __future__ import annotations

import itertools
import math

from coloraide import Color

from dataset.project import DATACARD_PATH
from dataset.release.palette import COLOURS, MIN_DELTA_E_2000, OTHER, colour, ink
from dataset.schema import schema

#: WCAG 2 AA contrast for normal text.
AA_CONTRAST = 4.5


def delta_e(a: str, b: str) -> float:
    return float(Color(a).delta_e(Color(b), method="2000"))


def test_every_pair_of_colours_differs_by_at_least_the_stated_delta_e() -> None:
    palette = [*COLOURS, OTHER]
    assert len(set(palette)) == len(palette) == len(schema().techniques.names) + 1
    smallest = min(delta_e(a, b) for a, b in itertools.combinations(palette, 2))
    # the stated figure is the true minimum, rounded down to one decimal
    assert math.floor(smallest * 10) / 10 == MIN_DELTA_E_2000


def test_every_technique_has_its_own_colour() -> None:
    names = schema().techniques.names
    assert len({colour(name, names) for name in names}) == len(names)
    assert colour("Whataboutism,Straw_Men,Red_Herring", names) == OTHER


def test_chip_labels_meet_wcag_aa_contrast() -> None:
    for background in [*COLOURS, OTHER]:
        assert Color(ink(background)).contrast(Color(background)) >= AA_CONTRAST, background


def test_the_datasheet_states_the_measure_and_the_minimum() -> None:
    card = DATACARD_PATH.read_text(encoding="utf-8")
    assert "CIEDE2000" in card and f"{MIN_DELTA_E_2000:.1f}" in card
