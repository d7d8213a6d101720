"""The strict PDF syntax reader: objects, cross-reference sections and revisions.

:func:`parse_pdf` and :func:`read_pdf` return a :class:`PdfDocument` whose revisions are kept
apart, so a signature check can ask what each revision said. Every malformation is an
:class:`~docflow.errors.InputError` with a ``DF-PDF-05x``/``06x`` code and a byte offset.
"""

from docflow.pdf.syntax.document import PdfDocument, Revision, parse_pdf, read_pdf
from docflow.pdf.syntax.filters import decode
from docflow.pdf.syntax.limits import DEFAULT_LIMITS, PdfLimits
from docflow.pdf.syntax.objects import (
    Name,
    PdfArray,
    PdfDict,
    PdfObject,
    PdfString,
    Ref,
    Stream,
)

__all__ = ["DEFAULT_LIMITS", "Name", "PdfArray", "PdfDict", "PdfDocument", "PdfLimits",
           "PdfObject", "PdfString", "Ref", "Revision", "Stream", "decode", "parse_pdf",
           "read_pdf"]
