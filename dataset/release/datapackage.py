"""datapackage.json: a Frictionless Data Package (v2) descriptor generated from
``schemas/``.

One tabular resource per Parquet shard (a Parquet file cannot be split or joined byte-wise,
so Frictionless' multipart paths do not apply), each with its sha256 and a Table Schema
built from the YAML: required fields, patterns, allowed values, minimums, primary keys,
foreign keys to the articles table, class labels with their categories.

Field types are the ones Frictionless' own Parquet reader delivers, since it reads through
pandas: a nullable integer column arrives as floats with NaN for null, so it is declared
``number``, and a list column arrives as arrays it cannot cast, so it is declared ``any``
with its item type in the description. ``bytes`` is left out because that reader does not
count bytes (``frictionless validate`` would report a byte-count error).
"""

from __future__ import annotations

from typing import Any

from dataset.release.bundle import Bundle, DataFile
from dataset.release.info import DATA_LICENCE, DATA_LICENCE_URL, authors, keywords
from dataset.schema import TABLE_NAMES, Field, Table, schema

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
TYPES = {"string": "string", "int32": "integer", "bool": "boolean", "class_label": "integer"}


def _categories(taxonomy: str) -> list[dict[str, Any]]:
    return [
        {"value": label.id, "label": label.name} for label in schema().taxonomies[taxonomy].labels
    ]


def _field(field: Field) -> dict[str, Any]:
    node: dict[str, Any] = {"name": field.name, "description": field.description}
    constraints: dict[str, Any] = {}
    type_ = TYPES.get(field.type, "any")
    if field.item is not None:
        item = field.item.labels or field.item.type
        node["description"] += f" A list of {item} ids."
    elif type_ == "integer" and field.nullable:
        type_ = "number"
    elif field.labels is not None:
        node["categories"] = _categories(field.labels)
        constraints["maximum"] = len(schema().taxonomies[field.labels].labels) - 1
    node["type"] = type_
    if field.labels is not None and field.nullable:
        names = ", ".join(
            f"{label['value']}={label['label']}" for label in _categories(field.labels)
        )
        node["description"] += f" Ids of the {field.labels} taxonomy: {names}."
    if not field.nullable:
        constraints["required"] = True
    if field.pattern is not None:
        constraints["pattern"] = field.pattern
    if field.allowed is not None:
        constraints["enum"] = list(field.allowed)
    if field.min is not None or "maximum" in constraints:
        constraints["minimum"] = field.min or 0
    if constraints:
        node["constraints"] = constraints
    return node


def _foreign_keys(table: Table, bundle: Bundle) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = []
    for field in table.fields:
        if field.references is None:
            continue
        target, column = field.references.split(".")
        targets = bundle.files_of(target)
        if len(targets) == 1:
            keys.append(
                {
                    "fields": [field.name],
                    "reference": {"resource": targets[0].stem, "fields": [column]},
                }
            )
    return keys


def _resource(bundle: Bundle, table: Table, file: DataFile) -> dict[str, Any]:
    schema_node: dict[str, Any] = {
        "fields": [_field(field) for field in table.fields],
        "primaryKey": list(table.primary_key),
    }
    foreign = _foreign_keys(table, bundle)
    if foreign:
        schema_node["foreignKeys"] = foreign
    return {
        "$schema": RESOURCE_PROFILE,
        "name": file.stem,
        "title": f"{table.name} ({file.name})",
        "description": table.description,
        "type": "table",
        "path": file.path,
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "hash": f"sha256:{file.sha256}",
        "schema": schema_node,
    }


def datapackage(bundle: Bundle) -> dict[str, Any]:
    spec, info = schema(), bundle.info
    return {
        "$schema": PROFILE,
        "name": info.name,
        "title": info.pretty_name,
        "description": spec.dataset.offsets,
        "version": info.version,
        "created": f"{info.date.isoformat()}T00:00:00Z",
        "keywords": keywords(),
        "licenses": [
            {"name": DATA_LICENCE, "path": DATA_LICENCE_URL, "title": "Annotations and schema"}
        ],
        "contributors": [{"title": name, "roles": ["creator"]} for name in authors()],
        "resources": [
            _resource(bundle, spec.tables[table], file)
            for table in TABLE_NAMES
            for file in bundle.files_of(table)
        ],
    }
