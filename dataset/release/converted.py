"""What citation managers make of CITATION.cff: the files ``cffconvert`` converts it to.

Zenodo deposits and schema.org records are made from the CFF by tools, not by people, so
the rights a release states must survive the conversion: no converted file may claim one
open licence for the whole dataset (the article text is its publisher's), the licence
statement must travel in the description, and the corporate author must arrive by its
plain name, without BibTeX's braces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dataset.errors import InputError
from dataset.release.info import authors
from dataset.schema import Licence

#: The files ``nox -s citation`` converts CITATION.cff to, by cffconvert's format name.
CONVERSIONS = {"zenodo": "zenodo.json", "schema.org": "schemaorg.json", "apalike": "apalike.txt"}


def _read(folder: Path, name: str) -> str:
    path = folder / name
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            path, f"cannot read the converted citation: {error}", "run nox -s citation"
        ) from None


def _record_problems(fmt: str, record: dict[str, Any], people: str, licence: Licence) -> list[str]:
    problems = []
    if "license" in record:
        problems.append(
            f"{fmt}: claims the licence {record['license']!r} for the whole dataset, "
            "article text included"
        )
    if licence.text not in str(record.get("description", "")):
        problems.append(f"{fmt}: the description lacks the article text's terms")
    persons = record.get(people, [])
    names = [str(person.get("name")) for person in persons]
    if names != authors():
        problems.append(f"{fmt}: authors {names} are not {authors()}")
    braced = [v for p in persons for v in p.values() if "{" in str(v) or "}" in str(v)]
    if braced:
        problems.append(f"{fmt}: braces leak into the authors: {braced}")
    return problems


def converted_problems(folder: Path, licence: Licence) -> list[str]:
    """Every way the converted files in ``folder`` misstate the release's rights (as the
    schema's ``licence`` states them) or authors (empty when they state them truthfully)."""
    zenodo = json.loads(_read(folder, CONVERSIONS["zenodo"]))
    schema_org = json.loads(_read(folder, CONVERSIONS["schema.org"]))
    problems = _record_problems("zenodo", zenodo, "creators", licence)
    problems += _record_problems("schema.org", schema_org, "author", licence)
    apa = _read(folder, CONVERSIONS["apalike"])
    if "{" in apa or "}" in apa:
        problems.append(f"apalike: braces leak into the reference: {apa.strip()}")
    return problems
