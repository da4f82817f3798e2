"""``python -m dataset adjudicate``: arguments, then the layer's listing
(``--layers``) or, per decisions file, one call into ``dataset.annotation.adjudicate``
(``gold_files``) and the writing or checking of what it returns."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from dataset.annotation.adjudicate import (
    DECISIONS_DIR,
    describe,
    disagreements,
    gold_files,
    gold_spans,
    read_decisions,
    read_layers,
)
from dataset.commands.options import chosen_schema
from dataset.errors import InputError
from dataset.files import write_atomically
from dataset.project import RAW_DIR
from dataset.ptc.corpus import ArticleFiles, discover
from dataset.schema import Schema, add_schema_option

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Settle the disagreements between annotation layers into a gold layer. With --layers,
list every disagreement between those layers. With decisions files (one per article:
keep, merge, relabel, drop or add, each with a reason), write the gold label and rationale
files, but only once every disagreement is decided. --check writes nothing and exits 1
when a gold file differs from what the decisions make.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "decisions",
        type=Path,
        nargs="*",
        help=f"decisions files or folders of them (default: {DECISIONS_DIR})",
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=RAW_DIR,
        metavar="DIR",
        help=f"the corpus folder the layers' label files are in (default: {RAW_DIR})",
    )
    parser.add_argument(
        "--layers",
        nargs="+",
        metavar="LAYER",
        help="only list the disagreements between these layers (no decisions file needed)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when a gold file differs from what the decisions make",
    )
    add_schema_option(parser)


def _decision_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths or [DECISIONS_DIR]:
        if path.is_dir():
            files.extend(sorted(path.glob("article*.yaml")))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(path, "no such file or folder", "pass a decisions file or folder")
    if not files:
        raise InputError(
            paths[0] if paths else DECISIONS_DIR,
            "no decisions files article<ID>.yaml",
            "write one per article",
        )
    return files


def _article(
    source: Path, article_id: str, layers: Sequence[str], where: Path, spec: Schema
) -> ArticleFiles:
    for article in discover(source, spec=spec):
        if article.article_id == article_id:
            missing = [layer for layer in layers if layer not in article.labels]
            if missing:
                raise InputError(
                    where,
                    f"article {article_id} has no label file in layer(s) {', '.join(missing)}",
                    "annotate it in every layer, or list only the layers that did",
                )
            return article
    raise InputError(where, f"article {article_id} is not under {source}", "check --source")


def list_only(source: Path, layers: Sequence[str], spec: Schema) -> int:
    """List the disagreements of every article all the layers annotated; exit 1 if any."""
    total = 0
    for article in discover(source, spec=spec):
        if all(layer in article.labels for layer in layers):
            spans = read_layers(article, layers, spec)
            for found in disagreements(spans):
                print(describe(spans, found))
                total += 1
    print(f"{total} disagreement(s) between {', '.join(layers)}")
    return 1 if total else 0


def _settle(path: Path, source: Path, spec: Schema, *, check: bool) -> int:
    """List one decisions file's disagreements and write (or, with ``check``, compare) the
    gold files it makes; the number of gold files that differ."""
    decisions = read_decisions(path, spec)
    content = decisions.content
    article = _article(source, content.article_id, content.layers, path, spec)
    spans = read_layers(article, content.layers, spec)
    found = disagreements(spans)
    layers = ", ".join(content.layers)
    print(f"article {content.article_id}: {len(found)} disagreement(s) between {layers}")
    for item in found:
        print(describe(spans, item))
    differs = 0
    for target, text in gold_files(spans, content.gold, gold_spans(spans, decisions)).items():
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        if check:
            print(f"differs from the decisions: {target}", file=sys.stderr)
            differs += 1
        else:
            write_atomically(target, text)
            print(f"wrote {target}")
    return differs


def run(args: argparse.Namespace) -> int:
    spec = chosen_schema(args)
    if args.layers is not None:
        if len(args.layers) < 2 or args.decisions:
            print("error: --layers takes two or more layers and no decisions file", file=sys.stderr)
            return 2
        return list_only(args.source, args.layers, spec)
    files = _decision_files(args.decisions)
    differs = sum(_settle(path, args.source, spec, check=args.check) for path in files)
    return 1 if differs else 0
