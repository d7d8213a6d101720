"""The model side of docflow load: the simulator's FIFO stage on a run's real arrivals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from docflow.axis.load_model import model_comparison, predict_latency
from docflow.axis.load_plan import Planned
from docflow.axis.load_run import LoadResult, Record
from docflow.cli import cli

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
    assert model["ack_latency_s"]["predicted"] == {"p50": 0.2, "p95": 0.29, "p99": 0.298}
    assert model["ack_latency_s"]["measured"]["p50"] == 0.25
    assert model["throughput_per_s"]["predicted"] == 10.0  # 3 documents by 0.3 s


def test_two_workers_and_status_messages_share_the_queue() -> None:
    """Two workers halve the burst; a status message sent in between takes a worker too."""
    two = model_comparison(_result([0.0, 0.0, 0.0, 0.0], [0.1] * 4), service_ms=100,
                           workers=2)
    assert two["ack_latency_s"]["predicted"] == {"p50": 0.15, "p95": 0.2, "p99": 0.2}
    busy = model_comparison(_result([0.0, 0.05], [0.1, 0.2], statuses=(0.01,)),
                            service_ms=100, workers=1)
    # The status (0.01) is served before the second document (0.05), which leaves at 0.3,
    # 0.25 after it was due (0.15 without the status).
    assert 0.24 <= busy["ack_latency_s"]["predicted"]["p99"] <= 0.25
    assert busy["messages"] == 3 and busy["status_messages"] == 1


def test_transit_is_added_to_every_latency_and_does_not_queue() -> None:
    """The transit (TLS, HTTP, commit) delays each acknowledgement but holds no worker: two
    messages 50 ms apart with a 10 ms service never wait, whatever the transit."""
    latency = predict_latency(np.array([0.05, 0.0]), service_ms=10, workers=1, transit_ms=30)
    assert latency.tolist() == pytest.approx([0.04, 0.04])
    model = model_comparison(_result([0.0, 0.05], [0.04, 0.09]), service_ms=10, workers=1,
                             transit_ms=30)
    assert model["transit_ms"] == 30
    assert model["ack_latency_s"]["predicted"]["p50"] == pytest.approx(0.04)
    assert model["throughput_per_s"]["predicted"] == pytest.approx(2 / 0.09, rel=1e-3)


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
    model = json.loads((out / "summary.json").read_text("utf-8"))["load"]["model"]
    assert model["service_ms"] == 4 and model["transit_ms"] == 6 and model["workers"] == 1
    assert 0 < model["documents"] <= 40
    for side in ("predicted", "measured"):
        assert model["throughput_per_s"][side] > 0
        percentiles = model["ack_latency_s"][side]
        assert 0 < percentiles["p50"] <= percentiles["p95"] <= percentiles["p99"]
    # Every predicted latency is at least the service plus the transit.
    assert model["ack_latency_s"]["predicted"]["p50"] >= 0.010
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
