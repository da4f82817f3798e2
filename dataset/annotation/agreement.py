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

Beside the SemEval metric, with ``--layers``: γ (Mathet et al. 2015, the measure PTC
reports; dataset/annotation/gamma.py states its parameters, and it needs the optional
``agreement`` extra), per technique and overall; and Cohen's κ on the per-line
``has_propaganda`` label (NLP4IF-2019's SLC unit: the article file's lines as PTC numbers
them, the same lines as the ``lines`` table), over all lines and over the lines with text.
Every figure comes with its n; a technique with fewer than ``gamma.MIN_SPANS`` spans over
both layers (or none in one of them) is shown as too few, not as a number. The γ figures are
comparable with PTC's only in being the same measure: the corpus, the annotators and the
guidelines differ.

With ``--semeval`` the 18 techniques are first mapped to the 14 SemEval-2020 classes (the
mapping is in schemas/propaganda_spans.yaml); spans of the dropped technique
Obfuscation,Intentional_Vagueness,Confusion are removed from both sides before scoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dataset.annotation import gamma
from dataset.errors import InputError
from dataset.project import REPO_ROOT
from dataset.ptc.formats import (
    LabelLine,
    checked_article_id,
    line_ranges,
    parse_label_file_name,
    read_article,
    read_label_file,
)
from dataset.ptc.scoring import Scores, Span, compare
from dataset.schema import Schema, schema


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
class Kappa:
    """Cohen's κ of two binary labellings of the same n units (here lines)."""

    value: float | None
    n: int
    both: int
    neither: int
    observed: float

    def to_json(self) -> dict[str, Any]:
        value = None if self.value is None else round(self.value, 4)
        return {
            "kappa": value,
            "n": self.n,
            "both_propaganda": self.both,
            "neither": self.neither,
            "observed_agreement": round(self.observed, 4),
        }


@dataclass(frozen=True)
class ChanceCorrected:
    """γ per label and overall, and κ on the lines, when the layers' texts are at hand."""

    gamma_by_label: dict[str, gamma.Gamma]
    gamma_overall: gamma.Gamma
    kappa: dict[str, Kappa]

    def to_json(self) -> dict[str, Any]:
        return {
            "gamma": {
                "parameters": gamma.parameters(),
                "comparability": "the same measure as PTC's published gamma; not the same "
                "corpus, annotators or guidelines, so the figures are not comparable",
                "by_label": {k: v.to_json() for k, v in self.gamma_by_label.items()},
                "overall": self.gamma_overall.to_json(),
            },
            "kappa_has_propaganda": {k: v.to_json() for k, v in self.kappa.items()},
        }


@dataclass(frozen=True)
class AgreementReport:
    gold: str
    pred: str
    semeval: bool
    articles: tuple[str, ...]
    by_label: dict[str, Scores]
    overall: Scores
    span_identification: Scores
    chance: ChanceCorrected | None = None

    def to_json(self) -> dict[str, Any]:
        data = {
            "gold": self.gold,
            "pred": self.pred,
            "label_set": "semeval-2020-14-classes" if self.semeval else "ptc-18-techniques",
            "articles": list(self.articles),
            "metric": "SemEval-2020 Task 11 partial overlap (per-span credit clipped at 1)",
            "min_spans": gamma.MIN_SPANS,
            "by_label": {
                label: {**asdict(scores), "n": scores.gold + scores.pred, "too_few": _few(scores)}
                for label, scores in self.by_label.items()
            },
            "overall_micro": asdict(self.overall),
            "span_identification": asdict(self.span_identification),
        }
        if self.chance is not None:
            data.update(self.chance.to_json())
        return data


def _few(scores: Scores) -> bool:
    return not gamma.enough(scores.gold, scores.pred)


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


def _read(path: Path, article_id: str | None, spec: Schema) -> list[Entry]:
    lines = read_label_file(path, article_id=article_id, spec=spec)
    return [Entry(path, line) for line in lines]


