"""Collect findings about one message, at most a few of each code.

A hostile message can repeat one mistake a hundred thousand times. Listing each would make the
report as large as the attack, so each code is listed :data:`PER_CODE` times and then summed up
in one last finding of the same code.

Paths are those of :func:`docflow.xmlsafe.element_path`, computed with a cache of each parent's
sibling counts: finding one path costs a walk over the element's siblings, and 25 findings among
50,000 siblings would otherwise walk them 25 times per level.
"""

from __future__ import annotations

from collections import Counter

from lxml import etree

from docflow.errors import Finding, Location
from docflow.xmlsafe import element_path

__all__ = ["PER_CODE", "Collector"]

PER_CODE = 25
"""Findings listed per code and message; enough to fix a message, small enough to read."""


class Collector:
    """Findings of one message, capped per code; :meth:`result` adds the summaries.

    >>> from docflow.xmlsafe import parse_xml
    >>> root = parse_xml(b"<a>" + b"<b/>" * 30 + b"</a>")
    >>> found = Collector("x.xml")
    >>> for child in root:
    ...     found.add("DF-ENV-006", child, "unknown")
    >>> [f.message for f in found.result()][-1]
    '5 more findings of this code in the message were not listed'
    """

    def __init__(self, where: str | None) -> None:
        self.where = where
        self.findings: list[Finding] = []
        self.counts: Counter[str] = Counter()
        self._paths: dict[etree._Element, str] = {}
        self._steps: dict[etree._Element, dict[etree._Element, str]] = {}

    def add(self, code: str, element: etree._Element, message: str) -> None:
        """Add a finding located at ``element`` (its line and path), unless the cap is reached."""
        self.counts[code] += 1
        if self.counts[code] <= PER_CODE:
            self.findings.append(Finding(code, message, Location(
                file=self.where, line=element.sourceline, path=self.path(element))))

    def path(self, element: etree._Element) -> str:
        """``element_path(element)``, with each parent's children counted once per message.

        >>> from docflow.xmlsafe import parse_xml
        >>> root = parse_xml(b"<a><b/><c/><b><d/></b></a>")
        >>> Collector(None).path(root[2][0]) == element_path(root[2][0]) == "/a/b[2]/d"
        True
        """
        found = self._paths.get(element)
        if found is not None:
            return found
        parent = element.getparent()
        if parent is None:
            found = element_path(element)
        else:
            steps = self._steps.get(parent)
            if steps is None:
                steps = self._steps[parent] = _steps(parent)
            found = self.path(parent) + "/" + steps[element]
        self._paths[element] = found
        return found

    def append(self, finding: Finding) -> None:
        """Add a finding made elsewhere (it already has its location), unless capped."""
        self.counts[finding.code] += 1
        if self.counts[finding.code] <= PER_CODE:
            self.findings.append(finding)

    def said(self, code: str) -> bool:
        """Whether a finding of ``code`` was added already (for once-per-message findings)."""
        return self.counts[code] > 0

    def result(self) -> list[Finding]:
        """The findings, then one summary per code that went over the cap."""
        out = list(self.findings)
        for code, count in self.counts.items():
            if count > PER_CODE:
                out.append(Finding(code, f"{count - PER_CODE} more findings of this code in "
                                   "the message were not listed", Location(file=self.where)))
        return out


def _steps(parent: etree._Element) -> dict[etree._Element, str]:
    """The last path step of each child of ``parent``, as ``element_path`` writes it."""
    children = list(parent)
    totals = Counter(child.tag for child in children)
    seen: Counter[object] = Counter()
    steps = {}
    for child in children:
        tag = child.tag
        name = etree.QName(child).localname if isinstance(tag, str) else "node()"
        seen[tag] += 1
        steps[child] = f"{name}[{seen[tag]}]" if totals[tag] > 1 else name
    return steps

