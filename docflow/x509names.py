"""Certificate names as people read them: ``organizationIdentifier=000.00.00.H49``, not
``2.5.4.97=000.00.00.H49``.

cryptography's ``rfc4514_string`` writes the attribute types RFC 4514 names (CN, O, C, …) by their
short names and every other one as a dotted OID. The certificates of Vietnam's PKI carry the
organ code in ``organizationIdentifier`` and a signer's function in ``title``, so a message, a
report or a JSON output that printed the raw form would show an auditor ``2.5.4.97`` and
``2.5.4.12``. This is the one place that turns a name into text for a reader; matching (role
mappings) keeps the RFC 4514 form, which is what a configuration is written against.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

__all__ = ["READABLE_NAMES", "readable_name"]

READABLE_NAMES: dict[x509.ObjectIdentifier, str] = {
    NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier",
    NameOID.TITLE: "title",
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.SURNAME: "SN",
    NameOID.GIVEN_NAME: "GN",
    NameOID.EMAIL_ADDRESS: "emailAddress",
    NameOID.LOCALITY_NAME: "L",
    NameOID.STATE_OR_PROVINCE_NAME: "ST",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.PSEUDONYM: "pseudonym",
    NameOID.USER_ID: "UID",
    NameOID.BUSINESS_CATEGORY: "businessCategory",
    NameOID.POSTAL_CODE: "postalCode",
    NameOID.STREET_ADDRESS: "street",
}
"""The attribute types a reader meets in Vietnamese and eIDAS certificates, by their X.520 names
(RFC 4519); anything else stays a dotted OID, which is at least unambiguous."""


def readable_name(name: x509.Name) -> str:
    """``name`` in RFC 4514 form with X.520 attribute names instead of dotted OIDs.

    Examples
    --------
    >>> n = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "000.00.00.H49"),
    ...                x509.NameAttribute(NameOID.TITLE, "Chủ tịch"),
    ...                x509.NameAttribute(NameOID.COMMON_NAME, "Nghệ An")])
    >>> readable_name(n)
    'CN=Nghệ An,title=Chủ tịch,organizationIdentifier=000.00.00.H49'
    """
    return name.rfc4514_string(READABLE_NAMES)
