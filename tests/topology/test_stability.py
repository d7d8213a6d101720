"""Preset codes and names are stable across releases.

The PKI issues a certificate per organ code and scenarios name agencies by code, so a preset
may only change deliberately. ``data/fingerprints.json`` records a digest of every agency and
hub of each preset; a change to a preset must update it in the same commit and say so in the
changelog.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from docflow.topology import PRESETS, build_preset

FINGERPRINTS = json.loads((Path(__file__).parent / "data" / "fingerprints.json")
                          .read_text(encoding="utf-8"))


def _digest(name: str) -> str:
    topo = build_preset(name)
    digest = hashlib.sha256()
    for a in topo.agencies:
        digest.update("\t".join([a.code, a.name, a.level.value, a.kind.value, a.province or "",
                                 a.parent or "", a.hub]).encode() + b"\n")
    for h in topo.hubs:
        digest.update("\t".join([h.id, h.name, h.kind.value, h.province or ""]).encode()
                      + b"\n")
    return digest.hexdigest()


def test_every_preset_has_a_fingerprint() -> None:
    """No preset escapes the stability check."""
    assert set(FINGERPRINTS) == set(PRESETS)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_matches_its_recorded_fingerprint(name: str) -> None:
    """Every agency and hub of the preset (code, name, level, kind, province, parent, hub, in
    order) is what the recorded fingerprint says."""
    topo = build_preset(name)
    recorded = FINGERPRINTS[name]
    assert (len(topo.agencies), len(topo.hubs)) == (recorded["agencies"], recorded["hubs"])
    assert _digest(name) == recorded["sha256"]
