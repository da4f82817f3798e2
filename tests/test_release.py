"""Releases: one release of the shipped data, made once, read back by every consumer the
card promises (datasets, pandas, duckdb, mlcroissant, frictionless, a browser), then made
again, altered and published to a local git repository (verify: test_verify*.py)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import datasets
import duckdb
import frictionless
import mlcroissant as mlc
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from matplotlib.image import imread

from dataset.builder.pipeline import build
from dataset.cli import main
from dataset.errors import InputError
from dataset.project import (
    CHANGELOG_PATH,
    DATACARD_PATH,
    GUIDELINES_PATH,
    RELEASES_DIR,
    REPO_ROOT,
    dataset_version,
)
from dataset.release.assemble import assemble
from dataset.release.browser import find_chromium, run_chromium, screenshot
from dataset.release.changelog import check_counts, entry_for
from dataset.release.checksums import check_folder, read_sums
from dataset.release.citation import cff_problems
from dataset.release.datacard import check_catalogue
from dataset.release.hf_card import ALL_LAYERS_CONFIG
from dataset.release.info import ReleaseInfo
from dataset.release.layout import (
    DEFAULT_CONFIG,
    MANIFEST,
    RECORD_ONLY,
    SHA256SUMS,
    files_of,
    release_dir,
)
from dataset.release.links import link_targets, outside_links
from dataset.release.make import ReleaseOutcome, StageOptions, check_release, make_release
from dataset.release.publish import publish_to_folder
from dataset.release.sections import demoted
from dataset.schema import schema, schema_path
from dataset.shards import table_shards
from tests.conftest import (
    ARTICLE_ID,
    RAW,
    SHIPPED_LABEL_SPANS,
    SHIPPED_LAYER_SPANS,
    SHIPPED_ROWS,
    earlier_releases,
)

VERSION = dataset_version()
CARD = DATACARD_PATH.read_text(encoding="utf-8")
LOADED = "| `Loaded_Language` | \N{EN DASH} | {} |"
EXPECTED_FILES = {
    "README.md",
    "CITATION.cff",
    "CITATION.bib",
    "croissant.json",
    "datapackage.json",
    "preview.html",
    "technique_counts.png",
    "release-manifest.json",
    "validation.json",
    "LICENSE.md",
    "guidelines.md",
    "schemas/propaganda_spans.yaml",
    "checks.md",
    "CHANGELOG.md",
    *(f"data/{table}/{table}-00000.parquet" for table in schema().table_names),
}
NOTES: list[str] = []
HOME = "https://example.org/propaganda-spans"


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> ReleaseOutcome:
    """The shipped data released once into a temporary releases/ folder (the clean-commit
    rule is tested in test_verify_commits.py, on a repository of its own)."""
    return make_release(
        RAW, earlier_releases(tmp_path_factory.mktemp("releases")), repo=None, log=NOTES.append
    )


@pytest.fixture(scope="module")
def folder(released: ReleaseOutcome) -> Path:
    return released.folder


def copy_release(folder: Path, tmp_path: Path) -> Path:
    """A copy of the release in a releases/ folder of its own, to alter freely."""
    target = tmp_path / "releases" / folder.name
    shutil.copytree(folder, target)
    return target


def arrow_rows(table: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def corpus_copy(tmp_path: Path) -> Path:
    source = tmp_path / "raw"
    shutil.copytree(RAW, source)
    return source


def quiet(message: str) -> None:
    del message


# The release folder


def test_release_holds_every_file_and_sums_them(folder: Path) -> None:
    assert folder.name == f"v{VERSION}"
    assert set(files_of(folder)) == EXPECTED_FILES
    assert set(read_sums(folder)) == EXPECTED_FILES
    assert check_folder(folder) == []
    sums = (folder / SHA256SUMS).read_text(encoding="utf-8")
    assert sums.endswith("\n") and "\\" not in sums and str(folder) not in sums


def test_parquet_files_are_the_build_byte_for_byte(folder: Path, tmp_path: Path) -> None:
    built = build(RAW, tmp_path / "build", progress=False, log=quiet)
    for table in schema().table_names:
        (original,) = table_shards(built.out, table)
        (shipped,) = table_shards(folder, table)
        assert shipped.read_bytes() == original.read_bytes()


def test_manifest_records_inputs_versions_and_counts(
    released: ReleaseOutcome, folder: Path
) -> None:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["version"] == VERSION
    assert manifest["date"] == entry_for(CHANGELOG_PATH, VERSION).date.isoformat()
    assert manifest["source"] == "dataset/raw"
    for entry in manifest["inputs"]:
        data = (RAW / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["card"]["path"] == "DATACARD.md"
    assert {"python", "pyarrow", "datasets", "matplotlib"} <= set(manifest["libraries"])
    assert manifest["counts"]["tables"] == SHIPPED_ROWS
    techniques = manifest["counts"]["techniques"]
    assert techniques["Loaded_Language"] == SHIPPED_LABEL_SPANS["Loaded_Language"]
    assert sum(techniques.values()) == SHIPPED_ROWS["spans"]  # every layer's
    assert set(manifest["files"]["record_only"]) == set(RECORD_ONLY)
    assert "git" in manifest and "commit" in manifest["git"]
    assert released.counts.tables == manifest["counts"]["tables"]


def test_validation_report_is_in_the_release(folder: Path) -> None:
    report = json.loads((folder / "validation.json").read_text(encoding="utf-8"))
    assert report["ok"] is True
    assert report["counts"]["failed"] == 0
    # The gate judges the shards by the build's manifest: no warning that none was found.
    statuses = {check["id"]: check["status"] for check in report["checks"]}
    assert statuses["manifest-matches"] == statuses["manifest-present"] == "passed"


def test_readme_front_matter_declares_configs_features_and_metadata(folder: Path) -> None:
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    meta = yaml.safe_load(front)
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert set(configs) == {*schema().table_names, ALL_LAYERS_CONFIG}
    assert configs[DEFAULT_CONFIG].get("default") is True
    # The default config reads the gold layer only; the other one every layer.
    for name in ("spans", ALL_LAYERS_CONFIG):
        assert configs[name]["data_files"] == [{"split": "train", "path": "data/spans/*.parquet"}]
    assert configs["spans"]["filters"] == [["layer", "==", "gold"]]
    assert "filters" not in configs[ALL_LAYERS_CONFIG]
    infos = {i["config_name"]: i for i in meta["dataset_info"]}
    for name in configs:
        features = datasets.Features._from_yaml_list(infos[name]["features"])
        assert features == schema().features("spans" if name == ALL_LAYERS_CONFIG else name)
    assert infos["spans"]["splits"][0]["num_examples"] == 20
    assert infos[ALL_LAYERS_CONFIG]["splits"][0]["num_examples"] == 58
    assert meta["license"] == "other" and meta["license_name"]
    assert meta["language"] == ["en"]
    assert meta["size_categories"] == ["n<1K"]
    assert meta["pretty_name"] == schema().dataset.pretty_name
    assert {"text-classification", "token-classification"} <= set(meta["task_categories"])
    assert "![" in body and "technique_counts.png" in body
    assert body.endswith(demoted((REPO_ROOT / "DATACARD.md").read_text(encoding="utf-8")))


# Every reader sees the same rows


@pytest.mark.parametrize("table", schema().table_names)
def test_load_dataset_pandas_and_duckdb_read_identical_rows(
    folder: Path, table: str, hf_cache: str
) -> None:
    loaded = datasets.load_dataset(str(folder), table, split="train", cache_dir=hf_cache)
    assert loaded.features == schema().features(table)
    glob = (folder / "data" / table / "*.parquet").as_posix()
    # The default spans config holds the gold layer only; the other readers filter on it.
    where = " WHERE layer = 'gold'" if table == "spans" else ""
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{glob}'){where}")
    assert relation is not None
    via_duckdb = arrow_rows(relation.to_arrow_table())
    frame = pd.read_parquet(folder / "data" / table, dtype_backend="pyarrow")
    if table == "spans":
        frame = frame[frame["layer"] == "gold"]
    via_pandas = arrow_rows(pa.Table.from_pandas(frame, preserve_index=False))
    via_datasets = arrow_rows(loaded.data.table)
    assert via_datasets == via_duckdb == via_pandas
    gold = {"spans": SHIPPED_LAYER_SPANS["gold"]}
    assert len(via_datasets) == {**SHIPPED_ROWS, **gold}[table]


def test_all_layers_config_reads_every_layer(folder: Path, hf_cache: str) -> None:
    every = datasets.load_dataset(str(folder), ALL_LAYERS_CONFIG, split="train", cache_dir=hf_cache)
    frame = pd.read_parquet(folder / "data" / "spans", dtype_backend="pyarrow")
    assert arrow_rows(every.data.table) == arrow_rows(
        pa.Table.from_pandas(frame, preserve_index=False)
    )
    assert Counter(every["layer"]) == SHIPPED_LAYER_SPANS


def test_class_label_names_come_back_from_the_release(folder: Path, hf_cache: str) -> None:
    spans = datasets.load_dataset(str(folder), split="train", cache_dir=hf_cache)
    assert spans.column_names == schema().tables[DEFAULT_CONFIG].column_names
    names = spans.features["technique"].names
    assert names == schema().techniques.names
    assert spans.features["semeval_class"].names == schema().semeval_classes.names
    loaded = {(names[row["technique"]], row["start"], row["end"]) for row in spans}
    label_file = RAW / "labels" / f"article{ARTICLE_ID}.gold.labels"
    lines = [line.split("\t") for line in label_file.read_text(encoding="utf-8").splitlines()]
    assert loaded == {(label, int(start), int(end)) for _, label, start, end in lines}
    lines = datasets.load_dataset(str(folder), "lines", split="train", cache_dir=hf_cache)
    assert lines.features["techniques"].feature.names == schema().techniques.names


# Metadata files


def test_croissant_validates_and_reads_every_record_set(folder: Path) -> None:
    metadata = json.loads((folder / "croissant.json").read_text(encoding="utf-8"))
    assert "http://mlcommons.org/croissant/1.0" in metadata["conformsTo"]
    for prop in ("rai:dataCollection", "rai:dataBiases", "rai:personalSensitiveInformation"):
        assert metadata[prop]
    for node in metadata["distribution"]:
        if node["@type"] == "cr:FileObject":
            path = folder / node["contentUrl"]
            assert node["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    dataset = mlc.Dataset(jsonld=folder / "croissant.json")
    counts = SHIPPED_ROWS
    records = {table: list(dataset.records(record_set=table)) for table in counts}
    assert {table: len(rows) for table, rows in records.items()} == counts
    techniques = schema().techniques.names
    first = records["spans"][0]
    assert techniques[first["spans/technique"]] == first["spans/label"].decode()
    labels = list(dataset.records(record_set="techniques-labels"))
    assert [r["techniques-labels/name"] for r in labels] == techniques


def test_datapackage_validates_with_frictionless(folder: Path) -> None:
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["version"] == VERSION
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert list(resources) == list(schema().table_names)
    for table, resource in resources.items():
        assert resource["path"] == [f"data/{table}/{table}-00000.parquet"]
        for field in resource["schema"]["fields"]:
            spec = schema().tables[table].field(field["name"])
            if spec.type in ("int32", "class_label"):
                assert field["type"] == "integer"
                assert ("missingValues" in field) is spec.nullable
    keys = {
        (table, key["fields"][0], key["reference"]["resource"], key["reference"]["fields"][0])
        for table, resource in resources.items()
        for key in resource["schema"].get("foreignKeys", [])
    }
    assert {
        ("spans", "article_id", "articles", "article_id"),
        ("spans", "technique", "techniques", "technique"),
        ("lines", "article_id", "articles", "article_id"),
    } <= keys
    package = frictionless.Package(str(folder / "datapackage.json"))
    spans = package.get_table_resource("spans").read_rows()
    assert len(spans) == 58 and all(isinstance(row["technique"], int) for row in spans)


def test_a_broken_foreign_key_fails_frictionless(folder: Path, tmp_path: Path) -> None:
    copy = copy_release(folder, tmp_path)
    shard = copy / "data" / "spans" / "spans-00000.parquet"
    table = pq.read_table(shard)
    ids = table.column("article_id").to_pylist()
    column = table.schema.get_field_index("article_id")
    pq.write_table(table.set_column(column, "article_id", pa.array(["1", *ids[1:]])), shard)
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {error[0] for error in report.flatten(["type"])}


def test_every_metadata_file_states_the_one_licence(folder: Path) -> None:
    licence = schema().dataset.licence
    readme = yaml.safe_load((folder / "README.md").read_text(encoding="utf-8").split("---")[1])
    assert readme["license"] == "other" and readme["license_name"] == licence.hub_name
    assert (folder / readme["license_link"]).is_file()
    cff = yaml.safe_load((folder / "CITATION.cff").read_text(encoding="utf-8"))
    assert "license" not in cff  # no SPDX id covers the article text
    assert licence.spdx in (folder / "CITATION.bib").read_text(encoding="utf-8")
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    croissant = json.loads((folder / "croissant.json").read_text(encoding="utf-8"))
    terms = (folder / "LICENSE.md").read_text(encoding="utf-8")
    code = "Apache-2.0"
    for text in (
        cff["abstract"],
        json.dumps(package["licenses"]),
        json.dumps(croissant["license"]),
    ):
        assert licence.text in text.replace("\\n", " ")
    for text in (cff["abstract"], terms, json.dumps(croissant["license"])):
        assert licence.url in text and code in text
    assert [entry.get("name") for entry in package["licenses"]] == [licence.spdx, None]
    assert licence.text in terms


def test_no_home_page_means_no_url_and_a_note(folder: Path) -> None:
    assert any("names no home page" in note for note in NOTES)
    cff = yaml.safe_load((folder / "CITATION.cff").read_text(encoding="utf-8"))
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    croissant = json.loads((folder / "croissant.json").read_text(encoding="utf-8"))
    assert "url" not in cff and "homepage" not in package and "url" not in croissant
    assert "url" not in (folder / "CITATION.bib").read_text(encoding="utf-8").split("\n\n")[0]


def test_a_home_page_reaches_every_metadata_file(folder: Path, tmp_path: Path) -> None:
    built = build(RAW, tmp_path / "build", progress=False, log=quiet)
    date = entry_for(CHANGELOG_PATH, VERSION).date
    info = ReleaseInfo(VERSION, date, CARD, home=HOME, schema=schema())
    out = tmp_path / "release"
    assemble(built.out, out, info)
    cff = yaml.safe_load((out / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["url"] == HOME and cff_problems((out / "CITATION.cff").read_text("utf-8")) == []
    assert json.loads((out / "datapackage.json").read_text("utf-8"))["homepage"] == HOME
    assert json.loads((out / "croissant.json").read_text("utf-8"))["url"] == HOME
    assert f"url     = {{{HOME}}}" in (out / "CITATION.bib").read_text("utf-8")
    assert f"<{HOME}>" in (out / "README.md").read_text("utf-8")


def test_the_release_stands_alone(folder: Path) -> None:
    readme = (folder / "README.md").read_text(encoding="utf-8")
    targets = link_targets(readme)
    assert {"guidelines.md", "schemas/propaganda_spans.yaml", "checks.md", "LICENSE.md"} <= set(
        targets
    )
    assert outside_links(readme, folder) == []
    assert (folder / "guidelines.md").read_bytes() == GUIDELINES_PATH.read_bytes()
    assert (folder / "schemas/propaganda_spans.yaml").read_bytes() == schema_path().read_bytes()
    checks = (folder / "checks.md").read_text(encoding="utf-8")
    assert check_catalogue(schema()) in checks
    assert 'revision="v' + VERSION + '"' in readme and "git clone --branch v" + VERSION in readme


def test_a_readme_link_outside_the_release_is_refused(tmp_path: Path) -> None:
    card = tmp_path / "DATACARD.md"
    card.write_text(CARD + "\nSee [the code](../../dataset/builder/pipeline.py).\n", "utf-8")
    with pytest.raises(InputError, match=r"links to files the release does not hold: \.\./"):
        make_release(RAW, earlier_releases(tmp_path / "releases"), card=card, repo=None, log=quiet)
    assert not (tmp_path / "releases" / f"v{VERSION}").exists()


def test_citation_files_name_version_date_and_ptc(folder: Path) -> None:
    cff = (folder / "CITATION.cff").read_text(encoding="utf-8")
    assert cff_problems(cff) == []
    data = yaml.safe_load(cff)
    # an entity by its plain name: an alias would leak into APA, Zenodo and schema.org
    assert data["authors"] == [{"name": "propaganda-spans maintainers"}]
    date = entry_for(CHANGELOG_PATH, VERSION).date.isoformat()
    assert data["version"] == VERSION
    assert str(data["date-released"]) == date
    dois = {ref["doi"] for ref in data["references"]}
    assert dois == {"10.18653/v1/D19-1565", "10.18653/v1/2020.semeval-1.186"}
    bib = (folder / "CITATION.bib").read_text(encoding="utf-8")
    assert f"version = {{{VERSION}}}" in bib and date in bib
    assert "da-san-martino-etal-2019-fine" in bib and "da-san-martino-etal-2020-semeval" in bib
    broken = cff.replace("cff-version: 1.2.0", "cff-version: 9").replace("type: dataset", "type: x")
    assert len(cff_problems(broken)) >= 2


def released_counts(version: str) -> dict[str, int]:
    """Span rows per technique, as a committed release's manifest records them."""
    manifest = RELEASES_DIR / f"v{version}" / "release-manifest.json"
    counts: dict[str, int] = json.loads(manifest.read_text(encoding="utf-8"))["counts"][
        "techniques"
    ]
    return counts


