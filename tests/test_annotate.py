"""Tests of ``python -m dataset annotate``: fragment resolution, record checks, the files it
writes, and the guarantee that committed label files match their records."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from dataset.annotation.annotate import (
    FragmentError,
    expected_outputs,
    load_record,
    resolve_fragment,
)
from dataset.cli import main
from dataset.errors import InputError
from dataset.ptc.formats import RATIONALE_HEADER, read_label_file, read_rationale_file
from dataset.schema import schema

REPO = Path(__file__).resolve().parent.parent
ANNOTATIONS = REPO / "dataset" / "annotations"
RAW = REPO / "dataset" / "raw"
ARTICLE_ID = "9000000001"
ARTICLE = RAW / "articles" / f"article{ARTICLE_ID}.txt"


def raw_text() -> str:
    with ARTICLE.open(encoding="utf-8", newline="") as handle:
        return handle.read()


# resolve_fragment ------------------------------------------------------------------------


def test_resolve_picks_the_requested_occurrence() -> None:
    text = "war is war, and war again"
    assert resolve_fragment(text, "war", 1) == (0, 3)
    assert resolve_fragment(text, "war", 2) == (7, 10)
    assert resolve_fragment(text, "war", 3) == (16, 19)


def test_resolve_counts_overlapping_occurrences() -> None:
    assert resolve_fragment("xaaaay", "aa", 1) == (1, 3)
    assert resolve_fragment("xaaaay", "aa", 2) == (2, 4)
    assert resolve_fragment("xaaaay", "aa", 3) == (3, 5)


def test_resolve_counts_code_points_not_bytes() -> None:
    text = "Déjà\u00a0vu: “fanatics” again"
    start, end = resolve_fragment(text, "“fanatics”", 1)
    # D é j à NBSP v u : space = 9 code points before the opening quote (13 UTF-8 bytes).
    assert (start, end) == (9, 19)
    assert text[start:end] == "“fanatics”"
    assert len(text[:start].encode("utf-8")) != start


def test_resolve_on_the_real_article_handles_no_break_spaces() -> None:
    text = raw_text()
    start, end = resolve_fragment(text, "Islamic\u00a0fanatics", 1)
    assert text[start:end] == "Islamic\u00a0fanatics"
    assert text[start - 1] == " " and text[end] == " "


def test_missing_fragment_is_an_error() -> None:
    with pytest.raises(FragmentError, match="is not in the article"):
        resolve_fragment("some text here", "other text", 1)


def test_missing_fragment_suggests_the_look_alike_the_text_uses() -> None:
    text = "the pro-Russian commander\u00a0Khalifa\u00a0Haftar doesn\u2019t"
    with pytest.raises(FragmentError) as caught:
        resolve_fragment(text, "commander Khalifa Haftar doesn't", 1)
    assert "look-alike" in caught.value.problem
    assert '"commander\\u00a0Khalifa\\u00a0Haftar doesn\\u2019t"' in caught.value.fix


@pytest.mark.parametrize("occurrence", [3, 7])
def test_occurrence_beyond_the_count_is_an_error(occurrence: int) -> None:
    with pytest.raises(FragmentError, match="occurs only 2 times"):
        resolve_fragment("bad and bad", "bad", occurrence)


def test_occurrence_zero_is_an_error() -> None:
    with pytest.raises(FragmentError, match="occurrence is 0"):
        resolve_fragment("bad and bad", "bad", 0)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a lie. Then", "a lie."),
        ("a lie, then", "lie,"),
        ("note: lies", ": lies"),
        ("lies; more", "lies;"),
        ("a  lie", " lie"),
        ("a\u00a0lie", "\u00a0lie"),
        ("a lie\nnext", "lie\n"),
        ("a lie\tnext", "lie\t"),
    ],
)
def test_fragment_may_not_start_or_end_with_a_boundary_character(text: str, fragment: str) -> None:
    with pytest.raises(FragmentError, match="never start or end"):
        resolve_fragment(text, fragment, 1)


def test_boundary_characters_inside_a_fragment_are_fine() -> None:
    text = "He said: no. Never, ever; fine."
    assert resolve_fragment(text, "no. Never, ever; fine", 1) == (9, 30)


# Records ---------------------------------------------------------------------------------


def span(
    technique: str, fragment: str, occurrence: int = 1, rationale: str = "Because."
) -> dict[str, Any]:
    return {
        "technique": technique,
        "fragment": fragment,
        "occurrence": occurrence,
        "rationale": rationale,
    }


def write_record(
    root: Path, spans: list[dict[str, Any]], *, layer: str = "test", **overrides: Any
) -> Path:
    """A record for the real article under ``root/annotations/<layer>/``, with a copy of
    the article under ``root/raw/articles``."""
    articles = root / "raw" / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ARTICLE, articles / ARTICLE.name)
    record = {
        "article_id": ARTICLE_ID,
        "layer": layer,
        "annotator": "tests",
        "guidelines": "dataset/guidelines.md",
        "spans": spans,
        **overrides,
    }
    path = root / "annotations" / layer / f"article{ARTICLE_ID}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line of ``path`` containing ``needle``."""
    hits = [n for n, row in enumerate(path.read_text("utf-8").split("\n"), 1) if needle in row]
    return hits[nth - 1]


