"""The validation gate: a release is only written, and only verifies, when the validation
suite passes on exactly the files it ships."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataset.release.layout import VALIDATION


@dataclass(frozen=True)
class GateResult:
    ok: bool
    failures: list[str]


def _failures(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for check in report.get("checks", []):
        if check.get("status") not in ("failed", "error"):
            continue
        example = next((v.get("detail") for v in check.get("violations", [])), None)
        example = example or "; ".join(check.get("errors", [])) or check.get("description")
        lines.append(f"{check['id']}: {check.get('failing_rows', 0)} row(s); e.g. {example}")
    return lines


def validate(folder: Path, previous: Path | None) -> GateResult:
    """Validate the release folder's data and put validation.json into it."""
    from validation.report import write_reports
    from validation.run import validate_dataset

    report = validate_dataset(folder, previous=previous)
    with tempfile.TemporaryDirectory() as reports:
        write_reports(report, Path(reports))
        shutil.copyfile(Path(reports) / VALIDATION, folder / VALIDATION)
    return GateResult(ok=report.ok, failures=_failures(report.to_json()))
