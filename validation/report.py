"""A validation report and its three renderings: a terminal summary, JSON and HTML.

All three give exact figures: every check says how many rows fail it, and when it lists
fewer rows than that, says "showing the first N of M". The HTML page is rendered from a
Jinja2 template into one self-contained file (inline styles, no scripts, nothing fetched
from the internet), so it opens anywhere, offline, years from now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataset.owned import write_folder
from validation.tally import EXAMPLES_KEPT, NOT_RUN, CheckResult

#: Failing rows shown per check in the terminal and in the HTML page (the JSON report keeps
#: up to EXAMPLES_KEPT).
CONSOLE_ROWS = 5
HTML_ROWS = 100
STATUSES = ("passed", "allowed", "warning", "failed", "error", "skipped")


def showing(shown: int, total: int) -> str:
    return f"showing the first {shown:,} of {total:,}" if shown < total else f"all {total:,}"


@dataclass
class Report:
    folder: Path
    version: str
    previous_release: Path | None
    checks: list[CheckResult]
    #: Rows per table, and wall-clock seconds per phase, for the benchmarks and for anyone
    #: wondering where the time goes.
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    batches: int = 0
    #: The level a partial run (``--level N``) stopped after; None when every level ran.
    stopped_after: int | None = None

    @property
    def complete(self) -> bool:
        """Whether every level ran: a release (and a build's gate) needs that."""
        return self.stopped_after is None

    @property
    def ok(self) -> bool:
        """False when an error-level check failed, or any check could not run."""
        return not any(
            result.status == "error"
            or (result.status == "failed" and result.check.severity == "error")
            for result in self.checks
        )

    def result(self, check_id: str) -> CheckResult:
        return next(r for r in self.checks if r.check.id == check_id)

    def to_json(self) -> dict[str, Any]:
        # A complete run's report is as it always was; a partial one says where it stopped.
        statuses = STATUSES if self.complete else (*STATUSES, NOT_RUN)
        partial = {} if self.complete else {"stopped_after_level": self.stopped_after}
        return {
            "dataset": self.folder.name,
            "version": self.version,
            "previous_release": self.previous_release.name if self.previous_release else None,
            "ok": self.ok,
            **partial,
            "counts": {
                status: sum(1 for r in self.checks if r.status == status) for status in statuses
            },
            "rows": self.rows,
            "batches": self.batches,
            "seconds": self.seconds,
            "cpu_seconds": self.cpu_seconds,
            "examples_kept_per_check": EXAMPLES_KEPT,
            "checks": [check_json(result) for result in self.checks],
        }


def check_json(result: CheckResult) -> dict[str, Any]:
    shown = len(result.examples)
    return {
        "id": result.check.id,
        "severity": result.check.severity,
        "level": int(result.check.level),
        "tables": list(result.check.tables),
        "description": result.check.description,
        "status": result.status,
        "failing_rows": result.failing,
        "allowed_rows": result.allowed,
        "violations_total": result.violations,
        "violations_shown": shown,
        "violations_note": showing(shown, result.violations) if result.violations else "",
        "not_judged_rows": result.not_judged,
        "errors": result.errors,
        "violations": [violation.to_json() for violation in result.examples],
    }


def not_judged_note(result: CheckResult) -> str:
    if not result.not_judged:
        return ""
    parts = ", ".join(f"{count:,} {table}" for table, count in result.not_judged.items())
    below = "level 1" if result.check.level == 2 else f"levels 1-{int(result.check.level) - 1}"
    return f"not judged: {parts} row(s) that failed (or belong to an article that failed) {below}"


def summary_lines(report: Report) -> list[str]:
    lines = [f"{'check':30} {'level':>5} {'severity':8} {'status':8} {'failing':>9} {'allowed':>8}"]
    for result in report.checks:
        lines.append(
            f"{result.check.id:30} {int(result.check.level):>5} {result.check.severity:8} "
            f"{result.status:8} {result.failing:>9,} {result.allowed:>8,}"
        )
        shown = result.examples[:CONSOLE_ROWS]
        for violation in shown:
            allowed = (
                f" (allowed: {violation.allowed_because})" if violation.allowed_because else ""
            )
            lines.append(f"    {violation.table} {violation.row}: {violation.detail}{allowed}")
        if result.violations > len(shown):
            lines.append(
                f"    {showing(len(shown), result.violations)} "
                f"(the JSON report lists the first {min(result.violations, EXAMPLES_KEPT):,})"
            )
        note = not_judged_note(result)
        if note:
            lines.append(f"    {note}")
        lines.extend(f"    error: {error}" for error in result.errors)
    rows = ", ".join(f"{name} {count:,}" for name, count in report.rows.items())
    total = report.seconds.get("total", sum(report.seconds.values()))
    lines.append(f"rows: {rows}; {report.batches} batch(es); {total:.1f} s")
    if not report.complete:
        lines.append(
            f"stopped after level {report.stopped_after}: the checks above it were not run "
            "(a partial run never gates a build or a release)"
        )
    lines.append("validation " + ("passed" if report.ok else "FAILED"))
    return lines


def print_summary(report: Report) -> None:
    print("\n".join(summary_lines(report)))


def render_html(report: Report) -> str:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("validation", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    template = environment.get_template("report.html.j2")
    return template.render(
        report=report,
        verdict="passed" if report.ok else "failed",
        results=report.checks,
        html_rows=HTML_ROWS,
        showing=showing,
        not_judged_note=not_judged_note,
        examples_kept=EXAMPLES_KEPT,
    )


#: The files of a report folder, which is all a report folder from before the marker held.
REPORT_FILES = ("validation.json", "validation.html")


def write_reports(report: Report, out: Path) -> list[Path]:
    """Replace the report folder ``out`` with both reports at once (see ``dataset.owned``:
    a folder holding other files is refused)."""
    contents = {
        "validation.json": json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n",
        "validation.html": render_html(report),
    }
    return write_folder(out, contents, "--reports", "reports", legacy=frozenset(REPORT_FILES))