def load_layer(source: Path, layer: str, spec: Schema | None = None) -> Side:
    """All ``article<ID>.<layer>.labels`` files under ``source``, their labels those of
    ``spec`` (None: ``dataset.schema.schema``)."""
    spec = spec or schema()
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
        entries.extend(_read(path, article_id, spec))
    if not articles:
        raise InputError(
            source,
            f"no label files article<ID>.{layer}.labels under this folder",
            "check the layer name (it is the middle part of the file name) or --source",
        )
    return Side(f"layer {layer} under {_shown(source)}", frozenset(articles), tuple(entries))


def _shown(path: Path) -> str:
    """The folder relative to the project when it is inside it, so that a committed report
    does not depend on where the project was checked out."""
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def load_path(path: Path, spec: Schema | None = None) -> Side:
    """A plain PTC label file (one or many articles) or a folder of per-article files, their
    labels those of ``spec`` (None: ``dataset.schema.schema``)."""
    spec = spec or schema()
    if path.is_file():
        parsed = parse_label_file_name(path.name)
        article_id = checked_article_id(path, parsed[0]) if parsed is not None else None
        entries = _read(path, article_id, spec)
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
        all_entries.extend(_read(file, article_id, spec))
    return Side(str(path), frozenset(seen), tuple(all_entries))


def to_spans(side: Side, articles: frozenset[str], semeval: bool, spec: Schema) -> list[Span]:
    """The side's spans in ``articles``, with labels checked and, with ``semeval``, mapped
    to the 14 SemEval-2020 classes (dropping the technique SemEval dropped)."""
    techniques = set(spec.techniques.names)
    classes = set(spec.semeval_classes.names)
    mapping = spec.technique_to_semeval
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


def _labels(spec: Schema, semeval: bool) -> list[str]:
    return spec.semeval_classes.names if semeval else spec.techniques.names


