"""The worker pool: real spawned processes render the same PDFs as this process, to disk."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

import reports.pipeline.pool as pool
from reports.chart import summary_view
from reports.errors import RenderError
from reports.models import Assessment, Roster, Team
from reports.pipeline.pool import SheetJob, SummaryJob, render_jobs
from reports.render import Renderer
from reports.rules import assess
from reports.settings import RenderSettings, RuleSettings

from conftest import TODAY, make_athlete, make_incident, quick_templates, weeks_of

RULES = RuleSettings()
TEAM = Team(name="Harbor Harriers", coach="Dana Brooks")


def assessments(count: int) -> list[Assessment]:
    """`count` athletes with different weeks, some with cramps, assessed."""
    people = [
        make_athlete(
            name=f"Runner {i:02d}",
            weeks=weeks_of([20 + (i * w) % 7 for w in range(8)]),
            incidents=(make_incident(3 + i, when="during"),) if i % 3 == 0 else (),
        )
        for i in range(count)
    ]
    return [assess(a, RULES, TODAY, "miles") for a in people]


def jobs_into(folder: Path, items: list[Assessment]) -> list[SheetJob]:
    """One job per assessment, each PDF named for its athlete."""
    folder.mkdir(parents=True, exist_ok=True)
    return [SheetJob(TEAM, a, TODAY, RULES, folder / f"{a.athlete.key}.pdf") for a in items]


def text_of(path: Path) -> str:
    """A PDF's text, whitespace folded."""
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> RenderSettings:
    """Settings that send even a handful of sheets to two worker processes."""
    monkeypatch.setattr(pool, "POOL_THRESHOLD", 2)
    return RenderSettings(workers=2)


def test_the_pool_writes_the_same_sheets_and_summary_as_this_process(
    tmp_path: Path, pooled: RenderSettings
) -> None:
    """Same athletes, built-in templates: every PDF, summary included, reads the same both ways."""
    items = assessments(4)
    roster = Roster("harbor.xlsx", TEAM, tuple(a.athlete for a in items), TODAY)
    renderer = Renderer()
    for where, settings in (("here", RenderSettings(workers=1)), ("pool", pooled)):
        summary = SummaryJob(summary_view(roster, items, RULES), tmp_path / where / "summary.pdf")
        render_jobs(jobs_into(tmp_path / where, items), renderer, settings, summary=summary)
    names = sorted(p.name for p in (tmp_path / "here").glob("*.pdf"))
    assert names == sorted(p.name for p in (tmp_path / "pool").glob("*.pdf"))
    assert len(names) == 5
    for name in names:
        assert text_of(tmp_path / "here" / name) == text_of(tmp_path / "pool" / name), name
    assert "Runner 03" in text_of(tmp_path / "pool" / "summary.pdf")


def test_progress_counts_sheets_as_workers_finish_them(
    tmp_path: Path, pooled: RenderSettings
) -> None:
    """One call per sheet, counting up to the total; the summary is not a sheet."""
    calls: list[tuple[int, int]] = []
    items = assessments(5)
    roster = Roster("harbor.xlsx", TEAM, tuple(a.athlete for a in items), TODAY)
    renderer = Renderer(quick_templates(tmp_path / "templates"))
    summary = SummaryJob(summary_view(roster, items, RULES), tmp_path / "out" / "summary.pdf")
    render_jobs(
        jobs_into(tmp_path / "out", items),
        renderer,
        pooled,
        progress=lambda d, t: calls.append((d, t)),
        summary=summary,
    )
    assert calls == [(n, 5) for n in range(1, 6)]
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 6


def test_the_summary_is_rendered_alone_before_any_sheet(
    tmp_path: Path, pooled: RenderSettings
) -> None:
    """Its process has the machine to itself: stopped once it is written, no sheet was started."""
    written: list[Path] = []
    items = assessments(6)
    roster = Roster("harbor.xlsx", TEAM, tuple(a.athlete for a in items), TODAY)
    summary = SummaryJob(summary_view(roster, items, RULES), tmp_path / "out" / "summary.pdf")
    render_jobs(
        jobs_into(tmp_path / "out", items),
        Renderer(),
        pooled,
        stop=lambda: bool(written),
        summary=summary,
        written=lambda job: written.append(job.pdf),
    )
    assert written == [summary.pdf]
    assert [p.name for p in (tmp_path / "out").glob("*.pdf")] == ["summary.pdf"]


def test_workers_replaced_after_their_quota_still_render_every_sheet(
    tmp_path: Path, pooled: RenderSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two sheets per worker before it is replaced, seven sheets still all arrive."""
    monkeypatch.setattr(pool, "TASKS_PER_WORKER", 2)
    renderer = Renderer(quick_templates(tmp_path / "templates"))
    jobs = jobs_into(tmp_path / "out", assessments(7))
    render_jobs(jobs, renderer, pooled)
    assert all(job.pdf.is_file() and job.pdf.read_bytes().startswith(b"%PDF") for job in jobs)


def test_a_template_error_in_a_worker_is_a_render_error_naming_the_file(
    tmp_path: Path, pooled: RenderSettings
) -> None:
    """A coach's broken template fails the batch with the same message as in this process."""
    folder = quick_templates(tmp_path / "templates")
    (folder / "athlete.html").write_text("<p>\n{{ athlete.nmae }}</p>\n")
    with pytest.raises(RenderError, match=r"templates/athlete\.html, line 2: .*nmae"):
        render_jobs(jobs_into(tmp_path / "out", assessments(4)), Renderer(folder), pooled)


def test_a_stop_ends_the_pool_early_without_half_written_files(
    tmp_path: Path, pooled: RenderSettings
) -> None:
    """After `stop()` turns true no new sheet starts; whatever is on disk is whole."""
    done: list[int] = []
    renderer = Renderer(quick_templates(tmp_path / "templates"))
    jobs = jobs_into(tmp_path / "out", assessments(40))
    render_jobs(
        jobs, renderer, pooled, progress=lambda d, t: done.append(d), stop=lambda: bool(done)
    )
    written = list((tmp_path / "out").iterdir())
    assert 1 <= len(written) < 40
    assert all(p.suffix == ".pdf" and p.read_bytes().startswith(b"%PDF") for p in written)
