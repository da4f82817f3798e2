"""The dataset schema, read from ``schemas/propaganda_spans.yaml`` into validated models.

Every other description of the tables (Arrow schemas, Hugging Face features, Croissant and
Frictionless types, the field tables in DATACARD.md, the validation suites' column lists and
rules, synthetic data) is derived here, so none can drift from the YAML. The models reject
unknown keys, wrong types and dangling references, and say in which line of the YAML file:
a typo such as ``patern:`` must stop everything, not silently drop a check.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import string
from collections.abc import Callable, Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
from pydantic import PrivateAttr, field_validator, model_validator

from dataset.errors import InputError
from dataset.project import REPO_ROOT
from dataset.yaml_models import InputKind, InputModel, InputValueError, read_model

if TYPE_CHECKING:
    import datasets

SCHEMA_FILE = "propaganda_spans.yaml"


#: Names another schema file for every command that is not given ``--schema``, to build
#: and validate a corpus under changed conventions.
SCHEMA_VARIABLE = "PROPAGANDA_SPANS_SCHEMA"


def default_schema_path() -> Path:
    """The schema in the checkout; in an installed wheel, the copy packaged beside this
    module (the wheel build puts ``schemas/`` there)."""
    checkout = REPO_ROOT / "schemas" / SCHEMA_FILE
    return checkout if checkout.is_file() else Path(__file__).parent / "_schemas" / SCHEMA_FILE


def add_schema_option(parser: argparse.ArgumentParser) -> None:
    """``--schema``, the one way a command (``python -m dataset`` or ``python -m
    validation``) is pointed at another schema file, which it loads once and hands down."""
    parser.add_argument(
        "--schema",
        type=Path,
        metavar="FILE",
        help=f"work under another schema file (default: ${SCHEMA_VARIABLE}, else the "
        "project's schemas/propaganda_spans.yaml)",
    )


def schema_path() -> Path:
    """The schema file a command uses when not given one: ``PROPAGANDA_SPANS_SCHEMA``, else
    the default. Read when asked, never at import, so a process can change it."""
    return Path(os.environ.get(SCHEMA_VARIABLE) or default_schema_path())


ScalarType = Literal["string", "int32", "bool", "class_label"]


class Label(InputModel):
    id: int
    name: str
    description: str | None = None
    semeval_class: str | None = None


class Taxonomy(InputModel):
    name: str
    description: str
    labels: tuple[Label, ...]

    @field_validator("labels")
    @classmethod
    def _ids_in_order(cls, labels: tuple[Label, ...]) -> tuple[Label, ...]:
        ids = [label.id for label in labels]
        if ids != list(range(len(labels))):
            raise ValueError(f"ids must be 0..{len(labels) - 1} in order, found {ids}")
        names = [label.name for label in labels]
        if len(set(names)) != len(names):
            raise ValueError("label names must be distinct")
        return labels

    @property
    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def id_of(self, name: str) -> int:
        return self._ids[name]

    @cached_property
    def _ids(self) -> dict[str, int]:
        return {label.name: label.id for label in self.labels}


class Item(InputModel):
    """The item type of a list field."""

    type: ScalarType
    labels: str | None = None


class Field(InputModel):
    name: str
    type: Literal["string", "int32", "bool", "class_label", "list"]
    nullable: bool
    description: str
    labels: str | None = None
    item: Item | None = None
    pattern: str | None = None
    allowed: tuple[str, ...] | None = None
    min: int | None = None
    references: str | None = None
    template: str | None = None
    sort_as: Literal["integer"] | None = None
    filled_from: Literal["provenance"] | None = None
    greater_than: str | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"not a regular expression: {error}") from None
        return pattern

    @model_validator(mode="after")
    def _type_parts(self) -> Field:
        if (self.type == "class_label") != (self.labels is not None):
            raise InputValueError(
                "a class_label field names its taxonomy in labels:, no other does", "type"
            )
        if (self.type == "list") != (self.item is not None):
            raise InputValueError("a list field describes its item in item:, no other does", "type")
        if self.item is not None and (self.item.type == "class_label") != (
            self.item.labels is not None
        ):
            raise ValueError("a class_label item names its taxonomy in labels:")
        return self

    @property
    def taxonomy(self) -> str | None:
        """The taxonomy this field's values (or list items) are ids of."""
        return self.labels or (self.item.labels if self.item is not None else None)

    @property
    def type_label(self) -> str:
        """Human-readable type for documentation tables."""
        if self.type == "class_label":
            return f"class_label ({self.labels})"
        if self.item is not None:
            inner = f"class_label ({self.item.labels})" if self.item.labels else self.item.type
            return f"list of {inner}"
        return self.type


