"""The warm rules/validate calls of ``bench/rules_round.py``, counted in instructions.

Timings on a loaded machine drift; the instructions a call executes do not. Run this under
callgrind twice from the root of each commit's tree, with no calls and with N, and divide the
difference by N (the start-up, the imports and 20 warm-up calls cancel out)::

    for n in 0 300; do
      PYTHONPATH=. valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python NEW/bench/rules_calls.py validate $n 2>&1 | grep Collected
    done

``validate`` counts ``validate_bytes`` on the bytes of the 8 KB ``example_document``,
``rules`` counts ``rule_findings`` on its parsed tree.
"""

from __future__ import annotations

import sys

from docflow.envelope.builder import build
from docflow.envelope.rules import rule_findings
from docflow.envelope.samples import example_document
from docflow.validation import validate_bytes
from docflow.xmlsafe import parse_xml


def main() -> None:
    """Warm both calls up, then make N calls of the one named on the command line."""
    what, count = sys.argv[1], int(sys.argv[2])
    data = build(example_document())
    root = parse_xml(data)
    for _ in range(20):
        rule_findings(root)
        validate_bytes(data)
    if what == "validate":
        for _ in range(count):
            validate_bytes(data)
    elif what == "rules":
        for _ in range(count):
            rule_findings(root)
    else:
        raise SystemExit(f"usage: rules_calls.py validate|rules N (not {what!r})")


if __name__ == "__main__":
    main()
