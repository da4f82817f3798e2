"""Every Python and shell block of README.md runs, as a newcomer would run it, unless a
``<!-- not run: reason -->`` comment right before it says why not; and the README names the
newest release in releases/ and loads it.

The blocks run in order, in a copy of the checkout committed as one clean commit, offline:
Python blocks as scripts run in this process from the copy's root (each in a namespace of
its own, so it must import all it uses; it needs nothing else of a fresh interpreter, whose
start-up and imports would be all a subprocess added), with a datasets cache of their own;
shell blocks with bash (``-euo pipefail``). ``python`` and
``python3`` are this test environment's interpreter (which holds nox and uv, as
``pip install "nox[uv]"`` leaves them), and ``nox`` runs its sessions in it
(``--no-venv``) instead of building each session's environment: ``.ci/run`` builds those.
The environment block makes its ``.venv`` with uv from uv's cache, as it would on a machine
that ran the install command. The annotation loop's block is run by test_readme.py instead,
command by command through the same entry points in its own process, on a copy of the same
examples/ (a fresh interpreter would add only imports: its agreement command's
pygamma-agreement compiles for 10 to 20 s).
"""

from __future__ import annotations

import contextlib
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dataset.cli import main
from dataset.markdown import parse
from dataset.project import RELEASES_DIR, REPO_ROOT
from dataset.release.readme import README_PATH, newest_release, render_readme
from tests.test_readme import ANNOTATION_LOOP
from tests.test_readme import blocks as section_blocks

RUNNABLE = {"python": ".py", "bash": ".sh", "sh": ".sh", "shell": ".sh"}
NOT_RUN = "<!-- not run:"
#: Offline, as every test is, and uv never fetches a Python or a package.
OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "UV_OFFLINE": "1",
    "UV_PYTHON_DOWNLOADS": "never",
    "PYTHONDONTWRITEBYTECODE": "1",
}


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int
    #: Why the block is not run, from the comment right before it; None when it runs.
    not_run: str | None


def blocks(markdown: str) -> list[Block]:
    """Every fenced block with a language, and the not-run reason before it; a not-run
    comment that precedes no block, or gives no reason, is an error."""
    found: list[Block] = []
    nodes = parse(markdown).children
    for index, node in enumerate(nodes):
        comment = node.content.strip() if node.type == "html_block" else ""
        if comment.startswith(NOT_RUN):
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            reason = comment.removeprefix(NOT_RUN).removesuffix("-->").strip()
            line = (node.map or (0, 0))[0] + 1
            if following is None or following.type != "fence":
                raise ValueError(f"line {line}: a not-run comment must come right before a block")
            if not reason:
                raise ValueError(f"line {line}: a not-run comment must say why")
        if node.type != "fence" or not node.info:
            continue
        previous = nodes[index - 1].content.strip() if index else ""
        why = (
            previous.removeprefix(NOT_RUN).removesuffix("-->").strip()
            if previous.startswith(NOT_RUN)
            else None
        )
        line = (node.map or (0, 0))[0] + 1
        found.append(Block(node.info.split()[0], node.content, line, why))
    return found


README = README_PATH.read_text(encoding="utf-8")


def test_every_block_is_python_or_shell_and_runs_or_says_why_not() -> None:
    found = blocks(README)
    assert {block.language for block in found} <= set(RUNNABLE)
    run = [block for block in found if block.not_run is None]
    assert len(run) >= 8
    reasons = " ".join(block.not_run or "" for block in found)
    for exempt in ("test command itself", "uploads", "PyPI"):
        assert exempt in reasons


