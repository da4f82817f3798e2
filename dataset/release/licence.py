"""The licence statement of a release: ``dataset.licence`` in the schema YAML (the one
place it is written) and the code's licence from pyproject.toml.

Every metadata file says the same thing in its own vocabulary: the project's own work
(annotations, rationales, guidelines, schema) is under one open licence, the project's code
under the licence pyproject.toml declares, and the article text stays its publisher's,
included for non-commercial research only. No SPDX id describes that last part, so files
whose licence field takes SPDX ids only (CFF) name the open licence there and carry the
whole statement in their free text, and files that can list several licences
(Frictionless, Croissant, the Hub card through LICENSE.md) list both parts.
"""

from __future__ import annotations

from dataset.errors import InputError
from dataset.project import PYPROJECT_PATH, pyproject
from dataset.schema import Licence


def code_licence() -> str:
    """The SPDX expression of the project's code, from pyproject.toml."""
    value = pyproject().get("license")
    if not isinstance(value, str) or not value:
        raise InputError(
            PYPROJECT_PATH,
            "[project] license is not an SPDX expression, so a release cannot state the "
            "code's licence",
            'write it as license = "<SPDX id>", for instance license = "Apache-2.0"',
        )
    return value


def own_work(licence: Licence) -> str:
    """One sentence on the project's own work and on its code (``licence``: the schema's
    ``dataset.licence``, as every function here takes it)."""
    return (
        f"{licence.covers[0].upper()}{licence.covers[1:]} are the project's own work, licensed "
        f"{licence.title} ({licence.spdx}, {licence.url}); the project's code, which builds "
        f"and checks the dataset and is not part of a release, is licensed {code_licence()}."
    )


def statement(licence: Licence) -> str:
    """The whole statement, as running text."""
    return f"{own_work(licence)} {licence.text}"


def markdown(licence: Licence) -> str:
    """The statement as Markdown bullets (the datasheet and the release's LICENSE.md)."""
    url = licence.url
    return (
        f"- **The project's own work.** {own_work(licence).replace(url, f'<{url}>')}\n"
        f"- **Article text.** {licence.text}\n"
    )


def licence_file(licence: Licence) -> str:
    """LICENSE.md of a release."""
    return (
        "# Licence\n\n"
        "This release combines the project's own work with text that is not the "
        "project's:\n\n"
        f"{markdown(licence)}\n"
        f"The full text of {licence.title} is at <{licence.url}>.\n"
    )
