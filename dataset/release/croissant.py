"""croissant.json: MLCommons Croissant 1.0 metadata with the Responsible-AI extension.

Generated from ``schemas/``: one record set per table, one field per column, the primary
key as the record set's key, class labels as integers that reference an enumeration
record set of the taxonomy's names, and lists as repeated fields (which name their
taxonomy in words, because Croissant readers cannot join a list column). One FileObject
per Parquet shard carries its sha256; one FileSet per table is what the record sets read.
The description is the card's three-line summary of what the dataset is, from the data;
the Responsible-AI fields quote the datasheet's sections as plain text (Croissant readers
do not render Markdown), so the two never disagree.
"""

from __future__ import annotations

from typing import Any

from dataset.errors import InputError
from dataset.project import DATACARD_PATH
from dataset.release.bundle import Bundle
from dataset.release.citation import citation_bib
from dataset.release.info import authors, keywords
from dataset.release.layout import LICENCE, table_glob
from dataset.release.licence import own_work
from dataset.release.sections import paragraph, plain_text, section_markdown
from dataset.release.summary import plain, summary_lines
from dataset.schema import Field, Licence, Schema, Table

CROISSANT_1_0 = "http://mlcommons.org/croissant/1.0"
RAI_1_0 = "http://mlcommons.org/croissant/RAI/1.0"
PARQUET = "application/x-parquet"
#: The JSON-LD context of the Croissant 1.0 specification.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
DATA_TYPES = {"string": "sc:Text", "int32": "sc:Integer", "bool": "sc:Boolean"}
#: Responsible-AI property: the DATACARD.md level-2 section it quotes (required).
RAI_SECTIONS = {
    "rai:dataCollection": "Collection process",
    "rai:dataAnnotationProtocol": "Annotation process and annotators",
    "rai:dataPreprocessingProtocol": "Preprocessing, cleaning and labelling",
    "rai:dataUseCases": "Uses",
    "rai:dataBiases": "Biases and risks",
    "rai:dataReleaseMaintenancePlan": "Maintenance",
}
#: Responsible-AI property: the bold lead of the DATACARD.md paragraph it quotes.
RAI_PARAGRAPHS = {
    "rai:dataCollectionMissingData": "Is anything missing?",
    "rai:personalSensitiveInformation": "Does it identify people or contain sensitive content?",
    "rai:annotatorDemographics": "Who annotated, and when?",
    "rai:dataLimitations": "Limits.",
}


def taxonomy_set(name: str) -> str:
    return f"{name}-labels"


def _field(table: str, field: Field) -> dict[str, Any]:
    spec = field.item.model_dump() if field.item is not None else None
    type_ = spec["type"] if spec else field.type
    labels = spec.get("labels") if spec else field.labels
    node: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{table}/{field.name}",
        "name": field.name,
        "description": field.description,
        "dataType": "sc:Integer" if type_ == "class_label" else DATA_TYPES[type_],
        "source": {"fileSet": {"@id": f"{table}-files"}, "extract": {"column": field.name}},
    }
    if spec is not None:
        node["repeated"] = True
    if labels is not None and spec is None:
        node["references"] = {"field": {"@id": f"{taxonomy_set(labels)}/id"}}
    elif labels is not None:
        # mlcroissant cannot join a list column, so lists name their taxonomy in words.
        node["description"] += f" Items are ids of the record set {taxonomy_set(labels)}."
    return node


def _taxonomy_record_set(name: str, spec: Schema) -> dict[str, Any]:
    taxonomy = spec.taxonomies[name]
    record = taxonomy_set(name)
    return {
        "@type": "cr:RecordSet",
        "@id": record,
        "name": record,
        "description": f"Class-label ids and names of the {name} taxonomy. {taxonomy.description}",
        "dataType": "sc:Enumeration",
        "key": {"@id": f"{record}/id"},
        "field": [
            {"@type": "cr:Field", "@id": f"{record}/id", "name": "id", "dataType": "sc:Integer"},
            {"@type": "cr:Field", "@id": f"{record}/name", "name": "name", "dataType": "sc:Text"},
        ],
        "data": [
            {f"{record}/id": label.id, f"{record}/name": label.name} for label in taxonomy.labels
        ],
    }


def _table_record_set(table: Table) -> dict[str, Any]:
    return {
        "@type": "cr:RecordSet",
        "@id": table.name,
        "name": table.name,
        "description": table.description,
        "key": [{"@id": f"{table.name}/{column}"} for column in table.primary_key],
        "field": [_field(table.name, field) for field in table.fields],
    }


def _distribution(bundle: Bundle) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for table in bundle.schema.table_names:
        for file in bundle.files_of(table):
            name = file.path
            nodes.append(
                {
                    "@type": "cr:FileObject",
                    "@id": name,
                    "name": name,
                    "description": f"A shard of the {table} table.",
                    "contentUrl": name,
                    "contentSize": f"{file.bytes} B",
                    "encodingFormat": PARQUET,
                    "sha256": file.sha256,
                }
            )
        nodes.append(
            {
                "@type": "cr:FileSet",
                "@id": f"{table}-files",
                "name": f"{table}-files",
                "description": f"Every shard of the {table} table.",
                "encodingFormat": PARQUET,
                "includes": table_glob(table),
            }
        )
    return nodes


def responsible_ai(card: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for prop, title in RAI_SECTIONS.items():
        found = section_markdown(card, title)
        text = plain_text(found) if found is not None else ""
        if not text:
            raise InputError(
                DATACARD_PATH,
                f"the datasheet has no '## {title}' section, which croissant.json quotes as {prop}",
                f"write a '## {title}' section",
            )
        fields[prop] = text
    for prop, lead in RAI_PARAGRAPHS.items():
        quoted = paragraph(card, lead)
        if quoted:
            fields[prop] = plain_text(quoted)
    return fields


def _taxonomies_of(table: Table) -> list[str]:
    names = [f.taxonomy for f in table.fields]
    return [name for name in names if name]


def licenses(licence: Licence) -> list[dict[str, str]]:
    """The project's licence for its own work, and the article text's terms."""
    return [
        {
            "@type": "sc:CreativeWork",
            "name": licence.title,
            "url": licence.url,
            "description": own_work(licence),
        },
        {
            "@type": "sc:CreativeWork",
            "name": "Article text: the publisher's copyright",
            "url": LICENCE,
            "description": licence.text,
        },
    ]


def croissant(bundle: Bundle) -> dict[str, Any]:
    info, spec = bundle.info, bundle.schema
    taxonomies = sorted({name for table in spec.tables.values() for name in _taxonomies_of(table)})
    home = {"url": info.home} if info.home is not None else {}
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": [CROISSANT_1_0, RAI_1_0],
        "name": info.name,
        "alternateName": info.pretty_name,
        **home,
        "description": " ".join(summary_lines(bundle, plain)) + " " + spec.dataset.offsets,
        "version": info.version,
        "datePublished": info.date.isoformat(),
        "citeAs": citation_bib(info),
        "license": licenses(spec.dataset.licence),
        "keywords": keywords(),
        "inLanguage": list(bundle.languages),
        "creator": [{"@type": "sc:Organization", "name": name} for name in authors()],
        **responsible_ai(info.card),
        "distribution": _distribution(bundle),
        "recordSet": [
            *(_taxonomy_record_set(name, spec) for name in taxonomies),
            *(_table_record_set(table) for table in spec.tables.values()),
        ],
    }
