"""The shards are judged against the list the folder carries of them: the build's
MANIFEST.json (sha256 and rows) or a release's SHA256SUMS (sha256); one case per way the
list and the disk can disagree, and the folder that carries neither."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dataset.builder.pipeline import BuildResult, build
from dataset.project import RELEASES_DIR
from tests.conftest import RAW
from validation import manifest
from validation.cli import main
from validation.report import Report
from validation.run import validate_dataset

SPANS = "spans/spans-00000.parquet"


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(RAW, tmp_path_factory.mktemp("clean") / "dataset", progress=False)


@pytest.fixture
def dataset(clean: BuildResult, tmp_path: Path) -> Path:
    copy = tmp_path / "dataset"
    shutil.copytree(clean.out, copy)
    return copy


def failing(report: Report) -> dict[str, list[tuple[str, str]]]:
    return {
        r.check.id: [(v.row, v.found) for v in r.examples]
        for r in report.checks
        if r.status in {"failed", "warning", "error"}
    }


def edit_manifest(folder: Path, change: Callable[[dict[str, object]], None]) -> None:
    path = folder / "MANIFEST.json"
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data), "utf-8")


def spans_record(data: dict[str, object]) -> dict[str, object]:
    record: dict[str, object] = data["tables"]["spans"]["files"][0]  # type: ignore[index]
    return record


def test_a_build_matches_its_manifest(clean: BuildResult) -> None:
    report = validate_dataset(clean.out)
    assert report.result("manifest-matches").status == "passed"
    assert report.result("manifest-present").status == "passed"


def test_a_hash_mismatch_fails(dataset: Path) -> None:
    edit_manifest(dataset, lambda data: spans_record(data).update(sha256="0" * 64))
    report = validate_dataset(dataset)
    assert list(failing(report)) == ["manifest-matches"]
    [(row, found)] = failing(report)["manifest-matches"]
    assert row == SPANS and found.startswith("sha256 ")
    assert not report.ok


def test_a_row_count_mismatch_fails(dataset: Path) -> None:
    edit_manifest(dataset, lambda data: spans_record(data).update(rows=16))
    assert failing(validate_dataset(dataset)) == {"manifest-matches": [(SPANS, "58 rows")]}


def test_an_unlisted_shard_fails(dataset: Path) -> None:
    shutil.copyfile(dataset / SPANS, dataset / "spans" / "spans-00001.parquet")
    found = failing(validate_dataset(dataset))
    assert found["manifest-matches"] == [
        ("spans/spans-00001.parquet", "a shard MANIFEST.json does not list")
    ]


def test_a_missing_shard_fails(dataset: Path) -> None:
    def add(data: dict[str, object]) -> None:
        files: list[object] = data["tables"]["spans"]["files"]  # type: ignore[index]
        files.append({**spans_record(data), "path": "spans/spans-00001.parquet"})

    edit_manifest(dataset, add)
    found = failing(validate_dataset(dataset))
    assert found == {"manifest-matches": [("spans/spans-00001.parquet", "no such shard")]}


@pytest.mark.parametrize("garbage", [b"\x00\xff not json", b"[]", b'{"tables": {"spans": 3}}'])
def test_a_garbage_manifest_fails(dataset: Path, garbage: bytes) -> None:
    (dataset / "MANIFEST.json").write_bytes(garbage)
    [(row, found)] = failing(validate_dataset(dataset))["manifest-matches"]
    assert (row, found.split(" (")[0]) == ("MANIFEST.json", "not a build manifest")


def test_a_folder_without_manifest_or_sums_is_warned_about(
    dataset: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (dataset / "MANIFEST.json").unlink()
    report = validate_dataset(dataset)
    assert list(failing(report)) == ["manifest-present"]
    assert report.result("manifest-present").status == "warning"
    assert report.ok
    assert main([str(dataset), "--no-reports", "--previous", "none"]) == 0
    assert "neither MANIFEST.json nor SHA256SUMS" in capsys.readouterr().out


def of_the_manifest(report: Report) -> dict[str, list[tuple[str, str]]]:
    """The manifest checks' findings (a shipped release is judged by today's schema too,
    whose other checks are not the point here)."""
    return {key: rows for key, rows in failing(report).items() if key.startswith("manifest-")}


def test_a_release_folder_is_checked_against_its_sums(tmp_path: Path) -> None:
    release = tmp_path / "v2.0.0"
    shutil.copytree(RELEASES_DIR / "v2.0.0", release)
    assert failing(validate_dataset(release, previous=None)) == {}
    shard = release / "data" / "techniques" / "techniques-00000.parquet"
    pq.write_table(pq.read_table(shard), shard, compression="none")
    found = of_the_manifest(validate_dataset(release))
    assert [row for row, _ in found["manifest-matches"]] == ["techniques/techniques-00000.parquet"]


def test_the_data_folder_of_a_release_alone_is_warned_about(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(RELEASES_DIR / "v2.0.0" / "data", data)
    assert list(of_the_manifest(validate_dataset(data))) == ["manifest-present"]


def test_a_given_manifest_judges_a_folder_that_has_none(clean: BuildResult, tmp_path: Path) -> None:
    """The release gate's case: a release's data/ judged by the build's manifest."""
    data = tmp_path / "release" / "data"
    for table in ("articles", "spans", "lines", "techniques"):
        shutil.copytree(clean.out / table, data / table)
    report = validate_dataset(data.parent, manifest=clean.out / "MANIFEST.json")
    assert failing(report) == {}
    shard = data / "techniques" / "techniques-00000.parquet"
    pq.write_table(pq.read_table(shard), shard, compression="none")
    found = failing(validate_dataset(data.parent, manifest=clean.out / "MANIFEST.json"))
    assert [row for row, _ in found["manifest-matches"]] == ["techniques/techniques-00000.parquet"]


def test_the_manifest_read_in_pieces_is_the_manifest(
    clean: BuildResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest's tables are read without keeping its inputs (validation.manifest), in
    pieces that cut through its keys, strings and numbers: the same tables as json.loads."""
    text = (clean.out / "MANIFEST.json").read_bytes()
    monkeypatch.setattr(manifest, "CHUNK", 7)
    assert manifest.manifest_tables(io.BytesIO(text)) == json.loads(text)["tables"]


def test_a_broken_input_record_makes_the_manifest_unreadable(dataset: Path) -> None:
    path = dataset / "MANIFEST.json"
    before, inputs = path.read_text("utf-8").split('"inputs": [', 1)
    assert '"sha256": "' in inputs, "the inputs list records"
    broken = inputs.replace('"sha256": "', '"sha256": ', 1)
    path.write_text(before + '"inputs": [' + broken, "utf-8")
    [(row, found)] = failing(validate_dataset(dataset))["manifest-matches"]
    assert (row, found.split(" (")[0]) == ("MANIFEST.json", "not a build manifest")


@pytest.mark.parametrize("chunk", [5, 64, 1 << 22])
def test_records_with_braces_in_their_strings_are_read_as_json_reads_them(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs records are parsed many at a time up to a '},' (validation.manifest): one
    inside a string or a nested object must not cut a record in two."""
    records = [{"path": "a},b"}, {"path": "}, {"}, {"nested": {"x": "},"}}, 3, [{"y": 1}]]
    tables = {"spans": {"files": [{"path": "spans/x},.parquet", "sha256": "0", "rows": 12}]}}
    text = json.dumps({"inputs": records, "tables": tables, "after": 123456}, indent=2)
    monkeypatch.setattr(manifest, "CHUNK", chunk)
    assert manifest.manifest_tables(io.BytesIO(text.encode())) == tables
