"""Compose an edXML message from a person's description: command-line options or a TOML file.

``docflow envelope new`` lets an integrator write a reference message without writing XML. This
module turns what they give into a checked model and bytes; the command only parses options.

A TOML description mirrors the model (:mod:`docflow.envelope.model`): the same field names,
tables for blocks, arrays of tables for repeated blocks. What QCVN 102 derives is derived when
left out: ``document_id`` from the sender, date and code; the manifest ``references`` from the
attachments; the sender's ``trace_headers`` entry. Attachments name a ``file`` (relative to the
TOML file) instead of their base64 text. A key that is unknown, missing or of the wrong type
raises :class:`~docflow.errors.ConfigError` ``DF-ENV-021`` naming the dotted key and what is
allowed there. A table with ``status_code`` describes a status message instead.

Whatever is composed is built and checked against the XSD before it is returned, so the command
never writes a message that does not validate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import mimetypes
import os
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docflow.envelope import model as m
from docflow.envelope.builder import build
from docflow.envelope.dates import VIETNAM, format_date, format_timestamp
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.organ import OrganCode
from docflow.envelope.samples import organization
from docflow.envelope.schema import schema_findings
from docflow.envelope.status import StatusCode
from docflow.errors import ConfigError, InputError, Location, UsageError
from docflow.tomlsafe import read_toml
from docflow.xmlsafe import parse_xml

__all__ = ["attachment_from_file", "compose_document", "default_notation",
           "document_type_of", "message_from_toml",
           "new_envelope", "read_toml_message"]

_MAX_BYTES = 1 << 20
"""A description names its attachments' files and holds a page of text: 1 MB is plenty."""


def document_type_of(text: str) -> DocumentType:
    """A Decree 30/2020 type from its abbreviation (``QĐ``), name (``Quyết định``) or enum name.

    >>> document_type_of("QĐ"), document_type_of("công văn"), document_type_of("KE_HOACH")
    (<DocumentType.QUYET_DINH: 'Quyết định'>, <DocumentType.CONG_VAN: 'Công văn'>, \
<DocumentType.KE_HOACH: 'Kế hoạch'>)
    """
    for lookup in (DocumentType.from_abbreviation, DocumentType.from_name,
                   lambda t: DocumentType[t.strip().upper()]):
        try:
            return lookup(text)
        except KeyError:
            continue
    raise ValueError(f"{text!r} is not a Decree 30/2020 document type: give its abbreviation "
                     "(QĐ, CT, TB…), its name (Quyết định, Công văn…) or its enum name")


def attachment_from_file(path: str | os.PathLike[str], index: int, *,
                         content_id: str | None = None, attachment_name: str | None = None,
                         content_type: str | None = None, description: str | None = None,
                         id: str | None = None) -> m.Attachment:
    """An attachment read from a file; the content id is derived from the bytes.

    Deriving it (rather than drawing a random UUID) makes the same inputs give the same
    message, which a reference message needs.
    """
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read the attachment: {exc.strerror or exc}",
                         Location(file=name)) from None
    digest = hashlib.sha256(data).hexdigest()
    return m.Attachment.from_bytes(
        data,
        content_id=content_id or f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-"
                                 f"{digest[16:20]}-{digest[20:32]}",
        attachment_name=attachment_name or Path(name).name,
        content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
        description=description or ("Văn bản chính" if index == 0 else f"Phụ lục {index}"),
        id=id or f"att-{index + 1}")


def _references(attachments: Sequence[m.Attachment]) -> tuple[m.Reference, ...]:
    return tuple(m.Reference(content_id=a.content_id, content_type=a.content_type,
                             description=a.description, attachment_name=a.attachment_name,
                             href=f"cid:{a.content_id}") for a in attachments)


def default_notation(doc_type: DocumentType, sender: str) -> str:
    """The symbol of a document of ``doc_type`` from ``sender``: ``QĐ-UBND``, ``UBND-VP``.

    The same for an envelope and for the PDF of its document (:mod:`docflow.profile.nd30_document`).
    """
    try:
        code = OrganCode.parse(sender)
        organ = "UBND" if not code.is_central else "VP"
    except ValueError:
        organ = "VP"
    abbr = doc_type.abbreviation
    return f"{abbr}-{organ}" if abbr else f"{organ}-VP"


