"""Finding the articles, label files, rationales and provenance records of a PTC corpus.

Discovery only looks at file names, so it stays cheap for corpora of any size; the files
are read later, article by article. It accepts PTC's own layouts (all files in one folder,
or SemEval-2020's ``train-articles/`` beside ``train-labels-task2-technique-classification/``)
and this project's ``articles/`` + ``labels/`` layout, since it only matches names.
"""

from __future__ import annotations

import os
import re
from array import array
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

from dataset.errors import InputError
from dataset.ptc.formats import (
    ARTICLE_NAME,
    LABEL_NAME,
    PROVENANCE_NAME,
    RATIONALE_NAME,
    SPAN_IDENTIFICATION_LAYERS,
    checked_article_id,
    checked_layer,
    is_digits,
)
from dataset.ptc.walk import Walk
from dataset.schema import Schema, schema

DEFAULT_LAYER = "gold"
#: Digits of the largest article ID NumPy sorts as a 64-bit integer.
_INT64_DIGITS = 18


def implied_layer(layers: Collection[str]) -> str | None:
    """The layer meant when none is named: the only one, else ``gold``; None when there is
    no layer or the choice would be a guess."""
    if len(layers) == 1:
        return next(iter(layers))
    return DEFAULT_LAYER if DEFAULT_LAYER in layers else None


@dataclass(frozen=True, slots=True)
class ArticleFiles:
    """One article's files, named relative to the corpus root. Names are strings: a
    million articles' Path objects would take a gigabyte, and the build reads by name."""

    article_id: str
    root: str
    article: str
    label_files: tuple[tuple[str, str], ...] = ()
    rationale_files: tuple[tuple[str, str], ...] = ()
    provenance_file: str | None = None

    def absolute(self, relative: str) -> str:
        return f"{self.root}{os.sep}{relative}"

    @property
    def path(self) -> Path:
        return Path(self.root, self.article)

    @property
    def labels(self) -> dict[str, Path]:
        """Label files by layer, in layer order."""
        return {layer: Path(self.root, name) for layer, name in self.label_files}

    @property
    def rationales(self) -> dict[str, Path]:
        return {layer: Path(self.root, name) for layer, name in self.rationale_files}

    @property
    def provenance(self) -> Path | None:
        return None if self.provenance_file is None else Path(self.root, self.provenance_file)

    @property
    def input_files(self) -> Iterator[str]:
        """The article's files in the manifest's order: the article, its label files and
        rationale files by layer, its provenance record."""
        yield self.article
        yield from (name for _, name in self.label_files)
        yield from (name for _, name in self.rationale_files)
        if self.provenance_file is not None:
            yield self.provenance_file


#: Where a file was found: the index of its folder in walk order and the rest of its name
#: after ``article<ID>`` (one shared string per distinct ending).
_Found = tuple[int, str]


class Corpus(Sequence[ArticleFiles]):
    """The articles of a corpus in the schema's article order, stored as columns of small
    values (an article is a few dozen bytes here) and handed out as ArticleFiles."""

    def __init__(
        self,
        root: Path,
        *,
        folders: list[str],
        ids: list[str],
        article_folders: array[int],
        labels: dict[str, tuple[array[int], list[str]]],
        rationales: dict[int, dict[str, _Found]],
        provenance: dict[int, _Found],
        skipped: list[Path],
    ) -> None:
        self.root = root
        self._root = str(root)
        self._folders = folders
        self._ids = ids
        self._article_folders = article_folders
        self._labels = {layer: labels[layer] for layer in sorted(labels)}
        self._rationales = rationales
        self._provenance = provenance
        self.skipped = skipped
        #: Symlinks to folders that were not walked (``follow_symlinks`` walks them).
        self.unfollowed: list[Path] = []
        #: The annotation layers: those with a label file for at least one article.
        self.layers = [layer for layer, (found, _) in self._labels.items() if max(found) >= 0]

    @property
    def articles(self) -> Corpus:
        """The corpus is the sequence of its articles."""
        return self

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> ArticleFiles: ...
    @overload
    def __getitem__(self, index: slice) -> list[ArticleFiles]: ...
    def __getitem__(self, index: int | slice) -> ArticleFiles | list[ArticleFiles]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        folders = self._folders
        stem = "article" + self._ids[index]
        labels = tuple(
            (layer, folders[folder] + stem + endings[index])
            for layer, (found, endings) in self._labels.items()
            if (folder := found[index]) >= 0
        )
        rationales = self._rationales.get(index)
        provenance = self._provenance.get(index)
        return ArticleFiles(
            self._ids[index],
            self._root,
            folders[self._article_folders[index]] + stem + ".txt",
            labels,
            ()
            if rationales is None
            else tuple(
                (layer, folders[rationales[layer][0]] + stem + rationales[layer][1])
                for layer in sorted(rationales)
            ),
            None if provenance is None else folders[provenance[0]] + stem + provenance[1],
        )


