"""Consolidate two or more annotation layers into a gold layer, one written decision at a time.

Why a tool: a gold layer is only citable when each of its spans can be traced to the layers
it came from and every departure from them to a reason. The command compares the layers
of each article, lists every disagreement, and writes the gold layer only when a decisions
file settles all of them; an undecided disagreement is named and nothing is written.

Disagreements. Spans that every layer holds with the same technique and offsets go to gold
unasked. Every other span is grouped with the spans of other layers it is in conflict
with, and each group is one disagreement of one or more kinds:

- ``one-layer``: a span some layers hold and the others do not;
- ``boundaries``: the same technique over overlapping but different stretches;
- ``technique``: the same fragment (same offsets) with different techniques;
- ``semeval-class``: a merged SemEval-2020 class in one layer (SemEval's own files label
  ``Whataboutism,Straw_Men,Red_Herring`` and ``Bandwagon,Reductio_ad_hitlerum`` so)
  against an overlapping PTC technique of that class in another.

A disagreement's id is ``<article>:<start>-<end>``, the stretch its spans cover.

Decisions (``dataset/adjudication/article<ID>.yaml``, one file per article): ``keep`` one
layer's spans of the disagreement, ``merge`` the boundaries of same-technique spans into
one span covering them all, ``relabel`` the spans with another technique, ``drop`` them
all, or ``add`` a span no layer has (by fragment and occurrence, as annotators write it).
Every decision carries a reason. The gold layer is an ordinary layer, label file and
rationale file beside the layers' own; each gold rationale starts with the layers the span
came from (``[from maintainers, second-pass]``) or how adjudication made it.

A decisions file::

    article_id: "9000000001"
    layers: [maintainers, second-pass]   # two or more; the first one's folder gets gold
    gold: gold                           # the gold layer's name (default gold)
    decisions:
      - disagreement: "9000000001:220-238"
        action: keep                     # keep (layer), merge, relabel (technique, and
        layer: maintainers               # layer when boundaries differ), drop, or add
        reason: the parentheses carry nothing of the insinuation
      - action: add                      # add: technique, fragment, occurrence (default 1)
        technique: Loaded_Language
        fragment: "even moderate"
        reason: both layers missed the word-level sarcasm
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import ConfigDict, Field, model_validator

from dataset.annotation.annotate import FragmentError, resolve_fragment, yaml_quoted
from dataset.errors import InputError
from dataset.project import REPO_ROOT
from dataset.ptc.corpus import DEFAULT_LAYER, ArticleFiles
from dataset.ptc.formats import (
    LAYER,
    RATIONALE_HEADER,
    read_article,
    read_label_file,
    read_rationale_file,
)
from dataset.schema import Schema, schema
from dataset.yaml_models import InputKind, InputModel, line_at, parse_model

DECISIONS_DIR = REPO_ROOT / "dataset" / "adjudication"
DECISIONS_INPUT = InputKind(
    "the decisions file",
    "see python -m dataset adjudicate --help for the keys: article_id, layers, gold, decisions "
    "(each: disagreement, action, layer, technique, fragment, occurrence, reason)",
)
KINDS = {
    "one-layer": "a span in some layers only",
    "boundaries": "same technique, different boundaries",
    "technique": "same fragment, different techniques",
    "semeval-class": "a merged SemEval-2020 class against a technique of that class",
}


# The decisions file ----------------------------------------------------------------------


class Decision(InputModel):
    """One decision; which keys it needs depends on its action."""

    model_config = ConfigDict(strict=True)

    action: Literal["keep", "merge", "relabel", "drop", "add"]
    reason: str = Field(min_length=1)
    disagreement: str | None = None
    layer: str | None = None
    technique: str | None = None
    fragment: str | None = None
    occurrence: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _keys_of_the_action(self) -> Decision:
        needs = {
            "keep": {"disagreement", "layer"},
            "merge": {"disagreement"},
            "relabel": {"disagreement", "technique"},
            "drop": {"disagreement"},
            "add": {"technique", "fragment"},
        }[self.action]
        allowed = needs | {"relabel": {"layer"}, "add": {"occurrence"}}.get(self.action, set())
        given = {key for key in self.model_fields_set if key not in ("action", "reason")}
        missing = sorted(needs - given)
        if missing:
            raise ValueError(f"{self.action} needs {', '.join(missing)}")
        extra = sorted(given - allowed)
        if extra:
            raise ValueError(f"{self.action} takes no {', '.join(extra)}")
        return self


class DecisionsFile(InputModel):
    """The decisions for one article: which layers are compared and what gold is called."""

    model_config = ConfigDict(strict=True)

    article_id: str = Field(pattern=r"^[0-9]+$")
    layers: list[str] = Field(min_length=2)
    gold: str = DEFAULT_LAYER
    decisions: list[Decision] = Field(default_factory=list)


@dataclass(frozen=True)
class Decisions:
    """A decisions file read and checked, with the line of each decision."""

    path: Path
    content: DecisionsFile
    lines: tuple[int | None, ...]
    root: yaml.Node | None

    def line_of(self, index: int, key: str | None = None) -> int | None:
        if key is None:
            return self.lines[index]
        return line_at(self.root, "decisions", index, key) or self.lines[index]


def read_decisions(path: Path, spec: Schema | None = None) -> Decisions:
    """Read a decisions file: keys and types checked (techniques against ``spec``, None:
    ``dataset.schema.schema``), each problem at its line."""
    content, root = parse_model(path, DecisionsFile, DECISIONS_INPUT)
    lines = tuple(line_at(root, "decisions", index) for index in range(len(content.decisions)))
    decisions = Decisions(path, content, lines, root)
    for layer in [*content.layers, content.gold]:
        if LAYER.match(layer) is None:
            raise InputError(path, f"{layer!r} is not a layer name", "use letters, digits, - and _")
    if content.gold in content.layers or len(set(content.layers)) != len(content.layers):
        raise InputError(
            path, "the layers repeat, or gold is one of them", "name each layer once", line=1
        )
    labels = set((spec or schema()).techniques.names)
    for index, decision in enumerate(content.decisions):
        if decision.technique is not None and decision.technique not in labels:
            raise InputError(
                path,
                f"unknown technique {decision.technique!r}",
                "use one of the 18 PTC names exactly as in schemas/propaganda_spans.yaml",
                line=decisions.line_of(index, "technique"),
            )
        if decision.layer is not None and decision.layer not in content.layers:
            raise InputError(
                path,
                f"layer {decision.layer!r} is not one of this file's layers",
                f"use one of {', '.join(content.layers)}",
                line=decisions.line_of(index, "layer"),
            )
    return decisions


# Spans and disagreements -----------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Candidate:
    """A distinct span (technique and offsets) of an article, with the layers holding it."""

    start: int
    end: int
    label: str
    layers: tuple[str, ...]

    def overlaps(self, other: Candidate) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Disagreement:
    id: str
    kinds: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    def labels(self) -> set[str]:
        return {candidate.label for candidate in self.candidates}


@dataclass(frozen=True)
class LayerSpans:
    """The spans of each compared layer in one article, with their rationales."""

    article_id: str
    text: str
    layers: tuple[str, ...]
    spans: dict[tuple[str, int, int], tuple[str, ...]]
    rationales: dict[tuple[str, str, int, int], str]
    folder: Path
    spec: Schema

    def candidates(self) -> list[Candidate]:
        return sorted(
            Candidate(start, end, label, layers)
            for (label, start, end), layers in self.spans.items()
        )


def read_layers(
    article: ArticleFiles, layers: Sequence[str], spec: Schema | None = None
) -> LayerSpans:
    """Each layer's spans of the article and their rationales, read under ``spec`` (None:
    ``dataset.schema.schema``)."""
    spec = spec or schema()
    text = read_article(article.path)
    spans: dict[tuple[str, int, int], list[str]] = {}
    rationales: dict[tuple[str, str, int, int], str] = {}
    labels, rationale_files = article.labels, article.rationales
    for layer in layers:
        for line in read_label_file(labels[layer], article_id=article.article_id, spec=spec):
            spans.setdefault((line.label, line.start, line.end), []).append(layer)
        if layer in rationale_files:
            for (label, start, end), why in read_rationale_file(rationale_files[layer]).items():
                rationales[(layer, label, start, end)] = why
    return LayerSpans(
        article.article_id,
        text,
        tuple(layers),
        {key: tuple(found) for key, found in spans.items()},
        rationales,
        labels[layers[0]].parent,
        spec,
    )


def _conflict(a: Candidate, b: Candidate, mapping: dict[str, str | None]) -> str | None:
    """The kind of conflict between two spans of different layer sets, if any: different
    techniques may overlap freely, so only these relations are conflicts."""
    if a.layers == b.layers or not a.overlaps(b):
        return None
    if a.label == b.label:
        return "boundaries"
    if mapping.get(a.label) == b.label or mapping.get(b.label) == a.label:
        return "semeval-class"
    if (a.start, a.end) == (b.start, b.end):
        return "technique"
    return None


def disagreements(spans: LayerSpans) -> list[Disagreement]:
    """Groups of conflicting spans (connected through pairwise conflicts), in text order;
    a span no layer disputes but not every layer holds is a group of its own."""
    disputed = [c for c in spans.candidates() if len(c.layers) < len(spans.layers)]
    mapping = spans.spec.technique_to_semeval
    group = list(range(len(disputed)))

    def root(index: int) -> int:
        while group[index] != index:
            index = group[index]
        return index

    kinds: dict[int, set[str]] = {}
    for i, a in enumerate(disputed):
        for j in range(i + 1, len(disputed)):
            kind = _conflict(a, disputed[j], mapping)
            if kind is not None:
                group[root(j)] = root(i)
                kinds.setdefault(i, set()).add(kind)
    members: dict[int, list[int]] = {}
    for index in range(len(disputed)):
        members.setdefault(root(index), []).append(index)
    found = []
    for indices in members.values():
        found_kinds = set().union(*(kinds.get(i, set()) for i in indices)) or {"one-layer"}
        candidates = tuple(disputed[i] for i in indices)
        start, end = min(c.start for c in candidates), max(c.end for c in candidates)
        ordered = tuple(kind for kind in KINDS if kind in found_kinds)
        found.append(Disagreement(f"{spans.article_id}:{start}-{end}", ordered, candidates))
    return _unique_ids(sorted(found, key=lambda d: (d.candidates[0], d.id)))


def _unique_ids(found: list[Disagreement]) -> list[Disagreement]:
    """Ids stay unique when two unrelated groups cover the same stretch."""
    seen: dict[str, int] = {}
    unique = []
    for item in found:
        seen[item.id] = seen.get(item.id, 0) + 1
        count = seen[item.id]
        name = item.id if count == 1 else f"{item.id}:{count}"
        unique.append(Disagreement(name, item.kinds, item.candidates))
    return unique


# Gold -------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class GoldSpan:
    start: int
    end: int
    label: str
    rationale: str


def _rationale(spans: LayerSpans, candidate: Candidate) -> str:
    for layer in candidate.layers:
        found = spans.rationales.get((layer, candidate.label, candidate.start, candidate.end))
        if found:
            return found
    return ""


def _tagged(tag: str, text: str) -> str:
    return " ".join(f"[{tag}] {text}".split())


def _from(spans: LayerSpans, candidate: Candidate) -> GoldSpan:
    tag = "from " + ", ".join(candidate.layers)
    return GoldSpan(
        candidate.start, candidate.end, candidate.label, _tagged(tag, _rationale(spans, candidate))
    )


def _decided(
    spans: LayerSpans, found: Disagreement, decision: Decision, where: tuple[Path, int | None]
) -> list[GoldSpan]:
    """The gold spans one decision makes of one disagreement."""
    candidates = found.candidates
    if decision.action == "drop":
        return []
    if decision.action == "keep":
        kept = [c for c in candidates if decision.layer in c.layers]
        if not kept:
            raise InputError(
                where[0],
                f"layer {decision.layer!r} has no span in disagreement {found.id}",
                "keep a layer that has one, or drop the disagreement's spans",
                line=where[1],
            )
        return [_from(spans, c) for c in kept]
    if decision.action == "merge":
        if len(found.labels()) != 1:
            raise InputError(
                where[0],
                f"merge joins the boundaries of one technique, but {found.id} has "
                f"{', '.join(sorted(found.labels()))}",
                "keep one layer's spans or relabel them",
                line=where[1],
            )
        layers = tuple(
            layer for layer in spans.layers if any(layer in c.layers for c in candidates)
        )
        start, end = min(c.start for c in candidates), max(c.end for c in candidates)
        merged = Candidate(start, end, candidates[0].label, layers)
        why = _rationale(spans, candidates[0])
        return [
            GoldSpan(start, end, merged.label, _tagged("merged from " + ", ".join(layers), why))
        ]
    return _relabelled(spans, found, decision, where)


def _relabelled(
    spans: LayerSpans, found: Disagreement, decision: Decision, where: tuple[Path, int | None]
) -> list[GoldSpan]:
    candidates = list(found.candidates)
    if decision.layer is not None:
        candidates = [c for c in candidates if decision.layer in c.layers]
    if len({(c.start, c.end) for c in candidates}) != 1:
        raise InputError(
            where[0],
            f"the spans of {found.id} to relabel do not share their boundaries",
            "add layer: to say whose boundaries gold takes",
            line=where[1],
        )
    c = candidates[0]
    tag = f"relabelled {'/'.join(sorted(found.labels()))} from " + ", ".join(c.layers)
    return [GoldSpan(c.start, c.end, str(decision.technique), _tagged(tag, decision.reason))]


def _added(spans: LayerSpans, decision: Decision, where: tuple[Path, int | None]) -> GoldSpan:
    try:
        start, end = resolve_fragment(
            spans.text, str(decision.fragment), decision.occurrence, spans.spec
        )
    except FragmentError as error:
        raise InputError(where[0], error.problem, error.fix, line=where[1]) from None
    return GoldSpan(start, end, str(decision.technique), _tagged("added", decision.reason))


def gold_spans(spans: LayerSpans, decisions: Decisions) -> list[GoldSpan]:
    """The gold layer of the article: spans every layer agrees on, then the decisions'
    spans. Raises when a decision names no disagreement, two decide the same one, or any
    disagreement is left undecided (naming them all)."""
    found = {item.id: item for item in disagreements(spans)}
    gold = [_from(spans, c) for c in spans.candidates() if len(c.layers) == len(spans.layers)]
    decided: dict[str, int] = {}
    for index, decision in enumerate(decisions.content.decisions):
        where = (decisions.path, decisions.line_of(index))
        if decision.action == "add":
            gold.append(_added(spans, decision, where))
            continue
        key = str(decision.disagreement)
        if key not in found:
            raise InputError(
                decisions.path,
                f"no disagreement {key!r} between {', '.join(spans.layers)}",
                "use an id listed by python -m dataset adjudicate (article:start-end)",
                line=decisions.line_of(index, "disagreement"),
            )
        if key in decided:
            raise InputError(
                decisions.path,
                f"disagreement {key} is decided twice (first on line {decided[key]})",
                "keep one decision per disagreement",
                line=where[1],
            )
        decided[key] = where[1] or 0
        gold.extend(_decided(spans, found[key], decision, where))
    undecided = [key for key in found if key not in decided]
    if undecided:
        raise InputError(
            decisions.path,
            f"{len(undecided)} disagreement(s) undecided: {', '.join(undecided)}; no gold written",
            "add a decision (keep, merge, relabel, drop) with a reason for each",
        )
    _check_gold(sorted(set(gold)), decisions.path)
    return sorted(set(gold))


def _check_gold(gold: list[GoldSpan], path: Path) -> None:
    """Gold obeys the layers' rule: spans of one technique never overlap."""
    last: dict[str, GoldSpan] = {}
    for span in sorted(gold, key=lambda s: (s.label, s.start, s.end)):
        before = last.get(span.label)
        if before is not None and before.end > span.start:
            raise InputError(
                path,
                f"the decisions leave two overlapping {span.label} spans in gold "
                f"({before.start}-{before.end} and {span.start}-{span.end})",
                "merge them, or keep one layer's span in the disagreements that make them",
            )
        last[span.label] = span


