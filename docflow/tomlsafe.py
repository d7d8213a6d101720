"""Reading a TOML file the one way: a size cap, UTF-8, and a parse error with its line.

Scenarios, calibration targets and message descriptions are TOML files a person writes. Each
is read here, so each gets the same protections (a file above its cap is refused from its size,
before a byte is read; an empty file is refused as such) and the same report of a mistake
(the file, the line, what TOML said); each caller keeps its own code for a file that is not
TOML and names its file in the messages.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from docflow.errors import ConfigError, InputError, Location

__all__ = ["parse_toml", "read_toml"]

_LINE = re.compile(r"at line (\d+)")


def _size(limit: int) -> str:
    """``limit`` the way a person reads it: whole MB when it is some, else bytes."""
    if limit >= 1 << 20 and limit % (1 << 20) == 0:
        return f"{limit >> 20} MB"
    return f"{limit:,} bytes"


def parse_toml(data: bytes, code: str, *, file: str | None = None,
               what: str = "the file") -> dict[str, Any]:
    """Parse TOML bytes into the dict :mod:`tomllib` gives.

    Parameters
    ----------
    data
        The file's bytes.
    code
        The caller's code for bytes that are not UTF-8 TOML (``DF-SCN-001``, ``DF-ENV-021``).
    file
        Names the file in the error's location.
    what
        Names the file in the messages ("the scenario").

    Raises
    ------
    InputError
        ``DF-IO-003`` nothing but white space.
    ConfigError
        ``code``: not UTF-8 (the offset of the first bad byte), or not TOML (the line).

    Examples
    --------
    >>> parse_toml(b"seed = 3", "DF-SCN-001")
    {'seed': 3}
    >>> parse_toml(b"seed = 3\\nseed = = 4\\n", "DF-SCN-001", what="the scenario")
    Traceback (most recent call last):
    docflow.errors.ConfigError: DF-SCN-001 line 2: the scenario is not valid TOML: ...
    """
    if not data.strip():
        raise InputError("DF-IO-003", f"{what} is empty", Location(file=file))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(code, f"{what} is not UTF-8 (byte {exc.start})",
                          Location(file=file)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.14 puts the line on the error; before, it is only in the message.
        found = _LINE.search(str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        raise ConfigError(code, f"{what} is not valid TOML: {exc}",
                          Location(file=file, line=line)) from None


def read_toml(path: str | os.PathLike[str], code: str, max_bytes: int, *,
              what: str = "the file") -> dict[str, Any]:
    """Read and parse the TOML file at ``path``, refusing one above ``max_bytes``.

    Parameters
    ----------
    path
        The file; its name is the location of every error.
    code
        The caller's code for a file that is not UTF-8 TOML (see :func:`parse_toml`).
    max_bytes
        The cap: a larger file is refused from its size, before it is read.
    what
        Names the file in the messages ("the targets file").

    Raises
    ------
    InputError
        ``DF-IO-001`` unreadable, ``DF-IO-002`` larger than ``max_bytes``, ``DF-IO-003`` empty.
    ConfigError
        ``code``: not UTF-8, or not TOML (with the line).
    """
    name = os.fspath(path)
    try:
        info = os.stat(name)
        if not stat.S_ISREG(info.st_mode):
            # A folder, or a pipe that would hang the read: neither is a TOML file.
            raise InputError("DF-IO-001", f"cannot read {what}: not a regular file",
                             Location(file=name))
        if info.st_size > max_bytes:
            raise InputError("DF-IO-002", f"{what} is larger than {_size(max_bytes)}",
                             Location(file=name))
        with Path(name).open("rb") as handle:
            # One byte past the cap: a file that grew after the size was read is caught too.
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read {what}: {exc.strerror or exc}",
                         Location(file=name)) from None
    if len(data) > max_bytes:
        raise InputError("DF-IO-002", f"{what} is larger than {_size(max_bytes)}",
                         Location(file=name))
    return parse_toml(data, code, file=name, what=what)
