"""Validation as a gate in front of the build's output folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dataset.errors import BuildRejectedError
from validation.report import print_summary, write_reports
from validation.run import previous_release, validate_dataset


def reports_folder(out: Path) -> Path:
    return out.parent / f"{out.name}-validation"


def validation_gate(out: Path) -> Callable[[Path], None]:
    """A build gate that validates the staged folder, writes the reports beside ``out`` and
    vetoes the build when an error-level check fails."""

    def gate(staging: Path) -> None:
        report = validate_dataset(staging, previous=previous_release())
        report.folder = out
        print_summary(report)
        written = write_reports(report, reports_folder(out))
        if not report.ok:
            raise BuildRejectedError(f"see {written[1]}")

    return gate
