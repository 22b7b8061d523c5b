"""The scheduled loop: a pass on an interval or at a daily time, until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType

import schedule

from reports import inbox
from reports.pipeline.passes import PassResult, ensure_folders, run_pass
from reports.settings import Settings

log = logging.getLogger(__name__)


def install_stop_handlers(stopping: threading.Event) -> None:
    """SIGINT and SIGTERM ask the loop to finish the message in flight, then exit."""

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info(
            "%s received: finishing the message in flight, then stopping",
            signal.Signals(signum).name,
        )
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)


def serve(
    settings: Settings,
    stopping: threading.Event,
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
