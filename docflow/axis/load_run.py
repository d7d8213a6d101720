"""The load driver: many agencies at once against a live axis, over real HTTP and TLS.

Open loop: each document is sent at its planned time whether or not the previous answers have
come (up to ``concurrency`` requests in flight), and its latencies are measured from the
*planned* time, so a slow server shows as latency rather than as a slower offered rate.
Every agency of the plan has its own connection with its own TLS client certificate and lists
its inbox every ``poll_s``: it fetches each document addressed to it (delivery), answers with
status 01 and then 03 or 02 (acceptance), and fetches the status messages addressed to it.

Bounded: sending stops at ``duration_s``; fetching and answering stop once every acknowledged
delivery is answered, or ``drain_s`` after the last send, whichever comes first.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx

from docflow.axis.client import status_message, tls_context
from docflow.axis.directory import Directory
from docflow.axis.load_plan import LoadConfig, LoadPlan, Planned
from docflow.envelope.status import StatusCode
from docflow.errors import InputError, Location
from docflow.progress import Progress

__all__ = ["LoadResult", "Record", "run_load"]


@dataclass
class Record:
    """What happened to one planned document (times in seconds after the start)."""

    planned: Planned
    acked_s: float | None = None
    """When the axis acknowledged (or refused) it."""
    id: int | None = None
    refused: tuple[str, ...] = ()
    failed: str | None = None
    """A transport failure (no answer at all)."""
    delivered_s: dict[str, float] = field(default_factory=dict)
    """Receiver → when it fetched the document."""
    answered: dict[str, tuple[str, float]] = field(default_factory=dict)
    """Receiver → (final status code, when the axis acknowledged that status)."""

    @property
    def accepted(self) -> bool:
        return self.id is not None


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The measurements of one run."""

    records: tuple[Record, ...]
    started: float
    """Wall clock (epoch seconds) at the start."""
    wall_s: float
    """Real seconds from the start to the end of the drain."""
    sending_s: float
    """Real seconds from the start to the last answer to a send."""
    requests: int
    """HTTP requests made (sends, lists, fetches, statuses)."""
    status_fetched: int
    """Status messages fetched by the senders."""
    status_posts: tuple[float, ...] = ()
    """When each status message was sent (seconds after the start): they queue for the
    server's judge with the documents."""