def test_a_valid_record_resolves_to_sorted_label_and_rationale_files(tmp_path: Path) -> None:
    path = write_record(
        tmp_path,
        [
            span("Name_Calling,Labeling", "fanatics", 2, "Second one."),
            span("Loaded_Language", "mastermind", 1, "Plot word."),
            span("Name_Calling,Labeling", "Islamic\u00a0fanatics", 1, "Label."),
        ],
    )
    record = load_record(path, tmp_path / "raw")
    files = expected_outputs(tmp_path / "annotations", tmp_path / "raw")
    labels_path = tmp_path / "raw" / "labels" / f"article{ARTICLE_ID}.test.labels"
    rationale_path = tmp_path / "raw" / "labels" / f"article{ARTICLE_ID}.test.rationale.tsv"
    assert set(files) == {labels_path, rationale_path}

    text = raw_text()
    mastermind = text.index("mastermind")
    islamic = text.index("Islamic\u00a0fanatics")
    second = text.index("fanatics", islamic + len("Islamic\u00a0fanatics"))
    assert files[labels_path][1] == (
        f"{ARTICLE_ID}\tLoaded_Language\t{mastermind}\t{mastermind + 10}\n"
        f"{ARTICLE_ID}\tName_Calling,Labeling\t{islamic}\t{islamic + 16}\n"
        f"{ARTICLE_ID}\tName_Calling,Labeling\t{second}\t{second + 8}\n"
    )
    assert files[rationale_path][1] == (
        f"{RATIONALE_HEADER}\n"
        f"Loaded_Language\t{mastermind}\t{mastermind + 10}\tPlot word.\n"
        f"Name_Calling,Labeling\t{islamic}\t{islamic + 16}\tLabel.\n"
        f"Name_Calling,Labeling\t{second}\t{second + 8}\tSecond one.\n"
    )
    assert [s.line for s in record.spans] == [line_of(path, "- technique:", n) for n in (1, 2, 3)]


def test_unknown_technique_names_the_line_and_suggests_the_name(tmp_path: Path) -> None:
    path = write_record(
        tmp_path, [span("Loaded_Language", "mastermind"), span("Loaded_language", "fanatics")]
    )
    with pytest.raises(InputError) as caught:
        load_record(path, tmp_path / "raw")
    assert caught.value.problem == "unknown technique 'Loaded_language'"
    assert "did you mean 'Loaded_Language'" in caught.value.fix
    assert caught.value.line == line_of(path, "technique: Loaded_language")


