"""The tables as the clients researchers have read them: Hugging Face ``datasets`` straight
from the Parquet files and through a release's card, pandas and DuckDB. ``nox -s tests``
runs this file with the locked (current) ``datasets``; ``nox -s tests_datasets3`` runs it
again with ``datasets`` 3.6, which does not know datasets 4's ``List`` feature type."""

from __future__ import annotations

import os
from pathlib import Path

import datasets
import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from dataset.builder.pipeline import BuildResult
from dataset.schema import schema
from dataset.versions import released_versions
from tests.conftest import labelling_spans

#: A build made beforehand by the locked environment (``nox -s tests_datasets3`` sets it:
#: datasets 3.x cannot run the build, which writes datasets 4's features through it).
BUILD_ENV = "PROPAGANDA_SPANS_CLIENT_BUILD"
#: The Arrow type of each schema type, as DuckDB names it.
DUCKDB_TYPES = {"string": "VARCHAR", "int32": "INTEGER", "bool": "BOOLEAN"}


@pytest.fixture(scope="module")
def build_out(request: pytest.FixtureRequest) -> Path:
    """The folder of the build under test: the environment's, else this session's own."""
    given = os.environ.get(BUILD_ENV)
    if given:
        return Path(given)
    built: BuildResult = request.getfixturevalue("built")
    return built.out


def class_names(feature: object) -> list[str] | None:
    """The label names of a ClassLabel feature, or of the ClassLabel a list holds, in any
    ``datasets`` version (3.x reads a list as ``Sequence`` or as a one-item Python list, 4
    and later as ``List``)."""
    inner = feature[0] if isinstance(feature, list) else getattr(feature, "feature", feature)
    return list(inner.names) if isinstance(inner, datasets.ClassLabel) else None


def expected_names(table: str) -> dict[str, list[str]]:
    """Every class-label column of ``table`` (lists of class labels included) and its names."""
    spec = schema()
    named = {}
    for field in spec.tables[table].fields:
        labels = field.labels or (field.item.labels if field.item is not None else None)
        if labels is not None:
            named[field.name] = list(spec.taxonomies[labels].names)
    return named


def _nullable_names(table: str) -> dict[str, list[str]]:
    """``datasets`` restores a stored feature only for nullable fields (see
    ``Schema.arrow_schema``), so non-null class labels come back as integers."""
    nullable = {f.name for f in schema().tables[table].fields if f.nullable}
    return {name: names for name, names in expected_names(table).items() if name in nullable}


@pytest.mark.parametrize("table", schema().table_names)
def test_datasets_reads_the_parquet_files_directly(
    build_out: Path, table: str, hf_cache: str
) -> None:
    files = sorted(str(path) for path in (build_out / table).glob("*.parquet"))
    loaded = datasets.load_dataset("parquet", data_files=files, split="train", cache_dir=hf_cache)
    direct = datasets.Dataset.from_parquet(files, cache_dir=hf_cache)
    rows = sum(pq.read_metadata(path).num_rows for path in files)
    for dataset in (loaded, direct):
        assert isinstance(dataset, datasets.Dataset) and dataset.num_rows == rows
        assert list(dataset.features) == [f.name for f in schema().tables[table].fields]
        named = {name: class_names(feature) for name, feature in dataset.features.items()}
        assert {k: v for k, v in named.items() if v is not None} == _nullable_names(table)


def newest_release() -> Path:
    versions = released_versions()
    return versions[max(versions)]


def rows_a_config_gives(folder: Path, table: str) -> int:
    """Counted with pyarrow, not through the card: a table's rows, and for ``spans`` only
    those of the layer that labels the lines (gold), which the default config reads."""
    if table == "spans":
        return int(labelling_spans(folder / "data").num_rows)
    return int(pq.read_table(folder / "data" / table).num_rows)


@pytest.mark.parametrize("table", schema().table_names)
def test_datasets_reads_the_newest_release_through_its_card(table: str, hf_cache: str) -> None:
    folder = newest_release()
    loaded = datasets.load_dataset(str(folder), table, split="train", cache_dir=hf_cache)
    assert loaded.num_rows == rows_a_config_gives(folder, table)
    named = {name: class_names(feature) for name, feature in loaded.features.items()}
    assert {k: v for k, v in named.items() if v is not None} == expected_names(table)


def test_every_layer_of_the_newest_release_loads_through_its_card(hf_cache: str) -> None:
    folder = newest_release()
    loaded = datasets.load_dataset(
        str(folder), "spans_all_layers", split="train", cache_dir=hf_cache
    )
    assert loaded.num_rows == pq.read_table(folder / "data" / "spans").num_rows


@pytest.mark.parametrize("table", schema().table_names)
def test_pandas_and_duckdb_read_each_table_with_its_types(build_out: Path, table: str) -> None:
    folder = build_out / table
    frame = pd.read_parquet(folder, dtype_backend="pyarrow")
    glob = str(folder / "*.parquet")
    described = duckdb.execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}')").fetchall()
    duck_types = {row[0]: row[1] for row in described}
    for field in schema().tables[table].fields:
        arrow = str(frame.dtypes[field.name].pyarrow_dtype)
        duck = duck_types[field.name]
        if field.type == "list":
            assert arrow.startswith("list<") and duck.endswith("[]"), field.name
        elif field.type == "class_label":
            assert arrow in {"int8", "int16", "int32", "int64"}, field.name
            assert duck in {"TINYINT", "SMALLINT", "INTEGER", "BIGINT"}, field.name
        else:
            assert arrow == field.type and duck == DUCKDB_TYPES[field.type], field.name
