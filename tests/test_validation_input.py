"""Input the validator cannot judge gets one error naming the file, and exit status 2.

A folder without tables, a missing table or column, a Parquet file cut short or damaged,
an allowlist that is not YAML or names an unknown check, a schema that cannot be read, a
report folder or previous release that is not one: each is an input error (what is wrong,
where, how to fix it), never a traceback and never a report of made-up failures.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dataset.builder.pipeline import BuildResult
from dataset.schema import schema
from validation.cli import main


@pytest.fixture
def dataset(built: BuildResult, tmp_path: Path) -> Path:
    copy = tmp_path / "dataset"
    shutil.copytree(built.out, copy)
    return copy


def no_tables(folder: Path) -> Path:
    for table in schema().tables:
        shutil.rmtree(folder / table)
    return folder


def no_techniques_table(folder: Path) -> Path:
    shutil.rmtree(folder / "techniques")
    return folder / "techniques"


def missing_column(folder: Path) -> Path:
    (shard,) = (folder / "lines").glob("*.parquet")
    pq.write_table(pq.read_table(shard).drop_columns(["techniques"]), shard)
    return shard


def cut_short(folder: Path) -> Path:
    (shard,) = (folder / "spans").glob("*.parquet")
    data = shard.read_bytes()
    shard.write_bytes(data[: len(data) // 2])
    return shard


def damaged_pages(folder: Path) -> Path:
    """The footer is intact, so the file opens; its data pages are not."""
    (shard,) = (folder / "articles").glob("*.parquet")
    data = bytearray(shard.read_bytes())
    for offset in range(8, len(data) // 2):
        data[offset] = 0xFF
    shard.write_bytes(bytes(data))
    return shard


def not_a_folder(folder: Path) -> Path:
    return folder / "no-such-folder"


BAD_DATASETS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "no tables": (no_tables, "holds no tables"),
    "missing table": (no_techniques_table, "the table 'techniques' is missing"),
    "missing column": (missing_column, "lacks the column(s) techniques"),
    "cut short": (cut_short, "not a readable Parquet file"),
    "damaged pages": (damaged_pages, "not a readable Parquet file"),
    "not a folder": (not_a_folder, "no such dataset folder"),
}


def assert_input_error(stderr: str, where: Path | str, problem: str) -> None:
    first, *rest = stderr.strip().splitlines()
    assert first.startswith(f"error: {where}"), first
    assert problem in first
    assert len(rest) == 1
    assert rest[0].startswith("  fix: ")
    assert "Traceback" not in stderr


@pytest.mark.parametrize("case", BAD_DATASETS)
def test_bad_dataset_is_an_input_error(
    case: str, dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage, problem = BAD_DATASETS[case]
    where = damage(dataset)
    folder = where if case == "not a folder" else dataset
    assert main([str(folder), "--reports", str(tmp_path / "reports")]) == 2
    captured = capsys.readouterr()
    assert_input_error(captured.err, where, problem)
    assert not (tmp_path / "reports").exists(), "no report about data that was never judged"


BAD_ALLOWLISTS: dict[str, tuple[bytes, str, int | None]] = {
    "not YAML": (b"- {check: spans-boundaries, row: [unclosed\n", "not valid YAML", 2),
    "not a list": (b"check: spans-boundaries\n", "the file: is not a list", 1),
    "unknown check": (
        b"- {check: no-such-check, row: x, reason: y}\n",
        "unknown check 'no-such-check'",
        1,
    ),
    "no reason": (
        b"- {check: spans-boundaries, row: x}\n",
        "entry 1: missing key reason",
        1,
    ),
    "misspelt key": (
        b"- check: spans-boundaries\n  row: x\n  reson: y\n",
        "entry 1: missing key reason; unknown key reson",
        3,
    ),
    "check a list": (
        b"- {check: [spans-boundaries], row: x, reason: y}\n",
        "entry 1, check: must be text, not a list or a mapping",
        1,
    ),
    "check a mapping": (
        b"- {check: {spans-boundaries: 1}, row: x, reason: y}\n",
        "entry 1, check: must be text, not a list or a mapping",
        1,
    ),
    "latin-1": (
        "- {check: spans-boundaries, row: x, reason: café}\n# ok\n".encode("latin-1"),
        "not valid UTF-8: byte 0xe9 at byte offset 47",
        1,
    ),
}


@pytest.mark.parametrize("case", BAD_ALLOWLISTS)
def test_bad_allowlist_is_an_input_error(
    case: str, dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, problem, line = BAD_ALLOWLISTS[case]
    allowlist = tmp_path / "errata.yaml"
    allowlist.write_bytes(text)
    assert main([str(dataset), "--allowlist", str(allowlist), "--no-reports"]) == 2
    where = f"{allowlist}:{line}" if line is not None else str(allowlist)
    assert_input_error(capsys.readouterr().err, where, problem)


BAD_SCHEMAS: dict[str, tuple[bytes | None, str]] = {
    "missing": (None, "cannot read the schema: No such file or directory"),
    "not UTF-8": (b"dataset:\n  name: caf\xe9\n", "not valid UTF-8: byte 0xe9"),
    "schema error": (b"tables: 3\n", "missing keys dataset, taxonomies"),
    "not YAML": (b"tables: [\n", "not valid YAML"),
}


@pytest.mark.parametrize("case", BAD_SCHEMAS)
def test_a_bad_schema_is_an_input_error(
    case: str, dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, problem = BAD_SCHEMAS[case]
    schema_file = tmp_path / "schema.yaml"
    if content is not None:
        schema_file.write_bytes(content)
    assert main([str(dataset), "--no-reports", "--schema", str(schema_file)]) == 2
    assert_input_error(capsys.readouterr().err, schema_file, problem)


def test_the_schema_variable_is_read_when_the_command_runs(
    dataset: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Set in this process after every import, it is still the schema the run reads."""
    monkeypatch.setenv("PROPAGANDA_SPANS_SCHEMA", str(tmp_path / "nowhere.yaml"))
    assert main([str(dataset), "--no-reports"]) == 2
    assert_input_error(capsys.readouterr().err, tmp_path / "nowhere.yaml", "cannot read")


def test_reports_naming_a_file_is_an_input_error(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports.txt"
    reports.write_text("mine\n", encoding="utf-8")
    assert main([str(dataset), "--reports", str(reports), "--previous", "none"]) == 2
    assert_input_error(capsys.readouterr().err, reports, "is a file, not a folder")
    assert reports.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize(
    ("previous", "problem"),
    [("missing", "no such previous release folder"), ("empty", "holds no techniques table")],
)
def test_a_previous_release_that_is_not_one_is_an_input_error(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], previous: str, problem: str
) -> None:
    folder = tmp_path / previous
    if previous == "empty":
        folder.mkdir()
    assert main([str(dataset), "--previous", str(folder), "--no-reports"]) == 2
    assert_input_error(capsys.readouterr().err, folder, problem)


def test_reports_of_the_current_folder_go_beside_it(
    dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(dataset)
    assert main([".", "--previous", "none"]) == 0
    assert not (dataset / "-validation").exists()
    assert (dataset.parent / "dataset-validation" / "validation.json").is_file()
