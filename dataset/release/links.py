"""A release stands alone: its README links only to files inside the release.

Links and images are read from the README's Markdown syntax tree; a relative target must
name a file or folder of the release, and absolute URLs (http, https, mailto) and anchors
are fine. Paths the datasheet mentions in code spans (``dataset/guidelines.md``) are not
links, but a reader of the Hub copy cannot open them either, so those that name a file of
the project that the release does not hold are refused, as are the project's commands
(``nox -s``) and a tracker named without a link.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from dataset.markdown import parse
from dataset.project import REPO_ROOT


def link_targets(markdown: str) -> list[str]:
    """Every link and image target of the document, in order."""
    targets: list[str] = []
    for node in parse(markdown).walk():
        if node.type == "link":
            targets.append(str(node.attrs["href"]))
        elif node.type == "image":
            targets.append(str(node.attrs["src"]))
    return targets


def outside_links(markdown: str, folder: Path) -> list[str]:
    """Relative link targets that name nothing inside ``folder``."""
    outside: list[str] = []
    for target in link_targets(markdown):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        inside = (folder / parts.path).resolve()
        if not inside.is_relative_to(folder.resolve()) or not inside.exists():
            outside.append(target)
    return outside


def project_paths_mentioned(markdown: str, folder: Path, repo: Path = REPO_ROOT) -> list[str]:
    """Code spans naming a file or folder of the project that ``folder`` does not hold."""
    found: list[str] = []
    for node in parse(markdown).walk():
        if node.type != "code_inline":
            continue
        text = node.content.strip().rstrip("/")
        if "/" not in text or " " in text or any(ch in text for ch in "<>*"):
            continue
        if (repo / text).exists() and not (folder / text).exists() and text not in found:
            found.append(text)
    return found


#: Text that sends a reader of the release somewhere it cannot follow: the project's
#: sessions, and an issue tracker the card does not link.
OUTSIDE_PHRASES = re.compile(r"\bnox -s\b|\bissue tracker\b", re.IGNORECASE)


def pointers_outside(markdown: str, folder: Path, repo: Path = REPO_ROOT) -> list[str]:
    """What the document points at that a reader of ``folder`` alone cannot reach: project
    paths it mentions in code spans, and phrases of ``OUTSIDE_PHRASES`` in its text (code
    blocks included, link text excluded)."""
    found = [f"`{path}`" for path in project_paths_mentioned(markdown, folder, repo)]
    linked = {
        child.content
        for node in parse(markdown).walk()
        if node.type == "link"
        for child in node.walk()
        if child.type == "text"
    }
    for node in parse(markdown).walk():
        if node.type in ("text", "code_inline", "fence", "code_block", "html_block"):
            if node.type == "text" and node.content in linked:
                continue
            found += [f'"{m.group(0)}"' for m in OUTSIDE_PHRASES.finditer(node.content)]
    return list(dict.fromkeys(found))