class _Discovery:
    """The state of one walk: every file claimed in walk order, checked as it is met."""

    def __init__(self, root: Path, default_layer: str) -> None:
        self.root = root
        self.default_layer = default_layer
        self.folders: list[str] = []
        self.slots: dict[str, int] = {}
        self.ids: list[str] = []
        self.article_folders = array("i")
        self.labels: dict[str, tuple[array[int], list[str]]] = {}
        self.rationales: dict[int, dict[str, _Found]] = {}
        self.provenance: dict[int, _Found] = {}
        self.skipped: list[Path] = []
        self.endings: dict[str, str] = {}

    def path(self, found: _Found, article_id: str) -> Path:
        return Path(self.root, f"{self.folders[found[0]]}article{article_id}{found[1]}")

    def slot(self, article_id: str) -> int:
        slot = self.slots.get(article_id)
        if slot is None:
            slot = self.slots[article_id] = len(self.ids)
            self.ids.append(article_id)
            self.article_folders.append(-1)
            for found, endings in self.labels.values():
                found.append(-1)
                endings.append("")
        return slot

    def found(self, folder: int, name: str, article_id: str) -> _Found:
        ending = name[len("article") + len(article_id) :]
        return folder, self.endings.setdefault(ending, ending)

    def add(self, folder: int, prefix: str, name: str) -> None:
        if not name.startswith("article"):
            return
        if match := ARTICLE_NAME.match(name):
            article_id = match["id"]
            if not is_digits(article_id):
                checked_article_id(Path(self.root, prefix + name), article_id)
            slot = self.slot(article_id)
            if self.article_folders[slot] >= 0:
                first = self.path((self.article_folders[slot], ".txt"), self.ids[slot])
                raise InputError(
                    Path(self.root, prefix + name),
                    f"duplicate article ID {self.ids[slot]}: {first} has it too",
                    "article IDs must be unique across the corpus; renumber or remove one",
                )
            self.article_folders[slot] = folder
        elif match := RATIONALE_NAME.match(name):
            path = Path(self.root, prefix + name)
            article_id = checked_article_id(path, match["id"])
            layer = checked_layer(path, match["layer"])
            claimed = self.rationales.setdefault(self.slot(article_id), {})
            if layer in claimed:
                self._duplicate(path, f"{layer} rationale file", article_id, claimed[layer])
            claimed[layer] = self.found(folder, name, article_id)
        elif match := PROVENANCE_NAME.match(name):
            path = Path(self.root, prefix + name)
            article_id = checked_article_id(path, match["id"])
            slot = self.slot(article_id)
            if slot in self.provenance:
                raise InputError(
                    path,
                    f"article {article_id} already has a provenance file at "
                    f"{self.path(self.provenance[slot], article_id)}",
                    "keep one provenance file per article",
                )
            self.provenance[slot] = self.found(folder, name, article_id)
        elif match := LABEL_NAME.match(name):
            self.add_label(folder, prefix, name, match)

    def add_label(self, folder: int, prefix: str, name: str, match: re.Match[str]) -> None:

        def path_of() -> Path:  # built only when a message needs it
            return Path(self.root, prefix + name)

        article_id = match["id"]
        if not is_digits(article_id):
            checked_article_id(path_of(), article_id)
        layer = match["layer"] or self.default_layer
        if layer not in self.labels:
            checked_layer(path_of(), layer)
            if layer in SPAN_IDENTIFICATION_LAYERS:
                self.skipped.append(path_of())
                return
            self.labels[layer] = (array("i", [-1]) * len(self.ids), [""] * len(self.ids))
        found, endings = self.labels[layer]
        slot = self.slot(article_id)
        if found[slot] >= 0:
            first = (found[slot], endings[slot])
            self._duplicate(path_of(), f"{layer} label file", article_id, first)
        found[slot], endings[slot] = self.found(folder, name, article_id)

    def _duplicate(self, path: Path, what: str, article_id: str, first: _Found) -> None:
        raise InputError(
            path,
            f"article {article_id} already has a {what} at {self.path(first, article_id)}",
            "keep one file per article and layer; remove or rename the duplicate",
        )

    def check(self) -> None:
        """Every file belongs to an article, and every rationale file to a label file;
        articles are checked in the order their first file was met."""
        for slot, article_id in enumerate(self.ids):
            if self.article_folders[slot] < 0:
                labels = [
                    (found[slot], endings[slot])
                    for found, endings in self.labels.values()
                    if found[slot] >= 0
                ]
                rationales = sorted(self.rationales.get(slot, {}).values())
                orphan = min(labels) if labels else (rationales or [self.provenance[slot]])[0]
                raise InputError(
                    self.path(orphan, article_id),
                    f"there is no article{article_id}.txt for this file",
                    "add the article file under the source folder, or correct the ID in the "
                    "file name",
                )
            for layer, found in self.rationales.get(slot, {}).items():
                if layer not in self.labels or self.labels[layer][0][slot] < 0:
                    raise InputError(
                        self.path(found, article_id),
                        f"a rationale file for layer {layer!r} but no label file for that layer",
                        f"add article{article_id}.{layer}.labels or remove the rationales",
                    )

    def corpus(self, spec: Schema) -> Corpus:
        order = _article_order(self.ids, spec)
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        slots = order.tolist()
        return Corpus(
            self.root,
            folders=self.folders,
            ids=[self.ids[slot] for slot in slots],
            article_folders=_permuted(self.article_folders, order),
            labels={
                layer: (_permuted(found, order), [endings[slot] for slot in slots])
                for layer, (found, endings) in self.labels.items()
            },
            rationales={int(position[slot]): f for slot, f in self.rationales.items()},
            provenance={int(position[slot]): f for slot, f in self.provenance.items()},
            skipped=self.skipped,
        )


