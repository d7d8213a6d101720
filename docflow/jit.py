"""numba, set up once for every compiled kernel of docflow: where its cache lives, and when it
compiles.

Every kernel is decorated with :func:`njit` from here, never numba's own, for two reasons:

* **The cache stays out of the package.** numba's default on-disk cache (``cache=True``) writes
  ``.nbi``/``.nbc`` files into the ``__pycache__`` beside the source, that is into
  ``site-packages/docflow``. pip does not own them and leaves them behind on uninstall; after
  ``pip install .`` then ``pip install -e .`` the leftover folders import as empty namespace
  packages and ``docflow simulate`` fails with ``No module named 'docflow.sim.run'`` (issue 13).
  Here the cache goes to ``$NUMBA_CACHE_DIR`` when the user set it, else to the ``numba`` folder
  of docflow's cache (:func:`docflow.cache.cache_root`). When that folder cannot be created, the
  kernels are compiled on every run instead of being cached in the package.
* **A first run can say that it compiles.** Compiling the engine takes several seconds on a
  fresh install and nothing on the next run; :func:`compile_notice` calls back once when numba
  actually compiles (a cache miss), so that the progress line can say so.

The variable is set in the environment as well as in numba's configuration: numba re-reads its
variables before compiling, and worker processes inherit the same folder.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from docflow.cache import cache_root

__all__ = ["NUMBA_CACHE_ENV", "cache_folder", "compile_notice", "njit"]

NUMBA_CACHE_ENV = "NUMBA_CACHE_DIR"
"""numba's own variable; set by the user, it wins over docflow's cache folder."""


def _choose_folder() -> Path | None:
    """The folder numba caches in, created; ``None`` when no folder can be had."""
    explicit = os.environ.get(NUMBA_CACHE_ENV)
    try:
        folder = Path(explicit) if explicit else cache_root() / "numba"
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # a read-only home, or no home at all
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    return folder.resolve()


_FOLDER = _choose_folder()
if _FOLDER is not None:
    os.environ[NUMBA_CACHE_ENV] = str(_FOLDER)

import numba  # noqa: E402  (after NUMBA_CACHE_DIR is set: numba reads it on import)
from numba.core import event  # noqa: E402

if _FOLDER is not None:
    # numba may have been imported before docflow, its variables already read:
    numba.config.CACHE_DIR = str(_FOLDER)  # type: ignore[attr-defined]


def cache_folder() -> Path | None:
    """Where compiled kernels are cached, or ``None`` if they are compiled on every run."""
    return _FOLDER


def njit(*args: Any, **options: Any) -> Any:
    """numba's ``njit``, with ``cache=True`` honoured only when the cache folder is usable.

    Without a usable folder numba would fall back to the package's ``__pycache__``, the very
    place the cache must not go.
    """
    if options.get("cache") and _FOLDER is None:
        options["cache"] = False
    return numba.njit(*args, **options)


class _FirstCompile(event.Listener):
    """Calls ``callback`` at the first compile it hears of, once, from whichever thread."""

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.heard = False
        self._lock = threading.Lock()

    def on_start(self, event_: Any) -> None:
        with self._lock:
            if self.heard:
                return
            self.heard = True
        self.callback()

    def on_end(self, event_: Any) -> None:
        pass


@contextlib.contextmanager
def compile_notice(callback: Callable[[], None]) -> Iterator[None]:
    """Call ``callback`` once if numba compiles anything inside the ``with`` block.

    numba announces a compile (``numba:compile``) only after looking in its cache and missing,
    so a run whose kernels are cached never calls back.
    """
    listener = _FirstCompile(callback)
    event.register("numba:compile", listener)
    try:
        yield
    finally:
        event.unregister("numba:compile", listener)
