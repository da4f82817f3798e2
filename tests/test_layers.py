"""The pipeline's layers import only downwards (contract in pyproject.toml, checked by
import-linter); a copy of the tree with one upward import must be caught."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dataset.project import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _copy_tree(target: Path) -> Path:
    for package in ("dataset", "validation"):
        shutil.copytree(
            REPO_ROOT / package,
            target / package,
            ignore=shutil.ignore_patterns("raw", "annotations", "__pycache__", "*.json"),
        )
    shutil.copy2(REPO_ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_layers_hold(tmp_path: Path) -> None:
    result = _lint_imports(_copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    tables = root / "dataset" / "builder" / "tables.py"
    tables.write_text(tables.read_text() + "\nimport validation.run  # noqa\n")
    result = _lint_imports(root)
    assert result.returncode != 0
    assert "dataset.builder.tables" in result.stdout
    assert "validation.run" in result.stdout
