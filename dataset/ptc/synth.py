"""Generate a synthetic PTC-format corpus for tests and benchmarks.

``python -m dataset synth --articles N --seed S --out DIR`` writes ``DIR/articles/article<ID>.txt``
and ``DIR/labels/article<ID>.synthetic.labels``. Real corpora cannot be shipped at the sizes
that matter for speed and memory (tens of thousands of articles), so this makes one whose
shape resembles PTC's: article lengths, paragraph layout, non-ASCII text (U+00A0, curly
quotes, accents, em dashes), about 16 spans per article, PTC-like technique frequencies and
span lengths, overlaps between techniques and a few articles without propaganda.

The text is nonsense, but every span obeys PTC's boundary rule and no technique overlaps
itself, so a synthetic corpus builds and validates cleanly. One seed gives the same bytes
on every machine: all randomness comes from one ``random.Random(seed)``, and nothing
iterates over a set or a hash-ordered structure.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from dataset.errors import InputError
from dataset.schema import Schema, SpanBoundary, schema

LAYER = "synthetic"
#: PTC's techniques with approximate instance counts and mean span lengths in characters,
#: after the corpus statistics of Da San Martino et al. (EMNLP 2019): Loaded_Language and
#: Name_Calling,Labeling dominate; Doubt, fear appeals and fallacies are long fragments.
TECHNIQUE_STATS: tuple[tuple[str, int, int], ...] = (
    ("Loaded_Language", 2547, 16),
    ("Name_Calling,Labeling", 1294, 20),
    ("Repetition", 767, 18),
    ("Doubt", 562, 85),
    ("Exaggeration,Minimisation", 479, 26),
    ("Appeal_to_fear-prejudice", 367, 110),
    ("Flag-Waving", 287, 36),
    ("Causal_Oversimplification", 233, 100),
    ("Appeal_to_Authority", 169, 80),
    ("Slogans", 163, 27),
    ("Black-and-White_Fallacy", 134, 80),
    ("Thought-terminating_Cliches", 95, 36),
    ("Whataboutism", 76, 90),
    ("Reductio_ad_hitlerum", 66, 70),
    ("Red_Herring", 48, 110),
    ("Bandwagon", 17, 75),
    ("Straw_Men", 15, 85),
    ("Obfuscation,Intentional_Vagueness,Confusion", 11, 90),
)
TECHNIQUES = tuple(name for name, _, _ in TECHNIQUE_STATS)
TECHNIQUE_WEIGHTS = tuple(count for _, count, _ in TECHNIQUE_STATS)
MEAN_LENGTH = {name: length for name, _, length in TECHNIQUE_STATS}
#: PTC: about 7,400 spans over 451 articles.
SPANS_PER_ARTICLE = 16.0
#: Share of articles whose label file is empty (annotated, no propaganda found).
EMPTY_SHARE = 0.02
#: Article length in characters: log-normal around PTC's (~350k tokens over 451 articles).
LENGTH_MEDIAN = 3300.0
LENGTH_SIGMA = 0.75
LENGTH_MIN, LENGTH_MAX = 400, 40_000
#: Mean length of the generated texts: the log-normal mean plus the last line that
#: overshoots each target (measured over 100k synthetic articles).
MEAN_ARTICLE_LENGTH = LENGTH_MEDIAN * math.exp(LENGTH_SIGMA**2 / 2) + 200
#: Chance that a span is placed inside an existing span of another technique, as PTC's
#: Loaded_Language inside a Doubt fragment.
NEST_SHARE = 0.2
#: Sentences and titles drawn per corpus; articles are assembled from them, which keeps
#: generation fast at 100k articles while every article still differs.
SENTENCE_POOL = 6000
TITLE_POOL = 1500
#: Characters a span may neither start nor end with (PTC's consistency rule 3) besides
#: whitespace; the em dash is avoided too because no annotator starts a fragment with it.
EXTRA_EDGE_MARKS = "\u2014"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FUNCTION_WORDS = _words(
    "the the the the a a of of in in to to and and that for on with as by from at about "
    "against after over under more than not even only also just still all some many most "
    "their its our this these those his her they we it is are was were has have had will "
    "would could should may must been being"
)
NOUNS = _words(
    "government regime officials media country nation people leaders army forces war crisis "
    "election border president minister council agency policy law economy taxes report "
    "evidence truth lies enemies allies elites citizens families workers children freedom "
    "security terror threat attack campaign scandal investigation court judge press "
    "journalists critics experts scientists climate refugees jobs markets banks oil weapons "
    "intelligence sanctions protests rally party opposition establishment system corruption "
    "propaganda agenda plan deal treaty summit region capital streets history future values "
    "faith schools hospitals borders coalition militia ceasefire pipeline referendum "
    "spokesperson commander analysts donors lobbyists bureaucrats"
)
VERBS = _words(
    "said claimed warned admitted denied announced revealed insisted argued suggested "
    "reported confirmed promised refused attacked destroyed defended supported ignored "
    "exposed betrayed launched blocked funded threatened approved rejected demanded accused "
    "praised undermined smeared celebrated condemned"
)
ADJECTIVES = _words(
    "new old former local national foreign secret public official major small large recent "
    "strong weak real so-called corrupt radical dangerous disastrous shameful outrageous "
    "brutal reckless heroic patriotic treacherous incompetent shocking massive tiny "
    "unprecedented historic failed rigged fake bloody evil glorious moderate"
)
NAMES = (
    "José Martínez",
    "Zoë Müller",
    "Søren Østergaard",
    "Ségolène Béraud",
    "Łukasz Wróbel",
    "Renée Dubois",
    "Björn Ångström",
    "Chloé Lefèvre",
    "Nuño Peña",
    "Jürgen Schäfer",
    "Małgorzata Nowak",
    "Ömer Çelik",
    "Mr. Hargreaves",
    "Dr. Okafor",
    "Gen. Whitcombe",
    "Sen. Delacroix",
    "Amélie Fontaine",
    "Raúl Ibáñez",
)
PLACES = (
    "Zürich",
    "São Paulo",
    "Bogotá",
    "Kraków",
    "Brussels",
    "Washington",
    "Moscow",
    "Tripoli",
    "Damascus",
    "Kyiv",
    "Montréal",
    "Reykjavík",
    "Düsseldorf",
    "Córdoba",
    "the U.S.",
    "the Middle East",
)
ORGANISATIONS = (
    "the State Department",
    "the European Union",
    "NATO",
    "the United Nations",
    "the Pentagon",
    "Congress",
    "the Kremlin",
    "the Presidency Council",
    "the World Bank",
    "the Fédération",
)
SPEECH_VERBS = ("said", "added", "told reporters", "wrote", "insisted", "warned")


@dataclass
class SynthStats:
    """What a synthesis wrote: enough to sanity-check it and to label benchmark figures."""

    articles: int = 0
    spans: int = 0
    characters: int = 0
    bytes: int = 0
    empty_label_files: int = 0
    overlapping_spans: int = 0
    techniques: dict[str, int] = field(default_factory=dict)

    @property
    def spans_per_article(self) -> float:
        return self.spans / self.articles if self.articles else 0.0


class _Writer:
    """Random nonsense shaped like PTC news text, from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = [self._sentence() for _ in range(SENTENCE_POOL)]
        self.titles = [self._title() for _ in range(TITLE_POOL)]

    def _noun_phrase(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.15:
            return rng.choice(NAMES)
        if roll < 0.25:
            return rng.choice(ORGANISATIONS)
        if roll < 0.33:
            return rng.choice(PLACES)
        words = ["the"]
        if rng.random() < 0.5:
            words.append(rng.choice(ADJECTIVES))
        words.append(rng.choice(NOUNS))
        if rng.random() < 0.2:
            words[-1] += "\u2019s " + rng.choice(NOUNS)
        return " ".join(words)

    def _clause(self) -> str:
        rng = self.rng
        parts = [self._noun_phrase(), rng.choice(VERBS)]
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            if roll < 0.45:
                parts.append(rng.choice(FUNCTION_WORDS))
                parts.append(self._noun_phrase())
            elif roll < 0.6:
                parts.append(rng.choice(ADJECTIVES))
            elif roll < 0.72:
                quoted = " ".join(rng.choice(ADJECTIVES + NOUNS) for _ in range(rng.randint(1, 3)))
                parts.append(f"\u201c{quoted}\u201d")
            elif roll < 0.8:
                parts.append(f"{rng.randint(2, 98)}.{rng.randint(1, 9)} percent")
            else:
                parts.append(rng.choice(NOUNS))
        return " ".join(parts)

    def _sentence(self) -> str:
        rng = self.rng
        clauses = [self._clause()]
        while rng.random() < 0.45:
            joiner = rng.choice((", and ", ", but ", "; ", " \u2014 ", "\u00a0\u2014 ", ": "))
            clauses.append(joiner + self._clause())
        body = "".join(clauses)
        body = body[0].upper() + body[1:]
        roll = rng.random()
        if roll < 0.12:
            speaker = self._noun_phrase()
            return f"\u201c{body},\u201d {speaker} {rng.choice(SPEECH_VERBS)}."
        if roll < 0.17:
            return body + "?"
        if roll < 0.2:
            return body + "!"
        return body + "."

    def _title(self) -> str:
        rng = self.rng
        words = [self._noun_phrase(), rng.choice(VERBS), self._noun_phrase()]
        if rng.random() < 0.3:
            words.append(rng.choice(("in", "over", "after", "against")) + " " + self._noun_phrase())
        title = " ".join(" ".join(w[:1].upper() + w[1:] for w in part.split(" ")) for part in words)
        if rng.random() < 0.2:
            title += rng.choice((":", " \u2014")) + " " + rng.choice(NOUNS).title()
        if rng.random() < 0.1:
            title += "?"
        return title

    def article(self) -> str:
        """Title, blank line, then paragraphs one per line with blank lines between them."""
        rng = self.rng
        target = int(rng.lognormvariate(math.log(LENGTH_MEDIAN), LENGTH_SIGMA))
        target = min(max(target, LENGTH_MIN), LENGTH_MAX)
        title = rng.choice(self.titles) + rng.choice(("", "", "", " "))
        lines = [title, ""]
        size = len(title)
        while size < target:
            sentences = rng.choices(self.sentences, k=rng.choice((1, 1, 2, 2, 2, 3, 3, 4, 5)))
            line = sentences[0]
            for sentence in sentences[1:]:
                line += rng.choice((" ", " ", " ", " ", "\u00a0 ", "  ")) + sentence
            if rng.random() < 0.05:
                line = line.replace(" ", "\u00a0", 1)
            line += rng.choice(("", "", "", "", " ", "\u00a0", "\u00a0 "))
            lines.append(line)
            lines.append("")
            size += len(line) + 2
        lines.pop()
        return "\n".join(lines) + rng.choice(("\n", "\n", "\n", "", "\n\n", " \n"))


def _bad_edge(char: str, boundary: SpanBoundary) -> bool:
    """PTC's boundary rule; synthetic spans also never open or close on a dash, which the
    rule allows, so their edges look like an annotator's."""
    return boundary.breaks(char) or char in EXTRA_EDGE_MARKS


def _place(
    text: str,
    rng: random.Random,
    length: int,
    within: tuple[int, int] | None,
    boundary: SpanBoundary,
) -> tuple[int, int] | None:
    """Offsets of a fragment of about ``length`` characters that starts and ends on word
    edges inside one line (or inside ``within``), trimmed to PTC's boundary rule."""
    if within is None:
        point = rng.randrange(len(text))
        low = text.rfind("\n", 0, point) + 1
        high = text.find("\n", point)
        high = len(text) if high == -1 else high
    else:
        low, high = within
        point = rng.randrange(low, high)
    start = point
    while start > low and not text[start - 1].isspace():
        start -= 1
    while start < high and _bad_edge(text[start], boundary):
        start += 1
    end = min(start + length, high)
    while end < high and not text[end].isspace():
        end += 1
    while end > start and _bad_edge(text[end - 1], boundary):
        end -= 1
    if end - start < 2:
        return None
    return start, end


def _spans(
    text: str, rng: random.Random, count: int, boundary: SpanBoundary
) -> tuple[list[tuple[str, int, int]], int]:
    """``count`` spans (fewer if placement keeps failing) and how many of them overlap a
    span of another technique. A technique never overlaps or touches itself."""
    spans: list[tuple[str, int, int]] = []
    overlapping = 0
    for technique in rng.choices(TECHNIQUES, weights=TECHNIQUE_WEIGHTS, k=count):
        mean = MEAN_LENGTH[technique]
        for _ in range(6):
            length = max(3, int(rng.lognormvariate(math.log(mean) - 0.25, 0.7)))
            within = None
            if spans and rng.random() < NEST_SHARE:
                _, host_start, host_end = rng.choice(spans)
                if host_end - host_start >= 8:
                    within = (host_start, host_end)
            placed = _place(text, rng, length, within, boundary)
            if placed is None:
                continue
            start, end = placed
            clash = False
            crossing = False
            for other, other_start, other_end in spans:
                if start <= other_end and other_start <= end:
                    if other == technique:
                        clash = True
                        break
                    crossing = crossing or (start < other_end and other_start < end)
            if clash:
                continue
            spans.append((technique, start, end))
            overlapping += crossing
            break
    return spans, overlapping


def synthesize(out: Path, articles: int, seed: int, spec: Schema | None = None) -> SynthStats:
    """Write a corpus of ``articles`` articles under ``out`` (which must be empty or new),
    its spans obeying the boundary rule of ``spec`` (None: ``dataset.schema.schema``)."""
    boundary = (spec or schema()).dataset.span_boundary
    if articles < 1:
        raise InputError("--articles", "must be positive", "pass 1 or more")
    if out.exists() and any(out.iterdir()):
        raise InputError(
            out,
            "the output folder is not empty",
            "choose a new or empty --out folder; synth never mixes corpora",
        )
    rng = random.Random(seed)
    writer = _Writer(rng)
    article_dir = out / "articles"
    label_dir = out / "labels"
    article_dir.mkdir(parents=True)
    label_dir.mkdir()
    # Nine-digit IDs like PTC's; sorted so file order and ID order agree.
    ids = sorted(rng.sample(range(100_000_000, 1_000_000_000), articles))
    stats = SynthStats(techniques=dict.fromkeys(TECHNIQUES, 0))
    # Scale so that the expected count per article comes out near SPANS_PER_ARTICLE after
    # the empty label files and the occasional failed placement.
    rate = SPANS_PER_ARTICLE / MEAN_ARTICLE_LENGTH / (1 - EMPTY_SHARE)
    for article_id in ids:
        text = writer.article()
        spans: list[tuple[str, int, int]] = []
        if rng.random() >= EMPTY_SHARE:
            expected = rate * len(text) * rng.gammavariate(3.0, 1 / 3.0)
            spans, overlapping = _spans(text, rng, _poisson(rng, expected), boundary)
            stats.overlapping_spans += overlapping
        stats.empty_label_files += not spans
        data = text.encode("utf-8")
        (article_dir / f"article{article_id}.txt").write_bytes(data)
        labels = "".join(f"{article_id}\t{t}\t{s}\t{e}\n" for t, s, e in spans).encode("utf-8")
        (label_dir / f"article{article_id}.{LAYER}.labels").write_bytes(labels)
        stats.articles += 1
        stats.spans += len(spans)
        stats.characters += len(text)
        stats.bytes += len(data) + len(labels)
        for technique, _, _ in spans:
            stats.techniques[technique] += 1
    return stats


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method, chunked so large means do not underflow)."""
    count = 0
    while mean > 0:
        step = min(mean, 50.0)
        mean -= step
        limit = math.exp(-step)
        product = rng.random()
        while product > limit:
            count += 1
            product *= rng.random()
    return count
