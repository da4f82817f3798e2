"""Exact figures at any size: a check failing on more rows than any list keeps reports the
exact number everywhere, and the verdicts do not depend on how the articles are batched.

The corpus is a small synthetic one (no rationale files, no provenance records), so every
span fails spans-rationale-present (a Great Expectations rule) and, once the span texts are
damaged, text-matches-offsets (an SQL rule): well over a thousand rows each.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from subprocess import CompletedProcess

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from dataset.builder.pipeline import build
from dataset.ptc.synth import synthesize
from tests.conftest import validation_process
from validation import parallel
from validation.cli import main
from validation.parallel import SOCKET_NAME_LENGTH, SOCKET_PATH_MAX, socket_folder
from validation.report import Report
from validation.run import validate_dataset
from validation.tally import EXAMPLES_KEPT


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    synthesize(root / "raw", articles=120, seed=7)
    return build(root / "raw", root / "out", progress=False).out


@pytest.fixture
def damaged(synthetic: Path, tmp_path: Path) -> Path:
    """The synthetic build with every span's text one character too long."""
    copy = tmp_path / "out"
    shutil.copytree(synthetic, copy)
    (shard,) = (copy / "spans").glob("*.parquet")
    spans = pq.read_table(shard)
    longer = pc.binary_join_element_wise(spans.column("text"), "x", "")
    spans = spans.set_column(spans.column_names.index("text"), "text", longer)
    pq.write_table(spans.cast(pq.read_schema(shard)), shard)
    return copy


def independent_count(folder: Path) -> int:
    """Spans without a rationale, counted by Arrow rather than the validator."""
    rationale = pq.read_table(folder / "spans", columns=["rationale"]).column("rationale")
    missing = pc.or_(pc.is_null(rationale), pc.equal(pc.utf8_length(rationale), 0))
    return int(pc.sum(pc.fill_null(missing, True)).as_py())


@pytest.mark.parametrize("check_id", ["spans-rationale-present", "text-matches-offsets"])
def test_counts_past_every_limit_are_exact_in_all_three_reports(
    damaged: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], check_id: str
) -> None:
    spans = pq.read_metadata(next((damaged / "spans").glob("*.parquet"))).num_rows
    assert independent_count(damaged) == spans > EXAMPLES_KEPT
    reports = tmp_path / "reports"
    assert main([str(damaged), "--reports", str(reports), "--previous", "none"]) == 1
    out = capsys.readouterr().out
    assert f"showing the first 5 of {spans:,} (the JSON report lists the first 1,000)" in out
    row = next(line for line in out.splitlines() if line.startswith(check_id))
    assert f" {spans:,} " in row

    document = json.loads((reports / "validation.json").read_text(encoding="utf-8"))
    result = next(c for c in document["checks"] if c["id"] == check_id)
    assert result["failing_rows"] == result["violations_total"] == spans
    assert result["violations_shown"] == len(result["violations"]) == EXAMPLES_KEPT
    assert result["violations_note"] == f"showing the first 1,000 of {spans:,}"

    page = (reports / "validation.html").read_text(encoding="utf-8")
    assert f"{spans:,} row(s) fail this check; showing the first 100 of {spans:,}" in page


def outcome(report: Report) -> dict[str, tuple[str, int, int, dict[str, int], list[str]]]:
    return {
        r.check.id: (
            r.status,
            r.failing,
            r.allowed,
            r.not_judged,
            sorted(v.row for v in r.examples) if r.violations <= EXAMPLES_KEPT else [],
        )
        for r in report.checks
    }


