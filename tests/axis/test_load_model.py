"""The model side of docflow load: the simulator's FIFO stage on a run's real arrivals."""

from __future__ import annotations

from docflow.axis.load_model import model_comparison
from docflow.axis.load_output import Quantiles
from docflow.axis.load_plan import Planned
from docflow.axis.load_run import LoadResult, Record


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
    assert model.ack_latency.predicted == Quantiles(0.2, 0.29, 0.298)
    assert model.ack_latency.measured.p50 == 0.25
    assert model.throughput.predicted == 10.0  # 3 documents by 0.3 s
    assert model.throughput.measured == 7.5  # 3 documents by the last answer, at 0.4 s


def test_two_workers_and_status_messages_share_the_queue() -> None:
    """Two workers halve the burst; a status message sent in between takes a worker too."""
    two = model_comparison(_result([0.0, 0.0, 0.0, 0.0], [0.1] * 4), service_ms=100,
                           workers=2)
    assert two.ack_latency.predicted == Quantiles(0.15, 0.2, 0.2)
    busy = model_comparison(_result([0.0, 0.05], [0.1, 0.2], statuses=(0.01,)),
                            service_ms=100, workers=1)
    # The status (0.01) is served before the second document (0.05), which leaves at 0.3,
    # 0.25 after it was due (0.15 without the status).
    p99 = busy.ack_latency.predicted.p99
    assert p99 is not None and 0.24 <= p99 <= 0.25
    assert busy.messages == 3 and busy.status_messages == 1


def test_each_level_is_compared_on_its_own_documents() -> None:
    """Documents of two levels share one queue; each level's prediction and measurement are
    read from its own documents' departures and acknowledgements."""
    records = (Record(Planned(0.0, "A", ("B",), "central", (False,), b""), acked_s=0.1, id=1),
               Record(Planned(0.0, "C", ("B",), "commune", (False,), b""), acked_s=0.5, id=2))
    model = model_comparison(LoadResult(records, 0.0, 0.5, 0.5, 2, 0), service_ms=100,
                             workers=1)
    central, commune = model.levels
    assert (central.level, commune.level) == ("central", "commune")
    assert central.ack_latency.predicted.p50 == 0.1  # served first
    assert commune.ack_latency.predicted.p50 == 0.2  # waited for the central one
    assert central.ack_latency.measured.p50 == 0.1 and commune.ack_latency.measured.p50 == 0.5
    assert commune.throughput.predicted == 5.0 and commune.throughput.measured == 2.0
    assert commune.throughput.ratio == 2.5
