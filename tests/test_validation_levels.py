"""Levels, on both engines: a row failing a level is left out of the levels above (and an
allowed one is not); ``--level N`` stops after level N: the checks above it are reported as
not run, the verdict and exit code come from the levels that ran, and a release refuses a
partial run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dataset.builder.pipeline import BuildResult, build
from dataset.release.gate import verdict
from tests.conftest import RAW
from tests.engines import ENGINES, validate
from tests.test_validation import (
    CASES,
    duplicate_row,
    failing,
    first_span,
    read,
    rows_of,
    set_null,
    set_value,
    write,
)
from validation.allowlist import AllowlistEntry
from validation.checks import Level
from validation.cli import main
from validation.tally import NOT_RUN


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(RAW, tmp_path_factory.mktemp("clean") / "dataset", progress=False)


def corrupted(clean: BuildResult, tmp_path: Path, check_id: str) -> Path:
    copy = tmp_path / "dataset"
    shutil.copytree(clean.out, copy)
    CASES[check_id].corrupt(copy)
    return copy


@pytest.mark.parametrize("engine", ENGINES)
def test_a_run_stops_after_its_level(engine: str, clean: BuildResult, tmp_path: Path) -> None:
    folder = corrupted(clean, tmp_path, "offsets-in-range")
    assert not validate(engine, folder).ok
    partial = validate(engine, folder, level=Level.KEYS)
    assert partial.ok and not partial.complete
    for result in partial.checks:
        ran = result.status != NOT_RUN
        assert ran == (result.check.level <= Level.KEYS), result.check.id
        if not ran:
            assert (result.failing, result.not_judged, result.examples) == (0, {}, [])
    written = partial.to_json()
    assert written["stopped_after_level"] == 2
    assert written["counts"][NOT_RUN] == sum(
        1 for r in partial.checks if r.check.level > Level.KEYS
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_the_levels_that_ran_decide(engine: str, clean: BuildResult, tmp_path: Path) -> None:
    folder = corrupted(clean, tmp_path, "keys-unique")
    assert validate(engine, folder, level=Level.SCHEMA).ok
    below = validate(engine, folder, level=Level.KEYS)
    assert not below.ok
    full = validate(engine, folder)
    for result in below.checks:
        if result.check.level <= Level.KEYS:
            assert result.status == full.result(result.check.id).status
            assert result.failing == full.result(result.check.id).failing


def test_a_complete_run_reports_as_before(clean: BuildResult) -> None:
    report = validate("default", clean.out)
    written = report.to_json()
    assert report.complete and "stopped_after_level" not in written
    assert NOT_RUN not in written["counts"]


def test_the_release_gate_refuses_a_partial_run(clean: BuildResult) -> None:
    partial = validate("default", clean.out, level=Level.CONTENT)
    assert partial.ok
    gate = verdict(partial)
    assert not gate.ok
    assert any("stopped after level 3" in line for line in gate.failures)
    assert verdict(validate("default", clean.out)).ok


def test_the_command_line_takes_a_level(
    clean: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corrupted(clean, tmp_path, "keys-unique")
    reports = tmp_path / "reports"
    argv = [str(folder), "--previous", "none", "--reports", str(reports)]
    assert main([*argv, "--level", "1"]) == 0
    assert "stopped after level 1" in capsys.readouterr().out
    written = json.loads((reports / "validation.json").read_text(encoding="utf-8"))
    assert written["stopped_after_level"] == 1
    assert "This run stopped after level 1" in (reports / "validation.html").read_text("utf-8")
    assert main([*argv, "--level", "2"]) == 1
    with pytest.raises(SystemExit) as refused:
        main([*argv, "--level", "5"])
    assert refused.value.code == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_a_row_failing_a_lower_level_is_not_judged_again(
    engine: str, clean: BuildResult, tmp_path: Path
) -> None:
    dataset = Path(shutil.copytree(clean.out, tmp_path / "dataset"))
    set_value("spans", 1, text="not the slice")(dataset)
    set_null("spans", 1, "start")(dataset)
    report = validate(engine, dataset)
    assert failing(report) == {"schema-not-null"}
    assert rows_of(report, "schema-not-null") == [first_span("Loaded_Language")]
    # Levels 2 and 3 leave out the span, and the lines' labels of its article, which come
    # from the spans.
    assert report.result("keys-unique").not_judged == {"spans": 1}
    assert report.result("text-matches-offsets").not_judged == {"spans": 1}
    assert report.result("lines-labels").not_judged == {"lines": 30}
    assert report.result("articles-title").not_judged == {}
    assert report.result("schema-values").not_judged == {}


@pytest.mark.parametrize("engine", ENGINES)
def test_an_allowed_row_is_still_judged_by_higher_levels(
    engine: str, clean: BuildResult, tmp_path: Path
) -> None:
    dataset = Path(shutil.copytree(clean.out, tmp_path / "dataset"))
    duplicate_row("spans", 1)(dataset)
    key = first_span("Loaded_Language")
    allowed = [
        AllowlistEntry("keys-unique", key, "the label file lists it twice"),
        AllowlistEntry("spans-no-duplicates", key, "the label file lists it twice"),
    ]
    assert failing(validate(engine, dataset, allowlist=allowed)) == set()
    rows = read(dataset, "spans")
    rows[1]["text"] = rows[2]["text"] = "XYZ"
    write(dataset, "spans", rows)
    report = validate(engine, dataset, allowlist=allowed)
    assert failing(report) == {"text-matches-offsets"}
    assert rows_of(report, "text-matches-offsets") == [key, key]
