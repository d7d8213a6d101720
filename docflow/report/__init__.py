"""Self-contained HTML reports of simulations and audits (Jinja2 templates, inline SVG charts).

Each report is one HTML file with its styles and charts inline and nothing to fetch — no script,
no font, no image, no stylesheet — so it opens offline and can be mailed. The same input always
gives the same bytes.

* :func:`render_simulation` / :func:`write_simulation_report`: a run's ``summary.json``
  (``docflow simulate`` writes ``DIR/report.html``; ``docflow report DIR`` re-renders it).
* :func:`render_audit`: an audit's JSON form (``docflow audit … --format html -o FILE``).
"""

from docflow.report.audit import render_audit
from docflow.report.page import write_page
from docflow.report.simulation import read_summary, render_simulation, write_simulation_report

__all__ = ["read_summary", "render_audit", "render_simulation", "write_page",
           "write_simulation_report"]
