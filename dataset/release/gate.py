"""The validation gate: a release is only written, and only verifies, when the validation
suite passes on exactly the files it ships."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataset.release.layout import VALIDATION

if TYPE_CHECKING:
    from dataset.schema import Schema
    from validation.report import Report


@dataclass(frozen=True)
class GateResult:
    ok: bool
    failures: list[str]


def _failures(report: dict[str, Any]) -> list[str]:
    """One line per check that blocks the release: its exact count of failing rows and the
    first of them."""
    lines: list[str] = []
    for check in report.get("checks", []):
        if check.get("status") not in ("failed", "error"):
            continue
        first = next(iter(check.get("violations", [])), None)
        if first is not None:
            example = f"{first['row']}: found {first['found']}; expected {first['expected']}"
        else:
            example = "; ".join(check.get("errors", [])) or check.get("description", "")
        count = check.get("failing_rows", 0)
        lines.append(f"{check['id']}: {count:,} failing row(s), the first {example}")
    return lines


def validate(folder: Path, previous: Path | None, manifest: Path, spec: Schema) -> GateResult:
    """Validate the release folder's data under the release's schema, its shards against
    the build's ``manifest`` (the folder has no SHA256SUMS yet), and put validation.json
    into it."""
    from validation.report import write_reports
    from validation.run import validate_dataset

    report = validate_dataset(folder, previous=previous, manifest=manifest, schema=spec)
    with tempfile.TemporaryDirectory() as reports:
        write_reports(report, Path(reports))
        shutil.copyfile(Path(reports) / VALIDATION, folder / VALIDATION)
    return verdict(report)


def verdict(report: Report) -> GateResult:
    """A release needs every level to have run and passed: a partial run (``--level``)
    is refused even when the levels it ran passed."""
    failures = _failures(report.to_json())
    if not report.complete:
        failures.append(
            f"validation stopped after level {report.stopped_after}: a release needs every "
            "level (run without --level)"
        )
    return GateResult(ok=report.ok and report.complete, failures=failures)
