"""One error tree and the catalogue of stable finding codes.

Two things go wrong in docflow and they are kept apart on purpose:

* A **finding** is a problem *in* a document, scenario or archive that docflow could still read:
  a bad organ code, a digest that does not match, an expired certificate. Findings are collected
  into a report; they never raise.
* A :class:`DocflowError` means the input could not be processed at all (an unreadable file, a
  DTD, a scenario key with a bad value). It carries a stable code, a location and a plain message,
  and the exit code the command line maps it to, in one place (``docflow.cli.exits``).

Every code used anywhere in docflow is listed in :data:`CATALOGUE`, with its severity and the
verdict it implies, so that reports, the manual's table and the tests read from one source.
Codes are never reused or renumbered: a retired code stays in the catalogue.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import ClassVar


class Severity(enum.StrEnum):
    """How bad a finding is; ``error`` findings decide the verdict."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Indication(enum.StrEnum):
    """The verdict of a check, in the style of the EU DSS simple report."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    INDETERMINATE = "INDETERMINATE"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding or error is: a file, a line, an element path or a scenario key."""

    file: str | None = None
    line: int | None = None
    path: str | None = None
    """Element path such as ``/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId``."""
    key: str | None = None
    """Dotted key of a scenario or configuration file, such as ``traffic.province.per_day``."""
    offset: int | None = None
    """Byte offset in a binary file (a PDF), counted from 0."""

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        elif self.line:
            parts.append(f"line {self.line}")
        if self.path:
            parts.append(self.path)
        if self.key:
            parts.append(self.key)
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        return " ".join(parts) if parts else "-"

    def to_dict(self) -> dict[str, str | int]:
        return {k: v for k, v in (("file", self.file), ("line", self.line), ("path", self.path),
                                  ("key", self.key), ("offset", self.offset)) if v is not None}


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """One entry of the catalogue: what a code means and what it does to the verdict."""

    code: str
    severity: Severity
    indication: Indication | None
    """The verdict an ``error`` finding forces (``None`` for warnings and information)."""
    summary: str


def _c(code: str, severity: str, indication: str | None, summary: str) -> CodeInfo:
    return CodeInfo(code, Severity(severity), Indication(indication) if indication else None,
                    summary)


_F, _I = "FAILED", "INDETERMINATE"

