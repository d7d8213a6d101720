"""The README's table of finding codes is exactly ``docflow.errors.CATALOGUE``.

The table sits between ``<!-- codes:start -->`` and ``<!-- codes:end -->`` in README.md and is
generated from the catalogue, so it cannot drift: this test fails when a code is added, retired
or reworded without regenerating it. Regenerate with::

    .venv/bin/python tests/test_readme_codes.py --write
"""

from __future__ import annotations

import sys
from pathlib import Path

from docflow.errors import CATALOGUE

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- codes:start -->", "<!-- codes:end -->"


def render_table() -> str:
    """The markdown table of every code, in catalogue order."""
    rows = ["| Code | Severity | Verdict it forces | Meaning |", "|---|---|---|---|"]
    for info in CATALOGUE.values():
        verdict = info.indication.value if info.indication else "— (does not affect it)"
        summary = info.summary.replace("|", "\\|")
        rows.append(f"| `{info.code}` | {info.severity.value} | {verdict} | {summary} |")
    return "\n".join(rows)


def _block(text: str) -> str:
    start, end = text.index(START) + len(START), text.index(END)
    return text[start:end].strip()


def test_readme_lists_every_code() -> None:
    """Every catalogue code, with its severity, verdict and meaning, and nothing else."""
    text = README.read_text(encoding="utf-8")
    assert _block(text) == render_table(), \
        "README.md's finding codes are out of date: run tests/test_readme_codes.py --write"


def test_every_code_is_well_formed() -> None:
    """Codes are DF-<AREA>-<three digits>, and errors say which verdict they force."""
    for code, info in CATALOGUE.items():
        area, number = code.split("-")[1:]
        assert code == info.code and area.isupper() and len(number) == 3 and number.isdigit()
        assert (info.indication is not None) == (info.severity.value == "error"), code


def main(argv: list[str]) -> None:
    if "--write" not in argv:
        print(render_table())
        return
    text = README.read_text(encoding="utf-8")
    start, end = text.index(START) + len(START), text.index(END)
    README.write_text(text[:start] + "\n" + render_table() + "\n" + text[end:],
                      encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
