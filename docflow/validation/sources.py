"""Which inputs a validation run reads: files, folders walked safely, and standard input.

A folder given by a user may hold anything: thousands of files, links that point back up the
tree or out of it, files nobody may read. The walk is therefore sorted (the same folder gives
the same order of reports), never follows a link to a folder (no loops), reads a linked file only
if it resolves inside the walked folder, and skips files whose names do not end in one of the
configured extensions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["Source", "expand_sources"]


@dataclass(frozen=True, slots=True)
class Source:
    """One input to validate."""

    name: str
    """As shown in reports: the path as given or found, or ``-`` for standard input."""
    refused: str | None = None
    """Why the walk will not read this file (a link out of the folder), or ``None``."""


def _inside(path: str, folder_real: str) -> bool:
    real = os.path.realpath(path)
    return real == folder_real or real.startswith(folder_real.rstrip(os.sep) + os.sep)


def _walk(folder: str, extensions: tuple[str, ...]) -> Iterator[Source]:
    folder_real = os.path.realpath(folder)
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Source(current, refused=f"cannot list the folder: {exc.strerror or exc}")
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.path)
                    continue
                is_link = entry.is_symlink()
                if is_link and entry.is_dir(follow_symlinks=True):
                    continue  # links to folders are never followed: no loops, no escapes
            except OSError:
                pass  # the name is still reported below, with the reason it cannot be read
            if not entry.name.lower().endswith(extensions):
                continue
            if entry.is_symlink() and not _inside(entry.path, folder_real):
                yield Source(entry.path, refused="the link points outside the folder being "
                                                 "validated; it is not followed")
            else:
                yield Source(entry.path)
        # Depth-first, in name order: push in reverse so the first name is visited first.
        stack.extend(reversed(subfolders))


def expand_sources(paths: Iterable[str | os.PathLike[str]],
                   extensions: tuple[str, ...] = (".xml", ".edxml")) -> Iterator[Source]:
    """Yield every input named by ``paths``: a file as is, a folder walked, ``-`` as stdin.

    A file named directly is read whatever its extension; a name that does not exist is yielded
    as is, so that its report says it cannot be read.

    Examples
    --------
    >>> [s.name for s in expand_sources(["-"])]
    ['-']
    """
    lowered = tuple(e.lower() for e in extensions)
    for path in paths:
        name = os.fspath(path)
        if name != "-" and os.path.isdir(name):
            yield from _walk(name, lowered)
        else:
            yield Source(name)