#: Every stable code, grouped by the layer that emits it. Ranges:
#: DF-IO (files), DF-XML (the hardened parser), DF-ENV (edXML schema and rules),
#: DF-SIG (XML-DSig), DF-PKI (certificates), DF-TOP (topologies), DF-SCN (scenarios),
#: DF-ARC (the archive), DF-AUD (the audit), DF-DIST (dist/: executors, sweeps), DF-TRU
#: (trust and profile choice), DF-REP (reports), DF-CLI (usage), DF-AXS (the axis sandbox).
CATALOGUE: dict[str, CodeInfo] = {c.code: c for c in [
    # --- files -------------------------------------------------------------------------------
    _c("DF-IO-001", "error", _I, "The file or folder cannot be read."),
    _c("DF-IO-002", "error", _I, "The input is larger than the configured size limit."),
    _c("DF-IO-003", "error", _I, "The input is empty."),
    _c("DF-IO-004", "error", _I, "The output cannot be written."),
    # --- hardened XML parser -----------------------------------------------------------------
    _c("DF-XML-001", "error", _F, "The document is not well-formed XML."),
    _c("DF-XML-002", "error", _F, "The document has a DTD (DOCTYPE); DTDs are refused."),
    _c("DF-XML-003", "error", _F, "The document declares or references an entity; entities are "
                                  "refused."),
    _c("DF-XML-004", "error", _F, "The document nests elements deeper than the depth limit."),
    _c("DF-XML-005", "error", _F, "The document is not UTF-8 (or declares another encoding)."),
    _c("DF-XML-006", "error", _F, "The document is truncated: it ends before its root element "
                                  "closes."),
    # --- edXML envelope: parser, builder and schema (docflow/envelope) -------------------------
    _c("DF-ENV-001", "error", _F, "The message does not conform to the edXML XSD in schemas/."),
    _c("DF-ENV-002", "error", _I, "The input is XML but not an edXML message (the root element "
                                  "is not edXML)."),
    _c("DF-ENV-003", "error", _F, "An element of the message is not in the QCVN 102:2016 "
                                  "namespace."),
    _c("DF-ENV-004", "error", _F, "An element that QCVN 102 requires is missing."),
    _c("DF-ENV-005", "error", _F, "An element appears more than once where QCVN 102 allows one."),
    _c("DF-ENV-006", "warning", None, "An element is not part of edXML and was ignored."),
    _c("DF-ENV-007", "warning", None, "Elements come in another order than QCVN 102's "
                                      "(accepted)."),
    _c("DF-ENV-008", "warning", None, "An element is spelled as some field software writes it, "
                                      "not as QCVN 102 does (accepted)."),
    _c("DF-ENV-009", "error", _F, "An element that holds a value has child elements, or a "
                                  "container holds text."),
    _c("DF-ENV-010", "error", _F, "An element that QCVN 102 requires is present but empty."),
    _c("DF-ENV-020", "error", _I, "The message cannot be built: a required field is missing or "
                                  "empty, or a value is not text XML can carry."),
    _c("DF-ENV-021", "error", _I, "The envelope description (TOML file or options) has a "
                                  "missing, unknown or bad key."),
    # --- edXML business rules ----------------------------------------------------------------
    _c("DF-ENV-040", "error", _F, "The root element is not edXML in the QCVN 102:2016 namespace."),
    _c("DF-ENV-041", "error", _F, "A field the business rules need is missing or empty."),
    _c("DF-ENV-042", "error", _F, "An OrganId is not an organ code V1V2V3.Z1Z2.Y1Y2.M1M2M3."),
    _c("DF-ENV-043", "error", _F, "An organ code sets a lower group under a group of zeros, so "
                                  "it implies no tier."),
    _c("DF-ENV-044", "error", _F, "The DocumentId is not {OrganId},{yyyy/MM/dd},"
                                  "{CodeNumber}/{CodeNotation}."),
    _c("DF-ENV-045", "error", _F, "The DocumentId names another organ than the sender's OrganId."),
    _c("DF-ENV-046", "error", _F, "The DocumentId's date differs from PromulgationDate."),
    _c("DF-ENV-047", "error", _F, "The DocumentId's number and notation differ from Code."),
    _c("DF-ENV-048", "error", _F, "CodeNumber is not a positive whole number."),
    _c("DF-ENV-049", "error", _F, "CodeNotation is not TYPE-ORGAN[-UNIT] (ORGAN-UNIT for a Công "
                                  "văn)."),
    _c("DF-ENV-050", "error", _F, "CodeNotation's type abbreviation does not match the "
                                  "DocumentType."),
    _c("DF-ENV-051", "error", _F, "A Công văn or Thư công carries a document-type abbreviation in "
                                  "its notation."),
    _c("DF-ENV-052", "error", _F, "DocumentType is not one of the 29 types of Decree 30/2020."),
    _c("DF-ENV-053", "error", _F, "A date is not a real date written yyyy/MM/dd."),
    _c("DF-ENV-054", "error", _F, "A timestamp is not a real time written yyyy/MM/dd HH:mm:ss."),
    _c("DF-ENV-055", "error", _F, "DueDate is before PromulgationDate."),
    _c("DF-ENV-056", "error", _F, "A TraceHeader timestamp is before the document was "
                                  "promulgated."),
    _c("DF-ENV-057", "warning", None, "TraceHeader timestamps are not in chronological order."),
    _c("DF-ENV-058", "error", _F, "A status is dated before the document it answers was "
                                  "promulgated."),
    _c("DF-ENV-060", "error", _F, "Priority is not a whole number from 0 to 4."),
    _c("DF-ENV-061", "error", _F, "StatusCode is not one of 01 02 03 04 05 06 13 15 16."),
    _c("DF-ENV-062", "error", _F, "ResponseFor's DocumentId disagrees with its OrganId, Code or "
                                  "PromulgationDate."),
    _c("DF-ENV-063", "warning", None, "A rejection (status 02 or 16) does not say why in "
                                      "Description."),
    _c("DF-ENV-064", "error", _F, "A manifest Reference has no Attachment with its ContentId."),
    _c("DF-ENV-065", "error", _F, "Several Attachments share one ContentId."),
    _c("DF-ENV-066", "error", _F, "An Attachment is not listed in the manifest."),
    _c("DF-ENV-067", "error", _F, "An Attachment's content is not valid base64."),
    _c("DF-ENV-068", "error", _F, "Several manifest References share one ContentId."),
    _c("DF-ENV-069", "warning", None, "An Attachment is empty."),
    _c("DF-ENV-070", "error", _I, "A legacy QCVN-namespace Signature is present; docflow cannot "
                                  "verify it."),
    _c("DF-ENV-071", "error", _F, "The same OrganId is listed twice in To."),
    _c("DF-ENV-072", "warning", None, "The sender is also listed as a recipient."),
    _c("DF-ENV-073", "error", _F, "DocumentType's Type and TypeName name different document "
                                  "types."),
    _c("DF-ENV-074", "error", _F, "BussinessDocType is not 0 (new), 1 (revoke), 2 (update) or 3 "
                                  "(replace)."),
    _c("DF-ENV-075", "warning", None, "A revoke, update or replace names no DocumentId of the "
                                      "document it acts on."),
    # The message's kind (docflow/envelope/kind.py), decided once for the parser, the schema,
    # the rules and the signature profile.
    _c("DF-ENV-080", "error", _F, "The message's kind cannot be told: its edXMLHeader holds "
                                  "both a MessageHeader and a Status, neither, two of one, or "
                                  "one in another namespace; or the edXML/edXMLEnvelope/"
                                  "edXMLHeader structure around it is not there exactly once."),
    _c("DF-ENV-081", "error", _F, "The message reads as a status message, which no role has to "
                                  "sign, but the status schema refuses it: verify passes only "
                                  "a valid status message without the organ's signature."),
    # Where the rules read (docflow/envelope/rules_tree.py): exactly where the parser reads.
    _c("DF-ENV-090", "error", _F, "A QCVN field stands inside an element of another namespace "
                                  "(an extension), where the parser does not read it: a hidden "
                                  "copy the business rules refuse to check in its place."),
    _c("DF-ENV-091", "error", _F, "A QCVN element stands where the parser does not read it "
                                  "(inside a legacy Signature's any content, or out of place): "
                                  "the business rules ignore it rather than check it."),
    _c("DF-ENV-092", "error", _F, "A part QCVN allows once appears again (a second "
                                  "MessageHeader, DocumentId…): the parser reads the first, and "
                                  "the rules ignore the copy rather than check it."),
    # --- XML-DSig (docflow/dsig) --------------------------------------------------------------
    # Indications follow ETSI EN 319 102-1: a digest or signature that does not verify and a
    # malformed or wrapped structure are FAILED; an algorithm the policy refuses, a missing key or
    # an untrusted key are INDETERMINATE.
    _c("DF-SIG-001", "error", _F, "The Signature element is malformed: an element is missing, "
                                  "repeated, out of order or empty, or a value is not base64."),
    _c("DF-SIG-002", "error", _I, "An algorithm or feature of the signature is not one docflow "
                                  "implements."),
    _c("DF-SIG-003", "error", _I, "The verification policy does not allow this algorithm "
                                  "(SHA-1, DSA and HMAC need the legacy policy)."),
    _c("DF-SIG-004", "error", _F, "HMACOutputLength is below max(80, half the hash length) or "
                                  "not whole bytes (CVE-2009-0217)."),
    _c("DF-SIG-005", "error", _I, "The signing key is smaller than the verification policy "
                                  "allows."),
    _c("DF-SIG-006", "error", _I, "A Reference URI does not resolve to an element of the "
                                  "document."),
    _c("DF-SIG-007", "error", _F, "An Id value occurs more than once in the document "
                                  "(signature wrapping)."),
    _c("DF-SIG-008", "error", _F, "A Reference points at an element of an unexpected kind or "
                                  "place, or the References differ from what the layout requires "
                                  "(signature wrapping)."),
    _c("DF-SIG-009", "error", _F, "A Signature stands where the layout allows none, or there are "
                                  "more or fewer Signatures than it requires (signature "
                                  "wrapping)."),
    _c("DF-SIG-010", "error", _I, "A Reference URI is not a same-document reference (\"\" or "
                                  "\"#id\"); external and XPointer references are refused."),
    _c("DF-SIG-011", "error", _F, "A Reference's digest does not match the referenced content."),
    _c("DF-SIG-012", "error", _F, "The SignatureValue does not verify with the signer's key."),
    _c("DF-SIG-013", "error", _I, "No signing key was found: no certificate in KeyInfo and none "
                                  "configured."),
    _c("DF-SIG-014", "error", _F, "The signature method does not fit the key (an HMAC checked "
                                  "with a public key, an RSA method with an EC key, an unknown "
                                  "curve)."),
    _c("DF-SIG-015", "error", _I, "The trust configuration does not trust the signer's "
                                  "certificate or key."),
    _c("DF-SIG-016", "error", _I, "The key was taken from the document's own KeyValue: the "
                                  "cryptography holds but no trust is established."),
    _c("DF-SIG-017", "error", _F, "A Reference's transforms are not allowed: only "
                                  "enveloped-signature, then one canonicalization."),
    _c("DF-SIG-018", "error", _I, "The X509Data does not single out one signing certificate."),
    _c("DF-SIG-019", "warning", None, "The ECDSA SignatureValue is shorter than the curve's "
                                      "fixed length; its halves were left-padded (Java "
                                      "interop quirk)."),
    _c("DF-SIG-020", "error", _F, "The signature has more References or transforms than the "
                                  "policy's limit."),
    _c("DF-SIG-021", "error", _F, "The certificate's role does not fit where the signature "
                                  "stands (an organ certificate on the signer's signature, or "
                                  "the reverse)."),
    _c("DF-SIG-022", "error", _I, "The message holds no XML-DSig signature to verify."),
    _c("DF-SIG-023", "error", _I, "The trust source gives the signature no role (a pinned key "
                                  "or HMAC secret configured without one), so it cannot stand "
                                  "in the edXML profile's signer or organ place."),
    _c("DF-SIG-024", "error", _F, "The signing certificate belongs to another agency than the "
                                  "sender: its organ code differs from From/OrganId."),
    _c("DF-SIG-025", "error", _I, "The sender cannot be matched with the signing certificate: "
                                  "the certificate carries no single organ code, or the message "
                                  "names no single sender (From/OrganId)."),
    _c("DF-SIG-026", "error", _F, "A Signature of the edXML profile holds content its signature "
                                  "does not cover: a ds:Object, or an element outside the "
                                  "XML-DSig namespaces."),
    _c("DF-SIG-027", "error", _F, "A certificate in KeyInfo cannot be read: it is not DER "
                                  "X.509, or a field of it (a name, the public key, the "
                                  "extensions) is malformed."),
    _c("DF-SIG-028", "error", _F, "A role the verification requires (by default the organ, "
                                  "of a document message) has no Signature in its place: a "
                                  "Signature removed in transit, or never made."),
    # --- certificates (docflow/pki) ----------------------------------------------------------
    # Findings of path validation; indications follow ETSI EN 319 102-1 (REVOKED and
    # NOT_YET_VALID are TOTAL-FAILED, chain and constraint failures INDETERMINATE).
    _c("DF-PKI-001", "error", _I, "No certification path leads from the certificate to a trust "
                                  "anchor."),
    _c("DF-PKI-002", "error", _I, "A certificate's signature does not verify with its issuer's "
                                  "public key."),
    _c("DF-PKI-003", "error", _I, "A certificate in the path has expired at the validation "
                                  "time."),
    _c("DF-PKI-004", "error", _F, "A certificate in the path is not yet valid at the validation "
                                  "time."),
    _c("DF-PKI-005", "error", _F, "The signing certificate is revoked (CRL) at the validation "
                                  "time."),
    _c("DF-PKI-006", "error", _I, "A CA certificate in the path is revoked (CRL) at the "
                                  "validation time."),
    _c("DF-PKI-007", "error", _I, "The signing certificate's key usage does not allow "
                                  "signatures (digitalSignature or nonRepudiation), or is "
                                  "missing."),
    _c("DF-PKI-008", "error", _I, "The signing certificate's extended key usage does not allow "
                                  "document signing."),
    _c("DF-PKI-009", "error", _I, "A certificate that issues another is not a CA "
                                  "(basicConstraints cA is not true)."),
    _c("DF-PKI-010", "error", _I, "A CA certificate's key usage does not allow certificate "
                                  "signing (keyCertSign)."),
    _c("DF-PKI-011", "error", _I, "The path is longer than a CA's pathLenConstraint allows."),
    _c("DF-PKI-012", "error", _I, "The signing certificate has no known role: no docflow policy "
                                  "OID and no rule of the role mapping matches."),
    _c("DF-PKI-013", "error", _I, "The role mapping gives the signing certificate more than one "
                                  "role."),
    _c("DF-PKI-014", "error", _I, "No usable CRL of an issuer in the path: revocation status "
                                  "unknown."),
    _c("DF-PKI-015", "error", _I, "The CRL in force is stale: its nextUpdate is before the "
                                  "validation time."),
    _c("DF-PKI-016", "error", _I, "A CRL cannot be used: its signature does not verify with the "
                                  "issuer's key, or the issuer may not sign CRLs."),
    _c("DF-PKI-017", "error", _I, "A certificate has a critical extension that docflow does not "
                                  "process."),
    _c("DF-PKI-018", "error", _I, "The signing certificate is a CA certificate."),
    _c("DF-PKI-019", "error", _I, "A certificate is signed with a disallowed algorithm (MD5; "
                                  "SHA-1 outside the legacy policy; one not known), named in "
                                  "the message and refused before its signature is checked, "
                                  "or has a weak key (DSA, RSA under 2048 bits)."),
    _c("DF-PKI-020", "error", _I, "A CRL has a critical extension docflow does not support "
                                  "(delta, indirect or partitioned CRL) and was not used."),
    _c("DF-PKI-021", "error", _I, "A certificate file is neither PEM nor DER X.509, or a "
                                  "certificate in it (or in the trust store) cannot be read."),
    _c("DF-PKI-022", "error", _I, "A CRL file is neither PEM nor DER X.509 CRL, or a CRL in it "
                                  "(or in the trust store) has an issuer or dates that cannot "
                                  "be read."),
    _c("DF-PKI-023", "error", _I, "A private key file is neither PEM nor DER PKCS#8 (or "
                                  "traditional) key."),
    _c("DF-PKI-024", "error", _I, "The private key is encrypted and no passphrase or a wrong one "
                                  "was given, or a passphrase was given for a plain key."),
    _c("DF-PKI-025", "error", _I, "A PKI folder has no readable index.json, or the index is "
                                  "malformed."),
    _c("DF-PKI-026", "error", _I, "A role mapping rule is invalid (unknown role, bad OID or "
                                  "pattern, no criterion)."),
    _c("DF-PKI-027", "error", _I, "The PKI has no agency or hub with this identifier."),
    _c("DF-PKI-028", "error", _I, "The agency list is invalid (duplicate organ code, empty name "
                                  "or hub)."),
    _c("DF-PKI-029", "error", _I, "The key algorithm is not one docflow's PKI issues."),
    _c("DF-PKI-030", "error", _I, "Path building stopped: the certificates presented with the "
                                  "signature need more work than the policy's budget allows."),
    _c("DF-PKI-031", "error", _I, "The certificate to validate cannot be read: a field of it (a "
                                  "name, the public key, the extensions) is malformed."),
    # --- topologies --------------------------------------------------------------------------
    _c("DF-TOP-001", "error", _I, "An agency's organ code is not a valid QCVN 102 organ code."),
    _c("DF-TOP-002", "error", _I, "Two agencies (or two hubs) share the same code or id."),
    _c("DF-TOP-003", "error", _I, "An agency is attached to a hub the topology does not have."),
    _c("DF-TOP-004", "error", _I, "An agency has an unknown level."),
    _c("DF-TOP-005", "error", _I, "An agency or hub has an unknown kind."),
    _c("DF-TOP-006", "error", _I, "An agency's parent is not an agency of the topology, or the "
                                  "parents form a cycle."),
    _c("DF-TOP-007", "error", _I, "A required attribute is missing or has the wrong type."),
    _c("DF-TOP-008", "error", _I, "The topology has several hubs but not exactly one national "
                                  "axis."),
    _c("DF-TOP-009", "error", _I, "An agency's level and province disagree (a central agency "
                                  "with a province, or a local one without)."),
    _c("DF-TOP-010", "error", _I, "The name is neither a topology preset nor a readable file."),
    _c("DF-TOP-011", "error", _I, "The file is not a docflow topology (wrong structure, format "
                                  "or version)."),
    _c("DF-TOP-012", "error", _I, "The topology has no agencies."),
    # --- scenarios (docflow/sim) -------------------------------------------------------------
    _c("DF-SCN-001", "error", _I, "The scenario file is not valid TOML (or not UTF-8)."),
    _c("DF-SCN-002", "error", _I, "The scenario has a key docflow does not know."),
    _c("DF-SCN-003", "error", _I, "A scenario value has the wrong type."),
    _c("DF-SCN-004", "error", _I, "A scenario value is outside its allowed range or set."),
    _c("DF-SCN-005", "error", _I, "Shares that must add up to 1 do not."),
    _c("DF-SCN-006", "error", _I, "The scenario names a hub, agency or level the topology does "
                                  "not have."),
    _c("DF-SCN-007", "error", _I, "Two scenario keys contradict each other."),
    _c("DF-SCN-008", "error", _I, "The crypto mode needs components that are not available."),
    _c("DF-SCN-009", "error", _I, "The run is too large for one window of the engine (too many "
                                  "messages in one day); shorten the window or the traffic."),
    # --- calibration (docflow/sim/calib_*) ---------------------------------------------------
    # The targets file's keys use the DF-SCN codes above; these are about what the keys mean.
    _c("DF-CAL-001", "error", _I, "A calibration target names a figure its scenario does not "
                                  "publish, or a measure that is not a document count."),
    _c("DF-CAL-002", "error", _I, "The calibration has fewer fitted targets than it needs, or a "
                                  "parameter no fitted target depends on."),
    _c("DF-CAL-003", "error", _I, "The targets file names a parameter docflow does not know."),
    # --- archive (docflow/archive) -----------------------------------------------------------
    # The database itself (raised as InputError, never a traceback, never written to).
    _c("DF-ARC-001", "error", _I, "The file is not an SQLite database."),
    _c("DF-ARC-002", "error", _I, "The archive database is corrupt (malformed pages or "
                                  "indexes)."),
    _c("DF-ARC-003", "error", _I, "The archive database is locked by another process."),
    _c("DF-ARC-004", "error", _I, "The archive was written by a newer docflow: its schema "
                                  "version is above the one this version supports."),
    _c("DF-ARC-005", "error", _I, "The SQLite database is not a docflow archive."),
    _c("DF-ARC-006", "error", _I, "The archive database cannot be created or written "
                                  "(read-only file, missing folder, full disk)."),
    # Import sources: the container, then one entry of it (findings; the entry is skipped).
    _c("DF-ARC-010", "error", _I, "The import source is not a folder, a zip or a tar archive, "
                                  "or the container cannot be read."),
    _c("DF-ARC-011", "error", _I, "An entry name is absolute or climbs out of the archive "
                                  "(path traversal); the entry is skipped."),
    _c("DF-ARC-012", "error", _I, "An entry is not a regular file (symbolic or hard link, "
                                  "device); it is skipped."),
    _c("DF-ARC-013", "error", _I, "An entry is larger (declared or actual) than the per-entry "
                                  "limit; it is skipped."),
    _c("DF-ARC-014", "error", _I, "An entry expands more than the compression-ratio limit "
                                  "allows (a zip bomb); it is skipped."),
    _c("DF-ARC-015", "error", _I, "The archive has more entries than the limit; the rest is "
                                  "not read."),
    _c("DF-ARC-016", "error", _I, "The archive expands to more than the total-size limit; the "
                                  "rest is not read."),
    _c("DF-ARC-017", "error", _I, "An entry is encrypted; it is skipped."),
    _c("DF-ARC-018", "error", _I, "An entry is corrupt (bad CRC or truncated data); it is "
                                  "skipped."),
    _c("DF-ARC-019", "error", _I, "A stored envelope cannot be decompressed or no longer "
                                  "matches its content hash."),
    # --- audit (docflow/audit) ---------------------------------------------------------------
    _c("DF-AUD-001", "error", _I, "Retired (never emitted by a release): an XML-DSig "
                                  "signature met before the signature profile was wired in."),
    _c("DF-AUD-002", "error", _I, "Verifying this envelope failed with an internal error; it is "
                                  "counted with no valid signature and the audit goes on."),
    _c("DF-AUD-003", "warning", None, "The audit has no trust anchor: no signature can be "
                                      "valid, so every valid rate is 0 by construction."),
    _c("DF-AUD-004", "info", None, "No trust anchor was given; the trust anchor and CRLs the "
                                   "simulation run wrote beside its archive were used."),
    # --- running on more than one process or machine (docflow/dist) --------------------------
    _c("DF-DIST-001", "error", _I, "The --scheduler value is not local, local:N or "
                                   "tcp://HOST:PORT."),
    _c("DF-DIST-002", "error", _I, "The Dask scheduler cannot be reached, or Dask is not "
                                   "installed (pip install 'docflow[dist]')."),
    _c("DF-DIST-003", "error", _I, "A task failed on the cluster (a worker died too often "
                                   "running it); results stored so far are kept, and running "
                                   "the command again resumes."),
    _c("DF-DIST-004", "error", _I, "A sweep option is malformed: --seeds is not N or N-M, or "
                                   "--vary is not KEY=V1,V2,... on a scenario key."),
    # Empty sources (docflow/archive/importer.py, docflow/audit/engine.py): nothing to do is
    # unusable input, said with what was found instead, never a silent 0 documents.
    _c("DF-ARC-020", "error", _I, "The import or audit source holds no .edxml/.xml entry (an "
                                  "empty folder, or a run folder given instead of its "
                                  "archive.sqlite)."),
    _c("DF-AUD-005", "error", _I, "The archive holds no document to audit (and no rejected "
                                  "entry): nothing was ever imported into it."),
    _c("DF-AUD-006", "error", _I, "A worker process of the audit died (killed, or out of "
                                  "memory); the results stored so far are kept, and the same "
                                  "audit run again verifies the rest."),
    _c("DF-SCN-010", "error", _I, "A worker process of the simulation died (killed, or out of "
                                  "memory); the run is abandoned and its partial archive "
                                  "removed."),
    # --- PDF: making and signing (docflow/pdf, docflow/profile/nd30*, docflow/pki/tsa) -------
    _c("DF-PDF-001", "error", _I, "A text of the document has a character the embedded font "
                                  "cannot draw (or a NUL)."),
    _c("DF-PDF-002", "error", _I, "A field the document's layout needs is empty or out of "
                                  "range."),
    _c("DF-PDF-003", "error", _I, "The document's organ code or type does not parse."),
    _c("DF-PDF-004", "error", _I, "The PDF's pages or form cannot be updated for signing (a "
                                  "malformed page tree, no such page, a stream where a "
                                  "dictionary belongs)."),
    _c("DF-PDF-006", "error", _I, "The certificate's role (from its policy) is not the role "
                                  "asked for."),
    _c("DF-PDF-007", "error", _I, "Out of the Decree's order: the organ signs a main document "
                                  "before its signer has."),
    _c("DF-PDF-008", "error", _I, "Out of the Decree's order: a signature of this role is "
                                  "already there, or the organ has already signed."),
    _c("DF-PDF-009", "error", _I, "The organ certificate's organ code is not the document's "
                                  "issuing organ."),
    _c("DF-PDF-010", "error", _I, "An appendix carries the organ's signature only."),
    _c("DF-PDF-011", "error", _I, "The signing certificate's role cannot be decided."),
    _c("DF-PDF-012", "error", _I, "The private key does not match the signing certificate, or "
                                  "its algorithm cannot sign PAdES."),
    _c("DF-PDF-013", "error", _I, "The timestamp authority cannot be reached or its answer is "
                                  "not a valid timestamp for this signature."),
    _c("DF-PDF-014", "error", _I, "A timestamp request is malformed, or asks for a hash the "
                                  "TSA does not accept."),
    _c("DF-PDF-015", "error", _I, "The TSA's certificate is not a timestamping certificate "
                                  "(critical extendedKeyUsage timeStamping), or the PKI has "
                                  "none."),
    _c("DF-PDF-016", "error", _I, "An existing signature of the PDF cannot be read to check "
                                  "the order."),
    # --- trust and profile choice (docflow/trust.py, docflow/profile) -------------------------
    _c("DF-TRU-001", "error", _F, "The document reads as an edXML message (an edXML element or "
                                  "the QCVN namespace) but its root is not the QCVN edXML "
                                  "element, so the edXML profile cannot check it; plain XML-DSig "
                                  "is checked only when asked for (--profile xmldsig)."),
    _c("DF-TRU-002", "error", _F, "The document is not an edXML message, and the edXML profile "
                                  "(the default) checks only those; give --profile xmldsig to "
                                  "check it as plain XML-DSig."),
    _c("DF-TRU-003", "warning", None, "Checked as plain XML-DSig: no edXML meaning (roles, the "
                                      "sender's agency, the organ's signature required) was "
                                      "checked."),
    _c("DF-TRU-004", "error", _I, "The trust options contradict each other or name something "
                                  "unusable (anchors and a key together, a key file that is "
                                  "neither a certificate nor a public key, an HMAC secret "
                                  "outside the legacy policy, an unknown mode)."),
    # --- the axis sandbox (docflow/axis): the service, its client, the load driver ---------
    _c("DF-AXS-001", "error", _I, "The request body is larger than the axis's size limit; it "
                                  "was refused before it was read."),
    _c("DF-AXS-002", "error", _I, "The caller presented no TLS client certificate that names "
                                  "an agency of the axis."),
    _c("DF-AXS-003", "error", _F, "The message's From is not the agency of the caller's TLS "
                                  "client certificate (impersonation)."),
    _c("DF-AXS-004", "error", _F, "A receiver (To) of the message is not an agency of the "
                                  "axis directory."),
    _c("DF-AXS-005", "error", _F, "The message did not pass validation and signature "
                                  "verification; the findings say why. Nothing was stored."),
    _c("DF-AXS-006", "error", _F, "The status message answers a document the axis does not "
                                  "hold, or one its sender is not a party to, or claims the "
                                  "other side's code (only the document's sender recalls, "
                                  "13; only its receivers answer)."),
    _c("DF-AXS-007", "error", _I, "No message with this id is addressed to or sent by the "
                                  "caller."),
    _c("DF-AXS-008", "error", _F, "The DocumentId is already held by the axis for a different "
                                  "message."),
    _c("DF-AXS-009", "error", _I, "The request is not an edXML message: empty, or not sent as "
                                  "application/xml."),
    _c("DF-AXS-010", "error", _I, "The axis cannot be reached (connection or TLS failure)."),
    _c("DF-AXS-011", "error", _I, "The axis answered something the API does not describe."),
    _c("DF-AXS-012", "error", _I, "The axis's message store cannot be opened or written."),
    _c("DF-AXS-013", "error", _I, "The store URL is neither an SQLite file nor a "
                                  "postgresql:// URL."),
    _c("DF-AXS-014", "error", _I, "The PKI folder holds no TLS certificates for the axis (made "
                                  "by an older docflow pki init) or none for this agency."),
    _c("DF-AXS-015", "error", _I, "A load run cannot start: the scenario names no agency the "
                                  "PKI holds, or its bounds are not positive."),
    _c("DF-AXS-016", "error", _I, "The request body did not arrive whole within the axis's "
                                  "time limit (a trickled body); nothing was stored."),
    # --- run and output folders (docflow/runfolder.py) --------------------------------------
    _c("DF-RUN-001", "error", _I, "The output folder is not empty (an earlier run or other "
                                  "files); refused unless --force replaces the run in it."),
    _c("DF-RUN-002", "error", _I, "The folder holds an incomplete run (interrupted, or still "
                                  "being written): it carries the .incomplete marker."),
    # --- reports (docflow/report) ------------------------------------------------------------
    _c("DF-REP-001", "error", _I, "The output to read (a summary, sweep.json, a JSON report) is "
                                  "missing, unreadable or not a JSON object."),
    _c("DF-REP-002", "error", _I, "The output to read lacks a field, or a field has the wrong "
                                  "type or an impossible value (the location names its key)."),
    # --- PDF: the strict syntax reader (docflow/pdf/syntax) and PDF signature checks ----------
    # DF-PDF-001..049 belong to the PDF making and signing side; 050..099 to reading and
    # checking. Every syntax finding carries the byte offset where the reader stopped.
    _c("DF-PDF-050", "error", _F, "The file is not a PDF: it does not start with a %PDF-1.x or "
                                  "%PDF-2.0 header at byte 0."),
    _c("DF-PDF-051", "error", _F, "A PDF token or object is malformed (unterminated string, "
                                  "dictionary or array; bad number, name or keyword)."),
    _c("DF-PDF-052", "error", _F, "The PDF exceeds a limit of the reader (nesting depth, size "
                                  "of an object or stream, number of objects or revisions)."),
    _c("DF-PDF-053", "error", _F, "The PDF does not end with startxref and %%EOF, or startxref "
                                  "does not point at a cross-reference section."),
    _c("DF-PDF-054", "error", _F, "A cross-reference section (table or stream) is malformed."),
    _c("DF-PDF-055", "error", _F, "A cross-reference entry points at bytes that do not hold the "
                                  "object it names, or outside the revision that lists it."),
    _c("DF-PDF-056", "error", _F, "The chain of revisions is malformed: /Prev loops or points "
                                  "forward, revisions overlap, or bytes follow the last %%EOF."),
    _c("DF-PDF-057", "error", _F, "A stream is malformed: wrong or missing /Length, no "
                                  "endstream, an unsupported filter or data that does not "
                                  "decode."),
    _c("DF-PDF-058", "error", _F, "An object stream is malformed (its /N, /First or offsets, or "
                                  "an object in it that is not the one the xref names)."),
    _c("DF-PDF-059", "error", _F, "A reference names an object the PDF does not define, or "
                                  "references form a loop where a value is needed."),
    _c("DF-PDF-060", "error", _F, "A trailer is malformed: /Root or /Size missing or of the "
                                  "wrong type."),
    _c("DF-PDF-061", "error", _I, "The PDF is encrypted; docflow does not check encrypted "
                                  "PDFs."),
    _c("DF-PDF-062", "error", _F, "An object number is defined twice in one cross-reference "
                                  "section."),
    # Signatures of a PDF (docflow/pdf/verify and around): indications as for XML-DSig.
    _c("DF-PDF-070", "error", _I, "The PDF holds no signature to verify."),
    _c("DF-PDF-071", "error", _F, "A signature dictionary is malformed: /Contents is missing, "
                                  "null, empty or not a hex string, or /ByteRange is not four "
                                  "non-negative integers (universal signature forgery)."),
    _c("DF-PDF-072", "error", _F, "The ByteRange does not cover the whole revision except "
                                  "exactly this signature's /Contents hex string (signature "
                                  "wrapping)."),
    _c("DF-PDF-073", "error", _F, "The ByteRange does not end where the revision that adds the "
                                  "signature ends."),
    _c("DF-PDF-074", "error", _I, "The signature's /SubFilter or /Type is not one docflow "
                                  "checks (ETSI.CAdES.detached, adbe.pkcs7.detached)."),
    _c("DF-PDF-075", "error", _F, "The CMS in /Contents is malformed: not DER SignedData, not "
                                  "detached, not one SignerInfo, or followed by bytes other "
                                  "than zero padding."),
    _c("DF-PDF-076", "error", _F, "The CMS message digest does not match the signed byte "
                                  "ranges."),
    _c("DF-PDF-077", "error", _F, "The CMS signature value does not verify with the signing "
                                  "certificate's key."),
    _c("DF-PDF-078", "error", _I, "The CMS does not carry the signing certificate its "
                                  "SignerInfo names."),
    _c("DF-PDF-079", "error", _F, "The CMS signed attributes are missing or wrong: content "
                                  "type, message digest, or ESS signing-certificate-v2 that "
                                  "does not name the signing certificate."),
    _c("DF-PDF-080", "error", _I, "The CMS uses a digest, signature algorithm or key size the "
                                  "policy refuses (SHA-1 needs the legacy policy)."),
    _c("DF-PDF-081", "error", _F, "An incremental update changes what the reader sees: page "
                                  "content, annotations, fonts, actions, form values, or an "
                                  "object a signature covers (shadow or incremental saving "
                                  "attack)."),
    _c("DF-PDF-082", "error", _F, "The signatures are not in Decree 30/2020's order: a "
                                  "person's signature comes after the organ's, a second "
                                  "organ signature follows the first, or a person signs an "
                                  "appendix."),
    _c("DF-PDF-083", "error", _F, "A PDF signature's certificate (the organ's or the "
                                  "person's) belongs to another agency than the message's "
                                  "sender (From/OrganId)."),
    _c("DF-PDF-084", "error", _I, "A PDF signature cannot be matched with the sender: its "
                                  "certificate carries no single organ code."),
    _c("DF-PDF-085", "error", _F, "The signature's timestamp token is invalid: malformed, its "
                                  "imprint is not the hash of the signature value, or its "
                                  "signature does not verify."),
    _c("DF-PDF-086", "error", _I, "The timestamp authority's certificate is not trusted at the "
                                  "time it stamped."),
    _c("DF-PDF-087", "error", _F, "A signature's appearance covers more than a quarter of its "
                                  "page (an overlay that can hide the document's text)."),
    _c("DF-PDF-088", "error", _F, "A signature field is malformed or misplaced: its widget is "
                                  "on no page, two fields share one signature, or an update "
                                  "adds a visible signature field that no signature of that "
                                  "revision fills."),
    _c("DF-PDF-089", "error", _F, "A role the verification requires (by default the organ) has "
                                  "no signature in the PDF."),
    _c("DF-PDF-090", "warning", None, "Bytes at the end of the PDF are covered by no "
                                      "signature; they add only validation data (DSS) or "
                                      "metadata, which docflow checked."),
]}


