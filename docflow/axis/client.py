"""The axis client: what an agency's document-management software does, as Python calls.

A :class:`Client` speaks for one agency: it presents that agency's TLS client certificate from
a ``docflow pki init`` folder, and trusts the folder's TLS CA alone for the server. Every
answer is checked against the API's shape; a transport failure is ``DF-AXS-010`` and an answer
the API does not describe ``DF-AXS-011``, never a traceback.

Examples
--------
Against a running ``docflow axis serve --pki pki``::

    with Client("https://127.0.0.1:8443", "pki", "000.00.00.H49") as axis:
        result = axis.send(Path("cv-12.edxml").read_bytes())
        for item in axis.inbox():
            data = axis.get(item["id"])
            axis.status(item["id"], StatusCode.ACCEPTED)
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from docflow.axis.directory import Directory, read_directory
from docflow.envelope.builder import build
from docflow.envelope.dates import VIETNAM, format_timestamp
from docflow.envelope.model import Envelope, Organization, ResponseFor, StatusMessage
from docflow.envelope.parser import parse_envelope
from docflow.envelope.status import StatusCode
from docflow.errors import CATALOGUE, InputError, Location, UsageError

__all__ = ["Client", "SendResult", "status_message", "tls_context"]


def tls_context(directory: Directory, organ_code: str,
                passphrase: bytes | None = None) -> ssl.SSLContext:
    """A client TLS context: the agency's certificate, and the PKI's TLS CA as the only trust.

    Raises
    ------
    UsageError
        ``DF-AXS-014`` when the folder has no TLS certificate for ``organ_code``.
    """
    cert, key = directory.client_files(organ_code)
    context = ssl.create_default_context(cafile=str(directory.ca_file))
    try:
        context.load_cert_chain(str(cert), str(key), password=lambda: passphrase or b"")
    except (OSError, ssl.SSLError) as exc:
        raise UsageError("DF-AXS-014", f"cannot load the TLS client certificate of "
                         f"{organ_code}: {exc}", Location(file=str(cert))) from None
    return context


@dataclass(frozen=True, slots=True)
class SendResult:
    """The axis's answer to one send: acknowledged with an id, or refused with codes."""

    accepted: bool
    http_status: int
    id: int | None = None
    duplicate: bool = False
    code: str | None = None
    """The refusal's DF-AXS code."""
    codes: tuple[str, ...] = ()
    """Every finding code of a refusal (the refusal's own code when it has no findings)."""
    message: str = ""
    findings: tuple[dict[str, Any], ...] = ()
    answer: dict[str, Any] = field(default_factory=dict)
    """The whole JSON answer."""

    def line(self, name: str) -> str:
        """One line for people: ``name: accepted id 12`` or ``name: refused DF-…``."""
        if self.accepted:
            return f"{name}: accepted id {self.id}" + (" (resend)" if self.duplicate else "")
        return f"{name}: refused {' '.join(self.codes)} — {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.answer, http_status=self.http_status)


def status_message(document: bytes, *, sender: str, sender_name: str | None,
                   code: StatusCode, description: str | None = None,
                   at: dt.datetime | None = None) -> bytes:
    """The edXML status message from ``sender`` answering ``document`` with ``code``.

    Parameters
    ----------
    document
        The document message answered, as fetched from the axis.
    sender, sender_name
        The answering agency's organ code and name.
    code
        The status.
    description
        ``Description``; the code's Vietnamese wording by default.
    at
        ``Timestamp``; now by default (written in Vietnam time).

    Raises
    ------
    InputError
        ``DF-AXS-006`` when ``document`` is not a document message.
    """
    model = parse_envelope(document).model
    if not isinstance(model, Envelope):
        raise InputError("DF-AXS-006", "a status answers a document message, not a status")
    when = (at or dt.datetime.now(dt.UTC)).astimezone(VIETNAM)
    status = StatusMessage(
        response_for=ResponseFor(organ_id=model.sender.organ_id, code=str(model.code),
                                 promulgation_date=model.promulgation_info.promulgation_date,
                                 document_id=model.document_id),
        sender=Organization(organ_id=sender, organ_name=sender_name or None),
        status_code=code, description=description or code.description,
        timestamp=format_timestamp(when))
    return build(status)


