"""README.md of a release: the Hugging Face dataset card.

The YAML front matter is produced by ``datasets`` and ``huggingface_hub`` themselves
(``MetadataConfigs`` and ``DatasetInfosDict`` write ``configs`` and ``dataset_info`` into a
``DatasetCardData``), with the features generated from ``schemas/`` by
``Schema.features(table)``, so ``load_dataset`` reads back exactly the ClassLabel
names the Parquet files carry. The body (``templates/README.md``) starts with the data:
a three-line summary and an example row of each table, generated from the tables shipped
(``summary``), then how to load them (one table at a time, the gold layer for training),
how to load exactly this version, the files (each linked inside the release), and
DATACARD.md with every heading one level down, so the card has one H1.

Layers. When the spans table holds several annotation layers (two annotators' and the gold
layer adjudicated from them), the default ``spans`` config reads the layer that labels the
``lines`` table (gold) only, through the Parquet builder's ``filters``, so that a user who
loads the default config does not silently get every fragment two or three times;
``spans_all_layers`` reads every layer, for agreement studies. The Parquet files are the
same: pandas and DuckDB read them whole and filter on ``layer``.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from datasets.info import DatasetInfo, DatasetInfosDict
from datasets.splits import SplitDict, SplitInfo
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCardData

from dataset.markdown import markdown_table
from dataset.release import layout
from dataset.release.bundle import Bundle
from dataset.release.info import keywords
from dataset.release.render import render
from dataset.release.sections import demoted
from dataset.release.summary import example_rows, summary_lines

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
    "changelog": layout.CHANGELOG,
}
#: The Hub's task categories and, of their subtasks (``task_ids``), those the data serves:
#: technique classification of a span (one of 18, or 14) and the techniques of a line.
TASK_CATEGORIES = ["text-classification", "token-classification"]
TASK_IDS = ["multi-class-classification", "multi-label-classification"]


#: The config that reads every layer's spans when the default one reads gold only.
ALL_LAYERS_CONFIG = "spans_all_layers"


def gold_layer(bundle: Bundle) -> str | None:
    """The layer the default spans config keeps when the spans hold several layers: the
    layer that labels the lines table; None when there is one layer (nothing to filter)."""
    layers = set(bundle.tables["spans"].column("layer").to_pylist())
    if len(layers) < 2:
        return None
    labelled = {v for v in bundle.tables["lines"].column("label_layer").to_pylist() if v}
    return next(iter(labelled)) if len(labelled) == 1 else None


def config_tables(bundle: Bundle) -> dict[str, tuple[str, pa.Table, list[list[str]] | None]]:
    """Each config: the table it reads, the rows it gives, and its row filter if any."""
    configs: dict[str, tuple[str, pa.Table, list[list[str]] | None]] = {
        table: (table, bundle.tables[table], None) for table in bundle.schema.table_names
    }
    gold = gold_layer(bundle)
    if gold is not None:
        spans = bundle.tables["spans"]
        kept = spans.filter(pc.equal(spans.column("layer"), gold))
        configs["spans"] = ("spans", kept, [["layer", "==", gold]])
        configs[ALL_LAYERS_CONFIG] = ("spans", spans, None)
    return configs


def size_category(rows: int) -> str:
    for bound, name in SIZE_CATEGORIES:
        if rows < bound:
            return name
    return "10M<n<100M"


def _dataset_info(bundle: Bundle, table: str, rows: pa.Table) -> DatasetInfo:
    num_bytes = rows.nbytes
    splits = SplitDict()
    splits.add(SplitInfo(name=SPLIT, num_bytes=num_bytes, num_examples=rows.num_rows))
    return DatasetInfo(
        features=bundle.schema.features(table),
        splits=splits,
        download_size=sum(file.bytes for file in bundle.files_of(table)),
        dataset_size=num_bytes,
    )


def card_data(bundle: Bundle) -> DatasetCardData:
    info = bundle.info
    langs = list(bundle.languages)
    configs = config_tables(bundle)
    data = DatasetCardData(
        pretty_name=info.pretty_name,
        language=langs,
        license="other",
        license_name=bundle.schema.dataset.licence.hub_name,
        license_link=layout.LICENCE,
        # Not "expert-generated": the annotators followed written guidelines but are not
        # PTC's trained professionals, as the datasheet says.
        annotations_creators=["other"],
        language_creators=["found"],
        multilinguality=["monolingual" if len(langs) <= 1 else "multilingual"],
        size_categories=[size_category(configs[layout.DEFAULT_CONFIG][1].num_rows)],
        source_datasets=["original"],
        task_categories=TASK_CATEGORIES,
        task_ids=TASK_IDS,
        tags=keywords(),
    )
    MetadataConfigs(
        {
            name: {
                "data_files": [{"split": SPLIT, "path": layout.table_glob(table)}],
                **({"filters": filters} if filters is not None else {}),
                **({"default": True} if name == layout.DEFAULT_CONFIG else {}),
            }
            for name, (table, _rows, filters) in configs.items()
        }
    ).to_dataset_card_data(data)
    DatasetInfosDict(
        {name: _dataset_info(bundle, table, rows) for name, (table, rows, _) in configs.items()}
    ).to_dataset_card_data(data)
    return data


def _holds(name: str, description: str, filters: list[list[str]] | None) -> str:
    """What a config holds: its table's ``description``, and which layers."""
    if filters is not None:
        return f"{description} Gold layer (`{filters[0][2]}`) only: for training and evaluation."
    if name == ALL_LAYERS_CONFIG:
        return f"{description} Every layer (filter on `layer`): for agreement studies."
    return description


def tables(bundle: Bundle) -> str:
    return markdown_table(
        ["config", "rows", "what it holds"],
        (
            (
                f"`{name}`" + (" (default)" if name == layout.DEFAULT_CONFIG else ""),
                rows.num_rows,
                _holds(name, bundle.schema.tables[table].description, filters),
            )
            for name, (table, rows, filters) in config_tables(bundle).items()
        ),
    )


def _layer_list(bundle: Bundle) -> str:
    layers = sorted(set(bundle.tables["spans"].column("layer").to_pylist()))
    return ", ".join(f"`{layer}`" for layer in layers)


def render_readme(bundle: Bundle) -> str:
    return render(
        "README.md",
        front_matter=card_data(bundle).to_yaml(),
        info=bundle.info,
        summary=summary_lines(bundle),
        tables=tables(bundle),
        examples=example_rows(bundle),
        gold=gold_layer(bundle),
        layers=_layer_list(bundle),
        all_layers=ALL_LAYERS_CONFIG,
        files=FILES,
        table_names=bundle.schema.table_names,
        default_config=layout.DEFAULT_CONFIG,
        split=SPLIT,
        datasheet=demoted(bundle.info.card),
    )