class Table(InputModel):
    name: str
    description: str
    primary_key: tuple[str, ...]
    order_by: tuple[str, ...]
    fields: tuple[Field, ...]

    @model_validator(mode="after")
    def _keys_are_fields(self) -> Table:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError("field names must be distinct")
        for position, f in enumerate(self.fields):
            if f.template is None:
                continue
            used = [part[1] for part in string.Formatter().parse(f.template) if part[1]]
            unknown = [name for name in used if name not in names or name == f.name]
            if unknown or not used:
                raise InputValueError(
                    f"template of {f.name} uses {unknown or 'no field'}; it may use the "
                    "table's other fields only",
                    "fields",
                    position,
                    "template",
                )
        for position, f in enumerate(self.fields):
            if f.greater_than is not None and (
                f.greater_than not in names or f.greater_than == f.name
            ):
                raise InputValueError(
                    f"{f.name} must be greater than {f.greater_than!r}, which is not another "
                    "field of the table",
                    "fields",
                    position,
                    "greater_than",
                )
        for role in ("primary_key", "order_by"):
            missing = [name for name in getattr(self, role) if name not in names]
            if missing:
                raise InputValueError(f"{role} names unknown field(s) {missing}", role)
        return self

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"table {self.name!r} has no field {name!r}")

    @property
    def derived_key(self) -> Field | None:
        """The field whose value is formed from the others by its template, if any."""
        return next((f for f in self.fields if f.template is not None), None)

    def sort_key(self, column: str) -> Callable[[str], tuple[int, str]] | None:
        """How the values of ``column`` are ordered when the schema says they sort as
        integers (digit strings of varying length); None for plain ordering."""
        if self.field(column).sort_as == "integer":
            return lambda value: (int(value), value)
        return None


class SpanBoundary(InputModel):
    description: str
    punctuation: str

    def breaks(self, char: str) -> bool:
        """Whether a span may not start or end with ``char``."""
        return char.isspace() or char in self.punctuation


class Licence(InputModel):
    """The one licence statement every release file's licence fields are generated from."""

    #: SPDX id, title and URL of the licence of the project's own work in the data.
    spdx: str
    title: str
    url: str
    #: What that licence covers, as a noun phrase.
    covers: str
    #: The terms of the article text, which is not the project's.
    text: str
    #: The Hugging Face Hub's ``license_name`` slug (with ``license: other``).
    hub_name: str


class DatasetInfo(InputModel):
    name: str
    pretty_name: str
    offsets: str
    licence: Licence
    span_boundary: SpanBoundary


def _prepared(raw: Any) -> Any:
    """The YAML as the models take it: names of taxonomies and tables moved into their
    entries, folded descriptions with their whitespace collapsed."""
    if not isinstance(raw, dict):
        return raw
    prepared = dict(raw)
    for section in ("taxonomies", "tables"):
        entries = raw.get(section)
        if isinstance(entries, dict):
            prepared[section] = {
                name: {"name": name, **entry} if isinstance(entry, dict) else entry
                for name, entry in entries.items()
            }
            for entry in prepared[section].values():
                if isinstance(entry, dict) and isinstance(entry.get("description"), str):
                    entry["description"] = " ".join(entry["description"].split())
    return prepared


