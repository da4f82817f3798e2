"""Turn annotation records into PTC label and rationale files, and check they still match.

Annotators write what they see: the fragment and which occurrence of it they mean, in
``<annotations>/<layer>/article<ID>.yaml``. They never count offsets, because PTC offsets
count code points of the raw file, where a no-break space or a curly quote looks exactly
like its ASCII twin, and a hand-counted offset that is off by one goes unnoticed. This
command resolves every record to (start, end), enforces PTC's rules (known technique names,
no span starting or ending with whitespace or ``.,:;``, no overlap between spans of the same
technique in one layer) and writes ``<raw>/labels/article<ID>.<layer>.labels`` and
``article<ID>.<layer>.rationale.tsv``, the files the build reads.

With ``--check`` it writes nothing and exits 1 when a committed file differs from what the
records produce, so that CI catches label files edited by hand. In both modes, a label or
rationale file of a record-kept layer that no record produces (its record was deleted) is
reported and makes the exit status 1; it is never deleted automatically.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BeforeValidator

from dataset.errors import InputError
from dataset.ptc.formats import (
    LAYER,
    RATIONALE_HEADER,
    RATIONALE_NAME,
    breaks_span_boundary,
    parse_label_file_name,
    read_article,
)
from dataset.schema import Schema, schema
from dataset.yaml_models import (
    InputKind,
    InputModel,
    InputValueError,
    line_at,
    parse_model,
)

RECORD_NAME = re.compile(r"^article(?P<id>[0-9]+)\.yaml$")
#: Anything that looks like a record but does not follow the naming rule is an error, not
#: something to skip silently: a typo in a file name must not drop an article's labels.
RECORD_LIKE = re.compile(r"^article.*\.ya?ml$", re.IGNORECASE)
#: Look-alike characters an annotator may type instead of the one in the text; used only to
#: suggest a fix when a fragment is not found. Each maps one code point to one code point,
#: so indices in the normalised text are indices in the original.
LOOK_ALIKES = str.maketrans(
    {
        "\u00a0": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)


class FragmentError(InputValueError):
    """A fragment that cannot be turned into a valid span; ``fix`` says what to do."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem, fix=fix)
        self.fix: str = fix


@dataclass(frozen=True)
class RecordedSpan:
    technique: str
    start: int
    end: int
    rationale: str
    line: int | None
    """Line of the span's entry in the record, for error messages."""


