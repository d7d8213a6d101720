"""Shared fixtures of the PKI tests: a small national PKI and a factory of odd certificates.

Everything is real: keys, certificates and CRLs made with cryptography, deterministic from
fixed seeds so that a failure reproduces.
"""

from __future__ import annotations

import datetime as dt

import pytest

from docflow.pki.national import Agency, Hub, NationalPki

AT = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)
"""The issue time of the test PKIs."""

AGENCIES = (
    Agency("000.00.00.G22", "Văn phòng Chính phủ", "central", "hub-g22"),
    Agency("000.00.00.H38", "Ủy ban nhân dân tỉnh Thanh Hóa", "province", "lgsp-h38"),
    Agency("000.00.01.H38", "Sở Nội vụ tỉnh Thanh Hóa", "province", "lgsp-h38"),
    Agency("000.01.01.H38", "Ủy ban nhân dân xã Hoằng Hóa, huyện Hoằng Hóa, tỉnh Thanh Hóa",
           "commune", "lgsp-h38"),
    Agency("000.00.00.H49", "Ủy ban nhân dân tỉnh Nghệ An", "province", "lgsp-h49"),
)
HUBS = (Hub("hub-g22", "Hệ thống quản lý văn bản - Văn phòng Chính phủ"),
        Hub("lgsp-h38", "Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Thanh Hóa"),
        Hub("lgsp-h49", "Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Nghệ An"))


@pytest.fixture(scope="session")
def pki() -> NationalPki:
    """A five-agency PKI on three hubs and the axis; ECDSA P-256, seed 7."""
    return NationalPki.build(AGENCIES, seed=7, at=AT, hubs=HUBS)
