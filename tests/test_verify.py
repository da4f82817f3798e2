"""verify without checking out commits: the integrity check, the rebuild with the checked-out
code (the step verify runs inside a release commit's worktree), and the choice of commit
from releases/REPRODUCIBLE.yaml or the manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from dataset.cli import main
from dataset.errors import InputError
from dataset.project import dataset_version
from dataset.release.checksums import check_folder, read_sums
from dataset.release.layout import MANIFEST, SHA256SUMS, release_dir
from dataset.release.make import ReleaseOutcome, make_release
from dataset.release.pins import PINS_PATH, read_pins, reproducing_commit
from dataset.release.verify import verify_release, verify_with_checked_out_code
from dataset.schema import schema
from dataset.versions import released_versions
from tests.conftest import RAW, earlier_releases

VERSION = dataset_version()
SHA_A = "a" * 40
SHA_B = "b" * 40


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> ReleaseOutcome:
    """The shipped data released once with the code checked out here."""
    return make_release(
        RAW, earlier_releases(tmp_path_factory.mktemp("releases")), repo=None, log=lambda _: None
    )


@pytest.fixture
def copy(released: ReleaseOutcome, tmp_path: Path) -> Path:
    """A copy of the release in a releases/ folder of its own, to alter freely."""
    target = tmp_path / "releases" / released.folder.name
    shutil.copytree(released.folder, target)
    return target


def with_manifest_git(folder: Path, commit: str, *, dirty: bool) -> None:
    """Point the manifest at another commit, keeping SHA256SUMS in step."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["git"] = {"commit": commit, "dirty": dirty}
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    resum(folder, MANIFEST)


def resum(folder: Path, name: str) -> None:
    sums = read_sums(folder)
    sums[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    lines = [f"{digest}  {path}\n" for path, digest in sorted(sums.items())]
    (folder / SHA256SUMS).write_text("".join(lines), encoding="utf-8")


# The rebuild with the checked-out code


def test_a_fresh_release_rebuilds_byte_for_byte_with_this_code(released: ReleaseOutcome) -> None:
    assert verify_with_checked_out_code(VERSION, released.folder.parent, spec=schema()) == []
    assert (
        main(["verify", VERSION, "--releases", str(released.folder.parent), "--checked-out-code"])
        == 0
    )


def test_a_change_that_sha256sums_agrees_with_fails_the_rebuild(copy: Path) -> None:
    preview = copy / "preview.html"
    preview.write_text(preview.read_text(encoding="utf-8") + "<!-- edited -->\n", "utf-8")
    old = read_sums(copy)["preview.html"]
    resum(copy, "preview.html")
    new = read_sums(copy)["preview.html"]
    assert check_folder(copy) == []
    problems = verify_with_checked_out_code(VERSION, copy.parent, spec=schema())
    assert problems == [f"rebuild: preview.html: sha256 {old} in the rebuild, {new} in SHA256SUMS"]


# Integrity comes first: an altered file fails before any commit is checked out


def test_a_flipped_byte_fails_integrity(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shard = copy / "data" / "spans" / "spans-00000.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    # No pin and no git repository: integrity must fail before either is needed.
    result = verify_release(VERSION, copy.parent, copy.parent, pins=copy.parent / "none.yaml")
    assert result.pin is None
    assert [p.split(":")[0] for p in result.problems] == ["release folder"]
    assert "data/spans/spans-00000.parquet" in result.problems[0]
    assert main(["verify", "--all", "--releases", str(copy.parent)]) == 1
    assert "FAILS verification" in capsys.readouterr().err
    assert verify_with_checked_out_code(VERSION, copy.parent, spec=schema())[0].startswith(
        "release folder: data/spans/spans-00000.parquet"
    )


def test_an_empty_releases_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--all", "--releases", str(tmp_path)]) == 2
    assert "holds no release folder" in capsys.readouterr().err


@pytest.mark.parametrize("version", ["2.0.0/../../..", "../v2.0.0", "v2.0.0", " 2.0.0", "2.0.0/"])
@pytest.mark.parametrize("command", ["verify", "publish"])
def test_only_a_version_names_a_release(
    version: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = [version, "--checked-out-code"] if command == "verify" else [version, "--dry-run"]
    assert main([command, *arguments]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: version: {version!r} is not a version"), error


def test_a_missing_version_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"there is no release 9\.9\.9"):
        verify_release("9.9.9", tmp_path)


# Which commit


def pins_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "REPRODUCIBLE.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_pin_file_wins_over_the_manifest_and_says_so(copy: Path, tmp_path: Path) -> None:
    with_manifest_git(copy, SHA_B, dirty=False)
    pins = pins_file(tmp_path, f'"{VERSION}":\n  commit: {SHA_A}\n  note: found by hand\n')
    pin = reproducing_commit(VERSION, copy, pins)
    assert (pin.commit, pin.origin) == (SHA_A, "REPRODUCIBLE.yaml")
    assert reproducing_commit(VERSION, copy, tmp_path / "absent.yaml").commit == SHA_B
    assert reproducing_commit(VERSION, copy, tmp_path / "absent.yaml").origin == MANIFEST


def test_a_dirty_manifest_commit_is_used_with_a_warning(copy: Path, tmp_path: Path) -> None:
    with_manifest_git(copy, SHA_B, dirty=True)
    pin = reproducing_commit(VERSION, copy, tmp_path / "absent.yaml")
    assert pin.commit == SHA_B
    assert "dirty" in pin.origin


def test_a_release_recording_no_commit_needs_a_pin(copy: Path, tmp_path: Path) -> None:
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["git"] = {"commit": None, "dirty": None}
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(InputError, match="records no commit") as error:
        reproducing_commit(VERSION, copy, tmp_path / "absent.yaml")
    assert "absent.yaml" in error.value.fix


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('"1.0.0":\n  commit: [unclosed\n', "not valid YAML", 3),
        ("- 1.0.0\n", "is not a mapping", 1),
        ('"1.0.0":\n  commit: 633a978\n', "full 40-character commit id", 2),
        ('"1.0.0": 633a978303a006b39c54c64efdaa3c0989b5e63c\n', "full 40-character", 1),
        (f'"1.0.0":\n  commit: {"1" * 40}\n', "quoted", 2),
        ('"1.0.0":\n  comit: "633a978303a006b39c54c64efdaa3c0989b5e63c"\n', "unknown key comit", 2),
    ],
)
def test_a_broken_pin_file_is_a_clear_error(
    tmp_path: Path, text: str, message: str, line: int | None
) -> None:
    with pytest.raises(InputError, match=message) as error:
        read_pins(pins_file(tmp_path, text))
    assert error.value.line == line


def test_every_pinned_version_is_a_release_folder_and_1_0_0_is_pinned() -> None:
    pins = read_pins(PINS_PATH)
    assert set(pins) <= {str(version) for version in released_versions()}
    manifest = json.loads((release_dir("1.0.0") / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["git"]["dirty"] is True
    pin = reproducing_commit("1.0.0", release_dir("1.0.0"))
    assert pin.origin == "REPRODUCIBLE.yaml"
    assert pin.commit != manifest["git"]["commit"]
