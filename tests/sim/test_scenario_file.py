"""Scenario files: every key read and checked; every error names the key, value and allowed."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from docflow.errors import ConfigError, InputError
from docflow.levels import Level
from docflow.sim.scenario import CryptoKind, Measure
from docflow.sim.scenario_file import builtin_scenario, parse_scenario, read_scenario
from docflow.traffic.spec import Direction

FULL = """
name = "full"
description = "every key"
seed = 5

[topology]
preset = "tiny"

[period]
start = 2025-07-07
days = 3
drain_days = 10

[calendar]
hours = ["07:00-11:30", "13:00-16:30"]
weekdays = ["mon", "tue", "wed", "thu", "fri", "sat"]
holidays = [2025-07-08]

[traffic.province]
per_day = 12.5
recipients = 2.5
broadcast = 0.1
broadcast_max = 30
mix = { down = 0.5, up = 0.2, lateral = 0.2, cross_province = 0.05, central = 0.05 }

[traffic.documents]
types = { "Công văn" = 0.7, "QĐ" = 0.3 }
priorities = [0.9, 0.1, 0.0, 0.0, 0.0]
attachment_median_kb = 100
attachment_sigma = 0.5

[signing]
algorithm = "ecdsa-p256"
signers_per_agency = 2

[signing.commune]
organ = 0.5
signer = 0.25

[hubs]
workers = 3
capacity_per_hour = 36000
ms_per_mb = 5
status_workers = 2
status_service_ms = 4

[hubs.axis]
workers = 16
service_ms = 20

[hubs.override."lgsp-h01"]
workers = 1
service_ms = 500

[links]
agency_hub_ms = 100
hub_hub_ms = 10
mbps = 0

[status]
ack_s = 5
accept_hours = 1
assign_hours = 2
process_hours = 3
done_hours = 4
reject_share = 0.1
urgent_speedup = 2

[faults]
retry_backoff_s = 30
backoff_factor = 3
backoff_max_s = 600
max_attempts = 5
tamper_rate = 0.01
expired_cert_share = 0.02
revoked_cert_share = 0.03
never_sign = ["000.00.00.H01"]

[[faults.hub_outage]]
hub = "lgsp-h01"
start = 2025-07-07T09:00:00
hours = 2

[[faults.agency_outage]]
agency = "000.00.00.H25"
start = 2025-07-08T08:00:00
hours = 1.5

[crypto]
mode = "sample:50"

