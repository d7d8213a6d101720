"""edXML envelope benchmarks: build, parse, and the parse + schema pipeline, at 8 KB and 2 MB.

Run with ``pytest bench/test_envelope_bench.py --benchmark-enable --benchmark-only``.

The ``envelope-build`` group also times a reference builder that writes the same message
through an lxml tree (``SubElement`` per element, then ``tostring``), the usual alternative to
docflow's string builder; compare the two rows as a ratio.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from lxml import etree

from docflow.envelope import layout as lay
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.layout import Kind, Part
from docflow.envelope.model import NS, Envelope
from docflow.envelope.parser import parse_envelope
from docflow.envelope.samples import sample_document
from docflow.envelope.schema import schema_findings
from docflow.xmlsafe import parse_xml

SIZES = {"8KB": (2, 660), "2MB": (2, 750_000)}
"""(attachments, bytes each) giving a message of about 8 KB and 2 MB once base64-encoded."""


def _message(label: str) -> Envelope:
    count, size = SIZES[label]
    return sample_document(np.random.default_rng(8), sender="000.00.00.H49",
                           receivers=["000.00.01.H49", "000.00.02.H49"],
                           doc_type=DocumentType.QUYET_DINH, attachments=count, size=size)


@pytest.fixture(scope="module", params=list(SIZES))
def message(request: pytest.FixtureRequest) -> tuple[str, Envelope, bytes]:
    env = _message(request.param)
    return request.param, env, build(env)


def _tree(obj: Any, parent: etree._Element, parts: tuple[Part, ...]) -> None:
    """The same message through lxml's element API: the reference the builder is compared to."""
    for part in parts:
        if part.kind is Kind.ATTR:
            value = getattr(obj, part.attr or "")
            if value is not None:
                parent.set(part.tag, value)
            continue
        if part.kind is Kind.SKIP:
            continue
        if part.kind is Kind.GROUP:
            _tree(obj, etree.SubElement(parent, f"{{{NS}}}{part.tag}"), part.parts)
            continue
        value = getattr(obj, part.attr or "")
        if value is None:
            continue
        if part.kind in (Kind.TEXT, Kind.STATUS):
            etree.SubElement(parent, f"{{{NS}}}{part.tag}").text = str(getattr(value, "value",
                                                                                value))
        elif part.kind is Kind.BLOCK:
            assert part.block is not None
            _tree(value, etree.SubElement(parent, f"{{{NS}}}{part.tag}"), part.block.parts)
        elif part.kind is Kind.REPEAT:
            assert part.block is not None
            for item in value:
                _tree(item, etree.SubElement(parent, f"{{{NS}}}{part.tag}"), part.block.parts)
        else:
            wrapper = etree.SubElement(parent, f"{{{NS}}}{part.tag}")
            for item in value:
                if part.kind is Kind.TEXTS:
                    etree.SubElement(wrapper, f"{{{NS}}}{part.item}").text = item
                else:
                    assert part.block is not None
                    _tree(item, etree.SubElement(wrapper, f"{{{NS}}}{part.item}"),
                          part.block.parts)


def lxml_build(env: Envelope) -> bytes:
    root = etree.Element(f"{{{NS}}}edXML", nsmap={"edXML": NS})
    _tree(env, root, lay.DOCUMENT.parts)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.benchmark(group="envelope-build")
def test_build(benchmark: Any, message: tuple[str, Envelope, bytes]) -> None:
    """docflow's builder: model → bytes, with its checks."""
    _, env, data = message
    benchmark.extra_info["bytes"] = len(data)
    assert benchmark(build, env) == data


@pytest.mark.benchmark(group="envelope-build")
def test_build_lxml_reference(benchmark: Any, message: tuple[str, Envelope, bytes]) -> None:
    """The same message through an lxml tree, without checks (reference only)."""
    _, env, _ = message
    out = benchmark(lxml_build, env)
    assert parse_envelope(out).model == env


@pytest.mark.benchmark(group="envelope-parse")
def test_parse_xml(benchmark: Any, message: tuple[str, Envelope, bytes]) -> None:
    """The hardened parser alone: the floor for everything else."""
    _, _, data = message
    benchmark(parse_xml, data)


@pytest.mark.benchmark(group="envelope-parse")
def test_parse_envelope(benchmark: Any, message: tuple[str, Envelope, bytes]) -> None:
    """Bytes → model, through the hardened parser."""
    _, env, data = message
    assert benchmark(parse_envelope, data).model == env


@pytest.mark.benchmark(group="envelope-pipeline")
def test_parse_and_schema(benchmark: Any, message: tuple[str, Envelope, bytes]) -> None:
    """Parse + XSD: the first two stages of ``docflow validate`` on one message."""
    _, _, data = message

    def pipeline() -> list[Any]:
        return schema_findings(parse_xml(data))

    assert benchmark(pipeline) == []


@pytest.mark.benchmark(group="envelope-pipeline")
def test_schema_only(benchmark: Any, message: tuple[str, Envelope, bytes]) -> None:
    """The XSD check alone, on an already parsed message."""
    _, _, data = message
    root = parse_xml(data)
    assert benchmark(schema_findings, root) == []
