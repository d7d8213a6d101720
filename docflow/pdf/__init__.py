"""PDF documents and their PAdES signatures (Decree 30/2020, Appendix I).

``syntax/`` reads a PDF strictly, revision by revision; ``verify`` checks each signature, what
every incremental update changed, and the Decree's order of signing.
"""
