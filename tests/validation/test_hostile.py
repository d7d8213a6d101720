"""Hostile input: each gives its finding and exit code, in bounded time and memory, no traceback.

Every case runs through the Python API and through ``docflow validate``. The time bounds are
generous hang detectors (a blow-up takes minutes or forever), not performance goals; those
live in ``bench/``.
"""

from __future__ import annotations

import base64
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from docflow import validate
from docflow.cli import cli
from docflow.envelope.builder import build
from docflow.envelope.samples import example_document, example_status
from docflow.errors import Indication

NS = b"http://www.mic.gov.vn/TBT/QCVN_102_2016"
DOCUMENT = build(example_document())

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>"""

QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE kaboom [<!ENTITY a "' + b"x" * 100_000
             + b'">]><edXML xmlns="' + NS + b'">' + b"&a;" * 100_000 + b"</edXML>")

EXTERNAL_ENTITY = DOCUMENT.replace(
    b"<edXML:edXML ", b'<!DOCTYPE edXML:edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b"<edXML:edXML ", 1).replace(b"<edXML:Subject>", b"<edXML:Subject>&xxe;", 1)

EXTERNAL_DTD = DOCUMENT.replace(
    b"<edXML:edXML ", b'<!DOCTYPE edXML:edXML SYSTEM "file:///etc/passwd">\n<edXML:edXML ', 1)

NOT_UTF8 = DOCUMENT.replace("Quảng Nam".encode(), b"Qu\xe1ng Nam", 1)  # a Windows-1258 byte
WRONG_NAMESPACE = DOCUMENT.replace(NS, b"http://www.mic.gov.vn/TBT/QCVN_102_2011")
DEEP = b'<edXML xmlns="' + NS + b'">' + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</edXML>"

#: name, input, expected code, expected verdict, whether the input could be parsed.
CASES: list[tuple[str, bytes, str, Indication, bool]] = [
    ("billion-laughs", BILLION_LAUGHS, "DF-XML-002", Indication.FAILED, False),
    ("quadratic-blowup", QUADRATIC, "DF-XML-002", Indication.FAILED, False),
    ("external-entity", EXTERNAL_ENTITY, "DF-XML-002", Indication.FAILED, False),
    ("external-dtd", EXTERNAL_DTD, "DF-XML-002", Indication.FAILED, False),
    ("cut-in-half", DOCUMENT[: len(DOCUMENT) // 2], "DF-XML-006", Indication.FAILED, False),
    ("not-utf-8", NOT_UTF8, "DF-XML-005", Indication.FAILED, False),
    ("utf-16", DOCUMENT.decode().encode("utf-16"), "DF-XML-005", Indication.FAILED, False),
    ("wrong-namespace", WRONG_NAMESPACE, "DF-ENV-040", Indication.FAILED, True),
    ("nesting-10000", DEEP, "DF-XML-004", Indication.FAILED, False),
    ("empty", b"", "DF-IO-003", Indication.INDETERMINATE, False),
    ("whitespace-only", b"  \n\t\n", "DF-IO-003", Indication.INDETERMINATE, False),
    ("binary", bytes(range(256)) * 64, "DF-XML-005", Indication.FAILED, False),
    ("utf-16-no-bom", DOCUMENT.decode().encode("utf-16-le"), "DF-XML-005", Indication.FAILED,
     False),
    ("cut-inside-a-tag", DOCUMENT[:100], "DF-XML-006", Indication.FAILED, False),
]


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _bounded(action: Callable[[], object], *, seconds: float = 30.0,
             kib: int = 100_000) -> object:
    """Run ``action``; fail if it takes minutes or grows the process by more than ``kib``."""
    before, started = _peak_kib(), time.monotonic()
    out = action()
    assert time.monotonic() - started < seconds, "hang or blow-up"
    assert _peak_kib() - before < kib, "memory blow-up"
    return out


def _cli(*args: str, input: bytes | None = None) -> Result:
    result = CliRunner().invoke(cli, ["validate", *args], input=input)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.mark.parametrize(("name", "data", "code", "verdict", "parsed"), CASES,
                         ids=[c[0] for c in CASES])
def test_hostile_input(tmp_path: Path, name: str, data: bytes, code: str, verdict: Indication,
                       parsed: bool) -> None:
    """The API and the CLI report the code, in bounded time and memory; 2 if unusable."""
    report = _bounded(lambda: validate(data))
    assert isinstance(report, type(validate(b"")))
    assert [f.code for f in report.findings][:1] == [code]
    assert (report.verdict, report.parsed) == (verdict, parsed)
    path = tmp_path / f"{name}.edxml"
    path.write_bytes(data)
    result = _bounded(lambda: _cli(str(path)))
    assert isinstance(result, Result)
    assert code in result.stdout
    assert result.exit_code == (1 if parsed else 2)
    assert "root:x:0:0" not in result.output  # /etc/passwd never leaks into a report


def test_stdin_is_read_like_a_file() -> None:
    """``-`` validates standard input, and names it <stdin> in the report."""
    result = _cli("-", input=DOCUMENT)
    assert result.exit_code == 0
    assert result.stdout.startswith("PASSED") and "<stdin>" in result.stdout
    cut = _cli("--format", "json", "-", input=DOCUMENT[:100])
    assert cut.exit_code == 2 and '"DF-XML-006"' in cut.stdout


def _write_huge(path: Path, attachment_bytes: int) -> None:
    """A document whose one attachment holds ``attachment_bytes`` of base64, written in
    chunks so the test never holds the file in memory."""
    head, _, tail = DOCUMENT.partition(b"</edXML:AttachmentEncoded>")
    chunk = base64.b64encode(os.urandom(3 * 1024 * 256))  # 1 MiB of base64
    with open(path, "wb") as out:
        out.write(head + b'<edXML:Attachment Id="big"><edXML:ContentId>big</edXML:ContentId>'
                  b"<edXML:ContentTransferEncoded>")
        for _ in range(attachment_bytes // len(chunk)):
            out.write(chunk)
        out.write(b"</edXML:ContentTransferEncoded></edXML:Attachment>"
                  b"</edXML:AttachmentEncoded>" + tail)


def test_200_mb_attachment_is_refused_without_reading_it(tmp_path: Path) -> None:
    """A 200 MB file is refused from its size (DF-IO-002): no read, no memory growth."""
    path = tmp_path / "huge.edxml"
    _write_huge(path, 200 * 1024 * 1024)
    assert path.stat().st_size > 200 * 1024 * 1024
    report = _bounded(lambda: validate(path), seconds=5, kib=20_000)
    assert [f.code for f in report.findings] == ["DF-IO-002"]  # type: ignore[attr-defined]
    assert report.verdict is Indication.INDETERMINATE  # type: ignore[attr-defined]
    result = _bounded(lambda: _cli(str(path)), seconds=5, kib=20_000)
    assert isinstance(result, Result)
    assert result.exit_code == 2 and "DF-IO-002" in result.stdout
    path.unlink()


def test_a_large_message_under_the_limit_is_checked(tmp_path: Path) -> None:
    """Raising the limit lets a 12 MB attachment through the huge-text parser, and its base64
    is checked (the manifest does not list it, so DF-ENV-066)."""
    path = tmp_path / "large.edxml"
    _write_huge(path, 12 * 1024 * 1024)
    result = _bounded(lambda: _cli("--max-size", str(20 * 1024 * 1024), str(path)),
                      seconds=60, kib=400_000)
    assert isinstance(result, Result)
    assert "DF-ENV-066" in result.stdout and "DF-ENV-067" not in result.stdout
    assert result.exit_code == 1
    small = _cli("--max-size", "1000", str(path))
    assert small.exit_code == 2 and "DF-IO-002" in small.stdout


def test_folder_of_10000_files(tmp_path: Path) -> None:
    """Ten thousand small files are all checked, each with its verdict, and one summary."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    status = build(example_status())
    for i in range(10_000):
        (folder / f"{i:05d}.edxml").write_bytes(status if i % 1000 else status[:200])
    result = _bounded(lambda: _cli(str(folder)), seconds=300, kib=300_000)
    assert isinstance(result, Result)
    lines = result.stdout.splitlines()
    assert lines[-1] == ("10000 files: 9990 passed, 10 failed, 0 indeterminate "
                         "(10 could not be read or parsed)")
    assert sum(line.startswith(("PASSED", "FAILED")) for line in lines) == 10_000
    assert result.exit_code == 1


