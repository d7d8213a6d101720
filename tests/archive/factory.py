"""Real edXML messages for the archive tests, written out as QCVN 102:2016 XML."""

from __future__ import annotations

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

DOCUMENT = """<?xml version="1.0" encoding="UTF-8"?>
<edXML:edXML xmlns:edXML="{ns}">
<edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>{sender}</edXML:OrganId>
<edXML:OrganName>Cơ quan gửi</edXML:OrganName></edXML:From>
{to}
<edXML:DocumentId>{sender},{date},{number}/{notation}</edXML:DocumentId>
<edXML:Code><edXML:CodeNumber>{number}</edXML:CodeNumber>
<edXML:CodeNotation>{notation}</edXML:CodeNotation></edXML:Code>
<edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place>
<edXML:PromulgationDate>{date}</edXML:PromulgationDate></edXML:PromulgationInfo>
<edXML:DocumentType><edXML:Type>{type}</edXML:Type>
<edXML:TypeName>{type_name}</edXML:TypeName></edXML:DocumentType>
<edXML:Subject>Về việc triển khai chuyển đổi số {serial}</edXML:Subject>
<edXML:Content></edXML:Content>
<edXML:SignerInfo><edXML:FullName>Nguyễn Văn An</edXML:FullName></edXML:SignerInfo>
<edXML:OtherInfo><edXML:Priority>0</edXML:Priority></edXML:OtherInfo>
</edXML:MessageHeader>{signature}</edXML:edXMLHeader>
<edXML:edXMLBody><edXML:edXMLManifest/></edXML:edXMLBody></edXML:edXMLEnvelope>
</edXML:edXML>
"""

STATUS = """<?xml version="1.0" encoding="UTF-8"?>
<edXML:edXML xmlns:edXML="{ns}"><edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:Status>
<edXML:ResponseFor><edXML:OrganId>{sender}</edXML:OrganId><edXML:Code>1/QĐ-UBND</edXML:Code>
<edXML:PromulgationDate>2025/07/01</edXML:PromulgationDate>
<edXML:DocumentId>{document_id}</edXML:DocumentId></edXML:ResponseFor>
<edXML:From><edXML:OrganId>{organ}</edXML:OrganId></edXML:From>
<edXML:StatusCode>{code}</edXML:StatusCode>
<edXML:Timestamp>2025/07/02 09:15:00</edXML:Timestamp>
</edXML:Status></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML:edXML>
"""

LEGACY_SIGNATURE = ("<edXML:Signature><edXML:SignatureValue>AAAA</edXML:SignatureValue>"
                    "<edXML:SignatureMethod>rsa-sha1</edXML:SignatureMethod></edXML:Signature>")

def make_document(serial: int = 1, *, sender: str = "000.00.00.H49",
                  receivers: tuple[str, ...] = ("000.00.00.G22",), date: str = "2025/07/01",
                  type_number: int = 2, type_name: str = "Quyết định",
                  notation: str = "QĐ-UBND", legacy_signature: bool = False) -> bytes:
    """An edXML document message; ``serial`` makes its bytes (and hash) unique."""
    to = "".join(f"<edXML:To><edXML:OrganId>{r}</edXML:OrganId></edXML:To>" for r in receivers)
    return DOCUMENT.format(ns=NS, sender=sender, to=to, date=date, number=serial,
                           notation=notation, type=type_number, type_name=type_name,
                           serial=serial,
                           signature=LEGACY_SIGNATURE if legacy_signature else "").encode()


def make_status(document_id: str, *, sender: str = "000.00.00.H49",
                organ: str = "000.00.00.G22", code: str = "03") -> bytes:
    """An edXML status message answering ``document_id``."""
    return STATUS.format(ns=NS, sender=sender, document_id=document_id, organ=organ,
                         code=code).encode()
