"""Rendering the release's templates (``templates/``) with Jinja2.

HTML templates are autoescaped, so text from the data (article text, labels, rationales)
can never become markup; Markdown templates are not (Markdown has no escaping Jinja2
knows). Undefined variables are errors, so a template and its caller cannot drift apart
silently.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("dataset.release", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
