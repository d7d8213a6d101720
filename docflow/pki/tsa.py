"""A local RFC 3161 timestamp authority, its client, and what PAdES B-T asks of both.

A PAdES B-T signature carries, in its CMS's unsigned attributes, a timestamp token over its
signature value: proof that the signature existed at the TSA's time, whatever the signer's
clock said. :class:`TimestampAuthority` issues such tokens in-process (the simulator and the
tests) and answers DER timestamp requests (``docflow pki tsa serve``, in
:mod:`docflow.pki.tsa_server`); :func:`remote_timestamper` asks a TSA over HTTP
(``docflow sign --tsa URL``) and checks that the answer is a token for what was asked.

A token is a CMS SignedData (:func:`docflow.pdf.cms_writer.signed_data`) whose content is the
TSTInfo: policy, message imprint, serial number, time, nonce. The TSA's certificate has a
critical extendedKeyUsage of timeStamping alone (``docflow pki init`` issues it), and the
authority refuses a certificate without it. Time is passed in: the same request at the same
time gives the same token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms as asn1_cms
from asn1crypto import core, tsp
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from docflow.errors import InputError, Location, UsageError
from docflow.pdf.cms_writer import TST_INFO, digest_name, signed_data
from docflow.pdf.der import integer, octet_string, oid, sequence, tlv
from docflow.pki.keys import PrivateKey
from docflow.pki.roles import DOCFLOW_ARC

__all__ = ["TSA_POLICY", "TimeStampResp", "TimestampAuthority", "read_tsa",
           "remote_timestamper", "timestamp_request"]

TSA_POLICY = f"{DOCFLOW_ARC}.2.1"
"""The TSA policy docflow's authority stamps under (its private arc, see pki.roles)."""

_HASHES = {"sha256": ("2.16.840.1.101.3.4.2.1", 32), "sha384": ("2.16.840.1.101.3.4.2.2", 48),
           "sha512": ("2.16.840.1.101.3.4.2.3", 64)}
_MAX_REQUEST = 16 * 1024


class TimeStampResp(core.Sequence):
    """RFC 3161 §2.4.2 TimeStampResp, its token optional as the RFC has it (asn1crypto's
    own class requires the token, so it cannot read a rejection)."""

    _fields = [("status", tsp.PKIStatusInfo),  # noqa: RUF012 - asn1crypto's class protocol
               ("time_stamp_token", asn1_cms.ContentInfo, {"optional": True})]


def _imprint(algorithm: str, digest: bytes) -> bytes:
    return sequence(sequence(oid(_HASHES[algorithm][0])), octet_string(digest))


def timestamp_request(digest: bytes, nonce: int, algorithm: str = "sha256") -> bytes:
    """A DER TimeStampReq for ``digest`` asking for the TSA's certificate (``certReq``)."""
    return sequence(integer(1), _imprint(algorithm, digest), integer(nonce), b"\x01\x01\xff")


