"""PDF documents and their PAdES signatures (Decree 30/2020, Appendix I).

Making and signing:

* :mod:`docflow.pdf.document` lays out an official document (Appendix I of the Decree) and
  returns the bytes of a one-file PDF with its Vietnamese font embedded;
* :mod:`docflow.pdf.sign` adds a PAdES signature as an incremental update, with the CMS of
  :mod:`docflow.pdf.cms_writer` and the appearance of :mod:`docflow.pdf.appearance`.

Checking: ``syntax/`` reads a PDF strictly, revision by revision; ``verify`` checks each
signature, what every incremental update changed, and the Decree's order of signing. The
Decree's order and roles when signing are :mod:`docflow.profile.nd30_sign`'s.
"""
