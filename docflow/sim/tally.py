"""Running totals of a run: counters, hourly series and latency histograms, added per window.

The engine never keeps per-message records past the window that produced them; everything the
summary reports is accumulated here with ``bincount`` over whole arrays. Memory is fixed by the
topology and the number of simulated hours, not by the traffic.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from docflow.metrics.coverage import CoverageTable
from docflow.sim.histogram import LatencyHistograms
from docflow.topology.arrays import LEVEL_ORDER
from docflow.traffic.calendar import HOUR_US

__all__ = ["DOC", "STATUS", "Tally", "add_hourly"]

DOC, STATUS = 0, 1
"""Message classes: index into the per-class arrays."""

N_LEVELS = len(LEVEL_ORDER)
I64 = npt.NDArray[np.int64]


def add_hourly(target: npt.NDArray[np.float64] | I64, rows: npt.NDArray[np.integer],
               t_us: I64, weights: npt.NDArray[np.float64] | None = None) -> None:
    """Add one per message (or ``weights``) to ``target[row, hour of t]``.

    Only the span of hours the batch covers is counted, so a window costs its own size, not the
    length of the run; hours past the end of ``target`` go to its last column.

    >>> a = np.zeros((2, 5), np.int64)
    >>> add_hourly(a, np.array([0, 1, 1]), np.array([0, HOUR_US, HOUR_US * 9]))
    >>> a.tolist()
    [[1, 0, 0, 0, 0], [0, 1, 0, 0, 1]]
    """
    if len(t_us) == 0:
        return
    n_rows, n_hours = target.shape
    hour = np.minimum(t_us // HOUR_US, n_hours - 1)
    lo, hi = int(hour.min()), int(hour.max())
    span = hi - lo + 1
    flat = rows.astype(np.int64) * span + (hour - lo)
    counts = np.bincount(flat, weights=weights, minlength=n_rows * span).reshape(n_rows, span)
    target[:, lo:hi + 1] += counts.astype(target.dtype, copy=False)


class Tally:
    """Everything a run counts; see :mod:`docflow.sim.summary` for how it is reported."""

    def __init__(self, n_hubs: int, n_lanes: int, n_hours: int) -> None:
        self.n_hubs = n_hubs
        self.n_hours = n_hours
        L, H = N_LEVELS, n_hubs
        z = np.zeros
        self.sent = z(L, np.int64)
        self.sent_hub = z(H, np.int64)
        self.deliveries = z(L, np.int64)
        self.deliveries_hub = z(H, np.int64)
        self.delivered = z(L, np.int64)
        self.delivered_hub = z(H, np.int64)
        self.lost = z(L, np.int64)
        self.lost_hub = z(H, np.int64)
        self.received = z(L, np.int64)
        """Deliveries completed, by the receiver's level."""
        self.accepted = z(L, np.int64)
        """Status 03 received by senders, by the sender's level."""
        self.rejected = z(L, np.int64)
        self.lost_at_agency = 0
        """Deliveries lost because the receiving agency stayed down past the retry limit."""
        self.status_lost_at_agency = 0
        """Status messages lost the same way (the document's sender stayed down)."""
        # latency groups: delivery by sender level, by receiver level, acceptance by sender
        # level, delivery by sender hub, acceptance by sender hub
        self.hist = LatencyHistograms(3 * L + 2 * H)
        """Latencies to delivery (and to reception by level)."""
        self.hist_accept = LatencyHistograms(3 * L + 2 * H)
        """Latencies to acceptance, in the same group numbering; a histogram of its own because
        status messages are counted by another thread than documents."""
        self.sent_hourly = z((L, n_hours), np.int64)
        self.delivered_hourly = z((L, n_hours), np.int64)
        # per class (documents, status): per hub and hour (arrivals accepted, service starts,
        # busy worker-µs by start hour, messages starting to retry, messages done retrying),
        # and per lane (messages, busy µs, waiting µs)
        self.hub_hourly = z((2, 5, H, n_hours), np.int64)
        self.lane_stats = z((2, 3, n_lanes), np.int64)
        self.lane_refused = z((2, n_lanes), np.int64)
        self.lane_dead = z((2, n_lanes), np.int64)
        self.lane_peak = z((2, n_lanes), np.int64)
        # status messages by code 0-6 (index 0 unused)
        self.status_sent = z(7, np.int64)
        self.status_delivered = z(7, np.int64)
        self.status_lost = z(7, np.int64)
        self.unanswered = 0
        self.doc_types = z(64, np.int64)
        self.priorities = z(5, np.int64)
        self.directions = z(8, np.int64)
        self.coverage_level = CoverageTable()
        self.coverage_hub = CoverageTable()
        self.in_flight_end = 0
        """Messages still in flight when the simulation horizon ran out."""
        self.in_flight_by_class = (0, 0)
        """:attr:`in_flight_end` split into deliveries of documents and status messages."""
        self.after_horizon = [0, 0]
        """Per class, messages whose service ended past the horizon: in flight at the end,
        not delivered (each written by its own thread)."""
        self.last_event = [0, 0]
        """Latest event time per class (documents, status), each written by its own thread."""

    @property
    def last_event_us(self) -> int:
        """The run's last event (a departure, delivery or status arrival)."""
        return max(self.last_event)

    @property
    def lane_count(self) -> I64:
        """Messages served, per class and lane."""
        return self.lane_stats[:, 0]

    @property
    def lane_busy(self) -> I64:
        """Busy worker-µs, per class and lane."""
        return self.lane_stats[:, 1]

    @property
    def lane_wait(self) -> I64:
        """µs spent waiting for a worker, per class and lane."""
        return self.lane_stats[:, 2]