@dataclass(frozen=True)
class Record:
    path: Path
    article_id: str
    layer: str
    spans: tuple[RecordedSpan, ...]

    def sorted_spans(self) -> list[RecordedSpan]:
        """PTC files list spans by position; the technique breaks ties deterministically."""
        return sorted(self.spans, key=lambda span: (span.start, span.end, span.technique))


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar with every non-ASCII character escaped, ready
    to paste into a record (JSON strings are valid YAML double-quoted scalars)."""
    return json.dumps(text, ensure_ascii=True)


def describe_char(char: str) -> str:
    name = unicodedata.name(char, "unnamed character")
    return f"{char!r} (U+{ord(char):04X} {name})"


def occurrences(text: str, fragment: str) -> list[int]:
    """Every index where ``fragment`` starts in ``text``, overlapping ones included, so that
    every position of a repeated fragment can be addressed."""
    starts: list[int] = []
    index = text.find(fragment)
    while index != -1:
        starts.append(index)
        index = text.find(fragment, index + 1)
    return starts


def _near_miss(text: str, fragment: str) -> str | None:
    """The exact text the annotator probably meant, when the fragment matches only after
    look-alike characters are equated."""
    index = text.translate(LOOK_ALIKES).find(fragment.translate(LOOK_ALIKES))
    if index == -1:
        return None
    return text[index : index + len(fragment)]


def resolve_fragment(
    text: str, fragment: str, occurrence: int, spec: Schema | None = None
) -> tuple[int, int]:
    """(start, end) of the ``occurrence``-th (1-based) occurrence of ``fragment`` in
    ``text``; raises FragmentError when it does not exist or breaks the boundary rule."""
    if not fragment:
        raise FragmentError("the fragment is empty", "copy the fragment from the article text")
    if occurrence < 1:
        raise FragmentError(
            f"occurrence is {occurrence}", "occurrences count from 1 (the first in the file)"
        )
    starts = occurrences(text, fragment)
    if not starts:
        meant = _near_miss(text, fragment)
        if meant is not None:
            raise FragmentError(
                f"the fragment {yaml_quoted(fragment)} is not in the article, but "
                f"{yaml_quoted(meant)} is: the text uses look-alike characters (no-break "
                "spaces, curly quotes or dashes)",
                f"write the fragment as {yaml_quoted(meant)}",
            )
        raise FragmentError(
            f"the fragment {yaml_quoted(fragment)} is not in the article",
            "copy the fragment exactly from the raw article file (case, punctuation and "
            "spacing matter)",
        )
    if occurrence > len(starts):
        times = "once" if len(starts) == 1 else f"{len(starts)} times"
        raise FragmentError(
            f"occurrence {occurrence} asked for, but the fragment occurs only {times}",
            f"use an occurrence between 1 and {len(starts)}, or lengthen the fragment",
        )
    start = starts[occurrence - 1]
    end = start + len(fragment)
    for edge, char in (("starts", text[start]), ("ends", text[end - 1])):
        if breaks_span_boundary(char, spec):
            raise FragmentError(
                f"the fragment {edge} with {describe_char(char)}; PTC spans never start or "
                "end with whitespace, a line break, '.', ',', ':' or ';'",
                "trim the fragment to the words that carry the technique",
            )
    return start, end


def overlapping_pairs(spans: list[RecordedSpan]) -> Iterator[tuple[RecordedSpan, RecordedSpan]]:
    """Pairs of spans with the same technique that share at least one character; adjacent
    spans do not overlap. Yields (earlier, later) by start."""
    by_technique: dict[str, list[RecordedSpan]] = {}
    for span in spans:
        by_technique.setdefault(span.technique, []).append(span)
    for group in by_technique.values():
        group.sort(key=lambda span: (span.start, span.end))
        reach: RecordedSpan | None = None
        for span in group:
            if reach is not None and span.start < reach.end:
                yield reach, span
            if reach is None or span.end > reach.end:
                reach = span


# Reading records -------------------------------------------------------------------------


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        raise InputValueError(
            f"must be text, found {type(value).__name__} {value!r}",
            fix="put the value in double quotes so YAML reads it as text",
        )
    return value


def _filled(value: str) -> str:
    if not value.strip():
        raise InputValueError(
            "is empty", fix="fill it in; dataset/guidelines.md says what goes there"
        )
    return value


def _one_line(value: str) -> str:
    if any(char in value for char in "\t\r\n"):
        raise InputValueError(
            "contains a tab or a line break, which the TSV file cannot hold",
            fix="write the rationale as one line (use '>-' if it must wrap in the YAML)",
        )
    return value.strip()


def _quoted_id(value: Any) -> Any:
    if not isinstance(value, str):
        raise InputValueError(
            f"{value!r} is not quoted text",
            fix='quote the digits of the file name: article_id: "..." (unquoted IDs lose '
            "leading zeros)",
        )
    return value


def _layer_name(value: str) -> str:
    if not LAYER.match(value):
        raise InputValueError(
            f"the layer name {value!r} may only use letters, digits, '_' and '-'",
            fix="rename the folder and the layer",
        )
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputValueError(
            f"must be a whole number, found {value!r}",
            fix="write 1 for the first occurrence of the fragment in the file, 2 for the second",
        )
    return value


Text = Annotated[str, BeforeValidator(_text), AfterValidator(_filled)]


class SpanEntry(InputModel):
    """One span as the annotator wrote it: what they saw, never an offset."""

    technique: Text
    fragment: Annotated[str, BeforeValidator(_text)]
    occurrence: Annotated[int, BeforeValidator(_whole)]
    rationale: Annotated[Text, AfterValidator(_one_line)]


class RecordFile(InputModel):
    """An annotation record, ``<annotations>/<layer>/article<ID>.yaml``."""

    article_id: Annotated[str, BeforeValidator(_quoted_id)]
    layer: Annotated[Text, AfterValidator(_layer_name)]
    annotator: Text
    guidelines: Text
    spans: list[SpanEntry]


RECORD_INPUT = InputKind(
    "the record",
    "give a record the keys article_id, layer, annotator, guidelines and spans, and each span "
    "technique, fragment, occurrence and rationale (see dataset/guidelines.md)",
    syntax="fix the YAML syntax; write fragments in double quotes and escape '\"' as '\\\"'",
)


def _technique(path: Path, value: str, line: int | None, spec: Schema) -> str:
    names = spec.techniques.names
    if value in names:
        return value
    if value in spec.semeval_classes.names:
        fix = (
            "that is a merged SemEval-2020 class; annotate with the precise PTC technique, "
            "the mapping to SemEval classes is applied later"
        )
    else:
        close = difflib.get_close_matches(value, names, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        fix = f"{hint}use one of the 18 PTC names exactly as in schemas/propaganda_spans.yaml"
    raise InputError(path, f"unknown technique {value!r}", fix, line=line)


def _record_id(path: Path) -> str:
    match = RECORD_NAME.match(path.name)
    if match is None:
        raise InputError(
            path,
            "the record file name is not article<ID>.yaml",
            "name the file article<digits>.yaml after the raw article article<digits>.txt",
        )
    return match["id"]


def _check_place(path: Path, record: RecordFile, root: yaml.Node | None) -> None:
    """A record names its own article and layer, and they must be where it lives."""
    file_id = _record_id(path)
    if record.article_id != file_id:
        raise InputError(
            path,
            f"article_id {record.article_id!r} does not match the file name (article {file_id})",
            "correct article_id or rename the file",
            line=line_at(root, "article_id"),
        )
    if record.layer != path.parent.name:
        raise InputError(
            path,
            f"layer {record.layer!r} does not match the folder {path.parent.name!r}",
            "a record's layer is the name of the folder it lives in; move the file or fix it",
            line=line_at(root, "layer"),
        )


def _span(
    path: Path, text: str, entry: SpanEntry, root: yaml.Node | None, index: int, *, spec: Schema
) -> RecordedSpan:
    """One entry resolved to offsets in ``text``, each problem at its key's line."""
    technique = _technique(path, entry.technique, line_at(root, "spans", index, "technique"), spec)
    try:
        start, end = resolve_fragment(text, entry.fragment, entry.occurrence, spec)
    except FragmentError as error:
        line = line_at(root, "spans", index, "fragment")
        raise InputError(path, error.problem, error.fix, line=line) from None
    line = line_at(root, "spans", index)
    return RecordedSpan(technique, start, end, entry.rationale, line)


