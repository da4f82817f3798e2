"""DATACARD.md is a complete datasheet: every Gebru et al. section is there and written
out, no heading is left empty and no placeholder text remains, since a release ships the
card as its README."""

from __future__ import annotations

import pytest

from dataset.project import DATACARD_PATH
from dataset.release.sections import (
    REQUIRED_SECTIONS,
    card_problems,
    paragraph,
    plain,
    section_text,
    sections,
)

CARD = DATACARD_PATH.read_text(encoding="utf-8")


def test_the_card_has_no_missing_empty_or_placeholder_section() -> None:
    assert card_problems(CARD) == []


@pytest.mark.parametrize("title", REQUIRED_SECTIONS)
def test_every_datasheet_section_is_written_out(title: str) -> None:
    text = section_text(CARD, title)
    assert text is not None, f"no '## {title}' section"
    assert len(text.split()) >= 20, f"'{title}' is too thin to be a datasheet section"


def test_the_card_shows_per_technique_counts_and_generated_tables() -> None:
    names = {section.title for section in sections(CARD)}
    assert {"Tables and fields", "Technique taxonomy"} <= names
    assert "<!-- BEGIN GENERATED: span-counts -->" in CARD
    assert "| `Loaded_Language` | 7 | 5 | 7 |" in CARD  # gold, maintainers, second-pass


@pytest.mark.parametrize(
    ("card", "problem"),
    [
        ("## Motivation\n\n## Composition\n\nText.\n", "'Motivation' has no text under it"),
        ("## Motivation\n\nTODO: explain why.\n", "placeholder text 'TODO'"),
        ("## Uses\n\nTBD\n", "placeholder text 'TBD'"),
        ("## Uses\n\nLorem ipsum dolor sit amet.\n", "placeholder text 'Lorem'"),
        ("## Uses\n\n- n/a\n", "placeholder text '- n/a'"),
        ("## Uses\n\nWe will say more...\n", "placeholder text '...'"),
        ("## Uses\n\n???\n", "placeholder text '???'"),
        ("## Uses\n\n<!-- BEGIN GENERATED: x -->\n<!-- END GENERATED: x -->\n", "no text"),
        ("## Motivation\n\n### Why\n\n### How\n\nText.\n", "'Why' has no text under it"),
        ("## Motivation\n\nWhy.\n", "no '## Citation' section"),
    ],
)
def test_the_check_catches_each_kind_of_gap(card: str, problem: str) -> None:
    assert any(problem in found for found in card_problems(card)), card_problems(card)


def test_a_heading_whose_text_is_in_its_subsections_is_fine() -> None:
    card = "## Composition\n\n### Tables\n\nOne row per article.\n"
    assert not [p for p in card_problems(card) if "Composition" in p]


def test_headings_inside_code_blocks_are_not_sections() -> None:
    card = "## Uses\n\n```\n# not a heading\n```\n"
    assert [s.title for s in sections(card)] == ["Uses"]


def test_plain_text_keeps_items_rows_and_inline_markup_and_drops_markers() -> None:
    markdown = (
        "A **bold**\nparagraph.\n\n"
        "<!-- BEGIN GENERATED: x -->\n\n"
        "- one\n  continued\n- two\n  1. nested\n\n"
        "| a | b |\n|---|---|\n| `1` | 2 |\n\n"
        "<!-- END GENERATED: x -->\n"
    )
    assert plain(markdown) == (
        "A **bold** paragraph.\n\n- one continued\n- two\n1. nested\n\n"
        "| a | b |\n|---|---|\n| `1` | 2 |"
    )


def test_a_quoted_paragraph_is_found_by_its_lead_but_never_inside_code() -> None:
    card = "```\n**Who?** not this\n```\n\n**Who?** The\nmaintainers.\n"
    assert paragraph(card, "Who?") == "**Who?** The maintainers."
    assert paragraph("```\n**Who?** code\n```\n", "Who?") is None


def test_a_paragraph_ending_in_a_colon_brings_the_table_it_introduces() -> None:
    card = "**Who?** These:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nNext.\n"
    assert paragraph(card, "Who?") == "**Who?** These:\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    assert paragraph("**Who?** These.\n\n| a |\n|---|\n| 1 |\n", "Who?") == "**Who?** These."
