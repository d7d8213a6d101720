"""The axis's HTTP API as an ASGI application (Starlette): who calls, what gets in, what waits.

Routes (the OpenAPI document is :mod:`docflow.axis.openapi`, served at ``/openapi.json``)::

    POST /messages        send a document or a status message (edXML, application/xml)
    GET  /messages/inbox  what waits for the caller
    GET  /messages/sent   what the caller sent, with each receiver's latest status
    GET  /messages/{id}   one message's bytes, for its sender and its receivers only
    GET  /agencies        the directory: organ codes, names, levels, hubs
    GET  /                the status page (HTML); /openapi.json and /healthz

Who calls is the organ code of the TLS client certificate (:func:`docflow.pki.tls.organ_code_of`)
as the server's TLS layer verified it and handed it over in the ASGI TLS extension
(``scope["extensions"]["tls"]["client_cert_chain"]``, see :mod:`docflow.axis.server`). The
message API needs one; the status page, the OpenAPI document and the health check do not, so
that a browser can open them.

Blocking work runs off the event loop: judging in judge processes (:mod:`docflow.axis.judges`,
one per core by default, each with its own certificate caches, so that the loop never waits
for the interpreter lock while a message is judged), the store on its threads (one for
SQLite, whose writers take turns anyway; one per connection for PostgreSQL, whose commits then
share a flush). Messages are judged while earlier ones commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography import x509
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route as HttpRoute

from docflow.axis.admission import Admission, Judgement, Route
from docflow.axis.config import ServeConfig
from docflow.axis.directory import Directory, read_directory
from docflow.axis.judges import JudgeFailed, JudgePool, JudgeSpec
from docflow.axis.openapi import openapi_document
from docflow.axis.page import render_page
from docflow.axis.store import Conflict, Store, Stored, open_store
from docflow.errors import CATALOGUE
from docflow.pki.tls import organ_code_of

__all__ = ["create_app"]

T = TypeVar("T")
_XML_TYPES = ("application/xml", "text/xml", "application/edxml+xml")


class _Refusal(Exception):
    """An HTTP refusal with a DF code, raised anywhere in a handler and answered in one place."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self) -> JSONResponse:
        # A body refused unread (too large, too slow) ends the connection: kept open, it would
        # hold the rest of that body, which the server will not read, until the keep-alive
        # timeout.
        return JSONResponse({"accepted": False, "code": self.code, "message": self.message,
                             "summary": CATALOGUE[self.code].summary, **self.extra},
                            status_code=self.status,
                            headers={"connection": "close"} if self.status in (408, 413)
                            else None)


class _Committer:
    """Group commit: the messages that arrive while a commit is under way are stored together
    in the next transaction, so that one flush acknowledges many (an SQLite commit with
    ``synchronous=FULL`` costs a few milliseconds of fsync on these disks). Every message is
    still answered only after the transaction that holds it has committed."""

    BATCH = 64
    """At most this many messages per transaction (a bound on the latency a batch adds)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, Route, asyncio.Future[Stored]]] = \
            asyncio.Queue()
        self.tasks: list[asyncio.Task[None]] = []

    def start(self, state: _State) -> None:
        # One loop per store thread: SQLite commits one batch at a time; PostgreSQL several.
        self.tasks = [asyncio.create_task(self._run(state)) for _ in range(state.store.threads)]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def add(self, data: bytes, route: Route) -> Stored:
        """Store one message; returns once it is committed (raises Conflict or _Refusal)."""
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        await self.queue.put((data, route, future))
        return await future

    async def _run(self, state: _State) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < self.BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                results = await state.stored(state.store.add_batch,
                                             [(data, route) for data, route, _ in batch])
            except Exception as exc:  # the store failed: every message of the batch is told
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, _, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Conflict):
                    future.set_exception(result)
                else:
                    future.set_result(result)


@dataclass
class _State:
    """What the application holds while it runs (built at startup, closed at shutdown)."""

    config: ServeConfig
    directory: Directory
    judges: JudgePool
    store: Store
    store_pool: ThreadPoolExecutor
    identities: dict[str, str | None]
    started: float
    committer: _Committer

    async def judged(self, data: bytes) -> Judgement:
        """The judgement of ``data`` by a judge process; one that dies answers 503."""
        try:
            return await self.judges.judge(data)
        except JudgeFailed as exc:
            raise _Refusal(503, "DF-AXS-017", f"{exc}; the message was not stored, send it "
                           "again") from None

    async def stored(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call on the store's thread; a store that fails answers 503."""
        call = functools.partial(fn, *args, **kwargs)
        try:
            return await asyncio.get_running_loop().run_in_executor(self.store_pool, call)
        except Conflict:
            raise
        except Exception as exc:
            raise _Refusal(503, "DF-AXS-012", f"the store failed: {type(exc).__name__}: "
                           f"{exc}") from None


