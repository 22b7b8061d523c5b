"""Render many sheets: in this process for a few, on a pool of worker processes for many.

Workers are spawned (never forked: WeasyPrint's libraries must not cross a fork), build
their Renderer once, write each PDF themselves and are replaced after `TASKS_PER_WORKER`
sheets. Jobs are handed out a few at a time, so memory does not grow with the roster.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reports import outputs
from reports.chart import SummaryView
from reports.errors import RenderError
from reports.models import Assessment, Team
from reports.render import Renderer
from reports.settings import PageSize, RenderSettings, RuleSettings

log = logging.getLogger(__name__)

# Below this many sheets, starting worker processes costs more than it saves.
POOL_THRESHOLD = 24
# Workers are replaced after this many sheets, a bound on whatever a long run accumulates.
TASKS_PER_WORKER = 2000
# Jobs queued per worker beyond the one it is rendering: enough to never leave it idle.
QUEUED_PER_WORKER = 3
# A sheet leaves cyclic garbage behind; collecting every 700 allocations (Python's default)
# walks the half-built layout over and over. A larger first threshold keeps memory flat.
WORKER_GC_THRESHOLD = 20_000


@dataclass(frozen=True)
class SheetJob:
    """Everything one worker needs to render one athlete's PDF to its final path."""

    team: Team
    assessment: Assessment
    report_date: date
    rules: RuleSettings
    pdf: Path


@dataclass(frozen=True)
class SummaryJob:
    """The team summary's content and where its PDF goes."""

    view: SummaryView
    pdf: Path


Job = SheetJob | SummaryJob
Progress = Callable[[int, int], None]

_worker_renderer: Renderer | None = None
_worker_frozen = False


def _start_worker(templates: Path | None, page_size: PageSize) -> None:
    """Build the worker's Renderer after the process starts (WeasyPrint must not cross a fork)."""
    global _worker_renderer
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])
    _worker_renderer = Renderer(templates, page_size)
    _worker_renderer.prepare()


def _render_in_worker(job: Job) -> Path:
    """Render one job inside a worker and write it to disk there."""
    global _worker_frozen
    assert _worker_renderer is not None, "worker started without a renderer"
    path = _render_one(_worker_renderer, job)
    if not _worker_frozen:
        # After the first sheet every font, stylesheet and cache a worker keeps is built:
        # freezing them spares the collector from walking them again for every sheet.
        gc.collect()
        gc.freeze()
        _worker_frozen = True
    return path


def _render_one(renderer: Renderer, job: Job) -> Path:
    """Render one job and write it atomically."""
    if isinstance(job, SummaryJob):
        pdf = renderer.summary_view_pdf(job.view)
    else:
        pdf = renderer.athlete_pdf(job.team, job.assessment, job.report_date, job.rules)
    outputs.write_output(job.pdf, pdf)
    return job.pdf


def worker_count(render: RenderSettings) -> int:
    """The configured number of workers, or one per usable core."""
    if render.workers:
        return render.workers
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render_jobs(
    jobs: Sequence[SheetJob],
    renderer: Renderer,
    render: RenderSettings,
    *,
    progress: Progress | None = None,
    stop: Callable[[], bool] = lambda: False,
    summary: SummaryJob | None = None,
    written: Callable[[Job], None] = lambda job: None,
) -> None:
    """Render every sheet, then the summary, to disk; stop early (cleanly) if `stop()` turns true.

    `progress(done, total)` counts athlete sheets; the summary is not one of them.
    `written(job)` is called, in this process, as soon as a job's PDF is on disk.
    """
    workers = min(worker_count(render), len(jobs))
    if workers <= 1 or len(jobs) < POOL_THRESHOLD:
        _render_here(jobs, renderer, progress, stop, summary, written)
    else:
        _render_pooled(jobs, renderer, workers, progress, stop, summary, written)


def _render_here(
    jobs: Sequence[SheetJob],
    renderer: Renderer,
    progress: Progress | None,
    stop: Callable[[], bool],
    summary: SummaryJob | None,
    written: Callable[[Job], None],
) -> None:
    """Render in this process, one job after the other."""
    for done, job in enumerate(jobs, 1):
        if stop():
            return
        _render_one(renderer, job)
        written(job)
        if progress:
            progress(done, len(jobs))
    if summary is not None and not stop():
        _render_one(renderer, summary)
        written(summary)


def _render_pooled(
    jobs: Sequence[SheetJob],
    renderer: Renderer,
    workers: int,
    progress: Progress | None,
    stop: Callable[[], bool],
    summary: SummaryJob | None,
    written: Callable[[Job], None],
) -> None:
    """Render the summary on a process of its own, then the sheets on `workers` spawned processes.

    Laying out a summary of hundreds of rows takes a process to about three times a sheet
    worker's memory, which the allocator keeps until the process ends: rendered beside the
    sheet workers, or by one of them, it set the run's peak. Alone and first, its process
    has ended before any sheet worker starts.
    Workers are replaced by running the jobs in generations of `TASKS_PER_WORKER` each, a
    fresh pool per generation: `max_tasks_per_child` can deadlock the pool on Python 3.11.
    """
    items: list[Job] = list(jobs)
    done = [0]

    def finished(job: Job) -> None:
        written(job)
        if job is not summary:
            done[0] += 1
            if progress:
                progress(done[0], len(jobs))

    if summary is not None:
        _generation([summary], renderer, 1, finished, stop)
    generations = -(-len(items) // (workers * TASKS_PER_WORKER))
    step = -(-len(items) // generations)  # equal generations: no pool started for a few jobs
    for start in range(0, len(items), step):
        if stop():
            return
        _generation(items[start : start + step], renderer, workers, finished, stop)


def _generation(
    items: Sequence[Job],
    renderer: Renderer,
    workers: int,
    finished: Callable[[Job], None],
    stop: Callable[[], bool],
) -> None:
    """Render `items` on one pool of fresh workers, a few jobs queued per worker at a time."""
    queue = iter(items)
    pending: dict[Future[Path], Job] = {}
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(renderer.templates, renderer.page_size),
        ) as pool:
            try:
                while not stop():
                    while len(pending) < workers * (1 + QUEUED_PER_WORKER):
                        job = next(queue, None)
                        if job is None:
                            break
                        pending[pool.submit(_render_in_worker, job)] = job
                    if not pending:
                        return
                    complete, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in complete:
                        future.result()
                        finished(pending.pop(future))
            finally:
                for future in pending:  # on stop or error: drop what has not started
                    future.cancel()
    except BrokenProcessPool as err:
        raise RenderError(
            "a rendering process stopped unexpectedly (out of memory, or killed) — "
            "run again: sheets already written are kept"
        ) from err
