"""Fixtures of the axis tests: one PKI folder per session, a live server per test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from docflow.pki.national import NationalPki

from .live import Server, national_pki, write_folder


@pytest.fixture(scope="session")
def pki() -> NationalPki:
    return national_pki()


@pytest.fixture(scope="session")
def pki_dir(pki: NationalPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_folder(pki, tmp_path_factory.mktemp("axis-pki"))


@pytest.fixture(scope="module")
def server(pki_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A live axis on SQLite, shared by the tests of one module."""
    live = Server(pki_dir, str(tmp_path_factory.mktemp("axis-db") / "axis.sqlite")).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A real PostgreSQL server on loopback for the session (see tests/axis/postgres.py)."""
    from .postgres import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture()
def pg_url(postgres: str) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL server, for one test."""
    from .postgres import fresh_database

    with fresh_database(postgres) as url:
        yield url
