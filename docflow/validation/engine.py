"""Job 1: validate edXML messages and return one :class:`ValidationReport` each.

The engine reads an input within the size limit, parses it with the one hardened parser, tells
a document from a status message, and runs the checks in order: the XSD, the business rules,
then any extra check of the configuration (signatures). A problem with the input becomes a
finding in the report, never an exception: an unreadable file is ``INDETERMINATE``
(``DF-IO``), a file that is not acceptable XML is ``FAILED`` (``DF-XML``).
"""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Iterable, Iterator

from lxml import etree

from docflow.envelope.kind import kind_finding, read_kind
from docflow.envelope.rules import NAMESPACE
from docflow.errors import Finding, InputError, Location, verdict
from docflow.validation.checks import Check, Message, RulesCheck, SchemaCheck
from docflow.validation.config import ValidationConfig
from docflow.validation.report import SignatureResult, ValidationReport
from docflow.validation.signatures import SignatureCheck
from docflow.validation.sources import Source, expand_sources
from docflow.xmlsafe import parse_xml, read_limited

__all__ = ["validate", "validate_bytes", "validate_parsed", "validate_paths"]

DEFAULT_CONFIG = ValidationConfig()
_SCHEMA = SchemaCheck()
_RULES = RulesCheck()
_ROOT_NAMES = {f"{{{NAMESPACE}}}edXML", f"{{{NAMESPACE}}}edXMLEnvelope"}


def _checks(config: ValidationConfig) -> tuple[Check, ...]:
    built_in: tuple[Check, ...] = ((_SCHEMA,) if config.check_schema else ()) + \
        ((_RULES,) if config.check_rules else ())
    if config.signatures_checked:
        assert config.trust is not None
        built_in += (SignatureCheck(config.trust, config.required_roles),)
    return built_in + config.extra_checks


def _unparsed(source: str, error: InputError, timings: list[tuple[str, float]]
              ) -> ValidationReport:
    # The file name is the report's; the finding keeps only the line.
    finding = Finding(error.code, error.message, Location(line=error.location.line))
    return ValidationReport(source, verdict([finding]), (finding,), None, parsed=False,
                            timings=tuple(timings))


def validate_bytes(data: bytes, *, source: str = "<bytes>",
                   config: ValidationConfig = DEFAULT_CONFIG,
                   timings: list[tuple[str, float]] | None = None) -> ValidationReport:
    """Validate one message held in memory; ``source`` names it in the report."""
    stages = timings if timings is not None else []
    started = time.perf_counter()
    try:
        root = parse_xml(data, limits=config.limits)
    except InputError as exc:
        stages.append(("parse", time.perf_counter() - started))
        return _unparsed(source, exc, stages)
    stages.append(("parse", time.perf_counter() - started))
    return validate_parsed(data, root, source=source, config=config, timings=stages)


def validate_parsed(data: bytes, root: etree._Element, *, source: str = "<bytes>",
                    config: ValidationConfig = DEFAULT_CONFIG,
                    timings: list[tuple[str, float]] | None = None) -> ValidationReport:
    """Validate one message that the caller parsed from ``data`` with the hardened parser
    (:func:`docflow.xmlsafe.parse_xml` under ``config.limits``), so that a caller that reads
    more from the same tree (the axis routes by it) parses it once. The checks leave the
    tree as they found it."""
    stages = timings if timings is not None else []
    now = time.perf_counter()
    if root.tag not in _ROOT_NAMES:
        finding = Finding("DF-ENV-040", f"the root element is {root.tag!r}; an edXML message is "
                          f"'{{{NAMESPACE}}}edXML'", Location(line=root.sourceline, path="/"
                          + (root.tag.rpartition("}")[2] if isinstance(root.tag, str) else "")))
        return ValidationReport(source, verdict([finding]), (finding,), None,
                                timings=tuple(stages))
    reading = read_kind(root)
    message = Message(source, data, root, reading.layout)
    # The kind is decided once, before any check: one that cannot be told fails the message
    # whichever checks run (the schema and rules then read it as a document).
    unknown = kind_finding(reading)
    findings: list[Finding] = [] if unknown is None else [unknown]
    signatures: list[SignatureResult] = []
    for check in _checks(config):
        outcome = check.run(message, config)
        findings.extend(outcome.findings)
        signatures.extend(outcome.signatures)
        later = time.perf_counter()
        stages.append((check.name, later - now))
        now = later
    every = findings + [f for s in signatures for f in s.findings]
    return ValidationReport(source, verdict(every), tuple(findings), reading.kind,
                            signatures=tuple(signatures), timings=tuple(stages),
                            signatures_checked=config.signatures_checked)


