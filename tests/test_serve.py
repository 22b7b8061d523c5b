"""Stopping the scheduled loop: a stop asked for by a signal is seen at once and never blocks."""

from __future__ import annotations

import importlib
import logging
import os
import random
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from reports.pipeline.serve import StopRequest, install_stop_handlers

# The module, not the `serve` function that reports.pipeline exports under the same name.
serving = importlib.import_module("reports.pipeline.serve")


@pytest.fixture
def stop_handlers() -> Iterator[None]:
    """Put back the interpreter's SIGINT and SIGTERM handlers after the test."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def test_sigterm_during_the_wait_stops_it_within_a_fraction_of_a_second(
    stop_handlers: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Signals landing at any moment of the loop's wait end it promptly, every time."""
    caplog.set_level(logging.INFO, logger=serving.__name__)
    random.seed(7)
    for _ in range(30):
        stopping = StopRequest()
        install_stop_handlers(stopping)
        threading.Timer(random.uniform(0, 0.02), os.kill, (os.getpid(), signal.SIGTERM)).start()
        started = time.monotonic()
        while not stopping.wait(0.2):
            assert time.monotonic() - started < 5, "the stop was never seen"
        assert time.monotonic() - started < 0.5
    said = [r.getMessage() for r in caplog.records if "then stopping" in r.getMessage()]
    assert said == ["SIGTERM received: finishing the message in flight, then stopping"] * 30


def test_a_stop_asked_for_in_the_middle_of_the_wait_ends_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A handler runs on the waiting thread itself: setting the flag there must not block."""
    stopping = StopRequest()

    def sleep_then_signal(seconds: float) -> None:
        stopping.set("SIGINT received")  # what a signal arriving during the sleep does

    monkeypatch.setattr(serving.time, "sleep", sleep_then_signal)
    assert stopping.wait(60) is True
    assert stopping.reason == "SIGINT received"


def test_a_wait_with_no_stop_lasts_its_time_and_says_so() -> None:
    """Without a stop, `wait` sleeps for the time asked and returns False."""
    stopping = StopRequest()
    started = time.monotonic()
    assert stopping.wait(0.15) is False
    assert 0.14 <= time.monotonic() - started < 1
