"""Frozen dataclasses as JSON outputs: the writer's model, read back with every field checked.

Each JSON output docflow writes (``summary.json``, ``sweep.json``, the validation JSON, …) has
one typed model: frozen dataclasses whose fields are, in order, the output's keys. The writer
builds the model and serialises it with :meth:`JsonModel.to_json`; every reader parses the
bytes with :meth:`JsonModel.from_json` and uses attributes, never string keys or positions.
One model for both sides is what keeps them in step: a key renamed in the writer is a type
error in the reader, not a silent ``KeyError`` at a user's desk.

Reading checks every field against its annotation and stops at the first bad one with
``DF-REP-002`` and the dotted key (``levels.commune.sent``, ``series.backlog.axis[3]``), so a
truncated or hand-edited file gives one clear line, never a traceback. The annotations the
codec knows are the few JSON needs:

* ``int`` — a whole number, never negative: every whole number in docflow's outputs is a
  count, an index or a seed. ``int | float`` is any number, kept as written (``5`` stays
  ``5``, ``5.0`` stays ``5.0``); ``float`` is any finite number, read as a float.
* ``str``, ``bool``, :class:`~enum.Enum` members (by value), ``datetime`` and ``date`` (ISO
  8601 strings), ``X | None`` (``null``), and ``Any`` (passed through unchecked).
* ``tuple[X, ...]`` (a JSON array), ``tuple[X, Y]`` (an array of exactly that shape),
  ``dict[str, X]`` or ``dict[SomeEnum, X]`` (an object; key order is kept), and nested
  dataclasses (objects).

A field's JSON key is its name unless ``field(metadata=key("…"))`` says otherwise; a field
with a default may be absent (``optional()`` also leaves it out of the output when it is
``None``). Keys the model does not know are ignored, so a reader of ``/1`` reads what a later
docflow adds to ``/1``.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar, Self

from docflow.errors import InputError, Location
from docflow.outputs import OutputSchema, header

__all__ = ["JsonModel", "dumps", "key", "optional", "parse_json", "to_data"]

_KEY = "docflow.json.key"
_OMIT_NONE = "docflow.json.omit_none"


def key(name: str) -> dict[str, Any]:
    """Field metadata: the JSON key of a field whose name cannot be a Python name."""
    return {_KEY: name}


def optional() -> dict[str, Any]:
    """Field metadata: a field left out of the output when it is ``None``."""
    return {_OMIT_NONE: True}


class _Bad(Exception):
    """A field that does not match its annotation (turned into DF-REP-002 at the top)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


_Decode = Callable[[Any, str], Any]


def _count(value: Any, where: str) -> int:
    if type(value) is int and value >= 0:  # the common case first: a JSON integer
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(where, f"expected a whole number, found {_kind(value)}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise _Bad(where, f"expected a whole number, found {value!r}")
    if value < 0:
        raise _Bad(where, f"expected a count of zero or more, found {value!r}")
    return int(value)


def _float(value: Any, where: str) -> float:
    if type(value) is float and math.isfinite(value):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value):
        raise _Bad(where, f"expected a number, found {_kind(value)}")
    return float(value)


def _number(value: Any, where: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value):
        raise _Bad(where, f"expected a number, found {_kind(value)}")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _Bad(where, f"expected a string, found {_kind(value)}")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _Bad(where, f"expected true or false, found {_kind(value)}")
    return value


def _datetime(value: Any, where: str) -> datetime:
    text = _str(value, where)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(where, f"expected an ISO 8601 date and time, found {text!r}") from None


def _date(value: Any, where: str) -> date:
    text = _str(value, where)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(where, f"expected an ISO 8601 date, found {text!r}") from None


def _any(value: Any, where: str) -> Any:
    return value


def _enum(cls: type[enum.Enum]) -> _Decode:
    allowed = {m.value: m for m in cls}

    def decode(value: Any, where: str) -> enum.Enum:
        try:
            return allowed[value]
        except (KeyError, TypeError):
            names = ", ".join(str(v) for v in allowed)
            raise _Bad(where, f"expected one of {names}, found {value!r}") from None
    return decode


def _optional(inner: _Decode) -> _Decode:
    def decode(value: Any, where: str) -> Any:
        return None if value is None else inner(value, where)
    return decode


def _array(item: _Decode) -> _Decode:
    def decode(value: Any, where: str) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise _Bad(where, f"expected a list, found {_kind(value)}")
        # Speed: a long series of counts (a year of hourly backlog per hub) is checked in one
        # pass; only a list with a bad item is walked item by item for the error's index.
        if item is _count and all(type(v) is int and v >= 0 for v in value):
            return tuple(value)
        if item is _float and all(type(v) is float and math.isfinite(v) for v in value):
            return tuple(value)
        return tuple(item(v, f"{where}[{i}]") for i, v in enumerate(value))
    return decode


def _fixed(items: tuple[_Decode, ...]) -> _Decode:
    def decode(value: Any, where: str) -> tuple[Any, ...]:
        if not isinstance(value, list) or len(value) != len(items):
            raise _Bad(where, f"expected a list of {len(items)} items, found {_kind(value)}"
                       if not isinstance(value, list) else
                       f"expected a list of {len(items)} items, found {len(value)}")
        return tuple(d(v, f"{where}[{i}]") for i, (d, v) in enumerate(zip(items, value,
                                                                            strict=True)))
    return decode


