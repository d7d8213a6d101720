"""Realistic, valid edXML messages drawn from a random generator, for tests and the simulator.

Everything random comes from the ``numpy.random.Generator`` passed in, so the same seed gives the
same messages, byte for byte once built. Subjects, names and places are Vietnamese; numbers and
notations follow Decree 30/2020 (``12/QĐ-UBND``, ``345/UBND-VP`` for a Công văn); the
``DocumentId`` is derived from the sender, date and code as QCVN 102 requires.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np

from docflow.envelope.dates import VIETNAM, format_date, format_timestamp
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import (
    Attachment,
    Business,
    BusinessDocType,
    Code,
    DocumentTypeInfo,
    Envelope,
    Organization,
    OtherInfo,
    PromulgationInfo,
    Reference,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusMessage,
    TraceHeader,
    document_id_of,
)
from docflow.envelope.organ import OrganCode
from docflow.envelope.status import StatusCode

__all__ = ["example_document", "example_status", "organization", "place_of", "response_for",
           "sample_document", "sample_status"]

_PROVINCES = {
    "H01": "Hà Nội", "H02": "Hà Giang", "H04": "Cao Bằng", "H15": "Lào Cai", "H22": "Quảng Ninh",
    "H26": "Vĩnh Phúc", "H29": "Hải Dương", "H31": "Hải Phòng", "H40": "Nghệ An",
    "H42": "Hà Tĩnh", "H46": "Thừa Thiên Huế", "H48": "Đà Nẵng", "H49": "Quảng Nam",
    "H56": "Khánh Hòa", "H68": "Lâm Đồng", "H79": "Hồ Chí Minh", "H92": "Cần Thơ",
}
_CENTRAL = {"G01": "Văn phòng Quốc hội", "G22": "Văn phòng Chính phủ",
            "G10": "Bộ Nội vụ", "G12": "Bộ Tài chính", "G15": "Bộ Thông tin và Truyền thông"}
_CENTRAL_ABBR = {"G01": "VPQH", "G22": "VPCP", "G10": "BNV", "G12": "BTC", "G15": "BTTTT"}
_UNITS = ["Sở Nội vụ", "Sở Tài chính", "Sở Y tế", "Sở Giáo dục và Đào tạo",
          "Sở Kế hoạch và Đầu tư", "Sở Tài nguyên và Môi trường", "Văn phòng"]
_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
           "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
_MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hữu", "Quang", "Ngọc", "Thanh", "Xuân"]
_GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương",
          "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phương", "Quân", "Sơn", "Thảo",
          "Trang", "Tuấn", "Việt", "Yến"]
_ACTIONS = ["triển khai", "tăng cường", "hướng dẫn thực hiện", "báo cáo kết quả",
            "đẩy mạnh", "tổ chức", "kiện toàn", "rà soát", "sơ kết", "tổng kết"]
_TOPICS = ["chuyển đổi số", "cải cách hành chính", "phòng, chống thiên tai",
           "công tác văn thư, lưu trữ", "dịch vụ công trực tuyến", "an toàn thông tin mạng",
           "phòng cháy, chữa cháy", "quản lý đất đai", "giải ngân vốn đầu tư công",
           "xây dựng nông thôn mới", "chữ ký số chuyên dùng", "bảo vệ môi trường",
           "tiếp công dân", "phòng, chống tham nhũng", "ứng dụng định danh điện tử"]
_PERIODS = ["năm 2025", "quý III năm 2025", "6 tháng đầu năm 2025", "giai đoạn 2025-2030",
            "tháng 7 năm 2025"]
_POSITIONS = [("TM.", "Chủ tịch"), ("KT.", "Phó Chủ tịch"), ("TL.", "Chánh Văn phòng"),
              ("", "Giám đốc"), ("KT.", "Phó Giám đốc"), ("", "Bộ trưởng"),
              ("KT.", "Thứ trưởng")]
_KINDS = [("application/pdf", "pdf"),
          ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
          ("application/vnd.ms-excel", "xls")]


def _pick(rng: np.random.Generator, items: list[str]) -> str:
    return items[int(rng.integers(len(items)))]


def _name(rng: np.random.Generator) -> str:
    return f"{_pick(rng, _FAMILY)} {_pick(rng, _MIDDLE)} {_pick(rng, _GIVEN)}"


def _uuid(rng: np.random.Generator) -> str:
    h = rng.bytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"


@functools.lru_cache(maxsize=1 << 16)
def organization(organ_id: str, name: str | None = None) -> Organization:
    """An ``Organization`` block for an organ code, with a plausible Vietnamese name.

    Cached: blocks are immutable and a run sends many documents between the same agencies.

    >>> organization("000.00.00.H49").organ_name
    'Ủy ban nhân dân tỉnh Quảng Nam'
    """
    code = OrganCode.parse(organ_id)
    if name is None:
        name = _organ_name(code)
    slug = code.m.lower()
    return Organization(organ_id=organ_id, organization_in_charge=name, organ_name=name,
                        organ_add=f"Trụ sở {name}", email=f"vanthu.{slug}@gov.vn",
                        telephone="024 3825 0000", fax="024 3825 0001",
                        website=f"https://{slug}.gov.vn")


def place_of(code: OrganCode) -> str:
    """The place an organ dates its documents from: its province, Hà Nội for central bodies.

    >>> place_of(OrganCode.parse("000.00.00.H49"))
    'Quảng Nam'
    """
    return "Hà Nội" if code.is_central else _PROVINCES.get(code.m, "Hà Nội")


def _organ_name(code: OrganCode) -> str:
    if code.is_central:
        base = _CENTRAL.get(code.m, f"Cơ quan trung ương {code.m}")
        return base if code.tier == 1 else f"Đơn vị {code.y} thuộc {base}"
    province = _PROVINCES.get(code.m, f"tỉnh {code.m}")
    place = province if province.startswith("tỉnh") else \
        (f"thành phố {province}" if code.m in ("H01", "H31", "H48", "H79", "H92")
         else f"tỉnh {province}")
    if code.tier == 1:
        return f"Ủy ban nhân dân {place}"
    if code.tier == 2:
        return f"{_UNITS[int(code.y) % len(_UNITS)] if code.y.isdigit() else 'Đơn vị'} {place}"
    return f"Ủy ban nhân dân xã {code.z}, {place}"


def _notation_organ(code: OrganCode) -> str:
    if code.is_central:
        return _CENTRAL_ABBR.get(code.m, "CQTW")
    return "UBND" if code.tier != 2 else "SNV"


def _as_org(value: Organization | str) -> Organization:
    return value if isinstance(value, Organization) else organization(value)


def _working_time(rng: np.random.Generator) -> dt.datetime:
    day = dt.date(2025, 1, 2) + dt.timedelta(days=int(rng.integers(360)))
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    seconds = int(rng.integers(7 * 3600 + 30 * 60, 17 * 3600))
    return dt.datetime(day.year, day.month, day.day, tzinfo=VIETNAM) + \
        dt.timedelta(seconds=seconds)


def sample_document(rng: np.random.Generator, *, sender: Organization | str,
                    receivers: tuple[Organization | str, ...] | list[Organization | str],
                    doc_type: DocumentType = DocumentType.CONG_VAN, attachments: int = 1,
                    size: int = 4096, when: dt.datetime | None = None,
                    number: int | None = None) -> Envelope:
    """A valid document message with Vietnamese text, deterministic from ``rng``.

    Parameters
    ----------
    rng
        The only source of randomness.
    sender, receivers
        Organizations, or organ codes from which a plausible block is made.
    doc_type
        The Decree 30/2020 type; sets ``DocumentType`` and the notation.
    attachments
        How many attachments (each with a manifest ``Reference`` and an ``Id``).
    size
        Bytes of each attachment before base64.
    when
        Promulgation time (Vietnam time); drawn from 2025's working hours if omitted.
    number
        The document number; drawn if omitted.

    Examples
    --------
    >>> env = sample_document(np.random.default_rng(1), sender="000.00.00.H49",
    ...                       receivers=["000.00.12.H49"], doc_type=DocumentType.QUYET_DINH)
    >>> env.code.code_notation, env.document_id.startswith("000.00.00.H49,2025/")
    ('QĐ-UBND', True)
    """
    if not receivers:
        raise ValueError("sample_document needs at least one receiver")
    origin = _as_org(sender)
    to = tuple(_as_org(r) for r in receivers)
    moment = when if when is not None else _working_time(rng)
    date = format_date(moment)
    organ = _notation_organ(OrganCode.parse(origin.organ_id))
    abbr = doc_type.abbreviation
    num = str(number if number is not None else int(rng.integers(1, 5000)))
    notation = f"{abbr}-{organ}" if abbr else f"{organ}-VP"
    code = Code(code_number=num, code_notation=notation)
    subject = (f"Về việc {_pick(rng, _ACTIONS)} {_pick(rng, _TOPICS)} "
               f"{_pick(rng, _PERIODS)}")
    competence, position = _POSITIONS[int(rng.integers(len(_POSITIONS)))]
    refs: list[Reference] = []
    atts: list[Attachment] = []
    for i in range(attachments):
        content_type, ext = _KINDS[int(rng.integers(len(_KINDS)))]
        cid = _uuid(rng)
        name = f"{num}_{notation}_{i + 1}.{ext}".replace("/", "_")
        description = "Văn bản chính" if i == 0 else f"Phụ lục {i}"
        data = b"%PDF-1.7\n" + rng.bytes(max(0, size - 9)) if ext == "pdf" else rng.bytes(size)
        refs.append(Reference(content_id=cid, content_type=content_type,
                              description=description, attachment_name=name, href=f"cid:{cid}"))
        atts.append(Attachment.from_bytes(data, content_id=cid, attachment_name=name,
                                          content_type=content_type, description=description,
                                          id=f"att-{i + 1}"))
    place = place_of(OrganCode.parse(origin.organ_id))
    return Envelope(
        sender=origin,
        receivers=to,
        document_id=document_id_of(origin.organ_id, date, code),
        code=code,
        promulgation_info=PromulgationInfo(promulgation_date=date, place=place),
        document_type=DocumentTypeInfo.of(doc_type),
        subject=subject,
        content=f"{doc_type.value} {subject[0].lower()}{subject[1:]}.",
        signer_info=SignerInfo(full_name=_name(rng), competence=competence or None,
                               position=position),
        due_date=format_date(moment + dt.timedelta(days=int(rng.integers(5, 30)))),
        other_info=OtherInfo(priority=str(int(rng.choice(5, p=[0.7, 0.15, 0.08, 0.05, 0.02]))),
                             sphere_of_promulgation="Văn bản liên thông",
                             typer_notation="VT", promulgation_amount=str(len(to) + 1),
                             page_amount=str(int(rng.integers(1, 20))),
                             appendixes=tuple(r.description or "" for r in refs[1:])),
        steering_type="0",
        to_places=(*(r.organ_name or r.organ_id for r in to), "Lưu: VT"),
        trace_headers=(TraceHeader(organ_id=origin.organ_id,
                                   timestamp=format_timestamp(moment)),),
        business=Business(doc_type=BusinessDocType.NEW.value,
                          doc_reason="Văn bản điện tử mới", paper="0",
                          staff_info=StaffInfo(department="Văn thư", staff=_name(rng))),
        references=tuple(refs),
        attachments=tuple(atts),
    )


def response_for(document: Envelope) -> ResponseFor:
    """The ``ResponseFor`` block that answers ``document``."""
    return ResponseFor(organ_id=document.sender.organ_id, code=str(document.code),
                       promulgation_date=document.promulgation_info.promulgation_date,
                       document_id=document.document_id)


def sample_status(rng: np.random.Generator, *, document: Envelope,
                  receiver: Organization | str, code: StatusCode = StatusCode.ARRIVED,
                  when: dt.datetime | None = None) -> StatusMessage:
    """A status message from ``receiver`` about ``document``, deterministic from ``rng``.

    ``when`` defaults to a time after the document's promulgation date, drawn from ``rng``.

    >>> doc = example_document()
    >>> sample_status(np.random.default_rng(2), document=doc, receiver=doc.receivers[0],
    ...               code=StatusCode.ACCEPTED).response_for.document_id == doc.document_id
    True
    """
    origin = _as_org(receiver)
    if when is None:
        day = dt.datetime.strptime(document.promulgation_info.promulgation_date, "%Y/%m/%d")
        when = day.replace(tzinfo=VIETNAM) + dt.timedelta(
            days=int(rng.integers(0, 3)), hours=int(rng.integers(8, 17)),
            minutes=int(rng.integers(60)))
    return StatusMessage(
        response_for=response_for(document),
        sender=origin,
        staff_info=StaffInfo(department="Văn thư", staff=_name(rng),
                             mobile=f"09{int(rng.integers(10**7, 10**8))}",
                             email=f"vanthu.{OrganCode.parse(origin.organ_id).m.lower()}@gov.vn"),
        status_code=code,
        description=code.description,
        timestamp=format_timestamp(when),
    )


def example_document() -> Envelope:
    """A fixed document (seed 0): a Quyết định of Quảng Nam to two of its departments."""
    return sample_document(np.random.default_rng(0), sender="000.00.00.H49",
                           receivers=["000.00.01.H49", "000.00.02.H49"],
                           doc_type=DocumentType.QUYET_DINH, attachments=2, size=600,
                           when=dt.datetime(2025, 7, 1, 9, 30, tzinfo=VIETNAM), number=12)


def example_status() -> StatusMessage:
    """A fixed status message (seed 0): the first receiver accepted :func:`example_document`."""
    doc = example_document()
    return sample_status(np.random.default_rng(0), document=doc, receiver=doc.receivers[0],
                         code=StatusCode.ACCEPTED,
                         when=dt.datetime(2025, 7, 1, 14, 5, tzinfo=VIETNAM))
