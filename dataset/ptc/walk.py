"""Walking a source folder without being trapped in it or led out of it.

Discovery decides what a name is before anything is opened: the type of every entry comes
from the folder listing (``os.scandir``, which rarely needs a ``stat`` call), so a FIFO, a
device or a socket named like an input is refused without being opened (opening a FIFO
waits forever for a writer), and so is a folder named like one. A symlink named like an
input is resolved first: a dangling link or a loop is an input error, and one whose target
lies outside the source folder is refused unless the user asks for it
(``--follow-symlinks``); either way the input keeps the link's name inside the source, so
the manifest never records a machine's absolute path. Symlinks to folders are walked only
with ``--follow-symlinks``, each real folder once.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from dataset.errors import InputError
from dataset.ptc.formats import is_input_name

FOLLOW = "pass --follow-symlinks to read what it points at"


class Walk:
    """The folders under ``root`` in a fixed order (sorted, depth first, hidden names
    skipped), each as its path relative to ``root`` (with a trailing "/", or "" for
    ``root``) and the names of the regular files in it; ``links`` collects the symlinks
    to folders that were not followed."""

    def __init__(self, root: Path, *, follow_symlinks: bool = False) -> None:
        self.root = root
        self.real_root = os.path.realpath(root)
        self.follow = follow_symlinks
        self.links: list[Path] = []
        self._seen = {self.real_root}

    def __iter__(self) -> Iterator[tuple[str, list[str]]]:
        stack = [""]
        while stack:
            prefix = stack.pop()
            files, folders = self._listing(prefix)
            yield prefix, files
            stack.extend(f"{prefix}{name}/" for name in reversed(folders))

    def _listing(self, prefix: str) -> tuple[list[str], list[str]]:
        """The folder's input files and subfolders; the few other entries (symlinks, and
        anything named like an input that is not a regular file) are judged by name order,
        so the first problem reported is the same on every machine."""
        files: list[str] = []
        folders: list[str] = []
        others: list[str] = []
        for entry in self._entries(prefix):
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_symlink():
                others.append(name)
            elif entry.is_dir(follow_symlinks=False):
                (others if is_input_name(name) else folders).append(name)
            elif is_input_name(name):
                (files if entry.is_file(follow_symlinks=False) else others).append(name)
        for name in sorted(others):
            kind = self._other(Path(self.root, prefix + name))
            if kind is not None:
                (files if kind == "file" else folders).append(name)
        return sorted(files), sorted(folders)

    def _entries(self, prefix: str) -> Iterator[os.DirEntry[str]]:
        """The folder's entries one at a time (a flat folder of a million files is never
        held as entries, only as names)."""
        folder = Path(self.root, prefix)
        try:
            entries = os.scandir(folder)
        except OSError as error:
            raise InputError(
                folder,
                f"cannot list this folder: {error.strerror}",
                "make it readable by this user, or move it out of the source folder",
            ) from None
        with entries:
            yield from entries

    def _other(self, path: Path) -> str | None:
        """ "file" or "folder" for a symlink that leads to one safely, None for a symlink
        neither read nor walked; an InputError for an entry named like an input that
        cannot be read as a file."""
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            return self._link(path, is_input_name(path.name))
        raise not_a_file(path, special_kind(mode))

    def _link(self, path: Path, named: bool) -> str | None:
        """What a symlink leads to, once it is known to be safe to use."""
        if not named and not path.is_dir():
            return None  # never read, never walked: where it points does not matter
        target = resolved(path)
        mode = Path(target).stat().st_mode
        if stat.S_ISDIR(mode) and not named:
            return self._folder_link(path, target)
        if not self.follow and not is_within(target, self.real_root):
            raise InputError(
                path,
                f"a symlink to {target}, outside the source folder",
                f"copy the file into the source folder, or {FOLLOW} (the manifest records "
                "the link's path inside the source and the content's hash)",
            )
        if not stat.S_ISREG(mode):
            raise not_a_file(path, f"a symlink to {special_kind(mode)}")
        return "file"

    def _folder_link(self, path: Path, target: str) -> str | None:
        if not self.follow:
            self.links.append(path)
            return None
        if any(is_within(target, seen) or is_within(seen, target) for seen in self._seen):
            raise InputError(
                path,
                f"a symlink to {target}, which is read already or holds a folder that is "
                "(the source folder or another link's): following it would read files "
                "twice or loop",
                "remove the link, or point it at a folder outside the ones read",
            )
        self._seen.add(target)
        return "folder"


def resolved(path: Path) -> str:
    """The real path a symlink leads to; a dangling link or a loop is an input error."""
    try:
        return os.path.realpath(path, strict=True)
    except FileNotFoundError:
        raise InputError(
            path,
            f"a dangling symlink: its target {str(path.readlink())!r} does not exist",
            "restore the target, or remove the link",
        ) from None
    except OSError as error:
        loop = " (a loop of links)" if error.errno == errno.ELOOP else ""
        raise InputError(
            path,
            f"a symlink that cannot be followed: {error.strerror}{loop}",
            "point the link at a file, or remove it",
        ) from None


def is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a folder" if stat.S_ISDIR(mode) else "not a regular file"


def not_a_file(path: Path, kind: str) -> InputError:
    return InputError(
        path,
        f"named like an input file but {kind}: only regular files are read",
        "replace it with the file itself, or rename or remove it",
    )
