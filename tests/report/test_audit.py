"""The audit report shows rates against the target, the agencies below it worst first, and
refuses a result it cannot read."""

from __future__ import annotations

import re

import pytest

from docflow.errors import InputError
from docflow.report.audit import read_audit, render_audit

from .summaries import AGENCIES, audit_result


def test_agencies_below_target_are_listed_worst_first() -> None:
    """The table lists exactly the agencies below the target, in the audit's worst-first order."""
    result = audit_result(target=0.98)
    html = render_audit(result)
    table = html[html.index('<table class="below">'):]
    table = table[:table.index("</table>")]
    listed = re.findall(r"<code>([^<]+)</code>", table)
    expected = [b["key"] for b in result["target"]["below"] if b["dimension"] == "agency"]
    assert listed == expected and len(listed) >= 2
    rates = {k: result["by_agency"][k]["both_valid"] / result["by_agency"][k]["documents"]
             for k in AGENCIES}
    assert {k for k, r in rates.items() if r < 0.98} == set(listed)


def test_without_target_there_is_no_below_section() -> None:
    """An audit run without --target gets no 'below the target' section and no target line."""
    result = audit_result()
    result["target"] = None
    html = render_audit(result)
    assert '<section id="below">' not in html and 'class="target"' not in html
    assert '<section id="levels">' in html and '<section id="months">' in html


def test_rows_below_target_are_marked() -> None:
    """Rows whose rate is under the target are marked in the tables and in the charts."""
    result = audit_result(target=0.98)
    view = read_audit(result)
    below_levels = {r.key for r in view.levels if (r.cells["both_valid"].rate or 0) < 0.98}
    html = render_audit(result)
    levels = html[html.index('<section id="levels">'):html.index('<section id="months">')]
    assert levels.count('<tr class="below">') == len(below_levels) > 0
    assert levels.count('class="mark point below"') == len(below_levels)


def test_vietnamese_text_is_kept() -> None:
    """Document types and paths in Vietnamese come out as written."""
    html = render_audit(audit_result())
    assert "Quyết định" in html and "Công văn" in html and "lưu trữ/archive.sqlite" in html


@pytest.mark.parametrize(("edit", "key"), [
    (lambda r: r.update(schema="docflow.audit/9"), "schema"),
    (lambda r: r["by_level"]["central"].pop("both_valid"), "by_level.central.both_valid"),
    (lambda r: r["target"].update(measure="signed"), "target.measure"),
    (lambda r: r["target"]["below"][0].update(rate="low"), "target.below[0].rate"),
    (lambda r: r.pop("by_month"), "by_month"),
])
def test_bad_result_names_the_key(edit, key: str) -> None:
    """A result that lacks a field or has a wrong one raises DF-REP-002 naming its key."""
    result = audit_result()
    edit(result)
    with pytest.raises(InputError) as err:
        render_audit(result, "audit.json")
    assert err.value.code == "DF-REP-002" and err.value.location.key == key


def test_same_result_same_bytes() -> None:
    """The audit report is deterministic."""
    assert render_audit(audit_result()) == render_audit(audit_result())
