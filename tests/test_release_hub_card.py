"""The release's card stands alone and starts with the data: Hub metadata that
huggingface_hub parses and the Hub accepts, one H1, a summary and example rows and counts
that are those of the Parquet files shipped beside it, loading advice that runs, no
pointer outside the release, the changelog inside it, and Croissant fields in plain text."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest
from huggingface_hub import DatasetCard

from dataset.errors import InputError
from dataset.markdown import parse
from dataset.project import CHANGELOG_PATH, DATACARD_PATH, dataset_version
from dataset.release.changelog import shipped
from dataset.release.hf_card import size_category
from dataset.release.links import pointers_outside
from dataset.release.make import ReleaseOutcome, make_release
from dataset.release.manifest import read_manifest
from dataset.release.sections import demoted, plain_text
from dataset.schema import schema
from tests.conftest import RAW, earlier_releases

VERSION = dataset_version()
CARD = DATACARD_PATH.read_text(encoding="utf-8")
#: The Hub's task categories this card may use and their subtasks (``task_ids``), as the
#: Hub lists them (huggingface.js, packages/tasks/src/pipelines.ts).
HUB_SUBTASKS = {
    "text-classification": {
        "acceptability-classification",
        "entity-linking-classification",
        "fact-checking",
        "intent-classification",
        "language-identification",
        "multi-class-classification",
        "multi-label-classification",
        "multi-input-text-classification",
        "natural-language-inference",
        "semantic-similarity-classification",
        "sentiment-classification",
        "topic-classification",
        "semantic-similarity-scoring",
        "sentiment-scoring",
        "sentiment-analysis",
        "hate-speech-detection",
        "text-scoring",
    },
    "token-classification": {
        "named-entity-recognition",
        "part-of-speech",
        "parsing",
        "lemmatization",
        "word-sense-disambiguation",
        "coreference-resolution",
    },
}
#: The values the Hub's dataset card metadata allows for these fields.
HUB_VALUES = {
    "annotations_creators": {
        "crowdsourced",
        "expert-generated",
        "found",
        "machine-generated",
        "no-annotation",
        "other",
    },
    "language_creators": {
        "crowdsourced",
        "expert-generated",
        "found",
        "machine-generated",
        "other",
    },
    "multilinguality": {"monolingual", "multilingual", "translation", "other"},
    "source_datasets": {"original"},
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outcome: ReleaseOutcome = make_release(
        RAW, earlier_releases(tmp_path_factory.mktemp("releases")), repo=None, log=lambda _: None
    )
    return outcome.folder


def readme(folder: Path) -> str:
    return (folder / "README.md").read_text(encoding="utf-8")


def sql(folder: Path, query: str) -> list[tuple[Any, ...]]:
    """A query over the release's Parquet files, ``{table}`` naming a table's shards."""
    tables = {
        t: f"read_parquet('{(folder / 'data' / t).as_posix()}/*.parquet')"
        for t in schema().table_names
    }
    relation = duckdb.sql(query.format(**tables))
    assert relation is not None
    rows: list[tuple[Any, ...]] = relation.fetchall()
    return rows


def metadata_problems(meta: dict[str, Any]) -> list[str]:
    """What in the card's metadata the Hub would not accept or that is missing."""
    problems = [
        f"{key} is missing"
        for key in (
            "task_categories",
            "task_ids",
            "annotations_creators",
            "language_creators",
            "source_datasets",
            "size_categories",
        )
        if not meta.get(key)
    ]
    categories = meta.get("task_categories") or []
    problems += [
        f"task category {c!r} is not one of this check's"
        for c in categories
        if c not in HUB_SUBTASKS
    ]
    allowed = set().union(*(HUB_SUBTASKS.get(c, set()) for c in categories))
    problems += [
        f"task id {t!r} is no subtask of {categories}"
        for t in meta.get("task_ids") or []
        if t not in allowed
    ]
    for key, values in HUB_VALUES.items():
        problems += [
            f"{key}: {v!r} is not a Hub value" for v in meta.get(key) or [] if v not in values
        ]
    return problems


def h1_count(markdown: str) -> int:
    return sum(1 for node in parse(markdown).walk() if node.type == "heading" and node.tag == "h1")


def section(markdown: str, title: str) -> str:
    start = markdown.index(f"\n{title}\n")
    end = markdown.find("\n## ", start + len(title) + 2)
    return markdown[start : end if end >= 0 else len(markdown)]


# Hub metadata and structure


