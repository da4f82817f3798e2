"""Small hand-made PTC corpora for the export and score tests: articles of known length and
label files written line by line, built with the real builder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from dataset.builder.pipeline import build

#: 12 + 16 * 20 = 332 code points; offsets in the tests stay well inside.
ARTICLE_TEXT = "Title line\n\n" + "Some body text. " * 20
Label = tuple[str, int, int]


def write_corpus(
    root: Path,
    layers: Mapping[str, Mapping[str, Sequence[Label]]],
    articles: Sequence[str],
    text: str = ARTICLE_TEXT,
) -> Path:
    """``articles`` as article<ID>.txt holding ``text`` and, per layer, per article, a
    label file (an empty sequence writes an empty file: annotated, no propaganda)."""
    (root / "articles").mkdir(parents=True)
    (root / "labels").mkdir()
    for article in articles:
        (root / "articles" / f"article{article}.txt").write_bytes(text.encode("utf-8"))
    for layer, by_article in layers.items():
        for article, labels in by_article.items():
            rows = "".join(f"{article}\t{label}\t{start}\t{end}\n" for label, start, end in labels)
            (root / "labels" / f"article{article}.{layer}.labels").write_text(rows, "utf-8")
    return root


def build_corpus(
    root: Path,
    layers: Mapping[str, Mapping[str, Sequence[Label]]],
    articles: Sequence[str],
    text: str = ARTICLE_TEXT,
    label_layer: str | None = None,
) -> Path:
    """The corpus built into ``root/out``; returns the built folder."""
    source = write_corpus(root / "source", layers, articles, text)
    result = build(
        source, root / "out", label_layer=label_layer, progress=False, log=lambda _m: None
    )
    return result.out