def test_changelog_entry_agrees_with_the_data(released: ReleaseOutcome, tmp_path: Path) -> None:
    """This version's entry against the previous release, and the first release's full
    table, against the counts each release's manifest recorded."""
    techniques = released.counts.techniques
    previous = released_counts("2.0.0")
    check_counts(CHANGELOG_PATH, entry_for(CHANGELOG_PATH, VERSION), techniques, previous)
    first = "1.0.0"
    techniques = released_counts(first)
    check_counts(CHANGELOG_PATH, entry_for(CHANGELOG_PATH, first), techniques, None)
    wrong = tmp_path / "CHANGELOG.md"
    wrong.write_text(
        CHANGELOG_PATH.read_text(encoding="utf-8").replace(LOADED.format(5), LOADED.format(6)),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="disagree with the data") as error:
        check_counts(wrong, entry_for(wrong, first), techniques, None)
    assert LOADED.format(5) in error.value.fix


def test_a_version_without_changelog_entry_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no entry for version 99\.0\.0"):
        make_release(RAW, tmp_path / "releases", version="99.0.0", repo=None, log=quiet)
    assert not (tmp_path / "releases" / "v99.0.0").exists()


# Immutability


def test_releasing_again_is_a_no_op(folder: Path) -> None:
    before = {name: (folder / name).stat().st_mtime_ns for name in files_of(folder)}
    again = make_release(RAW, folder.parent, repo=None, log=quiet)
    assert again.folder == folder and not again.created
    assert before == {name: (folder / name).stat().st_mtime_ns for name in files_of(folder)}


