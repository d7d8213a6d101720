"""DTDs, entities, XInclude and other parser features inside a signed document.

A DTD lets an attacker change what the signed text *is* after signing (an entity that expands
to a forged subject for one parser and stays literal for another), read local files (XXE),
exhaust memory (billion laughs), or add ID attributes of their choice. XInclude pulls in content
no signature covers. The defence is docflow's one hardened parser: no DTD at all, no entities,
no XInclude, no network, UTF-8 only, bounded depth — and a refusal is an ``InputError`` with a
stable code, never a verdict on a document the parser changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from docflow.errors import InputError
from docflow.profile.edxml import sign_message

from .attack import ed, tree
from .outcome import refused, verify
from .pki import Credential, SmallPki


def _subject_line(document: bytes) -> bytes:
    start = document.index(b"<edXML:Subject>")
    end = document.index(b"</edXML:Subject>") + len(b"</edXML:Subject>")
    return document[start:end]


def _with_prolog(document: bytes, prolog: bytes) -> bytes:
    start = document.index(b"<edXML:edXML")
    return document[:start] + prolog + document[start:]


def _refused_by_parser(document: bytes, pki: SmallPki, *codes: str) -> None:
    with pytest.raises(InputError) as raised:
        verify(document, pki)
    assert raised.value.code in codes, raised.value


def test_internal_entity_replacing_the_signed_subject(both: bytes, pki: SmallPki) -> None:
    """DTD entity inside a signed document: an internal subset declares ``&s;`` as the
    signed subject and the Subject is written as ``&s;`` — the same text for a parser that
    expands it, free to change for one that does not. Defence: any DTD is refused
    (DF-XML-002)."""
    line = _subject_line(both)
    text = line[len(b"<edXML:Subject>"):-len(b"</edXML:Subject>")]
    forged = _with_prolog(both.replace(line, b"<edXML:Subject>&s;</edXML:Subject>", 1),
                          b'<!DOCTYPE edXML:edXML [<!ENTITY s "' + text + b'">]>\n')
    _refused_by_parser(forged, pki, "DF-XML-002")


def test_external_entity_reading_a_local_file(both: bytes, pki: SmallPki,
                                              tmp_path: Path) -> None:
    """XXE: an external entity pointing at a local file, expanded into the Subject.
    Defence: refused before any entity is resolved (DF-XML-002); the file is never read."""
    secret = tmp_path / "secret.txt"
    secret.write_text("mật khẩu")
    forged = _with_prolog(
        both.replace(_subject_line(both), b"<edXML:Subject>&x;</edXML:Subject>", 1),
        b'<!DOCTYPE edXML:edXML [<!ENTITY x SYSTEM "' + secret.as_uri().encode() + b'">]>\n')
    _refused_by_parser(forged, pki, "DF-XML-002")


def test_billion_laughs(both: bytes, pki: SmallPki) -> None:
    """Entity expansion bomb (billion laughs) in the DTD of a signed message. Defence:
    refused as a DTD, before expansion (DF-XML-002)."""
    entities = b'<!ENTITY a0 "ha">' + b"".join(
        b"<!ENTITY a%d \"&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;\">"
        % (i, *([i - 1] * 10)) for i in range(1, 10))
    forged = _with_prolog(
        both.replace(_subject_line(both), b"<edXML:Subject>&a9;</edXML:Subject>", 1),
        b"<!DOCTYPE edXML:edXML [" + entities + b"]>\n")
    _refused_by_parser(forged, pki, "DF-XML-002")


def test_doctype_hidden_after_comments_and_a_processing_instruction(both: bytes,
                                                                    pki: SmallPki) -> None:
    """A DTD declaring ``ID`` attributes (``<!ATTLIST ... Id ID>``, which changes which
    element a ``#id`` means for a DTD-aware resolver), placed after a comment and a
    processing instruction so that a check of the first bytes misses it. Defence: the whole
    prolog is read (DF-XML-002)."""
    forged = _with_prolog(both, b"<!-- edXML -->\n<?xml-stylesheet href='a.xsl'?>\n"
                                b"<!DOCTYPE edXML:edXML [<!ATTLIST edXML:Subject Id ID "
                                b"#IMPLIED>]>\n")
    _refused_by_parser(forged, pki, "DF-XML-002")


def test_undeclared_entity_reference(both: bytes, pki: SmallPki) -> None:
    """An entity reference with no declaration (``&forged;``), which a non-validating parser
    may keep as an unexpanded node and a canonicalizer drop or keep. Defence: not well-formed
    without a DTD, so refused (DF-XML-001/003)."""
    forged = both.replace(_subject_line(both), b"<edXML:Subject>&forged;</edXML:Subject>", 1)
    _refused_by_parser(forged, pki, "DF-XML-001", "DF-XML-003")


def test_xinclude_is_not_expanded(message: bytes, organ_a: Credential, pki: SmallPki,
                                  tmp_path: Path) -> None:
    """XInclude inside a signed document: the organ (validly) signed a message whose Content
    is an ``xi:include`` of a file; the attacker controls that file. Defence: XInclude is
    never processed — the signed content is the ``xi:include`` element itself, never the
    file's text, and the file is not read."""
    target = tmp_path / "content.xml"
    target.write_text("<p>Nội dung giả mạo</p>")
    include = (b'<edXML:Content><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="'
               + target.as_uri().encode() + b'" parse="text"/></edXML:Content>')
    start = message.index(b"<edXML:Content>")
    end = message.index(b"</edXML:Content>") + len(b"</edXML:Content>")
    signed = sign_message(message[:start] + include + message[end:], organ_a.signer(), "organ")
    result = verify(signed, pki)
    assert result.passed, result.to_dict()
    organ = result.by_rule("organ")
    assert organ is not None
    canonical = organ.signed[0].canonical
    assert "giả mạo".encode() not in canonical and b"xi:include" in canonical
    assert tree(signed).find(f".//{ed('Content')}/{{http://www.w3.org/2001/XInclude}}"
                             "include") is not None


def test_deeply_nested_signed_info(both: bytes, pki: SmallPki) -> None:
    """Deeply nested SignedInfo: 10,000 nested elements inside a Transform of the organ's
    SignedInfo, to exhaust a recursive reader or canonicalizer. Defence: the parser's depth
    limit (DF-XML-004), before any signature code runs."""
    deep = b"<x>" * 10_000 + b"</x>" * 10_000
    marker = b"<ds:SignedInfo>"
    assert marker in both
    forged = both.replace(marker, marker + deep, 1)
    _refused_by_parser(forged, pki, "DF-XML-004", "DF-XML-001")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "iso-8859-1"])
def test_message_reencoded(both: bytes, pki: SmallPki, encoding: str) -> None:
    """Encoding confusion: the signed message re-encoded (with or without a byte order mark,
    or declared Latin-1), so that byte-level and character-level readers disagree. Defence:
    edXML is UTF-8 only (DF-XML-005)."""
    text = both.decode("utf-8")
    if encoding == "iso-8859-1":
        data = text.replace("encoding='UTF-8'", "encoding='ISO-8859-1'").encode(
            "utf-8")
    else:
        data = text.encode(encoding)
    _refused_by_parser(data, pki, "DF-XML-005")


def test_processing_instruction_added_outside_the_root(both: bytes, pki: SmallPki) -> None:
    """A processing instruction (a stylesheet that would render the message differently)
    added before the root of the organ-signed message. Defence: URI="" covers the processing
    instructions around the root, so the digest fails (DF-SIG-011)."""
    forged = _with_prolog(both, b'<?xml-stylesheet type="text/xsl" href="http://evil/x.xsl"?>\n')
    refused(verify(forged, pki), "DF-SIG-011")
