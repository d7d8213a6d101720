"""The national test PKI: deterministic, lazy, with the profile and faults it promises."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from docflow.errors import ConfigError, UsageError
from docflow.pki.io import key_pem
from docflow.pki.keys import KeyAlgorithm
from docflow.pki.national import AXIS, Agency, NationalPki, PkiValidity
from docflow.pki.roles import ORGAN_POLICY, SIGNER_POLICY, Role, certificate_policies

from .conftest import AGENCIES, AT, HUBS

G22, H38, H38_DEPT, H38_COMMUNE, H49 = (a.organ_code for a in AGENCIES)


def _bytes(pki: NationalPki, code: str, role: Role) -> tuple[bytes, bytes]:
    key, cert, _ = pki.credentials_for(code, role)
    return cert.public_bytes(Encoding.DER), key_pem(key)


@pytest.mark.parametrize("algorithm", [KeyAlgorithm.ECDSA_P256, KeyAlgorithm.ED25519])
def test_same_seed_gives_identical_bytes(algorithm: KeyAlgorithm) -> None:
    """Two PKIs from one seed give byte-identical keys, certificates and CRLs, whatever
    order certificates are asked for in."""
    one = NationalPki.build(AGENCIES, seed=11, at=AT, hubs=HUBS, algorithm=algorithm)
    two = NationalPki.build(AGENCIES, seed=11, at=AT, hubs=HUBS, algorithm=algorithm)
    pairs = [(a.organ_code, role) for a in AGENCIES for role in Role]
    first = {p: _bytes(one, *p) for p in pairs}
    second = {p: _bytes(two, *p) for p in reversed(pairs)}
    assert first == second
    assert one.root.public_bytes(Encoding.DER) == two.root.public_bytes(Encoding.DER)
    for hub in (None, "lgsp-h38"):
        assert one.crl(hub).public_bytes(Encoding.DER) == two.crl(hub).public_bytes(Encoding.DER)


def test_another_seed_gives_other_keys_and_serials() -> None:
    one = NationalPki.build(AGENCIES, seed=11, at=AT)
    two = NationalPki.build(AGENCIES, seed=12, at=AT)
    a, b = one.credentials_for(H38, Role.ORGAN), two.credentials_for(H38, Role.ORGAN)
    assert a.certificate.serial_number != b.certificate.serial_number
    assert key_pem(a.key) != key_pem(b.key)


def test_pickled_copy_issues_the_same_certificates(pki: NationalPki) -> None:
    """A copy sent to a worker process (without caches) issues identical certificates."""
    cert = pki.credentials_for(H49, Role.SIGNER).certificate
    copy = pickle.loads(pickle.dumps(pki))
    assert copy.credentials_for(H49, Role.SIGNER).certificate == cert


def test_credentials_are_issued_lazily_and_kept(pki: NationalPki) -> None:
    """Nothing is issued until asked for; a second request returns the same objects."""
    fresh = NationalPki.build(AGENCIES, seed=7, at=AT, hubs=HUBS)
    assert fresh._credentials == {} and fresh._root is None  # nothing issued at build
    first = fresh.credentials_for(H38, Role.ORGAN)
    assert fresh.credentials_for(H38, Role.ORGAN) is first
    assert len(fresh._credentials) == 1 and set(fresh._cas) == {"lgsp-h38"}


def test_organ_certificate_profile(pki: NationalPki) -> None:
    """Organ code in organizationIdentifier, Vietnamese name as UTF8String, the organ policy,
    a leaf profile, and a chain of the hub's sub-CA."""
    key, cert, chain = pki.credentials_for(H38, Role.ORGAN)
    org_id = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0]
    assert org_id.value == H38
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0]
    assert cn.value == "Ủy ban nhân dân tỉnh Thanh Hóa"
    assert "Ủy ban nhân dân tỉnh Thanh Hóa".encode() in cert.public_bytes(Encoding.DER)
    assert b"\x0c" + bytes([len(cn.value.encode())]) + cn.value.encode() in \
        cert.public_bytes(Encoding.DER)  # tag 0x0C: UTF8String
    assert certificate_policies(cert) == {ORGAN_POLICY}
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and not bc.value.ca
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment and not ku.key_cert_sign
    assert chain == (pki.ca("lgsp-h38"),) and cert.issuer == chain[0].subject
    assert key.public_key() == cert.public_key()
    assert cert.not_valid_before_utc == AT


def test_signer_certificate_differs_from_organ(pki: NationalPki) -> None:
    organ = pki.credentials_for(H38, Role.ORGAN).certificate
    signer = pki.credentials_for(H38, Role.SIGNER).certificate
    assert certificate_policies(signer) == {SIGNER_POLICY}
    assert signer.subject != organ.subject and signer.public_key() != organ.public_key()
    assert signer.subject.get_attributes_for_oid(NameOID.TITLE)


def test_long_names_fit_the_bounds(pki: NationalPki) -> None:
    """A commune's long name is shortened to 64 UTF-8 bytes in CN, with an ellipsis."""
    cert = pki.credentials_for(H38_COMMUNE, Role.SIGNER).certificate
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert isinstance(cn, str) and len(cn.encode()) <= 64 and cn.endswith("…")


