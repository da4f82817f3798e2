"""README.md of a release: the Hugging Face dataset card.

The YAML front matter is produced by ``datasets`` and ``huggingface_hub`` themselves
(``MetadataConfigs`` and ``DatasetInfosDict`` write ``configs`` and ``dataset_info`` into a
``DatasetCardData``), with the features generated from ``schemas/`` by
``schema().features(table)``, so ``load_dataset`` reads back exactly the ClassLabel
names the Parquet files carry. The body is a short header for this version (how to load
it, the technique chart, the files) followed by DATACARD.md unchanged.
"""

from __future__ import annotations

from datasets.info import DatasetInfo, DatasetInfosDict
from datasets.splits import SplitDict, SplitInfo
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCardData

from dataset.markdown import markdown_table
from dataset.release.bundle import Bundle
from dataset.release.counts import Counts
from dataset.release.info import ReleaseInfo, keywords
from dataset.release.layout import (
    CHART,
    CITATION_BIB,
    CITATION_CFF,
    CROISSANT,
    DATAPACKAGE,
    DEFAULT_CONFIG,
    MANIFEST,
    PREVIEW,
    SHA256SUMS,
    VALIDATION,
    table_glob,
)
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
LICENCE_NAME = "cc-by-4.0-annotations-research-only-text"


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
        license_name=LICENCE_NAME,
        license_link="README.md#distribution-and-licence",
        annotations_creators=["other"],
        language_creators=["found"],
        multilinguality=["monolingual" if len(langs) <= 1 else "multilingual"],
        size_categories=[size_category(counts.tables[DEFAULT_CONFIG])],
        source_datasets=["original"],
        task_categories=["text-classification", "token-classification"],
        tags=keywords(),
    )
    MetadataConfigs(
        {
            table: {
                "data_files": [{"split": SPLIT, "path": table_glob(table)}],
                **({"default": True} if table == DEFAULT_CONFIG else {}),
            }
            for table in TABLE_NAMES
        }
    ).to_dataset_card_data(data)
    DatasetInfosDict(
        {table: _dataset_info(bundle, table) for table in TABLE_NAMES}
    ).to_dataset_card_data(data)
    return data


def header(info: ReleaseInfo, counts: Counts) -> str:
    spec = schema()
    tables = markdown_table(
        ["config", "rows", "what it holds"],
        (
            (
                f"`{name}`" + (" (default)" if name == DEFAULT_CONFIG else ""),
                counts.tables[name],
                spec.tables[name].description,
            )
            for name in TABLE_NAMES
        ),
    )
    return f"""# {info.pretty_name} {info.version}

Version {info.version} of `{info.name}`, released {info.date.isoformat()}: a complete,
immutable release. Every file is listed with its sha256 in `{SHA256SUMS}` (`sha256sum -c
{SHA256SUMS}` checks a download). The datasheet follows this header.

{tables}
```python
from datasets import load_dataset

# a local copy of this folder, or its Hub repository at revision "v{info.version}"
spans = load_dataset("path/to/this/folder", "{DEFAULT_CONFIG}", split="{SPLIT}")
names = spans.features["technique"].names
```

Or with pandas: `pd.read_parquet("data/spans", dtype_backend="pyarrow")`.

![Spans per technique, all annotation layers]({CHART})

| file | what it is |
|---|---|
| `data/<table>/<table>-NNNNN.parquet` | the tables, byte for byte as built |
| `{CITATION_CFF}`, `{CITATION_BIB}` | how to cite this version, and PTC |
| `{CROISSANT}` | MLCommons Croissant 1.0 metadata, with Responsible-AI fields |
| `{DATAPACKAGE}` | Frictionless Data Package descriptor |
| `{PREVIEW}` | every article with its spans highlighted, in one offline page |
| `{VALIDATION}` | the validation report the release passed |
| `{MANIFEST}` | version, date, commit, input hashes, library versions, counts |

"""


def render_readme(bundle: Bundle) -> str:
    front = card_data(bundle).to_yaml()
    return f"---\n{front}\n---\n\n{header(bundle.info, bundle.counts)}{bundle.info.card}"
