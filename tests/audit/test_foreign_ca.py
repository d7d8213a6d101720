"""An auditor with real certificates from another CA maps their roles with ``--roles``.

That CA's certificates carry its own policy OIDs, not docflow's, and it writes the organ code in
the common name. Without a role mapping their chain is trusted but no role is known, so no
signature is valid (an unknown role is reported, never guessed); with ``--roles`` both roles are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pki.factory import Ca

from audit.signed import SENT
from docflow.archive.importer import import_source
from docflow.archive.store import Archive
from docflow.cli import cli
from docflow.dsig import Signer
from docflow.envelope.builder import build
from docflow.envelope.samples import sample_document
from docflow.pki.roles import Role
from docflow.profile.edxml import sign_message

SENDER = "000.00.00.G22"
ORGAN_POLICY = x509.ObjectIdentifier("1.3.6.1.4.1.55555.1.1")
SIGNER_POLICY = x509.ObjectIdentifier("1.3.6.1.4.1.55555.1.2")
DOCUMENTS = 3


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A foreign root and its CRL, an archive of documents signed by its organ and person
    certificates (no docflow policy OID), and the role mapping that names their policies."""
    base = tmp_path_factory.mktemp("foreign")
    root = Ca.root("Root CA khác", label="foreign-root")
    organ_key, organ = root.leaf(SENDER, label="foreign-organ", policy=ORGAN_POLICY)
    person_key, person = root.leaf(SENDER, label="foreign-person", policy=SIGNER_POLICY)
    src = base / "src"
    src.mkdir()
    for serial in range(1, DOCUMENTS + 1):
        data = build(sample_document(np.random.default_rng([11, serial]), sender=SENDER,
                                     receivers=["000.00.00.H49"], size=300, when=SENT,
                                     number=serial))
        data = sign_message(data, Signer(person_key, [person]), Role.SIGNER)
        data = sign_message(data, Signer(organ_key, [organ]), Role.ORGAN)
        (src / f"{serial}.edxml").write_bytes(data)
    out = {"db": base / "archive.sqlite", "root": base / "root.pem", "crl": base / "crl.pem",
           "roles": base / "roles.toml"}
    with Archive(out["db"]) as archive:
        import_source(src, archive)
    out["root"].write_bytes(root.cert.public_bytes(Encoding.PEM))
    out["crl"].write_bytes(root.crl().public_bytes(Encoding.PEM))
    out["roles"].write_text(
        'organ_code_attribute = "2.5.4.3"\n'
        f'[[roles]]\nrole = "organ"\npolicy = "{ORGAN_POLICY.dotted_string}"\n'
        f'[[roles]]\nrole = "signer"\npolicy = "{SIGNER_POLICY.dotted_string}"\n',
        encoding="utf-8")
    return out


def _audit(files: dict[str, Path], *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["audit", str(files["db"]), "--trust", str(files["root"]),
                                      "--crl", str(files["crl"]), "-j", "1", "--format",
                                      "json", *extra])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_roles_make_foreign_certificates_valid(files: dict[str, Path]) -> None:
    """Without --roles: signatures present, trusted chain, unknown role, none valid. With it:
    every signature valid, and the documents are verified again rather than reused, since the
    role mapping is part of what the stored results were checked against."""
    without = _audit(files)
    total = without["total"]
    assert (total["organ_present"], total["signer_present"]) == (DOCUMENTS, DOCUMENTS)
    assert (total["organ_valid"], total["signer_valid"]) == (0, 0)
    assert set(total["reasons"]) == {"DF-PKI-012"}  # no known role
    mapped = _audit(files, "--roles", str(files["roles"]))
    assert mapped["verified_now"] == DOCUMENTS
    assert mapped["context"]["trust_fingerprint"] != without["context"]["trust_fingerprint"]
    total = mapped["total"]
    assert (total["organ_valid"], total["signer_valid"], total["both_valid"]) == \
        (DOCUMENTS, DOCUMENTS, DOCUMENTS)
    assert total["reasons"] == {}


def test_a_bad_role_mapping_is_refused_before_any_work(files: dict[str, Path],
                                                       tmp_path: Path) -> None:
    """A role mapping that is not TOML gives DF-PKI-026 and exit 2, with worker processes too
    (the trust files are read in the parent before any worker starts)."""
    bad = tmp_path / "roles.toml"
    bad.write_text("[[roles]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["audit", str(files["db"]), "--trust", str(files["root"]),
                                      "--roles", str(bad), "-j", "2", "--chunk-size", "1"])
    assert result.exit_code == 2, result.output
    assert "DF-PKI-026" in result.stderr and "Traceback" not in result.output


def test_wrong_trust_store_gives_a_hint(files: dict[str, Path], tmp_path: Path) -> None:
    """Audited against another root, every signature fails with an unknown issuer: the text
    output and the HTML report say the trust store is the likely cause; audited against the
    right root and roles, neither says so."""
    other = Ca.root("Root CA của một PKI khác", label="other-root")
    wrong = tmp_path / "other.pem"
    wrong.write_bytes(other.cert.public_bytes(Encoding.PEM))
    page = tmp_path / "audit.html"
    audit = ["audit", str(files["db"]), "--trust", str(wrong), "-j", "1"]
    text = CliRunner().invoke(cli, audit)
    html = CliRunner().invoke(cli, [*audit, "--format", "html", "-o", str(page)])
    assert text.exit_code == 0 and html.exit_code == 0, text.output + html.output
    assert "DF-PKI-001" in text.stdout and "Hint: Most invalid signatures" in text.stdout
    assert "wrong trust store" in text.stdout
    assert 'id="trust-hint"' in page.read_text("utf-8")
    right = CliRunner().invoke(cli, ["audit", str(files["db"]), "--trust", str(files["root"]),
                                     "--crl", str(files["crl"]), "--roles",
                                     str(files["roles"]), "-j", "1"])
    assert right.exit_code == 0 and "Hint:" not in right.stdout
