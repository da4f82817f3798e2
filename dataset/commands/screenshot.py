"""``python -m dataset screenshot``: arguments and one call into
``dataset.release.browser``."""

from __future__ import annotations

import argparse
from pathlib import Path

from dataset.errors import InputError
from dataset.project import RELEASES_DIR, REPO_ROOT, dataset_version
from dataset.release.browser import screenshot
from dataset.release.layout import PREVIEW, release_dir

#: What the command does, as ``--help`` tells its users.
DESCRIPTION = """\
Render a release's preview.html in headless Chromium into a PNG (default:
build/preview-v<version>.png), to see the preview as a browser shows it.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", nargs="?", help="release to render (default: this version)")
    parser.add_argument("--releases", type=Path, default=RELEASES_DIR, help="releases folder")
    parser.add_argument(
        "--out", type=Path, help="PNG to write (default: build/preview-v<version>.png)"
    )


def run(args: argparse.Namespace) -> int:
    version = args.version or dataset_version()
    page = release_dir(version, args.releases) / PREVIEW
    if not page.is_file():
        raise InputError(
            page, "the release has no preview", "make the release first (nox -s release)"
        )
    out = args.out or REPO_ROOT / "build" / f"preview-v{version}.png"
    print(f"screenshot of {page} in {screenshot(page, out)}")
    return 0
