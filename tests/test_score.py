"""``python -m dataset score``: predictions against a built dataset, with figures worked out
by hand from the published definitions of the SemEval-2020 Task 11 and NLP4IF-2019
scorers, and bad prediction files stopped with the file, the line and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataset.cli import EXIT_INPUT_ERROR, main
from dataset.ptc.scoring import (
    Scores,
    Span,
    pair_labels,
    partial_overlap,
    positive_class,
    technique_classification,
)
from dataset.schema import schema
from tests.task_corpus import ARTICLE_TEXT, build_corpus

LL = "Loaded_Language"
NC = "Name_Calling,Labeling"
DOUBT = "Doubt"
FW = "Flag-Waving"
OBFUSCATION = "Obfuscation,Intentional_Vagueness,Confusion"
CLASSES = schema().semeval_classes.names


def figures(scores: object) -> tuple[float, float, float]:
    """P, R, F1 of a Scores or of its JSON form, rounded to the 4 decimals the hand
    computations are written with."""
    if isinstance(scores, Scores):
        values = [scores.precision, scores.recall, scores.f1]
    else:
        assert isinstance(scores, dict)
        values = [float(scores[key]) for key in ("precision", "recall", "f1")]
    return (round(values[0], 4), round(values[1], 4), round(values[2], 4))


@pytest.fixture(scope="module")
def gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Article 1: Loaded_Language 10-20, Doubt 30-50 and Name_Calling 40-60 (which overlap,
    so span identification merges them into 30-60). Article 2: Loaded_Language and
    Flag-Waving on the same span 0-10. Article 3: one Obfuscation span, which SemEval-2020's
    classes leave out, so in their view article 3 has no gold span."""
    return build_corpus(
        tmp_path_factory.mktemp("gold"),
        {
            "gold": {
                "1": [(LL, 10, 20), (DOUBT, 30, 50), (NC, 40, 60)],
                "2": [(LL, 0, 10), (FW, 0, 10)],
                "3": [(OBFUSCATION, 1, 5)],
            }
        },
        ["1", "2", "3"],
    )


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("".join(f"{row}\n" for row in rows), "utf-8")
    return path


def score_json(tmp_path: Path, gold: Path, pred: Path, *options: str) -> dict[str, object]:
    out = tmp_path / "figures.json"
    args = ["score", "--gold", str(gold), "--pred", str(pred), *options, "--json", str(out)]
    assert main(args) == 0
    data: dict[str, object] = json.loads(out.read_text("utf-8"))
    return data


# Span identification -----------------------------------------------------------------------


