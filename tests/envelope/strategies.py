"""Hypothesis strategies for edXML messages: Vietnamese text, many attachments, status codes."""

from __future__ import annotations

import base64

from hypothesis import strategies as st

from docflow.envelope import model as m
from docflow.envelope.status import StatusCode

VIETNAMESE = ("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
              "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
              "ĐđƯưƠơ 0123456789.,;:-/()\"'&<>\t\n\r")

#: Any character XML 1.0 can carry (no control characters but tab, newline and return).
xml_chars = st.characters(blacklist_categories=("Cs",), min_codepoint=0x09).filter(
    lambda c: c in "\t\n\r" or (c >= " " and c not in "\ufffe\uffff"))
text = st.one_of(st.text(VIETNAMESE, max_size=40), st.text(xml_chars, max_size=20))
required = text.filter(lambda s: s.strip() != "")
optional = st.none() | text


def _opt_tuple(items: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | st.lists(items, max_size=3).map(tuple)


organizations = st.builds(
    m.Organization, organ_id=required, organization_in_charge=optional, organ_name=optional,
    organ_add=optional, email=optional, telephone=optional, fax=optional, website=optional)
response_fors = st.builds(m.ResponseFor, organ_id=required, code=required,
                          promulgation_date=required, document_id=required)
staff = st.builds(m.StaffInfo, department=optional, staff=optional, mobile=optional,
                  email=optional)
business = st.builds(
    m.Business, doc_type=required, doc_reason=optional, document_id=optional, info=optional,
    document_info=st.none() | st.builds(
        m.BusinessDocumentInfo, document_info=optional, document_receiver=optional,
        receivers=_opt_tuple(st.builds(m.Receiver, receiver_type=optional, organ_id=optional))),
    replacements=_opt_tuple(st.builds(m.ReplacementInfo, document_id=required,
                                      organ_ids=_opt_tuple(text))),
    staff_info=st.none() | staff, paper=optional)


@st.composite
def attachment_lists(draw: st.DrawFn, max_size: int = 12) -> tuple[
        tuple[m.Reference, ...], tuple[m.Attachment, ...]]:
    """Manifest references and attachments, with unique Ids usable by signatures."""
    n = draw(st.integers(0, max_size))
    refs, atts = [], []
    for i in range(n):
        cid = draw(required)
        data = draw(st.binary(max_size=300))
        name, kind, desc = draw(optional), draw(optional), draw(optional)
        refs.append(m.Reference(content_id=cid, content_type=kind, description=desc,
                                attachment_name=name, href=draw(st.none() | st.just(f"cid:{i}"))))
        atts.append(m.Attachment(content_id=cid, encoded=base64.b64encode(data).decode(),
                                 attachment_name=name, content_type=kind, description=desc,
                                 id=draw(st.none() | st.just(f"att-{i + 1}"))))
    return tuple(refs), tuple(atts)


@st.composite
def envelopes(draw: st.DrawFn) -> m.Envelope:
    """Document messages that the builder accepts."""
    refs, atts = draw(attachment_lists())
    return m.Envelope(
        sender=draw(organizations),
        receivers=tuple(draw(st.lists(organizations, min_size=1, max_size=4))),
        document_id=draw(required),
        code=m.Code(code_number=draw(required), code_notation=draw(required)),
        promulgation_info=m.PromulgationInfo(promulgation_date=draw(required),
                                             place=draw(optional)),
        document_type=m.DocumentTypeInfo(type=draw(required), type_name=draw(optional),
                                         type_detail=draw(optional)),
        subject=draw(required),
        content=draw(text),
        signer_info=m.SignerInfo(full_name=draw(required), competence=draw(optional),
                                 position=draw(optional)),
        other_info=m.OtherInfo(priority=draw(optional), sphere_of_promulgation=draw(optional),
                               typer_notation=draw(optional),
                               promulgation_amount=draw(optional), page_amount=draw(optional),
                               appendixes=draw(_opt_tuple(text))),
        due_date=draw(optional),
        response_for=tuple(draw(st.lists(response_fors, max_size=2))),
        steering_type=draw(optional),
        to_places=draw(_opt_tuple(text)),
        trace_headers=tuple(draw(st.lists(st.builds(m.TraceHeader, organ_id=required,
                                                    timestamp=required), max_size=4))),
        business=draw(st.none() | business),
        references=refs,
        attachments=atts,
    )


status_codes = st.one_of(
    st.sampled_from(StatusCode),
    required.filter(lambda s: StatusCode.lookup(s) is None))

statuses = st.builds(m.StatusMessage, response_for=response_fors, sender=organizations,
                     status_code=status_codes, timestamp=required,
                     staff_info=st.none() | staff, description=optional)
