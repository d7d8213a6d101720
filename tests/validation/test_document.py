"""The validation JSON's typed model: what ``docflow validate --format json`` prints reads back
whole, and a broken field is named by its dotted key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from docflow.cli import cli
from docflow.envelope.builder import build
from docflow.envelope.samples import example_document
from docflow.errors import Indication, InputError
from docflow.validation.document import ValidationDocument

DOCUMENT = build(example_document())


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The printed JSON of a good message and a cut one, with timings."""
    folder = tmp_path_factory.mktemp("batch")
    (folder / "a-good.edxml").write_bytes(DOCUMENT)
    (folder / "b-cut.edxml").write_bytes(DOCUMENT[:500])
    result = CliRunner().invoke(cli, ["validate", "--no-signatures", "--format", "json",
                                      "--timings", str(folder)])
    assert result.exit_code == 1, result.output
    return result.output.encode()


def test_printed_json_reads_back_to_the_same_bytes(printed: bytes) -> None:
    """The model reads what the command printed, timings included, and writes it again."""
    doc = ValidationDocument.from_json(printed, "<stdout>")
    assert doc.to_json() == printed
    good, cut = doc.reports
    assert good.verdict is Indication.PASSED and good.timings_ms
    assert cut.parsed is False and cut.findings[0].code.startswith("DF-XML")
    assert (doc.summary.total, doc.summary.exit_code) == (2, 1)


@pytest.mark.parametrize(("edit", "key"), [
    (lambda d: d["reports"][1]["findings"][0].update(severity="fatal"),
     "reports[1].findings[0].severity"),
    (lambda d: d["reports"][0].update(verdict="OK"), "reports[0].verdict"),
    (lambda d: d["reports"][1]["findings"][0]["location"].update(line="ten"),
     "reports[1].findings[0].location.line"),
    (lambda d: d["summary"].pop("exit_code"), "summary.exit_code"),
])
def test_a_broken_field_is_df_rep_002(printed: bytes, edit: Callable[[dict[str, Any]], Any],
                                      key: str) -> None:
    """A mistyped or missing field is DF-REP-002 with its dotted key."""
    data = json.loads(printed)
    edit(data)
    with pytest.raises(InputError) as err:
        ValidationDocument.from_json(json.dumps(data), "v.json")
    assert (err.value.code, err.value.location.key, err.value.location.file) == \
        ("DF-REP-002", key, "v.json")
