"""Release versions and the one rule for finding releases by name.

A release lives in ``releases/v<version>/``; a name after the ``v`` that is not a version
in its normal form (PEP 440, as ``packaging`` writes it) is not a release, and neither is
a file. Validation (taxonomy stability against the previous release) and the release
tools (make, verify) ask the same question, so they get the same answer here.
"""

from __future__ import annotations

from pathlib import Path

from packaging.version import InvalidVersion, Version

from dataset.errors import InputError
from dataset.project import RELEASES_DIR, dataset_version


def version_of(name: str) -> Version | None:
    """``name`` as a version when it is one written in its normal form, else None: the one
    rule for version names, so nothing else (``2.0.0/../..``, ``v2.0.0``, `` 2.0.0``,
    ``02.0.0``) names a release or its folder."""
    try:
        version = Version(name)
    except InvalidVersion:
        return None
    return version if str(version) == name else None


def parse_version(text: str) -> Version:
    """A release's version, by that rule, or an InputError that says what one looks like."""
    version = version_of(text)
    if version is None:
        try:
            hint = f" ({Version(text)} is)"
        except InvalidVersion:
            hint = ""
        raise InputError(
            "version", f"{text!r} is not a version{hint}", "give a version such as 1.0.0"
        )
    return version


def released_versions(releases: Path = RELEASES_DIR) -> dict[Version, Path]:
    """Every ``v<version>`` folder under ``releases`` whose name follows the rule, by
    version; files and other names are not releases."""
    if not releases.is_dir():
        return {}
    found: dict[Version, Path] = {}
    for folder in releases.iterdir():
        version = version_of(folder.name[1:]) if folder.name.startswith("v") else None
        if version is not None and folder.is_dir():
            found[version] = folder
    return found


def previous_release(version: str = "", releases: Path = RELEASES_DIR) -> Path | None:
    """The newest release folder older than ``version`` (default: this project's version)."""
    now = parse_version(version or dataset_version())
    found = released_versions(releases)
    older = [known for known in found if known < now]
    return found[max(older)] if older else None