class _Run:
    def __init__(self, plan: LoadPlan, config: LoadConfig, directory: Directory,
                 progress: Progress | None = None) -> None:
        self.plan, self.config, self.directory = plan, config, directory
        self.progress = progress
        self.answered_sends = 0
        self.deliveries = 0
        self.expected = 0
        """Deliveries of the acknowledged documents, known once sending is done."""
        self.records = [Record(p) for p in plan.documents]
        self.by_id: dict[int, Record] = {}
        self.requests = 0
        self.status_fetched = 0
        self.status_posts: list[float] = []
        self.loop = asyncio.get_running_loop()
        self.t0 = self.loop.time()
        self.sending_done = asyncio.Event()
        self.clients: dict[str, httpx.AsyncClient] = {}

    def now(self) -> float:
        return self.loop.time() - self.t0

    def client(self, code: str) -> httpx.AsyncClient:
        found = self.clients.get(code)
        if found is None:
            found = self.clients[code] = httpx.AsyncClient(
                base_url=self.config.url,
                verify=tls_context(self.directory, code, self.config.passphrase),
                timeout=60.0, limits=httpx.Limits(max_connections=8))
        return found

    async def send_one(self, record: Record, gate: asyncio.Semaphore) -> None:
        async with gate:
            self.requests += 1
            try:
                answer = await self.client(record.planned.sender).post(
                    "/messages", content=record.planned.data,
                    headers={"content-type": "application/xml"})
                body = answer.json()
            except (httpx.HTTPError, ValueError) as exc:
                record.failed = type(exc).__name__
                record.acked_s = self.now()
                return
            record.acked_s = self.now()
            if answer.status_code in (200, 201) and isinstance(body.get("id"), int):
                record.id = body["id"]
                self.by_id[record.id] = record
            else:
                record.refused = tuple(body.get("codes") or [body.get("code", "?")])

    async def send_counted(self, record: Record, gate: asyncio.Semaphore) -> None:
        await self.send_one(record, gate)
        self.answered_sends += 1
        if self.progress is not None:
            self.progress("sending", self.answered_sends, len(self.records))

    async def send_all(self) -> None:
        if self.progress is not None:
            self.progress("sending", 0, len(self.records))
        gate = asyncio.Semaphore(self.config.concurrency)
        tasks = []
        for record in self.records:
            delay = record.planned.at_s - self.now()
            if delay > 0:
                await asyncio.sleep(delay)
            # The plan holds only documents due within the duration; one sent late because the
            # client was starved is still sent, and its latency counts from when it was due.
            tasks.append(asyncio.create_task(self.send_counted(record, gate)))
        await asyncio.gather(*tasks)
        self.expected = sum(len(r.planned.receivers) for r in self.records if r.accepted)
        if self.progress is not None:
            self.progress("fetching", self.deliveries, self.expected)
        self.sending_done.set()

    def finished(self) -> bool:
        if not self.sending_done.is_set():
            return False
        want = 2 if self.config.statuses else 1
        return all(len(r.answered if want == 2 else r.delivered_s) >= len(r.planned.receivers)
                   for r in self.records if r.accepted)

    async def answer(self, code: str, record: Record, data: bytes) -> None:
        client = self.client(code)
        reject = record.planned.reject[record.planned.receivers.index(code)] \
            if code in record.planned.receivers else False
        final = StatusCode.REJECTED if reject else StatusCode.ACCEPTED
        name = self.directory.agencies[code].name
        for status in (StatusCode.ARRIVED, final):
            self.requests += 1
            self.status_posts.append(self.now())
            reply = await client.post("/messages", content=status_message(
                data, sender=code, sender_name=name, code=status),
                headers={"content-type": "application/xml"})
            if reply.status_code not in (200, 201):
                return
        record.answered[code] = (final.value, self.now())

    async def agency(self, code: str) -> None:
        client = self.client(code)
        seen: set[int] = set()
        deadline = self.config.duration_s + self.config.drain_s
        while self.now() < deadline and not self.finished():
            try:
                self.requests += 1
                listing = (await client.get("/messages/inbox")).json().get("messages", [])
                for item in listing:
                    message_id = int(item["id"])
                    if message_id in seen:
                        continue
                    record = self.by_id.get(message_id)
                    if item["kind"] == "document" and record is None:
                        continue  # not of this run (or its acknowledgement not yet read)
                    self.requests += 1
                    data = (await client.get(f"/messages/{message_id}")).content
                    seen.add(message_id)
                    if item["kind"] == "status":
                        self.status_fetched += 1
                        continue
                    assert record is not None
                    if code not in record.delivered_s:
                        record.delivered_s[code] = self.now()
                        self.deliveries += 1
                        if self.progress is not None and self.sending_done.is_set():
                            self.progress("fetching", self.deliveries, self.expected)
                    if self.config.statuses:
                        await self.answer(code, record, data)
            except httpx.HTTPError:
                pass  # a failed poll is retried at the next one; the drain bounds the wait
            await asyncio.sleep(self.config.poll_s)

    async def run(self) -> tuple[float, float]:
        codes = sorted({p.sender for p in self.plan.documents}
                       | {r for p in self.plan.documents for r in p.receivers})
        try:
            workers = [asyncio.create_task(self.agency(code)) for code in codes]
            await self.send_all()
            sending = self.now()
            await asyncio.gather(*workers)
            return sending, self.now()
        finally:
            for client in self.clients.values():
                await client.aclose()


def run_load(plan: LoadPlan, config: LoadConfig, directory: Directory,
             progress: Progress | None = None) -> LoadResult:
    """Play ``plan`` against the axis at ``config.url`` and measure it.

    ``progress`` hears ``("sending", answered, planned)`` as the axis answers each send, then
    ``("fetching", deliveries fetched, deliveries of the acknowledged documents)``.

    Raises
    ------
    InputError
        ``DF-AXS-010`` when the axis cannot be reached at all.
    """
    started = time.time()

    async def main() -> tuple[_Run, float, float]:
        run = _Run(plan, config, directory, progress)
        try:
            reply = await run.client(plan.documents[0].sender).get("/healthz")
            reply.raise_for_status()
        except httpx.HTTPError as exc:
            for client in run.clients.values():
                await client.aclose()
            raise InputError("DF-AXS-010", f"{config.url}: {type(exc).__name__}: {exc}",
                             Location(key="--url")) from None
        run.t0 = run.loop.time()
        sending, wall = await run.run()
        return run, sending, wall

    run, sending, wall = asyncio.run(main())
    return LoadResult(tuple(run.records), started, wall, sending, run.requests,
                      run.status_fetched, tuple(run.status_posts))
