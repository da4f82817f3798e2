"""Sessions that rebuild, validate, test and lint the dataset.

Every session installs the locked environment (uv.lock) with ``uv sync --locked``, so a
fresh machine gets exactly the libraries that decide the output's bytes. uv is the venv
backend; where uv is missing, nox falls back to virtualenv and installs uv into it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["build"]
nox.options.error_on_external_run = True

PYTHON = "3.11"
OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
#: PYTHONDONTWRITEBYTECODE is set on our machines; compiling at install time keeps imports
#: of Great Expectations fast anyway.
INSTALL_ENV = {"UV_COMPILE_BYTECODE": "1"}


def install_locked(session: nox.Session, *groups: str) -> None:
    """Install the project and the given dependency groups exactly as locked."""
    env = {**INSTALL_ENV, "UV_PROJECT_ENVIRONMENT": session.virtualenv.location}
    uv = shutil.which("uv")
    if session.venv_backend != "uv" or uv is None:
        session.install("uv")
        uv = "uv"
    args = [uv, "sync", "--locked", "--no-default-groups", *(f"--group={g}" for g in groups)]
    session.run_install(*args, env=env, external=True)


def session_env(session: nox.Session) -> dict[str, str]:
    """Offline Hugging Face settings with a cache of the session's own, so runs never reach
    the network nor reuse a cache that a different library version wrote."""
    cache = Path(session.virtualenv.location) / "hf-home"
    return {**OFFLINE, "HF_HOME": str(cache)}


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """The main job: build the dataset into build/dataset and validate it; data that fails
    validation never replaces the previous build."""
    install_locked(session)
    session.run(
        "python", "-m", "dataset", "build", "--validate", *session.posargs, env=session_env(session)
    )


@nox.session(python=PYTHON)
def validate(session: nox.Session) -> None:
    """Validate a built dataset folder (default build/dataset); writes JSON and HTML reports."""
    install_locked(session)
    session.run("python", "-m", "validation", *session.posargs, env=session_env(session))


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole test suite, offline."""
    install_locked(session, "test")
    session.run("pytest", *session.posargs, env=session_env(session))


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and mypy."""
    install_locked(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks on synthetic corpora against the loading-script baseline and the pyarrow
    floor; writes BENCHMARKS.md and benchmarks/results.json (``-- --with-100k`` for 100k)."""
    install_locked(session)
    session.run("python", "-m", "benchmarks.run", *session.posargs, env=session_env(session))
