"""The public API is exactly ``__all__``, and every name in it resolves."""

from __future__ import annotations

import subprocess
import sys

import docflow


def test_every_exported_name_resolves() -> None:
    """Each name of ``__all__`` is importable from the top-level package."""
    for name in docflow.__all__:
        assert getattr(docflow, name) is not None
    assert callable(docflow.validate) and callable(docflow.simulate) and callable(docflow.audit)
    assert callable(docflow.verify) and docflow.Trust().trusts_anything is False


def test_importing_docflow_does_not_load_the_simulator() -> None:
    """Validation users do not pay for the simulator's imports at start-up."""
    code = ("import sys, docflow; from docflow import validate; "
            "print('docflow.sim.run' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