def test_a_semeval_class_is_not_accepted_as_a_technique(tmp_path: Path) -> None:
    path = write_record(tmp_path, [span("Whataboutism,Straw_Men,Red_Herring", "mastermind")])
    with pytest.raises(InputError, match="unknown technique") as caught:
        load_record(path, tmp_path / "raw")
    assert "merged SemEval-2020 class" in caught.value.fix


def test_missing_fragment_in_a_record_is_an_input_error_on_the_fragment_line(
    tmp_path: Path,
) -> None:
    path = write_record(tmp_path, [span("Loaded_Language", "evil regime")])
    with pytest.raises(InputError, match="is not in the article") as caught:
        load_record(path, tmp_path / "raw")
    assert caught.value.line == line_of(path, "fragment: evil regime")


def test_occurrence_too_large_in_a_record(tmp_path: Path) -> None:
    path = write_record(tmp_path, [span("Name_Calling,Labeling", "fanatics", 3)])
    with pytest.raises(InputError, match="occurs only 2 times"):
        load_record(path, tmp_path / "raw")


def test_boundary_violation_in_a_record(tmp_path: Path) -> None:
    path = write_record(tmp_path, [span("Loaded_Language", "perfectly good excuse ")])
    with pytest.raises(InputError, match="ends with ' '"):
        load_record(path, tmp_path / "raw")


def test_overlap_of_the_same_technique_is_rejected(tmp_path: Path) -> None:
    path = write_record(
        tmp_path,
        [
            span("Loaded_Language", "perfectly good excuse"),
            span("Loaded_Language", "good excuse to launch"),
        ],
    )
    with pytest.raises(InputError, match="overlaps the Loaded_Language span of line") as caught:
        load_record(path, tmp_path / "raw")
    assert caught.value.line == line_of(path, "- technique:", 2)
    assert "merge them into one span" in caught.value.fix


def test_nesting_of_the_same_technique_is_rejected(tmp_path: Path) -> None:
    path = write_record(
        tmp_path,
        [span("Doubt", '"government"'), span("Doubt", 'Western-backed "government" bodies')],
    )
    with pytest.raises(InputError, match="overlaps the Doubt span"):
        load_record(path, tmp_path / "raw")


def test_duplicate_span_is_rejected(tmp_path: Path) -> None:
    path = write_record(
        tmp_path, [span("Loaded_Language", "mastermind"), span("Loaded_Language", "mastermind")]
    )
    with pytest.raises(InputError, match="repeats the Loaded_Language span"):
        load_record(path, tmp_path / "raw")


def test_different_techniques_may_overlap_and_nest(tmp_path: Path) -> None:
    path = write_record(
        tmp_path,
        [
            span("Exaggeration,Minimisation", "always a perfectly good excuse"),
            span("Loaded_Language", "perfectly good excuse"),
            span("Doubt", "excuse to launch"),
        ],
    )
    record = load_record(path, tmp_path / "raw")
    by_technique = {s.technique: (s.start, s.end) for s in record.spans}
    outer = by_technique["Exaggeration,Minimisation"]
    inner = by_technique["Loaded_Language"]
    assert outer[0] < inner[0] and inner[1] == outer[1]
    assert by_technique["Doubt"][0] < outer[1] < by_technique["Doubt"][1]


def test_a_no_break_space_at_the_edge_of_a_record_fragment_is_rejected(tmp_path: Path) -> None:
    path = write_record(tmp_path, [span("Loaded_Language", "imagined)\u00a0")])
    with pytest.raises(InputError, match="U\\+00A0 NO-BREAK SPACE"):
        load_record(path, tmp_path / "raw")


def test_adjacent_spans_of_one_technique_are_not_an_overlap(tmp_path: Path) -> None:
    path = write_record(
        tmp_path, [span("Loaded_Language", "mast"), span("Loaded_Language", "ermind")]
    )
    record = load_record(path, tmp_path / "raw")
    first, second = record.sorted_spans()
    assert first.end == second.start


