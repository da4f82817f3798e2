"""γ (Mathet, Widlöcher and Métivier 2015), the agreement measure PTC reports, by
``pygamma-agreement``.

Why γ beside the SemEval span F1: F1 treats one layer as the reference and says nothing of
chance, while γ aligns the two layers' units (spans) as a whole, charges each alignment for
positional and categorical dissimilarity, and compares the observed disorder with that of
randomly resampled continua: ``γ = 1 - observed / expected``. 1 is perfect agreement, 0 is
what chance gives, below 0 worse than chance.

The figure is only reproducible if everything that shapes it is stated and fixed, so the
parameters are constants here and go into the report: the dissimilarity (pygamma's
``CombinedCategoricalDissimilarity``: positional dissimilarity plus categorical, 0 for the
same technique and 1 otherwise, weighted by α and β, with ``delta_empty`` for a unit left
unaligned), the number of random continua sampled by pygamma's default sampler (a fixed
count: no extra samples drawn for precision) and the seed of NumPy's generator, which that
sampler draws from (the state is restored afterwards). Articles are placed one after the
other on one axis, each starting past the end of the previous one's last span, so units of
different articles never overlap.

pygamma-agreement is heavy (numba, cvxpy, cvxopt), so it is the optional ``agreement``
extra; without it the rest of ``python -m dataset agreement`` still runs and γ is reported
as not computed, with the reason.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from dataset.ptc.scoring import Span

ALPHA = 1.0
BETA = 1.0
DELTA_EMPTY = 1.0
SAMPLES = 100
SEED = 2020
#: A cell (a technique, or everything) needs at least this many spans over both layers, and
#: one in each, for a γ or an F1 that means anything; smaller cells are shown as too few.
MIN_SPANS = 5


def parameters() -> dict[str, Any]:
    """What the figure depends on, as the report states it."""
    return {
        "implementation": f"pygamma-agreement {_version()}",
        "dissimilarity": "CombinedCategoricalDissimilarity = alpha * "
        "PositionalSporadicDissimilarity (((|start1-start2| + |end1-end2|) / (length1 + "
        "length2)) squared) + beta * AbsoluteCategoricalDissimilarity (0 same technique, 1 "
        "otherwise)",
        "alpha": ALPHA,
        "beta": BETA,
        "delta_empty": DELTA_EMPTY,
        "samples": SAMPLES,
        "precision_level": None,
        "sampler": "pygamma-agreement's default (StatisticalContinuumSampler)",
        "seed": SEED,
        "min_spans": MIN_SPANS,
    }


def _version() -> str:
    try:
        return metadata.version("pygamma-agreement")
    except metadata.PackageNotFoundError:
        return "not installed"


def available() -> bool:
    return _version() != "not installed"


@dataclass(frozen=True)
class Gamma:
    """γ of one cell: the value (None when too few spans), the spans of each side, and the
    units pygamma counted (checked to equal the spans given)."""

    value: float | None
    n: int
    reference: int
    compared: int

    @property
    def too_few(self) -> bool:
        return self.value is None

    def to_json(self) -> dict[str, Any]:
        return {
            "gamma": None if self.value is None else round(self.value, 4),
            "n": self.n,
            "reference_spans": self.reference,
            "compared_spans": self.compared,
            "too_few": self.too_few,
        }


def enough(reference: int, compared: int) -> bool:
    return reference > 0 and compared > 0 and reference + compared >= MIN_SPANS


@contextmanager
def _seeded() -> Iterator[None]:
    """NumPy's global generator (which pygamma's sampler draws from) and Python's seeded,
    their previous states restored; pygamma's note that it fell back on the GLPK solver,
    which it logs on the root logger for every alignment, kept off the terminal."""
    import numpy as np

    numpy_state, python_state = np.random.get_state(), random.getstate()
    quiet = logging.Filter("no record passes this name")
    root = logging.getLogger()
    np.random.seed(SEED)
    random.seed(SEED)
    root.addFilter(quiet)
    try:
        yield
    finally:
        root.removeFilter(quiet)
        np.random.set_state(numpy_state)
        random.setstate(python_state)


def _positions(reference: Sequence[Span], compared: Sequence[Span]) -> dict[str, int]:
    """Where each article starts on the common axis."""
    extent: dict[str, int] = {}
    for span in [*reference, *compared]:
        extent[span.article_id] = max(extent.get(span.article_id, 0), span.end)
    offsets, position = {}, 0
    for article in sorted(extent):
        offsets[article] = position
        position += extent[article] + 1
    return offsets


def gamma(reference: Sequence[Span], compared: Sequence[Span], names: tuple[str, str]) -> Gamma:
    """γ of two layers' spans (one technique's, or all of them with their labels)."""
    n = len(reference) + len(compared)
    if not enough(len(reference), len(compared)):
        return Gamma(None, n, len(reference), len(compared))
    from pyannote.core import Segment
    from pygamma_agreement import CombinedCategoricalDissimilarity, Continuum

    offsets = _positions(reference, compared)
    continuum = Continuum()
    for name, spans in zip(names, (reference, compared), strict=True):
        for span in spans:
            start = offsets[span.article_id] + span.start
            continuum.add(name, Segment(start, start + span.end - span.start), span.label)
    if continuum.num_units != n:
        raise RuntimeError(f"pygamma-agreement counted {continuum.num_units} units, not {n}")
    dissimilarity = CombinedCategoricalDissimilarity(
        alpha=ALPHA, beta=BETA, delta_empty=DELTA_EMPTY
    )
    with _seeded():
        result = continuum.compute_gamma(dissimilarity, n_samples=SAMPLES, precision_level=None)
    return Gamma(float(result.gamma), n, len(reference), len(compared))
