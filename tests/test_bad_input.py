"""Bad input stops the build with one clear message, a non-zero exit and no lost output.

Each case first builds a good corpus into ``out``, then breaks one input, rebuilds into the
same ``out`` and checks that the message names the file, the line (where there is one),
the problem and the fix, that the exit code is 2, and that the earlier output is intact.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dataset.cli import EXIT_INPUT_ERROR, main
from tests.conftest import (
    ARTICLE,
    ARTICLE_BYTES,
    ARTICLE_CHARS,
    ARTICLE_ID,
    FIXTURE_LABELS,
    PROVENANCE,
    REPO,
    make_corpus,
)

LABELS = f"labels/{FIXTURE_LABELS.name}"
#: A span from inside the article to past its end (its length in bytes, more than in
#: characters).
PAST_THE_END = (2300, ARTICLE_BYTES)


def append_label_line(line: str) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        with (root / LABELS).open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    return corrupt


def write(relative: str, data: bytes) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)

    return corrupt


def fifo(relative: str) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / relative)

    return corrupt


def folder(relative: str) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        (root / relative).mkdir(parents=True)

    return corrupt


def symlinks(**links: str | Path) -> Callable[[Path], None]:
    """Symlinks in articles/ (name without .txt: target)."""

    def corrupt(root: Path) -> None:
        for name, target in links.items():
            (root / "articles" / f"{name}.txt").symlink_to(target)

    return corrupt


@dataclass(frozen=True)
class Case:
    corrupt: Callable[[Path], None]
    file: str
    line: int | None
    problem: str


FIXTURE_LINES = len(FIXTURE_LABELS.read_text().splitlines())
BAD_LINE = FIXTURE_LINES + 1
CASES = {
    "wrong-column-count": Case(
        append_label_line(f"{ARTICLE_ID}\tLoaded_Language\t10"),
        LABELS,
        BAD_LINE,
        "expected 4 tab-separated columns",
    ),
    "space-separated": Case(
        append_label_line(f"{ARTICLE_ID} Loaded_Language 10 20"),
        LABELS,
        BAD_LINE,
        "found 1",
    ),
    "non-integer-offset": Case(
        append_label_line(f"{ARTICLE_ID}\tLoaded_Language\tten\t20"),
        LABELS,
        BAD_LINE,
        "start offset 'ten' is not an integer",
    ),
    "float-offset": Case(
        append_label_line(f"{ARTICLE_ID}\tLoaded_Language\t10\t20.0"),
        LABELS,
        BAD_LINE,
        "end offset '20.0' is not an integer",
    ),
    "negative-offset": Case(
        append_label_line(f"{ARTICLE_ID}\tLoaded_Language\t-4\t20"),
        LABELS,
        BAD_LINE,
        "start offset -4 is negative",
    ),
    "reversed-offsets": Case(
        append_label_line(f"{ARTICLE_ID}\tLoaded_Language\t30\t20"),
        LABELS,
        BAD_LINE,
        "offsets are reversed",
    ),
    "empty-span": Case(
        append_label_line(f"{ARTICLE_ID}\tLoaded_Language\t30\t30"),
        LABELS,
        BAD_LINE,
        "the span is empty",
    ),
    "past-the-end": Case(
        append_label_line(f"{ARTICLE_ID}\tLoaded_Language\t{PAST_THE_END[0]}\t{PAST_THE_END[1]}"),
        LABELS,
        BAD_LINE,
        f"runs past the end of the article, which has {ARTICLE_CHARS} code points",
    ),
    "unknown-technique": Case(
        append_label_line(f"{ARTICLE_ID}\tLoaded Language\t10\t20"),
        LABELS,
        BAD_LINE,
        "unknown technique 'Loaded Language'",
    ),
    "id-column-disagrees": Case(
        append_label_line("9000000002\tLoaded_Language\t10\t20"),
        LABELS,
        BAD_LINE,
        f"column 1 says article 9000000002 but the file name says article {ARTICLE_ID}",
    ),
    "id-column-not-digits": Case(
        append_label_line("../etc\tLoaded_Language\t10\t20"),
        LABELS,
        BAD_LINE,
        "is not a string of digits",
    ),
    "label-file-without-article": Case(
        write("labels/article42.fixture.labels", b"42\tDoubt\t0\t5\n"),
        "labels/article42.fixture.labels",
        None,
        "there is no article42.txt for this file",
    ),
    "article-not-utf8": Case(
        write("articles/article43.txt", b"Title\n\nCaf\xe9 society\n"),
        "articles/article43.txt",
        3,
        "not valid UTF-8: byte 0xe9 at byte offset 10",
    ),
    "empty-article": Case(
        write("articles/article44.txt", b""),
        "articles/article44.txt",
        None,
        "the article is empty",
    ),
    "whitespace-only-article": Case(
        write("articles/article45.txt", b"\n\n \xc2\xa0\n"),
        "articles/article45.txt",
        None,
        "the article holds only whitespace",
    ),
    "duplicate-article-id": Case(
        write(f"more/article{ARTICLE_ID}.txt", ARTICLE.read_bytes()),
        f"more/article{ARTICLE_ID}.txt",
        None,
        f"duplicate article ID {ARTICLE_ID}",
    ),
    "article-name-not-digits": Case(
        write("articles/article12a.txt", b"Title\n\nBody.\n"),
        "articles/article12a.txt",
        None,
        "the article ID '12a' in the file name is not a string of digits",
    ),
    "label-name-not-digits": Case(
        write("labels/article-1.fixture.labels", b""),
        "labels/article-1.fixture.labels",
        None,
        "the article ID '-1' in the file name is not a string of digits",
    ),
    "layer-name-with-odd-characters": Case(
        write(f"labels/article{ARTICLE_ID}.a b.labels", b""),
        f"labels/article{ARTICLE_ID}.a b.labels",
        None,
        "the layer name 'a b' in the file name",
    ),
    "duplicate-label-file": Case(
        write(f"more/article{ARTICLE_ID}.fixture.labels", FIXTURE_LABELS.read_bytes()),
        f"more/article{ARTICLE_ID}.fixture.labels",
        None,
        f"article {ARTICLE_ID} already has a fixture label file",
    ),
    "edited-article-bytes": Case(
        write(
            f"articles/article{ARTICLE_ID}.txt",
            ARTICLE.read_bytes().replace(b"\xc2\xa0", b" "),
        ),
        f"articles/article{ARTICLE_ID}.provenance.yaml",
        None,
        "the record's sha256 21d5d8656b0f4482889115550aa887b315a1ee4041f4b434983efe7443dfe385 "
        "differs from the article file's",
    ),
    "misspelt-provenance-key": Case(
        write(
            f"articles/article{ARTICLE_ID}.provenance.yaml",
            PROVENANCE.read_bytes().replace(b"author: null", b"autor: null"),
        ),
        f"articles/article{ARTICLE_ID}.provenance.yaml",
        6,
        "missing key author; unknown key autor",
    ),
    "fifo-article": Case(
        fifo("articles/article46.txt"),
        "articles/article46.txt",
        None,
        "named like an input file but a FIFO (named pipe): only regular files are read",
    ),
    "fifo-label-file": Case(
        fifo(f"labels/article{ARTICLE_ID}.other.labels"),
        f"labels/article{ARTICLE_ID}.other.labels",
        None,
        "named like an input file but a FIFO",
    ),
    # Unreadable as root too: a folder where an article should be.
    "folder-named-like-an-article": Case(
        folder("articles/article48.txt"),
        "articles/article48.txt",
        None,
        "named like an input file but a folder",
    ),
    "symlink-out-of-the-source": Case(
        symlinks(article49=ARTICLE),
        "articles/article49.txt",
        None,
        f"a symlink to {ARTICLE}, outside the source folder",
    ),
    "dangling-symlink": Case(
        symlinks(article50="gone.txt"),
        "articles/article50.txt",
        None,
        "a dangling symlink: its target 'gone.txt' does not exist",
    ),
    "symlink-loop": Case(
        symlinks(article51="article52.txt", article52="article51.txt"),
        "articles/article51.txt",
        None,
        "a symlink that cannot be followed: Too many levels of symbolic links (a loop",
    ),
    "nul-in-article": Case(
        write("articles/article53.txt", b"Title\n\nA NUL\x00 here\n"),
        "articles/article53.txt",
        3,
        "a control character U+0000 (NUL) at offset 12 (column 6)",
    ),
    "escape-in-article": Case(
        write("articles/article54.txt", "Titl\u00e9\n\x1b[1mBold\n".encode()),
        "articles/article54.txt",
        2,
        "a control character U+001B at offset 6 (column 1)",
    ),
    "rationale-for-no-span": Case(
        write(
            f"labels/article{ARTICLE_ID}.fixture.rationale.tsv",
            b"technique\tstart\tend\trationale\nDoubt\t0\t5\tNot a span.\n",
        ),
        f"labels/article{ARTICLE_ID}.fixture.rationale.tsv",
        None,
        "a rationale for Doubt 0-5, which is not a span of the fixture label file",
    ),
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_reported_and_earlier_output_survives(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = make_corpus(tmp_path / "raw")
    out = tmp_path / "out"
    assert main(["build", "--source", str(source), "--out", str(out)]) == 0
    before = snapshot(out)
    capsys.readouterr()

    case.corrupt(source)
    assert main(["build", "--source", str(source), "--out", str(out)]) == EXIT_INPUT_ERROR

    message = capsys.readouterr().err
    where = str(source / case.file) + (f":{case.line}:" if case.line is not None else ":")
    assert message.startswith(f"error: {where} "), message
    assert case.problem in message
    assert "\n  fix: " in message
    assert message.count("\n") == 2, "one error, one fix, nothing else"
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw"], "no staging left"


def test_command_line_exit_code_and_no_traceback(tmp_path: Path) -> None:
    source = make_corpus(tmp_path / "raw")
    CASES["past-the-end"].corrupt(source)
    command = ["build", "--source", str(source), "--out", str(tmp_path / "out")]
    completed = subprocess.run(
        [sys.executable, "-m", "dataset", *command],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert completed.returncode == EXIT_INPUT_ERROR
    assert "Traceback" not in completed.stderr
    where = f"{FIXTURE_LABELS.name}:{BAD_LINE}"
    assert f"{where}: the span {PAST_THE_END[0]}-{PAST_THE_END[1]} runs past" in completed.stderr
    assert not (tmp_path / "out").exists()