def test_folder_with_a_symlink_loop(tmp_path: Path) -> None:
    """Links to folders are not followed, so a loop ends; the real file is checked once."""
    folder = tmp_path / "loop"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "back").symlink_to(folder, target_is_directory=True)
    (folder / "self").symlink_to(folder / "self2")
    (folder / "self2").symlink_to(folder / "self")  # a dangling cycle of file links
    (folder / "sub" / "m.edxml").write_bytes(DOCUMENT)
    result = _bounded(lambda: _cli(str(folder)), seconds=10)
    assert isinstance(result, Result)
    assert result.stdout.count("PASSED") == 1 and result.exit_code == 0


def test_unreadable_inputs(tmp_path: Path) -> None:
    """A pipe is refused without blocking; a file without read permission is DF-IO-001."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.edxml").write_bytes(DOCUMENT)
    os.mkfifo(folder / "pipe.edxml")
    result = _bounded(lambda: _cli(str(folder)), seconds=10)
    assert isinstance(result, Result)
    assert "INDETERMINATE" in result.stdout and "DF-IO-001" in result.stdout
    assert result.exit_code == 1
    report = validate(folder / "pipe.edxml")
    assert (report.findings[0].code, report.verdict) == ("DF-IO-001", Indication.INDETERMINATE)
    locked = folder / "locked.edxml"
    locked.write_bytes(DOCUMENT)
    locked.chmod(0)
    if os.access(locked, os.R_OK):
        pytest.skip("running with privileges that read any file; the pipe case covers it")
    report = validate(locked)
    assert (report.findings[0].code, report.parsed) == ("DF-IO-001", False)
    alone = _cli(str(locked))
    assert alone.exit_code == 2 and "DF-IO-001" in alone.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    """A path that does not exist, or a folder with no envelope, is a usage error (2)."""
    assert _cli(str(tmp_path / "absent.edxml")).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _cli(str(empty))
    assert result.exit_code == 2 and "no .xml or .edxml file" in result.output