def test_si_partial_overlaps_by_hand(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pred = write(
        tmp_path / "si.txt",
        [
            "1\t15\t35",  # 20 long: 5 in gold 10-20 and 5 in gold 30-60, credit 10/20 = 0.5
            "1\t50\t60",  # inside gold 30-60: credit 1
            "1\t52\t58",  # overlaps the line above: merged into it, as task-SI_scorer.py -m
            "3\t5\t15",  # an article without gold spans: credit 0, counts against precision
        ],
    )
    result = score_json(tmp_path, gold, pred, "--task", "si")
    # Gold after merging: 10-20, 30-60 (article 1), 0-10 and 0-10 -> one 0-10 (article 2).
    # P = (0.5 + 1 + 0) / 3 = 0.5.
    # R: 10-20 covered 5/10; 30-60 covered 5 + 10 = 15 of 30; 0-10 (nothing predicted in
    # article 2) 0; R = (0.5 + 0.5 + 0) / 3 = 1/3.  F1 = 2 * 0.5 * (1/3) / (0.5 + 1/3) = 0.4.
    overall = result["overall"]
    assert isinstance(overall, dict)
    assert figures(overall) == (0.5, 0.3333, 0.4)
    assert (overall["gold"], overall["pred"]) == (3, 3)
    assert result["counts"] == {"gold_spans": 5, "pred_spans": 4}
    printed = capsys.readouterr().out
    assert "1 gold span(s) have no name in SemEval-2020's 14 classes" in printed
    assert "1 overlapping predicted span(s) merged" in printed
    assert "1 predicted span(s) in 1 article(s) without gold spans" in printed
    assert "span identification" in printed


def test_si_in_ptcs_view_counts_the_obfuscation_span(gold: Path, tmp_path: Path) -> None:
    pred = write(tmp_path / "si.txt", ["1\t15\t35", "1\t50\t60", "3\t5\t15"])
    result = score_json(tmp_path, gold, pred, "--task", "si", "--classes", "ptc")
    # Article 3's gold 1-5 only touches the prediction 5-15: P stays (0.5 + 1 + 0) / 3, R
    # gains a fourth gold span with no credit, (0.5 + 0.5 + 0 + 0) / 4 = 0.25, F1 = 1/3.
    assert figures(result["overall"]) == (0.5, 0.25, 0.3333)


def test_si_empty_prediction_scores_zero(gold: Path, tmp_path: Path) -> None:
    result = score_json(tmp_path, gold, write(tmp_path / "empty.txt", []), "--task", "si")
    assert figures(result["overall"]) == (0.0, 0.0, 0.0)


def test_si_metric_is_the_one_agreement_uses() -> None:
    # Two empty sides: the scorer's compute_prec_rec_f1 gives P = R = 0 and F1 = 1.
    assert figures(partial_overlap([], [])) == (0.0, 0.0, 1.0)


# Technique classification -----------------------------------------------------------------

#: The gold spans in the export's order, each with a predicted class: two right in article
#: 1, one wrong (Doubt read as Name_Calling); on article 2's doubly labelled span the
#: prediction says Flag-Waving and Doubt.
TC_PREDICTION = [
    f"1\t{LL}\t10\t20",
    f"1\t{NC}\t30\t50",
    f"1\t{NC}\t40\t60",
    f"2\t{DOUBT}\t0\t10",
    f"2\t{FW}\t0\t10",
]


def test_tc_micro_and_per_class_by_hand(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = score_json(tmp_path, gold, write(tmp_path / "tc.txt", TC_PREDICTION), "--task", "tc")
    # Pairs, equal labels first on the shared span: (LL, LL), (Doubt, NC), (NC, NC),
    # (FW, FW), (LL, Doubt): 3 of 5 right, micro P = R = F1 = 0.6.
    assert figures(result["overall"]) == (0.6, 0.6, 0.6)
    assert result["counts"] == {"spans": 5, "correct": 3}
    by_class = result["by_class"]
    assert isinstance(by_class, dict)
    assert list(by_class) == CLASSES
    # LL: 2 gold, 1 predicted, 1 right: P 1, R 0.5, F1 2*1/(2+1).
    assert figures(by_class[LL]) == (1.0, 0.5, 0.6667)
    # NC: 1 gold, 2 predicted, 1 right.  Doubt: 1 and 1, none right.  FW: 1 and 1, right.
    assert figures(by_class[NC]) == (0.5, 1.0, 0.6667)
    assert figures(by_class[DOUBT]) == (0.0, 0.0, 0.0)
    assert figures(by_class[FW]) == (1.0, 1.0, 1.0)
    # A class with no gold and no predicted span scores 0, as scikit-learn's f1_score.
    assert figures(by_class["Slogans"]) == (0.0, 0.0, 0.0)
    assert "gold file's order" not in capsys.readouterr().out


def test_tc_order_does_not_change_the_score_but_is_flagged(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shuffled = write(tmp_path / "tc.txt", list(reversed(TC_PREDICTION)))
    result = score_json(tmp_path, gold, shuffled, "--task", "tc")
    assert figures(result["overall"]) == (0.6, 0.6, 0.6)
    assert "not in the gold file's order" in capsys.readouterr().out


def test_tc_with_ptc_names(gold: Path, tmp_path: Path) -> None:
    # In PTC's 18 techniques article 3's Obfuscation span is gold too, and is predicted
    # right; the span 40-60 is now predicted wrong: 3 of 6 right.
    rows = [row.replace(f"\t{NC}\t40", "\tRepetition\t40") for row in TC_PREDICTION]
    rows.append(f"3\t{OBFUSCATION}\t1\t5")
    result = score_json(
        tmp_path, gold, write(tmp_path / "tc.txt", rows), "--task", "tc", "--classes", "ptc"
    )
    assert figures(result["overall"]) == (0.5, 0.5, 0.5)
    by_class = result["by_class"]
    assert isinstance(by_class, dict)
    assert list(by_class) == schema().techniques.names


def test_pairing_puts_equal_labels_together_whatever_the_line_order() -> None:
    gold = [Span("1", "A", 0, 5), Span("1", "B", 0, 5)]
    assert sorted(pair_labels(gold, [Span("1", "B", 0, 5), Span("1", "A", 0, 5)])) == [
        ("A", "A"),
        ("B", "B"),
    ]
    result = technique_classification([("A", "A"), ("B", "A")], ["A", "B"])
    assert (result.correct, figures(result.by_class["A"])) == (1, (0.5, 1.0, 0.6667))


# Sentence level ---------------------------------------------------------------------------


def test_propaganda_class_by_hand() -> None:
    # 5 lines: gold P P N N P, predicted P N P N N: 1 true positive, 1 false positive,
    # 2 false negatives: P = 1/2, R = 1/3, F1 = 0.4.
    gold = [True, True, False, False, True]
    pred = [True, False, True, False, False]
    result = positive_class(list(zip(gold, pred, strict=True)))
    assert figures(result) == (0.5, 0.3333, 0.4)
    assert (result.gold, result.pred) == (3, 2)
    assert figures(positive_class([(False, False)])) == (0.0, 0.0, 0.0)


#: Six lines: "Title\n" 0-6, "\n" 6-7, "Line three.\n" 7-19, "Line four.\n" 19-30, "\n" 30-31
#: and "Line six.\n" 31-41.
LINES_TEXT = "Title\n\nLine three.\nLine four.\n\nLine six.\n"


@pytest.fixture(scope="module")
def lines_gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Article 1 with spans on lines 3 and 6; article 2 annotated without spans; article 3
    not annotated (no label file), so its lines have no gold label."""
    return build_corpus(
        tmp_path_factory.mktemp("lines-gold"),
        {"gold": {"1": [(LL, 7, 11), (DOUBT, 31, 35)], "2": []}},
        ["1", "2", "3"],
        LINES_TEXT,
    )


def slc_rows(propaganda: set[tuple[str, int]]) -> list[str]:
    return [
        f"{article}\t{line}\t{'propaganda' if (article, line) in propaganda else 'non-propaganda'}"
        for article in ("1", "2")
        for line in range(1, 7)
    ]


def test_slc_by_hand(lines_gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Gold: article 1 lines 3 and 6. Predicted: article 1 lines 3 and 4, article 2 line 1.
    # 1 true positive, 2 false positives, 1 false negative: P 1/3, R 1/2, F1 0.4.
    pred = write(tmp_path / "slc.txt", slc_rows({("1", 3), ("1", 4), ("2", 1)}))
    result = score_json(tmp_path, lines_gold, pred, "--task", "slc")
    assert figures(result["overall"]) == (0.3333, 0.5, 0.4)
    assert result["counts"] == {"lines": 12, "articles": 2}
    assert "1 article(s) are not annotated in layer gold" in capsys.readouterr().out


def test_slc_all_negative_prediction_scores_zero(lines_gold: Path, tmp_path: Path) -> None:
    pred = write(tmp_path / "slc.txt", slc_rows(set()))
    assert figures(score_json(tmp_path, lines_gold, pred, "--task", "slc")["overall"]) == (
        0.0,
        0.0,
        0.0,
    )


def test_slc_export_is_its_own_perfect_prediction(
    lines_gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "slc.txt"
    assert main(["export", str(lines_gold), "--task", "slc", "--out", str(out)]) == 0
    assert out.read_text("utf-8").splitlines() == slc_rows({("1", 3), ("1", 6)})
    assert "1 article(s) not annotated in layer gold" in capsys.readouterr().err
    assert figures(score_json(tmp_path, lines_gold, out, "--task", "slc")["overall"]) == (
        1.0,
        1.0,
        1.0,
    )


def test_slc_layer_must_be_the_one_that_labels_the_lines(
    lines_gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pred = write(tmp_path / "slc.txt", slc_rows(set()))
    args = ["score", "--gold", str(lines_gold), "--pred", str(pred), "--task", "slc"]
    assert main([*args, "--layer", "other"]) == EXIT_INPUT_ERROR
    message = capsys.readouterr().err
    assert "labelled by layer 'gold', not 'other'" in message
    assert "--label-layer other" in message


# Bad prediction files ---------------------------------------------------------------------

LENGTH = len(ARTICLE_TEXT)
BAD_FILES = {
    "si-unknown-article": ("si", ["1\t10\t20", "77\t1\t2"], 2, "unknown article 77"),
    "si-past-the-end": (
        "si",
        [f"1\t{LENGTH - 5}\t{LENGTH + 1}"],
        1,
        f"runs past the end of article 1, which has {LENGTH} code points",
    ),
    "si-wrong-columns": ("si", ["1\tDoubt\t10\t20"], 1, "expected 3 tab-separated columns"),
    "si-reversed": ("si", ["1\t20\t10"], 1, "start 20 is not before end 10"),
    "si-not-an-offset": ("si", ["1\tten\t20"], 1, "the start offset 'ten' is not an integer"),
    "tc-unknown-technique": ("tc", ["1\tLoaded_Langauge\t10\t20"], 1, "unknown technique"),
    "tc-ptc-name-in-semeval-mode": (
        "tc",
        [*TC_PREDICTION[:4], "2\tWhataboutism\t0\t10"],
        5,
        "Whataboutism is one of PTC's 18 techniques (SemEval-2020 names it "
        "Whataboutism,Straw_Men,Red_Herring)",
    ),
    "tc-unknown-article": ("tc", [f"5\t{LL}\t10\t20"], 1, "unknown article 5"),
    "tc-past-the-end": ("tc", [f"1\t{LL}\t10\t{LENGTH + 40}"], 1, "runs past the end"),
    "tc-wrong-columns": ("tc", ["1\t10\t20"], 1, "expected 4 tab-separated columns"),
    "tc-not-a-gold-span": (
        "tc",
        [*TC_PREDICTION[:2], f"1\t{NC}\t41\t60"],
        3,
        "the span 41-60 of article 1 is not a gold span of layer gold",
    ),
    "tc-span-twice": (
        "tc",
        [TC_PREDICTION[0], TC_PREDICTION[0]],
        2,
        "is predicted more often than the gold lists it",
    ),
    "tc-missing-spans": ("tc", TC_PREDICTION[:3], None, "2 gold span(s) have no prediction"),
    "tc-span-the-class-set-left-out": (
        "tc",
        [*TC_PREDICTION, f"3\t{LL}\t1\t5"],
        6,
        "the span 1-5 of article 3 is left out of the gold in the semeval class set (no "
        "SemEval-2020 class",
    ),
}
ALL_NEGATIVE = slc_rows(set())
BAD_LINE_FILES = {
    "slc-unknown-article": ("slc", [*ALL_NEGATIVE, "8\t1\tpropaganda"], 13, "unknown article 8"),
    "slc-not-annotated": (
        "slc",
        ["3\t1\tpropaganda"],
        1,
        "article 3 has no gold line labels",
    ),
    "slc-past-the-end": ("slc", ["1\t7\tpropaganda"], 1, "line 7 is past the end of article 1"),
    "slc-line-zero": ("slc", ["1\t0\tpropaganda"], 1, "not a whole number from 1"),
    "slc-twice": ("slc", [*ALL_NEGATIVE[:3], ALL_NEGATIVE[1]], 4, "predicted twice"),
    "slc-bad-label": ("slc", ["1\t1\tmaybe"], 1, "neither propaganda nor non-propaganda"),
    "slc-wrong-columns": ("slc", ["1\tpropaganda"], 1, "expected 3 tab-separated columns"),
    "slc-missing-lines": (
        "slc",
        ALL_NEGATIVE[:-1],
        None,
        "1 gold line(s) have no prediction, the first: article 2 line 6",
    ),
}


@pytest.mark.parametrize("case", [*BAD_FILES, *BAD_LINE_FILES])
def test_bad_prediction_files_stop_with_file_and_line(
    gold: Path, lines_gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    task, rows, line, problem = {**BAD_FILES, **BAD_LINE_FILES}[case]
    if case in BAD_LINE_FILES:
        gold = lines_gold
    pred = write(tmp_path / "pred.txt", rows)
    out = tmp_path / "figures.json"
    args = ["score", "--gold", str(gold), "--pred", str(pred), "--task", task, "--json", str(out)]
    assert main(args) == EXIT_INPUT_ERROR
    message = capsys.readouterr().err
    where = f"{pred}:{line}" if line is not None else f"{pred}"
    assert message.startswith(f"error: {where}: "), message
    assert problem in message
    assert "\n  fix: " in message
    assert "Traceback" not in message
    assert not out.exists()


def test_a_missing_prediction_file(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for task in ("si", "tc", "slc"):
        missing = tmp_path / "missing.txt"
        args = ["score", "--gold", str(gold), "--pred", str(missing), "--task", task]
        assert main(args) == EXIT_INPUT_ERROR
        assert f"error: {missing}: no such file" in capsys.readouterr().err
