"""Test PKI benchmarks: issuing certificates, the national build, and path validation.

Run with ``pytest bench/test_pki_bench.py --benchmark-enable --benchmark-only``.

Groups:

* ``pki-issue`` — one end-entity certificate (key derivation + builder + signature), per
  algorithm, beside cryptography's bare ``CertificateBuilder.sign`` with a ready key: the
  difference is what docflow adds (derivation, names, extensions);
* ``pki-national`` — ``docflow pki init`` of the largest preset (vn-2024, >12,000 agencies,
  >25,000 certificates) written to disk, and 2,000 credentials issued in memory (what a
  simulation that signs with 2,000 agencies pays); ``extra_info`` has certificates/s;
* ``pki-validate`` — path validation of one signing certificate: cold (every cache empty:
  two signature checks and two CRL checks), new leaf (a leaf not seen before under known CAs,
  the common cold case), warm (cached), beside one bare ECDSA P-256 verification.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from docflow.pki.export import write_pki
from docflow.pki.keys import KeyAlgorithm, derive_key
from docflow.pki.national import Agency, Hub, NationalPki
from docflow.pki.roles import Role

AT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _national() -> tuple[list[Agency], list[Hub]]:
    from docflow.topology import build_preset

    topo = build_preset("vn-2024")
    return ([Agency(a.code, a.name, a.level.value, a.hub) for a in topo.agencies],
            [Hub(h.id, h.name) for h in topo.hubs])


@pytest.fixture(scope="module")
def national() -> tuple[list[Agency], list[Hub]]:
    return _national()


# --- pki-issue ---------------------------------------------------------------------------------
@pytest.mark.benchmark(group="pki-issue")
@pytest.mark.parametrize("algorithm", [KeyAlgorithm.ECDSA_P256, KeyAlgorithm.ED25519])
def test_issue_one_certificate(benchmark, algorithm: KeyAlgorithm,
                               national: tuple[list[Agency], list[Hub]]) -> None:
    agencies, hubs = national
    pki = NationalPki.build(agencies, seed=1, at=AT, algorithm=algorithm, hubs=hubs)
    codes = iter([a.organ_code for a in agencies] * 50)
    pki.ca(agencies[0].hub_id)
    benchmark(lambda: pki.issue(next(codes), Role.ORGAN))


@pytest.mark.benchmark(group="pki-issue")
def test_raw_cryptography_certificate_sign(benchmark) -> None:
    """The floor: cryptography's builder and a deterministic ECDSA signature, key ready."""
    issuer_key = derive_key(1, "issuer", KeyAlgorithm.ECDSA_P256)
    subject_key = derive_key(1, "subject", KeyAlgorithm.ECDSA_P256)
    name = x509.Name.from_rfc4514_string("CN=Ủy ban nhân dân tỉnh Thanh Hóa,C=VN")

    def sign() -> x509.Certificate:
        return x509.CertificateBuilder().subject_name(name).issuer_name(name) \
            .public_key(subject_key.public_key()).serial_number(7) \
            .not_valid_before(AT).not_valid_after(AT + dt.timedelta(days=1095)) \
            .sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)  # type: ignore[arg-type]

    benchmark(sign)


# --- pki-national ------------------------------------------------------------------------------
@pytest.mark.benchmark(group="pki-national")
def test_national_preset_to_disk(benchmark, national: tuple[list[Agency], list[Hub]],
                                 tmp_path: Path) -> None:
    """``docflow pki init --preset vn-2024``: every certificate, key and CRL written."""
    agencies, hubs = national
    runs = iter(range(100))

    def build() -> int:
        pki = NationalPki.build(agencies, seed=1, at=AT, hubs=hubs)
        return write_pki(pki, tmp_path / str(next(runs))).certificates

    certificates = benchmark.pedantic(build, rounds=1, iterations=1)
    benchmark.extra_info["certificates"] = certificates
    benchmark.extra_info["certificates_per_s"] = round(
        certificates / benchmark.stats.stats.mean)


@pytest.mark.benchmark(group="pki-national")
def test_two_thousand_credentials_in_memory(benchmark,
                                            national: tuple[list[Agency], list[Hub]]) -> None:
    """What a simulation signing with 2,000 agencies pays for its PKI (lazily, one process)."""
    agencies, hubs = national

    def issue() -> int:
        pki = NationalPki.build(agencies, seed=1, at=AT, hubs=hubs)
        for agency in agencies[::len(agencies) // 2000][:2000]:
            pki.credentials_for(agency.organ_code, Role.ORGAN)
        return 2000

    benchmark.pedantic(issue, rounds=2, iterations=1)
    benchmark.extra_info["certificates_per_s"] = round(2000 / benchmark.stats.stats.mean)


# --- pki-validate ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chain_pki(national: tuple[list[Agency], list[Hub]]) -> NationalPki:
    agencies, hubs = national
    return NationalPki.build(agencies[:3000], seed=1, at=AT, hubs=hubs)


@pytest.mark.benchmark(group="pki-validate")
def test_validate_cold(benchmark, chain_pki: NationalPki) -> None:
    """Every cache empty: leaf and sub-CA signatures, both CRL signatures, every check."""
    validator = chain_pki.validator()
    _, cert, chain = chain_pki.credentials_for(chain_pki.agencies[0].organ_code, Role.ORGAN)

    def cold() -> bool:
        validator.clear_cache()
        return validator.check(cert, chain, AT).trusted

    assert benchmark(cold)


@pytest.mark.benchmark(group="pki-validate")
def test_validate_new_leaf(benchmark, chain_pki: NationalPki) -> None:
    """A leaf never seen before, under CAs whose signatures and CRLs are already checked."""
    validator = chain_pki.validator()
    leaves = [chain_pki.credentials_for(a.organ_code, Role.SIGNER)
              for a in chain_pki.agencies]
    for _, cert, chain in leaves[:50]:
        validator.check(cert, chain, AT)
    fresh = iter(leaves[50:])

    def new_leaf() -> bool:
        _, cert, chain = next(fresh)
        return validator.check(cert, chain, AT).trusted

    assert benchmark.pedantic(new_leaf, rounds=len(leaves) - 60, iterations=1)


@pytest.mark.benchmark(group="pki-validate")
def test_validate_warm(benchmark, chain_pki: NationalPki) -> None:
    """The same certificate again (one certificate signs many documents): a cache hit."""
    validator = chain_pki.validator()
    _, cert, chain = chain_pki.credentials_for(chain_pki.agencies[1].organ_code, Role.ORGAN)
    validator.check(cert, chain, AT)
    later = AT + dt.timedelta(days=3)
    assert benchmark(validator.check, cert, chain, later).trusted


@pytest.mark.benchmark(group="pki-validate")
def test_raw_ecdsa_verify(benchmark, chain_pki: NationalPki) -> None:
    """The floor of a cold validation: one bare ECDSA P-256 signature check."""
    _, cert, chain = chain_pki.credentials_for(chain_pki.agencies[2].organ_code, Role.ORGAN)
    public = chain[0].public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    benchmark(public.verify, cert.signature, cert.tbs_certificate_bytes,
              ec.ECDSA(hashes.SHA256()))
