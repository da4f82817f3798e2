"""release, verify and publish in an environment without the release dependency group:
their help works, and a command that needs a missing library says which one and how to
install it, before it builds anything (exit 2, no traceback)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dataset.cli import RELEASE_LIBRARIES
from tests.conftest import REPO

#: Run the command line as it runs where the release group is not installed: an entry of
#: None in sys.modules makes ``import`` raise ModuleNotFoundError, as for a missing package.
WITHOUT = (
    "import sys\n"
    "for name in {names!r}: sys.modules[name] = None\n"
    "from dataset.cli import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)


def without_release_libraries(*arguments: str) -> subprocess.CompletedProcess[str]:
    code = WITHOUT.format(names=sorted(RELEASE_LIBRARIES))
    return subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("command", ["release", "verify", "publish"])
def test_help_works_without_the_release_libraries(command: str) -> None:
    done = without_release_libraries(command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: python -m dataset {command}")


@pytest.mark.parametrize(
    "arguments", [["release"], ["verify", "2.0.0", "--checked-out-code"]], ids=["release", "verify"]
)
def test_a_missing_release_library_is_named_with_the_fix(arguments: list[str]) -> None:
    done = without_release_libraries(*arguments)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    first, fix = done.stderr.strip().splitlines()
    assert first == (
        f"error: {arguments[0]}: needs matplotlib, one of the release dependencies, "
        "which is not installed"
    )
    assert f"nox -s {arguments[0]}" in fix and "--group release" in fix
