"""How the reports name and order levels: ``Central`` first, ``Commune`` last, others after.

Summaries and audit results key their groups by the wire values of :class:`~docflow.levels.Level`
(``central`` … ``commune``) plus ``unknown`` for documents whose sender's level is not recorded.
Both reports show them in the one reporting order, under the same words.
"""

from __future__ import annotations

from collections.abc import Iterable

from docflow.levels import Level

__all__ = ["level_label", "level_order"]


def level_label(key: str) -> str:
    """The word for a level key: ``commune`` → ``Commune``, ``unknown`` → ``Unknown``.

    >>> level_label("province"), level_label("unknown")
    ('Province', 'Unknown')
    """
    try:
        return Level.parse(key).value.capitalize()
    except ValueError:
        return key[:1].upper() + key[1:]


def level_order(keys: Iterable[str]) -> list[str]:
    """Level keys in reporting order (central first); other keys after them, alphabetically.

    >>> level_order(["unknown", "commune", "central"])
    ['central', 'commune', 'unknown']
    """
    keys = list(keys)
    known = [lv.value for lv in Level if lv.value in keys]
    return known + sorted(k for k in keys if k not in known)
