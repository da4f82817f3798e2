"""Cut a release: ``python -m dataset release`` (``nox -s release``).

Refuses a working tree that differs from HEAD or an input that HEAD does not track (see
``clean``), then builds the dataset from its inputs into a temporary folder, writes every
release file beside the Parquet shards, validates the result, and moves it into
``releases/v<version>/`` (the version from pyproject.toml, the date from its CHANGELOG.md
entry); the manifest records the clean commit. Published releases are immutable: if the
version exists with the same reproducible content nothing happens; with different content
the release is refused.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dataset.builder.output import DEFAULT_SHARD_ROWS
from dataset.builder.pipeline import BuildResult, build
from dataset.errors import InputError
from dataset.files import write_json
from dataset.owned import MANIFEST_NAME, replacing
from dataset.project import (
    CHANGELOG_PATH,
    DATACARD_PATH,
    PYPROJECT_PATH,
    RAW_DIR,
    RELEASES_DIR,
    REPO_ROOT,
    dataset_version,
)
from dataset.ptc.corpus import DEFAULT_LAYER
from dataset.release import datacard as card_module
from dataset.release.assemble import assemble
from dataset.release.bundle import Bundle
from dataset.release.changelog import (
    Entry,
    check_counts,
    check_migration,
    entry_for,
    layout_changes,
    release_layout,
)
from dataset.release.checksums import check_folder, compare, hashes, read_sums, write_sums
from dataset.release.clean import clean_commit
from dataset.release.counts import Counts
from dataset.release.gate import validate
from dataset.release.info import ReleaseInfo
from dataset.release.layout import (
    MANIFEST,
    README,
    files_of,
    is_reproducible,
    release_dir,
)
from dataset.release.links import outside_links, pointers_outside
from dataset.release.manifest import read_manifest, release_manifest
from dataset.release.sections import card_problems
from dataset.schema import Schema, load_schema
from dataset.versions import previous_release


@dataclass(frozen=True)
class ReleaseOutcome:
    folder: Path
    created: bool
    counts: Counts


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _fresh_card(card: Path, text: str, bundle: Bundle) -> None:
    """Refuse a datasheet whose generated blocks are not those of the schema and of the
    data being released, or with a section missing, empty or a placeholder: the card is
    part of the release."""
    blocks = card_module.all_generators(bundle.tables, bundle.schema)
    if card_module.render(text, blocks, where=card) != text:
        raise InputError(
            card,
            "the datasheet's generated sections are stale: they are not those of the "
            "schema and of the data being released",
            "run `python -m dataset card` and review the changes before releasing",
        )
    problems = card_problems(text)
    if problems:
        raise InputError(
            card,
            "the datasheet is incomplete:\n  " + "\n  ".join(problems),
            "write every section out before releasing",
        )


def _check_standalone(staged: Path, card: Path) -> None:
    """Refuse a README that links outside the release, or that points at project files,
    commands or a tracker that a reader of the release alone cannot reach."""
    readme = (staged / README).read_text(encoding="utf-8")
    outside = outside_links(readme, staged)
    if outside:
        raise InputError(
            card,
            "the release README links to files the release does not hold: " + ", ".join(outside),
            "link only to files of the release (README.md's header lists them), or write "
            "the path as text",
        )
    pointers = pointers_outside(readme, staged)
    if pointers:
        raise InputError(
            card,
            "the datasheet points outside the release, where its readers cannot follow: "
            + ", ".join(pointers),
            "describe what is there instead (a release holds its guidelines, schema, checks "
            "and changelog), or link to a public page",
        )


def differences(existing: Path, staged: dict[str, str]) -> list[str]:
    """How the staged release (its sha256 by file) differs from an existing one,
    reproducible files only, plus any file of the existing release that no longer matches
    its SHA256SUMS."""
    claimed = {
        name: digest for name, digest in read_sums(existing).items() if is_reproducible(name)
    }
    fresh = {name: digest for name, digest in staged.items() if is_reproducible(name)}
    problems = [
        line.replace("SHA256SUMS", "the released SHA256SUMS")
        for line in compare(claimed, fresh, "the new build")
    ]
    return problems + [f"released folder: {line}" for line in check_folder(existing)]


@dataclass(frozen=True)
class Staged:
    """A release assembled in a scratch folder, not yet in place."""

    built: BuildResult
    bundle: Bundle
    folder: Path


@dataclass(frozen=True)
class StageOptions:
    """How the release's build is made (the command line's build options)."""

    label_layer: str | None = None
    default_layer: str = DEFAULT_LAYER
    shard_rows: int = DEFAULT_SHARD_ROWS
    log: Callable[[str], None] = _stderr


def stage(
    source: Path,
    work: Path,
    info: ReleaseInfo,
    options: StageOptions,
    step: Callable[[str], None] = lambda _: None,
) -> Staged:
    """Build ``source`` under the release's schema and assemble the release's files into
    ``work/v<version>``; ``step`` marks the boundaries a killed release is tested at."""
    built = build(
        source,
        work / "build",
        label_layer=options.label_layer,
        default_layer=options.default_layer,
        shard_rows=options.shard_rows,
        progress=False,
        log=options.log,
        spec=info.schema,
    )
    step("built")
    folder = work / f"v{info.version}"
    bundle = assemble(built.out, folder, info)
    step("assembled")
    return Staged(built, bundle, folder)


def check_release(
    source: Path = RAW_DIR,
    releases: Path = RELEASES_DIR,
    *,
    changelog: Path = CHANGELOG_PATH,
    card: Path = DATACARD_PATH,
    options: StageOptions = StageOptions(),
    spec: Schema | None = None,
) -> list[str]:
    """Whether this version can be released as the inputs stand, writing nothing: a
    version not released yet is fine (the next one), a released version must rebuild to
    its released bytes. Returns how a released version drifted (empty when it did not).
    ``spec``: the schema (None: loaded now, from PROPAGANDA_SPANS_SCHEMA or the default)."""
    version = dataset_version()
    target = release_dir(version, releases)
    if not target.exists():
        options.log(f"version {version} is not released yet: the next release")
        return []
    info = _read_inputs(version, changelog, card, load_schema() if spec is None else spec).info
    with tempfile.TemporaryDirectory(prefix="release-check-") as work:
        staged = stage(source, Path(work), info, options)
        shipped = {file.path: file.sha256 for file in staged.bundle.files}
        drift = differences(target, hashes(staged.folder, shipped))
    if not drift:
        options.log(f"version {version} is released and its inputs still give exactly it")
    return drift


@dataclass(frozen=True)
class ReleaseInputs:
    """The datasheet and changelog a release is made from, read once, with the release
    information made from them and the schema."""

    card: Path
    card_bytes: bytes
    changelog: Path
    changelog_bytes: bytes
    entry: Entry
    info: ReleaseInfo


def _read_inputs(version: str, changelog: Path, card: Path, spec: Schema) -> ReleaseInputs:
    entry = entry_for(changelog, version)
    card_bytes, changelog_bytes = card.read_bytes(), changelog.read_bytes()
    info = ReleaseInfo(
        version=version,
        date=entry.date,
        card=card_bytes.decode("utf-8"),
        changelog=changelog_bytes.decode("utf-8"),
        schema=spec,
    )
    return ReleaseInputs(card, card_bytes, changelog, changelog_bytes, entry, info)


def make_release(
    source: Path = RAW_DIR,
    releases: Path = RELEASES_DIR,
    *,
    version: str | None = None,
    changelog: Path = CHANGELOG_PATH,
    card: Path = DATACARD_PATH,
    label_layer: str | None = None,
    default_layer: str = DEFAULT_LAYER,
    shard_rows: int = DEFAULT_SHARD_ROWS,
    repo: Path | None = REPO_ROOT,
    log: Callable[[str], None] = _stderr,
    spec: Schema | None = None,
) -> ReleaseOutcome:
    """``repo``: the git repository whose clean HEAD the release must come from and
    records (see ``clean``); None skips that check and records HEAD as it is. ``spec``:
    the schema (None: loaded now, from PROPAGANDA_SPANS_SCHEMA or the default)."""
    spec = load_schema() if spec is None else spec
    commit = None if repo is None else clean_commit(repo, [source, card, changelog, spec.source])
    inputs = _read_inputs(version or dataset_version(), changelog, card, spec)
    info = inputs.info
    target = release_dir(info.version, releases)
    releases.mkdir(parents=True, exist_ok=True)
    with replacing(target, "the release folder", "release", check=False) as replacement:
        options = StageOptions(label_layer, default_layer, shard_rows, log)
        staged = stage(source, replacement.scratch(), info, options, replacement.step)
        previous = previous_release(info.version, releases)
        _passes_gate(staged, inputs, source, previous, log)
        shipped = {file.path: file.sha256 for file in staged.bundle.files}
        if target.exists():
            _same_as_released(target, hashes(staged.folder, shipped), info.version)
            log(f"{target} already holds exactly this release; nothing to do")
            return ReleaseOutcome(folder=target, created=False, counts=staged.bundle.counts)
        _changelog_agrees(inputs, staged.bundle, previous)
        _seal(staged, inputs, source, shipped, commit)
        replacement.place(staged.folder)
    return ReleaseOutcome(folder=target, created=True, counts=staged.bundle.counts)


def _passes_gate(
    staged: Staged,
    inputs: ReleaseInputs,
    source: Path,
    previous: Path | None,
    log: Callable[[str], None],
) -> None:
    """Refuse data that fails validation, or a datasheet that is not this data's."""
    if inputs.info.home is None:
        log(
            f"note: {PYPROJECT_PATH.name} names no home page ([project.urls] Homepage), "
            "so no release file carries a URL for the dataset"
        )
    manifest = staged.built.out / MANIFEST_NAME
    gate = validate(staged.folder, previous, manifest, inputs.info.schema)
    if not gate.ok:
        raise InputError(
            source,
            "the data fails validation, so it cannot be released:\n  " + "\n  ".join(gate.failures),
            "fix the inputs (python -m validation on a build gives the full report)",
        )
    _fresh_card(inputs.card, inputs.info.card, staged.bundle)


