"""Generated blocks of the project's README.md: which release is the newest, and how to
load it.

The newest release is the highest ``releases/v<version>/``, so the README names it from one
place, the releases folder, and its examples load that release's files. ``python -m
dataset card`` rewrites these blocks (cutting a release and running it is one step); the
tests fail while they name another release than the newest.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

from dataset.errors import InputError
from dataset.project import RELEASES_DIR, REPO_ROOT, dataset_version
from dataset.release.datacard import render
from dataset.release.layout import DATA_DIR, MANIFEST
from dataset.release.summary import counted
from dataset.versions import released_versions

README_PATH = REPO_ROOT / "README.md"


def newest_release(releases: Path = RELEASES_DIR) -> tuple[str, Path]:
    """The highest released version and its folder."""
    found = released_versions(releases)
    if not found:
        raise InputError(
            releases,
            "holds no release folder (v<version>/)",
            "pass --releases the folder that holds the releases, or cut one with nox -s release",
        )
    version = max(found)
    return str(version), found[version]


def _layers(folder: Path) -> tuple[Counter[str], str | None]:
    """Spans per layer, and the layer that labels the lines (None when not one)."""
    spans = pq.read_table(folder / DATA_DIR / "spans", columns=["layer"])
    lines = pq.read_table(folder / DATA_DIR / "lines", columns=["label_layer"])
    labelled = {v for v in lines.column("label_layer").to_pylist() if v is not None}
    layer = next(iter(labelled)) if len(labelled) == 1 else None
    return Counter(spans.column("layer").to_pylist()), layer


def newest_release_text(releases: Path = RELEASES_DIR) -> str:
    """The sentence that names the newest release and what it holds."""
    version, folder = newest_release(releases)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    tables = manifest["counts"]["tables"]
    per_layer, _ = _layers(folder)
    layers = ", ".join(f"`{layer}` {n}" for layer, n in sorted(per_layer.items()))
    text = (
        f"The newest release is **{version}** ([`releases/v{version}/`](releases/v{version}/), "
        f"released {manifest['date']}): {counted(tables['articles'], 'article')}, "
        f"{counted(tables['lines'], 'line')} and {counted(tables['spans'], 'span')} in "
        f"{counted(len(per_layer), 'annotation layer')} ({layers})."
    )
    if dataset_version() != version:
        text += (
            f" This checkout builds version {dataset_version()}, not released yet: "
            "[CHANGELOG.md](CHANGELOG.md) says what it changes."
        )
    return text + "\n"


def loading_examples(releases: Path = RELEASES_DIR) -> str:
    """pandas, DuckDB and ``datasets`` reading the newest release, one table at a time."""
    version, folder = newest_release(releases)
    per_layer, layer = _layers(folder)
    path = f"releases/v{version}"
    keep = layer or sorted(per_layer)[0]
    layers = ", ".join(f"`{name}`" for name in sorted(per_layer))
    several = len(per_layer) > 1
    filtered = f'spans = spans[spans["layer"] == "{keep}"]\n' if several else ""
    where = f" WHERE layer = '{keep}'" if several else ""
    return (
        f"Release {version}'s `spans` table holds {counted(len(per_layer), 'layer')} "
        f"({layers}); "
        + (
            f'keep `layer == "{keep}"`, the layer that labels the lines, for training and '
            "evaluation, or every fragment counts once per layer. "
            if several
            else "a release with several layers needs a filter on `layer`. "
        )
        + "Load each table on its own: a glob over every table (`data/**/*.parquet`) mixes "
        "the rows of different tables under one table's columns without a warning.\n\n"
        'With pandas (`dtype_backend="pyarrow"` keeps nullable integers as integers; '
        "`technique` is null where the source gives only a merged SemEval-2020 class, and "
        "`label` always holds the name as written):\n\n"
        "```python\nimport pandas as pd\n\n"
        f'data = "{path}/data"\n'
        'spans = pd.read_parquet(f"{data}/spans", dtype_backend="pyarrow")\n'
        f"{filtered}"
        'techniques = pd.read_parquet(f"{data}/techniques")\n'
        'names = techniques.set_index("technique")["name"]\n'
        'spans["technique_name"] = spans["technique"].map(names).fillna(spans["label"])\n'
        'lines = pd.read_parquet(f"{data}/lines", dtype_backend="pyarrow")\n'
        'flagged = lines[lines["has_propaganda"].fillna(False)]\n'
        "```\n\n"
        "With DuckDB, one table per query:\n\n"
        "```python\nimport duckdb\n\n"
        f"spans = duckdb.sql(\"SELECT * FROM '{path}/data/spans/*.parquet'{where}\").df()\n"
        "```\n\n" + _datasets_example(path, keep if several else None)
    )


def _datasets_example(path: str, layer: str | None) -> str:
    """Loading through the release's card (``layer``: the one the default config keeps,
    None when there is one): technique columns come back as ClassLabel."""
    configs = (
        f"the default `spans` reads the `{layer}` layer, `spans_all_layers` every layer"
        if layer
        else "the default is `spans`"
    )
    return (
        "With Hugging Face `datasets`, through the release's card (one config per table; "
        f"{configs}; technique columns come back as `ClassLabel` with their names). "
        "`semeval_class` is null only for `Obfuscation,Intentional_Vagueness,Confusion`, "
        "which SemEval-2020 dropped, so every span has a technique, a class, or both:\n\n"
        "```python\nfrom datasets import load_dataset\n\n"
        f'spans = load_dataset("{path}", "spans", split="train")\n'
        f'lines = load_dataset("{path}", "lines", split="train")\n'
        'technique, semeval_class = spans.features["technique"], spans.features["semeval_class"]\n'
        "\n\n"
        "def named(span):\n"
        '    t, c = span["technique"], span["semeval_class"]\n'
        "    return {\n"
        '        "technique_name": technique.int2str(t) if t is not None else None,\n'
        '        "class_name": semeval_class.int2str(c) if c is not None else None,\n'
        "    }\n\n\n"
        "spans = spans.map(named)\n"
        'print(spans[0]["text"], spans[0]["technique_name"] or spans[0]["class_name"])\n'
        "```\n"
    )


#: The README's generated blocks.
BLOCKS: dict[str, Callable[[Path], str]] = {
    "newest-release": newest_release_text,
    "loading": loading_examples,
}


def render_readme(text: str, releases: Path = RELEASES_DIR, where: Path = README_PATH) -> str:
    """README.md with its generated blocks rewritten from the newest release."""
    blocks = {name: _bound(make, releases) for name, make in BLOCKS.items()}
    return render(text, blocks, where)


def _bound(make: Callable[[Path], str], releases: Path) -> Callable[[], str]:
    return lambda: make(releases)
