"""docflow.pki.tsa: the local RFC 3161 timestamp authority, in-process and over HTTP."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import urllib.request
from collections.abc import Iterator

import pytest
from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from docflow.errors import InputError, UsageError
from docflow.pdf import der
from docflow.pki.roles import Role
from docflow.pki.tsa import (
    TSA_POLICY,
    TimestampAuthority,
    TimeStampResp,
    remote_timestamper,
    timestamp_request,
)
from docflow.pki.tsa_server import TsaServer, make_server
from tests.pdf.making import ORGAN, pki, tsa

AT = dt.datetime(2025, 7, 1, 2, 0, 0, tzinfo=dt.UTC)
DIGEST = hashlib.sha256(b"signature value").digest()


def _verify_token(token: bytes, digest: bytes) -> tsp.TSTInfo:
    """Check a token the way a relying party does: the TSTInfo's imprint, the CMS message
    digest over the TSTInfo, and the TSA's signature over the signed attributes."""
    signed = cms.ContentInfo.load(token)["content"]
    assert signed["encap_content_info"]["content_type"].native == "tst_info"
    info_der = signed["encap_content_info"]["content"].parsed.dump()
    info = signed["encap_content_info"]["content"].parsed
    assert bytes(info["message_imprint"]["hashed_message"].native) == digest
    signer = signed["signer_infos"][0]
    attrs = {a["type"].native: a["values"][0].native for a in signer["signed_attrs"]}
    assert attrs["message_digest"] == hashlib.sha256(info_der).digest()
    assert attrs["content_type"] == "tst_info"
    cert = x509.load_der_x509_certificate(signed["certificates"][0].chosen.dump())
    signed_attrs = signer["signed_attrs"].untag().dump()
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(bytes(signer["signature"].native), signed_attrs, ec.ECDSA(hashes.SHA256()))
    return info


def test_the_tsa_certificate_is_for_timestamping_only_and_critical() -> None:
    cert = pki().tsa().certificate
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert cert.issuer == pki().root.subject


def test_a_token_carries_the_imprint_the_time_and_a_valid_tsa_signature() -> None:
    token = tsa().stamp(DIGEST, at=AT, nonce=42)
    info = _verify_token(token, DIGEST)
    assert info["gen_time"].native == AT
    assert info["policy"].native == TSA_POLICY
    assert info["nonce"].native == 42
    assert tsa().stamp(DIGEST, at=AT, nonce=42) == token  # deterministic
    other = _verify_token(tsa().stamp(DIGEST, at=AT + dt.timedelta(seconds=1)), DIGEST)
    assert other["serial_number"].native != info["serial_number"].native


def test_a_certificate_without_the_timestamping_usage_cannot_be_a_tsa() -> None:
    key, cert, _ = pki().credentials_for(ORGAN, Role.ORGAN)
    with pytest.raises(UsageError) as caught:
        TimestampAuthority(key, cert)
    assert caught.value.code == "DF-PDF-015"


def test_a_request_is_answered_with_a_granted_response() -> None:
    answer = TimeStampResp.load(tsa().respond(timestamp_request(DIGEST, 7), at=AT))
    assert answer["status"]["status"].native == "granted"
    info = _verify_token(answer["time_stamp_token"].dump(), DIGEST)
    assert info["nonce"].native == 7


@pytest.mark.parametrize(("request_der", "failure"), [
    (b"\x30\x03\x02\x01\x01", "bad_data_format"),
    (b"not DER at all", "bad_data_format"),
    (timestamp_request(DIGEST[:20], 1), "bad_data_format"),  # 20 bytes is no SHA-256
    (der.sequence(der.integer(1), der.sequence(der.sequence(der.oid("1.2.840.113549.2.5")),
                                               der.octet_string(hashlib.md5(b"x").digest()))),
     "bad_alg"),  # MD5
])
def test_a_bad_request_is_rejected_with_its_reason(request_der: bytes, failure: str) -> None:
    answer = TimeStampResp.load(tsa().respond(request_der, at=AT))
    assert answer["status"]["status"].native == "rejection"
    assert failure in answer["status"]["fail_info"].native
    assert not answer["time_stamp_token"]


@pytest.fixture
def server() -> Iterator[TsaServer]:
    """A real HTTP TSA on a free loopback port, in a thread, shut down afterwards."""
    srv = make_server(tsa(), clock=lambda: AT)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def test_the_remote_timestamper_gets_a_token_over_http(server: TsaServer) -> None:
    url = f"http://127.0.0.1:{server.server_port}"
    token = remote_timestamper(url, nonce=lambda: 99)(b"signature value")
    info = _verify_token(token, DIGEST)
    assert info["nonce"].native == 99 and info["gen_time"].native == AT


def test_the_server_refuses_get_and_oversized_bodies(server: TsaServer) -> None:
    url = f"http://127.0.0.1:{server.server_port}"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=5)
    assert caught.value.code == 405
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(urllib.request.Request(url, data=b"x" * 20000), timeout=5)
    assert caught.value.code == 413


def test_an_unreachable_or_wrong_tsa_is_a_coded_error(server: TsaServer) -> None:
    with pytest.raises(InputError) as caught:
        remote_timestamper("http://127.0.0.1:9", timeout=2)(b"v")
    assert caught.value.code == "DF-PDF-013"
    # A TSA that answers for another nonce (a replayed or mixed-up answer) is refused.
    url = f"http://127.0.0.1:{server.server_port}"
    with pytest.raises(InputError) as caught:
        from docflow.pki import tsa as module

        module._check_reply(tsa().respond(timestamp_request(DIGEST, 1), at=AT), DIGEST, 2,
                            module.Location(key=url))
    assert caught.value.code == "DF-PDF-013" and "another request" in caught.value.message
