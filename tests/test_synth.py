"""The synthetic corpus generator, and streaming builds of a corpus it makes.

The benchmarks' figures mean something only if the synthetic corpus is a valid PTC corpus
shaped like PTC, and the same for a seed on every machine; the streaming test checks that
a build split over many batches and shards reads back whole and in order.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from pathlib import Path

import datasets
import pandas as pd
import pytest

from dataset.builder.pipeline import build
from dataset.cli import EXIT_INPUT_ERROR, main
from dataset.ptc.synth import LAYER, SynthStats, synthesize

BOUNDARY_CHARACTERS = ".,:;"


def digest(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def labels_of(root: Path) -> dict[str, list[tuple[str, int, int]]]:
    """Spans by article ID, read from the label files."""
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for path in sorted((root / "labels").iterdir()):
        article_id = path.name.removeprefix("article").split(".")[0]
        rows = spans.setdefault(article_id, [])
        for line in path.read_text(encoding="utf-8").splitlines():
            line_id, technique, start, end = line.split("\t")
            assert line_id == article_id
            rows.append((technique, int(start), int(end)))
    return spans


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthStats]:
    root = tmp_path_factory.mktemp("synth") / "corpus"
    return root, synthesize(root, 400, seed=7)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    synthesize(tmp_path / "a", 25, seed=11)
    synthesize(tmp_path / "b", 25, seed=11)
    synthesize(tmp_path / "c", 25, seed=12)
    first = digest(tmp_path / "a")
    assert len(first) == 50
    assert digest(tmp_path / "b") == first
    assert digest(tmp_path / "c") != first


def test_layout_and_label_format(corpus: tuple[Path, SynthStats]) -> None:
    root, stats = corpus
    articles = sorted((root / "articles").iterdir())
    labels = sorted((root / "labels").iterdir())
    assert len(articles) == len(labels) == stats.articles == 400
    assert all(p.name.endswith(f".{LAYER}.labels") for p in labels)
    text = articles[0].read_bytes().decode("utf-8")
    lines = text.split("\n")
    assert lines[0].strip() and lines[1] == "", "title, blank line, then the body"
    assert all(lines[i] == "" for i in range(3, len(lines) - 1, 2)), "blank lines between"


def test_spans_obey_the_ptc_boundary_rule(corpus: tuple[Path, SynthStats]) -> None:
    root, stats = corpus
    spans = labels_of(root)
    assert sum(len(rows) for rows in spans.values()) == stats.spans
    for article_id, rows in spans.items():
        text = (root / "articles" / f"article{article_id}.txt").read_text(encoding="utf-8")
        for technique, start, end in rows:
            assert 0 <= start < end <= len(text)
            for edge in (text[start], text[end - 1]):
                assert not edge.isspace() and edge not in BOUNDARY_CHARACTERS, (
                    article_id,
                    technique,
                    text[start:end],
                )
        by_technique: dict[str, list[tuple[int, int]]] = {}
        for technique, start, end in rows:
            by_technique.setdefault(technique, []).append((start, end))
        for technique, ranges in by_technique.items():
            ranges.sort()
            for (_, previous_end), (next_start, _) in itertools.pairwise(ranges):
                assert previous_end < next_start, f"{technique} overlaps itself in {article_id}"


def test_shape_resembles_ptc(corpus: tuple[Path, SynthStats]) -> None:
    root, stats = corpus
    assert 14 <= stats.spans_per_article <= 18
    ranked = [name for name, _ in Counter(stats.techniques).most_common()]
    assert ranked[:2] == ["Loaded_Language", "Name_Calling,Labeling"]
    assert stats.empty_label_files > 0
    empty = [p for p in (root / "labels").iterdir() if p.stat().st_size == 0]
    assert len(empty) == stats.empty_label_files
    assert stats.overlapping_spans > 0, "different techniques overlap, as in PTC"
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((root / "articles").iterdir()))
    for character in ("\u00a0", "\u201c", "\u201d", "\u2019", "\u2014", "é", "ü"):
        assert character in text, f"{character!r} never occurs"
    lengths = sorted(len(p.read_text(encoding="utf-8")) for p in (root / "articles").iterdir())
    assert lengths[0] < 1500 < lengths[len(lengths) // 2] < 6000 < lengths[-1]


def test_the_corpus_builds(tmp_path: Path) -> None:
    small = tmp_path / "small"
    synthesize(small, 30, seed=3)
    result = build(small, tmp_path / "out", progress=False, log=lambda _: None)
    spans = sum(len(rows) for rows in labels_of(small).values())
    assert result.rows("articles") == 30
    assert result.rows("spans") == spans
    built = pd.read_parquet(result.out / "spans")
    columns = ("article_id", "start", "end", "text")
    for article_id, start, end, text in zip(*(built[c].tolist() for c in columns), strict=True):
        article = (small / "articles" / f"article{article_id}.txt").read_text("utf-8")
        assert text == article[int(start) : int(end)]


def test_streaming_build_reads_back_whole_and_in_order(tmp_path: Path, hf_cache: str) -> None:
    source = tmp_path / "corpus"
    synthesize(source, 40, seed=5)
    sharded = build(
        source, tmp_path / "sharded", batch_articles=7, shard_rows=25, progress=False, log=print
    )
    whole = build(source, tmp_path / "whole", progress=False, log=print)
    for table in ("articles", "spans", "lines"):
        files = sorted((sharded.out / table).glob("*.parquet"))
        assert len(files) > 1, f"{table} should span several shards"
        counts = [entry["rows"] for entry in sharded.manifest["tables"][table]["files"]]
        assert max(counts) <= 25 and sum(counts) == whole.rows(table)
        expected = pd.read_parquet(whole.out / table)
        from_pandas = pd.read_parquet(sharded.out / table)
        from_hf = datasets.load_dataset(
            "parquet",
            data_files=str(sharded.out / table / "*.parquet"),
            split="train",
            cache_dir=hf_cache,
        ).to_pandas()
        assert isinstance(from_hf, pd.DataFrame)
        pd.testing.assert_frame_equal(from_pandas, expected)
        pd.testing.assert_frame_equal(from_hf, expected)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "corpus"
    assert main(["synth", "--articles", "3", "--seed", "1", "--out", str(out)]) == 0
    assert "wrote 3 articles" in capsys.readouterr().out
    assert len(list((out / "articles").iterdir())) == 3
    again = main(["synth", "--articles", "3", "--seed", "1", "--out", str(out)])
    assert again == EXIT_INPUT_ERROR
    assert "not empty" in capsys.readouterr().err