def gold_files(spans: LayerSpans, gold_layer: str, gold: Iterable[GoldSpan]) -> dict[Path, str]:
    """The gold label and rationale files, beside the first layer's label file."""
    stem = spans.folder / f"article{spans.article_id}.{gold_layer}"
    ordered = sorted(gold, key=lambda s: (s.start, s.end, s.label))
    labels = "".join(f"{spans.article_id}\t{s.label}\t{s.start}\t{s.end}\n" for s in ordered)
    rationales = RATIONALE_HEADER + "\n"
    rationales += "".join(f"{s.label}\t{s.start}\t{s.end}\t{s.rationale}\n" for s in ordered)
    return {
        stem.with_name(stem.name + ".labels"): labels,
        stem.with_name(stem.name + ".rationale.tsv"): rationales,
    }


# Command line -----------------------------------------------------------------------------


def describe(spans: LayerSpans, found: Disagreement) -> str:
    """A disagreement as the command lists it: id, kinds, then each span with its layers."""
    line = spans.text.count("\n", 0, found.candidates[0].start) + 1
    kinds = "; ".join(f"{kind} ({KINDS[kind]})" for kind in found.kinds)
    rows = [f"{found.id}  line {line}  {kinds}"]
    for c in found.candidates:
        fragment = yaml_quoted(spans.text[c.start : c.end])
        rows.append(f"    {', '.join(c.layers)}: {c.label} {c.start}-{c.end} {fragment}")
    return "\n".join(rows)
