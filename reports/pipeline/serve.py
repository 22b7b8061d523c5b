"""The scheduled loop: a pass on an interval or at a daily time, until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime
from types import FrameType

import schedule

from reports import inbox
from reports.pipeline.passes import PassResult, ensure_folders, run_pass
from reports.settings import Settings

log = logging.getLogger(__name__)


class StopRequest:
    """Asks `serve` to stop: a plain flag, safe to set from a signal handler.

    `threading.Event.set` takes a lock the main thread may hold inside `Event.wait` when
    the signal arrives, and the process then waits on itself forever.
    """

    def __init__(self) -> None:
        self.reason = "stop requested"
        self._requested = False
        self._announced = False

    def set(self, reason: str | None = None) -> None:
        """Ask for a stop; no lock, no I/O."""
        if reason:
            self.reason = reason
        self._requested = True

    def is_set(self) -> bool:
        """Whether a stop was asked for (said in the log the first time it is seen)."""
        if self._requested and not self._announced:
            self._announced = True
            log.info("%s: finishing the message in flight, then stopping", self.reason)
        return self._requested

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking soon after a stop is asked for; whether one was."""
        deadline = time.monotonic() + seconds
        while not self.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(left, 0.05))
        return True


def install_stop_handlers(stopping: StopRequest) -> None:
    """SIGINT and SIGTERM ask the loop to finish the message in flight, then exit."""

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        # Only set the flag: logging or taking a lock here can deadlock the main thread.
        stopping.set(f"{signal.Signals(signum).name} received")

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)


def serve(
    settings: Settings,
    stopping: StopRequest,
    *,
    clock: Callable[[], datetime] = datetime.now,
    on_pass: Callable[[PassResult], None] | None = None,
    poll_seconds: float = 0.2,
) -> None:
    """Run passes on the configured schedule until `stopping` is set; a failing pass is logged, not fatal."""
    ensure_folders(settings)
    with inbox.FolderLock(settings.paths.lock, role="serve"):
        scheduler = schedule.Scheduler()

        def one_pass() -> None:
            try:
                result = run_pass(settings, now=clock(), stop=stopping.is_set, locked=True)
            except Exception:  # the loop must outlive any single pass
                log.exception("the pass failed; the next one runs on schedule")
                return
            log.info(
                "pass done: %d workbook(s), %d pending message(s) resent",
                len(result.workbooks),
                result.resent,
            )
            if on_pass:
                on_pass(result)

        every, at = settings.schedule.every_seconds, settings.schedule.at
        if at is not None:
            scheduler.every().day.at(at).do(one_pass)
            log.info("serving %s: a pass every day at %s", settings.paths.root, at)
        else:
            assert every is not None
            scheduler.every(every).seconds.do(one_pass)
            log.info("serving %s: a pass every %d s", settings.paths.root, every)
            one_pass()
        while not stopping.is_set():
            scheduler.run_pending()
            stopping.wait(poll_seconds)
        log.info("stopped cleanly")
