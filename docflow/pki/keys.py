"""Key algorithms of the test PKI, and keys derived deterministically from a seed.

The same seed must give the same PKI byte for byte, so that a scenario run twice signs with the
same keys and a test fixture can be rebuilt instead of stored:

* **ECDSA P-256** (the default) and **Ed25519** keys are *derived*: HKDF-SHA256 over the seed,
  with the key's path in the PKI (``root``, ``ca/H49``, ``organ/000.00.00.H49``) as the
  ``info``, gives the private key. For P-256 the 48 output bytes are reduced into
  ``[1, n-1]`` (FIPS 186-5 A.2.1, "extra random bits", so the bias is below 2⁻¹²⁸); Ed25519
  takes 32 bytes as its seed (RFC 8032 §5.1.5).
* **RSA-2048**, what Vietnam's Government CA issues, cannot be derived cheaply (a prime search
  costs about as much as a fresh key), so each RSA key is generated once and kept in an
  :class:`RsaKeyCache` on disk, named by a hash of the seed and the key's path. The same cache
  gives the same keys; a fresh cache gives new ones.
"""

from __future__ import annotations

import enum
import functools
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from docflow.atomic import write_atomic
from docflow.cache import cache_root
from docflow.errors import InputError, Location
from docflow.processes import worker_pool_scope

__all__ = [
    "KeyAlgorithm",
    "PrivateKey",
    "RsaKeyCache",
    "default_cache_dir",
    "derive_bytes",
    "derive_key",
    "signature_hash",
]

PrivateKey: TypeAlias = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | \
    rsa.RSAPrivateKey
"""The private key types the test PKI issues."""

_SALT = b"docflow-pki/v1"
"""HKDF salt: a fixed domain label, so docflow's derivations never collide with another use of
the same seed. Changing it changes every derived key: it is part of the format."""

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class KeyAlgorithm(enum.StrEnum):
    """The key types the test PKI issues; the values are the ``--algorithm`` words."""

    ECDSA_P256 = "ecdsa-p256"
    ED25519 = "ed25519"
    RSA_2048 = "rsa-2048"

    @classmethod
    def parse(cls, value: str) -> KeyAlgorithm:
        """Return the algorithm named ``value``.

        Raises
        ------
        InputError
            ``DF-PKI-029`` listing the allowed names.
        """
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise InputError("DF-PKI-029", f"unknown key algorithm {value!r}; allowed: "
                                           f"{allowed}") from None


