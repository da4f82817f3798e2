"""Every validation check fails on data that breaks it, and only there.

Each case takes a clean build of the shipped dataset, breaks one rule in the Parquet
files (keeping the generated Arrow schema unless the case is about the schema), validates,
and checks that the check fails with exactly the expected rows, that no check outside the
case's stated side effects fails (rows failing a lower level are not judged again), and
that the clean build passes everything.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dataset.builder.pipeline import BuildResult, build
from dataset.schema import schema
from tests.conftest import ARTICLE_ID, MASTERMIND, RAW, reseal
from validation.allowlist import AllowlistEntry, read_allowlist
from validation.checks import catalogue
from validation.cli import main
from validation.report import Report
from validation.run import validate_dataset

CHECKS = catalogue(schema())
CHECKS_BY_ID = {found.id: found for found in CHECKS}

Rows = list[dict[str, Any]]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(RAW, tmp_path_factory.mktemp("clean") / "dataset", progress=False)


@pytest.fixture
def dataset(clean: BuildResult, tmp_path: Path) -> Path:
    copy = tmp_path / "dataset"
    shutil.copytree(clean.out, copy)
    return copy


def read(folder: Path, table: str) -> Rows:
    rows: Rows = pq.read_table(folder / table).to_pylist()
    return rows


def write(folder: Path, table: str, rows: Rows, arrow: pa.Schema | None = None) -> None:
    for old in (folder / table).glob("*.parquet"):
        old.unlink()
    data = pa.Table.from_pylist(rows, schema=arrow or schema().arrow_schema(table))
    pq.write_table(data, folder / table / f"{table}-00000.parquet")
    reseal(folder)


def article_text(folder: Path) -> str:
    text: str = read(folder, "articles")[0]["text"]
    return text


def span_id(article: str, start: int, end: int, label: str) -> str:
    return f"{article}:gold:{start}-{end}:{label}"  # the layer that sorts first


def failing(report: Report) -> set[str]:
    return {r.check.id for r in report.checks if r.status in {"failed", "warning", "error"}}


def rows_of(report: Report, check_id: str) -> list[str]:
    return sorted(v.row for v in report.result(check_id).examples)


@dataclass(frozen=True)
class Case:
    corrupt: Callable[[Path], None]
    rows: list[str]
    also: frozenset[str] = field(default_factory=frozenset)


def reorder_columns(folder: Path) -> None:
    arrow = schema().arrow_schema("spans")
    names = arrow.names
    i, j = names.index("start"), names.index("end")
    fields = list(arrow)
    fields[i], fields[j] = fields[j], fields[i]
    write(folder, "spans", read(folder, "spans"), pa.schema(fields, metadata=arrow.metadata))


def widen_start(folder: Path) -> None:
    arrow = schema().arrow_schema("lines")
    index = arrow.get_field_index("start")
    write(
        folder,
        "lines",
        read(folder, "lines"),
        arrow.set(index, arrow.field("start").with_type(pa.int64())),
    )


def drop_features_metadata(folder: Path) -> None:
    arrow = schema().arrow_schema("techniques")
    write(folder, "techniques", read(folder, "techniques"), arrow.remove_metadata())


def set_value(table: str, index: int, **values: Any) -> Callable[[Path], None]:
    def corrupt(folder: Path) -> None:
        rows = read(folder, table)
        rows[index].update(values)
        write(folder, table, rows)

    return corrupt


def set_null(table: str, index: int, column: str) -> Callable[[Path], None]:
    """A null in a non-null column, written as a file from elsewhere would hold it (the
    build's own Arrow schema declares the column non-nullable and refuses the null)."""

    def corrupt(folder: Path) -> None:
        rows = read(folder, table)
        rows[index][column] = None
        arrow = schema().arrow_schema(table)
        relaxed = pa.schema([field.with_nullable(True) for field in arrow], arrow.metadata)
        write(folder, table, rows, relaxed)

    return corrupt


def duplicate_row(table: str, index: int) -> Callable[[Path], None]:
    def corrupt(folder: Path) -> None:
        rows = read(folder, table)
        rows.insert(index + 1, dict(rows[index]))
        write(folder, table, rows)

    return corrupt


def add_span(article: str, start: int, end: int, label: str) -> Callable[[Path], None]:
    def corrupt(folder: Path) -> None:
        text = article_text(folder)
        rows = read(folder, "spans")
        technique = schema().techniques.id_of(label)
        rows.append(
            {
                "span_id": span_id(article, start, end, label),
                "article_id": article,
                "layer": "gold",
                "label": label,
                "technique": technique,
                "semeval_class": schema().semeval_classes.id_of(
                    str(schema().technique_to_semeval[label])
                ),
                "start": start,
                "end": end,
                "text": text[start:end] if article == ARTICLE_ID else "invented fragment",
                "rationale": "Added by the test.",
            }
        )
        write(folder, "spans", rows)

    return corrupt


def relabel_as_merged_class(folder: Path) -> None:
    rows = read(folder, "spans")
    row = next(r for r in rows if r["label"] == "Whataboutism")
    row["label"] = "Whataboutism,Straw_Men,Red_Herring"
    row["span_id"] = span_id(ARTICLE_ID, row["start"], row["end"], row["label"])
    write(folder, "spans", rows)


#: The span "mastermind" after move_span_start_onto_space: its start moved onto a space.
MOVED = (MASTERMIND[0] - 1, MASTERMIND[1])


def move_span_start_onto_space(folder: Path) -> None:
    text = article_text(folder)
    rows = read(folder, "spans")
    row = next(r for r in rows if r["text"] == "mastermind")
    assert text[row["start"] - 1] == " "
    row["start"] -= 1
    row["text"] = text[row["start"] : row["end"]]
    row["span_id"] = span_id(ARTICLE_ID, row["start"], row["end"], row["label"])
    write(folder, "spans", rows)


def extend_last_line(folder: Path) -> None:
    text = article_text(folder)
    rows = read(folder, "lines")
    rows[-1]["end"] = len(text) + 3
    rows[-1]["text"] = text[rows[-1]["start"] :]
    write(folder, "lines", rows)


def shrink_line_start(folder: Path) -> None:
    text = article_text(folder)
    rows = read(folder, "lines")
    assert rows[10]["text"].startswith("We saw")
    rows[10]["start"] += 3
    rows[10]["text"] = text[rows[10]["start"] : rows[10]["end"]]
    write(folder, "lines", rows)


def append_span_of_earlier_article(folder: Path) -> None:
    rows = read(folder, "spans")
    late = dict(rows[0], article_id="1", span_id=rows[0]["span_id"].replace(ARTICLE_ID, "1"))
    write(folder, "spans", [*rows, late])


def first_span(label: str) -> str:
    return span_id(ARTICLE_ID, 126, 141, label)


LINE_2 = f"{ARTICLE_ID}:2"
LINE_11 = f"{ARTICLE_ID}:11"
CASES: dict[str, Case] = {
    "schema-columns": Case(reorder_columns, ["spans:spans-00000.parquet"]),
    "schema-types": Case(widen_start, ["lines:lines-00000.parquet:start"]),
    "schema-order": Case(
        append_span_of_earlier_article, [span_id("1", 87, 109, "Thought-terminating_Cliches")]
    ),
    "schema-not-null": Case(set_null("articles", 0, "source_file"), [ARTICLE_ID]),
    "schema-values": Case(set_value("articles", 0, language="English"), [ARTICLE_ID]),
    "keys-unique": Case(duplicate_row("articles", 0), [ARTICLE_ID, ARTICLE_ID]),
    "keys-article-exists": Case(
        add_span("9000000002", 0, 5, "Doubt"), [span_id("9000000002", 0, 5, "Doubt")]
    ),
    "keys-taxonomy": Case(set_value("techniques", 3, name="Black_and_White"), ["3"]),
    "keys-semeval-mapping": Case(
        relabel_as_merged_class,
        [span_id(ARTICLE_ID, 334, 415, "Whataboutism,Straw_Men,Red_Herring")],
    ),
    "keys-derived-ids": Case(set_value("spans", 1, span_id="x"), ["x"]),
    "offsets-in-range": Case(
        extend_last_line, [f"{ARTICLE_ID}:30"], also=frozenset({"lines-tile"})
    ),
    "text-matches-offsets": Case(
        set_value("spans", 1, text="XYZ"), [first_span("Loaded_Language")]
    ),
    "spans-boundaries": Case(
        move_span_start_onto_space, [span_id(ARTICLE_ID, *MOVED, "Loaded_Language")]
    ),
    "spans-no-duplicates": Case(
        duplicate_row("spans", 1),
        [first_span("Loaded_Language")] * 2,
        also=frozenset({"keys-unique"}),
    ),
    "spans-no-self-overlap": Case(
        add_span(ARTICLE_ID, 255, 280, "Loaded_Language"),
        sorted(
            [
                span_id(ARTICLE_ID, 251, 272, "Loaded_Language"),
                span_id(ARTICLE_ID, 255, 280, "Loaded_Language"),
            ]
        ),
    ),
    "lines-labels": Case(set_value("lines", 1, has_propaganda=True), [LINE_2]),
    "lines-tile": Case(shrink_line_start, [LINE_11]),
    "articles-hash-length": Case(set_value("articles", 0, num_chars=2335), [ARTICLE_ID]),
    "articles-title": Case(set_value("articles", 0, title="\ufeffAnother title"), [ARTICLE_ID]),
    "articles-provenance-hash": Case(
        set_value("articles", 0, provenance_sha256="0" * 64), [ARTICLE_ID]
    ),
    "articles-provenance-present": Case(
        set_value("articles", 0, provenance_sha256=None), [ARTICLE_ID]
    ),
    "spans-rationale-present": Case(
        set_value("spans", 1, rationale=None), [first_span("Loaded_Language")]
    ),
}
#: Checks whose failing data is not a change to the built tables; tested below (the
#: manifest checks in test_validation_manifest.py).
SPECIAL = {"taxonomy-stable", "allowlist-current", "manifest-present", "manifest-matches"}


def test_every_check_has_a_breaking_case() -> None:
    assert set(CASES) | SPECIAL == set(CHECKS_BY_ID)


def test_clean_dataset_passes_every_check(clean: BuildResult) -> None:
    report = validate_dataset(clean.out)
    assert report.ok
    assert {r.check.id: r.status for r in report.checks} == {
        check.id: "skipped" if check.id == "taxonomy-stable" else "passed" for check in CHECKS
    }


@pytest.mark.parametrize("check_id", CASES.keys())
def test_check_fails_on_data_that_breaks_it(check_id: str, dataset: Path) -> None:
    case = CASES[check_id]
    case.corrupt(dataset)
    report = validate_dataset(dataset)
    assert rows_of(report, check_id) == sorted(case.rows)
    assert report.result(check_id).failing == len(case.rows)
    expected_status = "failed" if CHECKS_BY_ID[check_id].severity == "error" else "warning"
    assert report.result(check_id).status == expected_status
    assert failing(report) == {check_id} | case.also
    assert report.ok == (CHECKS_BY_ID[check_id].severity == "warning")


def _lines_features(folder: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite the lines shard with its Hugging Face features edited."""
    arrow = schema().arrow_schema("lines")
    metadata = json.loads(arrow.metadata[b"huggingface"])
    edit(metadata["info"]["features"])
    changed = arrow.with_metadata({**arrow.metadata, b"huggingface": json.dumps(metadata)})
    write(folder, "lines", read(folder, "lines"), changed)


def test_features_missing_from_the_metadata_fail_schema_types(dataset: Path) -> None:
    drop_features_metadata(dataset)
    report = validate_dataset(dataset)
    assert rows_of(report, "schema-types") == [
        "techniques:techniques-00000.parquet:huggingface-metadata"
    ]


def test_other_class_names_in_the_features_fail_schema_types(dataset: Path) -> None:
    def rename_first_class(features: dict[str, Any]) -> None:
        features["techniques"]["feature"]["names"][0] = "Appeal_to_Authorities"

    _lines_features(dataset, rename_first_class)
    report = validate_dataset(dataset)
    assert rows_of(report, "schema-types") == ["lines:lines-00000.parquet:huggingface-metadata"]


def test_a_list_written_as_datasets_4_writes_it_is_the_same_feature(dataset: Path) -> None:
    """Files built before lists were stored as Sequence (release 2.0.0) stay valid."""

    def as_datasets_4(features: dict[str, Any]) -> None:
        for name in ("techniques", "semeval_classes"):
            assert features[name]["_type"] == "Sequence"
            features[name]["_type"] = "List"

    _lines_features(dataset, as_datasets_4)
    assert "schema-types" not in failing(validate_dataset(dataset))


@pytest.mark.parametrize(
    ("table", "values", "failed"),
    [
        ("lines", {"techniques": [18]}, {"lines-labels"}),
        ("spans", {"technique": 18}, {"keys-taxonomy", "keys-semeval-mapping"}),
        ("spans", {"semeval_class": -1}, {"keys-taxonomy", "keys-semeval-mapping"}),
    ],
)
def test_ids_outside_the_taxonomy_are_caught(
    dataset: Path, table: str, values: dict[str, Any], failed: set[str]
) -> None:
    set_value(table, 1, **values)(dataset)
    assert failing(validate_dataset(dataset)) == failed


def test_violation_rows_name_article_offsets_and_found_vs_expected(dataset: Path) -> None:
    CASES["text-matches-offsets"].corrupt(dataset)
    violation = validate_dataset(dataset).result("text-matches-offsets").examples[0]
    assert (violation.article_id, violation.start, violation.end) == (ARTICLE_ID, 126, 141)
    assert (violation.found, violation.expected) == ("XYZ", 'small "pattern"')


def test_taxonomy_must_not_change_meaning_between_releases(dataset: Path, tmp_path: Path) -> None:
    previous = tmp_path / "releases" / "v0.9.0"
    shutil.copytree(dataset / "techniques", previous / "data" / "techniques")
    assert validate_dataset(dataset, previous=previous).result("taxonomy-stable").status == "passed"
    rows = read(previous / "data", "techniques")
    rows[5]["name"] = "Casting_Doubt"
    write(previous / "data", "techniques", rows)
    report = validate_dataset(dataset, previous=previous)
    assert rows_of(report, "taxonomy-stable") == ["5"]
    assert failing(report) == {"taxonomy-stable"}


def test_allowlisted_violation_is_reported_not_dropped(dataset: Path) -> None:
    CASES["spans-boundaries"].corrupt(dataset)
    row = CASES["spans-boundaries"].rows[0]
    entry = AllowlistEntry("spans-boundaries", row, "upstream erratum kept for comparability")
    report = validate_dataset(dataset, allowlist=[entry])
    result = report.result("spans-boundaries")
    assert result.status == "allowed"
    assert (result.failing, result.allowed) == (0, 1)
    assert [v.allowed_because for v in result.examples] == [entry.reason]
    assert report.ok
    assert failing(report) == set()


def test_stale_allowlist_entry_is_reported(dataset: Path) -> None:
    entry = AllowlistEntry("spans-boundaries", "no-such-span", "fixed upstream long ago")
    report = validate_dataset(dataset, allowlist=[entry])
    assert rows_of(report, "allowlist-current") == ["spans-boundaries:no-such-span"]
    assert report.result("allowlist-current").status == "warning"
    assert failing(report) == {"allowlist-current"}
    assert report.ok


def test_allowlist_file_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "allow.yaml"
    good.write_text("- {check: spans-boundaries, row: 'a:b', reason: known erratum}\n")
    assert read_allowlist(good) == [AllowlistEntry("spans-boundaries", "a:b", "known erratum")]


def test_command_writes_reports_and_sets_the_exit_code(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    assert main([str(dataset), "--reports", str(reports), "--previous", "none"]) == 0
    assert "validation passed" in capsys.readouterr().out
    CASES["spans-boundaries"].corrupt(dataset)
    assert main([str(dataset), "--reports", str(reports), "--previous", "none"]) == 1
    out = capsys.readouterr().out
    assert "spans-boundaries                   3 error    failed           1        0" in out
    assert "validation FAILED" in out
    document = json.loads((reports / "validation.json").read_text())
    assert document["ok"] is False
    boundaries = next(c for c in document["checks"] if c["id"] == "spans-boundaries")
    assert boundaries["failing_rows"] == 1
    assert boundaries["violations"][0]["start"] == MOVED[0]
    page = (reports / "validation.html").read_text()
    assert "spans-boundaries" in page
    assert "http" not in page, "the HTML report must not load anything from the internet"


def test_build_gate_keeps_previous_output_when_validation_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataset.cli import main as dataset_main

    source = tmp_path / "raw"
    shutil.copytree(RAW, source)
    out = tmp_path / "out"
    assert dataset_main(["build", "--source", str(source), "--out", str(out), "--validate"]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    labels = source / "labels" / f"article{ARTICLE_ID}.maintainers.labels"
    with labels.open("a") as handle:  # a span that starts on a space: PTC allows, we don't
        handle.write(f"{ARTICLE_ID}\tDoubt\t782\t793\n")
    assert dataset_main(["build", "--source", str(source), "--out", str(out), "--validate"]) == 1
    assert "validation failed" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    report = json.loads((tmp_path / "out-validation" / "validation.json").read_text())
    assert report["ok"] is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "out-validation", "raw"]


@pytest.mark.parametrize("table", schema().tables.values(), ids=lambda t: t.name)
def test_column_rules_follow_the_schema(table: Any) -> None:
    specs = {
        check_id: CHECKS_BY_ID[check_id].code(table, schema())
        for check_id in ("schema-not-null", "schema-values", "keys-unique")
    }
    not_null = {spec.columns[0] for spec in specs["schema-not-null"]}
    assert not_null == {f.name for f in table.fields if not f.nullable}
    by_type: dict[str, list[Any]] = {}
    for spec in specs["schema-values"]:
        by_type.setdefault(spec.type, []).append(spec)
    patterns = {
        s.columns[0]: s.kwargs["regex"] for s in by_type.get("ExpectColumnValuesToMatchRegex", [])
    }
    assert patterns == {f.name: f.pattern[:-1] + r"\Z" for f in table.fields if f.pattern}
    pairs = {s.columns for s in by_type.get("ExpectColumnPairValuesAToBeGreaterThanB", [])}
    assert pairs == {(f.name, f.greater_than) for f in table.fields if f.greater_than}
    (unique,) = specs["keys-unique"]
    assert unique.columns == table.primary_key


def test_a_pattern_must_match_the_whole_value(dataset: Path) -> None:
    """Python's $ also matches before a final newline; the schema's patterns do not."""
    set_value("articles", 0, language="en\n")(dataset)
    assert rows_of(validate_dataset(dataset), "schema-values") == [ARTICLE_ID]


def test_boundary_characters_are_every_character_the_rule_names() -> None:
    from validation.expectations import BASIC_PLANE, breaking_characters

    rule = schema().dataset.span_boundary
    assert not [c for c in range(BASIC_PLANE, sys.maxunicode + 1) if rule.breaks(chr(c))]
    breaking = breaking_characters(rule)
    assert {"\u00a0", "\u3000", "\n", "\r", " ", *rule.punctuation} <= set(breaking)
    assert all(rule.breaks(c) for c in breaking)
