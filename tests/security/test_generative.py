"""A generative forgery suite: every forgery the generator makes from docflow-signed messages,
judged by every route (library and command line; ``verify`` and ``validate --trust``).

The property (``judge.secure``): each forgery is refused by every route, or what docflow's
parser reads from it (From, To, Subject, DocumentId, attachments: the whole model) is what was
signed. The forgeries come from :mod:`.forgeries`: each signed part moved, copied, or copied
with a forged twin left in its place, to each place an attacker might hide it (signature
wrapping in every shape); stripping; re-rooting; kind confusion; key confusion; namespace,
prefix and whitespace games; extra content in unsigned places; attachment swaps. Hypothesis
then composes them and plays text tricks (comments, processing instructions, CDATA, character
references) inside signed values, with a fixed seed and a bounded number of examples, so CI
sees the same cases every run.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from docflow.envelope.builder import build
from docflow.envelope.samples import sample_document, sample_status
from docflow.pki import names
from docflow.pki.builder import Issuer, leaf_certificate
from docflow.pki.roles import ORGAN_POLICY, Role
from docflow.profile.edxml import sign_message

from .attack import dump, ed, forge_organ, header, sign_as, tree
from .forgeries import (
    BYTES,
    FAMILIES,
    WRAPPINGS,
    applicable,
    forge_attachment,
    forge_header,
    possible_wrappings,
    strip_organ,
    strip_signer,
)
from .judge import judge, reading, refused_everywhere, secure, sender_as_read
from .outcome import SIGNER_ONLY
from .pki import (
    AGENCY_A,
    AGENCY_A_NAME,
    AGENCY_B,
    EXPIRES,
    ISSUED,
    Credential,
    SmallPki,
    ec_key,
)

SETTINGS = settings(max_examples=30, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _forged(document: bytes, change) -> bytes | None:  # type: ignore[no-untyped-def]
    root = tree(document)
    return dump(root) if applicable(change, root) else None


def _wrapped(document: bytes, name: str) -> bytes:
    """The wrapping applied; one the generator lists can always be built (it raises if not)."""
    root = tree(document)
    WRAPPINGS[name](root)
    return dump(root)


@pytest.mark.parametrize("name", possible_wrappings())
def test_signature_wrapping(name: str, both: bytes, pki: SmallPki,
                            options: list[str]) -> None:
    """Every signed part (the two Signatures, an attachment, the MessageHeader, the
    envelope) moved, copied, or hidden at a place with a forged twin where it stood: refused,
    or read as signed. The classic wrapping (a forged twin) also goes through the command
    line; moves and copies through the library alone, to keep the suite fast."""
    forged = _wrapped(both, name)
    secure(forged, both, pki, options if name.startswith("forge") else None)


@pytest.mark.parametrize("name", possible_wrappings(organ_signed=False))
def test_signature_wrapping_of_the_persons_signature(name: str, signed_by_person: bytes,
                                                     pki: SmallPki) -> None:
    """The same wrappings of the message the person signed and the organ has not yet, verified
    with only the signer required: the attachments the reader sees are those signed (the
    header is nobody's yet)."""
    forged = _wrapped(signed_by_person, name)
    judgement = judge(forged, pki, required_roles=SIGNER_ONLY)
    if judgement.verified.passed:
        assert _attachments(forged) == _attachments(signed_by_person), name


@pytest.mark.parametrize("organ_signed", [True, False])
def test_the_generator_lists_exactly_the_wrappings_that_can_be_built(
        organ_signed: bool, both: bytes, signed_by_person: bytes) -> None:
    """The generator's table of impossible wrappings (a part into itself, a move to where it
    stands, the organ's Signature before the organ signs) is exact: every wrapping it lists
    can be built on the signed message, and every other one cannot."""
    document = both if organ_signed else signed_by_person
    listed = set(possible_wrappings(organ_signed=organ_signed))
    for name, change in WRAPPINGS.items():
        try:
            built = applicable(change, tree(document))
        except StopIteration:  # the part or place is the organ's Signature, not there yet
            built = False
        assert built == (name in listed), name


def _attachments(document: bytes) -> set[tuple[str, str, bytes]]:
    model = reading(document)
    return {(a.content_id, a.attachment_name or "", a.encoded)
            for a in getattr(model, "attachments", ())}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_forgery_families(name: str, both: bytes, pki: SmallPki, options: list[str]) -> None:
    """Stripping, kind confusion, key confusion without the victim's key, duplicate and
    foreign Ids, extra content in unsigned places, attachment swaps: refused, or read as
    signed."""
    forged = _forged(both, FAMILIES[name])
    assert forged is not None and forged != both
    secure(forged, both, pki, options)




@pytest.mark.parametrize("name", sorted(BYTES))
def test_byte_level_games(name: str, both: bytes, pki: SmallPki, options: list[str]) -> None:
    """Re-rooting (a wrapper, another namespace, none), prefixes renamed or dropped,
    declarations added, whitespace and line ends, quoting: refused, or read as signed."""
    forged = BYTES[name](both)
    assert forged != both
    secure(forged, both, pki, options)


def test_namespace_declarations_alone_change_nothing(both: bytes, pki: SmallPki) -> None:
    """A check that the property can pass: declarations exclusive C14N drops leave both
    signatures valid, and the reading is the signed one."""
    forged = BYTES["unused-namespace-declarations"](both)
    judgement = secure(forged, both, pki)
    assert judgement.verified.passed and judgement.validated.passed


def _stripped_rewritten(both: bytes) -> etree._Element:
    root = tree(both)
    strip_organ(root)
    forge_header(root)
    return root


def test_key_confusion_person_certificate_as_organ(both: bytes, pki: SmallPki,
                                                   signer_a: Credential,
                                                   options: list[str]) -> None:
    """The organ's Signature replaced by one the sender's *person* makes over the forged
    header (sign_as skips docflow's own checks): DF-SIG-021 everywhere."""
    forged = sign_as(dump(_stripped_rewritten(both)), signer_a.signer(), "organ")
    refused_everywhere(secure(forged, both, pki, options))


def test_key_confusion_organ_of_another_agency(both: bytes, pki: SmallPki,
                                               organ_b: Credential,
                                               options: list[str]) -> None:
    """Agency B's genuine organ certificate signs A's forged message: DF-SIG-024; and with
    From rewritten to B, A's person's signature no longer matches the sender."""
    forged = sign_as(dump(_stripped_rewritten(both)), organ_b.signer(), "organ")
    refused_everywhere(secure(forged, both, pki, options))
    root = _stripped_rewritten(both)
    sender = header(root).find(f"{ed('MessageHeader')}/{ed('From')}/{ed('OrganId')}")
    assert sender is not None
    sender.text = AGENCY_B
    as_b = sign_as(dump(root), organ_b.signer(), "organ")
    refused_everywhere(secure(as_b, both, pki, options))


def test_key_confusion_attackers_own_certificate(both: bytes, pki: SmallPki,
                                                 options: list[str]) -> None:
    """The attacker's own key and a self-made certificate naming agency A's organ: no path
    to the trust anchor."""
    key = ec_key()
    issuer = Issuer.from_key(names.organ_name(AGENCY_A, AGENCY_A_NAME), key)
    cert = leaf_certificate(issuer.name, key.public_key(), issuer, 7, ISSUED, EXPIRES,
                            policy=ORGAN_POLICY)
    forged = forge_organ(both, key, cert.public_bytes(Encoding.DER))
    refused_everywhere(secure(forged, both, pki, options))


@pytest.mark.parametrize("shape", ["envelope-root", "no-namespace", "other-namespace"])
def test_rerooted_and_signed_by_any_certificate(shape: str, both: bytes, pki: SmallPki,
                                                signer_a: Credential,
                                                options: list[str]) -> None:
    """Hole 2: the forged message as a bare edXMLEnvelope root (attachments inside it), in
    no namespace or in another one (the parser reads an edXML root in any namespace), with
    one enveloped signature by the sender's *person*. It passed verify as plain XML-DSig,
    though the reader sees a document from agency A; the edXML profile is now the default and
    refuses it (DF-TRU-001)."""
    root = _stripped_rewritten(both)
    strip_signer(root)
    if shape == "envelope-root":
        envelope = root.find(ed("edXMLEnvelope"))
        assert envelope is not None
        for rest in root.findall(ed("AttachmentEncoded")):
            envelope.append(rest)
        data = etree.tostring(envelope)
    else:
        data = BYTES[f"reroot-{shape}"](dump(root))
    forged = signer_a.signer().sign(data)
    refused_everywhere(secure(forged, both, pki, options))


def test_every_signature_stripped_and_content_changed(both: bytes, pki: SmallPki,
                                                      options: list[str]) -> None:
    """Hole 3: every Signature removed, the Subject and an attachment changed. validate
    --trust passed it with a DF-SIG-022 warning; giving a trust now requires the organ's
    signature (DF-SIG-028)."""
    forged = _forged(both, FAMILIES["strip-both"])
    assert forged is not None
    root = tree(forged)
    forge_header(root)
    forge_attachment(root)
    refused_everywhere(secure(dump(root), both, pki, options))


# --- hypothesis: compositions of forgeries, and text tricks inside signed values ----------
_SIGNED_TEXTS = [
    f"{ed('edXMLEnvelope')}/{ed('edXMLHeader')}/{ed('MessageHeader')}/{path}"
    for path in (f"{ed('From')}/{ed('OrganId')}", f"{ed('To')}/{ed('OrganId')}",
                 ed("Subject"), ed("DocumentId"), f"{ed('Code')}/{ed('CodeNumber')}",
                 f"{ed('Code')}/{ed('CodeNotation')}",
                 f"{ed('PromulgationInfo')}/{ed('PromulgationDate')}", ed("Content"))
] + [f"{ed('AttachmentEncoded')}/{ed('Attachment')}/{ed(path)}"
     for path in ("ContentId", "ContentTransferEncoded", "AttachmentName")]

_TRICKS = ["comment", "pi", "cdata", "charref", "space", "element"]


def _trick(document: bytes, path: str, position: float, trick: str) -> bytes:
    """``document`` with ``trick`` played at ``position`` (0–1) of the value at ``path``."""
    text = document.decode()
    root = tree(document)
    element = root.find(path)
    assert element is not None and element.text
    value = element.text
    cut = int(position * len(value))
    before, after = value[:cut], value[cut:]
    insert = {"comment": "<!--x-->", "pi": "<?x y?>", "cdata": "<![CDATA[]]>",
              "space": " ", "element": "<edXML:B/>"}.get(trick)
    if trick == "charref":
        if not after:
            return document
        replacement = before + f"&#x{ord(after[0]):x};" + after[1:]
    elif trick == "cdata":
        replacement = f"<![CDATA[{before}]]>{after}"
    else:
        replacement = before + (insert or "") + after
    tag = etree.QName(element).localname
    marker = f"<edXML:{tag}>{value}</edXML:{tag}>"
    if marker not in text:
        return document
    return text.replace(marker, f"<edXML:{tag}>{replacement}</edXML:{tag}>", 1).encode()


@SETTINGS
@given(path=st.sampled_from(_SIGNED_TEXTS), position=st.floats(0, 1),
       trick=st.sampled_from(_TRICKS))
def test_text_tricks_inside_signed_values(both: bytes, pki: SmallPki, path: str,
                                          position: float, trick: str) -> None:
    """A comment, processing instruction, empty or wrapping CDATA, character reference,
    space or element inside a signed value: either a signature breaks and every route
    refuses, or (comments, CDATA, character references: the canonical form is the same) the
    reader sees exactly the signed value."""
    forged = _trick(both, path, position, trick)
    judgement = secure(forged, both, pki)
    if trick in ("comment", "cdata", "charref") and forged != both:
        assert judgement.verified.passed, judgement.verified.to_dict()
        assert judgement.validated.passed, judgement.validated.to_dict()


_STEPS = sorted(FAMILIES) + sorted(n for n in WRAPPINGS if n.startswith(("move", "forge")))


@settings(SETTINGS, max_examples=40)
@given(steps=st.lists(st.sampled_from(_STEPS), min_size=2, max_size=3, unique=True))
def test_compositions_of_forgeries(both: bytes, pki: SmallPki, steps: list[str]) -> None:
    """Two or three forgeries applied one after the other: refused, or read as signed."""
    root = tree(both)
    for step in steps:
        change = FAMILIES.get(step) or WRAPPINGS[step]
        try:
            if not applicable(change, root):
                return
        except (AssertionError, AttributeError, TypeError, ValueError, KeyError, IndexError,
                StopIteration):
            return  # an earlier step removed what this one works on
    secure(dump(root), both, pki)


def test_the_organ_is_required_by_default_on_every_route(both: bytes, pki: SmallPki,
                                                         options: list[str]) -> None:
    """The property's baseline: the untouched message passes every route, and stripping the
    organ fails verify on every route (DF-SIG-028)."""
    untouched = judge(both, pki, options)
    assert untouched.verified.passed and untouched.validated.passed
    assert untouched.cli_verify == 0 and untouched.cli_validate == 0
    stripped = judge(_forged(both, FAMILIES["strip-organ"]) or b"", pki, options)
    assert not stripped.verified.passed and stripped.cli_verify == 1
    assert Role.ORGAN in stripped.verified.required_roles


_MUTATIONS = ["delete", "duplicate", "move", "rename-namespace", "strip-namespace", "empty",
              "attribute"]


@settings(SETTINGS, max_examples=40)
@given(data=st.data())
def test_random_mutations_of_any_element(both: bytes, pki: SmallPki,
                                         data: st.DataObject) -> None:
    """Any element of the signed message (the Signatures' insides included) deleted,
    duplicated, moved under any other element, put in another namespace or none, emptied, or
    given an attribute: refused, or read as signed."""
    root = tree(both)
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    target = elements[data.draw(st.integers(1, len(elements) - 1), label="element")]
    mutation = data.draw(st.sampled_from(_MUTATIONS), label="mutation")
    parent = target.getparent()
    assert parent is not None
    if mutation == "delete":
        parent.remove(target)
    elif mutation == "duplicate":
        target.addnext(copy.deepcopy(target))
    elif mutation == "move":
        others = [e for e in elements if e is not target and target not in e.iterancestors()]
        others[data.draw(st.integers(0, len(others) - 1), label="to")].append(target)
    elif mutation == "rename-namespace":
        target.tag = f"{{urn:attacker}}{etree.QName(target).localname}"
    elif mutation == "strip-namespace":
        target.tag = etree.QName(target).localname
    elif mutation == "empty":
        for child in list(target):
            target.remove(child)
        target.text = None
    else:
        target.set(data.draw(st.sampled_from(["Id", "{urn:x}Id", "URI", "Algorithm"])),
                   "att-1")
    secure(dump(root), both, pki)


def _status(organ: Credential) -> bytes:
    document = sample_document(np.random.default_rng(5), sender=AGENCY_A,
                               receivers=[AGENCY_B], attachments=1, size=100)
    status = build(sample_status(np.random.default_rng(6), document=document,
                                 receiver=AGENCY_B))
    return sign_message(status, organ.signer(), "organ")


def _status_element(root: etree._Element) -> etree._Element:
    found = header(root).find(ed("Status"))
    assert found is not None
    return found


STATUS_FORGERIES = {
    "strip-signature": lambda root: header(root).remove(next(root.iter(
        "{http://www.w3.org/2000/09/xmldsig#}Signature"))),
    "add-message-header": lambda root: etree.SubElement(header(root), ed("MessageHeader")),
    "status-renamed-message-header": lambda root: setattr(_status_element(root), "tag",
                                                          ed("MessageHeader")),
    "status-code-changed": lambda root: setattr(
        _status_element(root).find(ed("StatusCode")), "text", "02"),
    "foreign-status-copy": lambda root: header(root).append(etree.Element("{urn:x}Status")),
    "body-added": lambda root: etree.SubElement(root[0], ed("edXMLBody")),
}


@pytest.mark.parametrize("name", sorted(STATUS_FORGERIES))
def test_status_message_forgeries(name: str, pki: SmallPki, organ_b: Credential,
                                  options: list[str]) -> None:
    """A status message agency B's organ signed, forged the other way round (dressed as a
    document, its code changed, its signature stripped, a body added): refused, or read as
    signed."""
    signed = _status(organ_b)
    assert judge(signed, pki).verified.passed
    root = tree(signed)
    STATUS_FORGERIES[name](root)
    secure(dump(root), signed, pki, options)


_SPOOF_SPELLINGS = ["qcvn", "bare", "foreign"]


@settings(SETTINGS, max_examples=40)
@given(data=st.data())
def test_an_organ_cannot_sign_as_another_agency(message: bytes, pki: SmallPki,
                                                organ_a: Credential,
                                                data: st.DataObject) -> None:
    """Agency A's organ itself crafts the message: a second From, or a second OrganId in
    the From, naming agency B, in the QCVN namespace, in none or in another, placed before or
    after the real one, or anywhere in the header; then A's organ signs it (with the
    attacker's software, docflow's sign refusing). Whatever passes verify, the parser reads
    A as the sender."""
    root = tree(message)
    message_header = header(root).find(ed("MessageHeader"))
    assert message_header is not None
    sender = message_header.find(ed("From"))
    assert sender is not None
    spelling = data.draw(st.sampled_from(_SPOOF_SPELLINGS), label="spelling")
    tag = {"qcvn": ed, "bare": lambda local: local,
           "foreign": lambda local: f"{{urn:attacker}}{local}"}[spelling]
    what = data.draw(st.sampled_from(["From", "OrganId"]), label="what")
    if what == "From":
        twin: etree._Element = etree.Element(tag("From"))
        etree.SubElement(twin, tag("OrganId")).text = AGENCY_B
        parent = data.draw(st.sampled_from([message_header, header(root), sender]),
                           label="parent")
    else:
        twin = etree.Element(tag("OrganId"))
        twin.text = AGENCY_B
        parent = data.draw(st.sampled_from([sender, message_header]), label="parent")
    position = data.draw(st.integers(0, len(parent)), label="position")
    parent.insert(position, twin)
    signed = sign_as(dump(root), organ_a.signer(), "organ")
    sender_as_read(signed, judge(signed, pki).verified)
