"""Command line of the dataset tooling: ``python -m dataset <command>``.

Each command lives in its own module exposing ``add_arguments(parser)`` and
``run(args) -> int``; this module only wires them up and turns input errors into one
clear message and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dataset.errors import InputError

COMMANDS = {
    "build": (
        "dataset.commands.build",
        "Build the Parquet tables from a folder of PTC-format files.",
    ),
    "card": ("dataset.release.datacard", "Regenerate the generated sections of DATACARD.md."),
    "annotate": (
        "dataset.annotation.annotate",
        "Turn (fragment, occurrence) annotation records into PTC label and rationale files.",
    ),
    "agreement": (
        "dataset.annotation.agreement",
        "Agreement between two annotation layers: gamma, SemEval-2020 Task 11 span F1, "
        "Cohen's kappa on the lines.",
    ),
    "adjudicate": (
        "dataset.annotation.adjudicate",
        "List the disagreements between annotation layers and write the gold layer that a "
        "decisions file settles.",
    ),
    "export": (
        "dataset.commands.export",
        "Write a built dataset's gold as SemEval-2020 / NLP4IF-2019 task files (si, tc, slc).",
    ),
    "score": (
        "dataset.commands.score",
        "Score predictions in a task's file format against a built dataset, as the official "
        "scorers do.",
    ),
    "synth": ("dataset.ptc.synth", "Write a synthetic PTC-format corpus for tests and benchmarks."),
    "release": (
        "dataset.release.make",
        "Build, validate and write releases/v<version>/ (never changing a released version).",
    ),
    "verify": (
        "dataset.release.verify",
        "Rebuild a release from its inputs and check it byte for byte against SHA256SUMS.",
    ),
    "screenshot": (
        "dataset.release.browser",
        "Render a release's preview.html in headless Chromium into a PNG.",
    ),
    "citation": (
        "dataset.commands.citation",
        "Write this version's CITATION.cff and CITATION.bib, or check cffconvert's conversions.",
    ),
    "publish": (
        "dataset.release.publish",
        "Upload a verified release to the Hugging Face Hub (or a local git repository), tagged.",
    ),
}
EXIT_INPUT_ERROR = 2
#: The import names of pyproject's ``release`` dependency group, which release, verify
#: and publish need and a plain install of the package does not bring.
RELEASE_LIBRARIES = frozenset({"huggingface_hub", "matplotlib", "mlcroissant", "frictionless"})


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only the chosen command's module is imported, so one command
    never pays for (or breaks on) another's dependencies."""
    root = argparse.ArgumentParser(prog="python -m dataset", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text)
        if name == command:
            module = importlib.import_module(module_name)
            sub.description = module.__doc__
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
