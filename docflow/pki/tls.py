"""The TLS certificates of the axis sandbox: who is who on the wire, apart from who signs.

``docflow axis serve`` authenticates agencies by mutual TLS. Its certificates come from a CA of
their own, a self-signed *TLS CA* beside the signing root, never under it:

* a signing certificate can never open a TLS session, nor a TLS certificate sign a document,
  since the server trusts the TLS CA alone for clients and the signature verifier the signing
  root alone (a sub-CA under the shared root would let every organ certificate, which has no
  clientAuth restriction OpenSSL would see, log in as a client);
* the **server certificate** names ``localhost``, ``127.0.0.1`` and ``::1`` (serverAuth);
* each agency's **client certificate** (clientAuth) carries the agency's organ code in
  ``organizationIdentifier``, as its signing certificates do: the server reads the caller's
  identity there and nowhere else.

TLS keys are ECDSA P-256 whatever the PKI's signing algorithm: they authenticate sessions, not
documents, and P-256 keys derive from the seed in microseconds where RSA keys take seconds.
Everything derives from the PKI's seed and issue time, so the same PKI gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import NamedTuple

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from docflow.pki import names
from docflow.pki.builder import Issuer, ca_certificate, leaf_certificate, sign
from docflow.pki.keys import KeyAlgorithm, PrivateKey, derive_bytes, derive_key
from docflow.pki.national import NationalPki

__all__ = ["SERVER_HOSTS", "TlsCredentials", "client_credentials", "organ_code_of",
           "server_credentials", "tls_ca"]

SERVER_HOSTS = ("localhost", "127.0.0.1", "::1")
"""The names the server certificate is valid for: the sandbox serves loopback only."""

_TLS_KEY_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=False, key_encipherment=False,
    data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
    encipher_only=False, decipher_only=False)
"""TLS 1.3 and ECDHE suites need digitalSignature alone."""


class TlsCredentials(NamedTuple):
    """A TLS key and its certificate (issued by :func:`tls_ca`)."""

    key: PrivateKey
    certificate: x509.Certificate


def _serial(pki: NationalPki, label: str) -> int:
    return int.from_bytes(derive_bytes(pki.seed, "serial/tls/" + label, 20), "big") >> 1 or 1


def _key(pki: NationalPki, label: str) -> PrivateKey:
    return derive_key(pki.seed, "tls/" + label, KeyAlgorithm.ECDSA_P256)


def _issuer(pki: NationalPki) -> Issuer:
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, names.PKI_ORGANISATION),
        x509.NameAttribute(NameOID.COMMON_NAME, "docflow TLS CA thử nghiệm (trục)"),
    ])
    return Issuer.from_key(name, _key(pki, "ca"))


def tls_ca(pki: NationalPki) -> TlsCredentials:
    """The self-signed CA that issues the axis's server and client certificates."""
    issuer = _issuer(pki)
    cert = ca_certificate(issuer.name, issuer.key.public_key(), issuer, _serial(pki, "ca"),
                          pki.at, pki.at + dt.timedelta(days=pki.validity.ca_days),
                          path_length=0, policies=())
    return TlsCredentials(issuer.key, cert)


def server_credentials(pki: NationalPki) -> TlsCredentials:
    """The axis server's key and certificate (serverAuth, for :data:`SERVER_HOSTS`)."""
    key = _key(pki, "server")
    issuer = _issuer(pki)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, names.PKI_ORGANISATION),
        x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
    ])
    alt = x509.SubjectAlternativeName(
        [x509.DNSName(SERVER_HOSTS[0])]
        + [x509.IPAddress(ipaddress.ip_address(h)) for h in SERVER_HOSTS[1:]])
    builder = x509.CertificateBuilder().subject_name(subject).issuer_name(issuer.name) \
        .public_key(key.public_key()).serial_number(_serial(pki, "server")) \
        .not_valid_before(pki.at) \
        .not_valid_after(pki.at + dt.timedelta(days=pki.validity.leaf_days)) \
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True) \
        .add_extension(_TLS_KEY_USAGE, critical=True) \
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False) \
        .add_extension(alt, critical=False) \
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False) \
        .add_extension(issuer.authority_key_id, critical=False)
    return TlsCredentials(key, sign(builder, issuer.key))


def client_credentials(pki: NationalPki, organ_code: str) -> TlsCredentials:
    """The TLS client key and certificate of the agency ``organ_code`` (clientAuth).

    Raises
    ------
    UsageError
        ``DF-PKI-027`` when the PKI has no such agency.
    """
    agency = pki.agency(organ_code)
    key = _key(pki, f"client/{organ_code}")
    cert = leaf_certificate(names.organ_name(organ_code, agency.name), key.public_key(),
                            _issuer(pki), _serial(pki, f"client/{organ_code}"), pki.at,
                            pki.at + dt.timedelta(days=pki.validity.leaf_days), policy=None,
                            key_usage=_TLS_KEY_USAGE,
                            extended_key_usage=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    return TlsCredentials(key, cert)


def organ_code_of(cert: x509.Certificate) -> str | None:
    """The organ code a TLS client certificate names, or ``None`` when it names none.

    Only a certificate with the clientAuth extended key usage and exactly one
    ``organizationIdentifier`` names an agency: a certificate for anything else, or one that
    could be read two ways, identifies nobody.

    Examples
    --------
    >>> import datetime as dt
    >>> from docflow.pki.national import Agency
    >>> pki = NationalPki.build([Agency("000.00.00.H49", "UBND tỉnh", "province", "H49")],
    ...                         seed=1, at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    >>> organ_code_of(client_credentials(pki, "000.00.00.H49").certificate)
    '000.00.00.H49'
    >>> organ_code_of(server_credentials(pki).certificate) is None
    True
    """
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    if ExtendedKeyUsageOID.CLIENT_AUTH not in usage:
        return None
    values = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
    if len(values) != 1 or not isinstance(values[0].value, str) or not values[0].value.strip():
        return None
    return values[0].value.strip()