def describe(code: str) -> CodeInfo:
    """Return the catalogue entry of ``code``; an unknown code is a programming error."""
    return CATALOGUE[code]


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found in an input that could still be read; collected into reports."""

    code: str
    message: str
    location: Location = field(default_factory=Location)
    severity: Severity | None = None
    """Overrides the catalogue's severity (a rule may downgrade a code to a warning)."""

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise KeyError(f"finding code {self.code!r} is not in the catalogue")

    @property
    def effective_severity(self) -> Severity:
        return self.severity or CATALOGUE[self.code].severity

    @property
    def indication(self) -> Indication | None:
        """The verdict this finding forces, or ``None`` if it does not affect the verdict."""
        if self.effective_severity is not Severity.ERROR:
            return None
        return CATALOGUE[self.code].indication

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.effective_severity.value,
                "message": self.message, "location": self.location.to_dict()}


def verdict(findings: list[Finding] | tuple[Finding, ...]) -> Indication:
    """FAILED if any finding forces it, else INDETERMINATE if any forces that, else PASSED."""
    worst = Indication.PASSED
    for finding in findings:
        indication = finding.indication
        if indication is Indication.FAILED:
            return Indication.FAILED
        if indication is Indication.INDETERMINATE:
            worst = Indication.INDETERMINATE
    return worst


class DocflowError(Exception):
    """Raised when an input cannot be processed at all; carries a stable code and a location."""

    exit_code: ClassVar[int] = 2

    def __init__(self, code: str, message: str, location: Location | None = None) -> None:
        if code not in CATALOGUE:
            raise KeyError(f"error code {code!r} is not in the catalogue")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.location = location or Location()

    def as_finding(self) -> Finding:
        """The same problem as a finding, for reports that list unreadable inputs."""
        return Finding(self.code, self.message, self.location)

    def __str__(self) -> str:
        where = str(self.location)
        return f"{self.code} {where}: {self.message}" if where != "-" else \
            f"{self.code}: {self.message}"


class InputError(DocflowError):
    """Raised when a file, document, archive or scenario cannot be read or is refused."""


class UsageError(DocflowError):
    """Raised when options contradict each other or name something that does not exist."""


class WorkerError(DocflowError):
    """Raised when a worker process dies under a command (killed, out of memory): not the
    input's fault, so it exits 3 like an internal error, but with a code and what was kept."""

    exit_code: ClassVar[int] = 3


class ConfigError(DocflowError):
    """Raised when a scenario, trust configuration or topology file has a bad key or value."""
