"""Every fixture of ``fixtures/envelopes/MANIFEST.tsv`` gets its verdict and its codes.

One case per manifest row, run through ``docflow validate --format json`` as a user would. A
broken fixture breaks one thing: besides the codes its row names, it may raise no other error.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docflow.cli import cli

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "envelopes"


def _rows() -> list[dict[str, str]]:
    with open(FIXTURES / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _rows()


def test_the_corpus_is_large_enough() -> None:
    """At least 20 valid and 30 broken messages, every status code, every document type."""
    valid = [r for r in ROWS if r["file"].startswith("valid/")]
    broken = [r for r in ROWS if r["file"].startswith("broken/")]
    assert len(valid) >= 20 and len(broken) >= 30
    assert sum(r["file"].startswith("valid/status-") for r in valid) == 9
    assert sum(r["file"].startswith("valid/doc-") and r["file"][10:12].isdigit()
               for r in valid) == 29
    assert sum(r["verdict"] != "PASSED" for r in broken) >= 30


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_fixture(row: dict[str, str]) -> None:
    """The verdict and codes of the manifest row, and no error the row does not name.

    The corpus is about the envelope (schema and rules) and holds no XML-DSig signature, so
    signature verification is off here; ``test_signatures.py`` covers it.
    """
    result = CliRunner().invoke(cli, ["validate", "--format", "json", "--no-signatures",
                                      str(FIXTURES / row["file"])])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    body = json.loads(result.stdout)
    (report,) = body["reports"]
    assert report["verdict"] == row["verdict"], report["findings"]
    codes = {f["code"] for f in report["findings"]}
    expected = set() if row["codes"] == "-" else set(row["codes"].split(","))
    if not expected:
        assert codes == set(), report["findings"]
    assert expected <= codes, report["findings"]
    errors = {f["code"] for f in report["findings"] if f["severity"] == "error"}
    assert errors <= expected, report["findings"]
    want_exit = 0 if row["verdict"] == "PASSED" else (2 if not report["parsed"] else 1)
    assert result.exit_code == want_exit


def test_the_committed_fixtures_are_what_the_generator_writes(tmp_path: Path) -> None:
    """Regenerating the corpus gives the committed bytes, so the manifest cannot drift."""
    spec = importlib.util.spec_from_file_location("make_fixtures",
                                                  FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(tmp_path)
    assert (tmp_path / "MANIFEST.tsv").read_bytes() == (FIXTURES / "MANIFEST.tsv").read_bytes()
    for row in ROWS:
        assert (tmp_path / row["file"]).read_bytes() == (FIXTURES / row["file"]).read_bytes(), \
            row["file"]
