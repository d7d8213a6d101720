"""One round of the warm rules/validate comparison between two commits, in a fresh process.

Run from the root of each commit's tree (``git archive COMMIT | tar -x -C DIR``), alternating
base and new, so both see the same machine load::

    for i in 1 2 3 4 5 6 7; do
      (cd BASE && PYTHONPATH=. python NEW/bench/rules_round.py)
      (cd NEW && PYTHONPATH=. python bench/rules_round.py)
    done

It prints two numbers, in seconds per call: the best of 5 x 2,000 ``rule_findings`` calls on
the parsed 8 KB ``example_document``, and the best of 5 x 500 ``validate_bytes`` calls on its
bytes. Compare the minima and the median of the paired ratios.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from docflow.envelope.builder import build
from docflow.envelope.rules import rule_findings
from docflow.envelope.samples import example_document
from docflow.validation import validate_bytes
from docflow.xmlsafe import parse_xml


def _best(call: Callable[[], object], count: int) -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(count):
            call()
        times.append((time.perf_counter() - start) / count)
    return min(times)


def main() -> None:
    """Print the two warm timings of this tree."""
    data = build(example_document())
    root = parse_xml(data)
    rule_findings(root)
    validate_bytes(data)
    print(_best(lambda: rule_findings(root), 2000), _best(lambda: validate_bytes(data), 500))


if __name__ == "__main__":
    main()
