"""The model side of docflow load: the simulator's FIFO stage on a run's real arrivals."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from markupsafe import escape

from docflow.axis.load_model import model_comparison, predict_latency
from docflow.axis.load_output import Compared, ComparedQuantiles, LoadSummary, Quantiles
from docflow.axis.load_plan import LoadConfig, LoadPlan, Planned
from docflow.axis.load_run import LoadResult, Record
from docflow.axis.load_summary import build_load_summary
from docflow.cli import cli
from docflow.errors import CATALOGUE
from docflow.jsonmodel import JsonModel
from docflow.levels import Level
from docflow.outputs import OutputSchema
from docflow.report.load import comparison_rows, render_load
from docflow.sim.run import load_scenario
from docflow.sim.setup import prepare
from tests.sim.test_summary_model import _same_shape

from .live import Server
from .test_load import SCENARIO, tiny_pki, tiny_server

__all__ = ["tiny_pki", "tiny_server"]  # the live fixtures of test_load, shared


def _result(due: list[float], acked: list[float], statuses: tuple[float, ...] = ()
            ) -> LoadResult:
    records = tuple(Record(Planned(d, "A", ("B",), "province", (False,), b""), acked_s=a, id=i)
                    for i, (d, a) in enumerate(zip(due, acked, strict=True)))
    return LoadResult(records, 0.0, max(acked), max(acked), len(due), 0, statuses)


def test_one_worker_queues_a_burst_in_order() -> None:
    """Three documents due at once, 100 ms each, one worker: acknowledged after 0.1, 0.2 and
    0.3 s in the model, as a single-server FIFO queue serves them."""
    model = model_comparison(_result([0.0, 0.0, 0.0], [0.1, 0.25, 0.4]), service_ms=100,
                             workers=1)
    assert model.ack_latency_s.predicted == Quantiles(0.2, 0.29, 0.298)
    assert model.ack_latency_s.measured.p50 == 0.25
    assert model.throughput_per_s.predicted == 10.0  # 3 documents by 0.3 s
    assert model.throughput_per_s.measured == 7.5  # 3 documents by the last answer, at 0.4 s
    slower = model_comparison(_result([0.0, 0.0, 0.0], [0.1, 0.25, 0.4]), service_ms=100,
                              workers=1, transit_ms=50)
    # The transit (TLS, HTTP, the commit) adds to each message's time, not to the queue.
    assert slower.ack_latency_s.predicted == Quantiles(0.25, 0.34, 0.348)
    assert slower.transit_ms == 50.0 and slower.throughput_per_s.predicted == 8.571


def test_two_workers_and_status_messages_share_the_queue() -> None:
    """Two workers halve the burst; a status message sent in between takes a worker too."""
    two = model_comparison(_result([0.0, 0.0, 0.0, 0.0], [0.1] * 4), service_ms=100,
                           workers=2)
    assert two.ack_latency_s.predicted == Quantiles(0.15, 0.2, 0.2)
    busy = model_comparison(_result([0.0, 0.05], [0.1, 0.2], statuses=(0.01,)),
                            service_ms=100, workers=1)
    # The status (0.01) is served before the second document (0.05), which leaves at 0.3,
    # 0.25 after it was due (0.15 without the status).
    p99 = busy.ack_latency_s.predicted.p99
    assert p99 is not None and 0.24 <= p99 <= 0.25
    assert busy.messages == 3 and busy.status_messages == 1


def test_transit_is_added_to_every_latency_and_does_not_queue() -> None:
    """The transit (TLS, HTTP, commit) delays each acknowledgement but holds no worker: two
    messages 50 ms apart with a 10 ms service never wait, whatever the transit."""
    latency = predict_latency(np.array([0.05, 0.0]), service_ms=10, workers=1, transit_ms=30)
    assert latency.tolist() == pytest.approx([0.04, 0.04])
    model = model_comparison(_result([0.0, 0.05], [0.04, 0.09]), service_ms=10, workers=1,
                             transit_ms=30)
    assert model.transit_ms == 30
    assert model.ack_latency_s.predicted.p50 == pytest.approx(0.04)
    assert model.throughput_per_s.predicted == pytest.approx(2 / 0.09, rel=1e-3)


def test_a_small_load_run_puts_prediction_beside_measurement(
        tiny_server: Server, tiny_pki: Path, tmp_path: Path) -> None:
    """docflow load with the model's parameters, at small scale (a few seconds, a few dozen
    documents): summary.json holds both columns, predicted and measured, for the throughput
    and each latency percentile, and the command prints them side by side."""
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, [
        "load", str(SCENARIO), "--url", tiny_server.url, "--pki", str(tiny_pki),
        "--rate-scale", "2400", "--duration", "2", "--drain", "60", "--max-kb", "8",
        "--max-documents", "40", "--model-service-ms", "4", "--model-transit-ms", "6",
        "--out", str(out), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    model = LoadSummary.from_json((out / "summary.json").read_bytes()).model
    assert model is not None
    assert model.service_ms == 4 and model.transit_ms == 6 and model.workers == 1
    assert 0 < model.documents <= 40
    for rate in (model.throughput_per_s.predicted, model.throughput_per_s.measured):
        assert rate is not None and rate > 0
    for q in (model.ack_latency_s.predicted, model.ack_latency_s.measured):
        assert q.p50 is not None and q.p95 is not None and q.p99 is not None
        assert 0 < q.p50 <= q.p95 <= q.p99
    # Every predicted latency is at least the service plus the transit.
    predicted_p50 = model.ack_latency_s.predicted.p50
    assert predicted_p50 is not None and predicted_p50 >= 0.010
    assert "predicted vs" in result.output and "s measured" in result.output


def test_measured_transits_are_drawn_per_message_from_a_seed() -> None:
    """Given the transits of messages sent alone, each message draws one of them: the same
    seed gives the same prediction, and every latency is service plus one measured transit."""
    arrivals = np.arange(200) * 0.1  # never queued: 100 ms apart, 10 ms service
    measured = np.array([2.0, 5.0, 40.0])
    first = predict_latency(arrivals, service_ms=10, workers=1, transit_ms=measured, seed=4)
    again = predict_latency(arrivals, service_ms=10, workers=1, transit_ms=measured, seed=4)
    assert first.tolist() == again.tolist()
    assert set(np.round((first - 0.010) * 1000, 6)) == {2.0, 5.0, 40.0}


def test_each_level_is_compared_on_its_own_documents() -> None:
    """Documents of two levels share one queue; each level's prediction and measurement are
    read from its own documents' departures and acknowledgements."""
    records = (Record(Planned(0.0, "A", ("B",), "central", (False,), b""), acked_s=0.1, id=1),
               Record(Planned(0.0, "C", ("B",), "commune", (False,), b""), acked_s=0.5, id=2))
    model = model_comparison(LoadResult(records, 0.0, 0.5, 0.5, 2, 0), service_ms=100,
                             workers=1)
    assert list(model.levels) == [Level.CENTRAL, Level.COMMUNE]
    central, commune = model.levels.values()
    assert central.ack_latency_s.predicted.p50 == 0.1  # served first
    assert commune.ack_latency_s.predicted.p50 == 0.2  # waited for the central one
    assert central.ack_latency_s.measured.p50 == 0.1 and commune.ack_latency_s.measured.p50 == 0.5
    assert commune.throughput_per_s.predicted == 5.0 and commune.throughput_per_s.measured == 2.0
    assert commune.throughput_per_s.ratio == 2.5