def derive_bytes(seed: int, label: str, length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869) of the seed, with ``label`` as the info string.

    Written on :mod:`hmac` rather than cryptography's ``HKDF`` class because it runs twice per
    certificate (key and serial number) and the class costs ~10 µs to set up each time.

    Examples
    --------
    >>> len(derive_bytes(7, "serial/root", 48))
    48
    >>> derive_bytes(7, "a") == derive_bytes(7, "a") != derive_bytes(8, "a")
    True
    """
    prk = _extract(seed)
    info = label.encode("utf-8")
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.digest(prk, block + info + bytes((counter,)), "sha256")
        out += block
        counter += 1
    return out[:length]


@functools.lru_cache(maxsize=64)
def _extract(seed: int) -> bytes:
    """HKDF-Extract of the seed: the same for every label, so computed once per seed."""
    return hmac.digest(_SALT, str(seed).encode("ascii"), "sha256")


def derive_key(seed: int, label: str, algorithm: KeyAlgorithm,
               rsa_cache: RsaKeyCache | None = None) -> PrivateKey:
    """The private key at ``label`` of the PKI built from ``seed``.

    Parameters
    ----------
    seed
        The PKI's seed (a scenario's seed).
    label
        The key's path in the PKI, unique per key (``organ/000.00.00.H49``).
    algorithm
        Which kind of key.
    rsa_cache
        Where RSA keys are kept; a cache in :func:`default_cache_dir` when ``None``.

    Returns
    -------
    PrivateKey
        The same key for the same arguments (for RSA: for the same cache).
    """
    if algorithm is KeyAlgorithm.ECDSA_P256:
        scalar = int.from_bytes(derive_bytes(seed, "key/" + label, 48), "big") \
            % (_P256_ORDER - 1) + 1
        return ec.derive_private_key(scalar, ec.SECP256R1())
    if algorithm is KeyAlgorithm.ED25519:
        return ed25519.Ed25519PrivateKey.from_private_bytes(
            derive_bytes(seed, "key/" + label, 32))
    cache = rsa_cache or RsaKeyCache(default_cache_dir())
    return cache.get(seed, label)


def signature_hash(key: PrivateKey) -> hashes.SHA256 | None:
    """The hash a certificate or CRL signed by ``key`` uses (``None`` for Ed25519)."""
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def default_cache_dir() -> Path:
    """Where RSA keys are cached: docflow's cache folder (:func:`docflow.cache.cache_root`:
    ``$DOCFLOW_CACHE_DIR``, else ``$XDG_CACHE_HOME/docflow``, else ``~/.cache/docflow``)."""
    return cache_root()


@dataclass(frozen=True, slots=True)
class RsaKeyCache:
    """RSA-2048 keys generated once and kept on disk, one unencrypted PKCS#8 DER file each.

    A file is named by HKDF of the seed and the key's path, so the cache never reveals either
    and two seeds never share a key. Files are written to a temporary name and renamed, so two
    processes filling the same cache at once never leave a torn file.
    """

    directory: Path
    """The cache's root; keys go in its ``rsa-2048`` folder."""
    public_exponent: int = 65537
    """F4, what every CA uses (RFC 4871 and NIST SP 800-56B recommend it)."""

    def path_for(self, seed: int, label: str) -> Path:
        """Where the key of ``label`` under ``seed`` is kept."""
        name = derive_bytes(seed, "rsa-cache/" + label, 16).hex()
        return self.directory / "rsa-2048" / name[:2] / f"{name}.der"

    def get(self, seed: int, label: str) -> rsa.RSAPrivateKey:
        """Load the key from the cache, generating and storing it first if it is missing.

        Raises
        ------
        InputError
            ``DF-IO-004`` when the cache cannot be written, ``DF-PKI-023`` when a cached file
            is not an RSA key.
        """
        path = self.path_for(seed, label)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = _generate_rsa_der(self.public_exponent)
            self._store(path, data)
        except OSError as exc:
            raise InputError("DF-IO-001", f"cannot read the RSA key cache: {exc.strerror}",
                             Location(file=str(path))) from None
        try:
            key = serialization.load_der_private_key(data, None)
        except ValueError:
            key = None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise InputError("DF-PKI-023", "the cached RSA key is damaged; delete the file",
                             Location(file=str(path)))
        return key

    def fill(self, seed: int, labels: list[str], jobs: int | None = None) -> int:
        """Generate every missing key of ``labels`` in ``jobs`` processes; return how many.

        RSA generation is the only slow step of an RSA PKI (~50–150 ms a key), and it is
        embarrassingly parallel, so it runs in a process pool before the certificates are
        issued in order.
        """
        missing = [self.path_for(seed, label) for label in labels]
        missing = [p for p in missing if not p.exists()]
        if not missing:
            return 0
        workers = jobs or os.cpu_count() or 1
        if workers == 1 or len(missing) < 4:
            for path in missing:
                self._store(path, _generate_rsa_der(self.public_exponent))
            return len(missing)
        with worker_pool_scope(workers) as pool:
            for path, data in zip(missing, pool.map(_generate_rsa_der,
                                                    [self.public_exponent] * len(missing),
                                                    chunksize=8), strict=True):
                self._store(path, data)
        return len(missing)

    @staticmethod
    def _store(path: Path, data: bytes) -> None:
        # Renamed into place, so two processes filling the same cache never leave a torn key;
        # not synced one by one: a key lost to a crash is generated again.
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError("DF-IO-004", f"cannot write the RSA key cache: {exc.strerror}",
                             Location(file=str(path))) from None
        write_atomic(path, data, mode=0o600, sync=False)


def _generate_rsa_der(public_exponent: int) -> bytes:
    key = rsa.generate_private_key(public_exponent, 2048)
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
