"""Each preset has the published counts, valid unique codes, real names and the routing rules."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from docflow.envelope.organ import OrganCode
from docflow.errors import UsageError
from docflow.levels import Level
from docflow.topology import PRESETS, AgencyKind, HubKind, build_preset

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference" / "provinces.csv"


def _provinces(name: str) -> set[str]:
    return {a.province for a in build_preset(name).agencies if a.province}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_code_is_a_valid_unique_organ_code(name: str) -> None:
    """Every agency's code parses as a QCVN 102 organ code and no two agencies share one."""
    topo = build_preset(name)
    codes = [a.code for a in topo.agencies]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert str(OrganCode.parse(code)) == code


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_names_are_vietnamese_with_diacritics_in_nfc(name: str) -> None:
    """Names carry their diacritics (NFC-composed), and local bodies name their province."""
    topo = build_preset(name)
    for agency in topo.agencies:
        assert agency.name == unicodedata.normalize("NFC", agency.name)
        assert agency.name.strip() == agency.name and "  " not in agency.name
    with_marks = sum(any(ord(ch) > 127 for ch in a.name) for a in topo.agencies)
    assert with_marks / len(topo.agencies) > 0.9
    for agency in topo.agencies:
        if agency.kind in (AgencyKind.PEOPLE_COMMITTEE, AgencyKind.DEPARTMENT):
            assert agency.province and agency.name.endswith(agency.province)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_hubs_follow_the_national_architecture(name: str) -> None:
    """One axis; one provincial hub per province; every agency on its province's hub or on a
    ministry hub if central; a child sits on its parent's hub."""
    topo = build_preset(name)
    assert sum(h.kind is HubKind.AXIS for h in topo.hubs) == 1
    province_hubs = {h.province: h.id for h in topo.hubs if h.kind is HubKind.PROVINCE}
    assert set(province_hubs) == set(topo.provinces)
    for agency in topo.agencies:
        hub = topo.hub(agency.hub)
        if agency.level is Level.CENTRAL:
            assert hub.kind is HubKind.MINISTRY
        else:
            assert hub.id == province_hubs[agency.province]
        if agency.parent:
            assert topo.agency(agency.parent).hub == agency.hub


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_routing_rules(name: str) -> None:
    """Same province: the provincial hub only; across provinces or to/from the centre: sender
    hub → axis → receiver hub."""
    topo = build_preset(name)
    by_hub: dict[str, list[str]] = {}
    for agency in topo.agencies:
        by_hub.setdefault(agency.hub, []).append(agency.code)
    hubs = list(by_hub)
    axis = topo.axis
    assert axis is not None
    for a in hubs:
        first = by_hub[a][0]
        assert [h.id for h in topo.route(first, by_hub[a][-1])] == [a]
        for b in hubs[:8]:
            if a != b:
                route = [h.id for h in topo.route(first, by_hub[b][0])]
                assert route == [a, axis.id, b]


def test_vn_2025_counts() -> None:
    """vn-2025: the 34 provinces of the reference list, 3,321 communes (±2%), no districts,
    13–15 departments per province, the Government Office among the central bodies."""
    topo = build_preset("vn-2025")
    with REFERENCE.open(encoding="utf-8") as handle:
        reference = {row["province_2025"] for row in csv.DictReader(handle)}
    assert _provinces("vn-2025") == reference and len(reference) == 34
    counts = topo.count_by_level()
    assert abs(counts[Level.COMMUNE] - 3321) <= 0.02 * 3321
    assert counts[Level.DISTRICT] == 0
    for province in topo.provinces:
        n = sum(a.kind is AgencyKind.DEPARTMENT and a.province == province
                for a in topo.agencies)
        assert 13 <= n <= 15, province
    assert topo.agency("000.00.00.G22").kind is AgencyKind.GOVERNMENT_OFFICE
    assert topo.agency("000.00.00.G22").name == "Văn phòng Chính phủ"
    assert "Bộ Nông nghiệp và Môi trường" in {a.name for a in topo.agencies}


