"""Signature coverage is counted the same way one document at a time, in arrays and in parts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docflow.metrics.coverage import (
    COUNT_FIELDS,
    RATE_FIELDS,
    CoverageCounts,
    CoverageTable,
    DocumentOutcome,
)
from docflow.metrics.intervals import wilson

CODES = ["DF-SIG-001", "DF-SIG-002", "DF-PKI-001"]


@st.composite
def outcomes(draw: st.DrawFn) -> tuple[str, DocumentOutcome]:
    key = draw(st.sampled_from(["central", "province", "district", "commune"]))
    op = draw(st.booleans())
    sp = draw(st.booleans())
    ov = op and draw(st.booleans())
    sv = sp and draw(st.booleans())
    failing = (op and not ov) or (sp and not sv)
    reasons = tuple(draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3))) \
        if failing else ()
    return key, DocumentOutcome(op, ov, sp, sv, reasons)


def _one_by_one(docs: list[tuple[str, DocumentOutcome]]) -> CoverageTable:
    table = CoverageTable()
    for key, outcome in docs:
        table.add(key, outcome)
    return table


def _arrays(docs: list[tuple[str, DocumentOutcome]], reasons_as: str) -> CoverageTable:
    table = CoverageTable()
    reasons: object
    if reasons_as == "lists":
        reasons = [o.reasons for _, o in docs]
    else:  # one code per document as a numpy string array: only valid for single-code docs
        reasons = np.array([o.reasons[0] if o.reasons else "" for _, o in docs], dtype=str)
    table.add_arrays(np.array([k for k, _ in docs], dtype=str),
                     organ_present=[o.organ_present for _, o in docs],
                     organ_valid=[o.organ_valid for _, o in docs],
                     signer_present=[o.signer_present for _, o in docs],
                     signer_valid=[o.signer_valid for _, o in docs],
                     reasons=reasons)  # type: ignore[arg-type]
    return table


@settings(max_examples=60, deadline=None)
@given(st.lists(outcomes(), max_size=60))
def test_arrays_count_what_single_adds_count(docs: list[tuple[str, DocumentOutcome]]) -> None:
    """Vectorised counting gives exactly the counts of adding one document at a time."""
    assert _arrays(docs, "lists").to_dict() == _one_by_one(docs).to_dict()


@settings(max_examples=60, deadline=None)
@given(st.lists(outcomes(), max_size=60))
def test_string_array_reasons_match_lists(docs: list[tuple[str, DocumentOutcome]]) -> None:
    """A numpy array of one code per document counts reasons as the list form does."""
    single = [(k, DocumentOutcome(o.organ_present, o.organ_valid, o.signer_present,
                                  o.signer_valid, o.reasons[:1])) for k, o in docs]
    assert _arrays(single, "numpy").to_dict() == _one_by_one(single).to_dict()


@settings(max_examples=60, deadline=None)
@given(st.lists(outcomes(), max_size=60), st.integers(min_value=0, max_value=60))
def test_partial_tables_add_up(docs: list[tuple[str, DocumentOutcome]], cut: int) -> None:
    """Tables counted in parts (as worker processes do) and merged equal one table of all."""
    left, right = _one_by_one(docs[:cut]), _one_by_one(docs[cut:])
    whole = _one_by_one(docs)
    assert (left + right) == whole
    left += right
    assert left == whole


def test_label_indices_are_the_fast_path_for_small_integer_keys() -> None:
    """Integer keys with ``labels`` count under the label names, including unused labels."""
    rng = np.random.default_rng(7)
    n = 5000
    level = rng.integers(0, 3, n)
    op = rng.random(n) < 0.9
    ov = op & (rng.random(n) < 0.95)
    sp = rng.random(n) < 0.8
    sv = sp & (rng.random(n) < 0.97)
    labels = ["central", "province", "commune", "district"]
    fast = CoverageTable()
    fast.add_arrays(level, labels=labels, organ_present=op, organ_valid=ov,
                    signer_present=sp, signer_valid=sv)
    slow = CoverageTable()
    for i in range(n):
        slow.add(labels[level[i]], DocumentOutcome(bool(op[i]), bool(ov[i]), bool(sp[i]),
                                                   bool(sv[i])))
    assert fast == slow
    assert "district" not in fast  # a label with no documents makes no group
    assert fast.total().documents == n
    assert fast.total().both_valid == int(np.sum(ov & sv))


def test_valid_means_present_and_verified() -> None:
    """A valid signature must be present; both_valid needs both roles present and valid."""
    with pytest.raises(ValueError, match="without being present"):
        DocumentOutcome(signer_valid=True)
    table = CoverageTable()
    with pytest.raises(ValueError, match="without being present"):
        table.add_arrays(["a"], organ_present=[False], organ_valid=[True],
                         signer_present=[False], signer_valid=[False])
    table.add("a", DocumentOutcome(organ_present=True, organ_valid=True, signer_present=True,
                                   reasons=("DF-SIG-001",)))
    table.add("a", DocumentOutcome(organ_present=True, organ_valid=True, signer_present=True,
                                   signer_valid=True))
    counts = table["a"]
    assert (counts.both_present, counts.both_valid, counts.organ_valid) == (2, 1, 2)


def test_a_reason_counts_once_per_document() -> None:
    """The same code from both roles of one document counts that document once."""
    table = CoverageTable()
    table.add("a", DocumentOutcome(True, False, True, False, ("DF-SIG-001", "DF-SIG-001")))
    table.add_arrays(["a"], organ_present=[True], organ_valid=[False], signer_present=[True],
                     signer_valid=[False], reasons=[("DF-SIG-001", "DF-SIG-001", "DF-PKI-001")])
    assert table["a"].reasons == {"DF-SIG-001": 2, "DF-PKI-001": 1}


def test_rates_and_intervals_are_over_all_documents() -> None:
    """Each rate is count / documents with its Wilson interval, rounded to six decimals; an
    empty group has no rate."""
    counts = CoverageCounts(documents=50, organ_present=49, signer_present=40, both_present=40,
                            organ_valid=45, signer_valid=38, both_valid=36)
    data = counts.to_dict()
    for name in RATE_FIELDS:
        expected = getattr(counts, name)
        low, high = wilson(expected, 50)
        assert data["rates"][name] == {"rate": round(expected / 50, 6), "low": round(low, 6),
                                       "high": round(high, 6)}
    empty = CoverageCounts().to_dict()
    assert empty["rates"]["both_valid"] == {"rate": None, "low": 0.0, "high": 1.0}
    with pytest.raises(KeyError):
        counts.rate("documents")


def test_dict_is_stable_and_round_trips() -> None:
    """to_dict is sorted and JSON-ready; from_dict gives the same table back."""
    table = CoverageTable()
    table.add("z", DocumentOutcome(True, False, False, False, ("DF-SIG-002", "DF-PKI-001")))
    table.add("a", DocumentOutcome(True, True, True, True))
    data = table.to_dict()
    assert list(data) == ["a", "z"]
    assert list(data["z"]["reasons"]) == ["DF-PKI-001", "DF-SIG-002"]
    assert list(data["a"])[:len(COUNT_FIELDS)] == list(COUNT_FIELDS)
    text = json.dumps(data, sort_keys=False)
    again = CoverageTable.from_dict(json.loads(text))
    assert again == table
    assert json.dumps(again.to_dict()) == text


def test_from_dict_refuses_contradictory_counts() -> None:
    """Counters where valid exceeds present or both exceeds a role are refused."""
    good = CoverageCounts(documents=3, organ_present=2, organ_valid=2).to_dict()
    CoverageCounts.from_dict(good)
    for field, value in [("organ_valid", 3), ("both_present", 1), ("documents", 1)]:
        bad = dict(good, **{field: value})
        with pytest.raises(ValueError):
            CoverageCounts.from_dict(bad)
    with pytest.raises(ValueError, match="reason"):
        CoverageCounts.from_dict(dict(good, reasons={"DF-SIG-001": 4}))


def test_shapes_are_checked() -> None:
    """Arrays of different lengths or keys outside labels are refused, not miscounted."""
    table = CoverageTable()
    with pytest.raises(ValueError, match="shape"):
        table.add_arrays(["a", "b"], organ_present=[True], organ_valid=[False],
                         signer_present=[False, False], signer_valid=[False, False])
    with pytest.raises(ValueError, match="labels"):
        table.add_arrays([0, 2], labels=["a", "b"], organ_present=[0, 0], organ_valid=[0, 0],
                         signer_present=[0, 0], signer_valid=[0, 0])
    with pytest.raises(ValueError, match="reasons"):
        table.add_arrays(["a"], organ_present=[1], organ_valid=[0], signer_present=[0],
                         signer_valid=[0], reasons=["x", "y"])
    assert len(table) == 0
