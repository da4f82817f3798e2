"""``python -m dataset export``: the official task files from a built dataset, in the order
the SemEval-2020 TC scorer pairs lines, merged classes and Obfuscation handled in the open,
and a round trip through the builder that gives back the same spans."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dataset.builder.pipeline import BuildResult, build
from dataset.cli import EXIT_INPUT_ERROR, main
from dataset.owned import MARKER_NAME
from dataset.project import RAW_DIR
from dataset.ptc.scoring import Span
from dataset.ptc.task_files import tc_scorer_pairing
from dataset.shards import table_shards
from tests.conftest import ARTICLE_ID, make_corpus
from tests.task_corpus import build_corpus

LL = "Loaded_Language"
WSR = "Whataboutism,Straw_Men,Red_Herring"
OBFUSCATION = "Obfuscation,Intentional_Vagueness,Confusion"
#: The columns a label file determines (rationales live in their own files).
SPAN_COLUMNS = ["span_id", "article_id", "layer", "label", "technique", "semeval_class"]
SPAN_COLUMNS += ["start", "end", "text"]


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    assert main(["export", *args]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def spans_of(folder: Path) -> list[dict[str, object]]:
    paths = table_shards(folder, "spans")
    rows: list[dict[str, object]] = pa.concat_tables(
        [pq.read_table(path, columns=SPAN_COLUMNS) for path in paths]
    ).to_pylist()
    return rows


def test_tc_file_in_the_scorers_order(
    built: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tc.labels"
    printed, notes = export(capsys, str(built.out), "--task", "tc", "--out", str(out))
    # The fixture's label file lists its spans out of order; the export sorts them by start.
    assert out.read_text("utf-8") == "".join(
        f"{ARTICLE_ID}\t{label}\t{start}\t{end}\n"
        for label, start, end in [
            (LL, 251, 272),
            ("Exaggeration,Minimisation", 1173, 1193),
            ("Name_Calling,Labeling", 1662, 1670),
            ("Doubt", 1698, 1732),
            (WSR, 1762, 1767),
        ]
    )
    assert "5 spans of 1 article(s), layer fixture, semeval classes" in printed
    assert notes == ""


def test_export_order_is_the_pairing_order_of_the_tc_scorer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Spans that start together, articles whose IDs sort differently as text and as numbers.
    gold = build_corpus(
        tmp_path,
        {"gold": {"10": [(LL, 5, 9), (LL, 5, 7), ("Doubt", 1, 3)], "9": [(LL, 20, 30)]}},
        ["9", "10"],
    )
    out = tmp_path / "tc.labels"
    export(capsys, str(gold), "--task", "tc", "--out", str(out))
    rows = [line.split("\t") for line in out.read_text("utf-8").splitlines()]
    assert [(a, int(s), int(e)) for a, _, s, e in rows] == [
        ("9", 20, 30),
        ("10", 1, 3),
        ("10", 5, 7),
        ("10", 5, 9),
    ]
    spans = [Span(a, label, int(s), int(e)) for a, label, s, e in rows]
    assert tc_scorer_pairing(spans) == [(s.article_id, s.start, s.end) for s in spans]


def test_merged_class_exports_in_semeval_mode_and_is_reported_in_ptc_mode(
    built: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tc.labels"
    printed, notes = export(
        capsys, str(built.out), "--task", "tc", "--classes", "ptc", "--out", str(out)
    )
    written = out.read_text("utf-8")
    assert WSR not in written
    assert len(written.splitlines()) == 4
    assert "4 spans of 1 article(s), layer fixture, ptc classes" in printed
    assert "1 span(s) left out" in notes
    assert f"{ARTICLE_ID}:fixture:1762-1767:{WSR}" in notes
    assert "merged SemEval-2020 class" in notes


def test_span_identification_needs_no_names(
    built: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # In PTC's view every span is a span, merged class or not.
    for classes in ("ptc", "semeval"):
        out = tmp_path / f"si-{classes}.labels"
        _, notes = export(
            capsys, str(built.out), "--task", "si", "--classes", classes, "--out", str(out)
        )
        assert out.read_text("utf-8").splitlines()[-1] == f"{ARTICLE_ID}\t1762\t1767"
        assert len(out.read_text("utf-8").splitlines()) == 5
        assert notes == ""


def test_obfuscation_has_no_semeval_class(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = build_corpus(tmp_path, {"gold": {"1": [(OBFUSCATION, 10, 20), (LL, 30, 40)]}}, ["1"])
    for task in ("tc", "si"):
        out = tmp_path / f"{task}.labels"
        _, notes = export(capsys, str(gold), "--task", task, "--out", str(out))
        assert out.read_text("utf-8").splitlines() == [
            "1\tLoaded_Language\t30\t40" if task == "tc" else "1\t30\t40"
        ]
        assert f"1:gold:10-20:{OBFUSCATION}" in notes
        assert "no SemEval-2020 class" in notes
    out = tmp_path / "ptc.labels"
    _, notes = export(capsys, str(gold), "--task", "tc", "--classes", "ptc", "--out", str(out))
    assert out.read_text("utf-8").splitlines() == [
        f"1\t{OBFUSCATION}\t10\t20",
        "1\tLoaded_Language\t30\t40",
    ]
    assert notes == ""


def reimport(built: Path, labels: Path, root: Path) -> Path:
    """A corpus of the built articles (written from the articles table) and exported label
    files, built again."""
    articles = pa.concat_tables(
        [pq.read_table(p, columns=["article_id", "text"]) for p in table_shards(built, "articles")]
    ).to_pylist()
    source = root / "source"
    (source / "articles").mkdir(parents=True)
    for row in articles:
        path = source / "articles" / f"article{row['article_id']}.txt"
        path.write_bytes(str(row["text"]).encode("utf-8"))
    shutil.copytree(labels, source / "labels")
    return build(source, root / "rebuilt", progress=False, log=lambda _m: None).out


@pytest.mark.parametrize(
    ("corpus", "classes"),
    [("fixtures", "semeval"), ("fixtures", "ptc-only-techniques"), ("raw", "ptc")],
)
def test_round_trip_through_the_builder_gives_the_same_spans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], corpus: str, classes: str
) -> None:
    if corpus == "raw":
        source = RAW_DIR
    else:
        source = make_corpus(tmp_path / "raw")
        if classes == "ptc-only-techniques":
            labels = next((source / "labels").iterdir())
            rows = labels.read_text("utf-8").replace(WSR, "Whataboutism")
            labels.write_text(rows, "utf-8")
            classes = "ptc"
    first = build(source, tmp_path / "first", progress=False, log=lambda _m: None).out
    exported = tmp_path / "exported"
    export(
        capsys,
        str(first),
        "--task",
        "tc",
        "--classes",
        classes,
        "--per-article",
        "--out",
        str(exported),
    )
    again = reimport(first, exported, tmp_path / "again")
    # The export holds the gold layer only (the project's raw corpus has two more layers).
    expected = [row for row in spans_of(first) if corpus != "raw" or row["layer"] == "gold"]
    assert spans_of(again) == expected
    assert len(expected) == (20 if corpus == "raw" else 5)
    assert lines_of(again) == lines_of(first)


def test_raw_in_semeval_mode_names_whataboutism_by_its_class(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = build(RAW_DIR, tmp_path / "first", progress=False, log=lambda _m: None).out
    exported = tmp_path / "exported"
    export(capsys, str(first), "--task", "tc", "--per-article", "--out", str(exported))
    again = {
        (row["start"], row["label"], row["technique"])
        for row in spans_of(reimport(first, exported, tmp_path / "again"))
    }
    assert (334, WSR, None) in again
    assert len(again) == 20  # the gold layer, which export takes by default


def lines_of(folder: Path) -> list[dict[str, object]]:
    paths = table_shards(folder, "lines")
    columns = ["line_id", "label_layer", "techniques", "has_propaganda"]
    rows: list[dict[str, object]] = pa.concat_tables(
        [pq.read_table(path, columns=columns) for path in paths]
    ).to_pylist()
    return rows


def test_per_article_files_keep_annotated_and_unannotated_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Article 2 is annotated with no span (empty label file), article 3 not annotated.
    first = build_corpus(tmp_path, {"gold": {"1": [(LL, 1, 4)], "2": []}}, ["1", "2", "3"])
    out = tmp_path / "labels"
    export(capsys, str(first), "--task", "tc", "--per-article", "--out", str(out))
    assert sorted(p.name for p in out.iterdir()) == [
        MARKER_NAME,
        "article1.gold.labels",
        "article2.gold.labels",
    ]
    assert (out / "article1.gold.labels").read_text("utf-8") == "1\tLoaded_Language\t1\t4\n"
    assert (out / "article2.gold.labels").read_bytes() == b""
    again = reimport(first, out, tmp_path / "again")
    assert lines_of(again) == lines_of(first)
    labels = {row["line_id"]: row["has_propaganda"] for row in lines_of(again)}
    assert (labels["1:1"], labels["2:1"], labels["3:1"]) == (True, False, None)


def test_the_layer_is_the_one_named_else_the_one_the_build_implies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    two = {"a": {"1": [(LL, 1, 4)]}, "b": {"1": [(LL, 5, 9)]}}
    with_gold = build_corpus(tmp_path / "g", {**two, "gold": {"1": [(LL, 10, 12)]}}, ["1"])
    out = tmp_path / "tc.labels"
    export(capsys, str(with_gold), "--task", "tc", "--out", str(out))
    assert out.read_text("utf-8") == "1\tLoaded_Language\t10\t12\n"
    without = build_corpus(tmp_path / "n", two, ["1"], label_layer="a")
    args = ["export", str(without), "--task", "tc", "--out", str(out)]
    assert main(args) == EXIT_INPUT_ERROR
    assert "several annotation layers (a, b) and none is 'gold'" in capsys.readouterr().err
    export(capsys, *args[1:], "--layer", "b")
    assert out.read_text("utf-8") == "1\tLoaded_Language\t5\t9\n"
    assert main(["export", str(without), "--task", "slc", "--layer", "b", "--out", str(out)]) == 2
    assert "the lines table" in capsys.readouterr().err


BAD_OPTIONS = {
    "classes-for-slc": (
        ["--task", "slc", "--classes", "ptc"],
        "--classes",
        "does not apply to --task slc",
    ),
    "per-article-si": (["--task", "si", "--per-article"], "--per-article", "only --task tc"),
    "unknown-layer": (
        ["--task", "tc", "--layer", "nope"],
        "--layer",
        "'nope' is not an annotation layer",
    ),
}


@pytest.mark.parametrize("case", BAD_OPTIONS, ids=list(BAD_OPTIONS))
def test_bad_options(
    built: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    options, where, problem = BAD_OPTIONS[case]
    out = tmp_path / "out.labels"
    assert main(["export", str(built.out), *options, "--out", str(out)]) == EXIT_INPUT_ERROR
    message = capsys.readouterr().err
    assert message.startswith(f"error: {where}: ")
    assert problem in message
    assert "fix:" in message
    assert not out.exists()


def test_not_a_built_dataset_and_occupied_outputs(
    built: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(tmp_path), "--task", "si", "--out", str(tmp_path / "x")]) == 2
    assert "not a built dataset" in capsys.readouterr().err
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine", "utf-8")
    args = ["export", str(built.out), "--task", "tc", "--out", str(taken)]
    assert main(args) == EXIT_INPUT_ERROR
    assert "--out is a folder" in capsys.readouterr().err
    assert main([*args, "--per-article"]) == EXIT_INPUT_ERROR
    assert "this tool did not write" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert (taken / "keep.txt").read_text("utf-8") == "mine"


@pytest.mark.parametrize("table", ["spans", "articles"])
def test_a_truncated_shard_is_an_input_error(
    built: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str
) -> None:
    copy = tmp_path / "dataset"
    shutil.copytree(built.out, copy)
    (shard,) = table_shards(copy, table)
    shard.write_bytes(shard.read_bytes()[:3000])
    out = tmp_path / "gold.txt"
    assert main(["export", str(copy), "--task", "si", "--out", str(out)]) == EXIT_INPUT_ERROR
    error = capsys.readouterr().err
    assert error.startswith(f"error: {shard}: not a readable Parquet shard"), error
    assert "Traceback" not in error
    assert not out.exists()
