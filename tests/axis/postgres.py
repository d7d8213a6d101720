"""A real PostgreSQL server for the tests, on loopback, started and removed by the test run.

With ``DOCFLOW_TEST_PG`` set to a ``postgresql://`` URL of a running server, each session
creates a database of its own there and drops it afterwards. Otherwise a throwaway cluster is
made with Debian's ``initdb`` and ``pg_ctl`` (``/usr/lib/postgresql/<version>/bin``, or
``DOCFLOW_PG_BIN``) in a temporary folder, listening on 127.0.0.1 on a free port, run as the
``postgres`` user when the tests run as root (PostgreSQL refuses to run as root). Missing
binaries fail the tests that need them with what to install; they never skip silently.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from .live import free_port


def _bin_dir() -> Path:
    given = os.environ.get("DOCFLOW_PG_BIN")
    if given:
        return Path(given)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        pytest.fail("PostgreSQL is needed: install Debian's 'postgresql' package, or set "
                    "DOCFLOW_TEST_PG to the URL of a running server")
    return found[-1].parent


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


@contextlib.contextmanager
def _cluster() -> Iterator[str]:
    """initdb + pg_ctl start in a temporary folder; yields the URL; stops and removes it."""
    binaries = _bin_dir()
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="docflow-pg-"))
    data, sockets = folder / "data", folder / "run"
    sockets.mkdir()
    if owner:
        shutil.chown(folder, owner)
        shutil.chown(sockets, owner)
    port = free_port()
    try:
        subprocess.run(_as_owner([str(binaries / "initdb"), "-D", str(data), "-A", "trust",
                                  "-U", "docflow", "-E", "UTF8", "--no-sync"], owner),
                       check=True, capture_output=True, timeout=120)
        options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=60 -c shared_buffers=32MB")
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-o", options,
                                  "-l", str(folder / "log"), "-w", "-t", "60", "start"],
                                 owner), check=True, capture_output=True, timeout=90)
        try:
            yield f"postgresql://docflow@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m",
                                      "immediate", "-w", "stop"], owner),
                           capture_output=True, timeout=60)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server to use (given, or started here)."""
    given = os.environ.get("DOCFLOW_TEST_PG")
    if given:
        yield given
        return
    with _cluster() as url:
        yield url


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on ``server_url``, dropped afterwards; yields its URL."""
    name = f"docflow_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