class Schema(InputModel):
    dataset: DatasetInfo
    taxonomies: Mapping[str, Taxonomy]
    tables: Mapping[str, Table]
    _source: Path | None = PrivateAttr(default=None)
    _bytes: bytes = PrivateAttr(default=b"")

    @property
    def source(self) -> Path:
        """The file this schema was read from."""
        if self._source is None:
            raise ValueError("this schema was not read from a file (use load_schema)")
        return self._source

    @property
    def sha256(self) -> str:
        """The digest of the file's bytes as they were read."""
        return hashlib.sha256(self._bytes).hexdigest()

    @property
    def file_bytes(self) -> bytes:
        """The file's bytes as they were read, which a release ships."""
        return self._bytes

    @model_validator(mode="before")
    @classmethod
    def _prepared(cls, raw: Any) -> Any:
        """The YAML as the models take it: names of taxonomies and tables moved into their
        entries, folded descriptions with their whitespace collapsed."""
        return _prepared(raw)

    @model_validator(mode="after")
    def _references_resolve(self) -> Schema:
        for required in ("techniques", "semeval_classes"):
            if required not in self.taxonomies:
                raise InputValueError(f"taxonomies: {required} is missing", "taxonomies")
        classes = set(self.taxonomies["semeval_classes"].names)
        for index, label in enumerate(self.taxonomies["techniques"].labels):
            if label.semeval_class is not None and label.semeval_class not in classes:
                raise InputValueError(
                    f"technique {label.name}: semeval_class {label.semeval_class!r} is not a "
                    "class of semeval_classes",
                    *("taxonomies", "techniques", "labels", index, "semeval_class"),
                )
        for table in self.tables.values():
            for position, f in enumerate(table.fields):
                where = ("tables", table.name, "fields", position)
                if f.taxonomy is not None and f.taxonomy not in self.taxonomies:
                    key = ("labels",) if f.labels is not None else ("item", "labels")
                    raise InputValueError(
                        f"{table.name}.{f.name}: labels {f.taxonomy!r} is not a taxonomy",
                        *where,
                        *key,
                    )
                if f.references is not None:
                    target, _, column = f.references.partition(".")
                    if target not in self.tables or column not in self.tables[target].column_names:
                        raise InputValueError(
                            f"{table.name}.{f.name}: references {f.references!r}, "
                            "which is not a table.field of this schema",
                            *where,
                            "references",
                        )
        return self

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(self.tables)

    @property
    def techniques(self) -> Taxonomy:
        return self.taxonomies["techniques"]

    @property
    def semeval_classes(self) -> Taxonomy:
        return self.taxonomies["semeval_classes"]

    @property
    def technique_to_semeval(self) -> dict[str, str | None]:
        return {label.name: label.semeval_class for label in self.techniques.labels}

    @cached_property
    def label_names(self) -> frozenset[str]:
        """Names a label file may use: the techniques and the SemEval-2020 classes."""
        return frozenset(self.label_ids)

    @cached_property
    def provenance_columns(self) -> tuple[str, ...]:
        """Columns of the articles table filled from provenance records, as the schema
        marks them (``filled_from: provenance``)."""
        fields = self.tables["articles"].fields
        return tuple(f.name for f in fields if f.filled_from == "provenance")

    @cached_property
    def label_ids(self) -> dict[str, tuple[int | None, int | None]]:
        """A label as written in a PTC label file (one of the 18 technique names or one of
        the 14 SemEval-2020 class names) -> (technique id, SemEval class id). A merged class
        names no single technique; Obfuscation has no SemEval class. The one resolution
        every reader of label files uses."""
        semeval = self.semeval_classes
        resolved: dict[str, tuple[int | None, int | None]] = {
            label.name: (None, label.id) for label in semeval.labels
        }
        for technique in self.techniques.labels:
            klass = technique.semeval_class
            resolved[technique.name] = (
                technique.id,
                semeval.id_of(klass) if klass is not None else None,
            )
        return resolved

    def features(self, table: str) -> datasets.Features:
        """The table's Hugging Face features (a release's card declares them)."""
        import datasets

        return datasets.Features(
            {f.name: self._feature(f.type, f.labels, f.item) for f in self.tables[table].fields}
        )

    def arrow_schema(self, table: str) -> pa.Schema:
        """The table's Arrow schema (see :meth:`_arrow_schema`), made once per table."""
        made = self._arrow_schemas
        if table not in made:
            made[table] = self._arrow_schema(table)
        return made[table]

    @cached_property
    def _arrow_schemas(self) -> dict[str, pa.Schema]:
        return {}

    def _arrow_schema(self, table: str) -> pa.Schema:
        """Arrow schema with the YAML's descriptions and nullability, plus the Hugging Face
        features under the ``huggingface`` metadata key so ClassLabel names survive.

        A field the YAML declares non-null is non-nullable, so DuckDB, Polars and any
        Parquet reader see the constraint (the validation suite checks the values). One
        cost: ``datasets`` takes a field's stored feature only when the field is nullable,
        so ``load_dataset("parquet", ...)`` on a bare build reads a non-null class label
        (today ``techniques.technique``) as plain integers; a release's card declares the
        features of every table, so loading a release restores every name.

        The types and the features are written out here rather than asked of ``datasets``
        (:meth:`features`; the tests hold the two equal): importing ``datasets`` costs more
        than validating a small dataset, and the bytes written stay those of the schema
        whichever ``datasets`` is installed.
        """
        spec = self.tables[table]
        fields = [
            pa.field(
                f.name,
                self._arrow_type(f.type, f.item),
                nullable=f.nullable,
                metadata={"description": f.description},
            )
            for f in spec.fields
        ]
        features = {f.name: self._feature_dict(f.type, f.labels, f.item) for f in spec.fields}
        hf_metadata = json.dumps({"info": {"features": features}})
        return pa.schema(
            fields,
            metadata={"huggingface": hf_metadata, "description": spec.description},
        )

    def _arrow_type(self, type_: str, item: Item | None) -> pa.DataType:
        """The Arrow type ``datasets`` gives the field's feature: a class label is int64."""
        if type_ == "list" and item is not None:
            return pa.list_(self._arrow_type(item.type, None))
        return ARROW_TYPES[type_]

    def _feature_dict(self, type_: str, labels: str | None, item: Item | None) -> dict[str, Any]:
        """The field's feature as ``datasets`` serialises it, in the form every ``datasets``
        from 3 on reads (:func:`portable_features`: a list of a scalar is a ``Sequence``)."""
        if type_ == "class_label" and labels is not None:
            return {"names": self.taxonomies[labels].names, "_type": "ClassLabel"}
        if type_ == "list" and item is not None:
            feature = self._feature_dict(item.type, item.labels, None)
            return {"feature": feature, "_type": "Sequence"}
        return {"dtype": type_, "_type": "Value"}

    def _feature(
        self, type_: str, labels: str | None, item: Item | None
    ) -> datasets.features.features.FeatureType:
        import datasets

        if type_ == "class_label" and labels is not None:
            return datasets.ClassLabel(names=self.taxonomies[labels].names)
        if type_ == "list" and item is not None:
            return datasets.List(self._feature(item.type, item.labels, None))
        return datasets.Value(type_)


