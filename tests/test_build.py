"""Building the dataset: the four tables, exact text, determinism and the ways it is read."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any, cast

import datasets
import pandas as pd
import pyarrow.parquet as pq
import pytest
from datasets.features.features import generate_from_arrow_type

from dataset.builder.pipeline import BuildResult, build
from dataset.cli import main
from dataset.digests import git_blob_id
from dataset.owned import MANIFEST_NAME
from dataset.ptc.synth import synthesize
from dataset.schema import schema
from tests.conftest import (
    ARTICLE,
    ARTICLE_CHARS,
    ARTICLE_ID,
    ARTICLE_LINES,
    FIXTURE_LABELS,
    make_corpus,
)

TEXT = ARTICLE.read_bytes().decode("utf-8")


def table(result: BuildResult, name: str) -> pd.DataFrame:
    return pd.read_parquet(result.out / name, dtype_backend="pyarrow")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def fixture_lines() -> list[list[str]]:
    return [line.split("\t") for line in FIXTURE_LABELS.read_text().splitlines()]


def test_builds_the_four_tables(built: BuildResult) -> None:
    assert sorted(p.name for p in built.out.iterdir()) == sorted(
        [*schema().table_names, MANIFEST_NAME]
    )
    assert built.rows("articles") == 1
    assert built.rows("spans") == len(fixture_lines())
    assert built.rows("techniques") == 18
    assert built.rows("lines") == ARTICLE_LINES, "a row for each line of the article file"


def test_article_row_keeps_the_raw_text(built: BuildResult) -> None:
    article = table(built, "articles").iloc[0]
    assert article["article_id"] == ARTICLE_ID
    assert article["text"] == TEXT
    assert article["num_chars"] == ARTICLE_CHARS
    assert article["title"] == TEXT.split("\n")[0]
    assert article["outlet"] == "Russia Insider"
    assert "identified after release 1.0.0" in article["source_note"]
    assert pd.isna(article["author"]), "the author is unknown, never guessed"
    assert article["publication_date"] == "2017-03"
    assert article["source_file"] == f"articles/article{ARTICLE_ID}.txt"


def test_spans_follow_the_label_file(built: BuildResult) -> None:
    spans = table(built, "spans")
    expected = sorted((label, int(start), int(end)) for _, label, start, end in fixture_lines())
    assert sorted(zip(spans["label"], spans["start"], spans["end"], strict=True)) == expected
    for row in records(spans):
        assert row["text"] == TEXT[row["start"] : row["end"]]
        assert row["span_id"] == f"{ARTICLE_ID}:fixture:{row['start']}-{row['end']}:{row['label']}"
    assert list(spans["layer"].unique()) == ["fixture"]


def test_labels_map_to_both_taxonomies(built: BuildResult) -> None:
    spans = table(built, "spans").set_index("label")
    techniques = schema().techniques
    semeval = schema().semeval_classes
    loaded = spans.loc["Loaded_Language"]
    assert loaded["technique"] == techniques.id_of("Loaded_Language")
    assert loaded["semeval_class"] == semeval.id_of("Loaded_Language")
    merged = spans.loc["Whataboutism,Straw_Men,Red_Herring"]
    assert merged["technique"] is pd.NA, "a merged SemEval class names no single technique"
    assert merged["semeval_class"] == semeval.id_of("Whataboutism,Straw_Men,Red_Herring")


def test_lines_are_ptc_lines_and_carry_span_labels(built: BuildResult) -> None:
    lines = table(built, "lines")
    assert list(lines["line"]) == list(range(1, 31))
    assert "".join(lines["text"]) == TEXT, "the lines tile the article exactly"
    assert list(lines["text"]) == TEXT.splitlines(keepends=True)
    assert lines["start"].iloc[0] == 0 and lines["end"].iloc[-1] == len(TEXT)
    for row in records(lines):
        assert row["text"] == TEXT[row["start"] : row["end"]]
        assert row["line_id"] == f"{ARTICLE_ID}:{row['line']}"
    loaded = schema().techniques.id_of("Loaded_Language")
    with_excuse = lines[lines["text"].str.contains("perfectly good excuse")].iloc[0]
    assert with_excuse["line"] == 7
    assert list(with_excuse["techniques"]) == [loaded]
    assert with_excuse["has_propaganda"]
    assert not lines.iloc[0]["has_propaganda"], "the title carries no fixture span"
    assert set(lines["label_layer"]) == {"fixture"}
    assert list(lines.loc[lines["has_propaganda"], "line"]) == [7, 17, 23]
    line_23 = lines.set_index("line").loc[23]
    assert sorted(line_23["techniques"]) == sorted(
        schema().techniques.id_of(name) for name in ("Name_Calling,Labeling", "Doubt")
    ), "a merged SemEval class names no technique, so only the two techniques are listed"
    assert len(line_23["semeval_classes"]) == 3


def test_a_span_that_crosses_a_line_break_labels_both_lines(tmp_path: Path) -> None:
    source = make_corpus(tmp_path / "raw")
    (source / "labels" / FIXTURE_LABELS.name).write_text(f"{ARTICLE_ID}\tSlogans\t100\t120\n")
    lines = table(build(source, tmp_path / "out", progress=False), "lines").set_index("line")
    assert list(lines.index[lines["has_propaganda"]]) == [3, 4, 5]


def test_parquet_files_carry_the_generated_schema(built: BuildResult) -> None:
    for name in schema().table_names:
        for path in (built.out / name).glob("*.parquet"):
            stored, generated = pq.read_schema(path), schema().arrow_schema(name)
            # equals() ignores list item names, which Parquet renames to "element".
            assert stored.equals(generated)
            assert stored.metadata == generated.metadata
            assert [f.metadata for f in stored] == [f.metadata for f in generated]


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    source = make_corpus(tmp_path / "raw")
    first = build(source, tmp_path / "first", progress=False)
    second = build(source, tmp_path / "second", progress=False)
    files = sorted(p.relative_to(first.out) for p in first.out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second.out) for p in second.out.rglob("*") if p.is_file())
    for relative in files:
        assert (first.out / relative).read_bytes() == (second.out / relative).read_bytes(), relative


def test_manifest_records_inputs_outputs_and_libraries(built: BuildResult) -> None:
    manifest = json.loads((built.out / MANIFEST_NAME).read_text())
    inputs = {entry["path"] for entry in manifest["inputs"]}
    assert inputs == {
        f"articles/article{ARTICLE_ID}.txt",
        f"articles/article{ARTICLE_ID}.provenance.yaml",
        f"labels/{FIXTURE_LABELS.name}",
    }
    article_entry = next(e for e in manifest["inputs"] if e["path"].endswith(".txt"))
    assert article_entry["sha256"].startswith("21d5d865")
    # a release records the blob id git would give the input, without reading it again
    assert article_entry["git_blob"] == git_blob_id(ARTICLE.read_bytes())
    assert {"pyarrow", "datasets", "python"} <= set(manifest["libraries"])
    for name in schema().table_names:
        assert manifest["tables"][name]["rows"] == built.rows(name)
        for entry in manifest["tables"][name]["files"]:
            assert (built.out / entry["path"]).stat().st_size == entry["bytes"]


def test_manifest_digests_are_each_input_files_own_in_every_batch(tmp_path: Path) -> None:
    """The articles' digests are taken from the articles table rather than computed again;
    each must still be its own file's, in every batch."""
    synthesize(tmp_path / "raw", 25, seed=11)
    result = build(tmp_path / "raw", tmp_path / "out", batch_articles=7, progress=False)
    for entry in result.manifest["inputs"]:
        data = (tmp_path / "raw" / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), entry["path"]
        assert entry["git_blob"] == git_blob_id(data), entry["path"]
        assert entry["bytes"] == len(data), entry["path"]
    files = [path for path in (tmp_path / "raw").rglob("*") if path.is_file()]
    assert len(result.manifest["inputs"]) == len(files)


