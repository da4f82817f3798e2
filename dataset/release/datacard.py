"""Generated sections of DATACARD.md.

The card's field tables, taxonomy and other derived facts sit between
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->`` markers and are
rewritten from their source (``schemas/`` and friends) by ``python -m dataset card``;
``--check`` fails when the committed card has drifted, which the tests run.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dataset.errors import InputError
from dataset.markdown import markdown_table
from dataset.project import DATACARD_PATH, RAW_DIR, REPO_ROOT
from dataset.release.summary import counted, label_layer
from dataset.schema import Schema

BLOCK = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<name>[a-z0-9-]+) -->\n)(?P<body>.*?)"
    r"(<!-- END GENERATED: (?P=name) -->)",
    re.DOTALL,
)


def field_tables(spec: Schema) -> str:
    parts: list[str] = []
    for name, table in spec.tables.items():
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


def taxonomy_table(spec: Schema) -> str:
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


#: The agreement figures the card shows: written by ``python -m dataset agreement --layers
#: maintainers second-pass --json`` and committed, so the card (and a release's bytes) do not
#: depend on re-running the seeded γ computation, and the tests check the file against it.
ADJUDICATION_DIR = REPO_ROOT / "dataset" / "adjudication"
AGREEMENT_PATH = ADJUDICATION_DIR / "agreement.json"


def current_tables(spec: Schema, source: Path = RAW_DIR) -> Mapping[str, pa.Table]:
    """The tables a build of ``source`` under ``spec`` gives, built into a scratch folder
    and read once per process and schema: the card's counts are the data's, exactly as a
    release ships it."""
    key = (source.resolve(), spec.sha256)
    if key not in _BUILT:
        from dataset.builder.pipeline import build

        with tempfile.TemporaryDirectory(prefix="card-") as work:
            out = build(source, Path(work) / "out", progress=False, log=_quiet, spec=spec).out
            _BUILT[key] = {table: pq.read_table(out / table) for table in spec.table_names}
    return _BUILT[key]


_BUILT: dict[tuple[Path, str], Mapping[str, pa.Table]] = {}


def _quiet(message: str) -> None:
    del message


def _layers(tables: Mapping[str, pa.Table]) -> list[str]:
    return sorted(set(tables["spans"].column("layer").to_pylist()))


def span_counts(tables: Mapping[str, pa.Table]) -> str:
    """Spans per technique and layer, from this version's spans table."""
    rows = tables["spans"].select(["layer", "label", "article_id"]).to_pylist()
    layers = _layers(tables)
    if not layers:
        return "The `spans` table holds no span yet.\n"
    counts = Counter((row["layer"], row["label"]) for row in rows)
    totals = Counter(row["label"] for row in rows)
    labels = sorted(totals, key=lambda name: (-totals[name], name))
    table = [[f"`{label}`", *(counts[(layer, label)] for layer in layers)] for label in labels]
    table.append(["**all spans**", *(sum(counts[(lay, n)] for n in labels) for lay in layers)])
    table.append(["techniques", *(sum(1 for n in labels if counts[(lay, n)]) for lay in layers)])
    articles = [len({r["article_id"] for r in rows if r["layer"] == lay}) for lay in layers]
    table.append(["articles with spans", *articles])
    header = ["technique", *(f"`{layer}`" for layer in layers)]
    return "Spans per technique and layer in this version's `spans` table:\n\n" + markdown_table(
        header, table
    )


def instances(tables: Mapping[str, pa.Table]) -> str:
    """How many rows each table holds, and what they amount to."""
    articles, spans = tables["articles"], tables["spans"]
    chars = sum(articles.column("num_chars").to_pylist())
    per_layer = Counter(spans.column("layer").to_pylist())
    layers = ", ".join(f"`{layer}` {per_layer[layer]}" for layer in _layers(tables))
    labelled = label_layer(tables)
    labels = f", labelled from the `{labelled}` layer" if labelled else ""
    return (
        f"- `articles`: {counted(articles.num_rows, 'article')}, "
        f"{counted(chars, 'character')} in all.\n"
        f"- `spans`: {counted(spans.num_rows, 'span')} in "
        f"{counted(len(per_layer), 'annotation layer')}: {layers}.\n"
        f"- `lines`: {counted(tables['lines'].num_rows, 'line')}{labels}.\n"
        f"- `techniques`: {counted(tables['techniques'].num_rows, 'technique')}.\n"
    )


