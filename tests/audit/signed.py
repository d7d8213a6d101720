"""Really signed edXML envelopes from a small national test PKI, for the audit tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from docflow.dsig import Signer
from docflow.envelope.builder import build
from docflow.envelope.samples import sample_document
from docflow.pki.keys import KeyAlgorithm
from docflow.pki.national import Agency, NationalPki
from docflow.pki.roles import Role
from docflow.profile.edxml import EDXML_NS, sign_message
from docflow.xmlsafe import parse_xml

ISSUED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
"""When the PKI issues everything."""
SENT = dt.datetime(2025, 7, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
"""When the test documents are signed and sent (Vietnam time)."""

AGENCIES = (
    Agency("000.00.00.G22", "Văn phòng Chính phủ", "central", "axis"),
    Agency("000.00.00.H49", "Ủy ban nhân dân tỉnh Quảng Nam", "province", "lgsp-h49"),
    Agency("000.00.12.H49", "Sở Nội vụ tỉnh Quảng Nam", "province", "lgsp-h49"),
    Agency("000.01.12.H49", "Ủy ban nhân dân xã 01", "commune", "lgsp-h49"),
)


def national_pki(*, revoked: dict[tuple[str, Role], dt.datetime] | None = None,
                 expired: tuple[tuple[str, Role], ...] = (),
                 algorithm: KeyAlgorithm = KeyAlgorithm.ECDSA_P256) -> NationalPki:
    """The test PKI over :data:`AGENCIES` (ECDSA by default: keys derive in microseconds)."""
    return NationalPki.build(AGENCIES, seed=7, at=ISSUED, algorithm=algorithm,
                             revoked=revoked, expired=expired)


def signed_document(pki: NationalPki, sender: str, serial: int, *, organ: bool = True,
                    signer: bool = True, tamper: bool = False,
                    when: dt.datetime = SENT, size: int = 600) -> bytes:
    """A document from ``sender``, signed by the roles asked (signer first, as Decree 30 says).

    ``tamper`` changes one character of the attachment after signing, as a faulty relay would.
    """
    receiver = "000.00.00.G22" if sender != "000.00.00.G22" else "000.00.00.H49"
    envelope = sample_document(np.random.default_rng([7, serial]), sender=sender,
                               receivers=[receiver], attachments=1, size=size, when=when,
                               number=serial)
    data = build(envelope)
    for role, wanted in ((Role.SIGNER, signer), (Role.ORGAN, organ)):
        if wanted:
            key, cert, chain = pki.credentials_for(sender, role)
            data = sign_message(data, Signer(key, [cert, *chain]), role)
    if tamper:
        root = parse_xml(data)
        node = root.find(f"{{{EDXML_NS}}}AttachmentEncoded/{{{EDXML_NS}}}Attachment/"
                         f"{{{EDXML_NS}}}ContentTransferEncoded")
        assert node is not None and node.text
        node.text = ("B" if node.text[0] == "A" else "A") + node.text[1:]
        data = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    return data


def write_trust(pki: NationalPki, folder: Path) -> tuple[Path, Path]:
    """The root certificate and every CA's CRL, as ``docflow audit --trust/--crl`` takes them."""
    folder.mkdir(parents=True, exist_ok=True)
    root, crls = folder / "root.pem", folder / "crls.pem"
    root.write_bytes(pki.root.public_bytes(Encoding.PEM))
    crls.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in pki.trust_store().crls))
    return root, crls
