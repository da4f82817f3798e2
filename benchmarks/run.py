"""Benchmark the build, the validation and loading on synthetic PTC-format corpora.

``python -m benchmarks.run [--sizes 1000,10000] [--repeats 3] [--with-100k] [--with-1m]
[--row-group-sweep] [--engine spark] [--work-dir DIR]`` synthesizes a corpus per size, then
measures in a fresh process per run (``benchmarks.measure``):

- our build (all tables) and the same build with ``--no-lines``, whose difference is the
  lines table's own cost;
- the loading-script baseline and the plain-pyarrow floor (``benchmarks.floor``), in the
  same run, as ratios to our build (like with like);
- ``python -m validation <build>`` (reports written), its work after start-up by its own
  clock, the pyarrow read of the same tables and ``--list-checks``; with ``--engine spark``
  also ``python -m validation <build> --engine spark`` (local mode) at the comparison sizes,
  with the memory of its whole process tree (driver, JVM, Python workers);
- loading the built spans with ``datasets.load_dataset`` (cold and warm cache) and pandas;
- at the largest comparison size, the validation with ``--jobs 1`` beside Great
  Expectations and DuckDB running the same rules once over the whole tables
  (``benchmarks.yardsticks``); and, first, a one-article dataset's validation beside the
  import of Great Expectations alone.

``--with-1m`` adds a million articles end to end (synthesize, build, validate, load: each
step's time and peak memory, one run each); ``--row-group-sweep`` rebuilds the largest
comparison size with other row-group sizes. Every figure is the median of ``--repeats``
runs (all runs are kept in the JSON); ``benchmarks.report`` judges the targets and writes
the Markdown report.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import (
    ENGINES,
    REPO_ROOT,
    SWEEP_BATCHES,
    child_env,
    code_fingerprint,
    code_state,
    java_version,
    load_average,
    log,
    machine,
    measure_size,
    measure_small,
)
from benchmarks.report import markdown, per_article_lines, targets

DEFAULT_SIZES = (1_000, 10_000)
LARGE_SIZE = 100_000
END_TO_END_SIZE = 1_000_000
DEFAULT_SEED = 2020
DEFAULT_JSON = REPO_ROOT / "benchmarks" / "results.json"
DEFAULT_MD = REPO_ROOT / "BENCHMARKS.md"


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive article counts, e.g. 1000,10000")
    return sizes


#: Options whose values are this machine's folders, left out of the recorded command.
LOCAL_OPTIONS = ("--work-dir", "--out-json", "--out-md")


def redacted(argv: list[str]) -> list[str]:
    """The command line with the values of LOCAL_OPTIONS replaced by their metavariable."""
    shown: list[str] = []
    for word in argv:
        option = word.split("=", 1)[0]
        if option in LOCAL_OPTIONS and "=" in word:
            shown.append(f"{option}=PATH")
        elif shown and shown[-1] in LOCAL_OPTIONS:
            shown.append("PATH")
        else:
            shown.append(word)
    return shown


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated corpus sizes in articles (default: 1000,10000)",
    )
    parser.add_argument("--with-100k", action="store_true", help="add 100,000 articles")
    parser.add_argument(
        "--with-1m", action="store_true", help="add 1,000,000 articles, end to end, one run"
    )
    parser.add_argument(
        "--row-group-sweep",
        action="store_true",
        help="rebuild the largest comparison size with other row-group sizes",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=ENGINES[0],
        help="spark: validate on the Spark engine too (local mode), beside the default "
        "engine, at the comparison sizes (needs Java 17 or newer)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (default: 3)")
    parser.add_argument(
        "--large-repeats",
        type=int,
        help=f"runs per figure for {LARGE_SIZE:,} articles (default: --repeats)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="synthesis seed")
    parser.add_argument("--out-json", type=Path, default=DEFAULT_JSON, help="figures as JSON")
    parser.add_argument("--out-md", type=Path, default=DEFAULT_MD, help="Markdown report")
    parser.add_argument(
        "--work-dir",
        type=Path,
        help="where corpora and builds go, created if missing (default: a temporary folder)",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1 or (args.large_repeats is not None and args.large_repeats < 1):
        parser.error("--repeats and --large-repeats must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    compared = sorted({*args.sizes, *([LARGE_SIZE] if args.with_100k else [])})
    end_to_end = [END_TO_END_SIZE] if args.with_1m and END_TO_END_SIZE not in compared else []
    large_repeats = args.large_repeats or args.repeats
    if args.work_dir is not None:
        try:
            args.work_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            log(
                f"python -m benchmarks.run: error: --work-dir {args.work_dir}: "
                f"{error.strerror}; name a folder (created if missing)"
            )
            return 2
    work = Path(tempfile.mkdtemp(prefix="propaganda-bench-", dir=args.work_dir))
    env = child_env(work / "hf-home")
    command = ["python", "-m", "benchmarks.run", *redacted(sys.argv[1:] if argv is None else argv)]
    results: dict[str, Any] = {
        "command": shlex.join(command),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "repeats": args.repeats,
        "large_repeats": large_repeats,
        "machine": machine(),
        "engines": sorted({ENGINES[0], args.engine}, key=ENGINES.index),
        "code": code_state(),
        "load_average": {"start": load_average()},
        "sizes": {},
    }
    if args.engine == "spark":
        results["machine"]["java"] = java_version()
    try:
        results["one_article"] = measure_small(work, args.repeats, env)
        for size in [*compared, *end_to_end]:
            results["sizes"][str(size)] = measure_size(
                size,
                runs_per_figure(size, compared, args.repeats, large_repeats),
                args.seed,
                work,
                env,
                compare=size in compared,
                sweep=SWEEP_BATCHES if args.row_group_sweep and size == max(compared) else (),
                spark=args.engine == "spark" and size in compared,
                shares=size == max(compared),
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finish(results, args)
    return 0


def runs_per_figure(size: int, compared: list[int], repeats: int, large_repeats: int) -> int:
    """A compared size's figures are medians of ``repeats`` runs (``large_repeats`` from
    LARGE_SIZE up); the end-to-end size (a million articles) runs each step once."""
    if size not in compared:
        return 1
    return large_repeats if size >= LARGE_SIZE else repeats


def finish(results: dict[str, Any], args: argparse.Namespace) -> None:
    """Judge the targets, write the JSON and the Markdown report, print the verdicts."""
    results["load_average"]["end"] = load_average()
    results["code_changed_during_run"] = code_fingerprint() != results["code"]["fingerprint"]
    if results["code_changed_during_run"]:
        log("warning: the measured code changed during the run; rerun for consistent figures")
    sizes = {int(size): figures for size, figures in results["sizes"].items()}
    results["targets"] = targets(sizes, results.get("one_article"))
    args.out_json.parent.mkdir(parents=True, exist_ok=True)
    args.out_json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    args.out_md.parent.mkdir(parents=True, exist_ok=True)
    args.out_md.write_text(markdown(results), encoding="utf-8")
    for line in per_article_lines(sizes):
        log(line)
    for row in results["targets"]:
        log(f"{row['status']:>12}  {row['target']}: {row['measured']}")
    log(f"wrote {args.out_json} and {args.out_md}")


if __name__ == "__main__":
    sys.exit(main())
