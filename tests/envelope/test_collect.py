"""Tests for docflow/envelope/collect.py: findings capped per code, paths as element_path."""

from __future__ import annotations

from docflow.envelope.builder import build
from docflow.envelope.collect import PER_CODE, Collector
from docflow.envelope.parser import parse_envelope
from docflow.envelope.samples import example_document
from docflow.envelope.schema import schema_findings
from docflow.xmlsafe import element_path, parse_xml


def test_repeated_mistake_is_listed_a_few_times_then_summed_up() -> None:
    """3,000 unknown elements give PER_CODE findings and one summary with the rest counted."""
    data = build(example_document()).replace(
        b"<edXML:Subject>", b"<edXML:Vendor/>" * 3000 + b"<edXML:Subject>", 1)
    findings = parse_envelope(data).findings
    unknown = [f for f in findings if f.code == "DF-ENV-006"]
    assert len(unknown) == PER_CODE + 1
    assert unknown[-1].message.startswith(f"{3000 - PER_CODE} more findings")


def test_schema_variants_are_capped_too() -> None:
    """A spelling variant repeated 1,000 times is reported PER_CODE times plus a summary."""
    data = build(example_document()).replace(
        b"<edXML:Bussiness>", b"<edXML:Business>" + b"<edXML:BusinessInfo/>" * 1000, 1
    ).replace(b"</edXML:Bussiness>", b"</edXML:Business>")
    spelled = [f for f in schema_findings(parse_xml(data)) if f.code == "DF-ENV-008"]
    assert len(spelled) == PER_CODE + 1


def test_cached_paths_match_element_path() -> None:
    """The collector's paths are exactly docflow.xmlsafe.element_path's, sibling indexes too."""
    root = parse_xml(build(example_document()))
    collector = Collector(None)
    for element in root.iter():
        assert collector.path(element) == element_path(element)
