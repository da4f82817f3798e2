"""Tests of ``python -m dataset adjudicate``: every kind of disagreement on a hand-made
article, a disagreement left undecided, bad decisions files (each an input error at its
line), the gold layer it writes and the build that reads it."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dataset.annotation.adjudicate import disagreements, gold_spans, read_decisions, read_layers
from dataset.builder.pipeline import build
from dataset.cli import main
from dataset.errors import InputError
from dataset.ptc.corpus import discover

TEXT = (
    "A title\n\nThe corrupt regime always lies about everything.\n\n"
    "They are traitors and cowards.\n"
)
LL, EXAG, NC, DOUBT = (
    "Loaded_Language",
    "Exaggeration,Minimisation",
    "Name_Calling,Labeling",
    "Doubt",
)
WSR, STRAW = "Whataboutism,Straw_Men,Red_Herring", "Straw_Men"


def at(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


LAYERS = {
    "alice": [
        (LL, "corrupt regime"),
        (EXAG, "always lies about everything"),
        (NC, "traitors"),
        (STRAW, "cowards"),
    ],
    "bob": [
        (LL, "corrupt regime"),
        (EXAG, "always"),
        (DOUBT, "traitors"),
        (WSR, "cowards"),
        (LL, "lies"),
    ],
}


def corpus(root: Path) -> Path:
    (root / "articles").mkdir(parents=True)
    (root / "labels").mkdir()
    (root / "articles" / "article1.txt").write_text(TEXT, "utf-8", newline="")
    for layer, spans in LAYERS.items():
        rows = "".join(f"1\t{label}\t{at(f)[0]}\t{at(f)[1]}\n" for label, f in spans)
        (root / "labels" / f"article1.{layer}.labels").write_text(rows, "utf-8")
    return root


DECISIONS = """\
article_id: "1"
layers: [alice, bob]
decisions:
  - disagreement: "1:{exag}"
    action: merge
    reason: both mark the generalisation; the longer span holds the claim it inflates
  - disagreement: "1:{traitors}"
    action: relabel
    technique: Name_Calling,Labeling
    reason: a label for a group, not doubt about its good faith
  - disagreement: "1:{cowards}"
    action: keep
    layer: alice
    reason: the PTC technique is more precise than SemEval's merged class
  - disagreement: "1:{lies}"
    action: drop
    reason: the verb reports the claim; the charge is in "always"
  - action: add
    technique: Name_Calling,Labeling
    fragment: cowards
    reason: a label both layers missed
"""


def ids() -> dict[str, str]:
    exag = at("always lies about everything")
    return {
        "exag": f"{exag[0]}-{exag[1]}",
        "traitors": "{}-{}".format(*at("traitors")),
        "cowards": "{}-{}".format(*at("cowards")),
        "lies": "{}-{}".format(*at("lies")),
    }


def write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def test_disagreements_of_every_kind(tmp_path: Path) -> None:
    source = corpus(tmp_path / "raw")
    spans = read_layers(next(iter(discover(source))), ["alice", "bob"])
    found = {item.id: item.kinds for item in disagreements(spans)}
    names = ids()
    assert found == {
        f"1:{names['exag']}": ("boundaries",),
        f"1:{names['lies']}": ("one-layer",),
        f"1:{names['traitors']}": ("technique",),
        f"1:{names['cowards']}": ("semeval-class",),
    }  # the Loaded_Language span both hold is no disagreement


def test_undecided_disagreements_are_named_and_no_gold_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = corpus(tmp_path / "raw")
    assert main(["adjudicate", "--source", str(source), "--layers", "alice", "bob"]) == 1
    assert "4 disagreement(s) between alice, bob" in capsys.readouterr().out
    decisions = DECISIONS.format(**ids()).split('  - disagreement: "1:' + ids()["lies"])[0]
    path = write(tmp_path / "article1.yaml", decisions)
    assert main(["adjudicate", str(path), "--source", str(source)]) == 2
    err = capsys.readouterr().err
    assert f"1 disagreement(s) undecided: 1:{ids()['lies']}" in err
    assert not list(source.glob("labels/*gold*"))


def test_gold_is_written_with_its_provenance_and_builds(tmp_path: Path) -> None:
    source = corpus(tmp_path / "raw")
    path = write(tmp_path / "article1.yaml", DECISIONS.format(**ids()))
    assert main(["adjudicate", str(path), "--source", str(source)]) == 0
    labels = (source / "labels" / "article1.gold.labels").read_text("utf-8").splitlines()
    rationales = (source / "labels" / "article1.gold.rationale.tsv").read_text("utf-8")
    expected = [
        (LL, *at("corrupt regime")),
        (EXAG, *at("always lies about everything")),
        (NC, *at("traitors")),
        (NC, *at("cowards")),
        (STRAW, *at("cowards")),
    ]
    assert sorted(labels) == sorted(f"1\t{label}\t{s}\t{e}" for label, s, e in expected)
    assert "[from alice, bob]" in rationales  # the span both layers hold
    assert "[merged from alice, bob]" in rationales
    assert "[relabelled Doubt/Name_Calling,Labeling from bob] a label" in rationales
    assert "[from alice]" in rationales and "[added] a label both layers missed" in rationales
    assert main(["adjudicate", str(path), "--source", str(source), "--check"]) == 0
    # The gold layer labels the lines of a build, with no --label-layer needed.
    out = build(source, tmp_path / "built", progress=False, log=lambda _m: None).out
    lines = pq.read_table(out / "lines").to_pylist()
    assert {row["label_layer"] for row in lines} == {"gold"}
    assert [row["line"] for row in lines if row["has_propaganda"]] == [3, 5]
    # A gold file edited by hand is caught.
    gold = source / "labels" / "article1.gold.labels"
    with gold.open("a", encoding="utf-8") as handle:
        handle.write("1\tDoubt\t0\t1\n")
    assert main(["adjudicate", str(path), "--source", str(source), "--check"]) == 1


#: (text replaced, its replacement, what the problem says, the line it names)
BAD = {
    "unknown key": ("    reason: both mark", "    reson: both mark", "unknown key", 6),
    "wrong type": ("layers: [alice, bob]", "layers: alice", "layers", 2),
    "no reason": (
        "    reason: both mark",
        "    # reason: both mark",
        "decisions, entry 1: missing key reason",
        4,
    ),
    "a key the action takes not": (
        "action: merge",
        "action: merge\n    layer: bob",
        "merge takes no layer",
        4,
    ),
    "dangling id": ('  - disagreement: "1:', '  - disagreement: "1:9', "no disagreement", 4),
    "unknown layer": ("    layer: alice", "    layer: carol", "layer 'carol'", 13),
    "unknown technique": (
        "technique: Name_Calling,Labeling\n    reason: a",
        "technique: Name_calling\n    reason: a",
        "unknown technique",
        9,
    ),
    "decided twice": ('"1:{lies}"', '"1:{exag}"', "decided twice", 15),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_decisions_file_is_an_input_error_at_its_line(tmp_path: Path, case: str) -> None:
    old, new, problem, line = BAD[case]
    source = corpus(tmp_path / "raw")
    assert old in DECISIONS
    path = write(tmp_path / "article1.yaml", DECISIONS.replace(old, new, 1).format(**ids()))
    with pytest.raises(InputError) as error:
        decisions = read_decisions(path)
        gold_spans(read_layers(next(iter(discover(source))), ["alice", "bob"]), decisions)
    assert problem in error.value.problem
    assert error.value.line == line
    assert error.value.path == path
