"""The 29 types of administrative document of Decree 30/2020/NĐ-CP and their abbreviations.

The abbreviation goes into the document's notation (``12/QĐ-UBND``): a number, a slash, the type
abbreviation, a hyphen and the issuing organ's abbreviation. Two types have no abbreviation:
a Công văn (official letter) is numbered ``123/UBND-VP`` and a Thư công (public letter) is not
numbered by type.
"""

from __future__ import annotations

import enum

__all__ = ["DocumentType"]


class DocumentType(enum.Enum):
    """A Decree 30/2020 document type; the value is its Vietnamese name as written on the wire.

    >>> DocumentType.from_abbreviation("QĐ") is DocumentType.QUYET_DINH
    True
    >>> DocumentType.CONG_VAN.abbreviation is None
    True
    """

    NGHI_QUYET = "Nghị quyết"
    QUYET_DINH = "Quyết định"
    CHI_THI = "Chỉ thị"
    QUY_CHE = "Quy chế"
    QUY_DINH = "Quy định"
    THONG_CAO = "Thông cáo"
    THONG_BAO = "Thông báo"
    HUONG_DAN = "Hướng dẫn"
    CHUONG_TRINH = "Chương trình"
    KE_HOACH = "Kế hoạch"
    PHUONG_AN = "Phương án"
    DE_AN = "Đề án"
    DU_AN = "Dự án"
    BAO_CAO = "Báo cáo"
    BIEN_BAN = "Biên bản"
    TO_TRINH = "Tờ trình"
    HOP_DONG = "Hợp đồng"
    CONG_VAN = "Công văn"
    CONG_DIEN = "Công điện"
    BAN_GHI_NHO = "Bản ghi nhớ"
    BAN_THOA_THUAN = "Bản thỏa thuận"
    GIAY_UY_QUYEN = "Giấy ủy quyền"
    GIAY_MOI = "Giấy mời"
    GIAY_GIOI_THIEU = "Giấy giới thiệu"
    GIAY_NGHI_PHEP = "Giấy nghỉ phép"
    PHIEU_GUI = "Phiếu gửi"
    PHIEU_CHUYEN = "Phiếu chuyển"
    PHIEU_BAO = "Phiếu báo"
    THU_CONG = "Thư công"

    @property
    def abbreviation(self) -> str | None:
        """The abbreviation used in the notation, ``None`` for Công văn and Thư công."""
        return _ABBREVIATIONS[self]

    @classmethod
    def from_abbreviation(cls, abbreviation: str) -> DocumentType:
        """The type whose notation abbreviation is ``abbreviation``; ``KeyError`` if none."""
        return _BY_ABBREVIATION[abbreviation]

    @classmethod
    def from_name(cls, name: str) -> DocumentType:
        """The type named ``name``, ignoring case and surrounding space; ``KeyError`` if none."""
        return _BY_NAME[" ".join(name.split()).casefold()]


_ABBREVIATIONS: dict[DocumentType, str | None] = {
    DocumentType.NGHI_QUYET: "NQ", DocumentType.QUYET_DINH: "QĐ", DocumentType.CHI_THI: "CT",
    DocumentType.QUY_CHE: "QC", DocumentType.QUY_DINH: "QyĐ", DocumentType.THONG_CAO: "TC",
    DocumentType.THONG_BAO: "TB", DocumentType.HUONG_DAN: "HD", DocumentType.CHUONG_TRINH: "CTr",
    DocumentType.KE_HOACH: "KH", DocumentType.PHUONG_AN: "PA", DocumentType.DE_AN: "ĐA",
    DocumentType.DU_AN: "DA", DocumentType.BAO_CAO: "BC", DocumentType.BIEN_BAN: "BB",
    DocumentType.TO_TRINH: "TTr", DocumentType.HOP_DONG: "HĐ", DocumentType.CONG_VAN: None,
    DocumentType.CONG_DIEN: "CĐ", DocumentType.BAN_GHI_NHO: "BGN",
    DocumentType.BAN_THOA_THUAN: "BTT", DocumentType.GIAY_UY_QUYEN: "GUQ",
    DocumentType.GIAY_MOI: "GM", DocumentType.GIAY_GIOI_THIEU: "GGT",
    DocumentType.GIAY_NGHI_PHEP: "GNP", DocumentType.PHIEU_GUI: "PG",
    DocumentType.PHIEU_CHUYEN: "PC", DocumentType.PHIEU_BAO: "PB", DocumentType.THU_CONG: None,
}
_BY_ABBREVIATION = {abbr: t for t, abbr in _ABBREVIATIONS.items() if abbr}
_BY_NAME = {t.value.casefold(): t for t in DocumentType}
