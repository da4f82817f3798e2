"""Row counts of a built or released dataset: per table, and spans per technique.

The changelog, the release manifest, the card header and the chart all show these
numbers, so they are computed once, here, from the Parquet files themselves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from dataset.release.layout import table_paths
from dataset.schema import TABLE_NAMES, schema


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


def label_order(labels: set[str]) -> list[str]:
    """PTC techniques in id order, then any other label (a SemEval class) by name."""
    names = schema().techniques.names
    return names + sorted(labels - set(names))


def count(folder: Path) -> Counts:
    tables = {
        name: sum(pq.ParquetFile(path).metadata.num_rows for path in table_paths(folder, name))
        for name in TABLE_NAMES
    }
    per_label: Counter[str] = Counter()
    per_layer: dict[str, Counter[str]] = {}
    for path in table_paths(folder, "spans"):
        columns = pq.read_table(path, columns=["layer", "label"]).to_pydict()
        for layer, label in zip(columns["layer"], columns["label"], strict=True):
            per_label[label] += 1
            per_layer.setdefault(layer, Counter())[label] += 1
    order = label_order(set(per_label))
    return Counts(
        tables=tables,
        techniques={label: per_label[label] for label in order},
        by_layer={
            layer: {label: per_layer[layer][label] for label in order if per_layer[layer][label]}
            for layer in sorted(per_layer)
        },
    )


def languages(folder: Path) -> list[str]:
    """Languages of the articles, from the data (BCP-47 primary subtags)."""
    found: set[str] = set()
    for path in table_paths(folder, "articles"):
        for tag in pq.read_table(path, columns=["language"]).column("language").to_pylist():
            if tag:
                found.add(tag.split("-")[0])
    return sorted(found)
