"""``python -m dataset agreement``: arguments, one call into
``dataset.annotation.agreement`` (with gamma when pygamma-agreement is installed), and the
tables on the terminal (and in ``--json``)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from dataset.annotation import gamma
from dataset.annotation.agreement import (
    AgreementReport,
    Side,
    agreement,
    chance_corrected,
    format_chance,
    format_table,
    load_layer,
    load_path,
)
from dataset.commands.options import chosen_schema
from dataset.errors import InputError
from dataset.files import write_atomically
from dataset.project import RAW_DIR
from dataset.schema import Schema, add_schema_option

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Measure how far two annotation layers agree: SemEval-2020 Task 11 partial-overlap
precision, recall and F1 per technique and overall; with --layers also gamma (the measure
PTC reports) and Cohen's kappa on the lines. Compare two layers of a corpus (--source DIR
--layers GOLD PRED) or two label files or folders (--gold PATH --pred PATH); --semeval
compares the 14 SemEval-2020 classes instead of the 18 techniques.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"folder searched for article<ID>.<layer>.labels (default: {RAW_DIR})",
    )
    parser.add_argument(
        "--layers",
        nargs=2,
        metavar=("GOLD", "PRED"),
        help="the two layers to compare: the first is the reference",
    )
    parser.add_argument("--gold", type=Path, help="reference: a PTC label file or a folder of them")
    parser.add_argument("--pred", type=Path, help="compared side: a label file or a folder")
    parser.add_argument(
        "--semeval",
        action="store_true",
        help="map the 18 techniques to the 14 SemEval-2020 classes before comparing",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    add_schema_option(parser)


def _usage_error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _sides(
    args: argparse.Namespace, spec: Schema
) -> tuple[Side, Side, frozenset[str], Path | None]:
    """The two sides, the articles compared, and the source folder (``--layers`` only)."""
    if args.layers is not None:
        source: Path = args.source if args.source is not None else RAW_DIR
        gold_layer, pred_layer = args.layers
        gold = load_layer(source, gold_layer, spec)
        pred = load_layer(source, pred_layer, spec)
        articles = gold.articles & pred.articles
        if not articles:
            raise InputError(
                source,
                f"layers {gold_layer!r} and {pred_layer!r} have no article in common",
                "annotate the same articles in both layers before comparing them",
            )
        return gold, pred, articles, source
    gold = load_path(args.gold, spec)
    pred = load_path(args.pred, spec)
    return gold, pred, gold.articles, None


def _usage_problem(args: argparse.Namespace) -> str | None:
    if args.layers is not None:
        if args.gold is not None or args.pred is not None:
            return "give either --layers (with --source) or --gold and --pred"
        return None
    if args.gold is not None and args.pred is not None:
        return "--source goes with --layers, not with --gold/--pred" if args.source else None
    return "give --layers GOLD PRED (and optionally --source) or --gold and --pred"


def _print_sides(report: AgreementReport, sides: tuple[Side, Side], semeval: bool) -> None:
    articles = frozenset(report.articles)
    print(f"gold: {report.gold}")
    print(f"pred: {report.pred}")
    print(f"articles compared: {len(articles)}")
    for side in sides:
        left_out = sorted(side.articles - articles)
        if left_out:
            shown = ", ".join(left_out[:10]) + (" ..." if len(left_out) > 10 else "")
            print(f"not compared (only in {side.description}): {len(left_out)}: {shown}")
    label_set = "14 SemEval-2020 classes" if semeval else "18 PTC techniques"
    print(f"labels: {label_set}; metric: SemEval-2020 Task 11 partial overlap")
    print(f"a label with fewer than {gamma.MIN_SPANS} spans in all (or none on a side): too few\n")


def _print_chance(report: AgreementReport, source: Path | None) -> None:
    if report.chance is not None:
        params = gamma.parameters()
        print(
            f"\ngamma (Mathet et al. 2015) by {params['implementation']}: alpha {params['alpha']}, "
            f"beta {params['beta']}, delta_empty {params['delta_empty']}, "
            f"{params['samples']} samples, seed {params['seed']}\n"
        )
        print(format_chance(report))
    elif source is None:
        print("\ngamma and kappa: only with --layers, whose --source holds the articles")
    else:
        print(
            "\ngamma and kappa not computed: pygamma-agreement is not installed "
            "(pip install 'propaganda-spans[agreement]')"
        )


def run(args: argparse.Namespace) -> int:
    problem = _usage_problem(args)
    if problem is not None:
        return _usage_error(problem)
    spec = chosen_schema(args)
    gold, pred, articles, source = _sides(args, spec)
    report = agreement(gold, pred, semeval=args.semeval, articles=articles, spec=spec)
    if source is not None and gamma.available():
        chance = chance_corrected(gold, pred, articles, source, args.semeval, spec=spec)
        report = replace(report, chance=chance)
    _print_sides(report, (gold, pred), args.semeval)
    print(format_table(report))
    _print_chance(report, source)
    if args.json is not None:
        write_atomically(args.json, json.dumps(report.to_json(), indent=2) + "\n")
    return 0