class Client:
    """One agency's connection to the axis at ``url``.

    Parameters
    ----------
    url
        The server, ``https://127.0.0.1:8443``.
    pki
        The ``docflow pki init`` folder holding the agency's TLS client certificate.
    organ_code
        The agency the client speaks for (``--as``).
    timeout
        Seconds for connecting and for each answer.
    passphrase
        For a PKI folder whose keys are encrypted (``pki init --passphrase-file``).
    """

    def __init__(self, url: str, pki: str | Path, organ_code: str, *,
                 timeout: float = 60.0, passphrase: bytes | None = None) -> None:
        self.url = url.rstrip("/")
        self.organ_code = organ_code
        self.directory = read_directory(pki)
        self._http = httpx.Client(base_url=self.url,
                                  verify=tls_context(self.directory, organ_code,
                                                     passphrase),
                                  timeout=timeout)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise InputError("DF-AXS-010", f"{method} {self.url}{path}: "
                             f"{type(exc).__name__}: {exc}", Location(key="--url")) from None

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise InputError("DF-AXS-011", f"HTTP {response.status_code} with a body that is "
                             "not a JSON object", Location(key="--url"))
        return body

    def _ok(self, response: httpx.Response) -> dict[str, Any]:
        body = self._json(response)
        if response.status_code != 200:
            code = body.get("code")
            raise InputError(code if isinstance(code, str) and code.startswith("DF-AXS-")
                             and code in CATALOGUE else "DF-AXS-011",
                             f"HTTP {response.status_code}: {body.get('message', '')}",
                             Location(key="--url"))
        return body

    def send(self, data: bytes) -> SendResult:
        """Send one edXML message (a document or a status); a refusal is a result, not an
        exception."""
        response = self._request("POST", "/messages", content=data,
                                 headers={"content-type": "application/xml"})
        body = self._json(response)
        if response.status_code in (200, 201) and body.get("accepted") is True \
                and isinstance(body.get("id"), int):
            return SendResult(True, response.status_code, body["id"],
                              bool(body.get("duplicate")), answer=body)
        code = body.get("code")
        if not isinstance(code, str):
            raise InputError("DF-AXS-011", f"HTTP {response.status_code} without a code",
                             Location(key="--url"))
        codes = tuple(str(c) for c in body.get("codes") or [code])
        findings = tuple(f for f in body.get("findings") or [] if isinstance(f, dict))
        return SendResult(False, response.status_code, code=code, codes=codes,
                          message=str(body.get("message", "")), findings=findings,
                          answer=body)

    def inbox(self, limit: int = 1000) -> list[dict[str, Any]]:
        """What waits for this agency, oldest first."""
        return list(self._ok(self._request("GET", "/messages/inbox",
                                           params={"limit": limit}))["messages"])

    def sent(self, limit: int = 1000) -> list[dict[str, Any]]:
        """What this agency sent, newest first, with each receiver's latest status."""
        return list(self._ok(self._request("GET", "/messages/sent",
                                           params={"limit": limit}))["messages"])

    def agencies(self) -> list[dict[str, Any]]:
        """The axis's directory."""
        return list(self._ok(self._request("GET", "/agencies"))["agencies"])

    def get(self, message_id: int) -> bytes:
        """The bytes of one message sent by or to this agency.

        Raises
        ------
        InputError
            ``DF-AXS-007`` when there is no such message for this agency.
        """
        response = self._request("GET", f"/messages/{int(message_id)}")
        if response.status_code == 200:
            return response.content
        self._ok(response)
        raise AssertionError("unreachable")

    def status(self, message_id: int, code: StatusCode,
               description: str | None = None) -> SendResult:
        """Answer the document ``message_id`` with a status message (``03`` accepted, …)."""
        document = self.get(message_id)
        entry = self.directory.agencies.get(self.organ_code)
        data = status_message(document, sender=self.organ_code,
                              sender_name=entry.name if entry else None, code=code,
                              description=description)
        return self.send(data)

