"""Generated sections of DATACARD.md.

The card's field tables, taxonomy and other derived facts sit between
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->`` markers and are
rewritten from their source (``schemas/`` and friends) by ``python -m dataset card``;
``--check`` fails when the committed card has drifted, which the tests run.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from dataset.errors import InputError
from dataset.markdown import markdown_table
from dataset.project import DATACARD_PATH, RAW_DIR, REPO_ROOT
from dataset.ptc.corpus import discover
from dataset.ptc.formats import read_label_file
from dataset.schema import TABLE_NAMES, schema

BLOCK = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<name>[a-z0-9-]+) -->\n)(?P<body>.*?)"
    r"(<!-- END GENERATED: (?P=name) -->)",
    re.DOTALL,
)


def field_tables() -> str:
    spec = schema()
    parts: list[str] = []
    for name in TABLE_NAMES:
        table = spec.tables[name]
        parts.append(f"#### `{name}`\n\n{table.description}\n")
        parts.append(
            f"Primary key: `{', '.join(table.primary_key)}`. "
            f"Row order: `{', '.join(table.order_by)}`.\n"
        )
        parts.append(
            markdown_table(
                ["field", "type", "nullable", "description"],
                (
                    (f"`{f.name}`", f.type_label, "yes" if f.nullable else "no", f.description)
                    for f in table.fields
                ),
            )
        )
    return "\n".join(parts)


def taxonomy_table() -> str:
    spec = schema()
    semeval = spec.semeval_classes
    return markdown_table(
        ["id", "technique", "SemEval-2020 class (id)", "definition"],
        (
            (
                label.id,
                f"`{label.name}`",
                f"`{label.semeval_class}` ({semeval.id_of(label.semeval_class)})"
                if label.semeval_class
                else "dropped",
                label.description,
            )
            for label in spec.techniques.labels
        ),
    )


def span_counts(source: Path = RAW_DIR) -> str:
    """Spans per technique and layer, read from the raw label files the build reads."""
    corpus = discover(source)
    counts: Counter[tuple[str, str]] = Counter()
    articles: Counter[str] = Counter()
    for article in corpus.articles:
        for layer, path in article.labels.items():
            articles[layer] += 1
            counts.update((layer, line.label) for line in read_label_file(path))
    layers = corpus.layers
    if not layers:
        return "No annotation layer yet.\n"
    labels = sorted(
        {label for _, label in counts}, key=lambda name: (-counts_of(counts, name), name)
    )
    rows = [[f"`{label}`", *(counts[(layer, label)] for layer in layers)] for label in labels]
    rows.append(
        [
            "**all spans**",
            *(sum(n for (lay, _), n in counts.items() if lay == layer) for layer in layers),
        ]
    )
    rows.append(["articles annotated", *(articles[layer] for layer in layers)])
    header = ["technique", *(f"`{layer}`" for layer in layers)]
    return (
        f"{len(corpus.articles)} article(s) in `dataset/raw/`; spans per technique and layer:\n\n"
        + markdown_table(header, rows)
    )


def counts_of(counts: Counter[tuple[str, str]], label: str) -> int:
    return sum(n for (_, name), n in counts.items() if name == label)


#: The agreement figures the card shows: written by ``python -m dataset agreement --layers
#: maintainers second-pass --json`` and committed, so the card (and a release's bytes) do not
#: depend on re-running the seeded γ computation, and the tests check the file against it.
AGREEMENT_PATH = REPO_ROOT / "dataset" / "adjudication" / "agreement.json"


def _figure(value: float | None, too_few: bool) -> str:
    if too_few:
        return "too few"
    return "undefined" if value is None else f"{value:.3f}"


def agreement_tables() -> str:
    """γ and span F1 per technique and overall, and κ on the lines, from the committed
    figures; a technique with too few spans shows its counts and "too few"."""
    data = json.loads(AGREEMENT_PATH.read_text(encoding="utf-8"))
    gammas = data["gamma"]["by_label"]
    rows = [
        (
            f"`{label}`",
            f["gold"],
            f["pred"],
            _figure(gammas[label]["gamma"], f["too_few"]),
            _figure(f["f1"], f["too_few"]),
        )
        for label, f in data["by_label"].items()
    ]
    overall, micro = data["gamma"]["overall"], data["overall_micro"]
    rows.append(
        (
            "**all techniques**",
            micro["gold"],
            micro["pred"],
            _figure(overall["gamma"], overall["too_few"]),
            f"{micro['f1']:.3f}",
        )
    )
    ident = data["span_identification"]
    rows.append(
        ("spans, labels ignored (merged)", ident["gold"], ident["pred"], "", f"{ident['f1']:.3f}")
    )
    params = data["gamma"]["parameters"]
    kappas = data["kappa_has_propaganda"]
    kappa = markdown_table(
        ["lines", "n", "propaganda in both", "in neither", "Cohen's κ"],
        (
            (
                name.replace("_", " "),
                k["n"],
                k["both_propaganda"],
                k["neither"],
                _figure(k["kappa"], False),
            )
            for name, k in kappas.items()
        ),
    )
    return (
        f"{data['gold']} (first) against {data['pred']} (second), "
        f"{len(data['articles'])} article(s). "
        f"γ by {params['implementation']}: {params['dissimilarity']}, α {params['alpha']}, "
        f"β {params['beta']}, δ∅ {params['delta_empty']}, {params['samples']} random continua "
        f"from the default sampler, NumPy seed {params['seed']}. F1: SemEval-2020 Task 11 "
        f"partial overlap, `{data['gold'].split()[1]}` as reference. A technique with fewer "
        f"than {data['min_spans']} spans over both layers, or none in one, is too few for a "
        "figure.\n\n"
        + markdown_table(["technique", "spans (first)", "spans (second)", "γ", "span F1"], rows)
        + "\n"
        + kappa
    )


def check_catalogue() -> str:
    from validation.checks import catalogue

    return markdown_table(
        ["check id", "level", "severity", "how", "tables", "rule"],
        (
            (
                f"`{check.id}`",
                check.level.label,
                check.severity,
                check.kind,
                ", ".join(check.tables) or "allowlist",
                check.description,
            )
            for check in catalogue()
        ),
    )


def licence_statement() -> str:
    from dataset.release.licence import markdown

    return markdown()


def palette_statement() -> str:
    from dataset.release.palette import COLOURS, MIN_DELTA_E_2000
    from dataset.release.preview import CHIP_PX

    return (
        f"The preview and the chart give each technique its own colour ({len(COLOURS)} "
        "colours, and one more for a merged SemEval-2020 class given alone): any two differ "
        f"by a CIEDE2000 colour difference (ΔE00) of at least {MIN_DELTA_E_2000:.1f}, where 2 "
        "is barely perceptible and 10 is clear, and each carries its span labels, "
        f"{CHIP_PX} px high, in black or white at WCAG AA contrast (4.5:1) or more.\n"
    )


GENERATORS: dict[str, Callable[[], str]] = {
    "licence": licence_statement,
    "palette": palette_statement,
    "fields": field_tables,
    "taxonomy": taxonomy_table,
    "span-counts": span_counts,
    "agreement": agreement_tables,
    "checks": check_catalogue,
}


def render(
    card: str,
    generators: dict[str, Callable[[], str]] = GENERATORS,
    where: Path = DATACARD_PATH,
) -> str:
    """The card with every generated block rewritten; a block that nothing generates, or a
    generator with no block, is an error naming the block (``where`` is the card's file)."""

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in generators:
            raise InputError(
                where,
                f"the generated block {name!r} is not one that `python -m dataset card` "
                f"writes (it writes: {', '.join(sorted(generators))})",
                "correct the block's name in both markers, or remove the block",
                card.count("\n", 0, match.start()) + 1,
            )
        return f"{match.group(1)}\n{generators[name]()}\n{match.group(4)}"

    rendered = BLOCK.sub(replace, card)
    missing = sorted(set(generators) - {m["name"] for m in BLOCK.finditer(card)})
    if missing:
        raise InputError(
            where,
            f"the card lacks the generated block(s) {', '.join(missing)}",
            "add an empty block where each belongs, '<!-- BEGIN GENERATED: NAME -->' and "
            "'<!-- END GENERATED: NAME -->' on lines of their own, then run "
            "`python -m dataset card`",
        )
    return rendered