def _read(source: Source, config: ValidationConfig) -> bytes:
    name = source.name
    if source.refused:
        raise InputError("DF-IO-001", source.refused, Location(file=name))
    if name == "-":
        return read_limited(sys.stdin.buffer, config.limits.max_bytes, "<stdin>")
    limit = config.limits.max_bytes
    try:
        # O_NONBLOCK: opening a FIFO (or a device) named like an envelope must not hang the
        # walk of a folder; it is refused below as not a regular file.
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}",
                         Location(file=name)) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        what = "a folder, not one message (validate_paths walks folders)" \
            if stat.S_ISDIR(info.st_mode) else \
            "not a regular file (a pipe, socket or device)"
        raise InputError("DF-IO-001", f"this is {what}", Location(file=name))
    with os.fdopen(fd, "rb") as handle:
        # Refuse an oversized file from its size, before reading a byte of it.
        if info.st_size > limit:
            raise InputError("DF-IO-002", f"the file is {info.st_size:,} bytes, above the "
                             f"limit of {limit:,}", Location(file=name))
        try:
            return read_limited(handle, limit, name)
        except OSError as exc:
            raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}",
                             Location(file=name)) from None


def _validate_source(source: Source, config: ValidationConfig) -> ValidationReport:
    shown = "<stdin>" if source.name == "-" else source.name
    started = time.perf_counter()
    try:
        data = _read(source, config)
    except InputError as exc:
        return _unparsed(shown, exc, [("read", time.perf_counter() - started)])
    timings = [("read", time.perf_counter() - started)]
    return validate_bytes(data, source=shown, config=config, timings=timings)


def validate(source: bytes | str | os.PathLike[str], config: ValidationConfig = DEFAULT_CONFIG
             ) -> ValidationReport:
    """Validate one edXML message and return its report.

    Parameters
    ----------
    source
        The message itself (``bytes``), a path to a file, or ``"-"`` for standard input.
        A folder is not one message: walk it with :func:`validate_paths`.
    config
        What to check and within which limits.

    Returns
    -------
    ValidationReport
        Always a report, also for a file that cannot be read (``DF-IO``, ``INDETERMINATE``) or
        parsed (``DF-XML``, ``FAILED``): the input's problems are findings, not exceptions.

    Examples
    --------
    >>> validate(b"<edXML/>").findings[0].code
    'DF-ENV-040'
    >>> validate(b"<a>cut").verdict.value
    'FAILED'
    """
    if isinstance(source, bytes):
        return validate_bytes(source, config=config)
    return _validate_source(Source(os.fspath(source)), config)


def validate_paths(paths: Iterable[str | os.PathLike[str]],
                   config: ValidationConfig = DEFAULT_CONFIG) -> Iterator[ValidationReport]:
    """Validate every message named by ``paths`` (files, folders walked, ``-``), one by one.

    Reports come in the order of ``paths``, and within a folder in sorted name order. A folder
    is walked as :func:`docflow.validation.sources.expand_sources` describes: only the
    configured extensions, no link followed out of it.
    """
    for source in expand_sources(paths, config.extensions):
        yield _validate_source(source, config)