def test_hierarchy(pki: NationalPki) -> None:
    """The root is self-signed with no pathLen limit below one sub-CA level; each hub,
    the axis included, has a sub-CA with pathLen 0."""
    root = pki.root
    assert root.issuer == root.subject
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 1
    assert [h.hub_id for h in pki.hubs] == [AXIS.hub_id] + [h.hub_id for h in HUBS]
    for hub in pki.hubs:
        ca = pki.ca(hub.hub_id)
        ca.verify_directly_issued_by(root)
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length \
            == 0


def test_every_credential_validates(pki: NationalPki) -> None:
    """The PKI's own trust store accepts every certificate it issues, with its role."""
    validator = pki.validator()
    for agency in AGENCIES:
        for role in Role:
            _, cert, chain = pki.credentials_for(agency.organ_code, role)
            result = validator.check(cert, chain, AT + dt.timedelta(days=100))
            assert result.trusted and result.role == role, result.problems


def test_ed25519_pki_validates() -> None:
    pki = NationalPki.build(AGENCIES[:2], seed=3, at=AT, algorithm=KeyAlgorithm.ED25519)
    key, cert, chain = pki.credentials_for(G22, Role.SIGNER)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    assert pki.validator().check(cert, chain, AT).trusted


def test_revoked_and_expired_faults() -> None:
    """Faults for the simulator: a revocation in the hub CA's CRL, an already expired
    certificate."""
    revoked_at = AT + dt.timedelta(days=30)
    pki = NationalPki.build(AGENCIES, seed=7, at=AT, hubs=HUBS,
                            revoked={(H38, Role.SIGNER): revoked_at},
                            expired=[(H49, Role.ORGAN)])
    validator = pki.validator()
    _, cert, chain = pki.credentials_for(H38, Role.SIGNER)
    assert validator.check(cert, chain, revoked_at - dt.timedelta(seconds=1)).trusted
    assert [p.code for p in validator.check(cert, chain, revoked_at).problems] == \
        ["DF-PKI-005"]
    _, cert, chain = pki.credentials_for(H49, Role.ORGAN)
    assert cert.not_valid_after_utc < AT
    assert [p.code for p in validator.check(cert, chain, AT).problems] == ["DF-PKI-003"]
    # The other role of the same agency is unaffected.
    _, cert, chain = pki.credentials_for(H38, Role.ORGAN)
    assert validator.check(cert, chain, revoked_at).trusted


def test_with_revocations_shares_issued_certificates(pki: NationalPki) -> None:
    cert = pki.credentials_for(H38_DEPT, Role.ORGAN).certificate
    later = pki.with_revocations({(H38_DEPT, Role.ORGAN): AT})
    assert later.credentials_for(H38_DEPT, Role.ORGAN).certificate is cert
    assert not later.validator().check(cert, [], AT).trusted
    assert pki.validator().check(cert, [], AT).trusted


def test_crl_window_follows_validity(pki: NationalPki) -> None:
    crl = pki.crl("lgsp-h49")
    assert crl.last_update_utc == AT
    assert crl.next_update_utc == AT + dt.timedelta(days=PkiValidity().crl_days)
    assert crl.is_signature_valid(pki.ca("lgsp-h49").public_key())  # type: ignore[arg-type]


def test_agency_objects_of_any_class_are_accepted() -> None:
    """Anything with organ_code, name, level and hub_id will do (a topology's adapter)."""

    class Other:
        organ_code, name, level, hub_id = "000.00.00.H01", "Ủy ban nhân dân thành phố Hà Nội", \
            "province", "lgsp-h01"

    pki = NationalPki.build([Other()], seed=1, at=AT)
    assert pki.agencies == (Agency("000.00.00.H01", "Ủy ban nhân dân thành phố Hà Nội",
                                   "province", "lgsp-h01"),)


@pytest.mark.parametrize("agencies", [
    [AGENCIES[0], AGENCIES[0]],
    [Agency("", "x", "commune", "h")],
    [Agency("1", " ", "commune", "h")],
    [Agency("1", "x", "commune", "")],
])
def test_bad_agency_lists_are_config_errors(agencies: list[Agency]) -> None:
    with pytest.raises(ConfigError) as info:
        NationalPki.build(agencies, seed=1, at=AT)
    assert info.value.code == "DF-PKI-028"


def test_unknown_agency_or_hub_is_a_usage_error(pki: NationalPki) -> None:
    with pytest.raises(UsageError, match="DF-PKI-027"):
        pki.credentials_for("999.99.99.Z99", Role.ORGAN)
    with pytest.raises(UsageError, match="DF-PKI-027"):
        pki.ca("no-such-hub")
    with pytest.raises(UsageError, match="DF-PKI-027"):
        NationalPki.build(AGENCIES, seed=1, at=AT, revoked={("nope", Role.ORGAN): AT})


def test_naive_issue_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        NationalPki.build(AGENCIES, seed=1, at=AT.replace(tzinfo=None))
