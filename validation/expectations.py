"""Great Expectations suites generated from ``schemas/``, and the runner for them.

Everything runs in an ephemeral context on pandas frames, so nothing touches the network
or the disk. Each expectation carries the id of the catalogue check it implements in its
``meta``, and results come back as row positions, which the report turns into rows.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.execution_engine import pandas_execution_engine

# Great Expectations re-exports these without __all__, which strict mypy cannot see.
from great_expectations.expectations import (  # type: ignore[attr-defined]
    ExpectColumnValuesToBeBetween,
    ExpectColumnValuesToBeInSet,
    ExpectColumnValuesToBeUnique,
    ExpectColumnValuesToMatchRegex,
    ExpectColumnValuesToNotBeNull,
    ExpectCompoundColumnsToBeUnique,
    ExpectTableColumnsToMatchOrderedList,
)
from great_expectations.validator.v1_validator import Validator

from dataset.schema import Table, schema

logging.getLogger("great_expectations").setLevel(logging.ERROR)
# Great Expectations fingerprints every pandas batch below this size (an MD5 over every
# value) only to record it in the result's batch markers, which nothing here reads; on a
# million spans that costs more than the checks themselves.
pandas_execution_engine.HASH_THRESHOLD = 0


@dataclass(frozen=True)
class ExpectationOutcome:
    check_id: str
    table: str
    column: str | None
    expectation: str
    success: bool
    #: Row positions in the frame that failed, and the offending values.
    positions: list[int]
    values: list[Any]
    observed: Any = None
    error: str | None = None


def column_expectations(table: Table) -> list[Any]:
    """The column-level expectations of one table, straight from its schema."""
    spec = schema()
    expectations: list[Any] = [
        ExpectTableColumnsToMatchOrderedList(
            column_list=table.column_names, meta={"check_id": "schema-columns"}
        )
    ]
    for field in table.fields:
        column = field.name
        if not field.nullable:
            expectations.append(
                ExpectColumnValuesToNotBeNull(column=column, meta={"check_id": "schema-not-null"})
            )
        if field.pattern is not None:
            expectations.append(
                ExpectColumnValuesToMatchRegex(
                    column=column, regex=field.pattern, meta={"check_id": "schema-values"}
                )
            )
        if field.allowed is not None:
            expectations.append(
                ExpectColumnValuesToBeInSet(
                    column=column, value_set=list(field.allowed), meta={"check_id": "schema-values"}
                )
            )
        if field.min is not None:
            expectations.append(
                ExpectColumnValuesToBeBetween(
                    column=column, min_value=field.min, meta={"check_id": "schema-values"}
                )
            )
        if field.type == "class_label":
            size = len(spec.taxonomies[str(field.labels)].labels)
            expectations.append(
                ExpectColumnValuesToBeBetween(
                    column=column,
                    min_value=0,
                    max_value=size - 1,
                    meta={"check_id": "keys-taxonomy"},
                )
            )
    if len(table.primary_key) == 1:
        expectations.append(
            ExpectColumnValuesToBeUnique(
                column=table.primary_key[0], meta={"check_id": "keys-unique"}
            )
        )
    else:
        expectations.append(
            ExpectCompoundColumnsToBeUnique(
                column_list=list(table.primary_key), meta={"check_id": "keys-unique"}
            )
        )
    return expectations


def rule_expectations(check_ids: list[str]) -> list[Any]:
    """One 'all true' expectation per rule column."""
    return [
        ExpectColumnValuesToBeInSet(column=check_id, value_set=[True], meta={"check_id": check_id})
        for check_id in check_ids
    ]


class ExpectationRunner:
    """One ephemeral Great Expectations context for a whole validation run."""

    def __init__(self) -> None:
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.source = self.context.data_sources.add_pandas("propaganda-spans")
        self._assets: dict[str, Any] = {}

    def run(
        self, table: str, frame: pd.DataFrame, expectations: list[Any], suite: str = "columns"
    ) -> list[ExpectationOutcome]:
        """Validate ``frame`` (rows of ``table``, or one boolean column per rule) against
        ``expectations``; results name the table and the failing row positions."""
        name = f"{table}-{suite}"
        if name not in self._assets:
            asset = self.source.add_dataframe_asset(name)
            self._assets[name] = asset.add_batch_definition_whole_dataframe(name)
        # A Validator fetches (and fingerprints) the batch once; Batch.validate would fetch
        # it a second time, which doubles the cost on millions of rows.
        validator = Validator(
            batch_definition=self._assets[name],
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "COMPLETE"},
        )
        expectation_suite = gx.ExpectationSuite(name=name, expectations=expectations)
        result = validator.validate_expectation_suite(expectation_suite)
        outcomes: list[ExpectationOutcome] = []
        for item in result.results:
            config = item.expectation_config
            assert config is not None, "every result comes from one of our expectations"
            details = item.result or {}
            error = None
            if item.exception_info and item.exception_info.get("raised_exception"):
                error = str(item.exception_info.get("exception_message"))
            outcomes.append(
                ExpectationOutcome(
                    check_id=str(config.meta["check_id"]),
                    table=table,
                    column=config.kwargs.get("column"),
                    expectation=config.type,
                    success=bool(item.success),
                    positions=[int(i) for i in details.get("unexpected_index_list") or []],
                    values=list(details.get("unexpected_list") or []),
                    observed=details.get("observed_value"),
                    error=error,
                )
            )
        return outcomes
