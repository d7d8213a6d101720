"""The axis service over real HTTP and real mutual TLS: who may send what, what gets in, what
each agency sees. One live server (its own process, SQLite) serves the whole module."""

from __future__ import annotations

import itertools
import socket
import ssl
from pathlib import Path

import httpx
import pytest

from docflow.axis import Client
from docflow.axis.client import status_message
from docflow.envelope.status import StatusCode
from docflow.errors import InputError
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from tests.security.attack import ed, edit, without_organ_signature

from .live import G22, H49, SNV, XA, Server, signed_document

_serials = itertools.count(100)


def _doc(pki: NationalPki, sender: str, receivers: list[str], **kwargs: object) -> bytes:
    return signed_document(pki, sender, receivers, next(_serials), **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server(pki_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> object:
    """A live axis with a small size limit (64 KiB), so that the limit is easy to pass."""
    live = Server(pki_dir, str(tmp_path_factory.mktemp("axis-db") / "axis.sqlite"),
                  extra=("--max-size", "65536")).start()
    try:
        yield live
    finally:
        live.stop()


def _client(server: Server, pki_dir: Path, code: str) -> Client:
    return Client(server.url, pki_dir, code, timeout=30)


def test_one_agency_sends_another_fetches_and_answers(server: Server, pki_dir: Path,
                                                      pki: NationalPki) -> None:
    """The integrator's loop: a signed document sent as its sender waits in its receiver's
    inbox, comes back byte for byte, and the receiver's status reaches the sender."""
    document = _doc(pki, H49, [SNV])
    with _client(server, pki_dir, H49) as h49, _client(server, pki_dir, SNV) as snv:
        sent = h49.send(document)
        assert sent.accepted and sent.http_status == 201 and not sent.duplicate
        waiting = [m for m in snv.inbox() if m["id"] == sent.id]
        assert waiting and waiting[0]["from"] == H49 and waiting[0]["kind"] == "document"
        assert snv.get(sent.id) == document
        answer = snv.status(sent.id, StatusCode.ACCEPTED)
        assert answer.accepted and answer.answer["receivers"] == [H49]
        assert all(m["id"] != sent.id for m in snv.inbox())  # answered: no longer waiting
        statuses = [m for m in h49.inbox() if m["response_for"] == sent.answer["document_id"]]
        assert [s["status_code"] for s in statuses] == ["03"]
        mine = next(m for m in h49.sent() if m["id"] == sent.id)
        assert mine["receivers"] == [{"organ_id": SNV, "waiting": False, "status_code": "03"}]
        # Fetching the status message ends its wait.
        h49.get(statuses[0]["id"])
        assert all(m["id"] != statuses[0]["id"] for m in h49.inbox())


def test_a_resend_is_recognised_not_stored_twice(server: Server, pki_dir: Path,
                                                 pki: NationalPki) -> None:
    document = _doc(pki, H49, [G22])
    with _client(server, pki_dir, H49) as h49, _client(server, pki_dir, G22) as g22:
        first, again = h49.send(document), h49.send(document)
        assert first.accepted and again.accepted and again.duplicate
        assert (again.id, again.http_status) == (first.id, 200)
        assert [m["id"] for m in g22.inbox()].count(first.id) == 1
        assert [m["id"] for m in h49.sent()].count(first.id) == 1


def test_another_message_under_a_held_document_id_is_refused(server: Server, pki_dir: Path,
                                                             pki: NationalPki) -> None:
    serial = next(_serials)
    first = signed_document(pki, H49, [SNV], serial)
    other = signed_document(pki, H49, [SNV], serial, size=700)  # same number and date
    with _client(server, pki_dir, H49) as h49:
        assert h49.send(first).accepted
        refused = h49.send(other)
    assert not refused.accepted and refused.http_status == 409
    assert refused.codes == ("DF-AXS-008",)


def test_an_agency_cannot_send_as_another(server: Server, pki_dir: Path,
                                          pki: NationalPki) -> None:
    """A genuine, valid message of H49 sent over SNV's TLS identity is refused (403), and
    nobody receives it."""
    document = _doc(pki, H49, [XA])
    with _client(server, pki_dir, SNV) as snv, _client(server, pki_dir, XA) as xa:
        refused = snv.send(document)
        assert not refused.accepted and refused.http_status == 403
        assert refused.code == "DF-AXS-003"
        assert xa.inbox() == []


def test_a_receiver_sees_only_what_is_addressed_to_it(server: Server, pki_dir: Path,
                                                      pki: NationalPki) -> None:
    with _client(server, pki_dir, H49) as h49, _client(server, pki_dir, XA) as xa:
        sent = h49.send(_doc(pki, H49, [SNV]))
        assert sent.accepted and sent.id is not None
        assert all(m["id"] != sent.id for m in xa.inbox())
        with pytest.raises(InputError, match="DF-AXS-007"):
            xa.get(sent.id)
        with pytest.raises(InputError, match="DF-AXS-007"):
            xa.get(10**9)
        # A third party cannot answer it either.
        refused = xa.send(status_message(h49.get(sent.id), sender=XA, sender_name="Xã",
                                         code=StatusCode.ACCEPTED))
        assert refused.codes == ("DF-AXS-006",)


@pytest.mark.parametrize("damage, codes", [
    (lambda d: edit(d, lambda r: setattr(next(r.iter(ed("Subject"))), "text", "Đã sửa")),
     {"DF-SIG-011"}),
    (lambda d: edit(d, lambda r: setattr(next(r.iter(ed("To"))).find(ed("OrganId")), "text",
                                         "000.01.12.H49")), {"DF-SIG-011"}),
    (without_organ_signature, {"DF-SIG-028"}),
], ids=["subject-changed", "redirected", "organ-signature-stripped"])
def test_a_forged_or_unsigned_document_is_refused_and_not_stored(
        server: Server, pki_dir: Path, pki: NationalPki, damage: object, codes: set[str]
) -> None:
    """Changed after signing, or stripped of the organ's signature: refused with the
    verifier's codes, and nothing reaches the receivers."""
    forged = damage(_doc(pki, H49, [SNV]))  # type: ignore[operator]
    with _client(server, pki_dir, H49) as h49, _client(server, pki_dir, XA) as xa:
        before = len(h49.sent())
        refused = h49.send(forged)
        assert not refused.accepted and refused.http_status == 422
        assert refused.code == "DF-AXS-005" and codes <= set(refused.codes)
        assert all(f["code"] in refused.codes for f in refused.findings)
        assert len(h49.sent()) == before and xa.inbox() == []


def test_a_message_signed_by_another_agency_is_refused(server: Server, pki_dir: Path,
                                                       pki: NationalPki) -> None:
    """SNV signs a message that says From H49 and sends it as H49 could not: the verifier
    binds the organ's certificate to From (DF-SIG-024), whoever calls."""
    forged = signed_document(pki, H49, [XA], next(_serials), organ=False)
    from security.attack import sign_as

    from docflow.dsig import Signer

    key, cert, chain = pki.credentials_for(SNV, Role.ORGAN)
    # docflow's sign_message refuses another agency's certificate (DF-SIG-024); an attacker's
    # own software does not.
    forged = sign_as(forged, Signer(key, [cert, *chain]), Role.ORGAN.value)
    with _client(server, pki_dir, H49) as h49:
        refused = h49.send(forged)
    assert not refused.accepted and "DF-SIG-024" in refused.codes


@pytest.mark.parametrize("body, code", [
    (b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY a "aaaa">]><edXML>&a;</edXML>',
     "DF-XML-002"),
    (b"<edXML><unclosed>", "DF-XML-006"),
    (b"not xml at all", "DF-XML-001"),
    (b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>', "DF-ENV-004"),
], ids=["dtd", "truncated", "not-xml", "empty-edxml"])
def test_bad_input_is_refused_with_its_code(server: Server, pki_dir: Path, body: bytes,
                                            code: str) -> None:
    with _client(server, pki_dir, H49) as h49:
        refused = h49.send(body)
    assert not refused.accepted and refused.http_status == 422 and code in refused.codes


def test_unknown_receivers_are_refused(server: Server, pki_dir: Path, pki: NationalPki) -> None:
    with _client(server, pki_dir, H49) as h49:
        refused = h49.send(_doc(pki, H49, ["000.00.77.H49"]))
    assert refused.codes == ("DF-AXS-004",) and refused.answer["receivers"] == ["000.00.77.H49"]


def test_a_status_for_no_held_document_is_refused(server: Server, pki_dir: Path,
                                                  pki: NationalPki) -> None:
    never_sent = _doc(pki, H49, [SNV])
    with _client(server, pki_dir, SNV) as snv:
        refused = snv.send(status_message(never_sent, sender=SNV, sender_name="Sở",
                                          code=StatusCode.ARRIVED))
    assert refused.codes == ("DF-AXS-006",)


def test_the_api_needs_a_client_certificate_of_the_tls_ca(server: Server, pki_dir: Path,
                                                          pki: NationalPki,
                                                          tmp_path: Path) -> None:
    """No certificate: 401 DF-AXS-002 on the API (the status page stays open). An agency's
    signing certificate, from the signing PKI, cannot even finish the handshake."""
    anonymous = ssl.create_default_context(cafile=str(pki_dir / "tls" / "ca.pem"))
    with httpx.Client(base_url=server.url, verify=anonymous) as http:
        answer = http.get("/messages/inbox")
        assert answer.status_code == 401 and answer.json()["code"] == "DF-AXS-002"
        assert http.post("/messages", content=b"<x/>",
                         headers={"content-type": "application/xml"}).status_code == 401
        assert http.get("/").status_code == 200
    from cryptography.hazmat.primitives.serialization import Encoding

    from docflow.pki.io import key_pem

    key, cert, _ = pki.credentials_for(H49, Role.ORGAN)
    (tmp_path / "organ.pem").write_bytes(cert.public_bytes(Encoding.PEM))
    (tmp_path / "organ.key").write_bytes(key_pem(key))
    wrong = ssl.create_default_context(cafile=str(pki_dir / "tls" / "ca.pem"))
    wrong.load_cert_chain(str(tmp_path / "organ.pem"), str(tmp_path / "organ.key"))
    with httpx.Client(base_url=server.url, verify=wrong) as http, \
            pytest.raises(httpx.TransportError):
        http.get("/messages/inbox")


def _raw_request(server: Server, pki_dir: Path, head: bytes, body: bytes = b"") -> bytes:
    """Send bytes over a TLS connection as H49 and return what the server answers."""
    context = ssl.create_default_context(cafile=str(pki_dir / "tls" / "ca.pem"))
    base = pki_dir / "agencies" / "lgsp-h49" / f"{H49}"
    context.load_cert_chain(f"{base}.tls.pem", f"{base}.tls.key")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall(head + body)
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
        return answer


def test_an_oversized_body_is_refused_from_its_length_before_it_is_read(
        server: Server, pki_dir: Path) -> None:
    """Content-Length above the limit: 413 DF-AXS-001 with no byte of the body sent."""
    answer = _raw_request(server, pki_dir, b"POST /messages HTTP/1.1\r\nHost: axis\r\n"
                          b"Content-Type: application/xml\r\nContent-Length: 10000000\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413") and b"DF-AXS-001" in answer


def test_a_chunked_body_is_cut_off_at_the_limit(server: Server, pki_dir: Path) -> None:
    chunk = b"<" * 40000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)) + b"0\r\n\r\n"
    answer = _raw_request(server, pki_dir, b"POST /messages HTTP/1.1\r\nHost: axis\r\n"
                          b"Content-Type: application/xml\r\nTransfer-Encoding: chunked\r\n"
                          b"Connection: close\r\n\r\n", body)
    assert answer.startswith(b"HTTP/1.1 413") and b"DF-AXS-001" in answer


