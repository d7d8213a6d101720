"""The axis's TLS certificates (docflow/pki/tls.py), checked by OpenSSL as the TLS stack will."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509

from docflow.pki.export import write_pki
from docflow.pki.index import read_index
from docflow.pki.national import NationalPki
from docflow.pki.store import TrustStore
from docflow.pki.tls import organ_code_of
from docflow.pki.validate import PathValidator

from .conftest import AGENCIES, AT

OPENSSL = shutil.which("openssl")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tls-pki")
    write_pki(NationalPki.build(AGENCIES, seed=7, at=AT), out, jobs=1)
    return out


def _verify(folder: Path, purpose: str, cert: Path) -> bool:
    assert OPENSSL, "the TLS tests need the openssl command (Debian's openssl package)"
    done = subprocess.run([OPENSSL, "verify", "-purpose", purpose, "-attime",
                           str(int(AT.timestamp()) + 3600), "-CAfile",
                           str(folder / "tls" / "ca.pem"), str(cert)],
                          capture_output=True, text=True, check=False)
    return done.returncode == 0 and done.stdout.strip().endswith("OK")


def test_every_agency_has_a_client_certificate_naming_it(folder: Path) -> None:
    """OpenSSL accepts each TLS client certificate for sslclient (not sslserver), and the
    organ code it names is the agency's."""
    index = read_index(folder)
    for code, entry in index.agencies.items():
        cert_path = folder / entry["tls"]["cert"]
        assert _verify(folder, "sslclient", cert_path)
        assert not _verify(folder, "sslserver", cert_path)
        assert organ_code_of(x509.load_pem_x509_certificate(cert_path.read_bytes())) == code
    server = folder / index.meta["tls"]["server"]["cert"]
    assert _verify(folder, "sslserver", server) and not _verify(folder, "sslclient", server)
    names = x509.load_pem_x509_certificate(server.read_bytes()).extensions \
        .get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}


def test_tls_and_signing_hierarchies_do_not_cross(folder: Path) -> None:
    """A TLS client certificate is not a signing certificate (no path to the signing root),
    and an organ's signing certificate is not a TLS client (no path to the TLS CA)."""
    index = read_index(folder)
    code = next(iter(index.agencies))
    tls_cert = x509.load_pem_x509_certificate(
        (folder / index.agencies[code]["tls"]["cert"]).read_bytes())
    result = PathValidator(TrustStore.from_pki_dir(folder)).check(tls_cert, [], AT)
    assert not result.trusted
    assert not _verify(folder, "sslclient", folder / index.agencies[code]["organ"]["cert"])
