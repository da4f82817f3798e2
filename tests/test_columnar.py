"""The column-by-column builder writes exactly the bytes of the row-by-row reference.

The reference reads every article and label line in Python; the default builder cuts the
same rows out of a batch's bytes with Arrow and NumPy. They must agree on every corpus:
the fixtures, a synthetic corpus, and random articles with the odd shapes that offsets
in code points make tricky (CRLF lines, a byte order mark, characters of 2, 3 and 4 bytes,
no final newline, several layers, rationales, blank lines in label files).
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset.build.columnar import BatchColumns
from dataset.build.pipeline import build
from dataset.build.tables import BATCHED_TABLES, TableBatch
from dataset.ptc.corpus import discover
from dataset.ptc.synth import synthesize
from tests.conftest import make_corpus

#: A technique with a SemEval class, one without (Obfuscation), and a merged SemEval class
#: (no single technique).
LABELS = (
    "Doubt",
    "Slogans",
    "Obfuscation,Intentional_Vagueness,Confusion",
    "Whataboutism,Straw_Men,Red_Herring",
)
#: Characters of one to four UTF-8 bytes, line breaks and a tab.
ALPHABET = "ab .,\t\n\r\u00e9\u00a0\u2019\u201c\U0001f600"


def digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def assert_same_builds(source: Path, tmp_path: Path, **options: object) -> None:
    fast = build(source, tmp_path / "fast", progress=False, **options)  # type: ignore[arg-type]
    reference = build(
        source,
        tmp_path / "reference",
        progress=False,
        row_by_row=True,
        **options,  # type: ignore[arg-type]
    )
    assert digests(fast.out) == digests(reference.out)


def test_fixtures_build_the_same_bytes(tmp_path: Path) -> None:
    assert_same_builds(make_corpus(tmp_path / "raw"), tmp_path)


def test_synthetic_corpus_builds_the_same_bytes_in_many_batches(tmp_path: Path) -> None:
    synthesize(tmp_path / "raw", 120, seed=3)
    assert_same_builds(tmp_path / "raw", tmp_path, batch_articles=50, shard_rows=700)
    assert_same_builds(tmp_path / "raw", tmp_path / "no-lines", lines=False)


@st.composite
def corpora(draw: st.DrawFn) -> dict[str, bytes]:
    """Files of a corpus in this project's layout, by relative path."""
    files: dict[str, bytes] = {}
    for number in range(1, draw(st.integers(1, 5)) + 1):
        text = draw(st.sampled_from(["", "\ufeff"])) + draw(
            st.text(ALPHABET, min_size=1, max_size=60).filter(lambda t: t.strip() != "")
        )
        files[f"articles/article{number}.txt"] = text.encode("utf-8")
        for layer in draw(st.lists(st.sampled_from(["gold", "other"]), unique=True)):
            lines = []
            for _ in range(draw(st.integers(0, 6))):
                start = draw(st.integers(0, len(text) - 1))
                end = draw(st.integers(start + 1, len(text)))
                label = draw(st.sampled_from(LABELS))
                lines.append(f"{number}\t{label}\t{start}\t{end}")
                if draw(st.booleans()) and draw(st.booleans()):
                    lines.append("")
            files[f"labels/article{number}.{layer}.labels"] = "\n".join(lines).encode("utf-8")
            if lines and layer == "gold" and draw(st.booleans()):
                first = lines[0].split("\t")
                files[f"labels/article{number}.gold.rationale.tsv"] = (
                    "technique\tstart\tend\trationale\n" + "\t".join([*first[1:], "Why."]) + "\n"
                ).encode("utf-8")
    return files


def tables_of(root: Path, layer: str | None, *, row_by_row: bool) -> dict[str, pa.Table]:
    batch = TableBatch(layer, row_by_row=row_by_row)
    for article in discover(root).articles:
        batch.add(article)
    return batch.tables()


@settings(max_examples=150, deadline=None)
@given(corpora(), st.sampled_from(["gold", "other", None]))
def test_random_corpora_give_the_same_tables(files: dict[str, bytes], layer: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        fast = tables_of(root, layer, row_by_row=False)
        reference = tables_of(root, layer, row_by_row=True)
        for name in BATCHED_TABLES:
            assert fast[name].equals(reference[name]), name


def test_clean_batches_are_built_column_by_column(tmp_path: Path) -> None:
    """The fast builder accepts a clean corpus itself, rather than handing every batch to
    the reference (which would also give the same bytes, slowly)."""
    synthesize(tmp_path / "raw", 30, seed=5)
    batch = TableBatch("synthetic")
    articles = discover(tmp_path / "raw").articles
    columns = BatchColumns(
        articles,
        label_layer="synthetic",
        lines=True,
        read=batch.read,
    )
    assert columns.tables["articles"].num_rows == 30