def test_the_load_model_and_its_json_schema_name_the_same_fields() -> None:
    """Every object of load.schema.json has exactly the model's keys, required where the model
    has no default: LoadSummary and the published schema cannot drift apart."""
    schema = OutputSchema.LOAD.json_schema()
    assert issubclass(LoadSummary, JsonModel)
    assert _same_shape(schema, schema, LoadSummary, "") > 20


def test_the_load_report_names_refusals_and_marks_a_missed_prediction() -> None:
    """A load whose axis refused a document shows each code with its meaning from the
    catalogue; a prediction more than 10 % from the measurement is marked, one within is not;
    a run without a prediction says how to get one."""
    scenario = load_scenario(Path(__file__).parent / "data" / "tiny-load.toml")
    topology = prepare(scenario)
    codes = [a.code for a in topology.agencies]
    planned = [Planned(0.1 * i, codes[i], (codes[i + 1],), topology.agencies[i].level.value,
                       (False,), b"") for i in range(3)]
    records = (Record(planned[0], acked_s=0.2, id=1, delivered_s={codes[1]: 0.5}),
               Record(planned[1], acked_s=0.3, refused=("DF-AXS-005",)),
               Record(planned[2], acked_s=0.4, refused=("DF-AXS-005",)))
    plan = LoadPlan(tuple(planned), {a.code: a.level.value for a in topology.agencies}, 0, 60.0)
    result = LoadResult(records, 0.0, 1.0, 0.4, 5, 0)
    config = LoadConfig("https://127.0.0.1:1", Path("pki"), statuses=False)
    summary = build_load_summary(scenario, topology, plan, result, config)
    assert summary.load.refused == {"DF-AXS-005": 2} and summary.model is None
    page = render_load(summary)
    assert "<code>DF-AXS-005</code>" in page
    assert str(escape(CATALOGUE["DF-AXS-005"].summary)) in page
    assert 'id="no-model"' in page and 'class="comparison"' not in page

    model = model_comparison(result, service_ms=100, workers=1)
    near = replace(model, throughput_per_s=Compared(10.0, 10.5),
                   ack_latency_s=ComparedQuantiles(Quantiles(0.1, 0.1, 0.1),
                                                   Quantiles(0.1, 0.2, 0.105)))
    rows = comparison_rows(replace(summary, model=near))
    assert [(r.figure, r.off) for r in rows[:4]] == [
        ("Throughput", False), ("Acknowledgement p50", False), ("Acknowledgement p95", True),
        ("Acknowledgement p99", False)]
    assert rows[2].difference.startswith("−") and rows[2].ratio == "0.50"
