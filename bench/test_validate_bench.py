"""Validation benchmarks: parse + schema + rules of one edXML message, 8 KB and 2 MB.

Run with ``pytest bench/test_validate_bench.py --benchmark-enable --benchmark-only``.

Each group is one message size; its rows are read side by side as ratios: ``parse`` (the
hardened parser alone) is the floor, ``schema`` and ``rules`` the two checks on an already
parsed tree, and ``validate`` the whole job from bytes to report. The target is 3,000 messages
per second per core for the 8 KB message, i.e. ``validate`` under 333 µs. The 8 KB message is
:func:`docflow.envelope.samples.example_document` (two attachments); the 2 MB one has one
attachment of 1.5 MB, so its time is mostly the parse and the base64 check of that text.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from docflow.envelope.builder import build
from docflow.envelope.dates import VIETNAM
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.rules import MessageKind, rule_findings
from docflow.envelope.samples import example_document, sample_document
from docflow.validation import validate_bytes
from docflow.validation.checks import Message, SchemaCheck
from docflow.validation.config import ValidationConfig
from docflow.xmlsafe import parse_xml

CONFIG = ValidationConfig()


def _two_megabytes() -> bytes:
    doc = sample_document(np.random.default_rng(7), sender="000.00.00.H49",
                          receivers=["000.00.01.H49"], doc_type=DocumentType.BAO_CAO,
                          attachments=1, size=1_500_000,
                          when=dt.datetime(2025, 7, 1, 9, 0, tzinfo=VIETNAM), number=7)
    return build(doc)


MESSAGES = {"8KB": build(example_document()), "2MB": _two_megabytes()}


def _distinct_8kb(count: int) -> list[bytes]:
    """``count`` different 8 KB messages: 2,000 agencies, every document type, dates drawn
    over 2025, so that nothing the validator caches (organ codes, dates) is warm for free."""
    rng = np.random.default_rng(11)
    types = list(DocumentType)
    messages: list[bytes] = []
    for i in range(count):
        sender, receiver = (f"000.00.{rng.integers(1, 100):02d}.H{rng.integers(10, 30):02d}"
                            for _ in range(2))
        messages.append(build(sample_document(rng, sender=sender, receivers=[receiver],
                                              doc_type=types[i % len(types)], attachments=2,
                                              size=900)))
    return messages
SIZES = list(MESSAGES)


def _checked(data: bytes) -> bytes:
    report = validate_bytes(data)
    assert report.passed, report.findings
    return data


@pytest.mark.parametrize("size", SIZES)
def test_validate(benchmark: pytest.FixtureRequest, size: str) -> None:
    """The whole job: bytes to report (parse, XSD, rules)."""
    data = _checked(MESSAGES[size])
    benchmark.group = f"validate-{size}"
    benchmark.name = "validate"
    report = benchmark(validate_bytes, data)
    assert report.passed


@pytest.mark.parametrize("size", SIZES)
def test_parse(benchmark: pytest.FixtureRequest, size: str) -> None:
    """The floor: the hardened parser alone."""
    data = _checked(MESSAGES[size])
    benchmark.group = f"validate-{size}"
    benchmark.name = "parse"
    benchmark(parse_xml, data, limits=CONFIG.limits)


@pytest.mark.parametrize("size", SIZES)
def test_schema(benchmark: pytest.FixtureRequest, size: str) -> None:
    """The XSD check on a parsed tree."""
    data = _checked(MESSAGES[size])
    message = Message("bench", data, parse_xml(data, limits=CONFIG.limits),
                      MessageKind.DOCUMENT)
    benchmark.group = f"validate-{size}"
    benchmark.name = "schema"
    outcome = benchmark(SchemaCheck().run, message, CONFIG)
    assert outcome.findings == ()


@pytest.mark.parametrize("size", SIZES)
def test_rules(benchmark: pytest.FixtureRequest, size: str) -> None:
    """The business rules on a parsed tree (a fresh tree each round: no warm proxies)."""
    data = _checked(MESSAGES[size])

    def fresh() -> tuple[tuple[object, ...], dict[str, object]]:
        return (parse_xml(data, limits=CONFIG.limits),), {"report_missing": False,
                                                           "kind": MessageKind.DOCUMENT}

    benchmark.group = f"validate-{size}"
    benchmark.name = "rules"
    findings = benchmark.pedantic(rule_findings, setup=fresh, rounds=300 if size == "8KB"
                                  else 30)
    assert findings == []


def test_validate_distinct(benchmark: pytest.FixtureRequest) -> None:
    """The whole job over 1,000 different 8 KB messages in turn: the figure to quote when
    messages repeat little (each round validates the next one)."""
    messages = _distinct_8kb(1_000)
    assert all(validate_bytes(m).passed for m in messages)
    turn = itertools.cycle(messages)
    benchmark.group = "validate-8KB"
    benchmark.name = "validate, 1,000 distinct"
    report = benchmark(lambda: validate_bytes(next(turn)))
    assert report.passed
