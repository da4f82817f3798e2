"""Both engines give the same answers: on the shipped dataset and on every failing fixture
of the check catalogue (the validation tests' own corruption cases), Spark in local mode
fails the same checks, with the same exact counts, the same rows left unjudged and the same
offending row keys as the default engine."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession

from dataset.builder.pipeline import BuildResult, build
from dataset.ptc.synth import synthesize
from tests.conftest import ARTICLE_ID, RAW
from tests.test_validation import CASES, failing, read, write
from validation.allowlist import AllowlistEntry
from validation.checks import RowCheck, registered
from validation.cli import main
from validation.report import Report
from validation.run import validate_dataset
from validation.spark.engine import PYTHON_RESULT, _python_rule, handed, validate_on_spark
from validation.tally import EXAMPLES_KEPT


def answers(report: Report) -> dict[str, tuple[Any, ...]]:
    """Everything a check's result says, but the order of its example rows (each engine
    lists them in the order it finds them)."""
    return {
        result.check.id: (
            result.status,
            result.failing,
            result.allowed,
            result.not_judged,
            result.errors,
            sorted((v.table, v.row, v.article_id, v.start, v.end) for v in result.examples),
        )
        for result in report.checks
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(RAW, tmp_path_factory.mktemp("clean") / "dataset", progress=False)


def test_the_shipped_dataset_passes_on_both(spark: SparkSession, clean: BuildResult) -> None:
    default = validate_dataset(clean.out)
    assert default.ok
    on_spark = validate_on_spark(str(clean.out))
    assert answers(on_spark) == answers(default)
    # Processor time: this process's per phase, as on the default engine, and Spark's own.
    assert {"start-up", "total"} <= set(on_spark.cpu_seconds)
    assert on_spark.cpu_seconds["jvm-and-workers"] > 0


@pytest.mark.parametrize("check_id", CASES.keys())
def test_every_failing_fixture_fails_alike(
    spark: SparkSession, clean: BuildResult, tmp_path: Path, check_id: str
) -> None:
    copy = tmp_path / "dataset"
    shutil.copytree(clean.out, copy)
    CASES[check_id].corrupt(copy)
    default = validate_dataset(copy)
    assert check_id in failing(default)
    assert answers(validate_on_spark(str(copy))) == answers(default)


def test_runs_an_article_returns_to_are_judged_alike(
    spark: SparkSession, clean: BuildResult, tmp_path: Path
) -> None:
    """schema-order when an article's rows in a shard are not one run: Spark finds such
    runs one by one (an article with contiguous rows, by aggregation). Rows of articles 2,
    1 and 2 again between the shipped article's rows: all three come after a larger id."""
    copy = tmp_path / "dataset"
    shutil.copytree(clean.out, copy)
    rows = read(copy, "spans")

    def moved(article: str, row: dict[str, Any]) -> dict[str, Any]:
        return dict(row, article_id=article, span_id=row["span_id"].replace(ARTICLE_ID, article))

    write(
        copy,
        "spans",
        [*rows[:3], moved("2", rows[3]), moved("1", rows[4]), moved("2", rows[5]), *rows[6:]],
    )
    default = validate_dataset(copy)
    assert default.result("schema-order").failing == 3
    assert answers(validate_on_spark(str(copy))) == answers(default)


def test_allowlists_and_the_previous_release_work_alike(
    spark: SparkSession, clean: BuildResult, tmp_path: Path
) -> None:
    copy = tmp_path / "dataset"
    shutil.copytree(clean.out, copy)
    CASES["spans-rationale-present"].corrupt(copy)
    CASES["articles-hash-length"].corrupt(copy)
    row = next(iter(validate_dataset(copy).result("articles-hash-length").examples)).row
    allowlist = [
        AllowlistEntry("articles-hash-length", row, "known upstream erratum"),
        AllowlistEntry("keys-unique", "nothing", "stale on purpose"),
    ]
    previous = clean.out
    default = validate_dataset(copy, allowlist=allowlist, previous=previous)
    assert {"allowlist-current", "spans-rationale-present"} <= failing(default)
    on_spark = validate_on_spark(str(copy), allowlist=allowlist, previous=previous)
    assert answers(on_spark) == answers(default)


def test_a_uri_reads_like_a_folder(spark: SparkSession, clean: BuildResult) -> None:
    assert answers(validate_on_spark(clean.out.resolve().as_uri())) == answers(
        validate_dataset(clean.out)
    )


