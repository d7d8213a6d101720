"""PDF documents of Decree 30/2020: laying them out, signing them (PAdES), and reading them.

* :mod:`docflow.pdf.document` lays out an official document (Appendix I of the Decree) and
  returns the bytes of a one-file PDF with its Vietnamese font embedded;
* :mod:`docflow.pdf.sign` adds a PAdES signature as an incremental update, with the CMS of
  :mod:`docflow.pdf.cms_writer` and the appearance of :mod:`docflow.pdf.appearance`;
* :mod:`docflow.pdf.reader` reads what a signature needs of an existing file.

The Decree's order and roles are the profile's business (:mod:`docflow.profile.nd30_sign`).
"""
