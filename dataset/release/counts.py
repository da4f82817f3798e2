"""Row counts of a release: per table, and spans per technique.

The changelog, the release manifest, the card header and the chart all show these
numbers, so they are computed once, here, from the tables the release ships.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa

from dataset.schema import Schema


@dataclass(frozen=True)
class Counts:
    tables: dict[str, int]
    #: Spans per label as written (a PTC technique, or a merged SemEval-2020 class when the
    #: source gives only that), every PTC technique included, zeros too.
    techniques: dict[str, int]
    #: The same per annotation layer, non-zero counts only.
    by_layer: dict[str, dict[str, int]]

    def to_json(self) -> dict[str, object]:
        return {"tables": self.tables, "techniques": self.techniques, "by_layer": self.by_layer}


def label_order(labels: set[str], spec: Schema) -> list[str]:
    """PTC techniques in id order, then any other label (a SemEval class) by name."""
    names = spec.techniques.names
    return names + sorted(labels - set(names))


def count(tables: Mapping[str, pa.Table], spec: Schema) -> Counts:
    """Rows per table, spans per label, and spans per layer and label."""
    spans = tables["spans"].select(["layer", "label"]).to_pydict()
    per_label: Counter[str] = Counter()
    per_layer: dict[str, Counter[str]] = {}
    for layer, label in zip(spans["layer"], spans["label"], strict=True):
        per_label[label] += 1
        per_layer.setdefault(layer, Counter())[label] += 1
    order = label_order(set(per_label), spec)
    return Counts(
        tables={name: tables[name].num_rows for name in spec.table_names},
        techniques={label: per_label[label] for label in order},
        by_layer={
            layer: {label: per_layer[layer][label] for label in order if per_layer[layer][label]}
            for layer in sorted(per_layer)
        },
    )


def languages(articles: pa.Table) -> tuple[str, ...]:
    """Languages of the articles, from the data (BCP-47 primary subtags), sorted."""
    tags = articles.column("language").to_pylist()
    return tuple(sorted({tag.split("-")[0] for tag in tags if tag}))
