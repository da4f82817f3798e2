"""Releases come only from clean commits: before ``release`` builds anything, the working
tree must equal HEAD (no change, no untracked file) and every input must be a file that
HEAD tracks, so the commit recorded in the manifest reproduces the release exactly and
``verify`` can rebuild it from that commit alone."""

from __future__ import annotations

from pathlib import Path

from dataset.errors import InputError
from dataset.release.checkout import git

#: How many offending paths an error lists before summarising the rest.
SHOWN = 10


def _listed(paths: list[str]) -> str:
    shown = ", ".join(paths[:SHOWN])
    return shown + (f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else "")


def clean_commit(repo: Path, inputs: list[Path]) -> str:
    """HEAD's full commit id, once the tree is clean and every input is tracked in it."""
    top = git(repo, "rev-parse", "--show-toplevel")
    head = git(repo, "rev-parse", "--verify", "HEAD")
    if top.returncode != 0 or head.returncode != 0:
        raise InputError(
            repo,
            "is not a git repository with a commit, so no commit would record the release",
            "release from a clone of the project's repository",
        )
    root = Path(top.stdout.strip())
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    changed = [line[3:] for line in status.stdout.splitlines()]
    if changed:
        raise InputError(
            root,
            f"the working tree has uncommitted changes or untracked files: {_listed(changed)}",
            "commit (or remove) them first: a release is made from, and records, a clean commit",
        )
    for path in inputs:
        try:
            inside = path.resolve().relative_to(root.resolve()).as_posix() or "."
        except ValueError:
            raise InputError(
                path,
                f"is outside the repository {root}, so no commit holds this input",
                "move the input into the repository and commit it",
            ) from None
        ignored = git(
            root, "ls-files", "--others", "--ignored", "--exclude-standard", "--", inside
        ).stdout.split()
        if ignored:
            raise InputError(
                path,
                f"holds untracked (git-ignored) input files: {_listed(ignored)}",
                "commit them (git add -f) or remove them: every input must be in the commit",
            )
        if not git(root, "ls-files", "--", inside).stdout.strip():
            raise InputError(path, "is not tracked by git", "commit it, then release")
    return head.stdout.strip()