[[calibration]]
figure = "documents issued"
published = 1000
measure = "documents_sent"
scope = "000.00.00.H01"
source = "somewhere"
"""


def test_every_key_lands_in_the_dataclasses() -> None:
    """A file with every key gives the values it names, in the right fields."""
    s = parse_scenario(FULL.encode(), file="full.toml")
    assert (s.name, s.seed, s.topology, s.period.days, s.period.drain_days) == \
        ("full", 5, "tiny", 3, 10)
    assert s.calendar.hours == ((420, 690), (780, 990)) and 5 in s.calendar.weekdays
    assert s.calendar.holidays == (date(2025, 7, 8),)
    province = s.traffic.level(Level.PROVINCE)
    assert province is not None and province.per_day == 12.5 and province.broadcast_max == 30
    assert province.share(Direction.CROSS_PROVINCE) == 0.05
    assert s.traffic.documents.types[1][1] == 0.3 and s.traffic.documents.priorities[1] == 0.1
    assert s.signing.algorithm == "ecdsa-p256" and s.signing.adoption(Level.COMMUNE).signer == 0.25
    assert s.hubs.default.workers == 3 and s.hubs.default.service_ms == pytest.approx(300.0)
    assert s.hubs.capacity("axis", True).workers == 16
    assert s.hubs.capacity("lgsp-h01", False).service_ms == 500
    assert s.links.mbps == 0 and s.status.reject_share == 0.1
    assert s.faults.max_attempts == 5 and s.faults.never_sign == ("000.00.00.H01",)
    assert s.faults.hub_outages[0].start == datetime(2025, 7, 7, 9)
    assert s.faults.agency_outages[0].hours == 1.5
    assert s.crypto.kind is CryptoKind.SAMPLE and s.crypto.sample == 50
    assert s.calibration[0].measure is Measure.DOCUMENTS_SENT


def test_builtin_default_is_a_week_of_vn_2025() -> None:
    """The default scenario is one week of vn-2025."""
    s = builtin_scenario()
    assert (s.topology, s.period.days) == ("vn-2025", 7)


@pytest.mark.parametrize(("text", "code", "key", "words"), [
    ("seed = ", "DF-SCN-001", None, "not valid TOML"),
    ("[period]\ndays = 7\nstrat = 2025-01-01\n", "DF-SCN-002", "period.strat",
     "did you mean 'start'"),
    ("[traffic.comune]\nper_day = 1\n", "DF-SCN-002", "traffic.comune", "did you mean 'commune'"),
    ("[period]\ndays = \"seven\"\n", "DF-SCN-003", "period.days", "whole number"),
    ("[period]\ndays = 0\n", "DF-SCN-004", "period.days", "allowed: [1, 3660]"),
    ("[traffic.province]\nbroadcast = 1.5\n", "DF-SCN-004", "traffic.province.broadcast",
     "allowed: [0, 1]"),
    ("[traffic.province]\nmix = { down = 0.5, up = 0.2 }\n", "DF-SCN-005",
     "traffic.province.mix", "must add up to 1"),
    ("[traffic.province]\nmix = { downward = 1.0 }\n", "DF-SCN-004",
     "traffic.province.mix.downward", "allowed: down, up, lateral"),
    ("[signing]\nalgorithm = \"rsa-sha1\"\n", "DF-SCN-004", "signing.algorithm",
     "allowed: rsa-sha256"),
    ("[crypto]\nmode = \"sampel:10\"\n", "DF-SCN-004", "crypto.mode", "allowed: model"),
    ("[crypto]\nmode = \"sample:x\"\n", "DF-SCN-004", "crypto.mode", "sample:N"),
    ("[topology]\npreset = \"tiny\"\nfile = \"t.json\"\n", "DF-SCN-007", "topology.file",
     "not both"),
    ("[hubs]\nservice_ms = 10\ncapacity_per_hour = 100\n", "DF-SCN-007",
     "hubs.capacity_per_hour", "not both"),
    ("[calendar]\nhours = [\"11:30-07:30\"]\n", "DF-SCN-004", "calendar.hours[0]",
     "HH:MM-HH:MM"),
    ("[calendar]\nweekdays = [\"monday\", \"funday\"]\n", "DF-SCN-004", "calendar.weekdays[1]",
     "allowed: mon"),
    ("[[faults.hub_outage]]\nhub = \"axis\"\nstart = 2025-07-07\nhours = 1\n", "DF-SCN-003",
     "faults.hub_outage[0].start", "date-time"),
    ("[[calibration]]\nfigure = \"x\"\npublished = 1\nmeasure = \"documents\"\n",
     "DF-SCN-004", "calibration[0].measure", "allowed: documents_sent"),
    ("[status]\nreject_share = true\n", "DF-SCN-003", "status.reject_share", "a number"),
])
def test_errors_name_key_value_and_allowed(text: str, code: str, key: str | None,
                                           words: str) -> None:
    """Each bad scenario raises ConfigError with its code, the dotted key and the allowed."""
    with pytest.raises(ConfigError) as err:
        parse_scenario(text.encode(), file="bad.toml")
    assert err.value.code == code
    assert err.value.location.file == "bad.toml"
    assert err.value.location.key == key
    assert words in str(err.value)


def test_not_utf8_and_empty_files() -> None:
    """Bytes that are not UTF-8 and empty files are refused with a code, not a traceback."""
    with pytest.raises(ConfigError) as err:
        parse_scenario(b"name = \"\xff\"\n")
    assert err.value.code == "DF-SCN-001"
    with pytest.raises(InputError) as empty:
        parse_scenario(b"  \n")
    assert empty.value.code == "DF-IO-003"


def test_toml_error_points_at_the_line(tmp_path: Path) -> None:
    """A TOML syntax error gives the file and the line."""
    path = tmp_path / "s.toml"
    path.write_text("seed = 1\n[period]\ndays = = 3\n")
    with pytest.raises(ConfigError) as err:
        read_scenario(path)
    assert err.value.location.line == 3 and err.value.location.file == str(path)


def test_fixture_scenarios_all_parse() -> None:
    """Every scenario shipped in fixtures/scenarios reads without error."""
    files = sorted(Path(__file__).parents[2].joinpath("fixtures", "scenarios").glob("*.toml"))
    for path in files:
        read_scenario(path)
