"""Validate a built dataset folder: ``python -m validation [DIR]``.

Runs every check of the catalogue, prints a summary table, writes a JSON and a
self-contained HTML report, and exits non-zero when an error-level check fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from packaging.version import InvalidVersion, Version

from dataset.errors import InputError
from dataset.project import BUILD_DIR, RELEASES_DIR, dataset_version
from dataset.schema import TABLE_NAMES, schema
from validation import rules
from validation.allowlist import AllowlistEntry, read_allowlist
from validation.catalogue import CHECKS
from validation.expectations import (
    ExpectationOutcome,
    ExpectationRunner,
    column_expectations,
    rule_expectations,
)
from validation.load import LoadedDataset, load
from validation.report import CheckResult, Report, Violation, print_summary, write_reports


def previous_release(current: str = "", releases: Path = RELEASES_DIR) -> Path | None:
    """The newest release folder older than ``current`` (default: this version)."""
    now = Version(current or dataset_version())
    found: list[tuple[Version, Path]] = []
    for folder in releases.glob("v*"):
        try:
            version = Version(folder.name[1:])
        except InvalidVersion:
            continue
        if version < now:
            found.append((version, folder))
    return max(found)[1] if found else None


class _Collector:
    """Gathers violations per check, with the row details the report shows."""

    def __init__(self, data: LoadedDataset) -> None:
        self.data = data
        self.violations: dict[str, list[Violation]] = {check.id: [] for check in CHECKS}
        self.errors: dict[str, list[str]] = {check.id: [] for check in CHECKS}
        self.ran: set[str] = set()

    def row(self, table: str, position: int, detail: str) -> Violation:
        data = self.data.tables[table]
        key_columns = schema().tables[table].primary_key

        def value(column: str) -> Any:
            if column not in data.column_names:
                return None
            return data.column(column)[position].as_py()

        key = ":".join(str(value(c)) for c in key_columns)
        return Violation(
            table=table,
            row=key,
            position=position,
            article_id=value("article_id"),
            start=value("start"),
            end=value("end"),
            detail=detail,
        )

    def add_outcomes(
        self, outcomes: list[ExpectationOutcome], details: dict[str, rules.RuleOutcome]
    ) -> None:
        for outcome in outcomes:
            self.ran.add(outcome.check_id)
            if outcome.error is not None:
                self.errors[outcome.check_id].append(
                    f"{outcome.table}.{outcome.column or '*'} {outcome.expectation}: "
                    f"{outcome.error}"
                )
                continue
            if outcome.success:
                continue
            if outcome.expectation == "expect_table_columns_to_match_ordered_list":
                self.violations[outcome.check_id].append(
                    Violation(
                        table=outcome.table,
                        row=outcome.table,
                        detail=f"columns {outcome.observed}; expected "
                        f"{schema().tables[outcome.table].column_names}",
                    )
                )
                continue
            rule = details.get(outcome.check_id)
            for position, found in zip(outcome.positions, outcome.values, strict=False):
                if rule is not None:
                    detail = rule.describe(position)
                else:
                    detail = f"{outcome.column} = {found!r} fails {outcome.expectation}"
                self.violations[outcome.check_id].append(self.row(outcome.table, position, detail))

    def add_plain(self, check_id: str, table: str, row: str, detail: str) -> None:
        self.violations[check_id].append(Violation(table=table, row=row, detail=detail))


def _frame(data: LoadedDataset, table: str) -> pd.DataFrame:
    """The table in the form its column expectations need. Columns whose only column-level
    rule is non-nullness (free text, lists) are passed as their lengths, nulls kept: turning
    millions of long strings and lists into pandas objects would cost more time and memory
    than the checks on them."""
    spec = schema().tables[table]
    columns: dict[str, Any] = {}
    arrow = data.tables[table]
    for name in arrow.column_names:
        values = arrow.column(name)
        field = spec.field(name) if name in spec.column_names else None
        if pa.types.is_list(values.type):
            values = pc.list_value_length(values)
        elif pa.types.is_integer(values.type):
            # Great Expectations vectorises range checks only for int64 and float64.
            values = values.cast(pa.int64())
        elif (
            field is not None
            and field.type == "string"
            and field.pattern is None
            and field.allowed is None
            and name not in spec.primary_key
        ):
            values = pc.utf8_length(values)
        columns[name] = values
    frame: pd.DataFrame = pa.table(columns).to_pandas()
    return frame


def _run_table_rules(
    runner: ExpectationRunner,
    collector: _Collector,
    table: str,
    candidates: list[rules.RuleOutcome | None],
) -> None:
    outcomes = [outcome for outcome in candidates if outcome is not None]
    frame = pd.DataFrame({outcome.check_id: outcome.ok for outcome in outcomes})
    results = runner.run(table, frame, rule_expectations(list(frame.columns)), suite="rules")
    collector.add_outcomes(results, {outcome.check_id: outcome for outcome in outcomes})


def _run_listed_rule(
    runner: ExpectationRunner,
    collector: _Collector,
    check_id: str,
    findings: list[tuple[str, str, bool, str]],
) -> None:
    """Rules over small lists (table, row, ok, detail) rather than table rows; a rule with
    nothing to compare (no previous release, say) counts as skipped."""
    if not findings:
        return
    collector.ran.add(check_id)
    frame = pd.DataFrame({check_id: [ok for _, _, ok, _ in findings]})
    for outcome in runner.run(check_id, frame, rule_expectations([check_id]), suite="listed"):
        for position in outcome.positions:
            table, row, _, detail = findings[position]
            collector.add_plain(check_id, table, row, detail)


@contextmanager
def _timed(seconds: dict[str, float], phase: str) -> Iterator[None]:
    began = time.perf_counter()
    yield
    seconds[phase] = seconds.get(phase, 0.0) + time.perf_counter() - began


def validate_dataset(
    folder: Path,
    *,
    allowlist: Sequence[AllowlistEntry] = (),
    previous: Path | None = None,
) -> Report:
    """Run every check of the catalogue on a built dataset folder."""
    seconds: dict[str, float] = {}
    with _timed(seconds, "load"):
        data = load(folder)
    runner = ExpectationRunner()
    collector = _Collector(data)
    for table in data.missing:
        collector.add_plain("schema-columns", table, table, f"no Parquet files for table {table!r}")
    collector.ran.add("schema-columns")
    for table in TABLE_NAMES:
        if table in data.tables:
            with _timed(seconds, table):
                expectations = [
                    e
                    for e in column_expectations(schema().tables[table])
                    if getattr(e, "column", None) is None
                    or e.column in data.tables[table].column_names
                ]
                collector.add_outcomes(runner.run(table, _frame(data, table), expectations), {})
    with _timed(seconds, "schema"):
        _run_listed_rule(runner, collector, "schema-types", rules.schema_types(data))
    if "spans" in data.tables:
        with _timed(seconds, "spans"):
            _run_table_rules(
                runner,
                collector,
                "spans",
                [
                    rules.article_exists(data, "spans"),
                    rules.semeval_mapping(data),
                    rules.derived_ids(data, "spans"),
                    rules.offsets_in_range(data, "spans"),
                    rules.text_matches_offsets(data, "spans"),
                    rules.spans_boundaries(data),
                    rules.spans_no_duplicates(data),
                    rules.spans_no_self_overlap(data),
                    rules.spans_rationale_present(data),
                ],
            )
    if "lines" in data.tables:
        with _timed(seconds, "lines"):
            _run_table_rules(
                runner,
                collector,
                "lines",
                [
                    rules.article_exists(data, "lines"),
                    rules.derived_ids(data, "lines"),
                    rules.offsets_in_range(data, "lines"),
                    rules.text_matches_offsets(data, "lines"),
                    rules.lines_tile(data) if "articles" in data.tables else None,
                    rules.lines_labels(data) if "spans" in data.tables else None,
                    rules.list_class_ids(data),
                ],
            )
    if "articles" in data.tables:
        with _timed(seconds, "articles"):
            _run_table_rules(
                runner,
                collector,
                "articles",
                [
                    rules.articles_hash_length(data),
                    rules.articles_provenance_hash(data),
                    rules.articles_provenance_present(data),
                ],
            )
    with _timed(seconds, "techniques"):
        if "techniques" in data.tables:
            _run_listed_rule(
                runner, collector, "keys-taxonomy", rules.techniques_match_schema(data)
            )
        _run_listed_rule(
            runner,
            collector,
            "taxonomy-stable",
            [("techniques", row, ok, d) for row, ok, d in rules.taxonomy_stable(data, previous)],
        )
    report = _report(folder, collector, allowlist, previous)
    report.seconds = {phase: round(value, 3) for phase, value in seconds.items()}
    report.rows = {name: table.num_rows for name, table in data.tables.items()}
    return report


def _report(
    folder: Path, collector: _Collector, allowlist: Sequence[AllowlistEntry], previous: Path | None
) -> Report:
    allowed = {(entry.check, entry.row): entry for entry in allowlist}
    used: set[tuple[str, str]] = set()
    results: list[CheckResult] = []
    for check in CHECKS:
        violations = collector.violations[check.id]
        for violation in violations:
            entry = allowed.get((check.id, violation.row))
            if entry is not None:
                violation.allowed_because = entry.reason
                used.add((check.id, violation.row))
        if check.id == "allowlist-current":
            violations.extend(
                Violation(
                    table="allowlist",
                    row=f"{e.check}:{e.row}",
                    detail=f"matches no violation ({e.reason})",
                )
                for key, e in allowed.items()
                if key not in used
            )
        results.append(
            CheckResult(
                check=check,
                violations=violations,
                errors=collector.errors[check.id],
                ran=check.id in collector.ran or check.id == "allowlist-current",
            )
        )
    return Report(
        folder=folder,
        version=dataset_version(),
        previous_release=previous,
        checks=results,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder", nargs="?", type=Path, default=BUILD_DIR, help="built dataset folder"
    )
    parser.add_argument("--allowlist", type=Path, help="YAML list of accepted violations")
    parser.add_argument(
        "--previous",
        help="previous release folder for taxonomy-stable ('none' to skip; default: the newest "
        "release under releases/ older than this version)",
    )
    parser.add_argument(
        "--reports", type=Path, help="folder for validation.json and validation.html"
    )
    parser.add_argument("--no-reports", action="store_true", help="print the summary only")
    parser.add_argument(
        "--list-checks", action="store_true", help="print the check catalogue and exit"
    )


def run(args: argparse.Namespace) -> int:
    if args.list_checks:
        for check in CHECKS:
            print(f"{check.id:30} {check.severity:8} {check.description}")
        return 0
    if not args.folder.is_dir():
        raise InputError(args.folder, "no such dataset folder", "build it first: nox -s build")
    allowlist = read_allowlist(args.allowlist) if args.allowlist else []
    if args.previous is None:
        previous = previous_release()
    elif args.previous == "none":
        previous = None
    else:
        previous = Path(args.previous)
    report = validate_dataset(args.folder, allowlist=allowlist, previous=previous)
    print_summary(report)
    if not args.no_reports:
        out = args.reports or args.folder.parent / f"{args.folder.name}-validation"
        for path in write_reports(report, out):
            print(f"wrote {path}")
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m validation", description=__doc__)
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except InputError as error:
        print(error.render(), file=sys.stderr)
        return 2
