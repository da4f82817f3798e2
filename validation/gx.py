"""Running expectation specs with Great Expectations 1.x, on one batch at a time.

One ephemeral context (nothing on disk, no network) serves every run of a process (creating
one costs more than validating a small dataset, and tests validate many times in-process).
Great Expectations is imported here only, when validating, so the catalogue answers at once.

Counts are exact: with the ``COMPLETE`` result format (asked for the expectations that
failed a cheap first pass), Great Expectations' pandas engine returns the index of every
unexpected row and the unexpected count over all rows (only the lists of unexpected
*values* stop at ``MAX_RESULT_RECORDS``, and those are not used). The frame's index is the
rows' positions in the batch, so the index list is the positions; a count that differs
from the number of positions stops the run instead of misreporting.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validation.expectations import NULL, PAIR_SEPARATOR, Expect, edge_name, pair_name


@dataclass(frozen=True)
class Outcome:
    spec: Expect
    success: bool
    #: Positions (the frame's index labels) of every unexpected row.
    positions: np.ndarray
    observed: Any = None
    error: str | None = None


def frame(data: pa.Table, positions: np.ndarray, specs: list[Expect]) -> pd.DataFrame:
    """The rows at ``positions`` in the form the specs need, indexed by position. A column
    only checked for nulls is handed over as its lengths (nulls kept), as turning long texts
    into pandas values would cost more than the check."""
    plain = [spec for spec in specs if spec.pair is None and spec.edge is None]
    valued = {column for spec in plain if spec.needs_values for column in spec.columns}
    wanted = sorted({column for spec in plain for column in spec.columns})
    paired = {column for spec in specs if spec not in plain for column in spec.columns}
    chosen = data.select(sorted(set(wanted) | paired))
    if len(positions) < data.num_rows:
        chosen = chosen.take(pa.array(positions, type=pa.int64()))
    columns: dict[str, Any] = {}
    for spec in specs:
        if spec.pair is not None:
            first, second = (
                pc.fill_null(pc.cast(chosen.column(name), pa.string()), NULL) for name in spec.pair
            )
            columns[pair_name(*spec.pair)] = pc.binary_join_element_wise(
                first, second, PAIR_SEPARATOR
            )
        if spec.edge is not None:
            (column,) = spec.columns
            text = chosen.column(column)
            start, stop = (0, 1) if spec.edge == "first" else (-1, None)
            columns[edge_name(spec.edge, column)] = pc.utf8_slice_codeunits(text, start, stop)
    for name in wanted:
        values = chosen.column(name)
        if name not in valued and pa.types.is_string(values.type):
            values = pc.utf8_length(values)
        elif name not in valued and pa.types.is_list(values.type):
            values = pc.list_value_length(values)
        elif pa.types.is_integer(values.type):
            # Great Expectations vectorises range checks for int64 and float64 only.
            values = values.cast(pa.int64())
        columns[name] = values
    result: pd.DataFrame = pa.table(columns).to_pandas()
    result.index = pd.Index(positions)
    return result


@contextmanager
def _main_named() -> Iterator[None]:
    """While Great Expectations is imported, give ``__main__`` a file name when it has
    neither one nor a module spec (``python -c``, a ``--jobs`` worker): PySpark, which Great
    Expectations imports when it is installed, takes such a process for a doctest run and
    exits it in the middle of the import when Spark Connect's libraries are missing. The
    name goes afterwards: multiprocessing would run it as the workers' main file."""
    main = sys.modules.get("__main__")
    unnamed = getattr(main, "__spec__", None) is None and not hasattr(main, "__file__")
    if unnamed and main is not None:
        main.__file__ = "<string>"
    try:
        yield
    finally:
        if unnamed and main is not None:
            del main.__file__


@cache
def context() -> Any:
    """The process's ephemeral Great Expectations context, made on first use."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with _main_named():
        import great_expectations as gx
        import great_expectations.expectations
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # Great Expectations fingerprints every frame it is handed (pandas' hash of every value,
    # then MD5) for a batch marker nothing here reads, unless the frame holds this many
    # bytes: a quarter of its time on a batch. None is small enough to be worth it here.
    pandas_execution_engine.HASH_THRESHOLD = 0
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    made = gx.get_context(mode="ephemeral")
    made.variables.progress_bars = ProgressBarsConfig(globally=False)
    return made


@cache
def expectations_runner() -> ExpectationRunner:
    """The process's runner of expectations on pandas frames, made on first use."""
    return ExpectationRunner()


class ExpectationRunner:
    """Expectations on pandas frames, through the process's context."""

    def __init__(self) -> None:
        self.context = context()
        import great_expectations as gx
        import great_expectations.expectations as gxe

        self._gx = gx
        self._classes = gxe
        source = self.context.data_sources.add_pandas("propaganda-spans")
        self._batches = source.add_dataframe_asset("rows").add_batch_definition_whole_dataframe(
            "rows"
        )

    def run(self, rows: pd.DataFrame, specs: list[Expect]) -> list[Outcome]:
        """Validate ``rows`` against the specs; one outcome per spec, in order. A cheap pass
        (``BOOLEAN_ONLY``: success only) first, then ``COMPLETE`` for the specs that failed
        or raised: most pass, and listing the unexpected rows of a passing one (none) costs
        Great Expectations more than judging it. No spec sets ``mostly``, so a spec passes
        exactly when it has no unexpected row."""
        outcomes = self.once(rows, specs, "BOOLEAN_ONLY")
        again = [index for index, outcome in enumerate(outcomes) if not outcome.success]
        if again:
            complete = self.once(rows, [specs[index] for index in again], "COMPLETE")
            for index, outcome in zip(again, complete, strict=True):
                outcomes[index] = outcome
        return outcomes

    def once(self, rows: pd.DataFrame, specs: list[Expect], result_format: str) -> list[Outcome]:
        """Every spec validated once over ``rows`` in ``result_format``."""
        from great_expectations.validator.v1_validator import Validator

        expectations = [
            getattr(self._classes, spec.type)(**spec.kwargs, meta={"spec": index})
            for index, spec in enumerate(specs)
        ]
        # A Validator fetches the batch once; Batch.validate would fetch it once more.
        validator = Validator(
            batch_definition=self._batches,
            batch_parameters={"dataframe": rows},
            result_format={"result_format": result_format},
        )
        suite = self._gx.ExpectationSuite(name="rows", expectations=expectations)
        result = validator.validate_expectation_suite(suite)
        outcomes: dict[int, Outcome] = {}
        for item in result.results:
            config = item.expectation_config
            assert config is not None, "every result comes from one of our expectations"
            index = int(config.meta["spec"])
            outcomes[index] = _outcome(specs[index], item)
        return [outcomes[index] for index in sorted(outcomes)]


def _outcome(spec: Expect, item: Any) -> Outcome:
    """A spec's outcome from Great Expectations' result for it."""
    details = item.result or {}
    if item.exception_info and item.exception_info.get("raised_exception"):
        message = str(item.exception_info.get("exception_message"))
        return Outcome(spec, False, np.zeros(0, dtype=np.int64), None, message)
    positions = np.asarray(details.get("unexpected_index_list") or [], dtype=np.int64)
    count = details.get("unexpected_count")
    if spec.per_row and count is not None and count != len(positions):
        raise RuntimeError(
            f"{spec.type} on {spec.columns}: Great Expectations counted {count} "
            f"unexpected rows but listed {len(positions)}"
        )
    return Outcome(spec, bool(item.success), positions, details.get("observed_value"))