@pytest.mark.parametrize(
    ("markdown", "error"),
    [
        ("<!-- not run: why -->\n\nText.\n", "must come right before a block"),
        ("<!-- not run: -->\n```bash\nls\n```\n", "must say why"),
    ],
)
def test_a_misplaced_or_empty_not_run_comment_is_an_error(markdown: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        blocks(markdown)


def test_blocks_know_their_language_and_reason() -> None:
    markdown = (
        "```python\nx = 1\n```\n\n<!-- not run: uploads -->\n```bash\nup\n```\n\n```\nart\n```\n"
    )
    assert blocks(markdown) == [
        Block("python", "x = 1\n", 1, None),
        Block("bash", "up\n", 6, "uploads"),
    ]


# The newest release, from releases/


def test_the_readme_names_the_newest_release_and_loads_it() -> None:
    version, _ = newest_release()
    assert render_readme(README) == README, "run `python -m dataset card` and commit README.md"
    intro = README[: README.index("## Two commands")]
    assert f"The newest release is **{version}**" in intro
    loading = README[README.index("## Loading the data") : README.index("## Layout")]
    assert f'"releases/v{version}/data"' in loading and "lines" in loading
    others = {path.name for path in RELEASES_DIR.glob("v*")} - {f"v{version}"}
    assert not any(f"releases/{name}" in loading for name in others)


def test_a_newer_release_makes_the_readme_stale(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    _, folder = newest_release()
    shutil.copytree(folder, releases / "v9.9.9")
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    assert "releases/v9.9.9/data" in render_readme(README, releases)
    args = ["card", "--check", "--readme", str(readme), "--releases", str(releases)]
    assert main(args) == 1
    assert main(args[:1] + args[2:]) == 0
    assert "The newest release is **9.9.9**" in readme.read_text(encoding="utf-8")
    assert main(args) == 0


# Running every block


def checkout_copy(root: Path) -> Path:
    """The checkout as a clean commit of its own: cloned with its history, the working
    tree's changes laid over it and committed."""
    copy = root / "repo"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(copy)], check=True)
    changed = subprocess.run(
        ["git", "ls-files", "--modified", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, changed):
        source = REPO_ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy / name)
        else:
            (copy / name).unlink(missing_ok=True)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "add", "-A"], cwd=copy, check=True)
    subprocess.run([*git, "commit", "--quiet", "--allow-empty", "-m", "copy"], cwd=copy, check=True)
    return copy


def shims(folder: Path) -> Path:
    """``python``, ``python3`` and ``nox`` as the README's commands find them."""
    folder.mkdir()
    scripts = {
        "python": f'exec "{sys.executable}" "$@"',
        "python3": f'exec "{sys.executable}" "$@"',
        "nox": f'exec "{sys.executable}" -m nox --no-venv "$@"',
    }
    for name, line in scripts.items():
        (folder / name).write_text(f"#!/bin/sh\n{line}\n", encoding="utf-8")
        (folder / name).chmod(0o755)
    return folder


def run_block(block: Block, cwd: Path, env: dict[str, str], scratch: Path) -> str | None:
    """Run one block; its output when it fails, None when it passes."""
    script = scratch / f"block-{block.line}{RUNNABLE[block.language]}"
    script.write_text(block.code, encoding="utf-8")
    if block.language == "python":
        return run_here(script, block.line, cwd, Path(env["HF_HOME"]) / "datasets")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode == 0:
        return None
    output = f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return f"README.md line {block.line} exited {done.returncode}:\n{output}"


def run_here(script: Path, line: int, cwd: Path, cache: Path) -> str | None:
    """Run a Python block's script in this process as ``__main__``, from ``cwd``, with
    ``cache`` as the datasets cache; the traceback when it raises, None when it passes."""
    import datasets

    kept = datasets.config.HF_DATASETS_CACHE
    datasets.config.HF_DATASETS_CACHE = cache
    try:
        with contextlib.chdir(cwd):
            runpy.run_path(str(script), run_name="__main__")
    except Exception:  # the block's failure, reported with the others
        return f"README.md line {line} raised:\n{traceback.format_exc()[-3000:]}"
    finally:
        datasets.config.HF_DATASETS_CACHE = kept
    return None


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A scratch folder with a short path: Chromium aborts when the path of the socket in
    its profile folder (which the preview session puts under .nox/) passes 107 bytes."""
    with tempfile.TemporaryDirectory(prefix="readme-") as folder:
        yield Path(folder)


@pytest.mark.slow
def test_every_readme_block_runs(short_tmp: Path) -> None:
    tmp_path = short_tmp
    copy = checkout_copy(tmp_path)
    path = f"{shims(tmp_path / 'bin')}{os.pathsep}{os.environ.get('PATH', '')}"
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT", "PYTHONHOME"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        OFFLINE,
        PATH=path,
        HF_HOME=str(tmp_path / "hf-home"),
        HOME=os.environ.get("HOME", str(tmp_path)),
    )
    scratch = tmp_path / "scripts"
    scratch.mkdir()
    found = blocks((copy / "README.md").read_text(encoding="utf-8"))
    elsewhere = set(section_blocks("bash", ANNOTATION_LOOP))
    assert elsewhere and elsewhere <= {block.code for block in found}
    failures = [
        failure
        for block in found
        if block.not_run is None
        and block.code not in elsewhere
        and (failure := run_block(block, copy, env, scratch)) is not None
    ]
    assert failures == [], "\n\n".join(failures)
    assert (copy / ".venv" / "bin" / "python").is_file()  # the environment block made it
    assert (copy / "build" / "tc.json").is_file() and (copy / "build" / "reports").is_dir()
