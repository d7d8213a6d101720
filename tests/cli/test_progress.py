"""The progress renderer (``docflow.cli.progress``): a redrawn bar with done/total and ETA on a
terminal, one line per phase anywhere else, notices on lines of their own."""

from __future__ import annotations

import io

from docflow.cli.progress import ProgressLine
from docflow.progress import counted


class _Clock:
    """Seconds that a test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_log_gets_one_line_per_phase_with_counts_and_time() -> None:
    """Not a terminal: no carriage return, no bar; each phase is one line when it ends, with
    done/total (or done alone) and the seconds it took to its last report."""
    out, clock = io.StringIO(), _Clock()
    with ProgressLine(out, tty=False, clock=clock) as line:
        for day in range(1, 8):
            clock.now += 0.5
            line("simulating 7 days + drain", day, 27)
        line("simulating 7 days + drain", 7, 7)  # drained early: the total comes down
        clock.now += 9.0  # the next phase reports first after a long wait
        line("signing", 0, 40)
        clock.now += 2.0
        line("signing", 40, 40)
        line("importing", 500, None)
    assert out.getvalue() == ("simulating 7 days + drain: 7/7 in 3.0 s\n"
                              "signing: 40/40 in 2.0 s\n"
                              "importing: 500 in 0.0 s\n")


def test_a_terminal_gets_a_bar_with_the_time_left() -> None:
    """On a terminal the line is redrawn in place with a bar, done/total, the share and the
    ETA from the rate so far; a phase ends with its line kept and a newline."""
    out, clock = io.StringIO(), _Clock()
    line = ProgressLine(out, tty=True, clock=clock)
    line("verifying", 0, 100)
    clock.now += 30.0
    line("verifying", 25, 100)
    frames = out.getvalue().split("\r")[1:]
    assert frames[0].startswith("verifying  [------------------------]  0/100")
    assert "ETA -:--:--" in frames[0]
    assert frames[1].startswith("verifying  [######------------------]  25/100   25%")
    assert frames[1].rstrip().endswith("ETA 0:01:30")  # 30 s for 25: 90 s for the other 75
    clock.now += 90.0
    line("verifying", 100, 100)
    line.close()
    assert out.getvalue().endswith("100/100  100%  in 0:02:00\n")
    assert "\n" not in out.getvalue()[:-1]  # one line, redrawn


def test_redraws_are_limited_but_the_last_state_is_always_drawn() -> None:
    """A phase of many quick steps draws at most ten frames a second, and always its end."""
    out, clock = io.StringIO(), _Clock()
    line = ProgressLine(out, tty=True, clock=clock)
    for done in range(1, 1001):
        clock.now += 0.001
        line("importing", done, 1000)
    frames = out.getvalue().count("\r")
    assert 2 <= frames <= 13
    assert "1,000/1,000" in out.getvalue().split("\r")[-1]


def test_a_notice_stays_on_its_own_line() -> None:
    """A notice in the middle of a phase ends the drawn line first, so it never lands inside
    the bar; the phase goes on, redrawn on the line below."""
    out, clock = io.StringIO(), _Clock()
    with ProgressLine(out, tty=True, clock=clock) as line:
        line("simulating 7 days + drain", 1, 27)
        line.note("compiling the engine, once…")
        clock.now += 1.0
        line("simulating 7 days + drain", 2, 27)
    lines = out.getvalue().split("\n")
    assert lines[1] == "compiling the engine, once…"
    assert lines[0].startswith("\rsimulating") and lines[2].startswith("\rsimulating")


def test_a_shorter_frame_wipes_what_the_longer_one_left() -> None:
    """Each frame is padded to the previous frame's width, so no stale characters remain."""
    out, clock = io.StringIO(), _Clock()
    line = ProgressLine(out, tty=True, clock=clock)
    line("importing", 1_000_000, None)
    clock.now += 1.0
    line("importing", 1, None)  # not a real sequence; a narrower frame
    first, second = out.getvalue().split("\r")[1:]
    assert len(second) == len(first)


def test_counted_turns_increments_into_running_totals() -> None:
    """``counted`` adds up the chunks a loop reports and passes the phase and total along;
    ``None`` stays ``None``."""
    seen: list[tuple[str, int, int | None]] = []
    step = counted(lambda *a: seen.append(a), "issuing certificates", 20)
    assert step is not None
    step(8)
    step(12)
    assert seen == [("issuing certificates", 8, 20), ("issuing certificates", 20, 20)]
    assert counted(None, "anything") is None
