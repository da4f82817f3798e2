"""Issue 23's targets for the validation, judged on one bench run's figures: every core,
each engine near its own best, small datasets instant. A ratio is judged on its unrounded
value, so a figure shown as the target's own number may still be a miss."""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.spark import spark_targets

#: Target 1: a million articles, whole command, default ``--jobs``; the process tree's peak.
MILLION = 1_000_000
MILLION_SECONDS = 200.0
TREE_BYTES = 1.5 * 2**30
TREE_SIZES = (100_000, 1_000_000)
#: Target 1: 100,000 articles validate within this multiple of the full build's command.
SIDE_BY_SIDE_SIZE = 100_000
OVER_BUILD = 2.0
#: Target 2: the shares with ``--jobs 1`` over the yardsticks (``benchmarks.yardsticks``).
EXPECTATIONS_OVER_GX = 1.3
SQL_OVER_DUCKDB = 1.5
#: Target 3: the one-article dataset over ``import great_expectations``.
SMALL_OVER_IMPORT = 1.3


def _row(target: str, measured: str, ok: bool | None) -> dict[str, Any]:
    status = "not measured" if ok is None else "met" if ok else "missed"
    return {"target": target, "measured": measured, "status": status}


def _validation(sizes: dict[int, dict[str, Any]], size: int) -> dict[str, Any] | None:
    found = sizes.get(size, {}).get("validation")
    return found if found is not None and found.get("status") == "ok" else None


def _million(sizes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    target = (
        f"{MILLION:,} articles validate in at most {MILLION_SECONDS:g} s, whole command, "
        "default `--jobs`"
    )
    found = _validation(sizes, MILLION)
    if found is None:
        return _row(target, "not measured in this run", None)
    seconds = found["seconds"]
    jobs = found.get("jobs") or "default"
    return _row(target, f"{seconds:,.1f} s (jobs: {jobs})", seconds <= MILLION_SECONDS)


def _tree(sizes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    target = (
        f"validation's whole process tree peaks under {TREE_BYTES / 2**30:g} GiB at "
        + " and ".join(f"{size:,}" for size in TREE_SIZES)
        + " articles (summed resident sets, default `--jobs`)"
    )
    found = {size: _validation(sizes, size) for size in TREE_SIZES}
    measured = [
        f"{figures['peak_rss_bytes'] / 2**20:,.0f} MiB at {size:,}"
        for size, figures in found.items()
        if figures is not None
    ]
    if len(measured) < len(TREE_SIZES):
        return _row(target, "; ".join([*measured, "not every size measured"]), None)
    ok = all(f is not None and f["peak_rss_bytes"] < TREE_BYTES for f in found.values())
    return _row(target, "; ".join(measured), ok)


def _over_build(sizes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    target = (
        f"{SIDE_BY_SIDE_SIZE:,} articles validate in at most {OVER_BUILD:g}x the full "
        "build's whole command, side by side in one run"
    )
    found = _validation(sizes, SIDE_BY_SIDE_SIZE)
    if found is None:
        return _row(target, "not measured in this run", None)
    build = statistics.median(
        r["process_seconds"] for r in sizes[SIDE_BY_SIDE_SIZE]["build"]["runs"]
    )
    ratio = found["seconds"] / build
    measured = f"{ratio:.3f}x (validation {found['seconds']:,.1f} s, build {build:,.1f} s)"
    return _row(target, measured, ratio <= OVER_BUILD)


def _share(
    sizes: dict[int, dict[str, Any]], phase: str, yardstick: str, limit: float
) -> dict[str, Any]:
    names = {"expectations": "Great Expectations", "sql": "DuckDB"}
    shared = [size for size, figures in sizes.items() if "shares" in figures]
    target = (
        f"{phase} share with `--jobs 1`, in processor seconds, within {limit:g}x of "
        f"{names[yardstick]} running the same rules once over the whole tables "
        f"(at {SIDE_BY_SIDE_SIZE:,} articles)"
    )
    if not shared:
        return _row(target, "not measured in this run", None)
    size = max(shared)
    shares = sizes[size]["shares"]
    if shares["validation_jobs_1"].get("status") != "ok":
        return _row(target, "the --jobs 1 validation failed", False)
    ours = shares["validation_jobs_1"]["cpu_seconds"][phase]
    best = shares["yardsticks"][yardstick]["cpu_seconds"]
    ratio = ours / best
    measured = f"{ratio:.3f}x ({ours:,.2f} s against {best:,.2f} s) at {size:,} articles"
    if size < SIDE_BY_SIDE_SIZE:
        return _row(target, f"{measured}; not at {SIDE_BY_SIDE_SIZE:,}", None)
    return _row(target, measured, ratio <= limit)


def _small(one_article: dict[str, Any] | None) -> dict[str, Any]:
    target = (
        f"validating a one-article dataset, whole command, within {SMALL_OVER_IMPORT:g}x of "
        "importing Great Expectations alone in a fresh process"
    )
    if one_article is None or one_article["validation"].get("status") != "ok":
        return _row(target, "not measured in this run", None)
    ours, alone = one_article["validation"]["seconds"], one_article["import_gx_seconds"]
    ratio = ours / alone
    measured = f"{ratio:.3f}x ({ours:.2f} s against {alone:.2f} s)"
    return _row(target, measured, ratio <= SMALL_OVER_IMPORT)


def validation_targets(
    sizes: dict[int, dict[str, Any]], one_article: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Issue 23's targets, in its order."""
    return [
        _million(sizes),
        _tree(sizes),
        _over_build(sizes),
        _share(sizes, "expectations", "expectations", EXPECTATIONS_OVER_GX),
        _share(sizes, "sql", "sql", SQL_OVER_DUCKDB),
        _small(one_article),
        *spark_targets(sizes),
    ]
