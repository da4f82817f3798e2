"""Command line of the dataset tooling: ``python -m dataset <command>``.

Each command is the module ``dataset.commands.<command>``, exposing ``DESCRIPTION`` (what
``--help`` tells users), ``add_arguments(parser)`` and ``run(args) -> int``; this module
only wires them up, importing the chosen command alone, and turns input errors into one
clear message and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence

from dataset.errors import InputError

#: Each command: its module under dataset.commands and the line ``--help`` lists it with.
COMMANDS = {
    "build": "Build the dataset's Parquet tables from a folder of PTC-format files.",
    "synth": "Write a synthetic PTC-format corpus, to test or benchmark at any size.",
    "annotate": "Turn annotation records (fragment and occurrence) into PTC label files.",
    "agreement": "Measure how far two annotation layers agree (F1, gamma, kappa).",
    "adjudicate": "List annotation layers' disagreements; write the gold layer you decided.",
    "export": "Write a built dataset's gold as the official SemEval/NLP4IF task files.",
    "score": "Score your predictions against a built dataset, as the official scorers do.",
    "card": "Bring the generated sections of DATACARD.md up to date.",
    "citation": "Write the next release's CITATION.cff and CITATION.bib, or check conversions.",
    "release": "Cut the release of this version into releases/v<version>/.",
    "verify": "Check that a release rebuilds byte for byte with the code that made it.",
    "screenshot": "Render a release's preview page into a PNG.",
    "publish": "Upload a verified release to the Hugging Face Hub or a git repository, tagged.",
}
#: What ``python -m dataset --help`` says before the list of commands.
DESCRIPTION = """\
Build, check, annotate, score and release the propaganda-spans dataset: news articles with
the fragments that use propaganda techniques, as Parquet tables. Run
`python -m dataset COMMAND --help` for what a command does and its options; validate a
built dataset with `python -m validation`.
"""
EXIT_INPUT_ERROR = 2
#: The exit status of a command stopped by Ctrl-C, as a shell reports a process SIGINT ended.
EXIT_INTERRUPTED = 128 + signal.SIGINT
#: What a command stopped by Ctrl-C has left, when it stopped outside the replacement of an
#: output (``dataset.owned`` reports a stop inside one: the output was left as it was).
LEFT_WHEN_INTERRUPTED = {
    "build": "nothing was written; the --out folder is as it was",
    "synth": "the --out folder may hold part of the corpus; remove it before running again",
}
#: The other commands write each file whole or not at all (``dataset.files``).
LEFT_OTHERWISE = "no file was left half-written; those written before the interrupt stay"
#: The import names of pyproject's ``release`` dependency group, which release, verify
#: and publish need and a plain install of the package does not bring.
RELEASE_LIBRARIES = frozenset({"huggingface_hub", "matplotlib", "mlcroissant", "frictionless"})


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only the chosen command's module is imported, so one command
    never pays for (or breaks on) another's dependencies."""
    root = argparse.ArgumentParser(
        prog="python -m dataset",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text)
        if name == command:
            module = importlib.import_module(f"dataset.commands.{name}")
            sub.description = module.DESCRIPTION
            sub.formatter_class = argparse.RawDescriptionHelpFormatter
            module.add_arguments(sub)
            sub.set_defaults(run=module.run)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = arguments[0] if arguments and arguments[0] in COMMANDS else None
    try:
        try:
            args = parser(command).parse_args(arguments)
            return int(args.run(args))
        except ModuleNotFoundError as error:
            raise not_installed(error, command) from None
    except InputError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        # Ctrl-C: one line saying what was left, never a traceback.
        left = LEFT_WHEN_INTERRUPTED.get(command or "", LEFT_OTHERWISE)
        print(f"interrupted; {left}", file=sys.stderr)
        return EXIT_INTERRUPTED


def not_installed(error: ModuleNotFoundError, command: str | None) -> InputError | Exception:
    """A library the command needs is missing: say which and how to get it."""
    library = (error.name or "").split(".")[0]
    if not library:
        return error
    if library in RELEASE_LIBRARIES:
        fix = (
            f"run it through nox (nox -s {command or 'release'}), which installs them, or "
            "install the release dependencies: uv sync --group release (pip 25.1+: "
            "pip install --group release)"
        )
        what = "the release dependencies"
    else:
        fix = "install the project with its dependencies (pip install .), or run it through nox"
        what = "this project's dependencies"
    return InputError(
        command or "python -m dataset",
        f"needs {library}, one of {what}, which is not installed",
        fix,
    )