#: The Arrow type of each scalar field type, as ``datasets`` maps its features.
ARROW_TYPES: Mapping[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "bool": pa.bool_(),
    "class_label": pa.int64(),
}


def portable_features(node: Any) -> Any:
    """Serialised features that ``datasets`` 3 reads as well as 4 and later: datasets 4
    writes a list as ``{"_type": "List"}``, a type datasets 3 does not know, so research code
    pinned to 3.x could not open the Parquet files. Both read ``Sequence`` of a non-struct
    feature as the same Arrow list (4 and later turn it back into ``List``); a list of
    structs stays ``List``, since ``Sequence`` of a struct means a struct of lists in 3.x."""
    if isinstance(node, list):
        return [portable_features(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: portable_features(value) for key, value in node.items()}
    feature = converted.get("feature")
    if converted.get("_type") == "List" and isinstance(feature, dict) and "_type" in feature:
        converted["_type"] = "Sequence"
        if converted.get("length") == -1:
            del converted["length"]
    return converted


#: How the schema file is named and mended in messages.
SCHEMA_INPUT = InputKind(
    "the schema",
    "correct the schema (keys, types and references are listed in its header)",
    unreadable=f"name an existing schema file (--schema or {SCHEMA_VARIABLE}), or leave both "
    f"unset to use {SCHEMA_FILE}",
)


def load_schema(path: Path | None = None) -> Schema:
    """Parse and validate a schema file (None: :func:`schema_path`, resolved now); any
    problem is an InputError with its line. The value remembers its file and bytes, which
    a build's manifest and a release record."""
    path = schema_path() if path is None else path
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(
            path, f"cannot read the schema: {error.strerror}", SCHEMA_INPUT.unreadable
        ) from None
    loaded = read_model(path, Schema, SCHEMA_INPUT, data=data)
    loaded._source, loaded._bytes = path, data
    return loaded


@cache
def _loaded(path: Path) -> Schema:
    return load_schema(path)


def schema() -> Schema:
    """The schema of :func:`schema_path`, each file read once per process: only the default
    of library functions called without a schema (``spec=None``) and of tests. No command
    uses it: each loads its schema once with :func:`load_schema` (``--schema``,
    ``PROPAGANDA_SPANS_SCHEMA`` or the default) and passes that value down."""
    return _loaded(schema_path())
