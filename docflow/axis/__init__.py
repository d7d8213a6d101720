"""The live national-axis sandbox: an HTTP service over mutual TLS, its client, the load driver.

``docflow axis serve`` (:func:`docflow.axis.server.serve`) stands in for the national document
axis; :class:`Client` is an agency's side of it; ``docflow load`` (:mod:`docflow.axis.load`)
plays a scenario's traffic against it. See docs/axis.md.
"""

from __future__ import annotations

from docflow.axis.client import Client, SendResult
from docflow.axis.config import ServeConfig

__all__ = ["Client", "SendResult", "ServeConfig"]
