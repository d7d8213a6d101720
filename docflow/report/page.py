"""The Jinja environment of the HTML reports, and writing a rendered page to disk.

One environment for every report, configured for safety and reproducibility:

* **autoescape on** for every template (the ``.j2`` suffix would otherwise turn it off): agency
  names, finding messages and scenario names are data, and a ``<`` in one must not become markup;
* **StrictUndefined**, so a template that names a missing field fails in the tests instead of
  printing an empty cell in a report;
* templates are package data, loaded from ``docflow/report/templates`` whatever the working
  directory;
* the output is a pure function of the context: no clock, no locale, no random ids.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import jinja2

from docflow.atomic import write_atomic
from docflow.report import format as fmt

__all__ = ["environment", "render", "write_page"]


@functools.cache
def environment() -> jinja2.Environment:
    """The shared, cached Jinja environment with the number formatters as filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("docflow.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update({
        "count": fmt.count,
        "decimal": fmt.decimal,
        "duration": fmt.duration,
        "percent": fmt.percent,
        "per_hour": fmt.per_hour,
    })
    env.filters["rate_ci"] = _rate_ci
    return env


def _rate_ci(cell: Any) -> str:
    """A :class:`~docflow.report.coverage.RateCell` as ``98.2 % (97.9–98.5)``."""
    return fmt.percent_interval(cell.rate, cell.low, cell.high)


def render(template: str, **context: Any) -> str:
    """Render ``template`` with ``context`` plus the docflow version and the page language.

    Examples
    --------
    >>> html = render("base.html.j2", title="Ủy ban <nhân dân>", lang="vi")
    >>> "<title>Ủy ban &lt;nhân dân&gt;</title>" in html
    True
    """
    from docflow import __version__  # at call time: the package imports the engines

    context.setdefault("lang", "en")
    return environment().get_template(template).render(version=__version__, **context)


def write_page(html: str, path: str | os.PathLike[str]) -> Path:
    """Write ``html`` as UTF-8 to ``path`` atomically (:func:`docflow.atomic.write_atomic`).

    A report that is being rewritten is never seen half-written by someone opening it.

    Raises
    ------
    InputError
        ``DF-IO-004`` if the file cannot be written.
    """
    return write_atomic(path, html.encode("utf-8"))
