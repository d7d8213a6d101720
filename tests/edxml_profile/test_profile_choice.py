"""Which profile a message is checked in: whatever docflow reads as edXML gets the edXML profile.

Hole 2 of issue 12: a message re-rooted at ``edXMLEnvelope`` (no ``edXML`` wrapper), or an
edXML tree moved out of the QCVN namespace, signed with one enveloped signature by any
certificate of the PKI (a person's), passed ``docflow verify`` as plain XML-DSig, although
docflow's own parser and rules read it as a document message from the sender it claims. The
edXML profile (roles, sender binding, the organ's signature required) is the default; plain
XML-DSig is checked only when asked for (``--profile xmldsig``), and its verdict says that no
edXML meaning was checked.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

import docflow
from docflow import Trust, VerifyConfig
from docflow.cli import cli
from docflow.envelope.kind import MessageKind, message_kind
from docflow.errors import Indication
from docflow.profile.choice import Profile
from docflow.profile.edxml import EDXML_NS
from docflow.xmlsafe import parse_xml

from .test_cli import AT, _sign, files  # noqa: F401  (the module's fixture)


def _no_namespace(root: etree._Element) -> etree._Element:
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(f"{{{EDXML_NS}}}"):
            element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(root)
    return root


def _reroot(document: bytes) -> bytes:
    root = parse_xml(document)
    envelope = root.find(f"{{{EDXML_NS}}}edXMLEnvelope")
    assert envelope is not None
    return etree.tostring(envelope)


def _plain(document: bytes) -> bytes:
    return etree.tostring(_no_namespace(parse_xml(document)))


def _wrapped_plain(document: bytes) -> bytes:
    return etree.tostring(_no_namespace(parse_xml(_reroot(document))))


SHAPES = {"edXMLEnvelope root": _reroot, "edXML in no namespace": _plain,
          "edXMLEnvelope in no namespace": _wrapped_plain}


def _verify(files: dict[str, Path], path: Path, *extra: str) -> Any:  # noqa: F811
    return CliRunner().invoke(cli, ["verify", str(path), "--trust", str(files["root"]),
                                    "--crl", str(files["crl"]), "--at", AT, *extra])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("role", ["signer", "organ"])
def test_edxml_shaped_message_never_passes_as_plain_xmldsig(
        files: dict[str, Path], tmp_path: Path, shape: str, role: str) -> None:  # noqa: F811
    """A re-rooted or namespace-less edXML message, enveloped-signed by a PKI certificate (a
    person's or the organ's), is read by docflow as a document message, and fails ``verify``
    in the default profile with DF-TRU-001; with ``--profile xmldsig`` its signature is
    checked as plain XML-DSig, and the verdict says no edXML meaning was checked."""
    forged = tmp_path / "forged.xml"
    forged.write_bytes(SHAPES[shape](files["message"].read_bytes()))
    assert message_kind(parse_xml(forged.read_bytes())) is MessageKind.DOCUMENT
    signed = tmp_path / "signed.xml"
    done = _sign(files, forged, role, signed)
    assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
    result = _verify(files, signed, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["indication"] == "FAILED" and report["profile"] == "edxml"
    assert "DF-TRU-001" in {f["code"] for f in report["findings"]}
    text = _verify(files, signed)
    assert text.exit_code == 1 and "FAILED" in text.output and "DF-TRU-001" in text.output
    plain = _verify(files, signed, "--profile", "xmldsig")
    assert plain.exit_code == 0, plain.output
    assert "no edXML meaning checked" in plain.output.splitlines()[0]
    assert "DF-TRU-003" in plain.output
    trust = Trust.from_options([files["root"]], [files["crl"]],
                               at=dt.datetime.fromisoformat(AT))
    library = docflow.verify(signed, VerifyConfig(trust=trust))
    assert library.indication is Indication.FAILED and library.signatures == ()
    assert [f.code for f in library.findings] == ["DF-TRU-001"]
    validated = CliRunner().invoke(cli, ["validate", str(signed), "--trust", str(files["root"]),
                                         "--crl", str(files["crl"]), "--at", AT,
                                         "--format", "json"])
    assert validated.exit_code == 1, validated.output  # validate --trust says the same
    report = json.loads(validated.output)["reports"][0]
    assert report["verdict"] == "FAILED"
    assert "DF-TRU-001" in {f["code"] for f in report["findings"]} or \
        report["kind"] is None  # a root validate itself refuses (DF-ENV-040)
    asked = docflow.verify(signed, VerifyConfig(trust=trust, profile=Profile.XMLDSIG))
    assert asked.passed and not asked.edxml
    assert [s.rule for s in asked.signatures] == ["enveloped"]  # no organ, no signer place


def test_plain_xml_needs_the_xmldsig_profile(files: dict[str, Path],  # noqa: F811
                                             tmp_path: Path) -> None:
    """Plain XML (an invoice) is not an edXML message: the default profile refuses it
    (DF-TRU-002); ``--profile xmldsig`` checks its signature and passes it."""
    signed = tmp_path / "invoice.xml"
    done = CliRunner().invoke(cli, ["sign", str(files["plain"]), "--key",
                                    str(files["organ_key"]), "--cert", str(files["organ"]),
                                    "--chain", str(files["sub"]), "-o", str(signed)])
    assert done.exit_code == 0, done.output
    default = _verify(files, signed)
    assert default.exit_code == 1 and "DF-TRU-002" in default.output
    plain = _verify(files, signed, "--profile", "xmldsig", "--format", "json")
    assert plain.exit_code == 0, plain.output
    report = json.loads(plain.output)
    assert report["indication"] == "PASSED" and report["profile"] == "xmldsig"
