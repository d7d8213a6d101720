"""Making signatures (docflow/dsig/sign.py)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from lxml import etree
from pki import damaged

from docflow.dsig import (
    ENVELOPED,
    EmbeddedKeyValue,
    PinnedKeyChecker,
    ReferenceRule,
    SignatureLayout,
    SignatureMethod,
    SignatureRule,
    Signer,
    SignReference,
    verify_at,
)
from docflow.errors import InputError
from docflow.xmlsafe import parse_xml

from .pkitools import NOW, self_signed

DS = "http://www.w3.org/2000/09/xmldsig#"


def pinned(key: object) -> tuple[Signer, PinnedKeyChecker]:
    cert = self_signed(key)  # type: ignore[arg-type]
    return Signer(key, [cert]), PinnedKeyChecker((cert,))  # type: ignore[arg-type]


def test_signature_is_spliced_into_the_original_bytes(ec_key: ec.EllipticCurvePrivateKey
                                                      ) -> None:
    """Signing adds the Signature before the root's end tag and changes nothing else."""
    document = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- kept -->\n<a  b = "1">\n'
                b"  <c>x</c>\n</a >\n<!-- after -->\n")
    signer, trust = pinned(ec_key)
    signed = signer.sign(document)
    start = signed.index(b"<ds:Signature")
    end = signed.index(b"</ds:Signature>") + len(b"</ds:Signature>")
    assert signed[:start] + signed[end:] == document
    assert verify_at(signed, NOW, trust=trust).passed


