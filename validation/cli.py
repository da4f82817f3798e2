"""``python -m validation [DIR] [--engine spark [--spark-master URL]]``: validate a built
dataset.

The default engine reads a local folder in batches of articles on this machine. The Spark
engine (``pip install .[spark]``) runs the same checks on Apache Spark, on any path Spark
can read (``s3a://``, ``hdfs://``, ``file://`` or a local folder), so DIR stays text.
Prints a summary, writes validation.json and a self-contained validation.html, and exits 1
when an error-level check fails, 2 when the input cannot be validated at all.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from dataset.errors import InputError
from dataset.project import BUILD_DIR
from dataset.schema import Schema, add_schema_option, load_schema
from dataset.shards import is_uri
from validation.checks import Level, catalogue

if TYPE_CHECKING:
    from validation.core import Engine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Imported here: the engine (numpy, pyarrow.compute) loads only once a command runs.
    from validation.stream import DEFAULT_BATCH_ARTICLES

    parser.add_argument(
        "folder",
        nargs="?",
        default=str(BUILD_DIR),
        help="built dataset folder (with --engine spark: any path Spark reads, e.g. s3a://...)",
    )
    _engine_arguments(parser, DEFAULT_BATCH_ARTICLES)
    _judging_arguments(parser)
    _report_arguments(parser)


def _engine_arguments(parser: argparse.ArgumentParser, batch_articles: int) -> None:
    """Where the checks run, and the engine's own options."""
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=ENGINES[0],
        help="where the checks run: this machine, in batches (default), or Apache Spark",
    )
    parser.add_argument(
        "--spark-master",
        help="with --engine spark: the master URL (default: local[2], Spark on this machine)",
    )
    parser.add_argument(
        "--spark-conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="with --engine spark: a Spark setting (repeatable), e.g. spark.executor.memory=8g",
    )
    parser.add_argument(
        "--batch-articles",
        type=int,
        help="default engine: articles validated at a time, with their spans and lines; "
        f"bounds memory (default {batch_articles:,}, shared out among the --jobs)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        help="default engine: processes that judge the batches (default: one per core, no "
        "more than the batches; 1 judges them in this process); the report is the same",
    )


def _judging_arguments(parser: argparse.ArgumentParser) -> None:
    """What the rows are judged by, and how far."""
    add_schema_option(parser)
    parser.add_argument("--allowlist", type=Path, help="YAML list of accepted violations")
    parser.add_argument(
        "--previous",
        help="previous release folder for taxonomy-stable ('none' to skip; default: the newest "
        "release under releases/ older than this version)",
    )
    parser.add_argument(
        "--level",
        type=int,
        choices=[int(level) for level in Level],
        default=int(max(Level)),
        help="stop after this level (1 schema, 2 keys, 3 content, 4 release; default all): "
        "a quick pass over a large corpus; the checks above it are reported as not run, and "
        "a partial run never gates a build or a release",
    )


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    """What is written, or listed instead of a run."""
    parser.add_argument(
        "--reports", type=Path, help="folder for validation.json and validation.html"
    )
    parser.add_argument("--no-reports", action="store_true", help="print the summary only")
    parser.add_argument(
        "--list-checks",
        action="store_true",
        help="print the check catalogue (of the schema --schema names) and exit",
    )


#: The engines the checks run on; the first is the default.
ENGINES = ("default", "spark")
#: The exit status of a run stopped by Ctrl-C, as a shell reports a process SIGINT ended.
EXIT_INTERRUPTED = 128 + signal.SIGINT


@dataclass
class Outcome:
    """Where a run writes its reports and whether they are written yet: what the line a
    Ctrl-C prints can truthfully say. The reports are written last, all together
    (``dataset.owned``, which reports a Ctrl-C during the writing itself)."""

    reports: Path | None = None
    written: bool = False

    def interrupted(self) -> str:
        if self.written:
            return f"interrupted; the reports in {self.reports} were written in full"
        if self.reports is None:
            return "interrupted; nothing was written"
        left = "is unchanged" if self.reports.exists() else "was not created"
        return f"interrupted; nothing was written, {self.reports} {left}"


def list_checks(spec: Schema) -> None:
    print(f"{'check':30} {'level':>5} {'severity':8} {'kind':12} description")
    for found in catalogue(spec):
        print(
            f"{found.id:30} {int(found.level):>5} {found.severity:8} {found.kind:12} "
            f"{found.description}"
        )


def run(args: argparse.Namespace, outcome: Outcome | None = None) -> int:
    outcome = outcome or Outcome()
    spec = load_schema(args.schema)
    if args.list_checks:
        list_checks(spec)
        return 0
    from dataset.versions import previous_release
    from validation.allowlist import read_allowlist
    from validation.core import validate
    from validation.report import print_summary, write_reports

    refuse_unsupported(args)
    if args.engine != "spark" and is_uri(args.folder):
        raise InputError(
            args.folder,
            "the default engine reads local folders only",
            "copy the dataset here, or validate it where it is with --engine spark",
        )
    out = None if args.no_reports else args.reports or default_reports(args.folder)
    if out is not None and out.exists() and not out.is_dir():
        raise InputError(
            out, "is a file, not a folder for the reports", "name a folder with --reports"
        )
    outcome.reports = out
    allowlist = read_allowlist(args.allowlist) if args.allowlist else []
    previous = previous_release() if args.previous is None else chosen_previous(args.previous)
    report = validate(
        engine_of(args),
        args.folder,
        schema=spec,
        allowlist=allowlist,
        previous=previous,
        level=Level(args.level),
    )
    print_summary(report)
    if out is not None:
        written = write_reports(report, out)
        outcome.written = True
        for path in written:
            print(f"wrote {path}")
    return 0 if report.ok else 1


def refuse_unsupported(args: argparse.Namespace) -> None:
    """Options the chosen engine does not take are refused, never ignored."""
    if args.batch_articles is not None and args.batch_articles < 1:
        raise InputError("--batch-articles", "must be a positive number", "pass 1 or more")
    if args.jobs is not None and args.jobs < 1:
        raise InputError("--jobs", "must be a positive number", "pass 1 or more")
    if args.engine == "spark" and args.jobs is not None:
        raise InputError(
            "--jobs",
            "the Spark engine shares its work out itself",
            "drop --jobs, or give Spark more cores with --spark-master local[N]",
        )
    if args.engine == "spark" and args.batch_articles is not None:
        raise InputError(
            "--batch-articles",
            "the Spark engine reads whole tables and sizes its own partitions",
            "drop --batch-articles, or bound Spark's memory with --spark-conf",
        )
    if args.engine != "spark" and (args.spark_master or args.spark_conf):
        raise InputError(
            "--spark-master" if args.spark_master else "--spark-conf",
            "only the Spark engine takes Spark settings",
            "add --engine spark, or drop the Spark options",
        )


def default_reports(location: str) -> Path:
    """Beside a local folder, named after it (resolved when its path ends in ``.`` or
    ``..``, so the reports land beside the dataset rather than inside it); for a URI, in
    the working directory."""
    if is_uri(location):
        return Path(f"{PurePosixPath(location.partition('://')[2]).name}-validation")
    folder = Path(location)
    if folder.name in ("", ".."):
        folder = folder.resolve()
    return folder.parent / f"{folder.name or 'dataset'}-validation"


def chosen_previous(value: str) -> Path | None:
    """``--previous``: 'none', or a folder holding a techniques table to compare with; a
    path that is neither would silently skip taxonomy-stable, so it is refused."""
    from dataset.shards import table_shards

    if value == "none":
        return None
    previous = Path(value)
    if not previous.is_dir():
        raise InputError(
            previous,
            "no such previous release folder",
            "name a release folder (e.g. releases/v1.0.0), or pass --previous none to skip "
            "taxonomy-stable",
        )
    if not table_shards(previous, "techniques"):
        raise InputError(
            previous,
            "holds no techniques table (no techniques/*.parquet or data/techniques/*.parquet)",
            "name a release folder or a built dataset folder",
        )
    return previous


def engine_of(args: argparse.Namespace) -> Engine:
    """The engine ``--engine`` names, with its options; Spark's libraries are optional."""
    if args.engine != "spark":
        from validation.run import DefaultEngine

        return DefaultEngine(args.batch_articles, args.jobs)
    try:
        from validation.spark.engine import SparkEngine
        from validation.spark.session import LOCAL_MASTER, parse_conf
    except ImportError as error:
        raise InputError(
            "--engine",
            f"the Spark engine's libraries are not installed ({error.name})",
            'install them with pip install ".[spark]" (or run nox -s validate_spark)',
        ) from None
    return SparkEngine(args.spark_master or LOCAL_MASTER, parse_conf(args.spark_conf))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m validation", description=__doc__)
    outcome = Outcome()
    try:
        add_arguments(parser)
        return run(parser.parse_args(argv), outcome)
    except InputError as error:
        print(error.render(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C: one line saying what was left, never a traceback.
        print(outcome.interrupted(), file=sys.stderr)
        return EXIT_INTERRUPTED