def _permuted(values: array[int], order: np.ndarray) -> array[int]:
    permuted = array("i")
    permuted.frombytes(np.frombuffer(values, dtype=np.int32)[order].tobytes())
    return permuted


def _article_order(ids: list[str], spec: Schema) -> np.ndarray:
    """Positions of ``ids`` in the schema's article order. IDs that sort as integers and
    fit in 64 bits with no two equal as numbers are sorted by NumPy (no key object per
    article); anything else by Python with the schema's key."""
    key = spec.tables["articles"].sort_key("article_id")
    if key is None:
        return np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)
    if all(len(article_id) <= _INT64_DIGITS for article_id in ids):
        numbers = np.fromiter(map(int, ids), dtype=np.int64, count=len(ids))
        order = np.argsort(numbers, kind="stable")
        ordered = numbers[order]
        if not np.any(ordered[1:] == ordered[:-1]):
            return order
    return np.array(sorted(range(len(ids)), key=lambda slot: key(ids[slot])), dtype=np.int64)


def discover(
    root: Path,
    default_layer: str = DEFAULT_LAYER,
    *,
    follow_symlinks: bool = False,
    spec: Schema | None = None,
) -> Corpus:
    """Every article under ``root`` with its files, in the article order of ``spec`` (None:
    ``dataset.schema.schema``); only regular files inside ``root`` (or, with
    ``follow_symlinks``, reached by links) are taken (``dataset.ptc.walk``)."""
    if not root.is_dir():
        raise InputError(root, "the source folder does not exist", "pass --source DIR")
    discovery = _Discovery(root, default_layer)
    walk = Walk(root, follow_symlinks=follow_symlinks)
    for prefix, names in walk:
        discovery.folders.append(prefix)
        for name in names:
            discovery.add(len(discovery.folders) - 1, prefix, name)
    discovery.check()
    corpus = discovery.corpus(spec or schema())
    corpus.unfollowed = walk.links
    return corpus
