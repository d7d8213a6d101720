"""The strict reader of ds:Signature (docflow/dsig/structure.py)."""

from __future__ import annotations

import pytest

from docflow.dsig.structure import SignatureSyntaxError, read_signature
from docflow.xmlsafe import parse_xml

DS = "http://www.w3.org/2000/09/xmldsig#"
GOOD = (
    f'<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="c"/><ds:SignatureMethod Algorithm="m"/>'
    '<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="t"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="d"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'
    "</ds:SignedInfo><ds:SignatureValue>AQID</ds:SignatureValue>"
    "<ds:KeyInfo/><ds:Object/></ds:Signature>")


def read(text: str) -> object:
    return read_signature(parse_xml(text.encode()))


def test_reads_a_well_formed_signature() -> None:
    """A schema-shaped Signature reads into its parts."""
    syntax = read(GOOD)
    assert syntax.c14n_uri == "c" and syntax.method_uri == "m"  # type: ignore[attr-defined]
    assert syntax.value == b"\x01\x02\x03"  # type: ignore[attr-defined]
    [reference] = syntax.references  # type: ignore[attr-defined]
    assert reference.uri == "" and reference.digest_value == b"\x00\x00\x00"


@pytest.mark.parametrize("old,new", [
    ("<ds:SignatureValue>AQID</ds:SignatureValue>", ""),                      # missing value
    ('<ds:DigestValue>AAAA</ds:DigestValue>', ""),                           # missing digest
    ('<ds:DigestValue>AAAA</ds:DigestValue>', "<ds:DigestValue>AA*A</ds:DigestValue>"),
    ("<ds:SignatureValue>AQID</ds:SignatureValue>",
     "<ds:SignatureValue>AQID</ds:SignatureValue><ds:SignatureValue>AQID</ds:SignatureValue>"),
    ("<ds:KeyInfo/><ds:Object/>", "<ds:Object/><ds:KeyInfo/>"),              # order
    ('<ds:SignatureMethod Algorithm="m"/>', '<ds:SignatureMethod/>'),        # no Algorithm
    ('<ds:SignatureMethod Algorithm="m"/>',
     '<ds:SignatureMethod Algorithm="m"><ds:HMACOutputLength>8O</ds:HMACOutputLength>'
     "</ds:SignatureMethod>"),
    ("<ds:Transforms><ds:Transform Algorithm=\"t\"/></ds:Transforms>", "<ds:Transforms/>"),
    ('<ds:Reference URI="">', '<ds:Reference URI="">text'),                  # smuggled text
    ("</ds:SignedInfo>", "<ds:Extra/></ds:SignedInfo>"),                     # extra element
    ('<ds:CanonicalizationMethod Algorithm="c"/>', ""),
    ("<ds:SignatureValue>AQID</ds:SignatureValue>",
     "<ds:SignatureValue>AQID<b/></ds:SignatureValue>"),
])
def test_refuses_malformed_shapes(old: str, new: str) -> None:
    """Missing, repeated, misplaced elements, stray text and bad base64 are DF-SIG-001."""
    assert old in GOOD
    with pytest.raises(SignatureSyntaxError) as caught:
        read(GOOD.replace(old, new, 1))
    assert caught.value.code == "DF-SIG-001"


def test_whitespace_and_comments_between_elements_are_fine() -> None:
    """Indentation and comments in SignedInfo are allowed (and signed, if C14N keeps them)."""
    text = GOOD.replace("<ds:Reference", "\n  <!-- note -->\n  <ds:Reference")
    assert len(read(text).references) == 1  # type: ignore[attr-defined]
