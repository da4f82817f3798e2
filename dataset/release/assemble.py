"""Writing the reproducible files of a release from a build: the one function that both
``release`` and ``verify`` call, so what verify rebuilds is what release wrote."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from dataset.errors import InputError
from dataset.files import write_json
from dataset.release.bundle import Bundle, load_bundle
from dataset.release.changelog import shipped as changelog_up_to
from dataset.release.citation import CFF_SCHEMA, cff_problems, citation_bib, citation_cff
from dataset.release.croissant import croissant
from dataset.release.datacard import check_catalogue
from dataset.release.datapackage import datapackage
from dataset.release.info import ReleaseInfo
from dataset.release.layout import (
    CHANGELOG,
    CHART,
    CHECKS,
    CITATION_BIB,
    CITATION_CFF,
    CROISSANT,
    DATAPACKAGE,
    GUIDELINES,
    LICENCE,
    PREVIEW,
    README,
    SCHEMA,
)
from dataset.release.licence import licence_file
from dataset.release.preview import preview_html
from dataset.schema import Schema


def copy_data(bundle: Bundle, out: Path) -> None:
    """The build's Parquet shards, byte for byte, under ``data/<table>/``."""
    for file in bundle.files:
        target = out / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundle.build / file.path.split("/", 1)[1], target)


def checked_cff(info: ReleaseInfo) -> str:
    """CITATION.cff, refused when it breaks the CFF schema (a defect in the metadata it is
    generated from, such as pyproject.toml's authors)."""
    cff = citation_cff(info)
    problems = cff_problems(cff)
    if problems:
        raise InputError(
            CFF_SCHEMA,
            f"the generated {CITATION_CFF} breaks the Citation File Format schema:\n  "
            + "\n  ".join(problems),
            "fix the metadata it is generated from ([project] in pyproject.toml, `dataset:` "
            "in schemas/propaganda_spans.yaml) or dataset/release/citation.py",
        )
    return cff


def checks_file(spec: Schema) -> str:
    """checks.md: the catalogue of validation checks, as the datasheet shows it."""
    return (
        "# Validation checks\n\n"
        "Every check the validation suite runs on a release, by id. An `error` check blocks a "
        "release; a `warning` is reported. The report of this release's run is "
        "`validation.json`.\n\n" + check_catalogue(spec)
    )


def renderers() -> tuple[Callable[[Bundle], bytes], Callable[[Bundle], str]]:
    """The chart and Hub card writers, imported when called: they need the release
    dependencies (matplotlib, huggingface-hub), which ``--help`` does not. Commands call it
    before they build, so a missing one stops them at once (a ModuleNotFoundError, which
    the command line explains)."""
    from dataset.release.chart import technique_chart
    from dataset.release.hf_card import render_readme

    return technique_chart, render_readme


def assemble(build: Path, out: Path, info: ReleaseInfo) -> Bundle:
    """Write the data and every generated file into the (new, empty) folder ``out``; the
    bundle they were made from is returned for the release manifest."""
    technique_chart, render_readme = renderers()
    bundle = load_bundle(build, info)
    copy_data(bundle, out)
    chart = technique_chart(bundle)
    (out / CHART).write_bytes(chart)
    (out / README).write_text(render_readme(bundle), encoding="utf-8")
    (out / CITATION_CFF).write_text(checked_cff(bundle.info), encoding="utf-8")
    (out / CITATION_BIB).write_text(citation_bib(bundle.info), encoding="utf-8")
    write_json(out / CROISSANT, croissant(bundle))
    write_json(out / DATAPACKAGE, datapackage(bundle))
    (out / PREVIEW).write_text(preview_html(bundle, chart), encoding="utf-8")
    (out / LICENCE).write_text(licence_file(bundle.schema.dataset.licence), encoding="utf-8")
    (out / GUIDELINES).write_bytes(bundle.guidelines)
    (out / SCHEMA).parent.mkdir(parents=True, exist_ok=True)
    (out / SCHEMA).write_bytes(bundle.schema.file_bytes)
    (out / CHECKS).write_text(checks_file(bundle.schema), encoding="utf-8")
    if info.changelog is not None:
        shipped = changelog_up_to(info.changelog, info.version)
        (out / CHANGELOG).write_text(shipped, encoding="utf-8")
    return bundle