def compose_document(*, sender: str, receivers: Sequence[str], doc_type: DocumentType,
                     number: int, subject: str, date: dt.date,
                     attachments: Sequence[str | os.PathLike[str]] = (),
                     notation: str | None = None, signer: str = "Người ký",
                     content: str = "") -> m.Envelope:
    """A document message from the options of ``docflow envelope new``.

    Organization blocks get plausible Vietnamese names from the organ codes; the notation is
    ``{abbreviation}-UBND`` (``UBND-VP`` for a Công văn) unless given; the sender's trace header
    is stamped 08:00 on ``date``, so that the same options give the same bytes.
    """
    named = [("sender", sender)] + [(f"receivers[{i}]", r) for i, r in enumerate(receivers)]
    orgs = []
    for key, organ in named:
        try:
            orgs.append(organization(organ))
        except ValueError as exc:
            raise UsageError("DF-ENV-020", str(exc), Location(key=key)) from None
    origin, to = orgs[0], tuple(orgs[1:])
    code = m.Code(code_number=str(number),
                  code_notation=notation or default_notation(doc_type, sender))
    day = format_date(date)
    atts = tuple(attachment_from_file(path, i) for i, path in enumerate(attachments))
    return m.Envelope(
        sender=origin, receivers=to, document_id=m.document_id_of(sender, day, code), code=code,
        promulgation_info=m.PromulgationInfo(promulgation_date=day),
        document_type=m.DocumentTypeInfo.of(doc_type), subject=subject, content=content,
        signer_info=m.SignerInfo(full_name=signer),
        other_info=m.OtherInfo(priority=m.Priority.NORMAL.value),
        trace_headers=(m.TraceHeader(organ_id=sender, timestamp=format_timestamp(
            dt.datetime(date.year, date.month, date.day, 8, tzinfo=VIETNAM))),),
        business=m.Business(doc_type=m.BusinessDocType.NEW.value),
        references=_references(atts), attachments=atts)


def new_envelope(message: m.Message) -> bytes:
    """Build ``message`` and check it against the XSD; the bytes of a valid message.

    Raises
    ------
    UsageError
        ``DF-ENV-020`` when a field is missing or the result does not validate (a duplicate
        attachment ``Id``, say), naming the field or the schema's complaint.
    """
    data = build(message)
    problems = [f for f in schema_findings(parse_xml(data)) if f.indication is not None]
    if problems:
        first = problems[0]
        raise UsageError("DF-ENV-020", f"the message would not validate: {first.message}",
                         first.location)
    return data


# --- TOML --------------------------------------------------------------------------------------

def read_toml_message(path: str | os.PathLike[str]) -> m.Message:
    """Read a TOML description (see the module docstring, at most 1 MB) into a model."""
    name = os.fspath(path)
    table = read_toml(name, "DF-ENV-021", _MAX_BYTES, what="the message description")
    return message_from_toml(table, base=Path(name).parent, where=name)


