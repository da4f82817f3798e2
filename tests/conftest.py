"""Shared fixtures: a small PTC-format corpus (the real article with a fixture label file)
and a build of it, made once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

# Tests never reach the network, also when pytest is run outside nox.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from dataset.builder.pipeline import BuildResult, build
from dataset.schema import schema
from tests import scheduling

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "dataset" / "raw"
ARTICLE_ID = "9000000001"
ARTICLE = RAW / "articles" / f"article{ARTICLE_ID}.txt"
PROVENANCE = RAW / "articles" / f"article{ARTICLE_ID}.provenance.yaml"
FIXTURES = REPO / "tests" / "fixtures"
FIXTURE_LABELS = FIXTURES / "labels" / f"article{ARTICLE_ID}.fixture.labels"
#: The shipped article's facts that tests assert, stated once: test_raw_inputs checks them
#: against the file, so a change of the article changes this one place. Its bytes, its
#: characters (code points, which span offsets count) and its lines (each ends in "\n").
ARTICLE_BYTES = 2374
ARTICLE_CHARS = 2336
ARTICLE_LINES = 30
#: The gold layer's Loaded_Language span "mastermind": (start, end).
MASTERMIND = (783, 793)


def validation_process(
    *arguments: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m validation ARGUMENTS`` in a process of its own, from the repository
    root, as a shell runs it: its exit status and everything it printed."""
    return subprocess.run(
        [sys.executable, "-m", "validation", *arguments],
        cwd=REPO,
        env=None if env is None else {**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def _shipped_label_lines() -> list[tuple[str, str]]:
    """(layer, label) of every line of the shipped label files, a span each."""
    return [
        (path.name.split(".")[1], line.split("\t")[1])
        for path in sorted((RAW / "labels").glob("article*.labels"))
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]


#: The shipped data's spans counted from its label files, by layer and by label.
SHIPPED_LAYER_SPANS = Counter(layer for layer, _ in _shipped_label_lines())
SHIPPED_LABEL_SPANS = Counter(label for _, label in _shipped_label_lines())
#: The rows of each table of a build (and a release) of the shipped data: spans of every
#: layer, a line row for each line of the one article, a row for each technique.
SHIPPED_ROWS = {
    "articles": len(list((RAW / "articles").glob("article*.txt"))),
    "spans": SHIPPED_LAYER_SPANS.total(),
    "lines": ARTICLE_LINES,
    "techniques": len(schema().techniques.names),
}


def make_corpus(root: Path, *, labels: bool = True) -> Path:
    """A source folder in this project's layout: the article, its provenance record and
    (optionally) the fixture label file."""
    (root / "articles").mkdir(parents=True)
    shutil.copyfile(ARTICLE, root / "articles" / ARTICLE.name)
    shutil.copyfile(PROVENANCE, root / "articles" / PROVENANCE.name)
    if labels:
        (root / "labels").mkdir()
        shutil.copyfile(FIXTURE_LABELS, root / "labels" / FIXTURE_LABELS.name)
    return root


def reseal(folder: Path) -> None:
    """Make the build's MANIFEST.json list the shards now on disk (their sha256, bytes and
    rows), as a build that wrote them would: a test that breaks one rule in the tables
    keeps the manifest check out of its way (the manifest's own failures are tested in
    test_validation_manifest)."""
    import hashlib
    import json

    import pyarrow.parquet as pq

    manifest = folder / "MANIFEST.json"
    if not manifest.is_file():
        return
    data = json.loads(manifest.read_text("utf-8"))
    for table, entry in data["tables"].items():
        paths = sorted((folder / table).glob("*.parquet"))
        entry["files"] = [
            {
                "path": path.relative_to(folder).as_posix(),
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "bytes": path.stat().st_size,
                "rows": pq.ParquetFile(path).metadata.num_rows,
            }
            for path in paths
        ]
        entry["rows"] = sum(record["rows"] for record in entry["files"])
    manifest.write_text(json.dumps(data, indent=2), "utf-8")


def labelling_spans(data: Path) -> pa.Table:
    """The spans of the layer that labels the lines (gold in a release): what the default
    Hub config and the README's examples give, counted with pyarrow."""
    layers = pq.read_table(data / "lines").column("label_layer").drop_null().unique()
    return pq.read_table(data / "spans").filter(pc.field("layer").isin(layers.to_pylist()))


def earlier_releases(root: Path) -> Path:
    """A releases/ folder holding copies of the project's released versions other than this
    one, as a new release is made beside them: its changelog table and migration note are
    checked against the previous release."""
    from dataset.project import dataset_version

    root.mkdir(parents=True, exist_ok=True)
    for folder in sorted((REPO / "releases").glob("v*")):
        if folder.name != f"v{dataset_version()}":
            shutil.copytree(folder, root / folder.name)
    return root


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """pytest-xdist's groups and the order of the work (tests/scheduling.py); before xdist
    reads the marks (tryfirst)."""
    scheduling.arrange(config, items)


def pytest_configure(config: pytest.Config) -> None:
    scheduling.no_reordering(config)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    scheduling.record(report)


def pytest_sessionfinish(session: pytest.Session) -> None:
    scheduling.keep_durations(session.config)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path / "raw")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    root = tmp_path_factory.mktemp("built")
    return build(make_corpus(root / "raw"), root / "out", progress=False)


@pytest.fixture
def hf_cache(tmp_path: Path) -> str:
    """A fresh datasets cache, so a test never reads what another test cached."""
    return str(tmp_path / "hf-cache")
