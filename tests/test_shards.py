"""The one shard finder: a build's layout, a release's, local paths and URIs alike, in a
sorted order, and input errors that name what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataset.errors import InputError
from dataset.shards import all_shards, locate, table_shards


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


def test_a_builds_shards_come_sorted_and_only_parquet(tmp_path: Path) -> None:
    touch(tmp_path, "spans/b.parquet", "spans/a.parquet", "spans/notes.txt", "spans/c.parquet/x")
    assert [p.name for p in table_shards(tmp_path, "spans")] == ["a.parquet", "b.parquet"]


def test_a_release_keeps_its_tables_under_data(tmp_path: Path) -> None:
    touch(tmp_path, "data/spans/0.parquet")
    assert table_shards(tmp_path, "spans") == [tmp_path / "data" / "spans" / "0.parquet"]
    assert table_shards(tmp_path, "lines") == []
    assert table_shards(tmp_path / "nothing-here", "spans") == []


def test_paths_keep_the_spelling_they_were_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path, "out/spans/0.parquet")
    monkeypatch.chdir(tmp_path)
    assert table_shards(Path("out"), "spans") == [Path("out/spans/0.parquet")]


def test_a_file_uri_finds_the_same_shards(tmp_path: Path) -> None:
    touch(tmp_path, "spans/0.parquet", "spans/1.parquet")
    where = locate(tmp_path.as_uri())
    assert not where.local
    assert [where.uri(path) for path in where.shards("spans")] == [
        (tmp_path / "spans" / name).as_uri() for name in ("0.parquet", "1.parquet")
    ]


@pytest.mark.parametrize("as_uri", [False, True])
def test_a_missing_table_is_an_input_error(tmp_path: Path, as_uri: bool) -> None:
    touch(tmp_path, "spans/0.parquet")
    location = tmp_path.as_uri() if as_uri else str(tmp_path)
    with pytest.raises(InputError, match="the table 'lines' is missing") as raised:
        all_shards(locate(location), ("spans", "lines"), "rebuild it")
    assert str(raised.value.where).endswith("lines")
    with pytest.raises(InputError, match="holds no tables"):
        all_shards(locate(location), ("lines",), "rebuild it")


def test_a_location_without_a_filesystem_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no filesystem"):
        locate("nosuchscheme://bucket/dataset")
