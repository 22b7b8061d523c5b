"""Render many sheets: in this process for a few, on a pool of worker processes for many."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reports import outputs
from reports.models import Assessment, Team
from reports.render import Renderer
from reports.settings import PageSize, RenderSettings, RuleSettings

log = logging.getLogger(__name__)

# Below this many sheets, starting worker processes costs more than it saves.
POOL_THRESHOLD = 24
# Workers are replaced after this many sheets so WeasyPrint caches cannot grow without bound.
TASKS_PER_WORKER = 400


@dataclass(frozen=True)
class SheetJob:
    """Everything one worker needs to render one athlete's PDF to its final path."""

    team: Team
    assessment: Assessment
    report_date: date
    rules: RuleSettings
    pdf: Path


_worker_renderer: Renderer | None = None


def _start_worker(templates: Path | None, page_size: PageSize) -> None:
    """Build the worker's Renderer after the process starts (WeasyPrint must not cross a fork)."""
    global _worker_renderer
    _worker_renderer = Renderer(templates, page_size)


def _render_in_worker(job: SheetJob) -> Path:
    """Render one sheet inside a worker and write it to disk there."""
    assert _worker_renderer is not None, "worker started without a renderer"
    return _render_one(_worker_renderer, job)


def _render_one(renderer: Renderer, job: SheetJob) -> Path:
    """Render one sheet and write it atomically."""
    pdf = renderer.athlete_pdf(job.team, job.assessment, job.report_date, job.rules)
    outputs.write_atomic(job.pdf, pdf)
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
    progress: Callable[[int, int], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Render every job to disk, stopping early (cleanly) if `stop()` turns true."""
    total = len(jobs)
    workers = min(worker_count(render), total)
    if workers <= 1 or total < POOL_THRESHOLD:
        for done, job in enumerate(jobs, 1):
            if stop():
                return
            _render_one(renderer, job)
            if progress:
                progress(done, total)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(render.templates, render.page_size),
        max_tasks_per_child=TASKS_PER_WORKER,
    ) as pool:
        futures = [pool.submit(_render_in_worker, job) for job in jobs]
        try:
            for done, future in enumerate(futures, 1):
                future.result()
                if progress:
                    progress(done, total)
                if stop():
                    break
        finally:
            for future in futures:
                future.cancel()
