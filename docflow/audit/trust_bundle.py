"""The trust configuration as bytes, for workers that share no file system with the client.

A :class:`~docflow.trust.Trust` names files. A Dask worker on another machine has none of
them, so the client packs the bytes it needs — anchor and CRL files, the role mapping, a key
known out of band, and of a ``docflow pki init`` folder only ``index.json`` and the certificates and
CRLs it lists (never a private key: a verifier needs none, and keys must not travel) — and
each worker process writes them once into a private temporary folder and builds its checker
from there. The bundle's digest names it, so a worker that audits two archives with the
same trust builds one checker.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from docflow.atomic import write_atomic
from docflow.audit.signatures import SignatureChecker
from docflow.errors import InputError, Location
from docflow.pki.index import INDEX_NAME, read_index
from docflow.trust import Trust

__all__ = ["TrustBundle", "checker_for", "pack_trust", "remember"]


@dataclass(frozen=True, slots=True)
class TrustBundle:
    """Everything a worker needs to rebuild one :class:`~docflow.trust.Trust`, by value."""

    files: tuple[tuple[str, bytes], ...]
    """(relative path, content) of every file, anchors under ``anchor-N/``, CRLs under
    ``crl-N``, the role mapping as ``roles.toml``, the key as ``key``."""
    anchors: tuple[str, ...]
    crls: tuple[str, ...]
    roles: str | None
    key: str | None
    trust: Trust
    """The trust with its settings (policy, revocation, key usage, time); its paths are the
    client's and are replaced on the worker."""
    digest: str
    """SHA-256 over the rest: the cache key on the worker."""


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}",
                         Location(file=str(path))) from None


def _safe_part(name: str, where: Path) -> str:
    """A relative path from a PKI index that stays inside its folder."""
    part = PurePosixPath(name)
    if part.is_absolute() or ".." in part.parts or not part.parts:
        raise InputError("DF-PKI-025", f"the index names a file outside its folder: {name!r}",
                         Location(file=str(where / INDEX_NAME)))
    return part.as_posix()


def pack_trust(trust: Trust) -> TrustBundle:
    """The bytes behind ``trust``, read once on the client.

    Raises
    ------
    InputError
        ``DF-IO-001`` for a file that cannot be read, ``DF-PKI-025`` for a PKI folder whose
        index cannot be read or names a file outside the folder.
    """
    files: list[tuple[str, bytes]] = []
    anchors: list[str] = []
    for n, anchor in enumerate(trust.anchors):
        if anchor.is_dir():
            index = read_index(anchor)
            names = [index.root.cert, index.root.crl]
            for ca in index.cas.values():
                names += [ca.cert, ca.crl]
            base = f"anchor-{n}"
            files.append((f"{base}/{INDEX_NAME}", _read(anchor / INDEX_NAME)))
            for name in dict.fromkeys(names):
                safe = _safe_part(name, anchor)
                files.append((f"{base}/{safe}", _read(anchor / safe)))
            anchors.append(base)
        else:
            files.append((f"anchor-{n}", _read(anchor)))
            anchors.append(f"anchor-{n}")
    crls = []
    for n, crl in enumerate(trust.crls):
        files.append((f"crl-{n}", _read(crl)))
        crls.append(f"crl-{n}")
    roles = key = None
    if trust.roles is not None:
        files.append(("roles.toml", _read(trust.roles)))
        roles = "roles.toml"
    if trust.key is not None:
        files.append(("key", _read(trust.key)))
        key = "key"
    settings = (trust.policy_name, trust.at.isoformat() if trust.at else None, anchors, crls,
                roles, key)
    digest = hashlib.sha256(repr(settings).encode())
    for name, data in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return TrustBundle(tuple(files), tuple(anchors), tuple(crls), roles, key, trust,
                       digest.hexdigest())


_CHECKERS: dict[str, SignatureChecker] = {}
"""This process's checkers by bundle digest (a worker keeps its certificate cache warm)."""


def remember(bundle: TrustBundle, checker: SignatureChecker) -> None:
    """Use ``checker`` (built from the files ``bundle`` was packed from) for ``bundle`` in this
    process, and in pool workers forked after this call: no second load of the trust."""
    _CHECKERS[bundle.digest] = checker


def checker_for(bundle: TrustBundle) -> SignatureChecker:
    """The checker of ``bundle`` in this process, built on first use."""
    checker = _CHECKERS.get(bundle.digest)
    if checker is None:
        folder = Path(tempfile.mkdtemp(prefix="docflow-trust-"))
        atexit.register(shutil.rmtree, folder, True)
        for name, data in bundle.files:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data, sync=False)  # a private scratch copy
        trust = bundle.trust.replace(
            anchors=tuple(folder / a for a in bundle.anchors),
            crls=tuple(folder / c for c in bundle.crls),
            roles=None if bundle.roles is None else folder / bundle.roles,
            key=None if bundle.key is None else folder / bundle.key)
        checker = _CHECKERS[bundle.digest] = SignatureChecker(trust)
    return checker
