"""Benchmarks: run with ``pytest bench --benchmark-enable --benchmark-only``.

Groups separate micro benchmarks (one signature, one queue window) from whole-run ones (a
national scenario), so that each table is read on its own. Timings on a shared machine vary by
up to a quarter between runs: compare rows measured side by side in the same run, as ratios.
"""
