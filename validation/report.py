"""Validation results and their three renderings: a terminal summary, JSON and HTML.

The HTML report is one self-contained file (inline styles, no scripts, no fonts or
stylesheets from the internet), so it opens anywhere, offline, years from now.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validation.catalogue import Check

#: Violations listed per check in the reports; counts always cover all of them.
MAX_ROWS_REPORTED = 100


@dataclass
class Violation:
    table: str
    row: str
    detail: str
    position: int | None = None
    article_id: str | None = None
    start: int | None = None
    end: int | None = None
    allowed_because: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "row": self.row,
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "detail": self.detail,
            "allowed_because": self.allowed_because,
        }


@dataclass
class CheckResult:
    check: Check
    violations: list[Violation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ran: bool = True

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if v.allowed_because is None]

    @property
    def status(self) -> str:
        if self.errors:
            return "error"
        if not self.ran:
            return "skipped"
        if self.blocking:
            return "failed" if self.check.severity == "error" else "warning"
        if self.violations:
            return "allowed"
        return "passed"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.check.id,
            "severity": self.check.severity,
            "description": self.check.description,
            "status": self.status,
            "failing_rows": len(self.blocking),
            "allowed_rows": len(self.violations) - len(self.blocking),
            "errors": self.errors,
            "violations": [v.to_json() for v in self.violations[:MAX_ROWS_REPORTED]],
        }


@dataclass
class Report:
    folder: Path
    version: str
    previous_release: Path | None
    checks: list[CheckResult]
    #: Rows per table and wall-clock seconds per phase (load, then per table), for the
    #: benchmarks and for anyone wondering where the time goes.
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """False when an error-level check failed (or could not run)."""
        return not any(
            result.status in {"failed", "error"} and result.check.severity == "error"
            for result in self.checks
        ) and not any(result.status == "error" for result in self.checks)

    def result(self, check_id: str) -> CheckResult:
        return next(r for r in self.checks if r.check.id == check_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.folder.name,
            "version": self.version,
            "previous_release": self.previous_release.name if self.previous_release else None,
            "ok": self.ok,
            "counts": {
                status: sum(1 for r in self.checks if r.status == status)
                for status in ("passed", "allowed", "warning", "failed", "error", "skipped")
            },
            "rows": self.rows,
            "seconds": self.seconds,
            "checks": [result.to_json() for result in self.checks],
        }


def summary_lines(report: Report) -> list[str]:
    lines = [f"{'check':30} {'severity':8} {'status':8} {'failing':>8} {'allowed':>8}"]
    for result in report.checks:
        allowed = len(result.violations) - len(result.blocking)
        lines.append(
            f"{result.check.id:30} {result.check.severity:8} {result.status:8} "
            f"{len(result.blocking):>8} {allowed:>8}"
        )
        for violation in result.blocking[:5]:
            lines.append(f"    {violation.table} {violation.row}: {violation.detail}")
        if len(result.blocking) > 5:
            lines.append(f"    ... and {len(result.blocking) - 5} more (see the JSON report)")
        lines.extend(f"    {error}" for error in result.errors)
    rows = ", ".join(f"{name} {count}" for name, count in report.rows.items())
    lines.append(f"rows: {rows}; {sum(report.seconds.values()):.1f} s")
    lines.append("validation " + ("passed" if report.ok else "FAILED"))
    return lines


def print_summary(report: Report) -> None:
    print("\n".join(summary_lines(report)))


STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;max-width:80rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}
.passed{color:#1b6e20}.allowed{color:#5b5b00}.warning{color:#8a5300}
.failed,.error{color:#a40000;font-weight:bold}.skipped{color:#666}
code{font-family:ui-monospace,monospace;font-size:.9em}
"""


def _html(report: Report) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td><a href='#{e(r.check.id)}'><code>{e(r.check.id)}</code></a></td>"
        f"<td>{e(r.check.severity)}</td><td class='{e(r.status)}'>{e(r.status)}</td>"
        f"<td>{len(r.blocking)}</td><td>{len(r.violations) - len(r.blocking)}</td>"
        f"<td>{e(r.check.description)}</td></tr>"
        for r in report.checks
    )
    sections = []
    for result in report.checks:
        if not result.violations and not result.errors:
            continue
        items = "".join(
            f"<tr><td>{e(v.table)}</td><td><code>{e(v.row)}</code></td>"
            f"<td>{e(str(v.article_id or ''))}</td>"
            f"<td>{'' if v.start is None else v.start}-{'' if v.end is None else v.end}</td>"
            f"<td>{e(v.detail)}</td><td>{e(v.allowed_because or '')}</td></tr>"
            for v in result.violations[:MAX_ROWS_REPORTED]
        )
        errors = "".join(f"<li>{e(message)}</li>" for message in result.errors)
        sections.append(
            f"<h2 id='{e(result.check.id)}'><code>{e(result.check.id)}</code> "
            f"<span class='{e(result.status)}'>{e(result.status)}</span></h2>"
            f"<p>{e(result.check.description)}</p>"
            + (f"<ul>{errors}</ul>" if errors else "")
            + "<table><tr><th>table</th><th>row</th><th>article</th><th>offsets</th>"
            f"<th>found vs expected</th><th>allowed because</th></tr>{items}</table>"
        )
    verdict = "passed" if report.ok else "failed"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Validation of {e(report.folder.name)} {e(report.version)}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Validation of <code>{e(report.folder.name)}</code> (version {e(report.version)}): "
        f"<span class='{verdict}'>{verdict}</span></h1>"
        "<table><tr><th>check</th><th>severity</th><th>status</th><th>failing rows</th>"
        f"<th>allowed rows</th><th>description</th></tr>{rows}</table>"
        + "".join(sections)
        + "</body></html>\n"
    )


def write_reports(report: Report, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "validation.json"
    html_path = out / "validation.html"
    json_path.write_text(
        json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    html_path.write_text(_html(report), encoding="utf-8")
    return [json_path, html_path]
