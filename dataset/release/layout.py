"""Where a release lives and what it is made of: one place for the folder and file names,
so the writer, ``verify`` and ``publish`` agree on them."""

from __future__ import annotations

from pathlib import Path

from dataset.project import RELEASES_DIR
from dataset.versions import parse_version

DATA_DIR = "data"
README = "README.md"
CITATION_CFF = "CITATION.cff"
CITATION_BIB = "CITATION.bib"
CROISSANT = "croissant.json"
DATAPACKAGE = "datapackage.json"
PREVIEW = "preview.html"
CHART = "technique_counts.png"
SHA256SUMS = "SHA256SUMS"
MANIFEST = "release-manifest.json"
VALIDATION = "validation.json"
LICENCE = "LICENSE.md"
#: The changelog up to this version: the migration notes a user of an earlier version needs.
CHANGELOG = "CHANGELOG.md"
#: Copies that make a release stand alone: the annotation guidelines, the schema the
#: tables follow (at its path in the project, so the datasheet's mentions of it hold in
#: the release too) and the catalogue of validation checks it passed.
GUIDELINES = "guidelines.md"
SCHEMA = "schemas/propaganda_spans.yaml"
CHECKS = "checks.md"

#: Records of the release run (commit, machine, validation report): covered by SHA256SUMS
#: but not a function of the inputs, so never compared with a rebuild.
RECORD_ONLY = frozenset({MANIFEST, VALIDATION})
#: The default configuration when loading the release with ``datasets``.
DEFAULT_CONFIG = "spans"


def release_dir(version: str, releases: Path = RELEASES_DIR) -> Path:
    """The folder of the release ``version``; anything but a version is an input error."""
    parse_version(version)
    return releases / f"v{version}"


def table_glob(table: str) -> str:
    """The ``data_files`` pattern of a table inside a release."""
    return f"{DATA_DIR}/{table}/*.parquet"


def files_of(folder: Path) -> list[str]:
    """Every file of a release folder as a sorted POSIX path, SHA256SUMS excluded."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.name != SHA256SUMS
    )


def is_reproducible(name: str) -> bool:
    """Whether a release file is a pure function of the inputs (see the package docs)."""
    return name not in RECORD_ONLY and name != SHA256SUMS
