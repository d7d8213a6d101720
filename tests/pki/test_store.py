"""The trust store: loading, indexes, immutability."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from docflow.errors import InputError
from docflow.pki.store import TrustStore

from . import damaged
from .factory import Ca

ROOT = Ca.root("Store Root", "store-root")
SUB = ROOT.sub_ca("Store Sub", "store-sub")


def test_from_files_pem_and_der(tmp_path: Path) -> None:
    (tmp_path / "root.der").write_bytes(ROOT.cert.public_bytes(Encoding.DER))
    (tmp_path / "sub.pem").write_bytes(SUB.cert.public_bytes(Encoding.PEM) * 2)
    (tmp_path / "crls.pem").write_bytes(ROOT.crl().public_bytes(Encoding.PEM)
                                        + SUB.crl().public_bytes(Encoding.PEM))
    store = TrustStore.from_files([tmp_path / "root.der"], [tmp_path / "sub.pem"],
                                  [tmp_path / "crls.pem"])
    assert store.anchors == (ROOT.cert,) and store.intermediates == (SUB.cert,)  # deduplicated
    assert store.is_anchor(ROOT.cert) and not store.is_anchor(SUB.cert)
    assert store.issuers_of_name(SUB.cert.issuer) == (ROOT.cert,)
    assert len(store.crls_of(SUB.cert.subject)) == 1


def test_with_crls_returns_a_new_store() -> None:
    store = TrustStore(anchors=(ROOT.cert,))
    newer = store.with_crls(SUB.crl())
    assert store.crls == () and len(newer.crls) == 1


def test_bad_files_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "junk.pem").write_bytes(b"junk")
    with pytest.raises(InputError, match="DF-PKI-021"):
        TrustStore.from_files([tmp_path / "junk.pem"])
    with pytest.raises(InputError, match="DF-PKI-022"):
        TrustStore.from_files([], crls=[tmp_path / "junk.pem"])


def test_unreadable_certificates_and_crls_are_refused_when_the_store_is_made() -> None:
    """A store built in code with a certificate or CRL that cannot be read is refused at
    once (DF-PKI-021/-022, naming which), never when a path is first built through it."""
    bad = damaged.subject(SUB.cert)
    with pytest.raises(InputError, match=r"DF-PKI-021: trust anchor 2 .*subject name"):
        TrustStore(anchors=(ROOT.cert, bad))
    with pytest.raises(InputError, match="DF-PKI-021: intermediate 1 "):
        TrustStore(anchors=(ROOT.cert,), intermediates=(bad,))
    with pytest.raises(InputError, match=r"DF-PKI-022: CRL 1 .*issuer name"):
        TrustStore(anchors=(ROOT.cert,), crls=(damaged.crl_issuer(SUB.crl()),))
