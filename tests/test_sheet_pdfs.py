"""Sheet keys and incremental rendering: a real roster, real PDFs on disk, re-runs that redo only what changed."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import reports.pipeline.pool as pool
from reports.chart import SummaryView, summary_view
from reports.models import DeliveryOutcome
from reports.pipeline.sheet_pdfs import RosterSheets, prepare_sheets, write_batch_manifest
from reports.render import Renderer
from reports.roster import read_roster
from reports.settings import PathSettings, RenderSettings, RuleSettings, Settings

from conftest import Sheets, big_roster, canonical_sheets, quick_templates, write_workbook

SUMMARY = "team-summary.pdf"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Defaults with one-line templates, so each render takes milliseconds."""
    templates = quick_templates(tmp_path / "templates")
    return Settings(
        paths=PathSettings.under(tmp_path),
        render=RenderSettings(templates=templates, workers=1),
    )


def render(settings: Settings, sheets: Sheets, out: Path, **kwargs: Any) -> RosterSheets:
    """Read `sheets` as a workbook, render into `out` and write the manifest, as `render` does."""
    path = write_workbook(out.parent / "roster" / "harbor.xlsx", sheets)
    roster = read_roster(path)
    renderer = Renderer(settings.render.templates, settings.render.page_size)
    prepared = prepare_sheets(roster, settings, renderer, out, **kwargs)
    outcomes = [
        DeliveryOutcome(s.assessment.athlete.name, None, "skipped", "") for s in prepared.sheets
    ]
    write_batch_manifest(prepared, "0" * 64, outcomes)
    return prepared


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each PDF in `folder`: (inode, mtime); a rewritten file changes both."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.pdf")}


def rewritten(before: dict[str, tuple[int, int]], folder: Path) -> list[str]:
    """The PDFs in `folder` that are new or were written again since `before`."""
    return sorted(name for name, stamp in stamps(folder).items() if before.get(name) != stamp)


def with_mileage(sheets: Sheets, name: str, week: date, miles: float) -> Sheets:
    """`sheets` with one athlete's distance for one week changed."""
    row = next(r for r in sheets["Mileage"] if r[0] == name and r[1] == week)
    row[2] = miles
    return sheets


