"""Property tests: random valid PTC corpora pass every check; random corruptions of their
label files are caught under the right check id."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dataset.builder.pipeline import build
from dataset.schema import schema
from validation.run import validate_dataset

WORDS = ["Qatar", "bombing", "très", "\u201cmoderate\u201d", "regime", "Al-Qaeda", "so-called"]
TECHNIQUES = schema().techniques.names
Span = tuple[str, int, int]


class Article:
    """A PTC-layout article with the (start, end) of each word."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words: list[tuple[int, int]] = []
        cursor = 0
        for token in text.split():
            word = token.strip("\u00a0.!?")
            if word:
                start = text.index(word, cursor)
                self.words.append((start, start + len(word)))
                cursor = start + len(word)

    def same_line(self, start: int, end: int) -> bool:
        return "\n" not in self.text[start:end]


@st.composite
def corpora(draw: st.DrawFn) -> tuple[Article, list[Span]]:
    """An article and valid spans on word boundaries, without same-technique overlaps."""
    paragraphs = draw(
        st.lists(st.lists(st.sampled_from(WORDS), min_size=2, max_size=12), min_size=1, max_size=5)
    )
    ends = st.sampled_from([".", "!", "?\u00a0", ". Then"])
    body = "\n\n".join(" ".join(words) + draw(ends) for words in paragraphs)
    article = Article("Title of it\n\n" + body + draw(st.sampled_from(["\n", "\u00a0\n\n", ""])))
    spans: list[Span] = []
    for _ in range(draw(st.integers(0, 8))):
        first = draw(st.integers(0, len(article.words) - 1))
        last = draw(st.integers(first, min(first + 3, len(article.words) - 1)))
        technique = draw(st.sampled_from(TECHNIQUES))
        start, end = article.words[first][0], article.words[last][1]
        clash = any(t == technique and s < end and start < e for t, s, e in spans)
        if article.same_line(start, end) and not clash:
            spans.append((technique, start, end))
    return article, spans


def build_and_validate(root: Path, article: Article, spans: list[Span]) -> set[str]:
    """Build the corpus and return the ids of the checks that did not pass."""
    if root.exists():
        shutil.rmtree(root)
    (root / "raw").mkdir(parents=True)
    (root / "raw" / "article5.txt").write_text(article.text, encoding="utf-8", newline="")
    lines = "".join(f"5\t{t}\t{s}\t{e}\n" for t, s, e in spans)
    (root / "raw" / "article5.gold.labels").write_text(lines, encoding="utf-8")
    report = validate_dataset(build(root / "raw", root / "out", progress=False).out)
    return {r.check.id for r in report.checks if r.status not in {"passed", "skipped"}}


#: A corpus without provenance records or rationales only warns about them.
WARNINGS = {"articles-provenance-present", "spans-rationale-present"}
SETTINGS = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(corpora())
def test_random_valid_corpora_pass(tmp_path: Path, corpus: tuple[Article, list[Span]]) -> None:
    article, spans = corpus
    assert build_and_validate(tmp_path, article, spans) <= WARNINGS


@SETTINGS
@given(corpora(), st.sampled_from(["duplicate", "nested", "space-edge"]), st.data())
def test_random_corruptions_fail_under_their_check(
    tmp_path: Path, corpus: tuple[Article, list[Span]], corruption: str, data: st.DataObject
) -> None:
    article, spans = corpus
    if corruption == "space-edge":
        starts = [s for s, _ in article.words if s > 0 and article.text[s - 1] == " "]
        assume(starts)
        start = data.draw(st.sampled_from(starts)) - 1
        # A technique no other span uses, so the bad span breaks the boundary rule only
        # (with a used one it could also overlap a span of its own technique).
        unused = next(t for t in TECHNIQUES if t not in {technique for technique, _, _ in spans})
        bad: Span = (unused, start, start + 2)
        expected = "spans-boundaries"
    else:
        assume(spans)
        technique, start, end = data.draw(st.sampled_from(spans))
        if corruption == "duplicate":
            bad, expected = (technique, start, end), "spans-no-duplicates"
        else:
            inner = [e for s, e in article.words if start <= s and e < end]
            assume(inner)
            bad, expected = (
                (technique, start, data.draw(st.sampled_from(inner))),
                "spans-no-self-overlap",
            )
    failing = build_and_validate(tmp_path, article, [*spans, bad])
    assert expected in failing
    assert failing - WARNINGS - {expected} <= {"keys-unique"}, "duplicates repeat a span_id"