@pytest.mark.parametrize("name", schema().table_names)
def test_load_dataset_matches_pandas_and_restores_class_labels(
    built: BuildResult, name: str, hf_cache: str
) -> None:
    loaded = datasets.load_dataset(
        "parquet",
        data_files=str(built.out / name / "*.parquet"),
        split="train",
        cache_dir=hf_cache,
    )
    expected = schema().features(name)
    arrow = schema().arrow_schema(name)
    for field in schema().tables[name].fields:
        if not field.nullable:
            # datasets takes the stored feature of nullable fields only (see arrow_schema)
            expected[field.name] = generate_from_arrow_type(arrow.field(field.name).type)
    assert loaded.features == expected
    frame = pd.read_parquet(built.out / name)
    assert loaded.num_rows == len(frame)
    assert (
        loaded.to_pandas()
        .astype(object)
        .where(frame.notna(), None)
        .equals(frame.astype(object).where(frame.notna(), None))
    )
    if name == "spans":
        names = loaded.features["technique"].names
        assert names == schema().techniques.names
        assert loaded.features["technique"].int2str(loaded[0]["technique"]) == "Loaded_Language"


def test_empty_label_file_means_no_propaganda(tmp_path: Path) -> None:
    source = make_corpus(tmp_path / "raw")
    (source / "labels" / FIXTURE_LABELS.name).write_text("")
    result = build(source, tmp_path / "out", progress=False)
    assert result.rows("spans") == 0
    lines = table(result, "lines")
    assert not lines["has_propaganda"].any()
    assert set(lines["label_layer"]) == {"fixture"}
    assert all(list(techniques) == [] for techniques in lines["techniques"])


