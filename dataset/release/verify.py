"""Verify a release with the code that made it: ``python -m dataset verify VERSION``
(``nox -s verify -- 1.0.0``; ``--all`` for every folder under releases/).

1. Integrity: every file of ``releases/v<version>/`` matches its SHA256SUMS, and no file is
   missing or unlisted.
2. The commit: the one ``releases/REPRODUCIBLE.yaml`` names for the version, else the one
   the release's manifest records (see ``pins``); verify says which it used.
3. Reproducibility with that commit's own code: the commit is checked out into a temporary
   git worktree, its ``uv.lock`` is installed with ``uv sync --locked`` (see ``checkout``),
   and the commit's own ``python -m dataset verify VERSION --releases DIR`` runs there
   against the release folder under test. It rebuilds the release from the inputs its
   manifest records, validates it, and compares every reproducible file (the Parquet
   shards and every generated file; see ``dataset.release``) byte for byte with
   SHA256SUMS, which step 1 tied to the folder's bytes. release-manifest.json and
   validation.json are records of the original run, checked by step 1 only.

Commits from this one on understand ``--checked-out-code``, which is that third step on its
own (rebuild with the code checked out here, in the current environment); verify passes it
to every commit whose ``verify --help`` lists it, and earlier commits' verify does exactly
that step by default. A code change that alters the output therefore never breaks the
verification of an earlier release.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataset.builder.pipeline import build
from dataset.errors import InputError
from dataset.owned import MANIFEST_NAME
from dataset.project import RELEASES_DIR, REPO_ROOT
from dataset.release.assemble import assemble
from dataset.release.checkout import ENVS_DIR, locked_environment, require_commit, worktree
from dataset.release.checksums import check_folder, compare, hashes, read_sums
from dataset.release.gate import validate
from dataset.release.info import ReleaseInfo
from dataset.release.inputs import fetch, materialise
from dataset.release.layout import (
    MANIFEST,
    is_reproducible,
    release_dir,
)
from dataset.release.manifest import read_manifest
from dataset.release.pins import PINS_PATH, Pin, reproducing_commit
from dataset.schema import Schema
from dataset.versions import previous_release

#: The flag that runs only the rebuild-and-compare step with the checked-out code.
CHECKED_OUT_CODE = "--checked-out-code"
#: Offline settings for the rebuild: it never needs the network.
OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


def _quiet(message: str) -> None:
    del message


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass
class Verification:
    """What verify found: no problems means the release verifies."""

    folder: Path
    problems: list[str] = field(default_factory=list)
    pin: Pin | None = None
    lock_sha256: str | None = None


def _located(path: str, repo: Path) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else repo / candidate


def _recorded_text(entry: dict[str, Any] | None, repo: Path) -> str | None:
    """A text input the manifest records by blob id (None for releases made before it
    recorded one)."""
    if entry is None:
        return None
    return fetch(entry, _located(entry["path"], repo), repo).decode("utf-8")


def rebuild(
    manifest: dict[str, Any], version: str, out: Path, work: Path, repo: Path, *, spec: Schema
) -> None:
    """Write the release's reproducible files afresh into ``out`` from its inputs, under
    ``spec`` (the schema of this checkout, which the manifest's digest was checked against)."""
    source = work / "source"
    materialise(manifest["inputs"], _located(manifest["source"], repo), source, repo)
    card_entry = manifest["card"]
    card = fetch(card_entry, _located(card_entry["path"], repo), repo).decode("utf-8")
    changelog = _recorded_text(manifest.get("changelog"), repo)
    options = manifest["build"]
    built = build(
        source,
        work / "build",
        label_layer=options["label_layer"],
        default_layer=options["default_layer"],
        shard_rows=options["shard_rows"],
        progress=False,
        log=_quiet,
        spec=spec,
    )
    date = datetime.date.fromisoformat(manifest["date"])
    info = ReleaseInfo(version, date, card, changelog=changelog, schema=spec)
    assemble(built.out, out, info)


def verify_with_checked_out_code(
    version: str,
    releases: Path = RELEASES_DIR,
    repo: Path = REPO_ROOT,
    log: Callable[[str], None] = _quiet,
    *,
    spec: Schema,
) -> list[str]:
    """Integrity, then a rebuild with the code and schema checked out here (``spec``)
    compared byte for byte:
    every difference, empty when the release verifies. Only meaningful at the commit that
    reproduces the release, which is where ``verify_release`` runs it."""
    folder = release_dir(version, releases)
    if not folder.is_dir():
        raise InputError(folder, f"there is no release {version}", "list releases/ for versions")
    problems = [f"release folder: {line}" for line in check_folder(folder)]
    sums = read_sums(folder)
    if not (folder / MANIFEST).is_file():
        return [*problems, f"{MANIFEST} is missing: nothing says how to rebuild the release"]
    manifest = read_manifest(folder)
    if manifest.get("version") != version:
        problems.append(f"{MANIFEST} names version {manifest.get('version')}, not {version}")
    if spec.sha256 != manifest["schema"]["sha256"]:
        return [
            *problems,
            f"schemas/ changed since {version} was released, so this checkout cannot rebuild it; "
            f"run `python -m dataset verify {version}` to rebuild with the release's own commit",
        ]
    log(f"rebuilding {version} from {len(manifest['inputs'])} recorded input file(s)")
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        rebuilt = Path(tmp) / folder.name
        rebuild(manifest, version, rebuilt, Path(tmp), repo, spec=spec)
        built = Path(tmp) / "build" / MANIFEST_NAME
        gate = validate(rebuilt, previous_release(version, releases), built, spec)
        problems += [f"rebuild fails validation: {line}" for line in gate.failures]
        expected = {name: digest for name, digest in sums.items() if is_reproducible(name)}
        found = {name: digest for name, digest in hashes(rebuilt).items() if is_reproducible(name)}
        problems += [f"rebuild: {line}" for line in compare(expected, found, "the rebuild")]
    return problems


def _commit_env(python: Path, home: Path) -> dict[str, str]:
    """The environment of the old commit's process: its venv first on PATH, nothing of the
    current one leaking in, Hugging Face offline with a cache of its own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
    }
    venv = python.parent.parent
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **OFFLINE, "HF_HOME": str(home)}


def _rebuild_at_commit(
    python: Path, tree: Path, version: str, releases: Path, log: Callable[[str], None]
) -> list[str]:
    """Run the commit's own verify (rebuild and byte-for-byte comparison) in its worktree
    against the release folder under test; its problems, empty when it reproduces."""
    env = _commit_env(python, tree.parent / "hf-home")
    dataset = [str(python), "-m", "dataset", "verify"]
    usage = subprocess.run(
        [*dataset, "--help"], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    flag = [CHECKED_OUT_CODE] if CHECKED_OUT_CODE in usage.stdout else []
    command = [*dataset, version, "--releases", str(releases.resolve()), *flag]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    for line in (done.stderr + done.stdout).splitlines():
        log(f"  | {line}")
    if done.returncode == 0:
        return []
    details = [line.strip() for line in done.stderr.splitlines() if line.startswith("  ")]
    if done.returncode == 1 and details:
        return [f"the commit's rebuild: {line}" for line in details]
    return [f"the commit's verify stopped with exit code {done.returncode} (its output is above)"]


def verify_release(
    version: str,
    releases: Path = RELEASES_DIR,
    repo: Path = REPO_ROOT,
    *,
    pins: Path = PINS_PATH,
    envs: Path = ENVS_DIR,
    log: Callable[[str], None] = _quiet,
) -> Verification:
    """Integrity, then a rebuild with the code and locked libraries of the commit that
    reproduces the release, compared byte for byte."""
    folder = release_dir(version, releases)
    if not folder.is_dir():
        raise InputError(folder, f"there is no release {version}", "list releases/ for versions")
    result = Verification(folder)
    result.problems = [f"release folder: {line}" for line in check_folder(folder)]
    if result.problems:
        return result
    log(f"{version}: every file of {folder} matches SHA256SUMS")
    if not (folder / MANIFEST).is_file():
        result.problems.append(f"{MANIFEST} is missing: nothing says how to rebuild the release")
        return result
    result.pin = pin = reproducing_commit(version, folder, pins)
    log(f"{version}: commit {pin.commit}, from {pin.origin}")
    recorded = (read_manifest(folder).get("git") or {}).get("commit")
    if recorded != pin.commit:
        log(f"{version}: ({MANIFEST} records commit {recorded}; {pins.name} overrides it)")
    require_commit(repo, pin.commit, f"the commit that reproduces {version}")
    with worktree(repo, pin.commit) as tree:
        env = locked_environment(tree, envs, log=lambda line: log(f"{version}: {line}"))
        result.lock_sha256 = env.lock_sha256
        log(f"{version}: environment ready in {env.seconds:.1f} s; rebuilding with its code")
        result.problems = _rebuild_at_commit(env.python, tree, version, releases, log)
    return result
