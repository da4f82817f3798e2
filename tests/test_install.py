"""The package works installed from a wheel, outside the checkout: the schema and the
version travel inside it, and the build and the validator run there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dataset.project import REPO_ROOT
from tests.conftest import make_corpus

UV = Path(sys.executable).parent / "uv"


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def test_the_wheel_builds_and_validates_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _run(UV, "build", "--wheel", "--out-dir", wheels, REPO_ROOT, cwd=tmp_path)
    (wheel,) = wheels.glob("propaganda_spans-*.whl")
    constraints = tmp_path / "constraints.txt"
    exported = _run(
        UV, "export", "--frozen", "--no-hashes", "--no-emit-project", "--no-header", cwd=REPO_ROOT
    )
    constraints.write_text(exported, encoding="utf-8")
    venv = tmp_path / "venv"
    _run(UV, "venv", "--python", sys.executable, venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(UV, "pip", "install", "--python", python, "-c", constraints, wheel, cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    source = make_corpus(elsewhere / "corpus")
    # The fresh environment's bytecode is written as a user's would be (uv installs without
    # compiling), so the validator does not compile again what the build compiled.
    leave = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"}
    env = {key: value for key, value in os.environ.items() if key not in leave}
    built = _run(
        python, "-m", "dataset", "build", "--source", source, "--out", "out", cwd=elsewhere, env=env
    )
    assert "lines 30" in built
    checked = _run(
        python, "-m", "validation", "out", "--reports", "reports", cwd=elsewhere, env=env
    )
    assert "passed" in checked.lower() or "ok" in checked.lower()
    located = _run(
        python, "-c", "import dataset.schema as s; print(s.schema_path())", cwd=elsewhere, env=env
    )
    assert str(REPO_ROOT) not in located, "the installed package reads its own schema copy"
