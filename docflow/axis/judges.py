"""Judges in processes of their own, so that judging never holds the server's event loop.

The judgement (parse, XSD, rules, both signatures, path validation) is CPU-bound Python. On a
thread of the server process it shares the one interpreter lock with the event loop: while a
message is judged, the loop waits for the lock (up to the 5 ms switch interval) before it can
read the next request or send an answer, and only one core ever works. Each judge here is a
child process (``python -m docflow.axis.judges``) with its own :class:`Admission` and its own
certificate caches; the loop writes a message to a free judge's stdin and reads the judgement
back from its stdout, without a thread of its own.

Wire (both ways): a 4-byte big-endian length, then that many bytes: the message in, the
judgement as JSON (:meth:`Judgement.to_dict`) out. JSON rather than pickle: the judges read
untrusted bytes, and the server should not execute what a judge sends back.

A judge that dies while judging (a crash in a C library, the kernel's OOM killer) costs that
one message a 503 ``DF-AXS-017`` (nothing is stored), and a new judge takes its place; a
judgement that raises (a bug) costs that message the same 503, its traceback goes to the
server's stderr, and the judge goes on, so that no input can make the server respawn. Judges
ignore SIGINT (the server stops them), exit when their stdin closes, and ask Linux to kill
them when the server dies (``PR_SET_PDEATHSIG``), so a ``kill -9`` leaves no orphan.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import struct
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from docflow.axis.admission import Admission, Judgement
from docflow.errors import InputError, Location

__all__ = ["JudgeFailed", "JudgePool", "JudgeSpec", "die_with_parent"]

_HEADER = struct.Struct(">I")

_WAIT = 120.0
"""The longest a message waits for a free judge: far beyond any queue of a working pool, so
only a pool whose judges cannot start (their errors are on stderr) reaches it."""


@dataclass(frozen=True, slots=True)
class JudgeSpec:
    """What a judge process needs to build its :class:`Admission` (as the server's)."""

    pki: Path
    max_bytes: int
    revocation: str

    def argument(self) -> str:
        return json.dumps({"pki": str(self.pki), "max_bytes": self.max_bytes,
                           "revocation": self.revocation})


class JudgeFailed(Exception):
    """The judge process died or answered nonsense while judging a message, or its judgement
    raised (a bug, reported on the server's stderr: the judge itself goes on)."""

    def __init__(self, message: str, *, judge_alive: bool = False) -> None:
        super().__init__(message)
        self.judge_alive = judge_alive


class _Judge:
    """One judge process, with one message at a time on its pipes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        assert process.stdin is not None and process.stdout is not None
        self.stdin = process.stdin
        self.stdout = process.stdout

    async def read_frame(self) -> bytes:
        (size,) = _HEADER.unpack(await self.stdout.readexactly(_HEADER.size))
        return await self.stdout.readexactly(size)

    async def send(self, data: bytes) -> None:
        """Write ``data`` to the judge (raises OSError when the judge is gone)."""
        self.stdin.write(_HEADER.pack(len(data)))
        self.stdin.write(data)
        await self.stdin.drain()

    async def answer(self) -> Judgement:
        """Read the judgement of what :meth:`send` wrote."""
        try:
            answer = json.loads(await self.read_frame())
            if "error" in answer:
                raise JudgeFailed(f"the judgement raised {answer['error']}", judge_alive=True)
            return Judgement.from_dict(answer)
        except (OSError, EOFError, asyncio.IncompleteReadError, ValueError, KeyError,
                TypeError) as exc:
            raise JudgeFailed(f"the judge process {self.process.pid} died or answered "
                              f"nonsense while judging the message ({type(exc).__name__})"
                              ) from None

    def alive(self) -> bool:
        return self.process.returncode is None

    async def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 5.0)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


class JudgePool:
    """``size`` judge processes behind one :meth:`judge` call, first free judge first.

    Parameters
    ----------
    spec
        What each judge trusts and its limits.
    size
        How many judges: one message is judged at a time by each.
    """

    def __init__(self, spec: JudgeSpec, size: int) -> None:
        self.spec = spec
        self.size = size
        self._idle: asyncio.Queue[_Judge] = asyncio.Queue()
        self._all: set[_Judge] = set()
        self._spawning: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start every judge and wait until each has built its Admission.

        Raises
        ------
        InputError
            ``DF-AXS-017`` when a judge cannot start (with what it said).
        """
        judges = await asyncio.gather(*(self._spawn() for _ in range(self.size)),
                                      return_exceptions=True)
        failed = [j for j in judges if isinstance(j, BaseException)]
        for judge in judges:
            if isinstance(judge, _Judge):
                self._idle.put_nowait(judge)
        if failed:
            await self.stop()
            raise failed[0]

    async def _spawn(self) -> _Judge:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "docflow.axis.judges", self.spec.argument(), str(os.getpid()),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        judge = _Judge(process)
        self._all.add(judge)
        try:
            ready = json.loads(await judge.read_frame())
        except (asyncio.IncompleteReadError, ValueError):
            await process.wait()
            self._all.discard(judge)
            raise InputError("DF-AXS-017", f"a judge process could not start (exit status "
                             f"{process.returncode}); its error is on the server's stderr",
                             Location(file=str(self.spec.pki))) from None
        if ready.get("ready") is not True:
            await judge.stop()
            self._all.discard(judge)
            raise InputError(str(ready.get("code", "DF-AXS-017")),
                             str(ready.get("message", "a judge process could not start")),
                             Location(file=str(self.spec.pki)))
        return judge

    def _replace(self, dead: _Judge) -> None:
        """Start a judge in place of ``dead``; until it is ready the others serve."""
        self._all.discard(dead)

        async def respawn() -> None:
            while True:  # until it starts, or the pool stops (a failed start is on stderr)
                try:
                    self._idle.put_nowait(await self._spawn())
                    return
                except (InputError, OSError):
                    await asyncio.sleep(1.0)

        task = asyncio.create_task(respawn())
        self._spawning.add(task)
        task.add_done_callback(self._spawning.discard)

    async def judge(self, data: bytes) -> Judgement:
        """The judgement of ``data`` by the first free judge.

        A judge found dead before it read ``data`` (killed while idle) is replaced and the
        next one judges: ``data`` cannot be what killed it.

        Raises
        ------
        JudgeFailed
            The judge died while judging ``data`` (a new one is started), or every judge
            was found dead.
        """
        for _ in range(self.size + 1):
            try:
                async with asyncio.timeout(_WAIT):
                    judge = await self._idle.get()
            except TimeoutError:
                raise JudgeFailed(f"no judge process was free within {_WAIT:g} s") from None
            try:
                if not judge.alive():
                    raise BrokenPipeError
                await judge.send(data)
            except (OSError, RuntimeError):  # RuntimeError: the transport is closing
                self._discard(judge)
                continue
            except BaseException:
                self._discard(judge)
                raise
            try:
                result = await judge.answer()
            except JudgeFailed as failed:
                if failed.judge_alive:
                    self._idle.put_nowait(judge)
                else:
                    self._discard(judge)
                raise
            except BaseException:
                # Failed or cancelled mid-message: its pipes may hold half a frame, so it is
                # never reused.
                self._discard(judge)
                raise
            self._idle.put_nowait(judge)
            return result
        raise JudgeFailed("every judge process was found dead")

    def _discard(self, judge: _Judge) -> None:
        with contextlib.suppress(ProcessLookupError):
            judge.process.kill()
        self._replace(judge)

    @property
    def pids(self) -> list[int]:
        """The judges' process ids (for tests and the status of a running server)."""
        return sorted(j.process.pid for j in self._all)

    async def stop(self) -> None:
        for task in list(self._spawning):
            task.cancel()
        await asyncio.gather(*self._spawning, return_exceptions=True)
        await asyncio.gather(*(j.stop() for j in list(self._all)), return_exceptions=True)
        self._all.clear()


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (a no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _write(out: BinaryIO, payload: dict[str, Any]) -> None:
    # ASCII: a lone surrogate in a finding's text cannot break the frame's UTF-8.
    body = json.dumps(payload).encode("ascii")
    out.write(_HEADER.pack(len(body)) + body)
    out.flush()


def _read(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def main(argv: list[str]) -> int:
    """A judge process: build the Admission, say ready, then judge until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    if len(argv) > 1 and os.getppid() != int(argv[1]):
        return 0  # the server died before this judge could ask to die with it
    spec = json.loads(argv[0])
    # The pipe to the server carries frames only: anything a library prints goes to stderr.
    stdin, stdout = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        admission = Admission.from_pki(Path(spec["pki"]), max_bytes=int(spec["max_bytes"]),
                                       revocation=str(spec["revocation"]))
    except InputError as exc:
        _write(stdout, {"ready": False, "code": exc.code, "message": exc.message})
        return 1
    _write(stdout, {"ready": True})
    while (header := _read(stdin, _HEADER.size)) is not None:
        (size,) = _HEADER.unpack(header)
        data = _read(stdin, size)
        if data is None:
            return 0
        try:
            answer = admission.judge(data).to_dict()
        except Exception as exc:  # a bug: this message gets a 503, the judge goes on
            traceback.print_exc()
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        _write(stdout, answer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