def _state(request: Request) -> _State:
    state: _State = request.app.state.axis
    return state


def _caller(request: Request, state: _State) -> str:
    """The organ code of the caller's verified TLS client certificate.

    Raises
    ------
    _Refusal
        401 ``DF-AXS-002`` without one, or with one that names no agency of the directory.
    """
    tls = request.scope.get("extensions", {}).get("tls") or {}
    chain = tls.get("client_cert_chain") or []
    if not chain:
        raise _Refusal(401, "DF-AXS-002", "present the agency's TLS client certificate "
                       "(docflow pki init writes agencies/<hub>/<code>.tls.pem and .tls.key)")
    pem = chain[0]
    if pem not in state.identities:
        try:
            code = organ_code_of(x509.load_pem_x509_certificate(pem.encode("ascii")))
        except ValueError:
            code = None
        if len(state.identities) > 100_000:  # bounded: one entry per distinct certificate
            state.identities.clear()
        state.identities[pem] = code
    code = state.identities[pem]
    if code is None or code not in state.directory.agencies:
        raise _Refusal(401, "DF-AXS-002", "the TLS client certificate names no agency of the "
                       "axis directory")
    return code


async def _body(request: Request, limit: int, seconds: float) -> bytes:
    """The request body, refused from its Content-Length before it is read if too large, and
    cut off as soon as a body without one passes the limit, or when it has not arrived whole
    within ``seconds`` (408 ``DF-AXS-016``)."""
    try:
        async with asyncio.timeout(seconds):
            return await _read_body(request, limit)
    except TimeoutError:
        raise _Refusal(408, "DF-AXS-016", f"the body did not arrive within {seconds:g} s",
                       limit_seconds=seconds) from None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise _Refusal(400, "DF-AXS-009", "the Content-Length is not a number")
        if int(declared) > limit:
            raise _Refusal(413, "DF-AXS-001", f"the body is {int(declared):,} bytes, above the "
                           f"limit of {limit:,}", limit=limit)
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise _Refusal(413, "DF-AXS-001", f"the body passed the limit of {limit:,} bytes",
                           limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def send_message(request: Request) -> Response:
    """Admit a message: judge it, check it is the caller's, store it, then acknowledge."""
    state = _state(request)
    caller = None
    try:
        caller = _caller(request, state)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in _XML_TYPES:
            raise _Refusal(415, "DF-AXS-009", f"send the message as application/xml, not "
                           f"{media or 'without a Content-Type'}")
        data = await _body(request, state.config.max_bytes, state.config.body_seconds)
        if not data:
            raise _Refusal(400, "DF-AXS-009", "the body is empty")
        judgement = await state.judged(data)
        if not judgement.passed:
            raise _Refusal(422, "DF-AXS-005", f"the message is {judgement.verdict.value}: "
                           f"{', '.join(judgement.codes) or 'no route'}",
                           verdict=judgement.verdict.value, codes=list(judgement.codes),
                           findings=[f.to_dict() for f in judgement.findings])
        route = judgement.route
        assert route is not None
        if route.sender != caller:
            raise _Refusal(403, "DF-AXS-003", f"the message is From {route.sender} but the "
                           f"caller is {caller}", codes=["DF-AXS-003"])
        unknown = [r for r in route.receivers if r not in state.directory.agencies]
        if unknown:
            raise _Refusal(422, "DF-AXS-004", f"no agency {', '.join(unknown)} in the axis "
                           "directory", codes=["DF-AXS-004"], receivers=unknown)
        try:
            stored = await state.committer.add(data, route)
        except Conflict as exc:
            raise _Refusal(409 if exc.code == "DF-AXS-008" else 422, exc.code, exc.message,
                           codes=[exc.code]) from None
    except _Refusal as refusal:
        if refusal.code not in ("DF-AXS-002", "DF-AXS-012"):  # nobody to name, or no store
            codes = refusal.extra.get("codes") or [refusal.code]
            with contextlib.suppress(_Refusal):
                await state.stored(state.store.refuse, caller, codes, refusal.status)
        return refusal.response()
    return JSONResponse({"accepted": True, "id": stored.id, "duplicate": stored.duplicate,
                         "kind": route.kind, "document_id": route.document_id,
                         "response_for": route.response_for, "status_code": route.status_code,
                         "receivers": list(stored.receivers)},
                        status_code=200 if stored.duplicate else 201)


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "1000")
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise _Refusal(400, "DF-AXS-009", "limit is a whole number from 1 to 10000")
    return int(raw)


