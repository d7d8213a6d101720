"""Damaged certificates in KeyInfo: a mutation fuzz of the organ's certificate.

Anyone who can edit a document can damage the certificates its KeyInfo carries, and the
certificate library decodes names, public keys and extensions only when they are first read.
A damaged field must therefore be read where its failure becomes a finding: whatever the
damage, verification returns a result, the signature with the damaged certificate does not
pass, a finding with a catalogued code says why, and the other signature is judged as before.

Damage inside the TBSCertificate can never pass: the CA's signature covers all of it. Damage
outside it (the CA's signature algorithm or value) passes only if the certificate is still
the CA's, byte for byte in its TBS and verified by the CA's key; the fuzz checks that
independently of docflow before it accepts a PASSED.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from docflow.cli import cli
from docflow.errors import CATALOGUE, Indication
from docflow.profile.edxml import MessageVerification

from .attack import ds, dump, organ_signature, tree
from .der import OUTER_FIELDS, TBS_FIELDS, variants, with_extension_twice
from .outcome import refused, verify
from .pki import NOW, Credential, SmallPki

pytestmark = pytest.mark.filterwarnings(
    "ignore:Parsed a serial number:cryptography.utils.CryptographyDeprecationWarning")
"""Damage to the serial number can make it negative, which cryptography warns about when it
loads the certificate (RFC 5280 asks users to accept such certificates gracefully); the CA's
signature over it fails all the same."""

SEED = 20260601
PER_FIELD = 32
"""Variants per field: 10 fields, 320 variants, each verified by both routes in about 2 s
(``pytest --durations``, single process)."""
LATE = ("issuer", "subject", "spki", "extensions")
"""The fields cryptography decodes only when they are read."""


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def breaks_late(data: bytes) -> bool:
    """Whether ``data`` loads as a certificate and then fails when a field is read: the kind
    of damage that escaped the verifier."""
    try:
        cert = x509.load_der_x509_certificate(data)
    except Exception:
        return False
    try:
        _ = cert.issuer, cert.subject, list(cert.extensions)
        cert.public_key()
    except Exception:
        return True
    return False


def genuine(data: bytes, original: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``data`` is still ``original`` as its CA issued it: the same TBSCertificate,
    and a signature over it that the CA's key verifies."""
    try:
        cert = x509.load_der_x509_certificate(data)
        cert.verify_directly_issued_by(issuer)
    except Exception:
        return False
    return cert.tbs_certificate_bytes == original.tbs_certificate_bytes


def in_key_info(document: bytes, original: x509.Certificate) -> Callable[[bytes], bytes]:
    """A function that puts a certificate's DER in place of ``original`` in the organ's
    KeyInfo of ``document`` (only there), as the base64 text a forger would write."""
    root = tree(document)
    [node] = [n for n in organ_signature(root).iter(ds("X509Certificate"))
              if base64.b64decode(n.text or "") == der(original)]

    def put(data: bytes) -> bytes:
        node.text = base64.b64encode(data).decode("ascii")
        return dump(root)
    return put


@pytest.fixture(scope="module")
def damaged_organ(organ_a: Credential) -> list[tuple[str, bytes]]:
    """Damaged copies of agency A's organ certificate, every field of it in turn."""
    return variants(der(organ_a.certificate), TBS_FIELDS + OUTER_FIELDS, PER_FIELD, SEED)


def _judged(result: MessageVerification, label: str, data: bytes,
            original: x509.Certificate, issuer: x509.Certificate) -> set[str]:
    """Check one damaged variant's result; return the organ signature's error codes."""
    organ, signer = result.by_rule("organ"), result.by_rule("signer")
    assert organ is not None and signer is not None, (label, result.to_dict())
    assert signer.passed, (label, signer.findings)  # the other signature is unaffected
    if organ.passed:
        assert genuine(data, original, issuer), (label, result.to_dict())
        return set()
    refused(result)
    found = set(organ.sub_indications)
    assert found, (label, organ.findings)
    assert found <= set(CATALOGUE), (label, found)
    return found