def test_article_without_labels_is_unannotated(tmp_path: Path) -> None:
    result = build(make_corpus(tmp_path / "raw", labels=False), tmp_path / "out", progress=False)
    lines = table(result, "lines")
    assert lines["has_propaganda"].isna().all()
    assert lines["label_layer"].isna().all()
    assert lines["techniques"].isna().all(), "not annotated is null, not an empty list"
    assert lines["semeval_classes"].isna().all()


def test_reads_semeval_2020_distribution_layout(tmp_path: Path) -> None:
    """SemEval-2020 Task 11 ships train-articles/ beside per-task label folders."""
    source = tmp_path / "datasets"
    (source / "train-articles").mkdir(parents=True)
    shutil.copyfile(ARTICLE, source / "train-articles" / "article111111111.txt")
    tc = source / "train-labels-task2-technique-classification"
    si = source / "train-labels-task1-span-identification"
    tc.mkdir()
    si.mkdir()
    (tc / "article111111111.task2-TC.labels").write_text(
        "111111111\tLoaded_Language\t251\t272\n111111111\tDoubt\t1698\t1732\n"
    )
    (si / "article111111111.task1-SI.labels").write_text("111111111\t251\t272\n")
    result = build(source, tmp_path / "out", progress=False)
    spans = table(result, "spans")
    assert list(spans["layer"].unique()) == ["task2-TC"]
    assert list(spans["text"]) == ["perfectly good excuse", 'Western-backed "government" bodies']
    articles = table(result, "articles")
    assert articles["provenance_sha256"].isna().all()


def test_unlayered_label_files_take_the_default_layer(tmp_path: Path) -> None:
    source = tmp_path / "ptc"
    source.mkdir()
    shutil.copyfile(ARTICLE, source / "article7.txt")
    (source / "article7.labels.tsv").write_text("7\tSlogans\t1762\t1767\n")
    result = build(source, tmp_path / "out", progress=False)
    assert list(table(result, "spans")["layer"]) == ["gold"]


def test_several_layers_need_a_label_layer(corpus: Path, tmp_path: Path) -> None:
    shutil.copyfile(FIXTURE_LABELS, corpus / "labels" / f"article{ARTICLE_ID}.second.labels")
    assert main(["build", "--source", str(corpus), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()
    result = build(corpus, tmp_path / "out", label_layer="second", progress=False)
    assert set(table(result, "lines")["label_layer"]) == {"second"}
    assert set(table(result, "spans")["layer"]) == {"fixture", "second"}


def test_shards_are_bounded_and_load_as_one_table(tmp_path: Path, hf_cache: str) -> None:
    result = build(make_corpus(tmp_path / "raw"), tmp_path / "out", shard_rows=6, progress=False)
    shards = sorted((result.out / "lines").glob("*.parquet"))
    assert [pq.read_metadata(p).num_rows for p in shards] == [6, 6, 6, 6, 6]
    loaded = datasets.load_dataset(
        "parquet",
        data_files=str(result.out / "lines" / "*.parquet"),
        split="train",
        cache_dir=hf_cache,
    )
    assert loaded["line"] == list(range(1, 31))
    assert list(pd.read_parquet(result.out / "lines")["line"]) == list(range(1, 31))


def test_cli_build_reports_counts(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--source", str(corpus), "--out", str(tmp_path / "out")]) == 0
    assert "spans 5" in capsys.readouterr().out


def test_refuses_to_replace_a_folder_that_is_not_a_build(corpus: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    assert main(["build", "--source", str(corpus), "--out", str(precious)]) == 2
    assert (precious / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize("name", schema().table_names)
def test_parquet_declares_the_schemas_nullability(built: BuildResult, name: str) -> None:
    stored = pq.read_schema(next((built.out / name).glob("*.parquet")))
    for field in schema().tables[name].fields:
        assert stored.field(field.name).nullable is field.nullable, field.name
