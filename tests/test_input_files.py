"""Inputs cannot trap the build or lead it out of its source folder: only regular files
are read, never opened before their type is known; symlinks leading outside are read only
with --follow-symlinks, under their own names; control characters in an article are
refused on both builders. The failing cases of the command line are in test_bad_input."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
from pathlib import Path

import numpy as np
import pytest

from dataset.builder.columnar import has_control_characters
from dataset.builder.pipeline import build
from dataset.builder.tables import TableBatch
from dataset.cli import main
from dataset.errors import InputError
from dataset.ptc.corpus import discover
from dataset.schema import schema
from tests.conftest import ARTICLE, ARTICLE_ID, make_corpus

OTHER_ID = "9000000002"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """An article in a folder beside the source."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    target = folder / "an-article.txt"
    target.write_bytes(b"Another title\n\nAnother body.\n")
    return target


def test_a_symlink_out_of_the_source_is_read_only_when_asked(
    corpus: Path, outside: Path, tmp_path: Path
) -> None:
    (corpus / "articles" / f"article{OTHER_ID}.txt").symlink_to(outside)
    with pytest.raises(InputError, match="outside the source folder"):
        build(corpus, tmp_path / "out", progress=False)
    built = build(corpus, tmp_path / "out", progress=False, follow_symlinks=True)
    inputs = {entry["path"]: entry["sha256"] for entry in built.manifest["inputs"]}
    assert (
        inputs[f"articles/article{OTHER_ID}.txt"]
        == hashlib.sha256(outside.read_bytes()).hexdigest()
    )
    text = (built.out / "MANIFEST.json").read_text("utf-8")
    assert str(outside.parent) not in text, "no machine's absolute path in the manifest"


def test_a_symlink_within_the_source_is_read_under_its_own_name(
    corpus: Path, tmp_path: Path
) -> None:
    spare = corpus / "spare"
    spare.mkdir()
    (spare / "copy.txt").write_bytes(b"Linked title\n\nLinked body.\n")
    (corpus / "articles" / f"article{OTHER_ID}.txt").symlink_to("../spare/copy.txt")
    built = build(corpus, tmp_path / "out", progress=False)
    paths = [entry["path"] for entry in built.manifest["inputs"]]
    assert f"articles/article{OTHER_ID}.txt" in paths


def test_a_linked_folder_is_walked_only_when_asked(
    corpus: Path, outside: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (outside.parent / f"article{OTHER_ID}.txt").write_bytes(b"Title\n\nBody.\n")
    (corpus / "more").symlink_to(outside.parent, target_is_directory=True)
    assert [a.article_id for a in discover(corpus)] == [ARTICLE_ID]
    out = tmp_path / "out"
    assert main(["build", "--source", str(corpus), "--out", str(out)]) == 0
    assert "note: not reading the linked folder more (--follow-symlinks)" in capsys.readouterr().err
    arguments = ["build", "--source", str(corpus), "--out", str(out), "--follow-symlinks"]
    assert main(arguments) == 0
    manifest = json.loads((out / "MANIFEST.json").read_text("utf-8"))
    assert f"more/article{OTHER_ID}.txt" in [entry["path"] for entry in manifest["inputs"]]


def test_a_linked_folder_that_loops_is_refused(corpus: Path) -> None:
    (corpus / "articles" / "again").symlink_to(corpus, target_is_directory=True)
    assert len(discover(corpus)) == 1
    with pytest.raises(InputError, match="following it would read files twice or loop"):
        discover(corpus, follow_symlinks=True)


def test_a_socket_named_like_an_article_is_refused(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(corpus / "articles")  # a socket's path must be short
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(f"article{OTHER_ID}.txt")
        with pytest.raises(InputError, match="but a socket: only regular files are read"):
            discover(corpus)


def test_a_device_named_like_an_article_is_refused(corpus: Path) -> None:
    path = corpus / "articles" / f"article{OTHER_ID}.txt"
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers
    except PermissionError:
        pytest.skip("making a device needs root (or CAP_MKNOD)")
    with pytest.raises(InputError, match="but a device"):
        discover(corpus)


def test_a_fifo_put_in_after_discovery_is_not_waited_on(tmp_path: Path) -> None:
    """Reading opens without waiting and looks at the type before reading a byte."""
    pipe = tmp_path / "article1.txt"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match="a FIFO"):
        TableBatch(None, schema()).read(pipe)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_article_is_an_input_error(corpus: Path, tmp_path: Path) -> None:
    article = corpus / "articles" / ARTICLE.name
    article.chmod(0)
    with pytest.raises(InputError, match="cannot read this input file: Permission denied"):
        build(corpus, tmp_path / "out", progress=False)


def test_control_characters_stop_the_build(tmp_path: Path) -> None:
    source = make_corpus(tmp_path / "raw")
    body = b"Title\n\nTabs\tand CR\r\nstay; a form feed \x0c does not.\n"
    (source / "articles" / f"article{OTHER_ID}.txt").write_bytes(body)
    with pytest.raises(InputError) as caught:
        build(source, tmp_path / "out", progress=False)
    assert caught.value.line == 4
    assert "a control character U+000C at offset 38 (column 19)" in caught.value.problem


def test_the_batch_check_finds_exactly_the_c0_controls_but_tab_newline_and_cr() -> None:
    allowed = {0x09, 0x0A, 0x0D}
    for byte in range(256):
        data = np.frombuffer(b"text\n" + bytes([byte]) + b"\r\n", dtype=np.uint8)
        assert has_control_characters(data) == (byte < 0x20 and byte not in allowed), byte
    assert not has_control_characters(np.frombuffer("é\u00a0—".encode(), dtype=np.uint8))
