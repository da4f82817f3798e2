"""Discovery keeps a corpus in columns of small values; what it hands out must be exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataset.ptc.corpus import discover


def touch(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n")


@pytest.mark.parametrize(
    ("ids", "order"),
    [
        (["10", "9", "100"], ["9", "10", "100"]),
        (["7", "007", "10"], ["007", "7", "10"]),  # equal as numbers: the string decides
        (["1" * 25, "9", "2" * 19], ["9", "2" * 19, "1" * 25]),  # beyond 64 bits
    ],
    ids=["numbers", "leading-zeros", "long-ids"],
)
def test_articles_come_in_the_schemas_order(
    tmp_path: Path, ids: list[str], order: list[str]
) -> None:
    touch(tmp_path, *(f"article{article_id}.txt" for article_id in ids))
    assert [article.article_id for article in discover(tmp_path)] == order


def test_files_are_named_relative_to_the_root_in_any_folder(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "a/article2.txt",
        "article1.txt",
        "b/c/article1.gold.labels",
        "b/article1.other.labels.tsv",
        "article2.labels",
        "a/article1.gold.rationale.tsv",
        "z/article2.provenance.yaml",
    )
    first, second = discover(tmp_path)
    assert first.article == "article1.txt"
    assert first.label_files == (
        ("gold", "b/c/article1.gold.labels"),
        ("other", "b/article1.other.labels.tsv"),
    )
    assert first.rationale_files == (("gold", "a/article1.gold.rationale.tsv"),)
    assert first.labels["gold"] == tmp_path / "b/c/article1.gold.labels"
    assert second.article == "a/article2.txt"
    assert second.label_files == (("gold", "article2.labels"),)
    assert second.provenance == tmp_path / "z/article2.provenance.yaml"
    assert list(second.input_files) == [
        "a/article2.txt",
        "article2.labels",
        "z/article2.provenance.yaml",
    ]
    assert discover(tmp_path).layers == ["gold", "other"]