def test_layer_must_match_its_folder(tmp_path: Path) -> None:
    path = write_record(tmp_path, [span("Loaded_Language", "mastermind")], layer="test")
    text = path.read_text("utf-8").replace("layer: test", "layer: other")
    path.write_text(text, "utf-8")
    with pytest.raises(InputError, match="does not match the folder 'test'") as caught:
        load_record(path, tmp_path / "raw")
    assert caught.value.line == line_of(path, "layer: other")


def test_unquoted_article_id_is_rejected(tmp_path: Path) -> None:
    path = write_record(tmp_path, [], article_id=int(ARTICLE_ID))
    with pytest.raises(InputError, match="not quoted text"):
        load_record(path, tmp_path / "raw")


@pytest.mark.parametrize("rationale", ["one\ttwo", "one\ntwo", "   "])
def test_rationale_must_be_one_non_empty_line(tmp_path: Path, rationale: str) -> None:
    path = write_record(tmp_path, [span("Loaded_Language", "mastermind", 1, rationale)])
    with pytest.raises(InputError, match="rationale"):
        load_record(path, tmp_path / "raw")


def test_unknown_and_missing_span_keys_are_rejected(tmp_path: Path) -> None:
    entry = span("Loaded_Language", "mastermind")
    entry["occurence"] = entry.pop("occurrence")
    path = write_record(tmp_path, [entry])
    with pytest.raises(InputError, match="missing key occurrence; unknown key occurence"):
        load_record(path, tmp_path / "raw")


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    path = write_record(tmp_path, [span("Loaded_Language", "mastermind")])
    text = path.read_text("utf-8").replace(
        "fragment: mastermind", "fragment: mastermind\n  fragment: fanatics"
    )
    path.write_text(text, "utf-8")
    with pytest.raises(InputError, match="appears twice") as caught:
        load_record(path, tmp_path / "raw")
    assert caught.value.line == line_of(path, "fragment: fanatics")


def test_misnamed_record_file_is_an_error(tmp_path: Path) -> None:
    path = write_record(tmp_path, [])
    path.rename(path.with_name("article9000000001.yml"))
    with pytest.raises(InputError, match=r"not article<ID>\.yaml"):
        expected_outputs(tmp_path / "annotations", tmp_path / "raw")


