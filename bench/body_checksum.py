"""What the stored bodies' CRC-32 costs the audit, beside the decompression it comes with.

Usage::

    docflow simulate --out run/ --quiet        # 2,000 really signed envelopes
    python bench/body_checksum.py run/archive.sqlite

Every body the audit reads is checked against its CRC-32 before it is decompressed (see
``docflow.archive.store.Archive.read_bodies``). This times both over the same bodies (up to
2,000), interleaved, seven rounds, warm (the bodies are read into memory first), and prints the
minimum and the median per body. The ratio is what matters: the machine's load moves both.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import time
import zlib
from collections.abc import Callable

import zstandard


def main(path: str) -> None:
    with sqlite3.connect(path) as db:
        blobs = [row[0] for row in db.execute("SELECT data FROM bodies WHERE codec = 'zstd' "
                                              "LIMIT 2000")]
    if not blobs:
        raise SystemExit(f"{path}: no zstd body")
    decompressor = zstandard.ZstdDecompressor()

    def crc() -> None:
        for blob in blobs:
            zlib.crc32(blob)

    def decompress() -> None:
        for blob in blobs:
            decompressor.decompress(blob)

    parts: dict[str, tuple[Callable[[], None], list[float]]] = {
        "crc32": (crc, []), "decompress": (decompress, [])}
    for _ in range(7):
        for run, times in parts.values():
            start = time.perf_counter()
            run()
            times.append((time.perf_counter() - start) / len(blobs) * 1e6)
    size = sum(map(len, blobs)) / len(blobs)
    print(f"{len(blobs)} bodies, {size:,.0f} stored bytes each on average (warm)")
    for name, (_, times) in parts.items():
        print(f"{name:<11} min {min(times):7.2f} µs   median {statistics.median(times):7.2f} µs "
              "per body")
    ratio = min(parts["crc32"][1]) / min(parts["decompress"][1])
    print(f"crc32 / decompress (min): {ratio:.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
