"""The batch progress display: a bar on a terminal, periodic log lines elsewhere, on a fake clock."""

from __future__ import annotations

import io
import logging

import pytest

from reports.cli import ProgressPrinter


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_gets_one_redrawn_bar_with_rate_and_time_left() -> None:
    """`\\r` redraws in place; the bar shows done/total, sheets a second and time left."""
    clock, out = Clock(), Terminal()
    show = ProgressPrinter(out, clock=clock)
    show(1, 400)
    for done in (100, 200, 400):
        clock.now += 10
        show(done, 400)
    frames = out.getvalue().split("\r")[1:]
    assert frames[0].startswith("[#######") and "100/400 sheets  9.9/s  0:30 left" in frames[0]
    assert "200/400 sheets" in frames[1] and "0:20 left" in frames[1]
    assert frames[2].startswith("[" + "#" * 30 + "]") and frames[2].endswith("0:00 left\n")


def test_a_batch_that_ends_within_a_second_shows_nothing() -> None:
    """Three quick sheets leave the terminal untouched."""
    clock, out = Clock(), Terminal()
    show = ProgressPrinter(out, clock=clock)
    for done in (1, 2, 3):
        clock.now += 0.2
        show(done, 3)
    assert out.getvalue() == ""


def test_each_roster_is_timed_as_a_batch_of_its_own(caplog: pytest.LogCaptureFixture) -> None:
    """The second roster's rate counts from its own first sheet, not from the first roster."""
    clock = Clock()
    show = ProgressPrinter(io.StringIO(), clock=clock, every=5)
    with caplog.at_level(logging.INFO, logger="reports"):
        show(1, 50)
        clock.now += 100  # a slow first roster
        show(50, 50)
        clock.now += 600  # a long delivery, then the next roster
        show(1, 20)
        clock.now += 2
        show(20, 20)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "50/50 sheets rendered (0.5/s, about 0:00 left)",
        "20/20 sheets rendered (9.5/s, about 0:00 left)",
    ]


def test_off_a_terminal_a_log_line_comes_every_few_seconds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Not a terminal: a plain line at most every `every` seconds, and one at the end."""
    clock = Clock()
    show = ProgressPrinter(io.StringIO(), clock=clock, every=5)
    with caplog.at_level(logging.INFO, logger="reports"):
        show(1, 100)
        for done in range(2, 101):
            clock.now += 0.5
            show(done, 100)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 11  # after 1 s, then every 5 s of a 49.5 s batch, then the end
    assert lines[0] == "3/100 sheets rendered (2.0/s, about 0:49 left)"
    assert lines[-1].startswith("100/100 sheets rendered")
