"""Markdown as the project writes it (tables, the same way in DATACARD.md, the Hub card and
the changelog) and reads it (one parser: CommonMark with tables, by markdown-it-py)."""

from __future__ import annotations

from collections.abc import Iterable

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

_PARSER = MarkdownIt("commonmark").enable("table")


def parse(markdown: str) -> SyntaxTreeNode:
    """The document's syntax tree; every block node carries its source line range."""
    return SyntaxTreeNode(_PARSER.parse(markdown))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def markdown_table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(str(value)) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