def test_huggingface_hub_parses_the_card_and_the_hub_would_accept_its_metadata(
    folder: Path,
) -> None:
    card = DatasetCard.load(folder / "README.md")
    meta = card.data.to_dict()
    assert metadata_problems(meta) == []
    assert meta["task_ids"] and meta["annotations_creators"] == ["other"]
    ((gold_rows,),) = sql(folder, "SELECT count(*) FROM {spans} WHERE layer = 'gold'")
    assert meta["size_categories"] == [size_category(gold_rows)]
    assert h1_count(card.text) == 1
    assert card.text.lstrip().startswith(f"# Propaganda Spans {VERSION}\n")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"task_ids": ["span-identification"]}, "task id 'span-identification'"),
        (
            {"task_ids": ["named-entity-recognition"], "task_categories": ["text-classification"]},
            "no subtask",
        ),
        ({"annotations_creators": ["maintainers"]}, "not a Hub value"),
        ({"task_ids": []}, "task_ids is missing"),
        ({"source_datasets": ["PTC"]}, "source_datasets: 'PTC'"),
    ],
)
def test_the_metadata_check_catches_what_the_hub_refuses(
    folder: Path, change: dict[str, Any], problem: str
) -> None:
    meta = {**DatasetCard.load(folder / "README.md").data.to_dict(), **change}
    assert any(problem in found for found in metadata_problems(meta)), metadata_problems(meta)


def test_the_datasheet_moves_one_level_down_so_the_card_keeps_one_h1() -> None:
    assert h1_count(CARD) == 1 and h1_count(f"# Card\n\n{CARD}") == 2
    assert h1_count(f"# Card\n\n{demoted(CARD)}") == 1
    setext = "Title\n=====\n\nText.\n\nPart\n----\n\n```\n# not a heading\n```\n"
    assert demoted(setext) == "## Title\n\nText.\n\n### Part\n\n```\n# not a heading\n```\n"


# The card says what the data holds, from the data


def test_the_card_opens_with_a_summary_of_the_data(folder: Path) -> None:
    body = DatasetCard.load(folder / "README.md").text
    summary = body.split("\n\n")[1]
    assert summary.startswith("News text annotated with propaganda techniques")
    ((articles, chars),) = sql(folder, "SELECT count(*), sum(num_chars) FROM {articles}")
    ((spans,),) = sql(folder, "SELECT count(*) FROM {spans}")
    ((lines,),) = sql(folder, "SELECT count(*) FROM {lines}")
    assert f"holds {articles} English news article " in summary
    assert f"({chars:,} characters, {lines} lines) with {spans} spans" in summary
    for layer, n in sql(folder, "SELECT layer, count(*) FROM {spans} GROUP BY layer"):
        assert f"`{layer}` {n}" in summary
    assert len(summary.splitlines()) == 3


def table_rows(markdown: str, after: str) -> list[list[str]]:
    """The cells of the first Markdown table after the text ``after``, header first."""
    rest = markdown[markdown.index(after) :]
    lines = rest[rest.index("\n|") + 1 :].split("\n\n", 1)[0].splitlines()
    rows = [lines[0], *lines[2:]]
    return [[cell.strip().strip("`") for cell in line.strip("| ").split(" | ")] for line in rows]


def test_the_span_counts_are_those_of_the_shipped_spans(folder: Path) -> None:
    header, *rows = table_rows(readme(folder), "Spans per technique and layer in this version's")
    layers = header[1:]
    query = "SELECT layer, label, count(*) FROM {spans} GROUP BY ALL"
    counts = Counter({(layer, label): n for layer, label, n in sql(folder, query)})
    shown = {row[0]: [int(c) for c in row[1:]] for row in rows}
    labels = {label for _, label in counts}
    for label in labels:
        assert shown[label] == [counts[(layer, label)] for layer in layers], label
    assert shown["**all spans**"] == [sum(counts[(layer, x)] for x in labels) for layer in layers]
    assert sorted(layers) == sorted({layer for layer, _ in counts})


def test_the_instance_list_and_config_table_are_the_shipped_rows(folder: Path) -> None:
    text = readme(folder)
    ((gold,),) = sql(folder, "SELECT count(*) FROM {spans} WHERE layer = 'gold'")
    configs = {row[0].split("`")[0]: int(row[1]) for row in table_rows(text, "## Tables")[1:]}
    for table in schema().table_names:
        ((n,),) = sql(folder, f"SELECT count(*) FROM {{{table}}}")
        assert re.search(rf"^- `{table}`: {n:,} \w+", text, re.MULTILINE), table
        assert configs[table] == (gold if table == "spans" else n), table
    assert configs["spans_all_layers"] == sql(folder, "SELECT count(*) FROM {spans}")[0][0]
    assert f"`gold` holds {gold} spans" in text


def test_each_example_row_is_a_row_of_its_table(folder: Path) -> None:
    examples = section(readme(folder), "## Example rows")
    for table, key in (("articles", "article_id"), ("spans", "span_id"), ("lines", "line_id")):
        block = examples[examples.index(f"`{table}`:") :]
        value = re.search(rf"\| `{key}` \| `\"([^\"]+)\"` \|", block)
        assert value is not None, table
        rows = sql(folder, f"SELECT count(*) FROM {{{table}}} WHERE {key} = '{value[1]}'")
        assert rows == [(1,)], (table, value[1])
    assert '| `layer` | `"gold"` |' in examples  # the default layer's spans are shown
    assert "| `has_propaganda` | `true` |" in examples


