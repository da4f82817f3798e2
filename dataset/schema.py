"""The dataset schema, read from ``schemas/propaganda_spans.yaml``.

Every other description of the tables (Arrow schemas, Hugging Face features, the field
tables in DATACARD.md, the validation suites' column lists) is derived here, so they
cannot drift from the YAML.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO_ROOT / "schemas" / "propaganda_spans.yaml"
TABLE_NAMES = ("articles", "spans", "lines", "techniques")


@dataclass(frozen=True)
class Label:
    id: int
    name: str
    description: str | None = None
    semeval_class: str | None = None


@dataclass(frozen=True)
class Taxonomy:
    name: str
    description: str
    labels: tuple[Label, ...]

    @property
    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def id_of(self, name: str) -> int:
        return self._ids[name]

    @property
    def _ids(self) -> dict[str, int]:
        return {label.name: label.id for label in self.labels}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    nullable: bool
    description: str
    labels: str | None = None
    item: Mapping[str, Any] | None = None
    pattern: str | None = None
    allowed: tuple[str, ...] | None = None
    min: int | None = None
    references: str | None = None

    @property
    def type_label(self) -> str:
        """Human-readable type for documentation tables."""
        if self.type == "class_label":
            return f"class_label ({self.labels})"
        if self.type == "list" and self.item is not None:
            inner = self.item["type"]
            if inner == "class_label":
                inner = f"class_label ({self.item['labels']})"
            return f"list of {inner}"
        return self.type


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    primary_key: tuple[str, ...]
    order_by: tuple[str, ...]
    fields: tuple[Field, ...]

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"table {self.name!r} has no field {name!r}")


@dataclass(frozen=True)
class Schema:
    raw: Mapping[str, Any]
    taxonomies: Mapping[str, Taxonomy]
    tables: Mapping[str, Table]

    @property
    def techniques(self) -> Taxonomy:
        return self.taxonomies["techniques"]

    @property
    def semeval_classes(self) -> Taxonomy:
        return self.taxonomies["semeval_classes"]

    @property
    def technique_to_semeval(self) -> dict[str, str | None]:
        return {label.name: label.semeval_class for label in self.techniques.labels}

    def features(self, table: str) -> datasets.Features:
        return datasets.Features(
            {f.name: self._feature(f.type, f.labels, f.item) for f in self.tables[table].fields}
        )

    def arrow_schema(self, table: str) -> pa.Schema:
        """Arrow schema with the YAML's descriptions, plus the Hugging Face features under
        the ``huggingface`` metadata key so ClassLabel names survive.

        Every Arrow field is nullable: ``datasets`` ignores the stored features of a
        non-nullable field (and so loses its ClassLabel names). Nullability is enforced by
        the validation suite instead, from the same YAML.
        """
        spec = self.tables[table]
        features = self.features(table)
        hf_types = features.type
        fields = [
            pa.field(
                f.name,
                hf_types.field(f.name).type,
                nullable=True,
                metadata={"description": f.description},
            )
            for f in spec.fields
        ]
        hf_metadata = json.dumps({"info": {"features": features.to_dict()}})
        return pa.schema(
            fields,
            metadata={"huggingface": hf_metadata, "description": spec.description},
        )

    def _feature(
        self, type_: str, labels: str | None, item: Mapping[str, Any] | None
    ) -> datasets.features.features.FeatureType:
        if type_ == "class_label":
            assert labels is not None, "class_label fields name their taxonomy"
            return datasets.ClassLabel(names=self.taxonomies[labels].names)
        if type_ == "list":
            assert item is not None, "list fields describe their item"
            return datasets.List(self._feature(item["type"], item.get("labels"), item.get("item")))
        return datasets.Value(type_)


def _taxonomy(name: str, spec: Mapping[str, Any]) -> Taxonomy:
    labels = tuple(
        Label(
            id=entry["id"],
            name=entry["name"],
            description=entry.get("description"),
            semeval_class=entry.get("semeval_class"),
        )
        for entry in spec["labels"]
    )
    ids = [label.id for label in labels]
    if ids != list(range(len(labels))):
        raise ValueError(f"taxonomy {name!r}: ids must be 0..{len(labels) - 1} in order")
    return Taxonomy(name=name, description=spec["description"].strip(), labels=labels)


def _table(name: str, spec: Mapping[str, Any]) -> Table:
    fields = tuple(
        Field(
            name=f["name"],
            type=f["type"],
            nullable=f["nullable"],
            description=f["description"].strip(),
            labels=f.get("labels"),
            item=f.get("item"),
            pattern=f.get("pattern"),
            allowed=tuple(f["allowed"]) if "allowed" in f else None,
            min=f.get("min"),
            references=f.get("references"),
        )
        for f in spec["fields"]
    )
    return Table(
        name=name,
        description=" ".join(spec["description"].split()),
        primary_key=tuple(spec["primary_key"]),
        order_by=tuple(spec["order_by"]),
        fields=fields,
    )


def load_schema(path: Path = SCHEMA_PATH) -> Schema:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    taxonomies = {name: _taxonomy(name, spec) for name, spec in raw["taxonomies"].items()}
    tables = {name: _table(name, spec) for name, spec in raw["tables"].items()}
    return Schema(raw=raw, taxonomies=taxonomies, tables=tables)


@cache
def schema() -> Schema:
    """The project's schema, parsed once per process."""
    return load_schema()
