"""Load a topology by preset name or from a file, and save one: the thin I/O layer.

Parsing is pure (:func:`~docflow.topology.graphml.parse_graphml`,
:func:`~docflow.topology.jsonfile.parse_json` work on bytes); this module only opens files and
picks the format by suffix (``.graphml``/``.xml`` or ``.json``) or, for another suffix, by the
first byte (``<`` or ``{``).
"""

from __future__ import annotations

import os
from pathlib import Path

from docflow.atomic import write_atomic
from docflow.errors import InputError, Location, UsageError
from docflow.topology.graphml import dump_graphml, parse_graphml
from docflow.topology.jsonfile import dump_json, parse_json
from docflow.topology.network import Topology
from docflow.topology.presets import PRESETS, build_preset
from docflow.xmlsafe import DEFAULT_LIMITS, read_bytes

__all__ = ["load_topology", "read_topology", "save_topology"]

_GRAPHML_SUFFIXES = (".graphml", ".xml")
_JSON_SUFFIXES = (".json",)


def load_topology(name_or_path: str | os.PathLike[str]) -> Topology:
    """Return the preset called ``name_or_path``, or else read the file at that path.

    A preset name wins over a file of the same name in the working directory: presets are
    what scenarios usually name, and a stray file must not silently replace one.

    >>> load_topology("tiny").name
    'tiny'

    Raises
    ------
    UsageError
        ``DF-TOP-010`` if it is neither a preset nor an existing file.
    InputError, ConfigError
        From :func:`read_topology`.
    """
    text = os.fspath(name_or_path)
    if text in PRESETS:
        return build_preset(text)
    if os.path.isfile(text):
        return read_topology(text)
    raise UsageError("DF-TOP-010", f"{text!r} is neither a topology preset nor a file; "
                     f"presets: {', '.join(PRESETS)}", Location(key="topology"))


def read_topology(path: str | os.PathLike[str]) -> Topology:
    """Read a GraphML or JSON topology file.

    Raises
    ------
    InputError
        ``DF-IO-001`` unreadable, ``DF-IO-002`` too large, ``DF-XML-*`` hostile XML,
        ``DF-TOP-011`` not a topology file.
    ConfigError
        ``DF-TOP-001`` … ``DF-TOP-012`` for a bad agency or hub, naming it.
    """
    name = os.fspath(path)
    data = read_bytes(name, DEFAULT_LIMITS.max_bytes)
    suffix = Path(name).suffix.lower()
    if suffix in _GRAPHML_SUFFIXES:
        return parse_graphml(data, where=name)
    if suffix in _JSON_SUFFIXES:
        return parse_json(data, where=name)
    first = data.lstrip()[:1]
    if first == b"<":
        return parse_graphml(data, where=name)
    if first == b"{":
        return parse_json(data, where=name)
    raise InputError("DF-TOP-011", "cannot tell the format: use a .graphml or .json file",
                     Location(file=name))


def save_topology(topology: Topology, path: str | os.PathLike[str]) -> None:
    """Write ``topology`` to ``path`` as GraphML or JSON, chosen by the suffix.

    Raises
    ------
    UsageError
        ``DF-TOP-010`` if the suffix is neither ``.graphml``/``.xml`` nor ``.json``.
    InputError
        ``DF-IO-004`` if the file cannot be written.
    """
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    if suffix in _GRAPHML_SUFFIXES:
        data = dump_graphml(topology)
    elif suffix in _JSON_SUFFIXES:
        data = dump_json(topology)
    else:
        raise UsageError("DF-TOP-010", f"cannot tell the format from {suffix or 'no suffix'!r}: "
                         "use .graphml or .json", Location(file=name))
    write_atomic(name, data)