def test_a_card_whose_counts_are_not_the_datas_is_refused(tmp_path: Path) -> None:
    card = tmp_path / "DATACARD.md"
    card.write_text(
        CARD.replace("- `techniques`: 18 techniques.", "- `techniques`: 19 techniques."), "utf-8"
    )
    assert card.read_text("utf-8") != CARD
    with pytest.raises(InputError, match="generated sections are stale"):
        make_release(
            RAW, earlier_releases(tmp_path / "releases"), card=card, repo=None, log=lambda _: None
        )
    assert not (tmp_path / "releases" / f"v{VERSION}").exists()


# Loading advice


def test_the_card_warns_about_one_glob_and_its_examples_load_the_gold_layer(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loading = section(readme(folder), "## Loading")
    assert "`data/**/*.parquet`" in loading and "one at a time" in loading
    assert 'layer == "gold"' in loading
    assert all(f"`{layer}`" in loading for layer in ("gold", "maintainers", "second-pass"))
    monkeypatch.chdir(folder)
    ((gold,),) = sql(folder, "SELECT count(*) FROM {spans} WHERE layer = 'gold'")
    blocks = re.findall(r"^```python\n(.*?)^```$", loading, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 2
    for code in blocks:
        namespace: dict[str, Any] = {}
        exec(compile(code, "README.md", "exec"), namespace)
        assert len(namespace["spans"]) == gold
        assert set(namespace["spans"]["layer"]) == {"gold"}
    assert len(namespace["spans"]) == gold


# Stands alone


def test_the_card_points_nowhere_outside_the_release(folder: Path) -> None:
    text = readme(folder)
    assert pointers_outside(text, folder) == []
    for phrase in ("dataset/raw", "nox -s", "issue tracker", "python -m dataset"):
        assert phrase not in text, phrase


def test_a_card_pointing_outside_the_release_is_refused(tmp_path: Path) -> None:
    assert pointers_outside("Rebuild with `nox -s build` from `dataset/raw/`.", tmp_path) == [
        "`dataset/raw`",
        '"nox -s"',
    ]
    assert (
        pointers_outside("Ask through [the issue tracker](https://example.org/issues).", tmp_path)
        == []
    )
    card = tmp_path / "DATACARD.md"
    card.write_text(CARD + "\nReport errors through the issue tracker.\n", "utf-8")
    with pytest.raises(InputError, match=r"points outside the release.*issue tracker"):
        make_release(
            RAW, earlier_releases(tmp_path / "releases"), card=card, repo=None, log=lambda _: None
        )


def test_the_changelog_ships_in_the_release_and_every_list_of_its_files(folder: Path) -> None:
    text = (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text == shipped(CHANGELOG_PATH.read_text(encoding="utf-8"), VERSION)
    assert f"## [{VERSION}]" in text and "### Migrating from" in text
    assert "(DATACARD.md" not in text and "](README.md#maintenance)" in text
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8")
    assert re.search(r"^[0-9a-f]{64}  CHANGELOG\.md$", sums, re.MULTILINE)
    manifest = read_manifest(folder)
    assert "CHANGELOG.md" in manifest["files"]["reproducible"]
    assert manifest["changelog"]["path"] == "CHANGELOG.md"
    assert "](CHANGELOG.md)" in readme(folder)


def test_the_shipped_changelog_stops_at_its_version() -> None:
    text = (
        "# Changelog\n\nSee [DATACARD.md](DATACARD.md#maintenance).\n\n"
        "## [3.0.0] - 2030-01-01\n\nLater.\n\n## [2.1.0] - 2026-12-03\n\nThis.\n\n"
        "## [2.0.0] - 2026-11-27\n\nEarlier.\n"
    )
    assert shipped(text, "2.1.0") == (
        "# Changelog\n\nSee [the datasheet](README.md#maintenance).\n\n"
        "## [2.1.0] - 2026-12-03\n\nThis.\n\n## [2.0.0] - 2026-11-27\n\nEarlier.\n"
    )


# Croissant


def test_croissant_says_what_the_dataset_is_in_plain_text(folder: Path) -> None:
    metadata = json.loads((folder / "croissant.json").read_text(encoding="utf-8"))
    assert metadata["description"].startswith("News text annotated with propaganda techniques")
    ((spans,),) = sql(folder, "SELECT count(*) FROM {spans}")
    assert f"with {spans} spans" in metadata["description"]
    for key, value in metadata.items():
        if key.startswith("rai:") or key == "description":
            assert not re.search(r"`|\*\*|\]\(|<!--", value), (key, value[:200])
    assert "russia-insider.com/en/un-backed" in metadata["rai:dataCollection"]
    assert metadata["rai:annotatorDemographics"].startswith("Who annotated")
    assert "second-pass; a separate annotating session" in metadata["rai:annotatorDemographics"]


def test_plain_text_drops_every_kind_of_markup() -> None:
    markdown = (
        "**Lead.** A `code` span, *emphasis* and [a link](https://example.org).\n\n"
        "<!-- BEGIN GENERATED: x -->\n\n- one `item`\n- two\n\n"
        "| a | b |\n|---|---|\n| `1` | **2** |\n"
    )
    assert plain_text(markdown) == (
        "Lead. A code span, emphasis and a link (https://example.org).\n\n"
        "- one item\n- two\n\na; b\n1; 2"
    )
