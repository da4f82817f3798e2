"""What citation managers make of CITATION.cff: ``python -m dataset citation`` and the
check of cffconvert's conversions (``nox -s citation`` runs the real cffconvert on this
version's file; the fixtures are cffconvert 2.0's real output for release 2.0.0, whose CFF
claimed CC-BY-4.0 for the whole dataset and braced its corporate author)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from dataset.cli import main
from dataset.release.converted import converted_problems
from dataset.schema import schema

RELEASE_2_0_0 = Path(__file__).parent / "fixtures" / "citation-2.0.0"


def test_release_2_0_0_conversions_misstate_the_rights_and_the_author() -> None:
    problems = converted_problems(RELEASE_2_0_0, schema().dataset.licence)
    assert any(p.startswith("zenodo: claims the licence") for p in problems)
    assert any(p.startswith("schema.org: claims the licence") for p in problems)
    assert any(p.startswith("zenodo: authors ['{propaganda-spans") for p in problems)
    assert (
        "schema.org: braces leak into the authors: ['{propaganda-spans maintainers}']" in problems
    )
    assert any(p.startswith("apalike: braces leak") for p in problems)


def _mended(tmp_path: Path) -> Path:
    """The 2.0.0 conversions as this version's CFF converts: no licence, plain names."""
    folder = tmp_path / "converted"
    shutil.copytree(RELEASE_2_0_0, folder)
    for name, people in (("zenodo.json", "creators"), ("schemaorg.json", "author")):
        record = json.loads((folder / name).read_text(encoding="utf-8"))
        del record["license"]
        for person in record[people]:
            person.update({key: str(value).strip("{}") for key, value in person.items()})
        (folder / name).write_text(json.dumps(record), encoding="utf-8")
    apa = (folder / "apalike.txt").read_text(encoding="utf-8")
    (folder / "apalike.txt").write_text(apa.replace("{", "").replace("}", ""), "utf-8")
    return folder


def test_truthful_conversions_pass(tmp_path: Path) -> None:
    assert converted_problems(_mended(tmp_path), schema().dataset.licence) == []


def test_a_description_without_the_article_terms_is_caught(tmp_path: Path) -> None:
    folder = _mended(tmp_path)
    record = json.loads((folder / "zenodo.json").read_text(encoding="utf-8"))
    record["description"] = record["description"].replace(schema().dataset.licence.text, "")
    (folder / "zenodo.json").write_text(json.dumps(record), encoding="utf-8")
    assert converted_problems(folder, schema().dataset.licence) == [
        "zenodo: the description lacks the article text's terms"
    ]


def test_check_converted_exits_1_naming_each_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["citation", "--check-converted", str(RELEASE_2_0_0)]) == 1
    assert capsys.readouterr().err.count("error: ") == len(
        converted_problems(RELEASE_2_0_0, schema().dataset.licence)
    )


def test_a_missing_conversion_is_an_input_error(tmp_path: Path) -> None:
    assert main(["citation", "--check-converted", str(tmp_path)]) == 2


def test_citation_files_of_this_version_claim_no_single_licence(tmp_path: Path) -> None:
    assert main(["citation", "--out", str(tmp_path)]) == 0
    cff = yaml.safe_load((tmp_path / "CITATION.cff").read_text(encoding="utf-8"))
    assert "license" not in cff and schema().dataset.licence.text in cff["abstract"]
    assert cff["authors"] == [{"name": "propaganda-spans maintainers"}]
    bib = (tmp_path / "CITATION.bib").read_text(encoding="utf-8")
    assert "author  = {{propaganda-spans maintainers}}," in bib
    assert schema().dataset.licence.spdx in bib and schema().dataset.licence.text in bib


def test_out_never_overwrites_a_folder_the_command_did_not_write(tmp_path: Path) -> None:
    mine = tmp_path / "paper"
    mine.mkdir()
    (mine / "CITATION.cff").write_text("my own citation\n", encoding="utf-8")
    assert main(["citation", "--out", str(mine)]) == 2
    assert (mine / "CITATION.cff").read_text(encoding="utf-8") == "my own citation\n"
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert main(["citation", "--out", str(tmp_path / "a-file")]) == 2
    out = tmp_path / "citation"
    assert main(["citation", "--out", str(out)]) == 0
    assert main(["citation", "--out", str(out)]) == 0  # its own folder is replaced
