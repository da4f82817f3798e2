"""Writing the reproducible files of a release from a build: the one function that both
``release`` and ``verify`` call, so what verify rebuilds is what release wrote."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from dataset.release.chart import technique_chart
from dataset.release.citation import cff_problems, citation_bib, citation_cff
from dataset.release.counts import Counts, count
from dataset.release.croissant import croissant
from dataset.release.datapackage import datapackage
from dataset.release.hf_card import render_readme
from dataset.release.info import ReleaseInfo
from dataset.release.layout import (
    CHART,
    CITATION_BIB,
    CITATION_CFF,
    CROISSANT,
    DATA_DIR,
    DATAPACKAGE,
    PREVIEW,
    README,
    table_paths,
)
from dataset.release.preview import preview_html
from dataset.schema import TABLE_NAMES


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def copy_data(build: Path, out: Path) -> None:
    """The build's Parquet shards, byte for byte, under ``data/<table>/``."""
    for table in TABLE_NAMES:
        target = out / DATA_DIR / table
        target.mkdir(parents=True)
        for path in table_paths(build, table):
            shutil.copyfile(path, target / path.name)


def assemble(build: Path, out: Path, info: ReleaseInfo) -> Counts:
    """Write the data and every generated file into the (new, empty) folder ``out``."""
    copy_data(build, out)
    counts = count(out)
    chart = technique_chart(counts, info)
    (out / CHART).write_bytes(chart)
    (out / README).write_text(render_readme(out, info, counts), encoding="utf-8")
    cff = citation_cff(info)
    problems = cff_problems(cff)
    if problems:
        raise AssertionError(f"generated {CITATION_CFF} breaks the CFF schema: {problems}")
    (out / CITATION_CFF).write_text(cff, encoding="utf-8")
    (out / CITATION_BIB).write_text(citation_bib(info), encoding="utf-8")
    write_json(out / CROISSANT, croissant(out, info, counts))
    write_json(out / DATAPACKAGE, datapackage(out, info))
    (out / PREVIEW).write_text(preview_html(out, info, counts, chart), encoding="utf-8")
    return counts
