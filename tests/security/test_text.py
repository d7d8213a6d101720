"""Comments, CDATA and character references inside signed text: read as the signature saw it.

Exclusive C14N (without comments) writes a value split by comments, wrapped in CDATA or
spelled with character references exactly as the plain value, so the signatures stay valid
when a relay (or an attacker) adds such things. The reader must then see the signed value:
never a false FAILED (a rule reading half of a signed OrganId) and never less than the signer
signed (a rule skipping the base64 after a comment).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from docflow.profile.choice import Profile

from .attack import attachments, ed, edit, header
from .judge import judge, reading, secure
from .pki import NOW, SmallPki


def _sender(root: etree._Element) -> etree._Element:
    found = header(root).find(f"{ed('MessageHeader')}/{ed('From')}/{ed('OrganId')}")
    assert found is not None
    return found


def _comment_inside(find: Callable[[etree._Element], etree._Element], at: int = 7
                    ) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        element = find(root)
        value = element.text or ""
        element.text = value[:at]
        comment = etree.Comment(" relayed by hub ")
        comment.tail = value[at:]
        element.append(comment)
    return change


def _base64(root: etree._Element) -> etree._Element:
    found = attachments(root)[0].find(ed("ContentTransferEncoded"))
    assert found is not None
    return found


def test_a_comment_in_the_signed_organ_id_passes_everywhere(both: bytes, pki: SmallPki,
                                                            options: list[str]) -> None:
    """A comment inside the organ-signed From/OrganId leaves both signatures valid; the
    rules read the whole code, so validate --trust passes as verify does (it gave a false
    FAILED, DF-ENV-042, reading "000.00." alone), and the parser reads the signed sender."""
    commented = edit(both, _comment_inside(_sender))
    assert b"<!-- relayed by hub -->" in commented
    judgement = secure(commented, both, pki, options)
    assert judgement.verified.passed, judgement.verified.to_dict()
    assert judgement.validated.passed, judgement.validated.to_dict()
    assert judgement.cli_verify == 0 and judgement.cli_validate == 0
    assert reading(commented) == reading(both)


@pytest.mark.parametrize("where", ["sender", "attachment"])
def test_cdata_and_character_references_read_as_plain_text(both: bytes, pki: SmallPki,
                                                           options: list[str],
                                                           where: str) -> None:
    """The same value written as CDATA sections and character references: the canonical
    form and every signature are unchanged, and every route passes with the signed reading."""
    data = both.decode()
    if where == "sender":
        forged = data.replace(">000.00.00.H49</edXML:OrganId>",
                              "><![CDATA[000.00]]>.00.&#x48;49</edXML:OrganId>", 1)
    else:
        start = data.index("<edXML:ContentTransferEncoded>") + len(
            "<edXML:ContentTransferEncoded>")
        forged = data[:start] + "<![CDATA[" + data[start:start + 8] + "]]>&#x" + \
            format(ord(data[start + 8]), "x") + ";" + data[start + 9:]
    assert forged != data
    judgement = secure(forged.encode(), both, pki, options)
    assert judgement.verified.passed and judgement.validated.passed


def test_the_base64_after_a_comment_is_checked(signed_by_person: bytes,
                                               pki: SmallPki) -> None:
    """A comment in an attachment's base64 does not hide what follows it from the attachment
    check: bad base64 after it is DF-ENV-067 (it was not looked at)."""
    def change(root: etree._Element) -> None:
        _comment_inside(_base64, 12)(root)
        comment = _base64(root)[0]
        comment.tail = "*not base64*" + (comment.tail or "")
    forged = edit(signed_by_person, change)
    report = judge(forged, pki).validated
    assert "DF-ENV-067" in {f.code for f in report.findings}, report.to_dict()


@pytest.mark.parametrize("local", ["DigestValue", "SignatureValue", "X509Certificate"])
def test_a_comment_inside_a_signatures_own_values(both: bytes, pki: SmallPki,
                                                  options: list[str], local: str) -> None:
    """A comment inside the organ's DigestValue, SignatureValue or certificate: the
    canonical SignedInfo is unchanged (C14N drops comments) and xmlsec1 reads the whole
    value, so docflow does too: the message still passes, read as signed (it failed, the
    value cut at the comment)."""
    from .attack import ds, organ_signature

    def change(root: etree._Element) -> None:
        _comment_inside(lambda r: next(organ_signature(r).iter(ds(local))), 10)(root)
    forged = edit(both, change)
    judgement = secure(forged, both, pki, options)
    assert judgement.verified.passed, judgement.verified.to_dict()


XMLSEC1 = shutil.which("xmlsec1")


@pytest.mark.skipif(XMLSEC1 is None, reason="the xmlsec1 CLI is not installed (Debian "
                    "package xmlsec1; CI installs it)")
@pytest.mark.parametrize("local", ["DigestValue", "SignatureValue", "X509Certificate"])
def test_xmlsec1_reads_a_split_value_whole_as_docflow_does(plain_whole: bytes, pki: SmallPki,
                                                           local: str,
                                                           tmp_path: Path) -> None:
    """The independent verifier agrees: xmlsec1 accepts a signature whose DigestValue,
    SignatureValue or certificate a comment splits, and so does docflow; with the value's
    second half changed, both refuse."""
    from .attack import ds, dump, tree
    from .outcome import verify

    def split(tail: str | None = None) -> bytes:
        root = tree(plain_whole)
        element = next(root.iter(ds(local)))
        value = element.text or ""
        element.text = value[:6]
        comment = etree.Comment(" split ")
        comment.tail = value[6:] if tail is None else tail
        element.append(comment)
        return dump(root)
    (tmp_path / "root.pem").write_bytes(pki.root.public_bytes(serialization.Encoding.PEM))
    for document, passes in ((split(), True), (split("A" * 16), False)):
        (tmp_path / "doc.xml").write_bytes(document)
        done = subprocess.run([XMLSEC1 or "xmlsec1", "--verify", "--trusted-pem",
                               str(tmp_path / "root.pem"), "--verification-gmt-time",
                               NOW.strftime("%Y-%m-%d %H:%M:%S"), str(tmp_path / "doc.xml")],
                              capture_output=True, text=True, timeout=60, check=False)
        assert (done.returncode == 0) is passes, done.stderr
        assert verify(document, pki, profile=Profile.XMLDSIG).passed is passes