def test_vn_2024_counts() -> None:
    """vn-2024: the 63 former provinces, ~705 districts and ~10,600 communes (±2%), 17–20
    departments per province, more than 10,000 agencies."""
    topo = build_preset("vn-2024")
    with REFERENCE.open(encoding="utf-8") as handle:
        reference = {p for row in csv.DictReader(handle)
                     for p in row["former_provinces_2024"].split(";")}
    assert _provinces("vn-2024") == reference and len(reference) == 63
    counts = topo.count_by_level()
    assert abs(counts[Level.DISTRICT] - 705) <= 0.02 * 705
    assert abs(counts[Level.COMMUNE] - 10_600) <= 0.02 * 10_600
    assert len(topo.agencies) > 10_000
    for province in topo.provinces:
        n = sum(a.kind is AgencyKind.DEPARTMENT and a.province == province
                for a in topo.agencies)
        assert 17 <= n <= 20, province
    assert "Bộ Kế hoạch và Đầu tư" in {a.name for a in topo.agencies}


@pytest.mark.parametrize(("name", "province", "districts", "communes"), [
    ("phu-tho-2021", "Phú Thọ", 13, 225),
    ("thanh-hoa-2024", "Thanh Hóa", 27, 559),
    ("binh-duong-2024", "Bình Dương", 9, 91),
])
def test_one_province_presets(name: str, province: str, districts: int, communes: int) -> None:
    """A one-province preset holds that province's published districts and communes, and the
    central bodies with the Government Office, reached through the axis."""
    topo = build_preset(name)
    assert topo.provinces == (province,)
    counts = topo.count_by_level()
    assert counts[Level.DISTRICT] - sum(a.kind is AgencyKind.DISTRICT_OFFICE
                                        for a in topo.agencies) == districts
    assert counts[Level.COMMUNE] == communes
    pc = next(a for a in topo.agencies if a.kind is AgencyKind.PEOPLE_COMMITTEE)
    assert [h.kind for h in topo.route(pc.code, "000.00.00.G22")] == \
        [HubKind.PROVINCE, HubKind.AXIS, HubKind.MINISTRY]


def test_binh_duong_has_256_connected_agencies() -> None:
    """binh-duong-2024 has exactly the published 256 provincial agencies."""
    topo = build_preset("binh-duong-2024")
    assert sum(a.level is not Level.CENTRAL for a in topo.agencies) == 256


def test_yen_lac_has_its_communes_and_the_province_nodes() -> None:
    """yen-lac-2024: Yên Lạc's 17 communes by name under its district, the province's People's
    Committee, departments and other districts, and no other district's communes."""
    topo = build_preset("yen-lac-2024")
    district = next(a for a in topo.agencies if a.name == "Ủy ban nhân dân huyện Yên Lạc")
    communes = [a for a in topo.agencies if a.level is Level.COMMUNE]
    assert len(communes) == 17 and all(a.parent == district.code for a in communes)
    assert "Ủy ban nhân dân xã Tề Lỗ" in {a.name for a in communes}
    assert sum(a.kind is AgencyKind.DISTRICT for a in topo.agencies) == 9
    assert any(a.kind is AgencyKind.PEOPLE_COMMITTEE for a in topo.agencies)
    assert sum(a.kind is AgencyKind.DEPARTMENT for a in topo.agencies) >= 17


def test_tiny_is_small_and_complete() -> None:
    """tiny: about 20 agencies, one axis, two provinces, a ministry, every level present."""
    topo = build_preset("tiny")
    assert 15 <= len(topo.agencies) <= 25
    assert len(topo.provinces) == 2
    assert any(a.kind is AgencyKind.MINISTRY for a in topo.agencies)
    assert all(n > 0 for n in topo.count_by_level().values())


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_are_deterministic(name: str) -> None:
    """Two independent builds are identical, agency for agency and hub for hub."""
    first, second = PRESETS[name].build(), PRESETS[name].build()
    assert first is not second
    assert first.agencies == second.agencies and first.hubs == second.hubs
    assert first == second


def test_unknown_preset_is_a_usage_error() -> None:
    """A name that is not a preset raises DF-TOP-010 listing the presets."""
    with pytest.raises(UsageError) as info:
        build_preset("vn-1999")
    assert info.value.code == "DF-TOP-010" and "vn-2025" in info.value.message