def test_changed_data_under_a_released_version_is_refused(folder: Path, tmp_path: Path) -> None:
    source = corpus_copy(tmp_path)
    rationale = source / "labels" / f"article{ARTICLE_ID}.maintainers.rationale.tsv"
    text = rationale.read_text(encoding="utf-8")
    rationale.write_text(text.replace("stock phrase", "stock saying", 1), encoding="utf-8")
    with pytest.raises(InputError, match="already released with different content") as error:
        make_release(source, folder.parent, repo=None, log=quiet)
    assert "data/spans/spans-00000.parquet" in error.value.problem
    assert check_folder(folder) == []


def _check(releases: Path, card: Path = DATACARD_PATH) -> list[str]:
    return check_release(RAW, releases, card=card, options=StageOptions(log=quiet))


def test_release_check_accepts_a_version_not_released_yet(tmp_path: Path) -> None:
    assert _check(tmp_path / "releases") == []
    assert not (tmp_path / "releases").exists()


def test_release_check_accepts_the_released_version_rebuilt_exactly(folder: Path) -> None:
    before = {name: (folder / name).stat().st_mtime_ns for name in files_of(folder)}
    assert _check(folder.parent) == []
    assert before == {name: (folder / name).stat().st_mtime_ns for name in files_of(folder)}


