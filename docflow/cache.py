"""Where docflow keeps what it can rebuild: compiled kernels, generated RSA keys, bench data.

One folder, ``$DOCFLOW_CACHE_DIR``, else ``$XDG_CACHE_HOME/docflow``, else ``~/.cache/docflow``
(the XDG base directory convention). Never inside the installed package: pip does not own files
written there, leaves them behind on uninstall, and a leftover folder of them turns into an empty
namespace package on the next install (issue 13).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_root"]

CACHE_ENV = "DOCFLOW_CACHE_DIR"
"""The variable that moves the whole cache (for a read-only home, or a CI cache folder)."""


def cache_root() -> Path:
    """The cache folder (not created here).

    Examples
    --------
    >>> import os
    >>> os.environ["DOCFLOW_CACHE_DIR"] = "/tmp/df-cache"
    >>> str(cache_root())
    '/tmp/df-cache'
    >>> del os.environ["DOCFLOW_CACHE_DIR"]
    """
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "docflow"