def test_an_unchanged_roster_renders_nothing_and_starts_no_worker(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-run over the same roster rewrites no PDF, not even the summary, and spawns nothing."""
    first = render(settings, canonical_sheets(), tmp_path / "out")
    before = stamps(first.folder)

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started for a roster with nothing to render")

    monkeypatch.setattr(pool, "ProcessPoolExecutor", no_pool)
    monkeypatch.setattr(pool, "POOL_THRESHOLD", 0)
    again = render(settings, canonical_sheets(), tmp_path / "out")
    assert again.rendered == 0
    assert rewritten(before, again.folder) == []
    assert again.summary_key == first.summary_key


def test_one_changed_athlete_re_renders_their_pdf_and_the_summary_only(
    settings: Settings, tmp_path: Path
) -> None:
    """Maya's new mileage: her sheet and the summary (which shows her row) are written again."""
    first = render(settings, canonical_sheets(), tmp_path / "out")
    before = stamps(first.folder)
    changed = with_mileage(canonical_sheets(), "Maya Chen", date(2026, 11, 16), 25)
    again = render(settings, changed, tmp_path / "out")
    assert again.rendered == 1
    assert rewritten(before, again.folder) == ["maya-chen.pdf", SUMMARY]


def test_a_big_roster_keeps_its_summary_when_an_unlisted_athlete_changes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the summary's row limit, a change the summary does not show re-renders one PDF."""
    monkeypatch.setattr("reports.chart.SUMMARY_ROWS", 3)
    sheets = big_roster(8)
    first = render(settings, sheets, tmp_path / "out")
    unlisted = {a["name"] for a in manifest(first.folder)["athletes"]} - {
        row.athlete.name for row in view_of(first).rows
    }
    quiet = sorted(unlisted)[0]
    before = stamps(first.folder)
    again = render(settings, with_mileage(sheets, quiet, date(2026, 9, 28), 21.5), tmp_path / "out")
    assert again.rendered == 1
    assert rewritten(before, again.folder) == [f"{quiet.lower().replace(' ', '-')}.pdf"]


def view_of(prepared: RosterSheets) -> SummaryView:
    """The summary view the pipeline built for these sheets."""
    return summary_view(prepared.roster, [s.assessment for s in prepared.sheets], RuleSettings())


def manifest(folder: Path) -> dict[str, Any]:
    """The manifest in `folder`."""
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return data


@pytest.mark.parametrize(
    "change",
    ["rules", "page size", "template", "version"],
)
def test_every_input_of_a_sheet_is_in_its_key(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """Rule settings, page size, a template file or the package version: every sheet again."""
    first = render(settings, canonical_sheets(), tmp_path / "out")
    if change == "rules":
        settings = dataclasses.replace(settings, rules=RuleSettings(window_days=35))
    elif change == "page size":
        settings = dataclasses.replace(
            settings, render=dataclasses.replace(settings.render, page_size="A4")
        )
    elif change == "template":
        assert settings.render.templates is not None
        (settings.render.templates / "athlete.html").write_text("<p>{{ athlete.name }}!</p>")
    else:
        monkeypatch.setattr("reports.pipeline.sheet_pdfs.__version__", "99.0")
    again = render(settings, canonical_sheets(), tmp_path / "out")
    assert again.rendered == len(first.sheets) == 3
    assert {s.key for s in again.sheets}.isdisjoint(s.key for s in first.sheets)


def test_manifest_records_each_sheet_key_and_the_summary_key(
    settings: Settings, tmp_path: Path
) -> None:
    """The keys a re-run compares against are in the manifest, one per athlete."""
    prepared = render(settings, canonical_sheets(), tmp_path / "out")
    data = manifest(prepared.folder)
    assert data["summary_key"] == prepared.summary_key
    assert {a["id"]: a["sheet_key"] for a in data["athletes"]} == {
        s.athlete_key: s.key for s in prepared.sheets
    }
    assert all(len(s.key) == 64 for s in prepared.sheets)


def test_a_deleted_pdf_is_rendered_again(settings: Settings, tmp_path: Path) -> None:
    """A key in the manifest is not enough: the PDF must be there too."""
    first = render(settings, canonical_sheets(), tmp_path / "out")
    (first.folder / "leo-park.pdf").unlink()
    (first.folder / SUMMARY).unlink()
    again = render(settings, canonical_sheets(), tmp_path / "out")
    assert again.rendered == 1
    assert (again.folder / "leo-park.pdf").is_file() and (again.folder / SUMMARY).is_file()


def test_progress_counts_each_rendered_sheet(settings: Settings, tmp_path: Path) -> None:
    """`progress(done, total)` once per sheet rendered; unchanged sheets and the summary are not counted."""
    calls: list[tuple[int, int]] = []
    render(
        settings, canonical_sheets(), tmp_path / "out", progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]
    calls.clear()
    changed = with_mileage(canonical_sheets(), "Leo Park", date(2026, 11, 16), 20)
    render(settings, changed, tmp_path / "out", progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 1)]


def test_a_stop_before_the_end_skips_the_rest_and_the_summary(
    settings: Settings, tmp_path: Path
) -> None:
    """Once `stop()` is true no further sheet is rendered and no summary is written."""
    done: list[int] = []
    prepared = render(
        settings,
        big_roster(5),
        tmp_path / "out",
        progress=lambda d, t: done.append(d),
        stop=lambda: len(done) >= 2,
    )
    assert done == [1, 2]
    assert len(list(prepared.folder.glob("runner-*.pdf"))) == 2
    assert not (prepared.folder / SUMMARY).exists()


def two_of_a_name(swapped: bool = False) -> Sheets:
    """Maya Chen twice (IDs H1, H3) with different mileage; `swapped` lists H3 first."""
    sheets = canonical_sheets()
    for i, row in enumerate(sheets["Athletes"][1:], start=1):
        row[2] = f"H{i}"
    sheets["Athletes"][3][0] = "Maya Chen"  # Sam is renamed to a second Maya, ID H3
    sheets["Mileage"][0].append("ID")
    for row in sheets["Mileage"][1:]:
        row.append({"Maya Chen": "H1", "Leo Park": "H2", "Sam Ortiz": "H3"}[row[0]])
        row[0] = "Maya Chen" if row[0] == "Sam Ortiz" else row[0]
    if swapped:
        athletes = sheets["Athletes"]
        athletes[1], athletes[3] = athletes[3], athletes[1]
    return sheets


def test_athletes_of_one_name_who_swap_rows_never_get_each_others_pdf(
    settings: Settings, tmp_path: Path
) -> None:
    """When maya-chen.pdf passes from one Maya to the other, both sheets are rendered again."""
    first = render(settings, two_of_a_name(), tmp_path / "out")
    assert {s.athlete_key: s.pdf.name for s in first.sheets} == {
        "H1": "maya-chen.pdf", "H2": "leo-park.pdf", "H3": "maya-chen-2.pdf"
    }  # fmt: skip
    before = stamps(first.folder)
    again = render(settings, two_of_a_name(swapped=True), tmp_path / "out")
    assert {s.athlete_key: s.pdf.name for s in again.sheets} == {
        "H3": "maya-chen.pdf", "H2": "leo-park.pdf", "H1": "maya-chen-2.pdf"
    }  # fmt: skip
    assert rewritten(before, again.folder) == ["maya-chen-2.pdf", "maya-chen.pdf", SUMMARY]


def test_a_renamed_sheet_leaves_no_file_under_its_old_name(
    settings: Settings, tmp_path: Path
) -> None:
    """A manifest naming another file for an athlete: the sheet moves, the old file goes."""
    first = render(settings, canonical_sheets(), tmp_path / "out")
    manifest_path = first.folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["athletes"][0]["pdf"] = "athlete.pdf"  # as names without ASCII letters were
    manifest_path.write_text(json.dumps(manifest))
    (first.folder / "maya-chen.pdf").rename(first.folder / "athlete.pdf")
    again = render(settings, canonical_sheets(), tmp_path / "out")
    assert again.rendered == 1
    assert sorted(p.name for p in again.folder.glob("*.pdf")) == [
        "leo-park.pdf", "maya-chen.pdf", "sam-ortiz.pdf", SUMMARY
    ]  # fmt: skip
