"""Sessions that rebuild, validate, test and lint the dataset.

Every session installs the locked environment (uv.lock) with ``uv sync --locked``, so a
fresh machine gets exactly the libraries that decide the output's bytes. uv is the venv
backend; where uv is missing, nox falls back to virtualenv and installs uv into it.
``lint`` and ``tests``, the command run after every change, keep their environments from
one run to the next (``reuse_venv``): the sync makes a kept environment exactly the locked
one, in a second instead of a fresh environment's half minute of installing and compiling.
"""

from __future__ import annotations

import os
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


def in_place(session: nox.Session) -> bool:
    """Whether the session runs in nox's own environment (``nox --no-venv``), which then
    must hold the project already, as the test suite's does; nothing is installed."""
    return session.venv_backend == "none"


def install_locked(session: nox.Session, *groups: str, extras: tuple[str, ...] = ()) -> None:
    """Install the project, its given extras and dependency groups exactly as locked."""
    if in_place(session):
        session.log("--no-venv: running in this environment as it is")
        return
    env = {**INSTALL_ENV, "UV_PROJECT_ENVIRONMENT": session.virtualenv.location}
    uv = find_uv()
    if session.venv_backend != "uv" or uv is None:
        session.install("uv")
        uv = "uv"
    args = [uv, "sync", "--locked", "--no-default-groups", *(f"--group={g}" for g in groups)]
    args += [f"--extra={extra}" for extra in extras]
    session.run_install(*args, env=env, external=True)


def session_env(session: nox.Session) -> dict[str, str]:
    """Offline Hugging Face settings with a cache of the session's own, so runs never reach
    the network nor reuse a cache that a different library version wrote."""
    home = session.create_tmp() if in_place(session) else session.virtualenv.location
    cache = Path(home) / "hf-home"
    # A session that reuses its environment (``reuse_venv``) starts on an empty cache too.
    shutil.rmtree(cache, ignore_errors=True)
    return {**OFFLINE, "HF_HOME": str(cache), **uv_env()}


def find_uv() -> str | None:
    """uv where nox itself finds it: ``$UV``, then the ``uv`` package beside nox (``pipx
    install "nox[uv]"`` puts it there, not on the PATH), then the PATH."""
    if os.environ.get("UV"):
        return shutil.which(os.environ["UV"])
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def uv_env() -> dict[str, str]:
    """Where uv is, for ``verify``, which installs each release commit's uv.lock with it."""
    uv = find_uv()
    return {"UV": uv} if uv else {}


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
def validate_spark(session: nox.Session) -> None:
    """``validate`` on Apache Spark, local[2] unless ``-- DIR --spark-master URL`` says
    otherwise; the same checks, counts and reports. Needs Java 17 or newer."""
    install_locked(session, extras=("spark",))
    session.run(
        "python",
        "-m",
        "validation",
        "--engine",
        "spark",
        *session.posargs,
        env=session_env(session),
    )


#: The slowest tests, listed after every run (what to look at when the suite gets slow).
DURATIONS = "--durations=15"
#: pytest-xdist: one worker per processor; a test goes to whichever worker is free, in the
#: groups tests/scheduling.py makes (a file's tests that share a fixture made once per
#: module, the files it lists in ONE_WORKER), the longest first by the last run's durations
#: (kept in .pytest_cache). ``-- -n 0`` runs in one process (a debugger).
PARALLEL = ("--numprocesses=auto", "--dist=loadgroup")


@nox.session(python=PYTHON, reuse_venv=True)
def tests(session: nox.Session) -> None:
    """The whole test suite, offline, except the Spark engine's (``tests_spark``); with the
    ``agreement`` extra, so gamma is computed by the locked pygamma-agreement. In parallel
    (pytest-xdist, one worker per processor), with the slowest tests listed at the end."""
    install_locked(session, "test", extras=("agreement",))
    args = [*PARALLEL, DURATIONS, f"--ignore={SPARK_TESTS}", *session.posargs]
    session.run("pytest", *args, env=session_env(session))


#: The oldest ``datasets`` the Parquet files and the card are tested with: research code
#: pinned to 3.x is common, and datasets 4 changed how a list feature is written.
DATASETS_3 = "datasets==3.6.0"
CLIENT_TESTS = "tests/test_clients.py"