def test_the_command_line_runs_the_spark_engine(
    spark: SparkSession, clean: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    argv = [clean.out.resolve().as_uri(), "--engine", "spark", "--previous", "none"]
    argv += ["--reports", str(reports)]
    assert main(argv) == 0
    written = json.loads((reports / "validation.json").read_text(encoding="utf-8"))
    default = validate_dataset(clean.out).to_json()
    assert [(c["id"], c["status"]) for c in written["checks"]] == [
        (c["id"], c["status"]) for c in default["checks"]
    ]
    assert (reports / "validation.html").is_file()


def test_more_failures_than_examples_count_alike(
    spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The last level lists only the first rows of a failing expectation on Spark (its
    count comes from the aggregation, its allowlisted rows from a pass over those rows):
    a synthetic corpus, whose spans carry no rationale, fails spans-rationale-present on
    every span, more than the rows kept as examples, and one of them is allowlisted."""
    raw = tmp_path_factory.mktemp("synthetic") / "raw"
    synthesize(raw, articles=80, seed=3)
    out = build(raw, raw.parent / "dataset", progress=False).out
    check = "spans-rationale-present"
    row = validate_dataset(out).result(check).examples[0].row
    allowlist = [AllowlistEntry(check, row, "rationale pending")]
    default = validate_dataset(out, allowlist=allowlist)
    on_spark = validate_on_spark(str(out), allowlist=allowlist)
    result = default.result(check)
    assert result.failing + result.allowed > EXAMPLES_KEPT
    assert result.allowed == 1
    assert without_examples(answers(on_spark)) == without_examples(answers(default))
    examples = on_spark.result(check).examples
    assert len(examples) == len(result.examples) == EXAMPLES_KEPT
    assert {v.row for v in examples if v.allowed_because} <= {row}


def without_examples(found: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """``answers`` but the example rows, which each engine picks first in its own order."""
    return {check: value[:-1] for check, value in found.items()}


def test_a_run_lets_go_of_the_rows_it_kept(
    spark: SparkSession, clean: BuildResult, tmp_path: Path
) -> None:
    """A session that validates again (a notebook's) starts with its memory free: the rows
    a run caches or checkpoints (rows left out, failing rows of SQL and Python rules, a
    level's judged rows) are let go when it ends."""
    copy = tmp_path / "dataset"
    shutil.copytree(clean.out, copy)
    for check_id in ("spans-no-duplicates", "spans-no-self-overlap", "articles-title"):
        CASES[check_id].corrupt(copy)
    before = spark.sparkContext._jsc.getPersistentRDDs().size()
    report = validate_on_spark(str(copy))
    assert {"spans-no-duplicates", "spans-no-self-overlap", "articles-title"} <= failing(report)
    assert spark.sparkContext._jsc.getPersistentRDDs().size() == before


#: Texts made of what a first line can hold or end with: line breaks of both kinds, a byte
#: order mark, characters beyond the basic plane.
FIRST_LINE_TEXTS = st.text(alphabet=["a", " ", "\n", "\r", "\ufeff", "é", "\U0001d11e"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(FIRST_LINE_TEXTS, FIRST_LINE_TEXTS), min_size=1, max_size=6))
def test_the_title_rule_judges_first_lines_as_whole_texts(
    spark: SparkSession, rows: list[tuple[str, str]]
) -> None:
    """Spark hands the title rule each text's first line alone (``RowCheck.first_line_of``,
    ``engine.handed``): the same titles fail as when the rule reads whole texts, as the
    default engine hands them."""
    rule = registered()["articles-title"]
    assert isinstance(rule, RowCheck)
    data = pa.table(
        {
            "_key": [f"a{n}" for n in range(len(rows))],
            "_file": pa.array([0] * len(rows), pa.int32()),
            "_row": pa.array(range(len(rows)), pa.int64()),
            "article_id": [f"a{n}" for n in range(len(rows))],
            "title": [title for title, _ in rows],
            "text": [text for _, text in rows],
            "num_chars": [len(text) for _, text in rows],
        }
    )
    whole = rule.code("articles", data, data.column("_key").combine_chunks(), np.arange(len(rows)))
    wanted = sorted((v.row, v.found, v.expected) for v in whole.details(len(rows)))
    frame = handed(rule, spark.createDataFrame(data))
    assert sorted(frame.columns) == ["_file", "_key", "_row", "article_id", "text", "title"]
    found = frame.mapInArrow(_python_rule(rule.id, "articles"), PYTHON_RESULT).collect()
    assert sorted((row["_key"], row["found"], row["expected"]) for row in found) == wanted


def test_a_rule_is_handed_its_columns_in_any_order(spark: SparkSession) -> None:
    """``handed`` takes the columns a rule reads in the order it names them, a first line
    among them wherever it stands."""
    rule = registered()["articles-title"]
    assert isinstance(rule, RowCheck)
    reversed_reads = replace(rule, reads=("text", "title", "text"))
    data = pa.table(
        {
            "_key": ["a"],
            "_file": pa.array([0], pa.int32()),
            "_row": pa.array([0], pa.int64()),
            "article_id": ["a"],
            "title": ["T"],
            "text": ["T\nbody"],
            "num_chars": [6],
        }
    )
    frame = handed(reversed_reads, spark.createDataFrame(data))
    assert frame.columns == ["_file", "_row", "_key", "article_id", "text", "title"]
    assert frame.select("text", "title").collect()[0].asDict() == {"text": "T", "title": "T"}