def test_release_check_names_the_files_a_released_version_drifted_in(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = tmp_path / "DATACARD.md"
    card.write_text(CARD + "\nA paragraph added after the release.\n", encoding="utf-8")
    drift = _check(folder.parent, card)
    assert drift and all(line.startswith("README.md: sha256") for line in drift)
    args = ["release", "--check", "--releases", str(folder.parent), "--card", str(card)]
    assert main(args) == 1
    assert "already released with different content" in capsys.readouterr().err
    assert check_folder(folder) == []


def test_data_that_fails_validation_is_never_released(tmp_path: Path) -> None:
    source = corpus_copy(tmp_path)
    article = (source / "articles" / f"article{ARTICLE_ID}.txt").read_text(encoding="utf-8")
    labels = source / "labels" / f"article{ARTICLE_ID}.maintainers.labels"
    rationale = source / "labels" / f"article{ARTICLE_ID}.maintainers.rationale.tsv"
    assert article[141] == " "
    for path in (labels, rationale):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\t126\t141", "\t126\t142"), encoding="utf-8")
    releases = earlier_releases(tmp_path / "releases")
    with pytest.raises(InputError, match="fails validation") as error:
        make_release(source, releases, repo=None, log=quiet)
    assert "spans-boundaries" in error.value.problem
    assert not release_dir(VERSION, releases).exists()
    earlier = ["v1.0.0", "v2.0.0"]
    assert sorted(p.name for p in releases.iterdir()) == earlier, "only the earlier releases"


# publish: it verifies first, with the release's own commit, so a release that passes
# is the committed 1.0.0 (which needs the git history, as verify does).

PUBLISHED = "1.0.0"


def test_publish_to_a_local_repository_then_load_it(
    tmp_path: Path, hf_cache: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = release_dir(PUBLISHED)
    hub = tmp_path / "hub"
    assert main(["publish", PUBLISHED, "--to", str(hub), "--allow-plain-blobs"]) == 0
    assert "published" in capsys.readouterr().out
    git = shutil.which("git")
    assert git is not None
    tags = subprocess.run([git, "-C", str(hub), "tag"], capture_output=True, text=True, check=True)
    assert tags.stdout.split() == [f"v{PUBLISHED}"]
    status = subprocess.run(
        [git, "-C", str(hub), "status", "--porcelain"], capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    published = {p for p in files_of(hub) if not p.startswith(".git/")}
    assert published == set(read_sums(folder)) | {
        ".gitattributes"
    }  # files_of leaves SHA256SUMS out
    lfs = subprocess.run(
        [git, "-C", str(hub), "check-attr", "filter", "--", *sorted(published)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    routed = {line.split(": ")[0] for line in lines_ending(lfs, ": filter: lfs")}
    assert routed == {name for name in published if name.endswith((".parquet", ".png"))}
    spans = datasets.load_dataset(str(hub), "spans", split="train", cache_dir=hf_cache)
    shards = (folder / "data" / "spans").glob("*.parquet")
    assert spans.num_rows == sum(pq.ParquetFile(path).metadata.num_rows for path in shards)
    assert spans.features["technique"].names == schema().techniques.names
    assert publish_to_folder(folder, PUBLISHED, hub, allow_plain_blobs=True) is False


def lines_ending(lines: list[str], suffix: str) -> list[str]:
    return [line for line in lines if line.endswith(suffix)]


def test_publish_recognises_a_release_that_git_lfs_stored_as_pointers(
    folder: Path, tmp_path: Path
) -> None:
    hub = tmp_path / "hub"
    assert publish_to_folder(folder, VERSION, hub, allow_plain_blobs=True) is True
    git = shutil.which("git")
    assert git is not None
    shard = "data/spans/spans-00000.parquet"

    def retag_with_pointer(content: bytes) -> None:
        pointer = (
            "version https://git-lfs.github.com/spec/v1\n"
            f"oid sha256:{hashlib.sha256(content).hexdigest()}\nsize {len(content)}\n"
        )
        (hub / shard).write_text(pointer, encoding="utf-8")
        for args in (
            ["add", shard],
            # --allow-empty: where git-lfs is installed the publish stored pointers already
            [
                *("-c", "user.name=t", "-c", "user.email=t@example.invalid"),
                *("commit", "--allow-empty", "-qm", "lfs"),
            ],
            [
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.invalid",
                "tag",
                "-f",
                "-a",
                f"v{VERSION}",
                "-m",
                "lfs",
            ],
        ):
            subprocess.run([git, "-C", str(hub), *args], check=True, capture_output=True)

    retag_with_pointer((folder / shard).read_bytes())
    assert publish_to_folder(folder, VERSION, hub, allow_plain_blobs=True) is False
    retag_with_pointer(b"other bytes")
    with pytest.raises(InputError, match="already published there with different content"):
        publish_to_folder(folder, VERSION, hub, allow_plain_blobs=True)


def test_publish_dry_run_lists_files_and_needs_no_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_do_not_print_me")
    assert main(["publish", PUBLISHED, "--dry-run"]) == 0
    out = capsys.readouterr()
    assert "data/spans/spans-00000.parquet" in out.out and SHA256SUMS in out.out
    assert ".gitattributes" in out.out
    assert "hf_do_not_print_me" not in out.out + out.err


def test_publish_to_the_hub_without_a_token_fails_clearly(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    args = ["publish", VERSION, "--releases", str(folder.parent), "--repo-id", "someone/data"]
    assert main(args) == 2
    assert "HF_TOKEN is not set" in capsys.readouterr().err


def test_publish_refuses_a_release_that_fails_verification(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = copy_release(folder, tmp_path)
    (copy / "CITATION.bib").write_text("@misc{x}\n", encoding="utf-8")
    args = ["publish", VERSION, "--releases", str(copy.parent), "--to", str(tmp_path / "hub")]
    args.append("--allow-plain-blobs")
    assert main(args) == 2
    assert "fails verification" in capsys.readouterr().err
    assert not (tmp_path / "hub").exists()


# The preview in a real browser


@pytest.mark.skipif(find_chromium() is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_preview_renders_in_headless_chromium(folder: Path, tmp_path: Path) -> None:
    page = (folder / "preview.html").as_uri()
    shot = tmp_path / "preview.png"
    screenshot(folder / "preview.html", shot, height=2000)
    pixels = imread(shot)[:, :, :3].reshape(-1, 3)
    colours = {tuple(pixel) for pixel in pixels[::97].tolist()}
    assert len(colours) > 50
    assert (pixels.sum(axis=1) < 2.9).mean() > 0.05
    dom = run_chromium("--dump-dom", page).stdout
    assert dom.count('class="tag"') == 58  # every layer's spans
    assert dom.count('class="seg"') >= 58
    assert "data:image/png;base64," in dom
