"""Finding the articles, label files, rationales and provenance records of a PTC corpus.

Discovery only looks at file names, so it stays cheap for corpora of any size; the files
are read later, article by article. It accepts PTC's own layouts (all files in one folder,
or SemEval-2020's ``train-articles/`` beside ``train-labels-task2-technique-classification/``)
and this project's ``articles/`` + ``labels/`` layout, since it only matches names.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dataset.errors import InputError
from dataset.ptc.formats import (
    ARTICLE_NAME,
    LABEL_NAME,
    PROVENANCE_NAME,
    RATIONALE_NAME,
    SPAN_IDENTIFICATION_LAYERS,
    article_order,
    checked_article_id,
    checked_layer,
)

DEFAULT_LAYER = "gold"


def implied_layer(layers: Collection[str]) -> str | None:
    """The layer meant when none is named: the only one, else ``gold``; None when there is
    no layer or the choice would be a guess."""
    if len(layers) == 1:
        return next(iter(layers))
    return DEFAULT_LAYER if DEFAULT_LAYER in layers else None


@dataclass
class ArticleFiles:
    article_id: str
    path: Path | None = None
    labels: dict[str, Path] = field(default_factory=dict)
    rationales: dict[str, Path] = field(default_factory=dict)
    provenance: Path | None = None


@dataclass
class Corpus:
    root: Path
    articles: list[ArticleFiles]
    skipped: list[Path]

    @property
    def layers(self) -> list[str]:
        return sorted({layer for article in self.articles for layer in article.labels})

    @property
    def input_files(self) -> Iterator[Path]:
        for article in self.articles:
            assert article.path is not None
            yield article.path
            yield from (article.labels[layer] for layer in sorted(article.labels))
            yield from (article.rationales[layer] for layer in sorted(article.rationales))
            if article.provenance is not None:
                yield article.provenance


def _walk(root: Path) -> Iterator[Path]:
    """Files under ``root`` in a fixed order, skipping hidden files and folders."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def _claim(slot: dict[str, Path], key: str, path: Path, what: str, article_id: str) -> None:
    if key in slot:
        raise InputError(
            path,
            f"article {article_id} already has a {what} at {slot[key]}",
            "keep one file per article and layer; remove or rename the duplicate",
        )
    slot[key] = path


def discover(root: Path, default_layer: str = DEFAULT_LAYER) -> Corpus:
    """Every article under ``root`` with its files, ordered by numeric article ID."""
    if not root.is_dir():
        raise InputError(root, "the source folder does not exist", "pass --source DIR")
    found: dict[str, ArticleFiles] = {}
    skipped: list[Path] = []

    def files_of(article_id: str) -> ArticleFiles:
        return found.setdefault(article_id, ArticleFiles(article_id))

    for path in _walk(root):
        name = path.name
        if match := ARTICLE_NAME.match(name):
            article = files_of(checked_article_id(path, match["id"]))
            if article.path is not None:
                raise InputError(
                    path,
                    f"duplicate article ID {article.article_id}: {article.path} has it too",
                    "article IDs must be unique across the corpus; renumber or remove one",
                )
            article.path = path
        elif match := RATIONALE_NAME.match(name):
            article_id = checked_article_id(path, match["id"])
            layer = checked_layer(path, match["layer"])
            _claim(
                files_of(article_id).rationales, layer, path, f"{layer} rationale file", article_id
            )
        elif match := PROVENANCE_NAME.match(name):
            article = files_of(checked_article_id(path, match["id"]))
            if article.provenance is not None:
                raise InputError(
                    path,
                    f"article {article.article_id} already has a provenance file at "
                    f"{article.provenance}",
                    "keep one provenance file per article",
                )
            article.provenance = path
        elif match := LABEL_NAME.match(name):
            article_id = checked_article_id(path, match["id"])
            layer = checked_layer(path, match["layer"] or default_layer)
            if layer in SPAN_IDENTIFICATION_LAYERS:
                skipped.append(path)
                continue
            _claim(files_of(article_id).labels, layer, path, f"{layer} label file", article_id)
    for article in found.values():
        if article.path is None:
            orphan = next(
                iter([*article.labels.values(), *article.rationales.values()]),
                article.provenance,
            )
            assert orphan is not None
            raise InputError(
                orphan,
                f"there is no article{article.article_id}.txt for this file",
                "add the article file under the source folder, or correct the ID in the file name",
            )
        for layer, path in article.rationales.items():
            if layer not in article.labels:
                raise InputError(
                    path,
                    f"a rationale file for layer {layer!r} but no label file for that layer",
                    f"add article{article.article_id}.{layer}.labels or remove the rationales",
                )
    articles = sorted(found.values(), key=lambda a: article_order(a.article_id))
    return Corpus(root=root, articles=articles, skipped=skipped)
