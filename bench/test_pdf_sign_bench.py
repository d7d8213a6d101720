"""PAdES signing rate: docflow against pyHanko on the same one-page document, interleaved.

Run::

    .venv/bin/pytest -q -s -p no:randomly bench/test_pdf_sign_bench.py

Both sign the PDF of ``docflow pdf new`` (one page, fonts embedded) as the Decree's signer:
a visible signature in a new field, an incremental update, PAdES B-B (ETSI.CAdES.detached),
with the same ECDSA P-256 key and certificate chain, loaded once (warm: the first rounds are
thrown away). The two are timed in alternating rounds so that the machine's load falls on both
alike; each round signs ``_BATCH`` times and reports the time per signature. The table gives
min and median per signature and the ratio of pyHanko's to docflow's (the speed-up); the
goal of issue 14 is ≥ 5×.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from docflow.pki.roles import Role
from docflow.profile.nd30_sign import sign_document
from tests.pdf.making import ORGAN, document, pki, signing_time

_ROUNDS = 15
_WARM = 2
_BATCH = 8
_GOAL = 5.0


def _docflow() -> Callable[[], bytes]:
    key, cert, chain = pki().credentials_for(ORGAN, Role.SIGNER)
    data, at = document(), signing_time()
    return lambda: sign_document(data, key, [cert, *chain], Role.SIGNER, at=at)


def _pyhanko() -> Callable[[], bytes]:
    key, cert, chain = pki().credentials_for(ORGAN, Role.SIGNER)
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            Encoding.DER, PrivateFormat.PKCS8, NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in chain]))
    meta = signers.PdfSignatureMetadata(field_name="ND30-signer",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    spec = fields.SigFieldSpec("ND30-signer", box=(337, 319, 487, 383))
    data = document()

    def run() -> bytes:
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), meta,
                               signer=signer, new_field_spec=spec)
        return out.getvalue()

    return run


def _interleaved(contenders: dict[str, Callable[[], bytes]]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_number in range(_ROUNDS + _WARM):
        for name, run in contenders.items():
            started = time.perf_counter()
            for _ in range(_BATCH):
                run()
            if round_number >= _WARM:
                times[name].append((time.perf_counter() - started) / _BATCH)
    return times


def test_docflow_signs_at_five_times_pyhankos_rate() -> None:
    docflow, pyhanko = _docflow(), _pyhanko()
    assert docflow()[:5] == pyhanko()[:5] == b"%PDF-"
    times = _interleaved({"docflow": docflow, "pyHanko": pyhanko})
    rows: dict[str, Any] = {name: (min(t), statistics.median(t)) for name, t in times.items()}
    print(f"\nPAdES B-B signing, one-page document, warm, {_ROUNDS} interleaved rounds "
          f"of {_BATCH}:")
    print(f"{'':10}{'min ms':>10}{'median ms':>12}")
    for name, (low, mid) in rows.items():
        print(f"{name:10}{low * 1e3:>10.2f}{mid * 1e3:>12.2f}")
    ratio_min = rows["pyHanko"][0] / rows["docflow"][0]
    ratio_median = rows["pyHanko"][1] / rows["docflow"][1]
    print(f"speed-up (pyHanko / docflow): min {ratio_min:.1f}×, median {ratio_median:.1f}×")
    assert ratio_median >= _GOAL
