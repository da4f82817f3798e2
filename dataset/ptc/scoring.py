"""The metrics of SemEval-2020 Task 11 and NLP4IF-2019, computed as their scorers compute them.

One implementation serves ``python -m dataset score`` (predictions against a built dataset)
and ``python -m dataset agreement`` (one annotation layer against another).

**Partial overlap** (span identification, SemEval-2020's ``task-SI_scorer.py``). Propaganda
fragments have fuzzy edges, so a predicted span earns the share of it that gold spans
cover, and a gold span the share of it that predictions cover. For predicted spans S and
gold spans T::

    P = (1/|S|) * sum over s of min(1, sum over t of |s ∩ t| / |s|)
    R = (1/|T|) * sum over t of min(1, sum over s of |s ∩ t| / |t|)

Only spans of the same article (and, per technique, the same label) meet. As in the
scorer, P is 0 without predictions and R is 0 without gold spans, F1 is their harmonic
mean, 0 when either is 0, and 1 when both sides are empty. The scorer merges the gold spans
that share a character (and the predicted ones with ``-m``) before scoring; after such a
merge the clip at 1 changes nothing, and before it (per technique, in ``agreement``) it
stops one span from earning more than full credit.

**Technique classification** (``task-TC_scorer.py``): gold and predicted labels of the same
spans, paired; micro precision, recall and F1 over all pairs (each equal to the share of
spans labelled right), and per class the F1 of scikit-learn's ``f1_score(average=None)``,
0 for a class with no gold and no predicted span.

**Sentence level** (NLP4IF-2019's ``task-SLC_scorer.py``): precision, recall and F1 of the
``propaganda`` class over paired line labels, 0 where a denominator is 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NO_LABEL = ""


@dataclass(frozen=True)
class Span:
    article_id: str
    label: str
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 with the number of gold and predicted items behind them."""

    gold: int
    pred: int
    precision: float
    recall: float
    f1: float


def harmonic_mean(precision: float, recall: float) -> float:
    if precision <= 0 or recall <= 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


# Span identification ----------------------------------------------------------------------


