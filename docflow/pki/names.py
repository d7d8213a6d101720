"""Distinguished names of the test PKI's certificates.

Subjects carry what a verifier shows and what a role mapping matches on: the agency's organ code
in ``organizationIdentifier`` (2.5.4.97, the attribute eIDAS certificates use for an
organisation's registry identifier) and its Vietnamese name as UTF8String in ``O`` and ``CN``.
A person certificate adds ``title``. RFC 5280's upper bound of 64 on these attributes
is kept by shortening a longer name with an ellipsis: 64 characters in ``O``, 64 UTF-8 bytes in
``CN`` (cryptography counts bytes there, and a Vietnamese letter takes two or three). The full
name stays in the index that ``pki init`` writes.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

__all__ = ["PKI_ORGANISATION", "ca_name", "organ_name", "root_name", "shorten", "signer_name",
           "tsa_name"]

PKI_ORGANISATION = "docflow – hạ tầng khóa công khai thử nghiệm"
"""The O of the CAs: says plainly that this is a test PKI, not the Government CA."""

SIGNER_TITLE = "Người có thẩm quyền ký"
"""The title of a person certificate: the competent person who signs for the agency."""

_UB = 64
"""RFC 5280 Appendix A upper bound (ub-common-name, ub-organization-name) in characters."""


def shorten(text: str, limit: int = _UB, *, utf8: bool = False) -> str:
    """``text`` cut to ``limit`` characters (UTF-8 bytes if ``utf8``), with an ellipsis when cut.

    Examples
    --------
    >>> shorten("Ủy ban nhân dân tỉnh Hà Nội")
    'Ủy ban nhân dân tỉnh Hà Nội'
    >>> len(shorten("x" * 80))
    64
    >>> shorten("Ủy ban nhân dân xã Minh Châu, huyện Ba Vì, thành phố Hà Nội", utf8=True)
    'Ủy ban nhân dân xã Minh Châu, huyện Ba Vì, thành ph…'
    """
    text = " ".join(text.split())
    if len(text) <= (limit // 3 if utf8 else limit):
        return text  # fast path: short enough whatever the encoding (≤ 3 bytes a letter here)
    size = (lambda s: len(s.encode("utf-8"))) if utf8 else len
    if size(text) <= limit:
        return text
    cut = limit - size("…")
    while size(text[:cut]) > limit - size("…"):
        cut -= 1
    return text[:cut].rstrip(" ,") + "…"


def root_name() -> x509.Name:
    """The root CA's name."""
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, PKI_ORGANISATION),
        x509.NameAttribute(NameOID.COMMON_NAME, "docflow Root CA thử nghiệm"),
    ])


def tsa_name() -> x509.Name:
    """The timestamp authority's name."""
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, PKI_ORGANISATION),
        x509.NameAttribute(NameOID.COMMON_NAME, "docflow TSA thử nghiệm"),
    ])


def ca_name(hub_id: str, hub_name: str) -> x509.Name:
    """The name of the sub-CA of a hub (the national axis, a province's or a ministry's)."""
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, PKI_ORGANISATION),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, shorten(hub_id)),
        x509.NameAttribute(NameOID.COMMON_NAME, shorten(f"CA thử nghiệm {hub_name}", utf8=True)),
    ])


def organ_name(organ_code: str, name: str) -> x509.Name:
    """The subject of an agency's organ certificate."""
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, shorten(name)),
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organ_code),
        x509.NameAttribute(NameOID.COMMON_NAME, shorten(name, utf8=True)),
    ])


def signer_name(organ_code: str, name: str) -> x509.Name:
    """The subject of the person certificate of an agency's signer."""
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, shorten(name)),
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organ_code),
        x509.NameAttribute(NameOID.TITLE, SIGNER_TITLE),
        x509.NameAttribute(NameOID.COMMON_NAME, shorten(f"Người ký – {name}", utf8=True)),
    ])
