"""``python -m dataset build``: arguments, then one call into ``dataset.builder``; the
only command that wires the build to the validation (as its ``--validate`` gate), since the
two layers never import each other."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from dataset.builder.output import DEFAULT_SHARD_ROWS
from dataset.builder.pipeline import (
    DEFAULT_BATCH_ARTICLES,
    PROGRESS_MIN_ARTICLES,
    CorpusName,
    build,
)
from dataset.commands.options import chosen_schema
from dataset.errors import BuildRejectedError, InputError
from dataset.owned import set_aside
from dataset.project import BUILD_DIR, RAW_DIR
from dataset.ptc.corpus import DEFAULT_LAYER
from dataset.schema import Schema, add_schema_option

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Turn a folder of PTC-format articles and label files into the dataset's Parquet tables
(articles, spans, lines, techniques) plus a MANIFEST.json that records every input file.

Label files may use PTC's 18 technique names or SemEval-2020's 14 class names. The output
folder is replaced only when the whole build succeeds (and, with --validate, passes
validation), so a failed build never leaves you with half a dataset. Pass --name and
--version to record what your corpus is; this project's own dataset/raw is named
automatically.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", type=Path, default=RAW_DIR, help="folder of PTC-format files")
    parser.add_argument("--out", type=Path, default=BUILD_DIR, help="output folder")
    _table_arguments(parser)
    _gate_arguments(parser)
    _record_arguments(parser)


def _table_arguments(parser: argparse.ArgumentParser) -> None:
    """What the tables hold, and how they are cut."""
    parser.add_argument(
        "--label-layer",
        help="annotation layer whose spans label the lines table "
        "(default: the only layer, else 'gold')",
    )
    parser.add_argument(
        "--no-lines",
        dest="lines",
        action="store_false",
        help="leave the lines table empty (a build of articles and spans only)",
    )
    parser.add_argument(
        "--default-layer",
        default=DEFAULT_LAYER,
        help="layer of label files named article<ID>.labels, without a layer "
        f"(default: {DEFAULT_LAYER})",
    )
    parser.add_argument(
        "--batch-articles",
        type=int,
        default=DEFAULT_BATCH_ARTICLES,
        help="articles converted per batch; bounds memory",
    )
    parser.add_argument(
        "--shard-rows", type=int, default=DEFAULT_SHARD_ROWS, help="maximum rows per Parquet file"
    )
    add_schema_option(parser)


def _gate_arguments(parser: argparse.ArgumentParser) -> None:
    """The validation gate."""
    parser.add_argument(
        "--validate",
        action="store_true",
        help="run the validation suite on the new build before it replaces --out; on an "
        "error-level failure keep the previous output and exit 1",
    )
    parser.add_argument(
        "--allowlist",
        type=Path,
        help="with --validate: YAML list of accepted violations [{check, row, reason}], for "
        "known upstream errata (python -m validation --list-checks names the checks)",
    )


def _record_arguments(parser: argparse.ArgumentParser) -> None:
    """What the manifest records, and how the build reads and reports."""
    parser.add_argument(
        "--name",
        help="what the corpus is, recorded in MANIFEST.json (default: propaganda-spans for "
        "the project's own dataset/raw, else unnamed)",
    )
    parser.add_argument(
        "--version",
        dest="corpus_version",
        metavar="VERSION",
        help="with --name: the corpus's version, recorded in MANIFEST.json",
    )
    parser.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="read files and folders that symlinks in --source point at outside it (the "
        "manifest records each link's path inside --source and the content's hash)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"show a progress bar (default: from {PROGRESS_MIN_ARTICLES} articles on)",
    )


def validation_gate(out: Path, allowlist: Path | None, spec: Schema) -> Callable[[Path], None]:
    """A build gate that validates the staged folder under the schema it was built with,
    writes the reports beside ``out`` (``<out>-validation/``) and vetoes the build when an
    error-level check fails."""
    from dataset.versions import previous_release
    from validation.allowlist import read_allowlist
    from validation.report import print_summary, write_reports
    from validation.run import validate_dataset

    entries = read_allowlist(allowlist) if allowlist is not None else ()

    def gate(staging: Path) -> None:
        report = validate_dataset(
            staging, allowlist=entries, previous=previous_release(), schema=spec
        )
        report.folder = out
        print_summary(report)
        written = write_reports(report, out.parent / f"{out.name}-validation")
        if not report.ok:
            raise BuildRejectedError(f"see {written[1]}")

    return gate


def _fate_of(out: Path, existed: bool) -> str:
    """What happened to ``out`` when the build was rejected, said truthfully."""
    if existed:
        return f"{out} was left as it was"
    return f"{out} was not created"


def corpus_name(name: str | None, version: str | None) -> CorpusName | None:
    """The corpus named on the command line, or None when it was not named."""
    for option, value in (("--name", name), ("--version", version)):
        if value is not None and (not value.strip() or value != value.strip()):
            raise InputError(
                option, f"{value!r} is blank or has surrounding spaces", "pass a plain value"
            )
    if name is None:
        if version is not None:
            raise InputError(
                "--version", "a version needs the name of what it versions", "add --name NAME"
            )
        return None
    return CorpusName(name, version)


def run(args: argparse.Namespace) -> int:
    name = corpus_name(args.name, args.corpus_version)
    if args.batch_articles < 1:
        raise InputError("--batch-articles", "must be a positive number", "pass 1 or more")
    if args.shard_rows < 1:
        raise InputError("--shard-rows", "must be a positive number", "pass 1 or more")
    if args.allowlist is not None and not args.validate:
        raise InputError(
            "--allowlist", "only applies when the build is validated", "add --validate"
        )
    spec = chosen_schema(args)
    out: Path = args.out
    # A build a killed run set aside is put back and then replaced, not created anew.
    existed = (out.is_dir() and any(out.iterdir())) or set_aside(out).is_dir()
    gate = validation_gate(out, args.allowlist, spec) if args.validate else None
    try:
        result = build(
            args.source,
            out,
            label_layer=args.label_layer,
            lines=args.lines,
            default_layer=args.default_layer,
            batch_articles=args.batch_articles,
            shard_rows=args.shard_rows,
            progress=args.progress,
            gate=gate,
            named=name,
            follow_symlinks=args.follow_symlinks,
            spec=spec,
        )
    except BuildRejectedError as failure:
        print(f"validation failed; {_fate_of(out, existed)}. {failure}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{name} {result.rows(name)}" for name in spec.table_names)
    action = "replaced" if existed else "created"
    named = result.summary["dataset"]
    if named is None:
        what = "an unnamed corpus"
    else:
        what = str(CorpusName(named, result.summary["version"]))
    print(f"built {result.out} ({action}; {what}): {counts}")
    return 0