def _object(keys: _Decode, values: _Decode) -> _Decode:
    def decode(value: Any, where: str) -> dict[Any, Any]:
        if not isinstance(value, Mapping):
            raise _Bad(where, f"expected an object, found {_kind(value)}")
        return {keys(k, _at(where, str(k))): values(v, _at(where, str(k)))
                for k, v in value.items()}
    return decode


def _dataclass(cls: type[Any]) -> _Decode:
    hints = typing.get_type_hints(cls)
    plan = []
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and \
            f.default_factory is dataclasses.MISSING
        plan.append((f.name, f.metadata.get(_KEY, f.name), _decoder(hints[f.name]), required))

    def decode(value: Any, where: str) -> Any:
        if not isinstance(value, Mapping):
            raise _Bad(where, f"expected an object, found {_kind(value)}")
        args = {}
        for name, json_key, field_decode, required in plan:
            if json_key in value:
                args[name] = field_decode(value[json_key], _at(where, json_key))
            elif required:
                raise _Bad(_at(where, json_key), "missing field")
        return cls(**args)
    return decode


@functools.cache
def _decoder(tp: Any) -> _Decode:
    """The checked reader of one annotation (cached: a model's plan is built once)."""
    simple: dict[Any, _Decode] = {int: _count, float: _float, str: _str, bool: _bool,
                                  datetime: _datetime, date: _date, Any: _any}
    if tp in simple:
        return simple[tp]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        rest = tuple(a for a in args if a is not type(None))
        inner: _Decode
        if set(rest) == {int, float}:
            inner = _number
        elif len(rest) == 1:
            inner = _decoder(rest[0])
        else:
            raise TypeError(f"no JSON reading for the union {tp!r}")
        return _optional(inner) if len(rest) < len(args) else inner
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _array(_decoder(args[0]))
        return _fixed(tuple(_decoder(a) for a in args))
    if origin is dict:
        return _object(_decoder(args[0]), _decoder(args[1]))
    raise TypeError(f"no JSON reading for {tp!r}")


def to_data(obj: Any) -> Any:
    """``obj`` as plain JSON values (dataclasses as objects in field order, tuples as lists)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if value is None and f.metadata.get(_OMIT_NONE):
                continue
            out[f.metadata.get(_KEY, f.name)] = to_data(value)
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, tuple | list):
        return [to_data(v) for v in obj]
    if isinstance(obj, Mapping):
        return {to_data(k): to_data(v) for k, v in obj.items()}
    return obj


def dumps(data: Any, indent: int = 1) -> bytes:
    """UTF-8 JSON in key order, indented (one space unless told), with a final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False) +
            "\n").encode()


def parse_json(data: bytes | str, file: str | None = None) -> Any:
    """Parse JSON text; anything that is not UTF-8 JSON is ``DF-REP-001`` with the line."""
    try:
        return json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except UnicodeDecodeError:
        raise InputError("DF-REP-001", "the file is not UTF-8 text",
                         Location(file=file)) from None
    except json.JSONDecodeError as exc:
        raise InputError("DF-REP-001", f"the file is not valid JSON: {exc.msg}",
                         Location(file=file, line=exc.lineno)) from None


class JsonModel:
    """Base of an output's root model: ``to_json`` for its writer, ``from_json`` for readers.

    A root model is a frozen dataclass whose first two fields are ``schema`` and
    ``docflow_version`` (:func:`docflow.outputs.header`) and that sets :attr:`SCHEMA`;
    reading refuses a file of another layout at its ``schema`` key.
    """

    SCHEMA: ClassVar[OutputSchema]
    INDENT: ClassVar[int] = 1
    """Spaces per level in :meth:`to_json` (the validation JSON, printed for people, uses 2)."""

    @classmethod
    def header(cls) -> dict[str, str]:
        """The ``schema`` and ``docflow_version`` arguments of a model being written."""
        return header(cls.SCHEMA)

    def to_dict(self) -> dict[str, Any]:
        """The output as plain JSON values, in its key order."""
        data: dict[str, Any] = to_data(self)
        return data

    def to_json(self) -> bytes:
        """The output's bytes, as written to its file."""
        return dumps(self.to_dict(), self.INDENT)

    @classmethod
    def from_dict(cls, data: Any, file: str | None = None) -> Self:
        """Check parsed JSON against the model and build it.

        Raises
        ------
        InputError
            ``DF-REP-002`` naming the dotted key of the first missing or mistyped field
            (``schema`` for a file of another layout), with ``file`` as its file.
        """
        if not isinstance(data, Mapping):
            raise InputError("DF-REP-001", "the file is not a JSON object", Location(file=file))
        schema = data.get("schema")
        if schema != cls.SCHEMA.value:
            raise InputError("DF-REP-002", f"expected the layout {cls.SCHEMA.value}, found "
                             f"{schema!r}", Location(file=file, key="schema"))
        try:
            model: Self = _decoder(typing.cast(Any, cls))(data, "")
        except _Bad as bad:
            raise InputError("DF-REP-002", bad.message,
                             Location(file=file, key=bad.where or None)) from None
        return model

    @classmethod
    def from_json(cls, data: bytes | str, file: str | None = None) -> Self:
        """Parse the bytes of an output and check them against the model.

        Raises
        ------
        InputError
            ``DF-REP-001`` for text that is not a UTF-8 JSON object, ``DF-REP-002`` as
            :meth:`from_dict`.
        """
        return cls.from_dict(parse_json(data, file), file)
