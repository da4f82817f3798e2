"""datapackage.json: a Frictionless Data Package (v2) descriptor generated from
``schemas/``.

One tabular resource per table, whose ``path`` lists the table's Parquet shards (a
multipart resource; their sha256 are in SHA256SUMS and croissant.json), and a Table
Schema built from the YAML: required fields, patterns, allowed values, minimums, class
labels with their categories, the primary key, and foreign keys, both those the schema
declares (``references``) and those a class label implies (a field labelled by a taxonomy
references the table keyed by that taxonomy, such as ``spans.technique`` ->
``techniques.technique``).

Frictionless reads Parquet through pandas, where a nullable integer column arrives as
floats with NaN for null: such a field stays ``integer`` and declares ``nan`` (and the
empty string) as its missing values. A list column arrives as arrays Frictionless cannot
cast, so it is declared ``any`` with its item type in the description. ``bytes`` is left
out because that reader does not count bytes, and Frictionless' Parquet reader reads the
first file of a multipart path only, which is every file while a table fits one shard.
"""

from __future__ import annotations

from typing import Any

from dataset.release.bundle import Bundle, DataFile
from dataset.release.info import authors, keywords
from dataset.release.layout import LICENCE
from dataset.release.licence import statement
from dataset.schema import Field, Licence, Schema, Table

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
TYPES = {"string": "string", "int32": "integer", "bool": "boolean", "class_label": "integer"}
#: How a null of a nullable integer column reaches Frictionless from Parquet (pandas' NaN,
#: as ``str(cell)``), besides the empty string of the default.
INTEGER_MISSING_VALUES = ["", "nan"]
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"


def _categories(taxonomy: str, spec: Schema) -> list[dict[str, Any]]:
    return [{"value": label.id, "label": label.name} for label in spec.taxonomies[taxonomy].labels]


def _field(field: Field, spec: Schema) -> dict[str, Any]:
    node: dict[str, Any] = {"name": field.name, "description": field.description}
    constraints: dict[str, Any] = {}
    type_ = TYPES.get(field.type, "any")
    if field.item is not None:
        item = field.item.labels or field.item.type
        node["description"] += f" A list of {item} ids."
    elif field.labels is not None:
        node["categories"] = _categories(field.labels, spec)
        constraints["maximum"] = len(spec.taxonomies[field.labels].labels) - 1
    node["type"] = type_
    if type_ == "integer" and field.nullable:
        node["missingValues"] = INTEGER_MISSING_VALUES
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


def references(table: Table, spec: Schema) -> list[tuple[str, str, str]]:
    """(field, table, field) of every foreign key of ``table``: the schema's declared
    references, and every class-label field whose taxonomy keys another table."""
    keyed_by = {
        other.field(other.primary_key[0]).labels: other.name
        for other in spec.tables.values()
        if len(other.primary_key) == 1 and other.field(other.primary_key[0]).labels
    }
    found: list[tuple[str, str, str]] = []
    for field in table.fields:
        if field.references is not None:
            target, column = field.references.split(".")
            found.append((field.name, target, column))
        elif field.labels in keyed_by and keyed_by[field.labels] != table.name:
            target = keyed_by[field.labels]
            found.append((field.name, target, spec.tables[target].primary_key[0]))
    return found


def _resource(table: Table, files: list[DataFile], spec: Schema) -> dict[str, Any]:
    schema_node: dict[str, Any] = {
        "fields": [_field(field, spec) for field in table.fields],
        "primaryKey": list(table.primary_key),
    }
    foreign = [
        {"fields": [field], "reference": {"resource": target, "fields": [column]}}
        for field, target, column in references(table, spec)
    ]
    if foreign:
        schema_node["foreignKeys"] = foreign
    return {
        "$schema": RESOURCE_PROFILE,
        "name": table.name,
        "title": table.name,
        "description": table.description,
        "type": "table",
        "path": [file.path for file in files],
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
        "schema": schema_node,
    }


def licenses(licence: Licence) -> list[dict[str, str]]:
    """The project's licence, and the terms of the article text (the release's
    LICENSE.md, since no open licence covers it)."""
    return [
        {"name": licence.spdx, "path": licence.url, "title": f"{licence.title}: {licence.covers}"},
        {"path": LICENCE, "title": f"Article text: {licence.text}"},
    ]


def datapackage(bundle: Bundle) -> dict[str, Any]:
    spec, info = bundle.schema, bundle.info
    package: dict[str, Any] = {
        "$schema": PROFILE,
        "name": info.name,
        "title": info.pretty_name,
        "description": f"{spec.dataset.offsets} {statement(spec.dataset.licence)}",
        "version": info.version,
        "created": f"{info.date.isoformat()}T00:00:00Z",
        "keywords": keywords(),
        "licenses": licenses(spec.dataset.licence),
        "contributors": [{"title": name, "roles": ["creator"]} for name in authors()],
        "resources": [
            _resource(table, bundle.files_of(table.name), spec) for table in spec.tables.values()
        ],
    }
    if info.home is not None:
        package["homepage"] = info.home
    return package
