"""The audit report shows the audit's notices first, rates against the target, the agencies
below it worst first, and refuses a result it cannot read."""

from __future__ import annotations

import re
import shutil

import pytest
from audit.signed import national_pki, write_trust
from markupsafe import escape

from docflow.audit import AuditConfig, AuditResult, audit
from docflow.errors import InputError
from docflow.report.audit import read_audit, render_audit
from docflow.trust import Trust

from .conftest import ENVELOPES
from .summaries import AGENCIES, audit_result

FEW = ("doc-01-nghi-quyet.edxml", "doc-02-quyet-dinh.edxml", "doc-14-bao-cao.edxml")
"""Envelopes of three senders, enough for a real audit with every table filled."""


@pytest.fixture(scope="module")
def real_audits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AuditResult]:
    """Real audits of three fixture envelopes: with no trust anchor (``DF-AUD-003``); of the
    archive of a run folder whose name holds HTML metacharacters, with the run's ``trust/``
    beside it (``DF-AUD-004``, whose message names that folder); and with an anchor given (no
    notice)."""
    base = tmp_path_factory.mktemp("audits")
    src = base / "src"
    src.mkdir()
    for name in FEW:
        shutil.copy(ENVELOPES / "valid" / name, src / name)
    run = base / 'run <i>&"x"'
    run.mkdir()
    root, _ = write_trust(national_pki(), run / "trust")
    alone = audit(src, AuditConfig(jobs=1, db=run / "archive.sqlite"))
    return {
        "none": alone,
        "run": audit(run / "archive.sqlite", AuditConfig(jobs=1)),
        "given": audit(src, AuditConfig(jobs=1, trust=Trust.from_options(anchors=(root,)))),
    }


def _notice_box(html: str) -> str:
    start = html.index('<section id="notices"')
    return html[start:html.index("</section>", start)]


def test_missing_trust_anchor_is_shown_first_in_a_warning_box(real_audits) -> None:
    """An audit without a trust anchor (DF-AUD-003) shows that warning, code and message, in a
    warning box above every figure of the page."""
    result = real_audits["none"]
    assert [n.code for n in result.notices] == ["DF-AUD-003"]
    html = render_audit(result.to_dict())
    box = _notice_box(html)
    assert html.index('<section id="notices"') < html.index('<section id="glance">')
    assert '<div class="notice warning"' in box
    assert "<code>DF-AUD-003</code>" in box and str(escape(result.notices[0].message)) in box


def test_notice_text_is_escaped(real_audits) -> None:
    """A notice naming a folder with HTML metacharacters (DF-AUD-004, the run's trust folder)
    shows the text as written, escaped, and never as markup."""
    result = real_audits["run"]
    [notice] = result.notices
    assert notice.code == "DF-AUD-004" and '<i>&"x"' in notice.message
    html = render_audit(result.to_dict())
    box = _notice_box(html)
    assert '<div class="notice info"' in box and "<code>DF-AUD-004</code>" in box
    assert "run &lt;i&gt;&amp;&#34;x&#34;" in box and str(escape(notice.message)) in box
    assert "<i>" not in html


def test_an_audit_with_a_trust_anchor_has_no_notice_box(real_audits) -> None:
    """An audit given its trust anchor has no notice, and its page no notice box."""
    result = real_audits["given"]
    assert result.notices == () and result.documents == len(FEW)
    html = render_audit(result.to_dict())
    assert 'id="notices"' not in html and 'class="notice' not in html


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
    (lambda r: r.update(notices=[{"code": "DF-AUD-003", "severity": "loud", "message": "m"}]),
     "notices[0].severity"),
    (lambda r: r.update(notices=[{"code": "DF-AUD-003", "severity": "warning"}]),
     "notices[0].message"),
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
