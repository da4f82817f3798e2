"""Tests of ``python -m dataset agreement``: the SemEval-2020 Task 11 partial-overlap metric
on hand-made layers whose scores were worked out by hand, the SemEval mapping, the inputs
and the printed table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataset.annotation import gamma
from dataset.annotation.agreement import AgreementReport, format_table, kappa
from dataset.cli import main
from dataset.ptc.scoring import Scores, Span, compare, merge_overlapping, partial_overlap
from dataset.release.datacard import AGREEMENT_PATH
from dataset.schema import schema

LL = "Loaded_Language"
NC = "Name_Calling,Labeling"
DOUBT = "Doubt"
TECHNIQUES = schema().techniques.names


def s(start: int, end: int, label: str = LL, article: str = "1") -> Span:
    return Span(article, label, start, end)


def figures(scores: Scores) -> tuple[float, float, float]:
    """P, R, F1 rounded to the 4 decimals the hand computations below are written with."""
    return (round(scores.precision, 4), round(scores.recall, 4), round(scores.f1, 4))


# The metric on hand-made layers ----------------------------------------------------------


def test_half_overlap_gives_half_credit_both_ways() -> None:
    # |s ∩ t| = 5 of 10 characters on each side.
    assert figures(partial_overlap([s(0, 10)], [s(5, 15)])) == (0.5, 0.5, 0.5)


def test_partial_overlaps_per_technique_and_overall() -> None:
    gold = [s(0, 10, LL), s(20, 30, NC)]
    pred = [s(0, 20, LL), s(25, 30, NC)]
    by_label, overall, identification = compare(gold, pred, TECHNIQUES)
    # LL: the prediction covers all 10 gold characters but only 10 of its own 20.
    assert figures(by_label[LL]) == (0.5, 1.0, 0.6667)
    # NC: the prediction lies inside the gold span and covers half of it.
    assert figures(by_label[NC]) == (1.0, 0.5, 0.6667)
    # Micro: P = (0.5 + 1) / 2, R = (1 + 0.5) / 2.
    assert figures(overall) == (0.75, 0.75, 0.75)
    assert list(by_label) == [LL, NC]  # taxonomy order, only labels that occur
    assert (by_label[LL].gold, by_label[LL].pred) == (1, 1)
    # Without labels the same spans (none overlap within a side) give the same figures.
    assert figures(identification) == (0.75, 0.75, 0.75)


def test_one_prediction_across_two_gold_spans() -> None:
    gold = [s(0, 10), s(20, 30)]
    pred = [s(5, 25)]
    result = partial_overlap(gold, pred)
    # The prediction: 5 + 5 of its 20 characters are gold. Each gold span: 5 of 10 covered.
    assert figures(result) == (0.5, 0.5, 0.5)


def test_identical_layers_score_one() -> None:
    layer = [s(0, 10, LL), s(3, 8, NC), s(40, 52, DOUBT), s(0, 5, LL, article="2")]
    by_label, overall, identification = compare(layer, list(layer), TECHNIQUES)
    assert all(figures(x) == (1.0, 1.0, 1.0) for x in by_label.values())
    assert figures(overall) == (1.0, 1.0, 1.0)
    assert figures(identification) == (1.0, 1.0, 1.0)


def test_disjoint_layers_score_zero() -> None:
    by_label, overall, identification = compare(
        [s(0, 10), s(30, 40, NC)], [s(10, 20), s(40, 50, NC)], TECHNIQUES
    )
    assert figures(overall) == (0.0, 0.0, 0.0)
    assert figures(identification) == (0.0, 0.0, 0.0)
    assert all(figures(x) == (0.0, 0.0, 0.0) for x in by_label.values())


def test_same_offsets_in_different_articles_do_not_match() -> None:
    assert figures(partial_overlap([s(0, 10, article="1")], [s(0, 10, article="2")])) == (
        0.0,
        0.0,
        0.0,
    )


def test_labels_matter_for_classification_but_not_for_identification() -> None:
    by_label, overall, identification = compare([s(0, 10, LL)], [s(0, 10, NC)], TECHNIQUES)
    assert figures(overall) == (0.0, 0.0, 0.0)
    assert figures(by_label[LL]) == (0.0, 0.0, 0.0)
    assert (by_label[LL].gold, by_label[LL].pred, by_label[NC].gold, by_label[NC].pred) == (
        1,
        0,
        0,
        1,
    )
    assert figures(identification) == (1.0, 1.0, 1.0)


def test_identification_merges_overlapping_spans_of_one_side_first() -> None:
    gold = [s(0, 15, LL)]
    pred = [s(0, 10, LL), s(5, 15, DOUBT)]
    by_label, overall, identification = compare(gold, pred, TECHNIQUES)
    # Labelled: LL covers 10 of the 15 gold characters; the Doubt span earns nothing.
    assert figures(by_label[LL]) == (1.0, 0.6667, 0.8)
    assert figures(overall) == (0.5, 0.6667, 0.5714)
    # Unlabelled: the two predictions merge into 0-15, exactly the gold span.
    assert (identification.gold, identification.pred) == (1, 1)
    assert figures(identification) == (1.0, 1.0, 1.0)


def test_merging_joins_chains_but_not_adjacent_spans() -> None:
    merged = merge_overlapping([s(0, 5), s(4, 9, NC), s(8, 12), s(12, 20), s(0, 3, article="2")])
    assert [(m.article_id, m.start, m.end) for m in merged] == [
        ("1", 0, 12),
        ("1", 12, 20),
        ("2", 0, 3),
    ]


def test_per_span_credit_is_clipped_at_one() -> None:
    # The prediction repeats one span: without the clip the gold span would earn 2.
    result = partial_overlap([s(0, 10)], [s(0, 10), s(0, 10)])
    assert figures(result) == (1.0, 1.0, 1.0)
    # Two overlapping predictions, 0-10 and 5-15, over gold 0-10: gold credit 10/10 + 5/10,
    # clipped to 1; precision (1 + 0.5) / 2.
    assert figures(partial_overlap([s(0, 10)], [s(0, 10), s(5, 15)])) == (0.75, 1.0, 0.8571)


def test_an_empty_side_scores_zero_and_two_empty_sides_agree() -> None:
    assert figures(partial_overlap([s(0, 10)], [])) == (0.0, 0.0, 0.0)
    assert figures(partial_overlap([], [s(0, 10)])) == (0.0, 0.0, 0.0)
    # As the SemEval scorer's compute_prec_rec_f1: no denominator, P = R = 0, but F1 = 1.
    assert figures(partial_overlap([], [])) == (0.0, 0.0, 1.0)


# Properties ------------------------------------------------------------------------------

spans_strategy = st.lists(
    st.builds(
        lambda article, label, start, length: Span(article, label, start, start + length),
        st.sampled_from(["1", "2"]),
        st.sampled_from(TECHNIQUES),
        st.integers(0, 300),
        st.integers(1, 60),
    ),
    min_size=1,
    max_size=25,
)


@given(spans_strategy)
def test_a_layer_agrees_perfectly_with_itself(layer: list[Span]) -> None:
    by_label, overall, identification = compare(layer, list(layer), TECHNIQUES)
    assert figures(overall) == (1.0, 1.0, 1.0)
    assert figures(identification) == (1.0, 1.0, 1.0)
    assert all(figures(x) == (1.0, 1.0, 1.0) for x in by_label.values())
    assert sum(x.gold for x in by_label.values()) == len(layer)


@given(spans_strategy, spans_strategy)
def test_swapping_sides_swaps_precision_and_recall(gold: list[Span], pred: list[Span]) -> None:
    forward, backward = partial_overlap(gold, pred), partial_overlap(pred, gold)
    assert 0.0 <= forward.precision <= 1.0 and 0.0 <= forward.recall <= 1.0
    assert forward.precision == pytest.approx(backward.recall)
    assert forward.recall == pytest.approx(backward.precision)


# The command -----------------------------------------------------------------------------


def write_labels(path: Path, rows: list[tuple[str, str, int, int]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{a}\t{t}\t{b}\t{e}\n" for a, t, b, e in rows), "utf-8")
    return path


def run_json(tmp_path: Path, args: list[str]) -> dict[str, object]:
    out = tmp_path / "figures.json"
    assert main(["agreement", *args, "--json", str(out)]) == 0
    data: dict[str, object] = json.loads(out.read_text("utf-8"))
    return data


def test_layers_under_a_source_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "raw"
    write_labels(source / "labels" / "article1.alice.labels", [("1", LL, 0, 10), ("1", NC, 20, 30)])
    write_labels(source / "more" / "article1.bob.labels", [("1", LL, 0, 20), ("1", NC, 25, 30)])
    # Only Alice annotated article 2: it is left out rather than counted as "Bob found nothing".
    write_labels(source / "labels" / "article2.alice.labels", [("2", LL, 0, 10)])
    write_labels(source / "labels" / "article2.carol.labels", [("2", LL, 0, 10)])
    data = run_json(tmp_path, ["--source", str(source), "--layers", "alice", "bob"])
    assert data["articles"] == ["1"]
    overall = data["overall_micro"]
    assert isinstance(overall, dict)
    assert (overall["gold"], overall["pred"]) == (2, 2)
    assert overall["precision"] == pytest.approx(0.75)
    assert overall["recall"] == pytest.approx(0.75)
    by_label = data["by_label"]
    assert isinstance(by_label, dict)
    assert by_label[LL]["recall"] == pytest.approx(1.0)
    out = capsys.readouterr().out
    assert "not compared (only in layer alice" in out and ": 1: 2" in out


def test_gold_and_pred_as_files_and_folders(tmp_path: Path) -> None:
    # Gold as one multi-article file (as SemEval distributes it), pred as a folder.
    gold = write_labels(tmp_path / "gold.txt", [("1", LL, 0, 10), ("2", NC, 5, 15)])
    pred = tmp_path / "pred"
    write_labels(pred / "article1.labels", [("1", LL, 5, 15)])
    data = run_json(tmp_path, ["--gold", str(gold), "--pred", str(pred)])
    assert data["articles"] == ["1", "2"]
    overall = data["overall_micro"]
    assert isinstance(overall, dict)
    # One prediction, half inside gold; two gold spans, one half covered, one missed.
    assert overall["precision"] == pytest.approx(0.5)
    assert overall["recall"] == pytest.approx(0.25)


def test_semeval_mapping_merges_and_drops_classes(tmp_path: Path) -> None:
    gold = write_labels(
        tmp_path / "gold" / "article1.labels",
        [
            ("1", "Bandwagon", 0, 10),
            ("1", "Straw_Men", 20, 30),
            ("1", "Obfuscation,Intentional_Vagueness,Confusion", 40, 50),
        ],
    )
    pred = write_labels(
        tmp_path / "pred" / "article1.labels",
        [("1", "Reductio_ad_hitlerum", 0, 10), ("1", "Whataboutism,Straw_Men,Red_Herring", 20, 30)],
    )
    data = run_json(tmp_path, ["--gold", str(gold), "--pred", str(pred), "--semeval"])
    assert data["label_set"] == "semeval-2020-14-classes"
    by_label = data["by_label"]
    assert isinstance(by_label, dict)
    assert set(by_label) == {"Bandwagon,Reductio_ad_hitlerum", "Whataboutism,Straw_Men,Red_Herring"}
    overall = data["overall_micro"]
    assert isinstance(overall, dict)
    # The dropped Obfuscation span no longer counts against recall.
    assert (overall["gold"], overall["pred"], overall["f1"]) == (2, 2, 1.0)

    # Without the mapping, a SemEval class on either side is refused ...
    assert main(["agreement", "--gold", str(gold), "--pred", str(pred)]) == 2


def test_without_semeval_techniques_are_compared_as_they_are(tmp_path: Path) -> None:
    gold = write_labels(tmp_path / "gold" / "article1.labels", [("1", "Bandwagon", 0, 10)])
    pred = write_labels(
        tmp_path / "pred" / "article1.labels", [("1", "Reductio_ad_hitlerum", 0, 10)]
    )
    data = run_json(tmp_path, ["--gold", str(gold), "--pred", str(pred)])
    overall = data["overall_micro"]
    identification = data["span_identification"]
    assert isinstance(overall, dict) and isinstance(identification, dict)
    assert overall["f1"] == 0.0
    assert identification["f1"] == 1.0


def test_a_folder_with_two_layers_of_one_article_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "labels"
    write_labels(folder / "article1.alice.labels", [("1", LL, 0, 10)])
    write_labels(folder / "article1.bob.labels", [("1", LL, 0, 10)])
    assert main(["agreement", "--gold", str(folder), "--pred", str(folder)]) == 2
    assert "--layers" in capsys.readouterr().err


def test_mode_options_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreement"]) == 2
    assert main(["agreement", "--layers", "a", "b", "--gold", "x", "--pred", "y"]) == 2
    assert "error:" in capsys.readouterr().err


def test_printed_table_is_aligned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "raw"
    write_labels(
        source / "article1.a.labels",
        [
            ("1", LL, 0, 10),
            ("1", "Obfuscation,Intentional_Vagueness,Confusion", 20, 30),
            ("1", DOUBT, 100, 1100),
        ],
    )
    write_labels(source / "article1.b.labels", [("1", LL, 5, 10), ("1", NC, 40, 45)])
    assert main(["agreement", "--source", str(source), "--layers", "a", "b"]) == 0
    out = capsys.readouterr().out
    lines = out.rstrip("\n").split("\n")
    # The span F1 table, then (after a blank line and the γ parameters) γ's, then κ's.
    first = [row.split(" ")[0] for row in lines].index("technique")
    tables = "\n".join(lines[first:]).split("\n\n")
    for printed in (tables[0], *tables[2:]):
        widths = {len(row) for row in printed.split("\n")}
        assert len(widths) == 1, f"rows of different widths: {printed}"
    table = tables[0].split("\n")
    header_ends = [m.end() for m in re.finditer(r"\S+", table[0])][-5:]
    rows = [row for row in table[1:] if not set(row) <= {"-"}]
    assert len(rows) == 6  # four techniques, overall, span identification
    for row in rows:
        # A label with too few spans shows its counts and "too few" instead of P, R, F1.
        ends = [m.end() for m in re.finditer(r"\S+", row.removesuffix("too few").rstrip())]
        if row.endswith("too few"):
            assert ends[-2:] == header_ends[:2] and len(row) == len(table[0]), row
        else:
            assert ends[-5:] == header_ends, row
    assert rows[0].startswith("Doubt ")


def test_format_table_alone_lists_labels_then_totals() -> None:
    layer = [s(0, 10), s(20, 30), s(40, 50), s(60, 70, NC)]
    by_label, overall, identification = compare(layer, list(layer), TECHNIQUES)
    report = AgreementReport("g", "p", False, ("1",), by_label, overall, identification)
    lines = format_table(report).split("\n")
    assert lines[0].split() == ["technique", "gold", "pred", "P", "R", "F1"]
    assert lines[2].split() == [LL, "3", "3", "1.000", "1.000", "1.000"]
    # Two spans in all are too few for a figure: the counts stay, the figures do not.
    assert lines[3].split() == [NC, "1", "1", "too", "few"]
    assert lines[-2].startswith("overall (micro)")
    assert lines[-1].startswith("span identification")


# γ and κ ---------------------------------------------------------------------------------

#: A seeded γ is the same on the same locked libraries; the tolerance allows for the solver
#: and floating-point differences between machines, far below what would change a reading.
GAMMA_TOLERANCE = 0.005
FIXTURE_REFERENCE = [s(0, 10), s(20, 35, NC), s(50, 60), s(70, 90, DOUBT)]
FIXTURE_COMPARED = [s(2, 10), s(20, 35, DOUBT), s(52, 64), s(100, 110)]


def test_gamma_of_identical_layers_is_one_and_counts_every_unit() -> None:
    result = gamma.gamma(FIXTURE_REFERENCE, list(FIXTURE_REFERENCE), ("a", "b"))
    assert result.value == pytest.approx(1.0)
    # gamma() checks that pygamma-agreement saw as many units as it was given.
    assert (result.n, result.reference, result.compared) == (8, 4, 4)


def test_a_seeded_gamma_gives_the_committed_value() -> None:
    result = gamma.gamma(FIXTURE_REFERENCE, FIXTURE_COMPARED, ("a", "b"))
    assert result.value == pytest.approx(0.3365, abs=GAMMA_TOLERANCE)


def test_too_few_spans_give_no_gamma() -> None:
    result = gamma.gamma([s(0, 10)], [s(0, 10), s(20, 30), s(40, 50)], ("a", "b"))
    assert result.value is None and result.too_few and result.n == 4
    assert gamma.gamma([], [s(0, 10)] * 5, ("a", "b")).too_few  # none on one side


def test_kappa_worked_by_hand() -> None:
    # p_o = 3/4; chance p_e = 1/2 * 1/4 + 1/2 * 3/4 = 1/2; κ = (3/4 - 1/2) / (1 - 1/2).
    result = kappa([(True, True), (True, False), (False, False), (False, False)])
    assert result.value == pytest.approx(0.5) and result.n == 4
    assert kappa([(False, False)] * 3).value is None  # chance agreement 1: undefined


def test_the_committed_figures_reproduce(tmp_path: Path) -> None:
    """dataset/adjudication/agreement.json, which DATACARD shows, is what the command gives
    today: the same counts, F1 and κ, and γ within the tolerance."""
    fresh = run_json(tmp_path, ["--layers", "maintainers", "second-pass"])
    committed = json.loads(AGREEMENT_PATH.read_text("utf-8"))
    gammas = (fresh.pop("gamma"), committed.pop("gamma"))
    assert fresh == committed
    now, then = gammas
    assert isinstance(now, dict) and now["parameters"] == then["parameters"]
    for cell_now, cell_then in [
        (now["overall"], then["overall"]),
        *((now["by_label"][k], v) for k, v in then["by_label"].items()),
    ]:
        assert cell_now["n"] == cell_then["n"] and cell_now["too_few"] == cell_then["too_few"]
        if cell_then["gamma"] is not None:
            assert cell_now["gamma"] == pytest.approx(cell_then["gamma"], abs=GAMMA_TOLERANCE)