def test_a_head_that_never_ends_is_cut_off_by_the_http_layer(server: Server,
                                                              pki_dir: Path) -> None:
    """A request head still growing past 16 KiB (never finished) is refused by h11 rather
    than buffered without end."""
    answer = _raw_request(server, pki_dir, b"GET /healthz HTTP/1.1\r\nHost: axis\r\nX-Big: "
                          + b"a" * 40000)
    assert answer.startswith(b"HTTP/1.1 431") or answer.startswith(b"HTTP/1.1 400")


def test_not_xml_media_type_is_refused(server: Server, pki_dir: Path) -> None:
    answer = _raw_request(server, pki_dir, b"POST /messages HTTP/1.1\r\nHost: axis\r\n"
                          b"Content-Type: text/plain\r\nContent-Length: 4\r\n"
                          b"Connection: close\r\n\r\n", b"<x/>")
    assert answer.startswith(b"HTTP/1.1 415") and b"DF-AXS-009" in answer


def test_directory_and_openapi(server: Server, pki_dir: Path) -> None:
    with _client(server, pki_dir, G22) as g22:
        agencies = {a["organ_id"]: a for a in g22.agencies()}
    assert set(agencies) == {G22, H49, SNV, XA}
    assert agencies[H49]["name"] == "Ủy ban nhân dân tỉnh Quảng Nam"
    anonymous = ssl.create_default_context(cafile=str(pki_dir / "tls" / "ca.pem"))
    with httpx.Client(base_url=server.url, verify=anonymous) as http:
        document = http.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert {"/messages", "/messages/inbox", "/messages/sent", "/messages/{id}",
            "/agencies"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["mutualTLS"]["type"] == "mutualTLS"


def test_refusals_are_recorded_for_the_status_page(server: Server, pki_dir: Path) -> None:
    anonymous = ssl.create_default_context(cafile=str(pki_dir / "tls" / "ca.pem"))
    with _client(server, pki_dir, XA) as xa:
        xa.send(b"<a>")
    with httpx.Client(base_url=server.url, verify=anonymous) as http:
        page = http.get("/").text
    assert XA in page and "DF-XML-006" in page
