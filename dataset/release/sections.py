"""Reading DATACARD.md by heading and paragraph, for the metadata files that quote it
(Croissant's Responsible-AI fields) and for the test that no section is a placeholder."""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$")
FENCE = re.compile(r"^(```|~~~)")
GENERATED_MARKER = re.compile(r"^<!-- (BEGIN|END) GENERATED: [a-z0-9-]+ -->$", re.MULTILINE)


@dataclass(frozen=True)
class Section:
    level: int
    title: str
    #: The text up to the next heading of any level.
    body: str
    line: int


def sections(markdown: str) -> list[Section]:
    """Every heading with the text under it, fenced code blocks ignored."""
    found: list[Section] = []
    current: tuple[int, str, int] | None = None
    body: list[str] = []
    fenced = False
    for number, line in enumerate(markdown.splitlines(), start=1):
        if FENCE.match(line.strip()):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if match is None:
            body.append(line)
            continue
        if current is not None:
            found.append(Section(current[0], current[1], "\n".join(body).strip(), current[2]))
        current = (len(match["hashes"]), match["title"], number)
        body = []
    if current is not None:
        found.append(Section(current[0], current[1], "\n".join(body).strip(), current[2]))
    return found


def section_text(markdown: str, title: str) -> str | None:
    """The text under a level-2 heading, its subsections included, or None."""
    all_sections = sections(markdown)
    for index, section in enumerate(all_sections):
        if section.level == 2 and section.title == title:
            parts = [section.body]
            for sub in all_sections[index + 1 :]:
                if sub.level <= 2:
                    break
                parts.append(f"{'#' * sub.level} {sub.title}\n\n{sub.body}")
            return plain("\n\n".join(part for part in parts if part))
    return None


def paragraph(markdown: str, lead: str) -> str | None:
    """The paragraph that starts with ``**<lead>**``, or None."""
    for block in re.split(r"\n\s*\n", markdown):
        if block.strip().startswith(f"**{lead}**"):
            return plain(block)
    return None


def plain(text: str) -> str:
    """Markdown as running text for metadata fields: generated-block markers dropped,
    line breaks inside paragraphs joined."""
    text = GENERATED_MARKER.sub("", text)
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        for line in block.splitlines():
            stripped = " ".join(line.split())
            if lines and not ITEM.match(stripped) and not lines[-1].startswith("|"):
                lines[-1] = f"{lines[-1]} {stripped}".strip()
            elif stripped:
                lines.append(stripped)
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


#: Lines that start a new line in running text: list items and table rows.
ITEM = re.compile(r"^([-*+] |\d+\. |\|)")


#: The datasheet sections (Gebru et al.) a release's card must have, each with content.
REQUIRED_SECTIONS = (
    "Motivation",
    "Composition",
    "Collection process",
    "Annotation process and annotators",
    "Preprocessing, cleaning and labelling",
    "Uses",
    "Biases and risks",
    "Distribution and licence",
    "Maintenance",
    "Citation",
)
#: Words that mark unfinished text.
PLACEHOLDER = re.compile(
    r"\b(TODO|TBD|TBA|FIXME|XXX|lorem|ipsum|placeholder|coming soon|to be (written|added|"
    r"completed|decided))\b|\?\?\?|\.\.\.\s*$|^\s*(-|\*)?\s*(n/?a|none|tba|\.\.\.|…)\s*\.?\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def card_problems(markdown: str) -> list[str]:
    """Missing datasheet sections, headings with nothing under them, placeholder text."""
    found = sections(markdown)
    problems = [
        f"no '## {title}' section"
        for title in REQUIRED_SECTIONS
        if not any(s.level == 2 and s.title == title for s in found)
    ]
    for index, section in enumerate(found):
        nested = index + 1 < len(found) and found[index + 1].level > section.level
        if not plain(section.body) and not nested:
            problems.append(f"line {section.line}: '{section.title}' has no text under it")
        for match in PLACEHOLDER.finditer(section.body):
            problems.append(
                f"line {section.line}: '{section.title}' holds placeholder text "
                f"{match.group(0).strip()!r}"
            )
    return problems
