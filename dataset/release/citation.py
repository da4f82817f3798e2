"""CITATION.cff and CITATION.bib: how to cite this exact version, crediting PTC.

Both name the version and its release date and list the two papers that define PTC's
conventions as references. The CFF file is checked against the Citation File Format 1.2.0
JSON schema shipped beside this module (``cff-schema-1.2.0.json``, from the
citation-file-format project, CC BY 4.0); ``nox -s citation`` also runs the real
``cffconvert --validate`` in an environment of its own.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from dataset.release.info import ReleaseInfo, authors, description, keywords
from dataset.release.licence import statement
from dataset.schema import Licence

CFF_SCHEMA = Path(__file__).with_name("cff-schema-1.2.0.json")

#: The papers that define the conventions, taxonomy and formats the dataset follows.
PTC_PAPERS: tuple[dict[str, Any], ...] = (
    {
        "key": "da-san-martino-etal-2019-fine",
        "title": "Fine-Grained Analysis of Propaganda in News Articles",
        "authors": [
            ("Da San Martino", "Giovanni"),
            ("Yu", "Seunghak"),
            ("Barrón-Cedeño", "Alberto"),
            ("Petrov", "Rostislav"),
            ("Nakov", "Preslav"),
        ],
        "year": 2019,
        "month": 11,
        "booktitle": (
            "Proceedings of the 2019 Conference on Empirical Methods in Natural Language "
            "Processing and the 9th International Joint Conference on Natural Language "
            "Processing (EMNLP-IJCNLP)"
        ),
        "conference": "EMNLP-IJCNLP 2019",
        "publisher": "Association for Computational Linguistics",
        "address": "Hong Kong, China",
        "pages": (5636, 5646),
        "doi": "10.18653/v1/D19-1565",
    },
    {
        "key": "da-san-martino-etal-2020-semeval",
        "title": "SemEval-2020 Task 11: Detection of Propaganda Techniques in News Articles",
        "authors": [
            ("Da San Martino", "Giovanni"),
            ("Barrón-Cedeño", "Alberto"),
            ("Wachsmuth", "Henning"),
            ("Petrov", "Rostislav"),
            ("Nakov", "Preslav"),
        ],
        "year": 2020,
        "month": 12,
        "booktitle": "Proceedings of the Fourteenth Workshop on Semantic Evaluation",
        "conference": "SemEval 2020",
        "publisher": "International Committee for Computational Linguistics",
        "address": "Barcelona (online)",
        "pages": (1377, 1414),
        "doi": "10.18653/v1/2020.semeval-1.186",
    },
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def citation_key(info: ReleaseInfo) -> str:
    return f"{info.name.replace('-', '_')}_{info.version.replace('.', '_')}"


def _cff_reference(paper: dict[str, Any]) -> dict[str, Any]:
    start, end = paper["pages"]
    return {
        "type": "conference-paper",
        "title": paper["title"],
        "authors": [{"family-names": f, "given-names": g} for f, g in paper["authors"]],
        "year": paper["year"],
        "month": paper["month"],
        "collection-title": paper["booktitle"],
        "collection-type": "proceedings",
        "conference": {"name": paper["conference"]},
        "publisher": {"name": paper["publisher"]},
        "start": start,
        "end": end,
        "doi": paper["doi"],
    }


def cff_author(name: str) -> dict[str, str]:
    """An author as a CFF entity (a team, not a person), by its plain name: an alias would
    travel verbatim into APA, Zenodo and schema.org output. BibTeX's braces, which make it
    read the name as one corporate name, are written by ``citation_bib`` alone."""
    return {"name": name}


def cff_data(info: ReleaseInfo) -> dict[str, Any]:
    """The CFF fields. No ``license``: CFF takes SPDX ids only, and no SPDX id covers the
    article text, so naming the annotations' licence there would relicense the article in
    every conversion (Zenodo, schema.org); the abstract carries the whole statement."""
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": (
            f"If you use this dataset, please cite version {info.version} as below, and the "
            "Propaganda Techniques Corpus papers listed under references, whose conventions, "
            "taxonomy and formats it follows."
        ),
        "type": "dataset",
        "title": f"{info.pretty_name} ({info.name})",
        "version": info.version,
        "date-released": info.date.isoformat(),
        "abstract": f"{description()} {statement(info.schema.dataset.licence)}",
        "authors": [cff_author(name) for name in authors()],
        "keywords": keywords(),
        "references": [_cff_reference(paper) for paper in PTC_PAPERS],
    }
    if info.home is not None:
        data["url"] = info.home
    return data


def citation_cff(info: ReleaseInfo) -> str:
    body = yaml.safe_dump(cff_data(info), sort_keys=False, allow_unicode=True, width=88)
    return f"# Citation of {info.name} {info.version} (Citation File Format 1.2.0).\n{body}"


def cff_problems(text: str) -> list[str]:
    """Every way ``text`` breaks the CFF 1.2.0 schema (empty when valid). Dates are read as
    strings, as cffconvert reads them."""
    data = yaml.load(text, Loader=_DatesAsText)  # a SafeLoader subclass
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(data), key=str)
    ]


class _DatesAsText(yaml.SafeLoader):
    pass


_DatesAsText.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


def _bib_escape(text: str) -> str:
    return (
        text.replace("ó", "{\\'o}").replace("ñ", "{\\~n}").replace("&", "\\&").replace("_", "\\_")
    )


def _bib_entry(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in fields)
    lines = [f"  {name.ljust(width)} = {value}," for name, value in fields]
    return f"@{kind}{{{key},\n" + "\n".join(lines) + "\n}\n"


def _bib_paper(paper: dict[str, Any]) -> str:
    start, end = paper["pages"]
    names = " and ".join(f"{family}, {given}" for family, given in paper["authors"])
    return _bib_entry(
        "inproceedings",
        paper["key"],
        [
            ("title", f"{{{{{_bib_escape(paper['title'])}}}}}"),
            ("author", f"{{{_bib_escape(names)}}}"),
            ("booktitle", f"{{{paper['booktitle']}}}"),
            ("month", MONTHS[paper["month"] - 1]),
            ("year", f"{{{paper['year']}}}"),
            ("address", f"{{{paper['address']}}}"),
            ("publisher", f"{{{paper['publisher']}}}"),
            ("pages", f"{{{start}--{end}}}"),
            ("doi", f"{{{paper['doi']}}}"),
        ],
    )


def bib_licence(licence: Licence) -> str:
    """The licence statement in one line for BibTeX's ``license`` field (biblatex-software's
    name for it; styles that do not know the field skip it)."""
    return _bib_escape(
        f"{licence.covers[0].upper()}{licence.covers[1:]}: {licence.spdx}. The article text "
        f"is not under that licence: {licence.text}"
    )


def citation_bib(info: ReleaseInfo) -> str:
    date: datetime.date = info.date
    dataset = _bib_entry(
        "misc",
        citation_key(info),
        [
            ("title", f"{{{{{info.pretty_name}}} ({info.name}), version {info.version}}}"),
            ("author", "{" + " and ".join(f"{{{name}}}" for name in authors()) + "}"),
            ("year", f"{{{date.year}}}"),
            ("month", MONTHS[date.month - 1]),
            ("version", f"{{{info.version}}}"),
            ("note", f"{{Dataset, version {info.version}, released {date.isoformat()}}}"),
            ("license", f"{{{bib_licence(info.schema.dataset.licence)}}}"),
            *([("url", f"{{{info.home}}}")] if info.home is not None else []),
        ],
    )
    papers = "\n".join(_bib_paper(paper) for paper in PTC_PAPERS)
    return (
        f"% {info.name} {info.version}: cite the dataset version you used, and PTC.\n"
        f"{dataset}\n{papers}"
    )
