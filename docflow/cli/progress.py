"""Progress on standard error: one renderer for every command's long phases.

Every job reports ``(phase, done, total)`` (:mod:`docflow.progress`); this draws it.

* On a terminal, the current phase is one line redrawn in place — its name, a bar, done/total
  and the time left (``ETA``) — at most ten times a second, and left on screen, with the time
  it took, when the next phase begins.
* Anywhere else (a log file, a pipe, CI), a line per phase when it ends: its name, done/total
  and the time it took. No carriage returns, no bar: a log reads top to bottom.
* ``--quiet`` draws nothing (:func:`progress_line` gives ``None``), and the job then does no
  work for it either.

Notices a job makes between phases (the engine compiling) go through :meth:`ProgressLine.note`,
which keeps them on lines of their own.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TextIO

import click

__all__ = ["QUIET", "ProgressLine", "chatter", "progress_line"]

QUIET = click.option("--quiet", "-q", is_flag=True,
                     help="Print no progress and no 'wrote' line on standard error (errors and "
                     "warnings still go there); the result is the same.")
"""``-q/--quiet``, one wording for every command that has progress or chatter to silence."""


def chatter(text: str, quiet: bool) -> None:
    """A line about what was done (``wrote run/summary.json``), on standard error, unless
    ``--quiet``: a script that reads standard output never sees it either way."""
    if not quiet:
        click.echo(text, err=True)


_WIDTH = 24
"""Characters of the bar: room on an 80-column terminal for a long phase name and the ETA."""

_REDRAW_S = 0.1
"""The least time between two redraws of a line: a phase of a million small steps must not
spend its time writing to the terminal."""


def _clock(seconds: float) -> str:
    """``0:00:07``: hours, minutes and seconds, as long-running tools print them."""
    whole = max(0, round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class ProgressLine:
    """The progress of one command on ``stream``; see the module docstring.

    Use it as a context manager, so that the last phase's line is finished (on a terminal) or
    written (elsewhere) even when the job fails.

    Parameters
    ----------
    stream
        Where to draw [default: standard error].
    tty
        Whether ``stream`` is a terminal [default: ask it].
    clock
        Seconds, monotonic; passed in so that a test can move time.
    """

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self._phase: str | None = None
        self._done = 0
        self._total: int | None = None
        self._started = 0.0
        self._drawn = 0.0
        self._last = 0.0
        """When the phase last reported: it ends there, not when the next one begins."""
        self._width = 0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = self.clock()
        if phase != self._phase:
            self._finish()
            self._phase, self._started, self._drawn = phase, now, 0.0
        self._done, self._total, self._last = done, total, now
        if self.tty and (now - self._drawn >= _REDRAW_S or done == total):
            self._draw(self._line(now, final=False))
            self._drawn = now

    def note(self, text: str) -> None:
        """A line of its own (``compiling the engine, once…``), between phases' lines."""
        if self.tty and self._width:
            self.stream.write("\n")
            self._width = 0
        self.stream.write(f"{text}\n")
        self.stream.flush()

    def close(self) -> None:
        """Finish the current phase's line; the next call starts a new one."""
        self._finish()

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _finish(self) -> None:
        if self._phase is None:
            return
        line = self._line(self._last, final=True)
        if self.tty:
            self._draw(line)
            self.stream.write("\n")
        else:
            self.stream.write(f"{line}\n")
        self.stream.flush()
        self._phase, self._width = None, 0

    def _line(self, now: float, *, final: bool) -> str:
        done, total, elapsed = self._done, self._total, now - self._started
        count = f"{done:,}" if total is None else f"{done:,}/{total:,}"
        if not self.tty:
            return f"{self._phase}: {count} in {elapsed:.1f} s"
        if total is None or total <= 0:
            return f"{self._phase}  {count}  {_clock(elapsed)}"
        share = min(1.0, done / total)
        filled = int(share * _WIDTH)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        if final or done >= total:
            tail = f"in {_clock(elapsed)}"
        elif done > 0:
            tail = f"ETA {_clock(elapsed / done * (total - done))}"
        else:
            tail = "ETA -:--:--"
        return f"{self._phase}  [{bar}]  {count}  {share:4.0%}  {tail}"

    def _draw(self, line: str) -> None:
        pad = " " * max(0, self._width - len(line))  # wipe what a longer line left behind
        self.stream.write(f"\r{line}{pad}")
        self.stream.flush()
        self._width = len(line)


@contextlib.contextmanager
def progress_line(quiet: bool) -> Iterator[ProgressLine | None]:
    """The progress of a command: a :class:`ProgressLine` on standard error, finished on the
    way out, or ``None`` with ``--quiet``, for the job to skip reporting altogether."""
    if quiet:
        yield None
        return
    with ProgressLine() as line:
        yield line
