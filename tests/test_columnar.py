"""The package's column-by-column builder makes exactly the tables of the row-by-row oracle.

The oracle (``tests/oracle.py``) reads every article and label line in Python; the
builder cuts the same rows out of a batch's bytes with Arrow and NumPy. They must agree on
every corpus: the fixtures, a synthetic corpus, and random articles with the odd shapes
that offsets in code points make tricky (CRLF lines, a byte order mark, characters of 2, 3
and 4 bytes, no final newline, several layers, rationales, blank lines in label files),
clean or with a fault, where both must name the same first error.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset.builder.pipeline import build, choose_label_layer
from dataset.builder.tables import BATCHED_TABLES, TableBatch
from dataset.errors import InputError
from dataset.ptc.corpus import discover
from dataset.ptc.synth import synthesize
from dataset.schema import schema
from tests.conftest import make_corpus
from tests.oracle import OracleBatch

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


def built(out: Path, table: str) -> pa.Table:
    """A built table, its shards read back in order as one table."""
    shards = sorted((out / table).glob("*.parquet"))
    return pa.concat_tables([pq.read_table(shard) for shard in shards]).combine_chunks()


def assert_same_builds(source: Path, tmp_path: Path, **options: object) -> None:
    """The build's tables, read back from its Parquet files, equal the oracle's over the
    whole corpus (schema, Hugging Face metadata and every value)."""
    result = build(source, tmp_path / "out", progress=False, **options)  # type: ignore[arg-type]
    corpus = discover(source)
    oracle = OracleBatch(choose_label_layer(corpus, None), lines=options.get("lines") is not False)
    for article in corpus.articles:
        oracle.add(article)
    for name, expected in oracle.tables().items():
        # Parquet does not keep a list item's nullability, hence the cast to the schema.
        table = built(result.out, name).cast(expected.schema)
        assert table.equals(expected, check_metadata=True), name


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


def tables_of(root: Path, layer: str | None, *, oracle: bool) -> dict[str, pa.Table]:
    batch = OracleBatch(layer) if oracle else TableBatch(layer, schema())
    for article in discover(root).articles:
        batch.add(article)
    return batch.tables()


def outcome(root: Path, layer: str | None, *, oracle: bool) -> dict[str, pa.Table] | str:
    """A batch's tables, or the message of its first input error."""
    try:
        return tables_of(root, layer, oracle=oracle)
    except InputError as error:
        return str(error)


#: Faults appended to one file of a corpus: label lines the readers reject or skip, bytes
#: that are not UTF-8, control characters, a stray rationale.
FAULTS = {
    ".labels": [
        b"\n\n",
        b"\r\n",
        b"\n1\tDoubt\t-0\t1\n",
        b"\n1\tDoubt\t1",
        b"\n1\tdoubt\t0\t1",
        b"\n\t\t\t\n",
        b"\n1\tDoubt\t0\t999",
        b"\xff",
        b"\r1\tDoubt\t0\t1",
        b"\n1\tDoubt\t01\t1",
    ],
    ".txt": [b"\x00", b"\x0c", b"\xc3", b"\n"],
    ".tsv": [b"Doubt\t0\t1\tWhy.\n", b"x\n"],
}


@settings(max_examples=150, deadline=None)
@given(corpora(), st.sampled_from(["gold", "other", None]), st.data())
def test_random_corpora_give_the_same_tables_or_first_error(
    files: dict[str, bytes], layer: str | None, data: st.DataObject
) -> None:
    """Clean or not, the builder and the oracle reach the same verdict on every corpus:
    the same tables, or the same first error (file, line, problem and fix)."""
    if data.draw(st.booleans()):
        name = data.draw(st.sampled_from(sorted(files)))
        kind = next(suffix for suffix in FAULTS if name.endswith(suffix))
        files[name] += data.draw(st.sampled_from(FAULTS[kind]))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, content in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(content)
        fast = outcome(root, layer, oracle=False)
        reference = outcome(root, layer, oracle=True)
        if isinstance(reference, str):
            assert fast == reference
            return
        assert not isinstance(fast, str), fast
        for name in BATCHED_TABLES:
            assert fast[name].equals(reference[name]), name
