"""README.md of a release: the Hugging Face dataset card.

The YAML front matter is produced by ``datasets`` and ``huggingface_hub`` themselves
(``MetadataConfigs`` and ``DatasetInfosDict`` write ``configs`` and ``dataset_info`` into a
``DatasetCardData``), with the features generated from ``schemas/`` by
``schema().features(table)``, so ``load_dataset`` reads back exactly the ClassLabel
names the Parquet files carry. The body (``templates/README.md``) is a short header for
this version (how to load exactly it, the technique chart, the files, each linked inside
the release) followed by DATACARD.md unchanged.
"""

from __future__ import annotations

from datasets.info import DatasetInfo, DatasetInfosDict
from datasets.splits import SplitDict, SplitInfo
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCardData

from dataset.markdown import markdown_table
from dataset.release import layout
from dataset.release.bundle import Bundle
from dataset.release.info import keywords
from dataset.release.licence import terms
from dataset.release.render import render
from dataset.schema import TABLE_NAMES, schema

SPLIT = "train"
#: Hub size categories by number of rows of the default config.
SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
)
#: The release files the header links to, by the name the template uses.
FILES = {
    "sums": layout.SHA256SUMS,
    "chart": layout.CHART,
    "guidelines": layout.GUIDELINES,
    "schema": layout.SCHEMA,
    "checks": layout.CHECKS,
    "validation": layout.VALIDATION,
    "licence": layout.LICENCE,
    "cff": layout.CITATION_CFF,
    "bib": layout.CITATION_BIB,
    "croissant": layout.CROISSANT,
    "datapackage": layout.DATAPACKAGE,
    "preview": layout.PREVIEW,
    "manifest": layout.MANIFEST,
}


def size_category(rows: int) -> str:
    for bound, name in SIZE_CATEGORIES:
        if rows < bound:
            return name
    return "10M<n<100M"


def _dataset_info(bundle: Bundle, table: str) -> DatasetInfo:
    num_bytes = bundle.tables[table].nbytes
    splits = SplitDict()
    splits.add(SplitInfo(name=SPLIT, num_bytes=num_bytes, num_examples=bundle.counts.tables[table]))
    return DatasetInfo(
        features=schema().features(table),
        splits=splits,
        download_size=sum(file.bytes for file in bundle.files_of(table)),
        dataset_size=num_bytes,
    )


def card_data(bundle: Bundle) -> DatasetCardData:
    info, counts = bundle.info, bundle.counts
    langs = list(bundle.languages)
    data = DatasetCardData(
        pretty_name=info.pretty_name,
        language=langs,
        license="other",
        license_name=terms().hub_name,
        license_link=layout.LICENCE,
        annotations_creators=["other"],
        language_creators=["found"],
        multilinguality=["monolingual" if len(langs) <= 1 else "multilingual"],
        size_categories=[size_category(counts.tables[layout.DEFAULT_CONFIG])],
        source_datasets=["original"],
        task_categories=["text-classification", "token-classification"],
        tags=keywords(),
    )
    MetadataConfigs(
        {
            table: {
                "data_files": [{"split": SPLIT, "path": layout.table_glob(table)}],
                **({"default": True} if table == layout.DEFAULT_CONFIG else {}),
            }
            for table in TABLE_NAMES
        }
    ).to_dataset_card_data(data)
    DatasetInfosDict(
        {table: _dataset_info(bundle, table) for table in TABLE_NAMES}
    ).to_dataset_card_data(data)
    return data


def tables(bundle: Bundle) -> str:
    spec = schema()
    return markdown_table(
        ["config", "rows", "what it holds"],
        (
            (
                f"`{name}`" + (" (default)" if name == layout.DEFAULT_CONFIG else ""),
                bundle.counts.tables[name],
                spec.tables[name].description,
            )
            for name in TABLE_NAMES
        ),
    )


def render_readme(bundle: Bundle) -> str:
    return render(
        "README.md",
        front_matter=card_data(bundle).to_yaml(),
        info=bundle.info,
        tables=tables(bundle),
        files=FILES,
        table_names=TABLE_NAMES,
        default_config=layout.DEFAULT_CONFIG,
        split=SPLIT,
    )
