"""Scoring a prediction file against a built dataset, as the official scorers score it.

- ``si``: the spans of both sides are merged where they share a character (the scorer
  merges the gold side, and the prediction with ``-m``), then SemEval-2020's partial
  overlap gives precision, recall and F1. Every gold span of the layer counts for recall;
  predicted spans in an article without gold spans count against precision, as in
  ``task-SI_scorer.py``.
- ``tc``: the prediction must label exactly the gold spans (the lines of ``export --task
  tc``); labels are paired by offsets, equal labels first, then micro and per-class F1.
- ``slc``: every line of every annotated article needs a label; precision, recall and F1
  of the ``propaganda`` class.

A prediction file that names an unknown article or technique, puts a span past the end
of its article, or has the wrong number of columns stops with the file, the line and the
fix (dataset.ptc.task_files reads it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dataset.errors import InputError
from dataset.evaluation.gold import (
    ClassSet,
    SpanGold,
    check_classes,
    class_names,
    load_lines,
    load_spans,
)
from dataset.ptc.scoring import (
    Scores,
    merge_overlapping,
    pair_labels,
    partial_overlap,
    positive_class,
    technique_classification,
)
from dataset.ptc.task_files import (
    PredictedSpan,
    Task,
    read_labelled_spans,
    read_lines,
    read_spans,
    tc_scorer_pairing,
)
from dataset.schema import Schema, schema

METRICS: dict[Task, str] = {
    "si": "SemEval-2020 Task 11 span identification: partial-overlap precision, recall, F1",
    "tc": "SemEval-2020 Task 11 technique classification: micro precision, recall, F1 and "
    "per-class F1",
    "slc": "NLP4IF-2019 sentence level: precision, recall, F1 of the propaganda class",
}


@dataclass(frozen=True)
class ScoreReport:
    task: Task
    gold: str
    layer: str
    classes: ClassSet | None
    pred: str
    overall: Scores
    #: Per-class scores (tc only), in the order of the class set.
    by_class: dict[str, Scores] = field(default_factory=dict)
    #: Further figures behind the scores, such as span counts before merging.
    counts: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "metric": METRICS[self.task],
            "gold": self.gold,
            "layer": self.layer,
            "classes": self.classes,
            "pred": self.pred,
            "overall": asdict(self.overall),
            "by_class": {name: asdict(scores) for name, scores in self.by_class.items()},
            "counts": self.counts,
            "notes": list(self.notes),
        }


def _left_out_note(count: int, classes: ClassSet) -> tuple[str, ...]:
    if not count:
        return ()
    view = "SemEval-2020's 14 classes" if classes == "semeval" else "PTC's 18 techniques"
    return (f"{count} gold span(s) have no name in {view} and are left out (export lists them)",)


def score_si(
    folder: Path, pred: Path, layer: str | None, classes: ClassSet, spec: Schema
) -> ScoreReport:
    gold = load_spans(folder, layer, classes, labelled=False, spec=spec)
    predicted = [item.span for item in read_spans(pred, gold.num_chars, str(folder))]
    gold_merged = merge_overlapping(gold.spans)
    pred_merged = merge_overlapping(predicted)
    notes = list(_left_out_note(len(gold.left_out), classes))
    if len(pred_merged) < len(predicted):
        notes.append(
            f"{len(predicted) - len(pred_merged)} overlapping predicted span(s) merged into "
            "others, as task-SI_scorer.py -m merges them"
        )
    with_gold = {span.article_id for span in gold.spans}
    elsewhere = [span for span in predicted if span.article_id not in with_gold]
    if elsewhere:
        articles = len({span.article_id for span in elsewhere})
        notes.append(
            f"{len(elsewhere)} predicted span(s) in {articles} article(s) without gold spans "
            f"in layer {gold.layer} count against precision"
        )
    return ScoreReport(
        task="si",
        gold=str(folder),
        layer=gold.layer,
        classes=classes,
        pred=str(pred),
        overall=partial_overlap(gold_merged, pred_merged),
        counts={"gold_spans": len(gold.spans), "pred_spans": len(predicted)},
        notes=tuple(notes),
    )


def _wrong_label(classes: ClassSet, spec: Schema) -> Callable[[str], str]:
    """How to fix a prediction label that is not in the class set."""
    to_class = spec.technique_to_semeval

    def fix(label: str) -> str:
        if classes == "semeval" and label in to_class:
            target = to_class[label]
            named = f"SemEval-2020 names it {target}" if target else "SemEval-2020 dropped it"
            return (
                f"{label} is one of PTC's 18 techniques ({named}); write one of the 14 "
                "SemEval-2020 classes, or pass --classes ptc"
            )
        if classes == "ptc":
            return (
                f"{label} is a merged SemEval-2020 class; write one of PTC's 18 techniques, "
                "or pass --classes semeval"
            )
        return "write one of the 14 SemEval-2020 class names"

    return fix


def score_tc(
    folder: Path, pred: Path, layer: str | None, classes: ClassSet, spec: Schema
) -> ScoreReport:
    gold = load_spans(folder, layer, classes, spec=spec)
    names = class_names(classes, spec)
    fix = _wrong_label(classes, spec)
    predicted = read_labelled_spans(pred, gold.num_chars, str(folder), names, fix, spec=spec)
    _check_one_to_one(gold, predicted, pred, classes)
    spans = [item.span for item in predicted]
    notes = list(_left_out_note(len(gold.left_out), classes))
    if tc_scorer_pairing(spans) != tc_scorer_pairing(gold.spans):
        notes.append(
            "the lines are not in the gold file's order: this command pairs labels by "
            "offsets, but task-TC_scorer.py would stop or pair labels of different articles; "
            "keep the order of export --task tc for the official scorer"
        )
    result = technique_classification(pair_labels(gold.spans, spans), names)
    return ScoreReport(
        task="tc",
        gold=str(folder),
        layer=gold.layer,
        classes=classes,
        pred=str(pred),
        overall=result.micro,
        by_class=result.by_class,
        counts={"spans": result.spans, "correct": result.correct},
        notes=tuple(notes),
    )


def _check_one_to_one(
    gold: SpanGold, predicted: list[PredictedSpan], pred: Path, classes: ClassSet
) -> None:
    """Technique classification labels the gold spans: each must be predicted as often as
    the gold lists it, and nothing else; the first prediction that is not, or a gold span
    left without one, is an input error saying why."""
    how = f"predict one technique for each line of python -m dataset export {gold.folder} --task tc"
    wanted = Counter((span.article_id, span.start, span.end) for span in gold.spans)
    unnamed = {(o.span.article_id, o.span.start, o.span.end): o.reason for o in gold.left_out}
    for item in predicted:
        key = (item.span.article_id, item.span.start, item.span.end)
        if wanted[key] == 0:
            if key in wanted:
                problem = "is predicted more often than the gold lists it"
            elif key in unnamed:
                problem = (
                    f"is left out of the gold in the {classes} class set ({unnamed[key]}); "
                    "drop its line, or score with the other --classes"
                )
            else:
                problem = f"is not a gold span of layer {gold.layer}"
            raise InputError(
                pred,
                f"the span {item.span.start}-{item.span.end} of article {key[0]} {problem}",
                how,
                line=item.row,
            )
        wanted[key] -= 1
    missing = [key for key, count in wanted.items() if count > 0]
    if missing:
        article, start, end = min(missing)
        raise InputError(
            pred,
            f"{sum(wanted.values())} gold span(s) have no prediction, e.g. {start}-{end} of "
            f"article {article}",
            how,
        )


def score_slc(folder: Path, pred: Path, layer: str | None, spec: Schema) -> ScoreReport:
    gold = load_lines(folder, layer, spec)
    predicted = read_lines(pred, gold.line_counts, gold.articles, str(folder))
    labels = {(item.article_id, item.line): item.propaganda for item in predicted}
    missing = [(article, line) for article, line, _ in gold.lines if (article, line) not in labels]
    if missing:
        article, line = missing[0]
        raise InputError(
            pred,
            f"{len(missing)} gold line(s) have no prediction, the first: article {article} "
            f"line {line}",
            "label every line of every annotated article (python -m dataset export "
            f"{folder} --task slc lists them)",
        )
    pairs = [(label, labels[(article, line)]) for article, line, label in gold.lines]
    notes = []
    if gold.not_annotated:
        notes.append(
            f"{len(gold.not_annotated)} article(s) are not annotated in layer {gold.layer} "
            "and have no gold line labels"
        )
    return ScoreReport(
        task="slc",
        gold=str(folder),
        layer=gold.layer,
        classes=None,
        pred=str(pred),
        overall=positive_class(pairs),
        counts={"lines": len(pairs), "articles": len(gold.line_counts)},
        notes=tuple(notes),
    )


def score(
    folder: Path,
    pred: Path,
    task: Task,
    *,
    layer: str | None = None,
    classes: ClassSet | None,
    spec: Schema | None = None,
) -> ScoreReport:
    """``pred`` scored against the gold of ``folder`` under ``spec`` (None:
    ``dataset.schema.schema``), as the task's official scorer scores it."""
    spec = spec or schema()
    chosen = check_classes(task, classes)
    if task == "slc":
        return score_slc(folder, pred, layer, spec)
    assert chosen is not None
    if task == "si":
        return score_si(folder, pred, layer, chosen, spec)
    return score_tc(folder, pred, layer, chosen, spec)