def _refuse_overlaps(path: Path, text: str, spans: list[RecordedSpan]) -> None:
    for earlier, later in overlapping_pairs(spans):
        relation = (
            "repeats" if (earlier.start, earlier.end) == (later.start, later.end) else "overlaps"
        )
        where = f"line {earlier.line}" if earlier.line is not None else "another entry"
        raise InputError(
            path,
            f"this {later.technique} span ({later.start}-{later.end}: "
            f"{yaml_quoted(text[later.start : later.end])}) {relation} the {earlier.technique} "
            f"span of {where} ({earlier.start}-{earlier.end}); one layer may not hold "
            "overlapping spans of the same technique",
            "merge them into one span covering both (one fragment, one rationale), or drop one",
            line=later.line,
        )


def load_record(path: Path, raw: Path, spec: Schema | None = None) -> Record:
    """Read, check and resolve one record file against its raw article, under ``spec``
    (None: ``dataset.schema.schema``)."""
    spec = spec or schema()
    _record_id(path)
    record, root = parse_model(path, RecordFile, RECORD_INPUT)
    _check_place(path, record, root)
    article_path = raw / "articles" / f"article{record.article_id}.txt"
    if not article_path.is_file():
        raise InputError(
            path,
            f"the raw article {article_path} does not exist",
            "copy the article byte for byte to that path, or pass --raw",
            line=line_at(root, "article_id"),
        )
    text = read_article(article_path)
    spans = [_span(path, text, e, root, i, spec=spec) for i, e in enumerate(record.spans)]
    _refuse_overlaps(path, text, spans)
    return Record(path=path, article_id=record.article_id, layer=record.layer, spans=tuple(spans))