@dataclass(frozen=True, slots=True)
class TimestampAuthority:
    """An RFC 3161 authority: its key, its certificate, the CAs to carry, its policy."""

    key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()
    policy: str = TSA_POLICY
    """The policy OID in every token; a request for another policy is refused."""

    def __post_init__(self) -> None:
        try:
            eku = self.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
        except x509.ExtensionNotFound:
            eku = None
        if eku is None or not eku.critical or list(eku.value) != [
                ExtendedKeyUsageOID.TIME_STAMPING]:
            raise UsageError("DF-PDF-015", "the TSA certificate "
                             f"{self.certificate.subject.rfc4514_string()} lacks a critical "
                             "extendedKeyUsage of timeStamping alone (RFC 3161 §2.3)")

    def stamp(self, digest: bytes, *, at: dt.datetime, algorithm: str = "sha256",
              nonce: int | None = None, with_certificates: bool = True) -> bytes:
        """The DER TimeStampToken for the message imprint ``digest`` at time ``at``.

        The serial number is derived from the imprint and the time, so it is unique for
        every different stamp and the same for the same one.
        """
        if at.tzinfo is None:
            raise ValueError("the timestamp time must be timezone-aware")
        when = at.astimezone(dt.UTC).strftime("%Y%m%d%H%M%SZ").encode("ascii")
        serial = int.from_bytes(hashlib.sha256(digest + when).digest()[:8], "big") >> 1
        fields = [integer(1), oid(self.policy), _imprint(algorithm, digest), integer(serial),
                  tlv(0x18, when), sequence(integer(1))]  # accuracy: one second
        if nonce is not None:
            fields.append(integer(nonce))
        tst_info = sequence(*fields)
        token = signed_data(self.key, [self.certificate, *self.chain],
                            hashlib.new(digest_name(self.key), tst_info).digest(),
                            content_type=TST_INFO, content=tst_info)
        return token.dump() if with_certificates else token.without_certificates().dump()

    def timestamper(self, at: dt.datetime) -> Callable[[bytes], bytes]:
        """What :func:`docflow.profile.nd30_sign.sign_document` takes for B-T: stamps the
        SHA-256 of a signature value at ``at``."""
        return lambda value: self.stamp(hashlib.sha256(value).digest(), at=at)

    def respond(self, request: bytes, *, at: dt.datetime) -> bytes:
        """The DER TimeStampResp to the DER TimeStampReq ``request``: granted with a token,
        or a rejection (badAlg, badRequest, badDataFormat, unacceptedPolicy) saying why."""
        try:
            digest, algorithm, nonce, cert_req = _parse_request(request, self.policy)
        except _Rejected as exc:
            # PKIStatusInfo: rejection (2), the reason as text, and the PKIFailureInfo bit.
            bits = bytearray(exc.bit // 8 + 1)
            bits[exc.bit // 8] = 0x80 >> (exc.bit % 8)
            failure = tlv(0x03, bytes([7 - exc.bit % 8]) + bytes(bits))
            text = tlv(0x0C, str(exc).encode("utf-8"))
            return sequence(sequence(integer(2), sequence(text), failure))
        token = self.stamp(digest, at=at, algorithm=algorithm, nonce=nonce,
                           with_certificates=cert_req)
        return sequence(sequence(integer(0)), token)


class _Rejected(Exception):
    def __init__(self, bit: int, message: str) -> None:
        super().__init__(message)
        self.bit = bit


def _parse_request(request: bytes, policy: str) -> tuple[bytes, str, int | None, bool]:
    """(digest, hash name, nonce, certReq) of a TimeStampReq, or :class:`_Rejected`."""
    if len(request) > _MAX_REQUEST:
        raise _Rejected(5, "the request is too large")
    try:
        req = tsp.TimeStampReq.load(request, strict=True)
        version = req["version"].native
        imprint = req["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        digest = bytes(imprint["hashed_message"].native)
        asked = req["req_policy"].native
        nonce = req["nonce"].native
        cert_req = bool(req["cert_req"].native)
    except (ValueError, TypeError, KeyError):
        raise _Rejected(5, "the request is not a DER TimeStampReq") from None
    if version != "v1":
        raise _Rejected(2, "only version 1 requests are answered")
    if algorithm not in _HASHES:
        raise _Rejected(0, f"hash algorithm {algorithm} is not accepted")
    if len(digest) != _HASHES[algorithm][1]:
        raise _Rejected(5, f"the imprint is not a {algorithm} digest")
    if asked is not None and asked != policy:
        raise _Rejected(15, f"policy {asked} is not this TSA's")
    return digest, algorithm, nonce, cert_req


def read_tsa(folder: str | Path) -> TimestampAuthority:
    """The timestamp authority of the PKI folder ``folder`` (``docflow pki init``).

    Raises
    ------
    UsageError
        ``DF-PDF-015`` when the PKI has no TSA (an older folder: run ``pki init`` again).
    """
    from docflow.pki.index import read_index
    from docflow.pki.io import read_certificates, read_private_key

    base = Path(folder)
    entry = read_index(base).meta.get("tsa")
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str)
                                               for k in ("cert", "key")):
        raise UsageError("DF-PDF-015", f"the PKI in {folder} has no timestamp authority; "
                         "issue it again with 'docflow pki init'", Location(file=str(base)))
    certs = read_certificates(str(base / entry["cert"]))
    return TimestampAuthority(read_private_key(str(base / entry["key"]), None), certs[0])


def remote_timestamper(url: str, *, timeout: float = 10.0,
                       nonce: Callable[[], int] | None = None) -> Callable[[bytes], bytes]:
    """A B-T timestamper that asks the TSA at ``url`` (HTTP POST, RFC 3161 §3.4).

    The answer must be granted and hold a token whose imprint and nonce are the request's;
    anything else is ``DF-PDF-013`` naming the URL.
    """
    def fetch(value: bytes) -> bytes:
        digest = hashlib.sha256(value).digest()
        number = nonce() if nonce else int.from_bytes(os.urandom(8), "big") >> 1
        body = timestamp_request(digest, number)
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/timestamp-query"})
        where = Location(key=url)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                reply = answer.read(1 << 20)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise InputError("DF-PDF-013", f"the TSA cannot be reached: {exc}",
                             where) from None
        return _check_reply(reply, digest, number, where)

    return fetch


def _check_reply(reply: bytes, digest: bytes, nonce: int, where: Location) -> bytes:
    try:
        response = TimeStampResp.load(reply, strict=True)
        status = response["status"]["status"].native
        token = response["time_stamp_token"]
        if status not in ("granted", "granted_with_mods") or not token:
            text = response["status"]["status_string"].native
            raise InputError("DF-PDF-013", f"the TSA refused: {status}"
                             + (f" ({'; '.join(text)})" if text else ""), where)
        signed = token["content"]
        info = signed["encap_content_info"]["content"].parsed
        if bytes(info["message_imprint"]["hashed_message"].native) != digest \
                or info["nonce"].native != nonce:
            raise InputError("DF-PDF-013", "the TSA's token is for another request", where)
        return bytes(token.dump())
    except InputError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError):
        raise InputError("DF-PDF-013", "the TSA's answer is not a DER TimeStampResp",
                         where) from None


def certificates_of(token: bytes) -> Sequence[x509.Certificate]:
    """The certificates a DER TimeStampToken carries (for tests and diagnostics)."""
    signed = asn1_cms.ContentInfo.load(token)["content"]
    return [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"]]
