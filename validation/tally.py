"""Exact figures per check, in bounded memory, whatever the size of the dataset.

Every failing row of every batch is counted (allowed and blocking apart, matched against
the allowlist by key); the first ``EXAMPLES_KEPT`` are kept in detail, so a check failing
on millions of rows costs a counter, not a list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validation.allowlist import AllowlistEntry
from validation.checks import Check
from validation.failures import Failures, Violation

#: Failing rows kept in detail per check (the JSON report lists them all; the HTML and the
#: console show fewer). Counts always cover every row.
EXAMPLES_KEPT = 1_000
#: The status of a check above the level a run stopped after.
NOT_RUN = "not-run"


@dataclass
class CheckResult:
    check: Check
    #: Failing rows that no allowlist entry accepts, and those it does.
    failing: int = 0
    allowed: int = 0
    #: The first failing rows in detail, allowed ones included and marked.
    examples: list[Violation] = field(default_factory=list)
    #: Rows of each table this check did not judge, because they (or the article they
    #: belong to) failed a check of a lower level.
    not_judged: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    ran: bool = False
    #: Above the level the run stopped after (``--level``): not run at all.
    not_run: bool = False

    @property
    def violations(self) -> int:
        return self.failing + self.allowed

    @property
    def status(self) -> str:
        if self.not_run:
            return NOT_RUN
        if self.errors:
            return "error"
        if not self.ran:
            return "skipped"
        if self.failing:
            return "failed" if self.check.severity == "error" else "warning"
        if self.allowed:
            return "allowed"
        return "passed"


@dataclass
class Found:
    """What one check found on one batch, judged in another process, for the run's tally
    to add in batch order (a ``CheckResult`` without its check)."""

    failing: int
    allowed: int
    examples: list[Violation]
    not_judged: dict[str, int]
    errors: list[str]
    ran: bool


@dataclass
class Part:
    """A batch's tally, as a worker process hands it back."""

    found: dict[str, Found]
    #: (check, row) of the allowlist entries that matched a violation.
    matched: set[tuple[str, str]]


class Tally:
    """The results of every check, filled batch by batch."""

    def __init__(
        self,
        checks: Sequence[Check],
        allowlist: Sequence[AllowlistEntry],
        running: Sequence[Check] | None = None,
    ) -> None:
        """``checks``: every check the report lists; ``running``: those the run carries
        out (default all), the others reported as not run."""
        run = {check.id for check in (checks if running is None else running)}
        self.results = {
            check.id: CheckResult(check, not_run=check.id not in run) for check in checks
        }
        self.allowlist = list(allowlist)
        self._reasons = {(entry.check, entry.row): entry.reason for entry in allowlist}
        self._allowed_rows = {
            check_id: pa.array(
                [entry.row for entry in allowlist if entry.check == check_id], type=pa.string()
            )
            for check_id in {entry.check for entry in allowlist}
        }
        #: (check, row) of the allowlist entries that matched a violation.
        self.matched: set[tuple[str, str]] = set()

    def ran(self, check: Check) -> None:
        self.results[check.id].ran = True

    def error(self, check: Check, message: str) -> None:
        self.results[check.id].errors.append(message)

    def not_judged(self, check: Check, table: str, rows: int) -> None:
        if rows:
            counts = self.results[check.id].not_judged
            counts[table] = counts.get(table, 0) + rows

    def add(
        self, check: Check, failures: Failures | None, batch_keys: pa.Array | None = None
    ) -> np.ndarray | None:
        """Count ``failures`` under ``check``; the positions of the rows that fail it and
        no allowlist entry accepts (for the levels above), when they are rows of a batch."""
        result = self.results[check.id]
        result.ran = True
        if failures is None or failures.count == 0:
            return None if failures is None else failures.positions
        accepted = self._allowed_rows.get(check.id)
        allowed = 0
        blocking = failures.positions
        if accepted is not None:
            hits = pc.is_in(failures.keys, value_set=accepted)
            allowed = int(pc.sum(hits).as_py() or 0)
            if allowed:
                found = pc.unique(pc.filter(failures.keys, hits)).to_pylist()
                self.matched.update((check.id, str(row)) for row in found)
            if blocking is not None and batch_keys is not None and len(blocking):
                at = batch_keys.take(pa.array(blocking, type=pa.int64()))
                keep = ~pc.is_in(at, value_set=accepted).to_numpy(zero_copy_only=False)
                blocking = blocking[keep]
        result.allowed += allowed
        result.failing += failures.count - allowed
        room = EXAMPLES_KEPT - len(result.examples)
        if room > 0:
            for violation in failures.details(room):
                violation.allowed_because = self._reasons.get((check.id, violation.row))
                result.examples.append(violation)
        return blocking

    def part(self) -> Part:
        """What this tally found (on one batch, in a worker process)."""
        return Part(
            {
                check_id: Found(r.failing, r.allowed, r.examples, r.not_judged, r.errors, r.ran)
                for check_id, r in self.results.items()
                if r.ran or r.errors or r.not_judged
            },
            self.matched,
        )

    def merge(self, part: Part) -> None:
        """Add a batch's findings; merged in batch order, the counts, examples and errors
        are those a single process would have found."""
        for check_id, found in part.found.items():
            result = self.results[check_id]
            result.ran |= found.ran
            result.failing += found.failing
            result.allowed += found.allowed
            room = EXAMPLES_KEPT - len(result.examples)
            result.examples.extend(found.examples[: max(room, 0)])
            for table, rows in found.not_judged.items():
                result.not_judged[table] = result.not_judged.get(table, 0) + rows
            result.errors.extend(found.errors)
        self.matched |= part.matched
