"""The benchmark runs end to end on a tiny corpus and writes its reports.

No figure is checked (speed belongs in BENCHMARKS.md, not in assertions); what is checked
is that every measured step ran, that the floor writes our articles and spans bytes, that
a work folder that does not exist yet is created, and that the report has its sections.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import measure
from benchmarks.measure import child_env, measure_size, measure_validations
from benchmarks.report import markdown, targets
from benchmarks.run import LARGE_SIZE, main, runs_per_figure


def test_bench_runs_on_a_tiny_corpus(tmp_path: Path) -> None:
    work = tmp_path / "not" / "yet" / "there"
    out_json, out_md = tmp_path / "results.json", tmp_path / "BENCHMARKS.md"
    argv = ["--sizes", "30", "--repeats", "1", "--work-dir", str(work)]
    assert main([*argv, "--out-json", str(out_json), "--out-md", str(out_md)]) == 0

    results = json.loads(out_json.read_text())
    figures = results["sizes"]["30"]
    for step in ("build", "build-no-lines", "baseline", "floor"):
        assert figures[step]["runs"][0]["articles"] == 30
    assert figures["floor_output_equal"] == "bytes"
    validation = figures["validation"]
    assert validation["status"] == "ok"
    assert 0 < validation["work_seconds"] < validation["seconds"]
    assert validation["start_up_seconds"] > 0 and validation["list_checks_seconds"] > 0
    read_rows = validation["read"]["runs"][0]["rows"]
    assert read_rows > figures["corpus"]["articles"] + figures["corpus"]["spans"], "all tables"
    judged = {target["target"]: target["status"] for target in results["targets"]}
    for wanted in ("whole process tree", "one-article dataset", "`--jobs 1`", "--list-"):
        assert any(wanted in target for target in judged), wanted
    assert set(figures["load"]) == {"hf_cold", "hf_warm", "pandas"}
    assert work.is_dir() and not any(work.iterdir()), "created, and left empty"
    assert str(tmp_path) not in results["command"], "no machine paths in the report"
    report = out_md.read_text()
    for section in ("## Targets", "## Figures", "## How it is measured"):
        assert section in report
    assert results["engines"] == ["default"] and "validation_spark" not in figures
    assert "validation on Spark" not in report, "no Spark rows nor method without a Spark run"


def test_end_to_end_size_measures_each_step(tmp_path: Path) -> None:
    """The million-article run and the row-group sweep, in miniature."""
    env = child_env(tmp_path / "hf-home")
    figures = measure_size(20, 1, 7, tmp_path, env, compare=False, sweep=(5, 20))
    assert "baseline" not in figures
    for step in ("corpus", "build", "validation"):
        assert figures[step]["peak_rss_bytes"] > 0
    assert set(figures["load"]) == {"hf_cold", "hf_warm", "pandas", "pandas_shards"}
    report = markdown(
        {
            "command": "test",
            "date": "today",
            "code": {"commit": None, "modified": []},
            "repeats": 1,
            "large_repeats": 1,
            "load_average": {"start": [0, 0, 0], "end": [0, 0, 0]},
            "machine": {
                "cores": 1,
                "usable_cores": 1,
                "memory_bytes": 0,
                "cpu": "cpu",
                "platform": "os",
                "python": "3",
                "libraries": {},
            },
            "sizes": {"20": figures},
            "targets": targets({20: figures}),
        }
    )
    assert "## 20 articles, end to end" in report
    assert set(figures["row_group_sweep"]["batches"]) == {"5", "20"}
    assert "## Row groups" in report


def test_only_compared_sizes_repeat() -> None:
    """Medians for the compared sizes (``--large-repeats`` from 100,000 articles); the
    million articles end to end run each step once, as ``--with-1m`` promises."""
    compared = [1_000, LARGE_SIZE]
    assert runs_per_figure(1_000, compared, 3, 5) == 3
    assert runs_per_figure(LARGE_SIZE, compared, 3, 5) == 5
    assert runs_per_figure(1_000_000, compared, 3, 5) == 1


@pytest.mark.parametrize("inside", [False, True])
def test_a_file_as_work_folder_is_refused_and_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inside: bool
) -> None:
    """A careless --work-dir names a file, or a folder inside one: an error, exit 2, and
    the file left as it was."""
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    work = taken / "bench" if inside else taken
    assert main(["--sizes", "5", "--repeats", "1", "--work-dir", str(work)]) == 2
    assert "name a folder" in capsys.readouterr().err
    assert taken.read_text() == "mine"


def test_validation_runs_are_interleaved_and_a_failing_variant_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One run of each variant per round, so a busy spell hits all of them (the Spark
    target is a ratio of two variants); a variant that fails is not run again, and the
    others go on. The command itself is replaced by a recorder: what is checked is the
    order of the runs, not a figure."""
    started: list[tuple[str, int | None]] = []

    def recorded(
        built: Path, env: dict[str, str], reports: Path, engine: str, jobs: int | None
    ) -> dict[str, object] | str:
        started.append((engine, jobs))
        if engine == "spark" and started.count((engine, jobs)) == 2:
            return "no Java"
        seconds = float(len(started))
        return {
            "seconds": seconds,
            "work_seconds": seconds / 2,
            "start_up_seconds": seconds / 2,
            "cpu_seconds": {"total": seconds},
            "peak_rss_bytes": 1,
        }

    monkeypatch.setattr(measure, "_validation_run", recorded)
    variants = {"default": ("default", None), "one": ("default", 1), "spark": ("spark", None)}
    figures = measure_validations(tmp_path, 10, 3, {}, tmp_path, variants=variants)
    rounds = [("default", None), ("default", 1), ("spark", None)]
    assert started == [*rounds, *rounds, ("default", None), ("default", 1)]
    assert [run["seconds"] for run in figures["default"]["runs"]] == [1.0, 4.0, 7.0]
    assert figures["one"]["seconds"] == 5.0 and figures["one"]["jobs"] == 1
    assert figures["spark"]["status"] == "failed" and figures["spark"]["reason"] == "no Java"
    assert [run["seconds"] for run in figures["spark"]["runs"]] == [3.0]