def test_verdicts_do_not_depend_on_the_batch_size(synthetic: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(synthetic, copy)
    for table, column, value in (("spans", "text", "XYZ"), ("lines", "has_propaganda", None)):
        (shard,) = (copy / table).glob("*.parquet")
        data = pq.read_table(shard)
        positions = list(range(3, data.num_rows, 97))
        values = data.column(column).to_pylist()
        for position in positions:
            values[position] = value
        typed = pa.array(values, type=data.schema.field(column).type)
        pq.write_table(data.set_column(data.column_names.index(column), column, typed), shard)
    whole = validate_dataset(copy)
    assert whole.batches == 2, "the articles in one batch, the techniques in another"
    # In this process, as the whole run: the batches, not the workers, are what differs
    # (test_every_job_count_writes_the_same_report judges small batches in workers).
    small = validate_dataset(copy, batch_articles=7, jobs=1)
    assert small.batches > 10
    assert outcome(small) == outcome(whole)
    assert whole.result("text-matches-offsets").failing > 0
    assert whole.result("lines-labels").failing > 0


def timeless(report: Report) -> dict[str, object]:
    """The JSON report without its timings, the one part that may differ between runs."""
    document = report.to_json()
    del document["seconds"], document["cpu_seconds"]
    return document


def test_every_job_count_writes_the_same_report(damaged: Path) -> None:
    """Batches judged in worker processes give the report one process gives: the same exact
    counts past EXAMPLES_KEPT, the same examples in the same order, the same rows left out."""
    (shard,) = (damaged / "articles").glob("*.parquet")
    articles = pq.read_table(shard)
    # Two articles swapped: rows out of article order, found across batch boundaries.
    order = list(range(articles.num_rows))
    order[10], order[50] = order[50], order[10]
    pq.write_table(articles.take(order).cast(pq.read_schema(shard)), shard)
    one = validate_dataset(damaged, batch_articles=9, jobs=1)
    two = validate_dataset(damaged, batch_articles=9, jobs=2)
    assert one.batches == two.batches > 10
    assert timeless(two) == timeless(one)
    assert two.result("text-matches-offsets").failing > EXAMPLES_KEPT
    assert two.result("spans-rationale-present").failing > EXAMPLES_KEPT
    assert two.result("schema-order").failing > 0


def test_a_worker_meeting_an_unreadable_shard_exits_2(
    synthetic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The parent reads only the article ids; a broken text column is met by a worker, and
    the user gets the same message as from one process, never a traceback."""
    copy = tmp_path / "out"
    shutil.copytree(synthetic, copy)
    (shard,) = (copy / "articles").glob("*.parquet")
    chunk = pq.ParquetFile(shard).metadata.row_group(0)
    text = next(
        chunk.column(i)
        for i in range(chunk.num_columns)
        if chunk.column(i).path_in_schema == "text"
    )
    data = bytearray(shard.read_bytes())
    start = text.dictionary_page_offset if text.has_dictionary_page else text.data_page_offset
    middle = start + text.total_compressed_size // 2
    data[middle : middle + 64] = b"\xff" * 64
    shard.write_bytes(bytes(data))
    errors = []
    for jobs in ("1", "2"):
        assert main([str(copy), "--no-reports", "--previous", "none", "--jobs", jobs]) == 2
        errors.append(capsys.readouterr().err)
    assert errors[0] == errors[1]
    assert "not a readable Parquet file" in errors[1] and "Traceback" not in errors[1]


def in_batches(folder: Path) -> list[str]:
    """Arguments validating ``folder`` in several batches (workers with ``--jobs 2``),
    writing no reports."""
    return [str(folder), "--no-reports", "--previous", "none", "--batch-articles", "30"]


def validate_with_temporary(folder: Path, temporary: Path, jobs: str) -> CompletedProcess[str]:
    temporary.mkdir(parents=True, exist_ok=True)
    return validation_process(*in_batches(folder), "--jobs", jobs, env={"TMPDIR": str(temporary)})


def test_workers_start_under_a_temporary_folder_too_long_for_a_socket(
    synthetic: Path, tmp_path: Path
) -> None:
    """multiprocessing binds the fork server's socket under TMPDIR, and a Unix socket's path
    has at most 107 bytes: a deep TMPDIR (a CI runner's, a test's) stopped ``--jobs 2`` with
    "AF_UNIX path too long". The socket now goes to a short folder; the verdicts are those
    of one process."""
    deep = tmp_path / ("t" * 60) / ("u" * 60)
    assert len(os.fsencode(deep)) + SOCKET_NAME_LENGTH > SOCKET_PATH_MAX
    one = validate_with_temporary(synthetic, deep, "1")
    two = validate_with_temporary(synthetic, deep, "2")
    assert "Traceback" not in two.stderr, two.stderr
    assert (two.returncode, two.stderr) == (one.returncode, one.stderr)
    assert verdicts(two.stdout) == verdicts(one.stdout)
    assert not any(deep.iterdir()), "nothing left in TMPDIR"


def verdicts(out: str) -> list[str]:
    """The command's lines, its timings left out."""
    return [line for line in out.splitlines() if not re.search(r"\d+\.\d+ ?s\b", line)]


def test_the_socket_goes_where_its_path_fits(tmp_path: Path) -> None:
    short, long = tmp_path / "s", tmp_path / ("l" * 120)
    short.mkdir()
    long.mkdir()
    assert socket_folder(str(short), ()) == str(short)
    assert socket_folder(str(long), (str(tmp_path / "missing"), str(short))) == str(short)
    assert socket_folder(str(long), ()) is None


def test_no_folder_short_enough_for_the_socket_is_an_error_that_names_tmpdir(
    synthetic: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    long = tmp_path / ("l" * 120)
    long.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    monkeypatch.setattr(parallel, "SHORT_FOLDERS", ())
    assert main([*in_batches(synthetic), "--jobs", "2"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: TMPDIR: {long} is too long a path"), error
    assert "--jobs 1" in error and "Traceback" not in error
