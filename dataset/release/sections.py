"""Reading DATACARD.md by heading and paragraph, for the metadata files that quote it
(Croissant's Responsible-AI fields) and for the check that no section is a placeholder.

The card is parsed with markdown-it-py (CommonMark plus tables), so fenced code, setext
headings and HTML comments are what Markdown says they are; sections and paragraphs are
then cut from the source by the line ranges the parser reports, so quoted text keeps its
inline Markdown (emphasis, code spans) as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it.tree import SyntaxTreeNode

from dataset.markdown import parse

GENERATED_MARKER = re.compile(r"^<!-- (BEGIN|END) GENERATED: [a-z0-9-]+ -->$")


@dataclass(frozen=True)
class Section:
    level: int
    title: str
    #: The Markdown source up to the next heading of any level.
    body: str
    line: int


def _lines(markdown: str, span: tuple[int, int] | None) -> list[str]:
    if span is None:
        return []
    lines = markdown.splitlines()
    return lines[span[0] : span[1]]


def _headings(markdown: str) -> Iterator[tuple[int, str, int, int]]:
    """(level, title, first line index, line index after the heading) of every heading."""
    for node in parse(markdown).children:
        if node.type == "heading" and node.map is not None:
            yield int(node.tag[1]), node.children[0].content, node.map[0], node.map[1]


def sections(markdown: str) -> list[Section]:
    """Every heading with the Markdown under it, up to the next heading."""
    lines = markdown.splitlines()
    headings = list(_headings(markdown))
    found: list[Section] = []
    for index, (level, title, first, after) in enumerate(headings):
        end = headings[index + 1][2] if index + 1 < len(headings) else len(lines)
        found.append(Section(level, title, "\n".join(lines[after:end]).strip(), first + 1))
    return found


def section_markdown(markdown: str, title: str) -> str | None:
    """The Markdown under a level-2 heading, its subsections included, or None when there
    is no such heading."""
    lines = markdown.splitlines()
    headings = list(_headings(markdown))
    for index, (level, found, _, after) in enumerate(headings):
        if level == 2 and found == title:
            end = next((h[2] for h in headings[index + 1 :] if h[0] <= 2), len(lines))
            return "\n".join(lines[after:end])
    return None


def section_text(markdown: str, title: str) -> str | None:
    """The text under a level-2 heading, its subsections included, as running text, or
    None when there is no such heading."""
    found = section_markdown(markdown, title)
    return None if found is None else plain(found)


def demoted(markdown: str) -> str:
    """The document with every heading one level down (``#`` to ``##``; a setext heading
    becomes an ATX one), so it can sit under another document's H1."""
    lines = markdown.splitlines(keepends=True)
    found = [node for node in parse(markdown).walk() if node.type == "heading" and node.map]
    for node in reversed(found):
        first, after = node.map or (0, 0)
        level = int(node.tag[1]) + 1
        if node.markup.startswith("#"):
            lines[first] = "#" + lines[first]
        else:
            lines[first:after] = [f"{'#' * level} {_joined(node.children[0].content)}\n"]
    return "".join(lines)


def paragraph(markdown: str, lead: str) -> str | None:
    """The paragraph that starts with ``**<lead>**``, as running text, or None; a paragraph
    that ends with a colon brings the block it introduces (a table, a list) as written."""
    nodes = list(parse(markdown).walk())
    for index, node in enumerate(nodes):
        if node.type == "paragraph" and node.children[0].content.startswith(f"**{lead}**"):
            text = _joined(node.children[0].content)
            following = next((n for n in nodes[index + 1 :] if n.type != "inline" and n.map), None)
            if text.endswith(":") and following is not None and following.type != "paragraph":
                text += "\n\n" + "\n".join(_lines(markdown, following.map))
            return text
    return None


def _joined(text: str) -> str:
    """Lines joined into one, runs of whitespace collapsed."""
    return " ".join(text.split())


def _list_items(markdown: str, node_list: SyntaxTreeNode) -> list[str]:
    items: list[str] = []
    for item in node_list.children:
        marker = f"{item.info}{item.markup}"
        parts: list[str] = []
        nested: list[str] = []
        for child in item.children:
            if child.type in ("bullet_list", "ordered_list"):
                nested += _list_items(markdown, child)
            elif child.type == "paragraph":
                parts.append(_joined(child.children[0].content))
            else:
                parts.append(_joined("\n".join(_lines(markdown, child.map))))
        items.append(f"{marker} {' '.join(parts)}".rstrip())
        items += nested
    return items


def plain(markdown: str) -> str:
    """Markdown as running text for metadata fields: paragraphs and list items each on one
    line, table rows and code lines kept, generated-block markers dropped, blocks apart by
    a blank line."""
    blocks: list[str] = []
    for node in parse(markdown).children:
        source = _lines(markdown, node.map)
        if node.type == "heading":
            blocks.append(f"{node.markup} {_joined(node.children[0].content)}")
        elif node.type == "paragraph":
            blocks.append(_joined(node.children[0].content))
        elif node.type in ("bullet_list", "ordered_list"):
            tight = all(
                child.hidden
                for item in node.children
                for child in item.children
                if child.type == "paragraph"
            )
            blocks.append(("\n" if tight else "\n\n").join(_list_items(markdown, node)))
        elif node.type == "html_block":
            kept = [line for line in source if not GENERATED_MARKER.match(line.strip())]
            if any(line.strip() for line in kept):
                blocks.append(_joined("\n".join(kept)))
        elif node.type in ("table", "fence", "code_block"):
            blocks.append("\n".join(_joined(line) for line in source if line.strip()))
        else:
            blocks.append(_joined("\n".join(source)))
    return "\n\n".join(block for block in blocks if block)


def _inline_text(node: SyntaxTreeNode) -> str:
    """An inline node's text without markup: code spans and emphasis unwrapped, a link's
    text followed by its address when that differs, breaks as spaces, inline HTML
    dropped."""
    if node.type in ("text", "code_inline"):
        return node.content
    if node.type in ("softbreak", "hardbreak"):
        return " "
    if node.type == "html_inline":
        return ""
    if node.type == "image":
        return "".join(_inline_text(child) for child in node.children)
    text = "".join(_inline_text(child) for child in node.children)
    href = str(node.attrs.get("href", "")) if node.type == "link" else ""
    return f"{text} ({href})" if href and href not in text else text


def _block_text(node: SyntaxTreeNode) -> str:
    if node.type in ("heading", "paragraph"):
        return _joined(_inline_text(node.children[0]))
    if node.type in ("bullet_list", "ordered_list"):
        items = []
        for item in node.children:
            parts = [_block_text(child) for child in item.children]
            items.append("- " + "\n".join(part for part in parts if part))
        return "\n".join(items)
    if node.type == "table":
        rows = [row for part in node.children for row in part.children]
        return "\n".join(
            "; ".join(_joined(_inline_text(cell.children[0])) for cell in row.children)
            for row in rows
        )
    if node.type in ("fence", "code_block"):
        return node.content.rstrip("\n")
    if node.type == "blockquote":
        return "\n\n".join(_block_text(child) for child in node.children)
    return ""


def plain_text(markdown: str) -> str:
    """Markdown as plain text, for metadata fields that are not read as Markdown
    (Croissant's): no emphasis, code-span or link markup, list items on lines of their
    own, table rows as cells joined by "; ", HTML (generated-block markers) dropped."""
    blocks = (_block_text(node) for node in parse(markdown).children)
    return "\n\n".join(block for block in blocks if block)


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