def test_damaged_organ_certificate_is_a_finding_never_a_crash(
        both: bytes, pki: SmallPki, organ_a: Credential,
        damaged_organ: list[tuple[str, bytes]]) -> None:
    """Every damaged copy of the organ's certificate, put in its KeyInfo, gives a result
    (never an exception) in which the organ's signature does not pass, unless the certificate
    is still genuinely the CA's, with a catalogued finding, while the signer's passes; both
    routes through the verifier agree (:func:`outcome.verify`)."""
    put = in_key_info(both, organ_a.certificate)
    late = Counter(label.split("/")[0] for label, data in damaged_organ if breaks_late(data))
    assert all(late[field] for field in LATE), late  # the fuzz reaches the lazy fields
    seen: Counter[str] = Counter()
    for label, data in damaged_organ:
        result = verify(put(data), pki)
        seen.update(_judged(result, label, data, organ_a.certificate, pki.hub))
    assert seen  # some findings at all; which ones is the verifier's business


def test_damaged_ca_certificate_in_key_info_is_a_finding(both: bytes, pki: SmallPki,
                                                         organ_a: Credential) -> None:
    """Damage to the hub CA's certificate the organ's KeyInfo carries after its own: the
    path cannot be built through it, and that is a finding, never an exception."""
    put = in_key_info(both, pki.hub)
    for label, data in variants(der(pki.hub), ("issuer", "subject", "spki", "extensions"),
                                8, SEED + 1):
        result = verify(put(data), pki)
        _judged(result, label, data, pki.hub, pki.root)


def test_certificate_with_an_extension_twice(both: bytes, pki: SmallPki,
                                             organ_a: Credential) -> None:
    """An organ certificate whose first extension is repeated (RFC 5280 §4.2 allows each
    once; cryptography raises its own exception class for it, not ValueError): refused with
    a finding."""
    data = with_extension_twice(der(organ_a.certificate))
    result = verify(in_key_info(both, organ_a.certificate)(data), pki)
    assert _judged(result, "extensions twice", data, organ_a.certificate, pki.hub)


@pytest.fixture(scope="module")
def trust_files(pki: SmallPki, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The --trust, --crl and --at options for the small PKI, as files."""
    base = tmp_path_factory.mktemp("trust")
    pem = serialization.Encoding.PEM
    (base / "root.pem").write_bytes(pki.root.public_bytes(pem))
    (base / "crls.pem").write_bytes(b"".join(c.public_bytes(pem)
                                             for c in pki.validator().store.crls))
    return ["--trust", str(base / "root.pem"), "--crl", str(base / "crls.pem"), "--at",
            NOW.isoformat()]


def test_cli_reports_damaged_certificates(both: bytes, organ_a: Credential,
                                          damaged_organ: list[tuple[str, bytes]],
                                          trust_files: list[str], tmp_path: Path) -> None:
    """``docflow verify`` and ``docflow validate`` on messages whose organ certificate is
    damaged in each lazily read field: exit 1 with the finding, never 3 (internal error)."""
    put = in_key_info(both, organ_a.certificate)
    chosen = {}
    for label, data in damaged_organ:
        field = label.split("/")[0]
        if field in LATE and field not in chosen and breaks_late(data):
            chosen[field] = data
    assert set(chosen) == set(LATE)
    runner = CliRunner()
    for field, data in chosen.items():
        path = tmp_path / f"{field}.edxml"
        path.write_bytes(put(data))
        checked = runner.invoke(cli, ["verify", str(path), *trust_files, "--format", "json"])
        assert checked.exit_code == 1, (field, checked.output)
        report = json.loads(checked.stdout)
        assert report["indication"] != Indication.PASSED.value
        organ = next(s for s in report["signatures"] if s["place"] == "organ")
        assert organ["sub_indications"], (field, organ)
        text = runner.invoke(cli, ["verify", str(path), *trust_files])
        assert text.exit_code == 1, (field, text.output)
        assert organ["sub_indications"][0] in text.stdout
        validated = runner.invoke(cli, ["validate", str(path), *trust_files, "--format",
                                        "json"])
        assert validated.exit_code == 1, (field, validated.output)
        assert organ["sub_indications"][0] in validated.stdout, (field, validated.stdout)


def test_fuzz_is_deterministic(organ_a: Credential,
                               damaged_organ: list[tuple[str, bytes]]) -> None:
    """The same seed gives the same variants, so a failing label can be rebuilt."""
    again = variants(der(organ_a.certificate), TBS_FIELDS + OUTER_FIELDS, PER_FIELD, SEED)
    assert again == damaged_organ
    assert len({data for _, data in damaged_organ}) == len(damaged_organ)
    assert der(organ_a.certificate) not in {data for _, data in damaged_organ}