def test_cli_reports_record_errors_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_record(tmp_path, [span("Propaganda", "mastermind")])
    code = main(
        ["annotate", "--annotations", str(tmp_path / "annotations"), "--raw", str(tmp_path / "raw")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:{line_of(path, 'technique: Propaganda')}: ")
    assert "Traceback" not in err
    assert not (tmp_path / "raw" / "labels").exists()


# The committed annotations ---------------------------------------------------------------


def committed_records() -> list[Path]:
    return sorted(ANNOTATIONS.glob("*/article*.yaml"))


def test_there_are_committed_records() -> None:
    assert committed_records(), "dataset/annotations holds no record"


@pytest.mark.parametrize("record", committed_records(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_label_files_match_their_records(record: Path) -> None:
    """Recompute every span from its (fragment, occurrence) with an independent search and
    compare with the committed files, span for span."""
    data = yaml.safe_load(record.read_text("utf-8"))
    article_id, layer = data["article_id"], data["layer"]
    assert record.parent.name == layer
    assert record.name == f"article{article_id}.yaml"
    path = RAW / "articles" / f"article{article_id}.txt"
    with path.open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    expected: set[tuple[str, int, int]] = set()
    rationales: dict[tuple[str, int, int], str] = {}
    for entry in data["spans"]:
        fragment = entry["fragment"]
        starts = [m.start() for m in re.finditer(f"(?={re.escape(fragment)})", text)]
        start = starts[entry["occurrence"] - 1]
        key = (entry["technique"], start, start + len(fragment))
        assert text[key[1] : key[2]] == fragment
        assert entry["technique"] in schema().techniques.names
        expected.add(key)
        rationales[key] = entry["rationale"]
    assert len(expected) == len(data["spans"]), "two records resolve to the same span"

    labels = RAW / "labels" / f"article{article_id}.{layer}.labels"
    lines = read_label_file(labels, article_id=article_id, num_chars=len(text))
    committed = [(line.label, line.start, line.end) for line in lines]
    assert set(committed) == expected
    assert committed == sorted(committed, key=lambda k: (k[1], k[2], k[0]))
    assert labels.read_bytes().endswith(b"\n") and b"\r" not in labels.read_bytes()

    rationale_file = RAW / "labels" / f"article{article_id}.{layer}.rationale.tsv"
    assert read_rationale_file(rationale_file) == rationales


def test_committed_spans_respect_the_boundary_rule() -> None:
    for record in committed_records():
        data = yaml.safe_load(record.read_text("utf-8"))
        for entry in data["spans"]:
            fragment = entry["fragment"]
            for char in (fragment[0], fragment[-1]):
                assert not char.isspace() and char not in ".,:;", (record, fragment)


def test_check_passes_on_the_committed_files(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["annotate", "--check", "--annotations", str(ANNOTATIONS), "--raw", str(RAW)])
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("ok: ")


def test_check_fails_after_a_hand_edit_and_writing_repairs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annotations = tmp_path / "annotations"
    raw = tmp_path / "raw"
    shutil.copytree(ANNOTATIONS, annotations)
    shutil.copytree(RAW, raw)
    args = ["annotate", "--annotations", str(annotations), "--raw", str(raw)]
    assert main([*args, "--check"]) == 0

    labels = raw / "labels" / f"article{ARTICLE_ID}.maintainers.labels"
    first, rest = labels.read_text("utf-8").split("\n", 1)
    article_id, technique, start, end = first.split("\t")
    edited = f"{article_id}\t{technique}\t{start}\t{int(end) + 1}\n{rest}"
    labels.write_text(edited, "utf-8")
    capsys.readouterr()

    assert main([*args, "--check"]) == 1
    err = capsys.readouterr().err
    assert f"stale: {labels} differs" in err
    assert labels.read_text("utf-8") == edited, "--check must not write"

    rationale = raw / "labels" / f"article{ARTICLE_ID}.maintainers.rationale.tsv"
    rationale.unlink()
    assert main([*args, "--check"]) == 1
    assert f"stale: {rationale} is missing" in capsys.readouterr().err

    assert main(args) == 0
    assert labels.read_bytes() == (RAW / "labels" / labels.name).read_bytes()
    assert rationale.read_bytes() == (RAW / "labels" / rationale.name).read_bytes()
    assert main([*args, "--check"]) == 0
    leftovers = [p.name for p in (raw / "labels").iterdir() if p.name.startswith(".")]
    assert leftovers == [], "temporary files left behind"


def test_files_left_behind_by_a_deleted_record_are_reported_not_deleted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annotations = tmp_path / "annotations"
    raw = tmp_path / "raw"
    shutil.copytree(ANNOTATIONS, annotations)
    shutil.copytree(RAW, raw)
    args = ["annotate", "--annotations", str(annotations), "--raw", str(raw)]
    labels = raw / "labels" / f"article{ARTICLE_ID}.maintainers.labels"
    orphan = labels.with_name("article123.maintainers.labels")
    shutil.copyfile(labels, orphan)
    # A file of a layer without records (an external reference) is none of our business.
    other = labels.with_name(f"article{ARTICLE_ID}.external.labels")
    shutil.copyfile(labels, other)
    capsys.readouterr()

    assert main([*args, "--check"]) == 1
    err = capsys.readouterr().err
    assert f"orphan: {orphan} " in err
    assert str(other) not in err
    assert main(args) == 1
    assert orphan.is_file() and other.is_file()
    orphan.unlink()
    assert main([*args, "--check"]) == 0
