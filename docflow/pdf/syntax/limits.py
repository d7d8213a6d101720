"""The limits the strict PDF reader enforces, and the one way it reports a malformation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from docflow.errors import InputError, Location

__all__ = ["DEFAULT_LIMITS", "PdfLimits", "fail"]


@dataclass(frozen=True, slots=True)
class PdfLimits:
    """Limits of the reader; the defaults fit the largest official-document PDFs."""

    max_bytes: int = 64 * 1024 * 1024
    """64 MiB, as for an edXML message: the axis caps a message with its attachments below
    this, and a document PDF is a few hundred KB."""
    max_depth: int = 64
    """Nesting of arrays and dictionaries; real PDFs stay under 10, and a recursive reader
    must stop long before Python's own recursion limit."""
    max_objects: int = 1_000_000
    """Object numbers (/Size); a document PDF has a few hundred."""
    max_revisions: int = 256
    """Incremental updates; a document signed by two roles with a DSS has four or five."""
    max_decoded: int = 64 * 1024 * 1024
    """Bytes one decoded stream may expand to (a compression bomb stops here)."""


DEFAULT_LIMITS = PdfLimits()


def fail(code: str, message: str, offset: int | None) -> NoReturn:
    """Raise the reader's one kind of error: a stable ``DF-PDF`` code at a byte offset.

    The file name is added by :func:`~docflow.pdf.syntax.read_pdf`, which knows it.
    """
    raise InputError(code, message, Location(offset=offset))
