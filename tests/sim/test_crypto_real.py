"""sample/real crypto: real envelopes, really signed and verified, agree with the model's rule;
they are archived, with the trust files an audit needs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from docflow.archive.store import Archive
from docflow.runs import simulate
from docflow.sim.crypto import DocumentRecords, model_outcomes
from docflow.sim.crypto_real import EnvelopeCrypto
from docflow.sim.engine import Engine
from docflow.sim.scenario import CryptoSpec, FaultSpec, Period, Scenario
from docflow.sim.setup import prepare
from docflow.sim.signing import SigningPlan
from docflow.traffic.spec import DEFAULT_LEVEL_TRAFFIC, TrafficSpec

FAULTY = replace(Scenario(), topology="tiny", seed=21, crypto=CryptoSpec.parse("sample:40"),
                 period=Period(days=1, drain_days=20),
                 faults=FaultSpec(tamper_rate=0.25, expired_cert_share=0.2,
                                  revoked_cert_share=0.2))


def test_verification_finds_what_the_plan_made(tmp_path: Path) -> None:
    """Per document, real verification finds the presence and validity the plan implies, and
    the model's reason (digest for tampering, expired, revoked) is among the verifier's."""
    topology = prepare(FAULTY)
    plan = SigningPlan.for_scenario(FAULTY, topology.arrays())
    mode = EnvelopeCrypto.create(FAULTY, topology, tmp_path / "archive.sqlite", plan)
    engine = Engine(FAULTY, topology, mode, plan=plan)
    traffic = engine.generator.day(0, engine.rng)
    drawn = plan.draw(traffic.sender, engine.rng)
    records = DocumentRecords(np.arange(traffic.n_documents), traffic.send_us,
                              traffic.doc_type, traffic.priority, traffic.size_kb, drawn,
                              traffic.first, traffic.receiver).take(np.arange(40))
    try:
        real = mode.outcomes(records)
    finally:
        mode.close()
    model = model_outcomes(records.plan)
    for name in ("organ_present", "organ_valid", "signer_present", "signer_valid"):
        assert np.array_equal(getattr(real, name), getattr(model, name)), name
    kinds = set()
    for found, expected in zip(real.reason, model.reason.tolist(), strict=True):
        if expected:
            assert expected in found
            kinds.add(expected)
    assert kinds == {"DF-SIG-011", "DF-PKI-003", "DF-PKI-005"}
    with Archive(tmp_path / "archive.sqlite") as archive:
        assert len(archive) == 40
    assert (tmp_path / "trust" / "root.pem").read_bytes().startswith(b"-----BEGIN CERT")


def test_sample_run_reports_coverage_of_the_sample(tmp_path: Path) -> None:
    """In sample:N mode the coverage counts exactly the N sampled documents, and the archive
    holds them."""
    result = simulate(replace(FAULTY, faults=FaultSpec()), tmp_path)
    assert result.summary.run.coverage_documents == 40
    assert sum(lv.coverage.documents for lv in result.summary.levels.values()) == 40
    assert result.archive is not None
    with Archive(result.archive) as archive:
        assert len(archive) == 40


def test_audit_of_the_archive_reproduces_the_coverage(tmp_path: Path) -> None:
    """The project's loop: auditing a sample run's archive with its trust files gives, level by
    level, exactly the coverage the run reported."""
    from docflow import audit
    from docflow.audit import AuditConfig
    from docflow.trust import Trust

    result = simulate(FAULTY, tmp_path)
    trust = Trust(anchors=(tmp_path / "trust" / "root.pem",),
                  crls=(tmp_path / "trust" / "crls.pem",))
    audited = audit(str(tmp_path / "archive.sqlite"), AuditConfig(trust=trust, jobs=1))
    table = audited.tables["level"]
    for level, figures in result.summary.levels.items():
        expected = {k: getattr(figures.coverage, k) for k in
                    ("documents", "organ_present", "organ_valid", "signer_present",
                     "signer_valid", "both_valid", "reasons")}
        if level not in table:
            assert expected["documents"] == 0
            continue
        got = table[level].to_dict()
        assert {k: got[k] for k in expected} == expected, level


def test_real_mode_verifies_every_document(tmp_path: Path) -> None:
    """In real mode every document is made, signed and verified: coverage counts them all."""
    light = TrafficSpec(levels=tuple(replace(t, per_day=t.per_day / 4)
                                     for t in DEFAULT_LEVEL_TRAFFIC.values()))
    result = simulate(replace(FAULTY, crypto=CryptoSpec.parse("real"), faults=FaultSpec(),
                              traffic=light), tmp_path)
    sent = result.summary.totals.documents_sent
    assert result.summary.run.coverage_documents == sent > 20
    with Archive(tmp_path / "archive.sqlite") as archive:
        assert len(archive) == sent


def test_each_archived_envelope_carries_its_document_pdf_signed_as_planned(
        tmp_path: Path) -> None:
    """The first attachment of every stored envelope is the document's PDF, laid out with
    the envelope's number and symbol and signed with PAdES by the roles the plan drew (as
    many PDF signatures as XML ones: the signer's first, the organ's second)."""
    import base64

    from lxml import etree

    from docflow.profile.edxml import EDXML_NS
    from tests.pdf.making import info, signatures

    result = simulate(replace(FAULTY, faults=FaultSpec()), tmp_path)
    assert result.archive is not None
    ns = {"e": EDXML_NS}
    counts = set()
    with Archive(result.archive) as archive:
        for data, _meta in archive.envelopes():
            root = etree.fromstring(data)
            first = root.xpath("//e:Attachment", namespaces=ns)[0]
            pdf = base64.b64decode(max((t for t in first.itertext()), key=len))
            assert pdf.startswith(b"%PDF-")
            code = root.xpath("string(//e:Code/e:CodeNumber)", namespaces=ns) + "/" + \
                root.xpath("string(//e:Code/e:CodeNotation)", namespaces=ns)
            raw = info(pdf)["ND30Code"]
            assert isinstance(raw, bytes)
            assert (raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff")
                    else raw.decode("ascii")) == code
            names = [name for name, _ in signatures(pdf)]
            xml_signatures = int(root.xpath("count(//*[local-name()='Signature'])"))
            assert names in ([], ["ND30-signer"], ["ND30-organ"], ["ND30-signer", "ND30-organ"])
            assert len(names) == xml_signatures
            counts.add(len(names))
    assert len(counts) > 1
