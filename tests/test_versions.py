"""One rule for release names, whoever asks: validation and the release tools find the
same previous release, and a name that is not a version in normal form names nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataset.errors import InputError
from dataset.versions import parse_version, previous_release, released_versions


def test_only_folders_named_by_a_normal_form_version_are_releases(tmp_path: Path) -> None:
    for name in ("v1.0.0", "v1.1.0", "v2.0.0", "v01.2.0", "vnext", "other"):
        (tmp_path / name).mkdir()
    (tmp_path / "v1.5.0").write_text("a file, not a release\n")
    assert sorted(str(version) for version in released_versions(tmp_path)) == [
        "1.0.0",
        "1.1.0",
        "2.0.0",
    ]
    assert previous_release("2.0.0", tmp_path) == tmp_path / "v1.1.0"
    assert previous_release("1.0.0", tmp_path) is None
    assert released_versions(tmp_path / "missing") == {}


@pytest.mark.parametrize("text", ["2.0.0/../..", "v2.0.0", " 2.0.0", "next"])
def test_a_name_that_is_not_a_version_is_an_input_error(text: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a version"):
        parse_version(text)
    with pytest.raises(InputError, match="is not a version"):
        previous_release(text, tmp_path)