def adjudication(
    tables: Mapping[str, pa.Table], spec: Schema, folder: Path = ADJUDICATION_DIR
) -> str:
    """What the decisions files settled (read under ``spec``), counted from them and from
    the spans table."""
    from dataset.annotation.adjudicate import read_decisions

    paths = sorted(folder.glob("article*.yaml"))
    files = [read_decisions(path, spec).content for path in paths]
    if not files:
        return "No layer is adjudicated.\n"
    first, second = files[0].layers[:2]
    rows = tables["spans"].select(["layer", "start", "end", "label"]).to_pylist()
    keys = {
        layer: {(r["start"], r["end"], r["label"]) for r in rows if r["layer"] == layer}
        for layer in (first, second, files[0].gold)
    }
    actions = Counter((d.action, d.layer or "") for content in files for d in content.decisions)
    table = markdown_table(
        ["decision", "disagreements"],
        (
            (f"{action} `{layer}`" if layer else action, n)
            for (action, layer), n in sorted(actions.items())
        ),
    )
    return (
        f"{len(keys[first] & keys[second])} spans are identical in `{first}` and `{second}` "
        f"and went to `{files[0].gold}` unasked; {actions.total()} disagreements were each "
        f"decided, with its reason; `{files[0].gold}` holds {len(keys[files[0].gold])} spans.\n\n"
        + table
    )


def _figure(value: float | None, too_few: bool) -> str:
    if too_few:
        return "too few"
    return "undefined" if value is None else f"{value:.3f}"


def _layer_name(side: str) -> str:
    """The layer of an agreement side recorded as "layer NAME under FOLDER"."""
    return side.split()[1] if side.startswith("layer ") else side


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
    first, second = (_layer_name(data[side]) for side in ("gold", "pred"))
    return (
        f"`{first}` (first) against `{second}` (second), "
        f"{len(data['articles'])} article(s). "
        f"γ by {params['implementation']}: {params['dissimilarity']}, α {params['alpha']}, "
        f"β {params['beta']}, δ∅ {params['delta_empty']}, {params['samples']} random continua "
        f"from the default sampler, NumPy seed {params['seed']}. F1: SemEval-2020 Task 11 "
        f"partial overlap, `{first}` as reference. A technique with fewer "
        f"than {data['min_spans']} spans over both layers, or none in one, is too few for a "
        "figure.\n\n"
        + markdown_table(["technique", "spans (first)", "spans (second)", "γ", "span F1"], rows)
        + "\n"
        + _kappa_table(kappas)
        + _lines_alike(kappas["all_lines"])
    )


def _kappa_table(kappas: dict[str, dict[str, Any]]) -> str:
    """Cohen's κ on ``has_propaganda``, per set of lines."""
    return markdown_table(
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


def _lines_alike(kappa: dict[str, int]) -> str:
    alike = kappa["both_propaganda"] + kappa["neither"]
    share = "every line" if alike == kappa["n"] else f"{alike} of {kappa['n']} lines"
    return f"\nThe two layers give {share} the same `has_propaganda`.\n"


def check_catalogue(spec: Schema) -> str:
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
            for check in catalogue(spec)
        ),
    )


def licence_statement(spec: Schema) -> str:
    from dataset.release.licence import markdown

    return markdown(spec.dataset.licence)


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


#: The blocks generated from the palette and committed figures.
FIXED_GENERATORS: dict[str, Callable[[], str]] = {
    "palette": palette_statement,
    "agreement": agreement_tables,
}
#: The blocks generated from the schema and the check registry.
SCHEMA_GENERATORS: dict[str, Callable[[Schema], str]] = {
    "licence": licence_statement,
    "fields": field_tables,
    "taxonomy": taxonomy_table,
    "checks": check_catalogue,
}
#: The blocks generated from the data (and ``adjudication``, from the data and the decisions
#: read under the schema): a release refuses a card whose blocks are not its own data's.
DATA_GENERATORS: dict[str, Callable[[Mapping[str, pa.Table]], str]] = {
    "instances": instances,
    "span-counts": span_counts,
}


def all_generators(tables: Mapping[str, pa.Table], spec: Schema) -> dict[str, Callable[[], str]]:
    """Every block's generator, the schema's bound to ``spec`` and the data's to ``tables``."""
    blocks: dict[str, Callable[[], str]] = dict(FIXED_GENERATORS)
    blocks.update({name: partial(make, spec) for name, make in SCHEMA_GENERATORS.items()})
    blocks.update({name: partial(make, tables) for name, make in DATA_GENERATORS.items()})
    blocks["adjudication"] = partial(adjudication, tables, spec)
    return blocks


def card_blocks(spec: Schema, source: Path = RAW_DIR) -> dict[str, Callable[[], str]]:
    """Every block's generator for the card of ``source`` (a build of it under ``spec``)."""
    return all_generators(current_tables(spec, source), spec)


def render(card: str, blocks: dict[str, Callable[[], str]], where: Path = DATACARD_PATH) -> str:
    """The card with every generated block rewritten by ``blocks`` (see ``card_blocks``); a
    block that nothing generates, or a generator with no block, is an error naming the
    block (``where`` is the card's file)."""
    generators = blocks

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