def _same_as_released(target: Path, staged: dict[str, str], version: str) -> None:
    """Refuse a version already released with other reproducible bytes."""
    found = differences(target, staged)
    if found:
        raise InputError(
            target,
            f"version {version} is already released with different content "
            "(releases are immutable):\n  " + "\n  ".join(found),
            "bump the version in pyproject.toml and add its CHANGELOG.md entry",
        )


def _changelog_agrees(inputs: ReleaseInputs, bundle: Bundle, previous: Path | None) -> None:
    """Refuse a changelog entry whose counts are not the data's, or that changes the
    tables without a migration note."""
    counts = bundle.counts
    before = Counts(**read_manifest(previous)["counts"]).techniques if previous else None
    check_counts(inputs.changelog, inputs.entry, counts.techniques, before)
    if previous is not None:
        now = {table: bundle.tables[table].schema for table in bundle.tables}
        changes = layout_changes(release_layout(previous), now)
        version = previous.name.removeprefix("v")
        check_migration(inputs.changelog, inputs.entry, version, changes)


def _seal(
    staged: Staged,
    inputs: ReleaseInputs,
    source: Path,
    shipped: dict[str, str],
    commit: str | None,
) -> None:
    """Write the release manifest and SHA256SUMS; refuse a README that leaves the release."""
    manifest = release_manifest(
        staged.bundle,
        source=source,
        card=inputs.card,
        card_bytes=inputs.card_bytes,
        changelog=inputs.changelog,
        changelog_bytes=inputs.changelog_bytes,
        files=files_of(staged.folder),
        commit=commit,
    )
    write_json(staged.folder / MANIFEST, manifest)
    write_sums(staged.folder, hashes(staged.folder, shipped))
    _check_standalone(staged.folder, inputs.card)
