"""Hidden field copies in signed messages: the rules judge what the reader reads.

A sender (or its broken software) signs a message whose own ``DocumentId`` disagrees with its
date, and carries a correct copy of the header where the parser does not read it: inside a
legacy QCVN ``Signature`` (any content), or as a second ``MessageHeader``. The signatures are
valid, so only the business rules stand between the message and a PASSED ``validate --trust``;
they must judge the header the parser reads, and report the copy. Every route (library and
command line, ``verify`` and ``validate --trust``) is run by :func:`judge.secure`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from docflow.envelope.parser import parse_envelope
from docflow.envelope.rules import rule_findings
from docflow.profile.edxml import sign_message
from docflow.xmlsafe import parse_xml

from .attack import ed, edit, header
from .judge import secure, trust_options
from .pki import Credential, SmallPki


def _bad(message: bytes) -> bytes:
    """``message`` with its DocumentId's date changed: a rule finding on its own."""
    def change(root: etree._Element) -> None:
        element = header(root).find(f"{ed('MessageHeader')}/{ed('DocumentId')}")
        assert element is not None and element.text
        parts = element.text.split(",")
        parts[1] = "1999/01/01"
        element.text = ",".join(parts)
    return edit(message, change)


def _in_legacy_signature(good: etree._Element) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        etree.SubElement(header(root), ed("Signature")).append(copy.deepcopy(good))
    return change


def _second_header(good: etree._Element) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        real = header(root).find(ed("MessageHeader"))
        assert real is not None
        real.addnext(copy.deepcopy(good))
    return change


@pytest.mark.parametrize("place", ["legacy-signature", "second-header"])
def test_a_signed_good_copy_does_not_pass_a_bad_header(
        place: str, message: bytes, signer_a: Credential, organ_a: Credential, pki: SmallPki,
        tmp_path: Path) -> None:
    good = header(parse_xml(message)).find(ed("MessageHeader"))
    assert good is not None
    bad = _bad(message)
    bad_codes = {f.code for f in rule_findings(parse_xml(bad))}
    assert bad_codes, "the bad DocumentId must be a finding on its own"
    hide = _in_legacy_signature(good) if place == "legacy-signature" else _second_header(good)
    carrying = edit(bad, hide)
    signed = sign_message(sign_message(carrying, signer_a.signer(), "signer"),
                          organ_a.signer(), "organ")
    judgement = secure(signed, signed, pki, trust_options(pki, tmp_path))
    # The signatures hold (verify refuses a second MessageHeader on structure, which is
    # also safe); the rules refuse the header the parser reads, not the copy.
    if place == "legacy-signature":
        assert judgement.verified.passed, judgement.verified.to_dict()
    assert not judgement.validated.passed, judgement.validated.to_dict()
    assert judgement.cli_validate == 1
    codes = {f.code for f in judgement.validated.findings}
    assert bad_codes <= codes, (bad_codes, codes)
    copy_code = "DF-ENV-091" if place == "legacy-signature" else "DF-ENV-005"
    assert copy_code in codes, codes
    # What verify passes is what was signed, and the parser reads the bad header.
    assert parse_envelope(signed).model == parse_envelope(bad).model
