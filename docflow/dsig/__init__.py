"""XML digital signatures (W3C XML-DSig 1.1, enveloped) on lxml and cryptography.

``dsig`` knows XML-DSig, not edXML: the edXML profile (which roles sign what, and where a
Signature may stand) is given to it as a :class:`~docflow.dsig.layout.SignatureLayout`. Trust is
not decided here either: a :class:`~docflow.dsig.trust.CertificateChecker` (docflow's ``pki``)
says whether a certificate is trusted and what role it has.
"""