def message_from_toml(table: dict[str, Any], *, base: Path = Path("."),
                      where: str | None = None) -> m.Message:
    """Turn a parsed TOML table into an :class:`Envelope` or a :class:`StatusMessage`.

    >>> doc = message_from_toml({
    ...     "sender": {"organ_id": "000.00.00.H49"}, "receivers": [{"organ_id": "000.00.01.H49"}],
    ...     "code": {"code_number": 5, "code_notation": "KH-UBND"},
    ...     "promulgation_info": {"promulgation_date": "2025/07/01"},
    ...     "document_type": "Kế hoạch", "subject": "Về việc …", "content": "",
    ...     "signer_info": {"full_name": "Trần Văn An"}})
    >>> doc.document_id, doc.document_type.type
    ('000.00.00.H49,2025/07/01,5/KH-UBND', '10')
    >>> message_from_toml({"sender": {"organ": "x"}})
    Traceback (most recent call last):
    docflow.errors.ConfigError: DF-ENV-021 sender.organ: unknown key; allowed: organ_id, ...
    """
    reader = _Toml(base, where)
    if "status_code" in table:
        status: m.StatusMessage = reader.value(table, m.StatusMessage, "")
        return status
    table = dict(table)
    if isinstance(table.get("document_type"), str):
        try:
            doc_type = document_type_of(table["document_type"])
        except ValueError as exc:
            raise reader.error("document_type", str(exc)) from None
        table["document_type"] = {"type": str(list(DocumentType).index(doc_type) + 1),
                                  "type_name": doc_type.value}
    attachments = table.pop("attachments", [])
    atts = reader.attachments(attachments)
    derived: dict[str, Any] = {"attachments": atts}
    if "references" not in table:
        derived["references"] = _references(atts)
    missing_id = "document_id" not in table
    if missing_id:
        table["document_id"] = ""
    env: m.Envelope = reader.value(table, m.Envelope, "", derived)
    if missing_id:
        env = dataclasses.replace(env, document_id=m.document_id_of(
            env.sender.organ_id, env.promulgation_info.promulgation_date, env.code))
    if "trace_headers" not in table:
        env = dataclasses.replace(env, trace_headers=(m.TraceHeader(
            organ_id=env.sender.organ_id,
            timestamp=f"{env.promulgation_info.promulgation_date} 08:00:00"),))
    return env


class _Toml:
    """Converts TOML values to model values by the dataclasses' type hints, naming keys."""

    def __init__(self, base: Path, where: str | None) -> None:
        self.base = base
        self.where = where

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError("DF-ENV-021", problem, Location(file=self.where, key=key))

    def attachments(self, value: Any) -> tuple[m.Attachment, ...]:
        if not isinstance(value, list):
            raise self.error("attachments", "expected an array of tables ([[attachments]])")
        out = []
        allowed = {"file", "content_id", "attachment_name", "content_type", "description", "id"}
        for i, item in enumerate(value):
            key = f"attachments[{i}]"
            if not isinstance(item, dict):
                raise self.error(key, "expected a table with a 'file' key")
            unknown = sorted(set(item) - allowed)
            if unknown:
                raise self.error(f"{key}.{unknown[0]}", "unknown key; allowed: "
                                 + ", ".join(sorted(allowed)))
            if not isinstance(item.get("file"), str):
                raise self.error(f"{key}.file", "required: the path of the file to attach")
            extra = {k: self.text(v, f"{key}.{k}") for k, v in item.items() if k != "file"}
            out.append(attachment_from_file(self.base / item["file"], i, **extra))
        return tuple(out)

    def text(self, value: Any, key: str) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.error(key, f"expected text, got {type(value).__name__}")
        return str(value)

    def value(self, table: Any, cls: type, key: str,
              derived: dict[str, Any] | None = None) -> Any:
        if not isinstance(table, dict):
            raise self.error(key or "(top level)", f"expected a table for {cls.__name__}")
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(table) - set(fields) - set(derived or ()))
        if unknown:
            raise self.error(_key(key, unknown[0]), "unknown key; allowed: " + ", ".join(fields))
        values: dict[str, Any] = dict(derived or {})
        for name, f in fields.items():
            sub = _key(key, name)
            if name in values:
                continue
            if name not in table:
                if f.default is dataclasses.MISSING and \
                        f.default_factory is dataclasses.MISSING:
                    raise self.error(sub, "required key is missing")
                continue
            values[name] = self.convert(table[name], hints[name], sub)
        return cls(**values)

    def convert(self, value: Any, hint: Any, key: str) -> Any:
        options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        if StatusCode in options:
            text = self.text(value, key)
            return StatusCode.lookup(text) or text
        kinds = [o for o in options if o is not type(None)]
        kind = kinds[0]
        if kind is str:
            return self.text(value, key)
        if typing.get_origin(kind) is tuple:
            item = typing.get_args(kind)[0]
            if not isinstance(value, list):
                raise self.error(key, "expected an array")
            return tuple(self.convert(v, item, f"{key}[{i}]") for i, v in enumerate(value))
        if dataclasses.is_dataclass(kind):
            return self.value(value, kind, key)  # type: ignore[arg-type]
        raise self.error(key, f"cannot be set from TOML ({kind})")  # pragma: no cover


def _key(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
