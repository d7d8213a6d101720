"""Tests for docflow/envelope/layout.py: the table agrees with the model and with the XSDs."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from docflow.envelope import layout as lay
from docflow.envelope.builder import build
from docflow.envelope.layout import Block, Kind
from docflow.envelope.parser import parse_envelope
from docflow.envelope.schema import schema_findings
from docflow.envelope.status import StatusCode
from docflow.xmlsafe import parse_xml

_ids = itertools.count(1)


def full(block: Block) -> Any:
    """An instance with every field of the layout set, repeated parts twice."""
    values: dict[str, Any] = {}
    for attr, part in lay.fields_of(block):
        kind = part.kind
        if kind is Kind.ATTR:
            values[attr] = f"id-{next(_ids)}"
        elif kind is Kind.TEXT:
            values[attr] = f"{part.tag} {next(_ids)}"
        elif kind is Kind.STATUS:
            values[attr] = StatusCode.DONE
        elif kind is Kind.BLOCK:
            assert part.block is not None
            values[attr] = full(part.block)
        elif kind in (Kind.REPEAT, Kind.BLOCKS):
            assert part.block is not None
            values[attr] = (full(part.block), full(part.block))
        elif kind is Kind.TEXTS:
            values[attr] = ("a", "b")
    return block.cls(**values)


def test_layout_covers_every_model_field() -> None:
    """Each model class's fields are exactly the attributes its layout block fills."""
    blocks = [lay.DOCUMENT, lay.STATUS]
    seen: set[int] = set()
    while blocks:
        block = blocks.pop()
        if id(block) in seen:
            continue
        seen.add(id(block))
        names = {f.name for f in dataclasses.fields(block.cls)}
        assert {attr for attr, _ in lay.fields_of(block)} == names, block.cls.__name__
        blocks.extend(p.block for _, p in lay.fields_of(block) if p.block is not None)


def test_message_with_every_part_validates_and_round_trips() -> None:
    """A message with every optional part present is valid: the XSDs list all the layout's
    parts, in the layout's order, with the same nesting."""
    for block in (lay.DOCUMENT, lay.STATUS):
        message = full(block)
        data = build(message)
        assert schema_findings(parse_xml(data)) == []
        assert parse_envelope(data).model == message