@nox.session(python=PYTHON)
def tests_datasets3(session: nox.Session) -> None:
    """The client tests again with ``datasets`` 3.6 in place of the locked version: the
    Parquet files straight and the newest release through its card, as a user pinned to
    datasets 3.x loads them. The build is made first, with the locked versions (datasets
    3.x cannot run it); the rest of the environment is the locked one."""
    install_locked(session, "test")
    env = session_env(session)
    built = Path(session.create_tmp()) / "dataset"
    session.run("python", "-m", "dataset", "build", "--out", str(built), env=env)
    if not in_place(session):
        uv = find_uv() or "uv"
        python = str(Path(session.virtualenv.location) / "bin" / "python")
        session.run_install(uv, "pip", "install", "--python", python, DATASETS_3, external=True)
    env["PROPAGANDA_SPANS_CLIENT_BUILD"] = str(built)
    session.run("pytest", CLIENT_TESTS, *session.posargs, env=env)


#: The tests that need the ``spark`` extra and a Java runtime.
SPARK_TESTS = "tests/spark"
#: Those of them that start a standalone Spark cluster on this machine.
CLUSTER_TESTS = "tests/spark/cluster"
#: The code that imports PySpark: type-checked where the spark extra is installed anyway
#: (``tests_spark``), so that ``lint`` needs no PySpark (built from its source distribution).
SPARK_CODE = ("validation/spark", SPARK_TESTS)
#: Tests parametrised over both engines (``tests/engines.py``): ``tests`` runs their default
#: engine's cases, ``tests_spark`` both.
SHARED_ENGINE_TESTS = ("tests/test_validation_levels.py",)


@nox.session(python=PYTHON)
def tests_spark(session: nox.Session) -> None:
    """The Spark engine's tests, on Spark in local mode (Java 17 or newer needed; .ci/run
    installs Debian's): the SQL translation, and the same answers as the default engine."""
    install_locked(session, "lint", extras=("spark",))
    session.run("mypy", *spark_sources(), *mypy_cache(session))
    tests = [SPARK_TESTS, *SHARED_ENGINE_TESTS, f"--ignore={CLUSTER_TESTS}", DURATIONS]
    session.run("pytest", *tests, *session.posargs, env=session_env(session))


def spark_sources() -> list[str]:
    """The code that imports PySpark, which ``lint`` leaves out (``exclude`` in
    pyproject.toml's ``[tool.mypy]``), named file by file: mypy checks a file it is given
    even when ``exclude`` matches it, not a folder's."""
    return sorted(str(path) for folder in SPARK_CODE for path in Path(folder).rglob("*.py"))


def mypy_cache(session: nox.Session) -> list[str]:
    """A mypy cache of the session's own: ``lint``'s .mypy_cache saw no PySpark."""
    if in_place(session):
        return []
    return ["--cache-dir", str(Path(session.virtualenv.location) / "mypy-cache")]


@nox.session(python=PYTHON)
def tests_spark_cluster(session: nox.Session) -> None:
    """The Spark engine on a real standalone cluster: a master and two one-core workers
    started from the PySpark package's ``bin/spark-class`` on 127.0.0.1 (free ports, their
    own work folders), validating the shipped dataset and a small corrupted synthetic corpus
    through ``spark://127.0.0.1:PORT``; every process it starts is stopped, also on failure,
    and after a hard timeout. Java 17 or newer needed."""
    install_locked(session, "test", extras=("spark",))
    env = {**session_env(session), "SPARK_LOCAL_IP": "127.0.0.1"}
    session.run("pytest", CLUSTER_TESTS, *session.posargs, env=env)


