"""XML digital signatures (W3C XML-DSig 1.1, enveloped) on lxml and cryptography.

``dsig`` knows XML-DSig, not edXML: the edXML profile (which roles sign what, and where a
Signature may stand) is handed to it as a :class:`~docflow.dsig.layout.SignatureLayout`. Trust
is not decided here either: a :class:`~docflow.dsig.trust.CertificateChecker` (docflow's
``pki``) says whether a certificate is trusted and which role it has.

Sign with a :class:`Signer`; verify with :func:`verify` (one Signature) or :func:`verify_all`
(a layout of several), which return :class:`VerifyResult` objects holding what was signed.
"""

from docflow.dsig.algorithms import C14NMethod, DigestMethod, SignatureMethod, TransformMethod
from docflow.dsig.layout import (
    ENVELOPED,
    ENVELOPING,
    ReferenceRule,
    SignatureLayout,
    SignatureRule,
)
from docflow.dsig.policy import DEFAULT_POLICY, LEGACY, VerifyPolicy
from docflow.dsig.sign import WHOLE_DOCUMENT, Signer, SignReference
from docflow.dsig.trust import (
    CertificateChecker,
    ChainResult,
    EmbeddedKeyValue,
    HmacKey,
    PinnedKeyChecker,
    PinnedPublicKey,
    TrustSource,
)
from docflow.dsig.verify import (
    DocumentResult,
    SignedReference,
    VerifyResult,
    verify,
    verify_all,
    verify_all_at,
    verify_at,
)

__all__ = [
    "DEFAULT_POLICY",
    "ENVELOPED",
    "ENVELOPING",
    "LEGACY",
    "WHOLE_DOCUMENT",
    "C14NMethod",
    "CertificateChecker",
    "ChainResult",
    "DigestMethod",
    "DocumentResult",
    "EmbeddedKeyValue",
    "HmacKey",
    "PinnedKeyChecker",
    "PinnedPublicKey",
    "ReferenceRule",
    "SignReference",
    "SignatureLayout",
    "SignatureMethod",
    "SignatureRule",
    "SignedReference",
    "Signer",
    "TransformMethod",
    "TrustSource",
    "VerifyPolicy",
    "VerifyResult",
    "verify",
    "verify_all",
    "verify_all_at",
    "verify_at",
]