def _intersection(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _credit(spans: Sequence[Span], others: Sequence[Span]) -> float:
    """Sum over ``spans`` of the share of each covered by ``others`` with the same article
    and label, each share clipped at 1."""
    groups: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for other in others:
        groups[(other.article_id, other.label)].append(other)
    total = 0.0
    for span in spans:
        covered = sum(
            _intersection(span, other) for other in groups.get((span.article_id, span.label), [])
        )
        total += min(1.0, covered / span.length)
    return total


def partial_overlap(gold: Sequence[Span], pred: Sequence[Span]) -> Scores:
    """SemEval-2020's partial-overlap precision, recall and F1 of ``pred`` against ``gold``."""
    precision = _credit(pred, gold) / len(pred) if pred else 0.0
    recall = _credit(gold, pred) / len(gold) if gold else 0.0
    f1 = 1.0 if not gold and not pred else harmonic_mean(precision, recall)
    return Scores(gold=len(gold), pred=len(pred), precision=precision, recall=recall, f1=f1)


def merge_overlapping(spans: Iterable[Span]) -> list[Span]:
    """Spans with labels dropped, those of one article that share a character merged into
    one (adjacent spans stay apart), as the SemEval span-identification scorer does."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.article_id, s.start, s.end)):
        last = merged[-1] if merged else None
        if last is not None and last.article_id == span.article_id and span.start < last.end:
            merged[-1] = Span(span.article_id, NO_LABEL, last.start, max(last.end, span.end))
        else:
            merged.append(Span(span.article_id, NO_LABEL, span.start, span.end))
    return merged


def span_identification(gold: Sequence[Span], pred: Sequence[Span]) -> Scores:
    """The SI score: labels ignored, each side's overlapping spans merged, partial overlap."""
    return partial_overlap(merge_overlapping(gold), merge_overlapping(pred))


def compare(
    gold: Sequence[Span], pred: Sequence[Span], labels: Sequence[str]
) -> tuple[dict[str, Scores], Scores, Scores]:
    """Per-label partial-overlap scores (for the labels of ``labels`` present on either
    side, in that order), the overall micro scores, and the span-identification scores."""
    by_label: dict[str, Scores] = {}
    for label in labels:
        gold_label = [span for span in gold if span.label == label]
        pred_label = [span for span in pred if span.label == label]
        if gold_label or pred_label:
            by_label[label] = partial_overlap(gold_label, pred_label)
    return by_label, partial_overlap(gold, pred), span_identification(gold, pred)


# Technique classification -----------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    """Micro scores over all spans, and per class (in the order of the class list)."""

    spans: int
    correct: int
    micro: Scores
    by_class: dict[str, Scores]


def pair_labels(gold: Sequence[Span], pred: Sequence[Span]) -> list[tuple[str, str]]:
    """(gold label, predicted label) for every gold span. Both sides must hold the same
    spans, which the caller checks. Where one span carries several labels, equal labels are
    paired first, as the TC scorer's ``align_annotations`` does, so the order of the lines
    of one span never changes the score."""
    predicted: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    for span in pred:
        predicted[(span.article_id, span.start, span.end)][span.label] += 1
    labelled: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for span in gold:
        labelled[(span.article_id, span.start, span.end)].append(span.label)
    pairs: list[tuple[str, str]] = []
    for key, gold_labels in labelled.items():
        left = predicted[key]
        unmatched: list[str] = []
        for label in gold_labels:
            if left[label] > 0:
                left[label] -= 1
                pairs.append((label, label))
            else:
                unmatched.append(label)
        pairs.extend(zip(unmatched, sorted(left.elements()), strict=True))
    return pairs


def technique_classification(
    pairs: Sequence[tuple[str, str]], classes: Sequence[str]
) -> Classification:
    """Micro P/R/F1 over all pairs and per-class F1, as ``task-TC_scorer.py`` computes them
    with scikit-learn (micro averaging over single-label pairs makes P = R = F1)."""
    correct = sum(1 for gold, pred in pairs if gold == pred)
    share = correct / len(pairs) if pairs else 0.0
    micro = Scores(gold=len(pairs), pred=len(pairs), precision=share, recall=share, f1=share)
    gold_counts = Counter(gold for gold, _ in pairs)
    pred_counts = Counter(pred for _, pred in pairs)
    right = Counter(gold for gold, pred in pairs if gold == pred)
    by_class: dict[str, Scores] = {}
    for name in classes:
        tp, gold_n, pred_n = right[name], gold_counts[name], pred_counts[name]
        by_class[name] = Scores(
            gold=gold_n,
            pred=pred_n,
            precision=tp / pred_n if pred_n else 0.0,
            recall=tp / gold_n if gold_n else 0.0,
            f1=2 * tp / (gold_n + pred_n) if gold_n + pred_n else 0.0,
        )
    return Classification(spans=len(pairs), correct=correct, micro=micro, by_class=by_class)


# Sentence level ---------------------------------------------------------------------------


def positive_class(pairs: Sequence[tuple[bool, bool]]) -> Scores:
    """Precision, recall and F1 of the positive (``propaganda``) class over (gold,
    predicted) labels; ``gold`` and ``pred`` count the positives on each side."""
    tp = sum(1 for gold, pred in pairs if gold and pred)
    gold_n = sum(1 for gold, _ in pairs if gold)
    pred_n = sum(1 for _, pred in pairs if pred)
    precision = tp / pred_n if pred_n else 0.0
    recall = tp / gold_n if gold_n else 0.0
    return Scores(
        gold=gold_n,
        pred=pred_n,
        precision=precision,
        recall=recall,
        f1=harmonic_mean(precision, recall),
    )