async def inbox(request: Request) -> Response:
    state = _state(request)
    return await _listing(request, state, state.store.inbox)


async def sent(request: Request) -> Response:
    state = _state(request)
    return await _listing(request, state, state.store.sent)


async def _listing(request: Request, state: _State, read: Callable[..., Any]) -> Response:
    """The caller's own messages, as ``read`` (the inbox or the sent list) lists them."""
    try:
        caller = _caller(request, state)
        rows = await state.stored(read, caller, _limit(request))
    except _Refusal as refusal:
        return refusal.response()
    return JSONResponse({"agency": caller, "messages": [r.to_dict() for r in rows]})


async def get_message(request: Request) -> Response:
    state = _state(request)
    try:
        caller = _caller(request, state)
        raw = request.path_params["message_id"]
        data = await state.stored(state.store.fetch, int(raw), caller) \
            if raw.isdigit() and len(raw) < 19 else None
        if data is None:
            # The same answer whether the id is unknown or someone else's: no existence leak.
            raise _Refusal(404, "DF-AXS-007", f"no message {raw} for {caller}")
    except _Refusal as refusal:
        return refusal.response()
    return Response(data, media_type="application/xml")


async def agencies(request: Request) -> Response:
    state = _state(request)
    try:
        _caller(request, state)
    except _Refusal as refusal:
        return refusal.response()
    return JSONResponse({"agencies": [a.to_dict() for a in state.directory.agencies.values()]})


async def status_page(request: Request) -> Response:
    state = _state(request)
    now = time.time()
    try:
        counts = await state.stored(state.store.counts, since=now - 24 * 3600)
    except _Refusal as refusal:
        return refusal.response()
    return HTMLResponse(render_page(counts, agencies=state.directory.agencies, now=now,
                                    store=state.store.description, started=state.started))


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(_state(request).config))


async def healthz(request: Request) -> Response:
    return JSONResponse({"ok": True})


def create_app(config: ServeConfig) -> Starlette:
    """The axis application for ``config``; its store and judge open when it starts.

    Raises (at startup)
    -------------------
    InputError
        ``DF-PKI-025``/``DF-AXS-014`` for an unusable PKI folder, ``DF-AXS-012``/``-013``
        for the store.
    """
    directory = read_directory(config.pki)
    # Read every trust file now, so that a bad folder fails here rather than in each judge.
    Admission.from_pki(config.pki, max_bytes=config.max_bytes, revocation=config.revocation)
    spec = JudgeSpec(config.pki, config.max_bytes, config.revocation)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        judges = JudgePool(spec, config.judge_count)
        await judges.start()
        try:
            store = open_store(config.db)
        except BaseException:
            await judges.stop()
            raise
        # SQLite: one thread, its connection's; a server database: one connection per thread.
        store_pool = ThreadPoolExecutor(store.threads, thread_name_prefix="axis-store")
        app.state.axis = _State(config, directory, judges, store, store_pool, {}, time.time(),
                                _Committer())
        app.state.axis.committer.start(app.state.axis)
        try:
            yield
        finally:
            state: _State = app.state.axis
            await state.committer.stop()
            await judges.stop()
            await asyncio.get_running_loop().run_in_executor(store_pool, store.close)
            store_pool.shutdown(wait=True)

    routes = [
        HttpRoute("/messages", send_message, methods=["POST"]),
        HttpRoute("/messages/inbox", inbox, methods=["GET"]),
        HttpRoute("/messages/sent", sent, methods=["GET"]),
        HttpRoute("/messages/{message_id}", get_message, methods=["GET"]),
        HttpRoute("/agencies", agencies, methods=["GET"]),
        HttpRoute("/openapi.json", openapi, methods=["GET"]),
        HttpRoute("/healthz", healthz, methods=["GET"]),
        HttpRoute("/", status_page, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
