"""The release reads a build once: every writer works from the bundle alone, and the
shard hashes are the build manifest's. Defects in what a release is generated from are
input errors with a fix, never tracebacks."""

from __future__ import annotations

import datetime
import hashlib
import shutil
from pathlib import Path

import pytest

from dataset.builder.pipeline import BuildResult
from dataset.cli import main
from dataset.errors import InputError
from dataset.owned import MANIFEST_NAME
from dataset.project import DATACARD_PATH
from dataset.release.assemble import checked_cff
from dataset.release.bundle import load_bundle
from dataset.release.chart import technique_chart
from dataset.release.croissant import croissant
from dataset.release.datacard import card_blocks, render
from dataset.release.datapackage import datapackage
from dataset.release.hf_card import render_readme
from dataset.release.info import ReleaseInfo
from dataset.release.preview import preview_html
from dataset.release.sections import demoted
from dataset.schema import schema

CARD = DATACARD_PATH.read_text(encoding="utf-8")
INFO = ReleaseInfo("0.0.0", datetime.date(2026, 1, 1), CARD, schema=schema())


def test_shard_hashes_come_from_the_build_and_match_the_files(built: BuildResult) -> None:
    bundle = load_bundle(built.out, INFO)
    assert [file.table for file in bundle.files] == list(schema().table_names)
    for file in bundle.files:
        data = (built.out / file.path.removeprefix("data/")).read_bytes()
        assert file.sha256 == hashlib.sha256(data).hexdigest()
        assert file.bytes == len(data)
    assert bundle.counts.tables == {table: built.rows(table) for table in schema().table_names}


def test_every_writer_works_from_the_bundle_alone(built: BuildResult, tmp_path: Path) -> None:
    copy = tmp_path / "build"
    shutil.copytree(built.out, copy)
    bundle = load_bundle(copy, INFO)
    for shard in copy.rglob("*.parquet"):
        shard.unlink()
    chart = technique_chart(bundle)
    assert render_readme(bundle).endswith(demoted(CARD))
    assert preview_html(bundle, chart).count('class="tag"') == built.rows("spans")
    assert croissant(bundle)["version"] == datapackage(bundle)["version"] == "0.0.0"


def test_a_folder_that_is_not_a_finished_build_is_refused(
    built: BuildResult, tmp_path: Path
) -> None:
    copy = tmp_path / "build"
    shutil.copytree(built.out, copy)
    (copy / MANIFEST_NAME).unlink()
    with pytest.raises(InputError, match="not a finished build") as error:
        load_bundle(copy, INFO)
    assert error.value.path == copy / MANIFEST_NAME


def test_a_generated_cff_that_breaks_the_schema_is_an_input_error(built: BuildResult) -> None:
    bundle = load_bundle(
        built.out, ReleaseInfo("", datetime.date(2026, 1, 1), CARD, schema=schema())
    )
    with pytest.raises(InputError, match=r"breaks the Citation File Format schema:\n  version"):
        checked_cff(bundle.info)


def test_a_card_block_nothing_generates_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    card = CARD.replace("GENERATED: checks -->", "GENERATED: chekcs -->")
    with pytest.raises(InputError, match="'chekcs' is not one that") as error:
        render(card, card_blocks(schema()), where=tmp_path / "DATACARD.md")
    assert error.value.line == CARD[: CARD.index("GENERATED: checks")].count("\n") + 1


def test_a_card_missing_a_block_fails_clearly_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = CARD.index("<!-- BEGIN GENERATED: checks -->")
    end = CARD.index("<!-- END GENERATED: checks -->") + len("<!-- END GENERATED: checks -->")
    path = tmp_path / "DATACARD.md"
    path.write_text(CARD[:start] + CARD[end:], encoding="utf-8")
    assert main(["card", "--card", str(path)]) == 2
    err = capsys.readouterr().err
    assert "lacks the generated block(s) checks" in err and "Traceback" not in err
    assert path.read_text(encoding="utf-8") == CARD[:start] + CARD[end:]
