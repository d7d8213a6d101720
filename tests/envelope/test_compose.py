"""Tests for docflow/envelope/compose.py and the ``docflow envelope new`` command."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from docflow.cli import cli
from docflow.envelope.model import Envelope, StatusMessage
from docflow.envelope.parser import parse_envelope, read_envelope
from docflow.envelope.schema import schema_findings
from docflow.envelope.status import StatusCode
from docflow.xmlsafe import parse_xml

TOML = """
subject = "Về việc triển khai chữ ký số chuyên dùng"
content = "Nội dung chi tiết."
document_type = "KH"
due_date = "2025/07/20"
to_places = ["Sở Nội vụ", "Lưu: VT"]

[sender]
organ_id = "000.00.00.H49"
organ_name = "Ủy ban nhân dân tỉnh Quảng Nam"

[[receivers]]
organ_id = "000.00.01.H49"

[[receivers]]
organ_id = "000.00.02.H49"
organ_name = "Sở Y tế"

[code]
code_number = 45
code_notation = "KH-UBND"

[promulgation_info]
promulgation_date = "2025/07/01"
place = "Quảng Nam"

[signer_info]
full_name = "Lê Thị Hoa"
position = "Chủ tịch"

[other_info]
priority = "1"
appendixes = ["Phụ lục I"]

[[attachments]]
file = "plan.pdf"
description = "Kế hoạch"
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_new_from_options_validates(tmp_path: Path) -> None:
    """Options give a schema-valid message whose fields are the options, deterministically."""
    attached = tmp_path / "qd.pdf"
    attached.write_bytes(b"%PDF-1.7 test")
    out = tmp_path / "a.edxml"
    args = ["envelope", "new", "--from", "000.00.00.H49", "--to", "000.00.01.H49", "--to",
            "000.00.02.H49", "--type", "QĐ", "--number", "12", "--subject", "Về việc thử",
            "--attach", str(attached), "--date", "2025/07/01", "-o", str(out)]
    code, _ = run(*args)
    assert code == 0
    parsed = read_envelope(out)
    env = parsed.model
    assert isinstance(env, Envelope)
    assert env.document_id == "000.00.00.H49,2025/07/01,12/QĐ-UBND"
    assert [r.organ_id for r in env.receivers] == ["000.00.01.H49", "000.00.02.H49"]
    assert env.attachments[0].data == b"%PDF-1.7 test"
    assert env.references[0].content_id == env.attachments[0].content_id
    assert schema_findings(parsed.root) == []
    first = out.read_bytes()
    assert run(*args)[0] == 0 and out.read_bytes() == first


def test_new_writes_to_stdout_by_default() -> None:
    """Without -o the message goes to standard output and parses."""
    code, output = run("envelope", "new", "--from", "000.00.00.G22", "--to", "000.00.00.H49",
                       "--subject", "Công văn thử", "--date", "2025-07-02")
    assert code == 0
    assert parse_envelope(output.encode("utf-8")).model.sender.organ_id == "000.00.00.G22"


def test_missing_option_and_bad_organ_are_exit_2() -> None:
    """A missing --to and a malformed organ code are usage errors (exit 2) naming the input."""
    code, output = run("envelope", "new", "--from", "000.00.00.H49", "--subject", "x")
    assert code == 2 and "--to" in output
    code, output = run("envelope", "new", "--from", "000.00.00.H49", "--to", "H49",
                       "--subject", "x")
    assert code == 2 and "DF-ENV-020" in output and "receivers[0]" in output


def test_new_from_toml(tmp_path: Path) -> None:
    """A TOML description mirrors the model; derived fields are filled; the result validates."""
    (tmp_path / "plan.pdf").write_bytes(b"plan")
    (tmp_path / "msg.toml").write_text(TOML, encoding="utf-8")
    out = tmp_path / "msg.edxml"
    code, _ = run("envelope", "new", "--from-toml", str(tmp_path / "msg.toml"), "-o", str(out))
    assert code == 0
    parsed = read_envelope(out)
    env = parsed.model
    assert isinstance(env, Envelope)
    assert env.document_id == "000.00.00.H49,2025/07/01,45/KH-UBND"
    assert env.document_type.type_name == "Kế hoạch"
    assert env.receivers[1].organ_name == "Sở Y tế"
    assert env.other_info.appendixes == ("Phụ lục I",)
    assert env.attachments[0].description == "Kế hoạch"
    assert env.trace_headers[0].organ_id == "000.00.00.H49"
    assert schema_findings(parsed.root) == []


def test_toml_errors_name_the_key(tmp_path: Path) -> None:
    """An unknown key, a missing key and a wrong type each fail with DF-ENV-021 and the key."""
    cases = {
        TOML.replace("place =", "plac ="): "promulgation_info.plac",
        TOML.replace('[signer_info]\nfull_name = "Lê Thị Hoa"\n', "[signer_info]\n"):
            "signer_info.full_name",
        TOML.replace('priority = "1"', "priority = [1]"): "other_info.priority",
        TOML.replace('file = "plan.pdf"', 'file = "plan.pdf"\nsize = 3'): "attachments[0].size",
    }
    (tmp_path / "plan.pdf").write_bytes(b"plan")
    for text, key in cases.items():
        path = tmp_path / "bad.toml"
        path.write_text(text, encoding="utf-8")
        code, output = run("envelope", "new", "--from-toml", str(path))
        assert code == 2, output
        assert "DF-ENV-021" in output and key in output, output


def test_toml_cannot_mix_with_options(tmp_path: Path) -> None:
    """--from-toml with --from is refused rather than silently ignoring one of them."""
    path = tmp_path / "m.toml"
    path.write_text(TOML, encoding="utf-8")
    code, output = run("envelope", "new", "--from-toml", str(path), "--from", "000.00.00.H49")
    assert code == 2 and "--from" in output
    (tmp_path / "plan.pdf").write_bytes(b"plan")
    code, output = run("envelope", "new", "--from-toml", str(path), "-o",
                       str(tmp_path / "m.edxml"), "-q")  # -q says how, not what: allowed
    assert code == 0 and output == "", output


def test_status_message_from_toml(tmp_path: Path) -> None:
    """A table with status_code describes a status message."""
    path = tmp_path / "s.toml"
    path.write_text("""
status_code = "04"
timestamp = "2025/07/02 10:00:00"
description = "Phân công xử lý"
[response_for]
organ_id = "000.00.00.H49"
code = "45/KH-UBND"
promulgation_date = "2025/07/01"
document_id = "000.00.00.H49,2025/07/01,45/KH-UBND"
[sender]
organ_id = "000.00.01.H49"
""", encoding="utf-8")
    code, output = run("envelope", "new", "--from-toml", str(path))
    assert code == 0
    status = parse_envelope(output.encode("utf-8")).model
    assert isinstance(status, StatusMessage) and status.status_code is StatusCode.ASSIGNED
    assert schema_findings(parse_xml(output.encode("utf-8"))) == []


def test_new_envelope_passes_docflow_validate(tmp_path: Path) -> None:
    """What `envelope new` writes passes `docflow validate` (schema and business rules)."""
    out = tmp_path / "cv.edxml"
    code, _ = run("envelope", "new", "--from", "000.00.00.H49", "--to", "000.00.12.H49",
                  "--type", "Công văn", "--number", "345", "--subject", "Về việc báo cáo",
                  "--date", "2025/07/03", "-o", str(out))
    assert code == 0
    code, output = run("validate", str(out))
    assert code == 0, output
    assert "PASSED" in output