def format_report(report: ScoreReport) -> str:
    """The figures as an aligned table for a terminal, notes first."""
    view = {"semeval": "14 SemEval-2020 classes", "ptc": "18 PTC techniques", None: "lines"}
    head = [
        f"gold: {report.gold} (layer {report.layer}, {view[report.classes]})",
        f"pred: {report.pred}",
        f"metric: {METRICS[report.task]}",
        "counts: " + ", ".join(f"{name} {count}" for name, count in report.counts.items()),
        *(f"note: {note}" for note in report.notes),
        "",
    ]
    name_header = {"si": "spans", "tc": "class", "slc": "class"}[report.task]
    overall_name = {
        "si": "span identification",
        "tc": "micro (all spans)",
        "slc": "propaganda",
    }[report.task]
    rows = [*report.by_class.items(), (overall_name, report.overall)]
    width = max(len(name_header), *(len(name) for name, _ in rows))
    counts = max(4, *(len(str(max(s.gold, s.pred))) for _, s in rows))

    def line(name: str, gold: str, pred: str, *figures: str) -> str:
        cells = [gold.rjust(counts), pred.rjust(counts), *(f.rjust(6) for f in figures)]
        return "  ".join([name.ljust(width), *cells])

    def figures(name: str, scores: Scores) -> str:
        return line(
            name,
            str(scores.gold),
            str(scores.pred),
            f"{scores.precision:.3f}",
            f"{scores.recall:.3f}",
            f"{scores.f1:.3f}",
        )

    header = line(name_header, "gold", "pred", "P", "R", "F1")
    body = [header, "-" * len(header)]
    body.extend(figures(name, scores) for name, scores in rows[:-1])
    if report.by_class:
        body.append("-" * len(header))
    body.append(figures(*rows[-1]))
    return "\n".join([*head, *body])