def test_empty_root_is_reserialized(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """A root written as an empty-element tag gets the Signature by re-serialization."""
    signer, trust = pinned(ec_key)
    signed = signer.sign(b'<a xmlns="urn:a" x="1"/>')
    assert verify_at(signed, NOW, trust=trust).passed


def _spliced(signed: bytes, document: bytes) -> bool:
    """Whether ``signed`` is ``document`` with one Signature inserted, the last child of the
    root, and nothing else changed."""
    start = signed.index(b"<ds:Signature")
    end = signed.index(b"</ds:Signature>") + len(b"</ds:Signature>")
    root = parse_xml(signed)
    return signed[:start] + signed[end:] == document and \
        root[-1].tag == f"{{{DS}}}Signature"


@pytest.mark.parametrize("document", [
    # the root's end tag inside a CDATA section, then white space (exponential for a regular
    # expression with nested quantifiers)
    b"<receipt><note><![CDATA[</receipt>" + b" " * 40 + b"x]]></note></receipt>",
    b"<r><!-- </r> --></r>\n<!-- </r>  </r> -->\n",                  # in comments, both sides
    b"<r>x</r><?pi </r><?x ?>",            # a PI whose data ends like a PI after an end tag
    b"<r>x</r>\n<?pi   data </r> ?>\n<?empty?>\n<?blank \t?>\n",      # PI data and spacing
    b'<p:r xmlns:p="urn:p">x</p:r\n >\t\n',                           # prefixed, spaced
    b"<r>\xe1\xbb\xa6y ban</r><!-- \xc4\x91\xc3\xa3 k\xc3\xbd </r> -->",  # non-ASCII
])
def test_end_tag_found_exactly_in_hostile_documents(document: bytes,
                                                    ec_key: ec.EllipticCurvePrivateKey) -> None:
    """The Signature goes before the root's real end tag, found by a linear scan: never before
    a ``</root>`` inside CDATA, a comment or a processing instruction, and the rest of the bytes
    are kept."""
    signer, trust = pinned(ec_key)
    signed = signer.sign(document)
    assert _spliced(signed, document)
    assert verify_at(signed, NOW, trust=trust).passed


def test_trailing_comment_the_parser_normalized_is_reserialized(
        ec_key: ec.EllipticCurvePrivateKey) -> None:
    """A trailing comment whose bytes differ from the parsed text (CR LF, which the parser
    reads as LF) cannot be matched byte for byte: the tree is serialized instead, and the
    signature still verifies."""
    document = b"<r>x</r>\r\n<!-- line\r\nnext </r> -->\r\n"
    signer, trust = pinned(ec_key)
    signed = signer.sign(document)
    assert not _spliced(signed, document)
    assert verify_at(signed, NOW, trust=trust).passed
    assert parse_xml(signed).getnext().text == " line\nnext </r> "


@pytest.mark.parametrize("document", [
    b'<a xmlns:ds="urn:not-dsig"><ds:b>x</ds:b></a>',                       # ds taken
    b'<a xmlns:dsig="http://www.w3.org/2000/09/xmldsig#"><b/></a>',          # DS as dsig
    b'<a xmlns="http://www.w3.org/2000/09/xmldsig#"><b/></a>',               # DS as default
])
def test_prefix_clashes(document: bytes, ec_key: ec.EllipticCurvePrivateKey) -> None:
    """Signing works whatever the document binds ``ds`` or the XML-DSig namespace to."""
    signer, trust = pinned(ec_key)
    assert verify_at(signer.sign(document), NOW, trust=trust).passed
    root = parse_xml(document)
    signer.sign_tree(root)
    assert verify_at(etree.tostring(root), NOW, trust=trust).passed


def test_sign_tree_places_the_signature_where_asked(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """``sign_tree`` appends the Signature to the given element, covering what is asked."""
    root = parse_xml(b'<m xmlns="urn:m"><h/><body><part Id="p1">x</part><part Id="p2">y</part>'
                     b"</body></m>")
    signer, trust = pinned(ec_key)
    element = signer.sign_tree(root[0], [SignReference.element("p1"),
                                         SignReference.element("p2")], index=0)
    assert element.getparent() is root[0] and root[0][0] is element
    layout = SignatureLayout((SignatureRule("parts", ("{urn:m}m", "{urn:m}h"), (
        ReferenceRule.element("{urn:m}part", parent=("{urn:m}m", "{urn:m}body"),
                              max_count=None, all_of_kind=True),)),))
    result = verify_at(etree.tostring(root), NOW, trust=trust, layout=layout)
    assert result.passed, result.findings
    assert [s.uri for s in result.signed] == ["#p1", "#p2"]


def test_reference_to_an_ancestor_gets_the_enveloped_transform(
        ec_key: ec.EllipticCurvePrivateKey) -> None:
    """A ``#id`` whose element will hold the Signature is signed with enveloped-signature."""
    signer, trust = pinned(ec_key)
    signed = signer.sign(b'<a Id="root"><b>x</b></a>', [SignReference.element("root")])
    assert signed.count(b"enveloped-signature") == 1
    assert verify_at(signed, NOW, trust=trust, layout=ENVELOPED).passed


def test_missing_or_duplicate_id(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """A ``#id`` naming no element, or two, is an input error with the DF-SIG code."""
    signer, _ = pinned(ec_key)
    for document, code in [(b'<a><b Id="x"/></a>', "DF-SIG-006"),
                           (b'<a><b Id="y"/><c Id="y"/></a>', "DF-SIG-007")]:
        with pytest.raises(InputError) as caught:
            signer.sign(document, [SignReference.element("y")])
        assert caught.value.code == code


def test_signer_refuses_weak_or_mismatched_configuration(
        ec_key: ec.EllipticCurvePrivateKey, rsa_key: rsa.RSAPrivateKey) -> None:
    """Keys and methods verifiers would refuse are refused when the Signer is made."""
    weak = rsa.generate_private_key(65537, 1024)
    cases = [
        lambda: Signer(weak),
        lambda: Signer(rsa_key, method=SignatureMethod.RSA_SHA1),
        lambda: Signer(rsa_key, method=SignatureMethod.ECDSA_SHA256),
        lambda: Signer(rsa_key, [self_signed(ec_key)]),
        lambda: Signer(ec_key, [damaged.unknown_key_algorithm(self_signed(ec_key))]),
        lambda: Signer(ed25519.Ed25519PrivateKey.generate(), include_key_value=True),
    ]
    for make in cases:
        with pytest.raises(ValueError):
            make()
    with pytest.raises(ValueError):
        SignReference.element("#x")


def test_rsa_signing_is_deterministic_and_the_signer_shareable(
        rsa_key: rsa.RSAPrivateKey) -> None:
    """One Signer signs many documents; the same input gives the same bytes (PKCS#1 v1.5)."""
    signer = Signer(rsa_key, [self_signed(rsa_key)])
    first = signer.sign(b"<a>1</a>")
    assert signer.sign(b"<a>2</a>") != first
    assert signer.sign(b"<a>1</a>") == first


def test_key_value_for_crypto_only_partners(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """``include_key_value`` writes the key, which the crypto-only mode can use."""
    signed = Signer(ec_key, include_key_value=True).sign(b"<a>x</a>")
    result = verify_at(signed, NOW, trust=EmbeddedKeyValue())
    assert result.sub_indications == ("DF-SIG-016",) and result.signed


def test_non_ascii_ids(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """IDs outside ASCII (Vietnamese) round-trip."""
    signer, trust = pinned(ec_key)
    signed = signer.sign('<a><b Id="văn-bản">x</b></a>'.encode(),
                         [SignReference.element("văn-bản")])
    layout = SignatureLayout((SignatureRule("b", ("a",), (ReferenceRule.element("b"),)),))
    assert verify_at(signed, NOW, trust=trust, layout=layout).passed
