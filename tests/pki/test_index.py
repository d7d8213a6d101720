"""The index of a PKI folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from docflow.errors import InputError, UsageError
from docflow.pki.index import CaEntry, PkiIndex, read_index
from docflow.pki.roles import Role

INDEX = PkiIndex(CaEntry("root CA", "root/ca.pem", "root/crl.pem", "root/ca.key"),
                 {"h": CaEntry("Hub", "ca/h/ca.pem", "ca/h/crl.pem", "ca/h/ca.key")},
                 {"000.00.00.H49": {"name": "Ủy ban", "level": "province", "hub": "h",
                                    "organ": {"cert": "a/organ.pem", "key": "a/organ.key"},
                                    "signer": {"cert": "a/signer.pem", "key": "a/signer.key"}}},
                 {"seed": 1})


def test_round_trip() -> None:
    again = PkiIndex.parse(INDEX.to_json())
    assert again == INDEX
    assert again.credential("000.00.00.H49", Role.SIGNER).key == "a/signer.key"
    with pytest.raises(UsageError, match="DF-PKI-027"):
        again.credential("nope", Role.ORGAN)


@pytest.mark.parametrize("data", [b"{", b"[]", b'{"format": "other"}',
                                  b'{"format": "docflow-pki/1", "root": {}}',
                                  b'{"format": "docflow-pki/1", "root": {"name": "r", "cert": '
                                  b'"c", "crl": "l", "key": "k"}, "cas": {}, "agencies": {"x": '
                                  b'{"organ": {"cert": 1}}}}'])
def test_malformed_index(data: bytes) -> None:
    with pytest.raises(InputError, match="DF-PKI-025"):
        PkiIndex.parse(data)


def test_folder_without_index(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"DF-PKI-025.*not a PKI folder"):
        read_index(tmp_path)