def record_paths(annotations: Path) -> list[Path]:
    """Every record file, sorted; misnamed or misplaced record-like files are errors."""
    if not annotations.is_dir():
        raise InputError(
            annotations,
            "the annotations folder does not exist",
            "run from the repository root or pass --annotations DIR",
        )
    paths: list[Path] = []
    for entry in sorted(annotations.iterdir()):
        if entry.is_file() and RECORD_LIKE.match(entry.name):
            raise InputError(
                entry,
                "a record outside a layer folder",
                f"move it to {annotations}/<layer>/{entry.name}",
            )
        if not entry.is_dir():
            continue
        for path in sorted(entry.iterdir()):
            if not path.is_file() or not RECORD_LIKE.match(path.name):
                continue
            if RECORD_NAME.match(path.name) is None:
                raise InputError(
                    path,
                    "the record file name is not article<ID>.yaml",
                    "name the file article<digits>.yaml after the raw article article<digits>.txt",
                )
            paths.append(path)
    return paths


# Writing ---------------------------------------------------------------------------------


def label_file_text(record: Record) -> str:
    """PTC technique-classification format: ID, technique, start, end; no header."""
    return "".join(
        f"{record.article_id}\t{span.technique}\t{span.start}\t{span.end}\n"
        for span in record.sorted_spans()
    )


def rationale_file_text(record: Record) -> str:
    rows = [RATIONALE_HEADER + "\n"]
    rows.extend(
        f"{span.technique}\t{span.start}\t{span.end}\t{span.rationale}\n"
        for span in record.sorted_spans()
    )
    return "".join(rows)


def outputs(record: Record, raw: Path) -> dict[Path, str]:
    """The files a record produces, with their exact content."""
    stem = raw / "labels" / f"article{record.article_id}.{record.layer}"
    return {
        stem.with_name(stem.name + ".labels"): label_file_text(record),
        stem.with_name(stem.name + ".rationale.tsv"): rationale_file_text(record),
    }


def expected_outputs(
    annotations: Path, raw: Path, spec: Schema | None = None
) -> dict[Path, tuple[Path, str]]:
    """Every output file, mapped to the record it comes from and its content."""
    expected: dict[Path, tuple[Path, str]] = {}
    spec = spec or schema()
    for path in record_paths(annotations):
        record = load_record(path, raw, spec)
        for output, content in outputs(record, raw).items():
            expected[output] = (path, content)
    return expected


def orphan_outputs(annotations: Path, raw: Path, expected: dict[Path, Any]) -> list[Path]:
    """Label or rationale files of a layer that is kept as records (it has a folder under
    ``annotations``) but that no record produces: left behind when a record was deleted or
    renamed, they would still reach the build. Other layers' files are not ours to judge."""
    labels = raw / "labels"
    if not labels.is_dir():
        return []
    layers = {entry.name for entry in annotations.iterdir() if entry.is_dir()}
    orphans: list[Path] = []
    for path in sorted(labels.iterdir()):
        parsed = parse_label_file_name(path.name)
        rationale = RATIONALE_NAME.match(path.name)
        layer = parsed[1] if parsed is not None else rationale["layer"] if rationale else None
        if layer in layers and path not in expected:
            orphans.append(path)
    return orphans