@nox.session(python=PYTHON, reuse_venv=True)
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and mypy (with the agreement extra, whose code it checks too;
    the Spark engine's code is type-checked by ``tests_spark``, which installs PySpark)."""
    install_locked(session, "lint", extras=("agreement",))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    session.run("lint-imports")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks on synthetic corpora against the loading-script baseline and the pyarrow
    floor; writes BENCHMARKS.md and benchmarks/results.json (``-- --with-100k`` adds 100k
    articles, ``-- --with-1m`` a million end to end, ``-- --row-group-sweep`` the row-group
    figures, ``-- --engine spark`` the validation on Spark too, in local mode; with the spark
    extra, so Spark's library versions are locked too)."""
    install_locked(session, extras=("spark",))
    session.run("python", "-m", "benchmarks.run", *session.posargs, env=session_env(session))


@nox.session(python=PYTHON)
def release(session: nox.Session) -> None:
    """Build, validate and write releases/v<version>/ (version from pyproject.toml, date from
    CHANGELOG.md); a released version is never changed, so re-running it is a no-op."""
    install_locked(session, "release")
    session.run("python", "-m", "dataset", "release", *session.posargs, env=session_env(session))


@nox.session(python=PYTHON)
def verify(session: nox.Session) -> None:
    """Check a release against its SHA256SUMS, then rebuild it in a temporary worktree of the
    commit that reproduces it, with that commit's uv.lock, and compare byte for byte:
    ``nox -s verify -- 1.0.0``. Needs a clone with full history."""
    install_locked(session, "release")
    session.run("python", "-m", "dataset", "verify", *session.posargs, env=session_env(session))


@nox.session(python=PYTHON)
def verify_releases(session: nox.Session) -> None:
    """``verify`` of every release in releases/ (what CI runs), so no commit can break an
    earlier version unnoticed."""
    install_locked(session, "release")
    session.run(
        "python", "-m", "dataset", "verify", "--all", *session.posargs, env=session_env(session)
    )


@nox.session(python=PYTHON)
def publish(session: nox.Session) -> None:
    """Verify a release, then upload it to the Hugging Face Hub and tag it:
    ``nox -s publish -- 1.0.0 --repo-id OWNER/NAME`` (token from HF_TOKEN), or
    ``-- 1.0.0 --dry-run``, or ``-- 1.0.0 --to DIR`` for a local git repository."""
    install_locked(session, "release")
    hub_home = Path(session.virtualenv.location) / "hf-home"
    env = {"HF_HOME": str(hub_home), "HF_HUB_DISABLE_TELEMETRY": "1"}
    session.run("python", "-m", "dataset", "publish", *session.posargs, env=env)


@nox.session(python=PYTHON)
def citation(session: nox.Session) -> None:
    """What citation managers make of CITATION.cff: this version's citation files, written
    without a release, converted by cffconvert to Zenodo, schema.org and APA and checked to
    state the rights and authors truly; then ``cffconvert --validate`` on every release's
    CITATION.cff. cffconvert 2.0 pins jsonschema 3, which cannot share an environment with
    Great Expectations, so it gets an environment of its own beside the session's."""
    install_locked(session, "release")
    out = Path(session.create_tmp()) / "citation"
    session.run("python", "-m", "dataset", "citation", "--out", str(out))
    cffconvert = cffconvert_environment(session)
    cff = str(out / "CITATION.cff")
    session.run(cffconvert, "--validate", "--infile", cff, external=True)
    converted = out.with_name("converted")
    converted.mkdir(exist_ok=True)
    for fmt, name in CFF_CONVERSIONS.items():
        text = session.run(cffconvert, "-f", fmt, "-i", cff, external=True, silent=True)
        (converted / name).write_text(str(text), encoding="utf-8")
    session.run("python", "-m", "dataset", "citation", "--check-converted", str(converted))
    for path in sorted(Path("releases").glob("v*/CITATION.cff")):
        session.run(cffconvert, "--validate", "--infile", str(path), external=True)


#: cffconvert's formats and the files they go to: ``dataset.release.converted.CONVERSIONS``,
#: which reads them (nox's own Python cannot import the project).
CFF_CONVERSIONS = {
    "zenodo": "zenodo.json",
    "schema.org": "schemaorg.json",
    "apalike": "apalike.txt",
}


def cffconvert_environment(session: nox.Session) -> str:
    """cffconvert 2.0 in a virtual environment of its own; the path of its command."""
    if in_place(session):
        session.error("the citation session needs environments of its own: drop --no-venv")
    venv = Path(session.create_tmp()) / "cffconvert-venv"
    uv = find_uv() or "uv"
    session.run_install(uv, "venv", "--quiet", "--python", PYTHON, str(venv), external=True)
    python = str(venv / "bin" / "python")
    session.run_install(
        uv, "pip", "install", "--quiet", "--python", python, "cffconvert==2.0.0", external=True
    )
    return str(venv / "bin" / "cffconvert")


@nox.session(python=PYTHON)
def preview_screenshot(session: nox.Session) -> None:
    """Render a release's preview.html in headless Chromium into build/preview-v<version>.png
    (``-- VERSION``, default this version). Chromium comes from the system (Debian package
    ``chromium``, which .ci/run installs)."""
    install_locked(session, "release")
    session.run("python", "-m", "dataset", "screenshot", *session.posargs, env=session_env(session))
