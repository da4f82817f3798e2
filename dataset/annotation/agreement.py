"""Compare two annotation layers with the partial-overlap metric of SemEval-2020 Task 11.

Why this metric: propaganda fragments have fuzzy edges, and two careful annotators rarely
pick the same first and last character. Exact-match scores would call that disagreement;
the SemEval-2020 Task 11 metric instead gives each span credit for the share of it that the
other side covers with the same label (dataset/ptc/scoring.py has the formulas; ``python -m
dataset score`` uses the same code). The sums run per technique and overall (micro: every
span counts once). "Span identification" scores the same way with labels ignored, after
merging the spans of each side that share a character, as the SemEval span-identification
scorer does.

Which articles are compared: with ``--source DIR --layers GOLD PRED``, the articles that
both layers annotated (a layer without a label file for an article has not annotated it;
an empty file means "annotated, nothing found"). With ``--gold PATH --pred PATH``, the gold
side's articles, as in the SemEval scorer: a gold article the prediction does not mention
counts as "nothing predicted", and predicted articles outside the gold side are reported
and ignored.

With ``--semeval`` the 18 techniques are first mapped to the 14 SemEval-2020 classes (the
mapping is in schemas/propaganda_spans.yaml); spans of the dropped technique
Obfuscation,Intentional_Vagueness,Confusion are removed from both sides before scoring.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dataset.errors import InputError
from dataset.files import write_atomically
from dataset.project import RAW_DIR
from dataset.ptc.formats import (
    LabelLine,
    checked_article_id,
    parse_label_file_name,
    read_label_file,
)
from dataset.ptc.scoring import Scores, Span, compare
from dataset.schema import schema


@dataclass(frozen=True)
class Entry:
    """One line of a label file, with the file it came from (for error messages)."""

    path: Path
    line: LabelLine


@dataclass(frozen=True)
class Side:
    """One side of a comparison: the articles it covers and their label lines."""

    description: str
    articles: frozenset[str]
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class AgreementReport:
    gold: str
    pred: str
    semeval: bool
    articles: tuple[str, ...]
    by_label: dict[str, Scores]
    overall: Scores
    span_identification: Scores

    def to_json(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "pred": self.pred,
            "label_set": "semeval-2020-14-classes" if self.semeval else "ptc-18-techniques",
            "articles": list(self.articles),
            "metric": "SemEval-2020 Task 11 partial overlap (per-span credit clipped at 1)",
            "by_label": {label: asdict(scores) for label, scores in self.by_label.items()},
            "overall_micro": asdict(self.overall),
            "span_identification": asdict(self.span_identification),
        }


# Inputs ----------------------------------------------------------------------------------


def _label_files(folder: Path) -> list[tuple[Path, str, str | None]]:
    found: list[tuple[Path, str, str | None]] = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        parsed = parse_label_file_name(path.name)
        if parsed is not None:
            found.append((path, checked_article_id(path, parsed[0]), parsed[1]))
    return found


def _read(path: Path, article_id: str | None) -> list[Entry]:
    return [Entry(path, line) for line in read_label_file(path, article_id=article_id)]


def load_layer(source: Path, layer: str) -> Side:
    """All ``article<ID>.<layer>.labels`` files under ``source``."""
    if not source.is_dir():
        raise InputError(source, "the --source folder does not exist", "pass an existing folder")
    articles: dict[str, Path] = {}
    entries: list[Entry] = []
    for path, article_id, file_layer in _label_files(source):
        if file_layer != layer:
            continue
        if article_id in articles:
            raise InputError(
                path,
                f"a second label file for article {article_id} in layer {layer!r} (the first "
                f"is {articles[article_id]})",
                "keep one label file per article and layer",
            )
        articles[article_id] = path
        entries.extend(_read(path, article_id))
    if not articles:
        raise InputError(
            source,
            f"no label files article<ID>.{layer}.labels under this folder",
            "check the layer name (it is the middle part of the file name) or --source",
        )
    return Side(f"layer {layer} under {source}", frozenset(articles), tuple(entries))


def load_path(path: Path) -> Side:
    """A plain PTC label file (one or many articles) or a folder of per-article files."""
    if path.is_file():
        parsed = parse_label_file_name(path.name)
        article_id = checked_article_id(path, parsed[0]) if parsed is not None else None
        entries = _read(path, article_id)
        articles = {entry.line.article_id for entry in entries}
        if article_id is not None:
            articles.add(article_id)
        return Side(str(path), frozenset(articles), tuple(entries))
    if not path.is_dir():
        raise InputError(path, "no such file or folder", "pass a label file or a folder of them")
    files = _label_files(path)
    if not files:
        raise InputError(
            path,
            "no label files (article<ID>[.<layer>].labels) in this folder",
            "pass a folder of PTC label files, or one label file",
        )
    seen: dict[str, Path] = {}
    all_entries: list[Entry] = []
    for file, article_id, _layer in files:
        if article_id in seen:
            raise InputError(
                file,
                f"a second label file for article {article_id} (the first is {seen[article_id]})",
                "the folder seems to hold several layers; use --source DIR --layers A B, or "
                "point at a folder with one layer",
            )
        seen[article_id] = file
        all_entries.extend(_read(file, article_id))
    return Side(str(path), frozenset(seen), tuple(all_entries))


def to_spans(side: Side, articles: frozenset[str], semeval: bool) -> list[Span]:
    """The side's spans in ``articles``, with labels checked and, with ``semeval``, mapped
    to the 14 SemEval-2020 classes (dropping the technique SemEval dropped)."""
    techniques = set(schema().techniques.names)
    classes = set(schema().semeval_classes.names)
    mapping = schema().technique_to_semeval
    spans: list[Span] = []
    for entry in side.entries:
        line = entry.line
        if line.article_id not in articles:
            continue
        label: str | None = line.label
        if semeval:
            if line.label in techniques:
                label = mapping[line.label]
            elif line.label not in classes:
                raise InputError(
                    entry.path,
                    f"unknown label {line.label!r}",
                    "use a PTC technique or SemEval-2020 class name",
                    line=line.line,
                )
        elif line.label not in techniques:
            raise InputError(
                entry.path,
                f"{line.label!r} is a merged SemEval-2020 class, not one of the 18 techniques",
                "pass --semeval to compare both sides at the level of the 14 SemEval classes",
                line=line.line,
            )
        if label is not None:
            spans.append(Span(line.article_id, label, line.start, line.end))
    return spans


def agreement(
    gold: Side, pred: Side, *, semeval: bool, articles: frozenset[str]
) -> AgreementReport:
    labels = schema().semeval_classes.names if semeval else schema().techniques.names
    by_label, overall, identification = compare(
        to_spans(gold, articles, semeval), to_spans(pred, articles, semeval), labels
    )
    return AgreementReport(
        gold=gold.description,
        pred=pred.description,
        semeval=semeval,
        articles=tuple(sorted(articles)),
        by_label=by_label,
        overall=overall,
        span_identification=identification,
    )


# Output ----------------------------------------------------------------------------------


def format_table(report: AgreementReport) -> str:
    """Per-label rows then the overall lines, columns aligned for a terminal or a card."""
    rows: list[tuple[str, Scores]] = list(report.by_label.items())
    rows.append(("overall (micro)", report.overall))
    rows.append(("span identification (labels ignored)", report.span_identification))
    header = ("SemEval class" if report.semeval else "technique", "gold", "pred", "P", "R", "F1")
    width = max(len(header[0]), *(len(name) for name, _ in rows))
    counts = max(len(header[1]), *(len(str(max(s.gold, s.pred))) for _, s in rows))

    def line(cells: Sequence[str]) -> str:
        name, gold, pred, *figures = cells
        numbers = [gold.rjust(counts), pred.rjust(counts), *(f.rjust(6) for f in figures)]
        return "  ".join([name.ljust(width), *numbers])

    def figures(scores: Scores) -> list[str]:
        return [
            str(scores.gold),
            str(scores.pred),
            f"{scores.precision:.3f}",
            f"{scores.recall:.3f}",
            f"{scores.f1:.3f}",
        ]

    body = [line(header), "-" * len(line(header))]
    body.extend(line([name, *figures(scores)]) for name, scores in rows[:-2])
    if report.by_label:
        body.append("-" * len(line(header)))
    body.extend(line([name, *figures(scores)]) for name, scores in rows[-2:])
    return "\n".join(body)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"folder searched for article<ID>.<layer>.labels (default: {RAW_DIR})",
    )
    parser.add_argument(
        "--layers",
        nargs=2,
        metavar=("GOLD", "PRED"),
        help="the two layers to compare: the first is the reference",
    )
    parser.add_argument("--gold", type=Path, help="reference: a PTC label file or a folder of them")
    parser.add_argument("--pred", type=Path, help="compared side: a label file or a folder")
    parser.add_argument(
        "--semeval",
        action="store_true",
        help="map the 18 techniques to the 14 SemEval-2020 classes before comparing",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")


def _usage_error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    if args.layers is not None:
        if args.gold is not None or args.pred is not None:
            return _usage_error("give either --layers (with --source) or --gold and --pred")
        source: Path = args.source if args.source is not None else RAW_DIR
        gold_layer, pred_layer = args.layers
        gold = load_layer(source, gold_layer)
        pred = load_layer(source, pred_layer)
        articles = gold.articles & pred.articles
        if not articles:
            raise InputError(
                source,
                f"layers {gold_layer!r} and {pred_layer!r} have no article in common",
                "annotate the same articles in both layers before comparing them",
            )
    elif args.gold is not None and args.pred is not None:
        if args.source is not None:
            return _usage_error("--source goes with --layers, not with --gold/--pred")
        gold = load_path(args.gold)
        pred = load_path(args.pred)
        articles = gold.articles
    else:
        return _usage_error(
            "give --layers GOLD PRED (and optionally --source) or --gold and --pred"
        )

    report = agreement(gold, pred, semeval=args.semeval, articles=articles)
    print(f"gold: {report.gold}")
    print(f"pred: {report.pred}")
    print(f"articles compared: {len(articles)}")
    for side in (gold, pred):
        left_out = sorted(side.articles - articles)
        if left_out:
            shown = ", ".join(left_out[:10]) + (" ..." if len(left_out) > 10 else "")
            print(f"not compared (only in {side.description}): {len(left_out)}: {shown}")
    label_set = "14 SemEval-2020 classes" if args.semeval else "18 PTC techniques"
    print(f"labels: {label_set}; metric: SemEval-2020 Task 11 partial overlap\n")
    print(format_table(report))
    if args.json is not None:
        write_atomically(args.json, json.dumps(report.to_json(), indent=2) + "\n")
    return 0
