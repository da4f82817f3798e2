"""Headless Chromium for release previews: the one place that knows how to start it so it
reaches nothing but the page it is given (no background networking, updates or sync, which
fail or wait on a closed network), with a throwaway profile."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from dataset.errors import InputError
from dataset.owned import write_file

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
#: A page takes seconds to render; a minute means Chromium is stuck.
TIMEOUT_SECONDS = 120


def find_chromium() -> Path | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else None


def run_chromium(*args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with ``args`` and a fresh profile; its output as text."""
    chromium = find_chromium()
    if chromium is None:
        raise InputError(
            "chromium", "Chromium is not installed", "install it (Debian: apt-get install chromium)"
        )
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run(
            [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=TIMEOUT_SECONDS,
        )


def screenshot(page: Path, out: Path, width: int = 1280, height: int = 2200) -> Path:
    """A PNG of ``page`` as a reader sees it at normal zoom; Chromium draws it into a
    folder of its own, so ``out`` appears whole or not at all."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshot-") as drawn:
        shot = Path(drawn) / "screenshot.png"
        run_chromium(f"--screenshot={shot}", f"--window-size={width},{height}", page.as_uri())
        if not shot.is_file() or shot.stat().st_size == 0:
            raise InputError(page, "Chromium wrote no screenshot", "run it by hand to see why")
        return write_file(out, shot.read_bytes(), "--out")