def agreement(
    gold: Side,
    pred: Side,
    *,
    semeval: bool,
    articles: frozenset[str],
    spec: Schema | None = None,
) -> AgreementReport:
    """The SemEval-2020 figures of ``pred`` against ``gold`` on ``articles``, with the
    labels of ``spec`` (None: ``dataset.schema.schema``)."""
    spec = spec or schema()
    by_label, overall, identification = compare(
        to_spans(gold, articles, semeval, spec),
        to_spans(pred, articles, semeval, spec),
        _labels(spec, semeval),
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


def _flagged(side: Side, article: str, ranges: list[tuple[int, int]]) -> set[int]:
    """Indices of the lines that share a code point with a span of the side (any label)."""
    flagged: set[int] = set()
    for entry in side.entries:
        line = entry.line
        if line.article_id == article:
            flagged.update(
                i for i, (start, end) in enumerate(ranges) if line.start < end and start < line.end
            )
    return flagged


def kappa(pairs: Sequence[tuple[bool, bool]]) -> Kappa:
    """Cohen's κ; None when chance agreement is 1 (every unit labelled alike by both)."""
    n = len(pairs)
    both = sum(1 for a, b in pairs if a and b)
    neither = sum(1 for a, b in pairs if not a and not b)
    if n == 0:
        return Kappa(None, 0, 0, 0, 0.0)
    observed = (both + neither) / n
    first = sum(1 for a, _ in pairs if a) / n
    second = sum(1 for _, b in pairs if b) / n
    expected = first * second + (1 - first) * (1 - second)
    value = None if expected == 1 else (observed - expected) / (1 - expected)
    return Kappa(value, n, both, neither, observed)


def line_kappa(gold: Side, pred: Side, texts: dict[str, str]) -> dict[str, Kappa]:
    """κ on ``has_propaganda`` over every line, and over the lines with text (blank lines
    are never propaganda, so they add agreement that says little)."""
    every: list[tuple[bool, bool]] = []
    with_text: list[tuple[bool, bool]] = []
    for article, text in sorted(texts.items()):
        ranges = line_ranges(text)
        first, second = _flagged(gold, article, ranges), _flagged(pred, article, ranges)
        for index, (start, end) in enumerate(ranges):
            pair = (index in first, index in second)
            every.append(pair)
            if text[start:end].strip():
                with_text.append(pair)
    return {"all_lines": kappa(every), "lines_with_text": kappa(with_text)}


def chance_corrected(
    gold: Side,
    pred: Side,
    articles: frozenset[str],
    source: Path,
    semeval: bool,
    *,
    spec: Schema | None = None,
) -> ChanceCorrected:
    """γ per label and overall, and κ on the lines of the articles under ``source``."""
    spec = spec or schema()
    texts = {}
    for path in sorted(source.rglob("article*.txt")):
        article_id = path.name.removeprefix("article").removesuffix(".txt")
        if article_id in articles:
            texts[article_id] = read_article(path)
    reference = to_spans(gold, articles, semeval, spec)
    compared = to_spans(pred, articles, semeval, spec)
    names = (gold.description, pred.description)
    labels = _labels(spec, semeval)
    by_label = {
        label: gamma.gamma(
            [s for s in reference if s.label == label],
            [s for s in compared if s.label == label],
            names,
        )
        for label in labels
        if any(s.label == label for s in [*reference, *compared])
    }
    overall = gamma.gamma(reference, compared, names)
    return ChanceCorrected(by_label, overall, line_kappa(gold, pred, texts))


# Output ----------------------------------------------------------------------------------


def _figures(scores: Scores, per_label: bool) -> list[str]:
    if per_label and _few(scores):
        return [str(scores.gold), str(scores.pred), "", "", "too few"]
    return [
        str(scores.gold),
        str(scores.pred),
        f"{scores.precision:.3f}",
        f"{scores.recall:.3f}",
        f"{scores.f1:.3f}",
    ]


def _aligned(rows: Sequence[Sequence[str]], rules: Sequence[int]) -> str:
    """Rows as columns: the first left-aligned, the others right-aligned; a rule under the
    header and before each row index in ``rules``."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            [
                row[0].ljust(widths[0]),
                *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
            ]
        )
        for row in rows
    ]
    rule = "-" * len(lines[0])
    for index in sorted({1, *rules}, reverse=True):
        lines.insert(index, rule)
    return "\n".join(lines)


def format_table(report: AgreementReport) -> str:
    """Per-label rows then the overall lines, columns aligned for a terminal or a card; a
    label with too few spans shows its counts and "too few" instead of figures."""
    header = ["SemEval class" if report.semeval else "technique", "gold", "pred", "P", "R", "F1"]
    rows = [header]
    rows.extend([name, *_figures(scores, True)] for name, scores in report.by_label.items())
    rules = [len(rows)] if report.by_label else []
    rows.append(["overall (micro)", *_figures(report.overall, False)])
    rows.append(
        ["span identification (labels ignored)", *_figures(report.span_identification, False)]
    )
    return _aligned(rows, rules)


def format_chance(report: AgreementReport) -> str:
    """γ per label and overall, then κ on the lines, each with its n."""
    chance = report.chance
    if chance is None:
        return ""
    header = ["SemEval class" if report.semeval else "technique", "gold", "pred", "n", "gamma"]
    rows = [header]
    for name, cell in [*chance.gamma_by_label.items(), ("overall", chance.gamma_overall)]:
        value = "too few" if cell.value is None else f"{cell.value:.3f}"
        rows.append([name, str(cell.reference), str(cell.compared), str(cell.n), value])
    kappa_rows = [["lines (has_propaganda)", "both", "neither", "n", "kappa"]]
    for name, k in chance.kappa.items():
        value = "undefined" if k.value is None else f"{k.value:.3f}"
        kappa_rows.append([name.replace("_", " "), str(k.both), str(k.neither), str(k.n), value])
    return _aligned(rows, [len(rows) - 1]) + "\n\n" + _aligned(kappa_rows, [])
