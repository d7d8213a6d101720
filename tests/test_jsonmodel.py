"""The JSON model codec: every annotation read with its rule, every bad field named by its key."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

import pytest

from docflow.errors import InputError
from docflow.jsonmodel import JsonModel, key, optional
from docflow.outputs import OutputSchema


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Point:
    at: tuple[float, float]
    label: str | None = field(default=None, metadata=optional())


@dataclass(frozen=True)
class Doc(JsonModel):
    SCHEMA: ClassVar[OutputSchema] = OutputSchema.SWEEP

    schema: str
    docflow_version: str
    n: int
    share: float
    raw: int | float
    flag: bool
    colour: Colour
    when: datetime
    day: date
    points: tuple[Point, ...]
    by_colour: dict[Colour, int]
    anything: Any
    from_: str = field(metadata=key("from"))


def _doc(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        **Doc.header(), "n": 3, "share": 0.5, "raw": 5, "flag": True, "colour": "red",
        "when": "2025-07-07T08:00:00+07:00", "day": "2025-07-07",
        "points": [{"at": [1.0, 0.5]}, {"at": [2.5, 0.9], "label": "p90"}],
        "by_colour": {"blue": 2}, "anything": {"x": [1, None]}, "from": "000.00.00.G22"}
    data.update(changes)
    return data


def test_round_trip_keeps_every_byte() -> None:
    """What the model writes it reads back equal, and writes again byte for byte; ``5`` in an
    ``int | float`` field stays ``5``, an absent optional stays absent, ``from`` keeps its key."""
    doc = Doc.from_dict(_doc())
    assert doc.colour is Colour.RED and doc.by_colour == {Colour.BLUE: 2}
    assert doc.when == datetime.fromisoformat("2025-07-07T08:00:00+07:00")
    assert doc.points[0] == Point((1.0, 0.5)) and doc.from_ == "000.00.00.G22"
    assert type(doc.raw) is int and type(doc.share) is float
    again = Doc.from_json(doc.to_json())
    assert again == doc and again.to_json() == doc.to_json()
    assert b'"label"' in doc.to_json() and doc.to_json().count(b'"label"') == 1
    assert b'"from": "000.00.00.G22"' in doc.to_json()


def test_unknown_keys_are_ignored() -> None:
    """A key a later docflow adds under the same layout id does not stop an older reader."""
    assert Doc.from_dict(_doc(added_later={"a": 1})) == Doc.from_dict(_doc())


@pytest.mark.parametrize(("changes", "where", "message"), [
    ({"n": -1}, "n", "count of zero or more"),
    ({"n": True}, "n", "whole number, found a boolean"),
    ({"n": 2.5}, "n", "whole number, found 2.5"),
    ({"share": "half"}, "share", "expected a number, found a string"),
    ({"raw": None}, "raw", "expected a number, found null"),
    ({"flag": 1}, "flag", "expected true or false"),
    ({"colour": "green"}, "colour", "expected one of red, blue, found 'green'"),
    ({"when": "yesterday"}, "when", "ISO 8601 date and time"),
    ({"day": "07/07/2025"}, "day", "ISO 8601 date"),
    ({"points": [{"at": [1.0, 0.5]}, {"at": [1.0]}]}, "points[1].at",
     "list of 2 items, found 1"),
    ({"points": {"at": [1.0, 0.5]}}, "points", "expected a list, found an object"),
    ({"by_colour": {"green": 1}}, "by_colour.green", "expected one of red, blue"),
    ({"by_colour": {"red": -2}}, "by_colour.red", "count of zero or more"),
    ({"schema": "docflow.audit/1"}, "schema", "expected the layout docflow.sweep/1"),
])
def test_a_bad_field_is_df_rep_002_at_its_dotted_key(changes: dict[str, Any], where: str,
                                                    message: str) -> None:
    """Each wrong value raises DF-REP-002 with the file and the dotted key, never a traceback."""
    with pytest.raises(InputError) as err:
        Doc.from_dict(_doc(**changes), "out/doc.json")
    assert err.value.code == "DF-REP-002"
    assert err.value.location.key == where and err.value.location.file == "out/doc.json"
    assert message in err.value.message


def test_a_missing_field_is_named() -> None:
    """A missing required field is ``missing field`` at its key, a renamed key by its JSON name."""
    for name in ("n", "from"):
        data = _doc()
        del data[name]
        with pytest.raises(InputError) as err:
            Doc.from_dict(data)
        assert (err.value.code, err.value.location.key, err.value.message) == \
            ("DF-REP-002", name, "missing field")


@pytest.mark.parametrize(("text", "message"), [
    (b"{\"n\": ", "not valid JSON"), (b"\xff{}", "not UTF-8"), (b"[1]", "not a JSON object")])
def test_text_that_is_not_a_json_object_is_df_rep_001(text: bytes, message: str) -> None:
    """Broken text is DF-REP-001 (unreadable), before any field is looked at."""
    with pytest.raises(InputError) as err:
        Doc.from_json(text, "doc.json")
    assert err.value.code == "DF-REP-001" and message in err.value.message
