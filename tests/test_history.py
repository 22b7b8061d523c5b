"""What changed since an athlete's last sheet: kept in the ledger, shown on sheet and summary."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reports.config import load_settings
from reports.history import remember, since
from reports.models import Assessment, Finding
from reports.pipeline import render_roster, run_pass
from reports.settings import Settings

from conftest import (
    FIRST_WEEK,
    Sheets,
    canonical_sheets,
    make_athlete,
    make_incident,
    weeks_of,
    write_workbook,
)

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
WEEK_ONE, WEEK_TWO = date(2026, 11, 22), date(2026, 11, 29)


def week_two() -> Sheets:
    """The canonical roster a week later: one more week logged, Leo's distance up, two new cramps."""
    sheets = canonical_sheets()
    for name, miles in (("Maya Chen", 22), ("Leo Park", 40), ("Sam Ortiz", 16)):
        sheets["Mileage"].append(
            [name, FIRST_WEEK + timedelta(weeks=8), miles, round(miles * 0.35, 1)]
        )
    for day in (date(2026, 11, 25), date(2026, 11, 27)):
        sheets["Cramps"].append(
            ["Leo Park", day, "during", "calf", 2, 8, 50, "faster", 16, "N", "Y", 60, "light",
             1, None, None]
        )  # fmt: skip
    return sheets


def drop(settings: Settings, sheets: Sheets, name: str, at: datetime) -> None:
    """Put a workbook in the inbox as if copied there a minute before `at`."""
    path = write_workbook(settings.paths.inbox / name, sheets)
    os.utime(path, (at.timestamp() - 60, at.timestamp() - 60))


def manifest(settings: Settings, day: date) -> dict[str, Any]:
    """The manifest of one report date."""
    path = settings.paths.out / "harbor-harriers" / day.isoformat() / "manifest.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Outbox delivery in a fresh working folder."""
    return load_settings(None, cwd=tmp_path, env={})


def test_second_week_manifest_and_sheet_say_what_changed(settings: Settings) -> None:
    """`since` names the first week's report date and counts the cramps logged after it."""
    drop(settings, canonical_sheets(), "week1.xlsx", NOW)
    run_pass(settings, now=NOW)
    first = {a["name"]: a["since"] for a in manifest(settings, WEEK_ONE)["athletes"]}
    assert first == {"Maya Chen": None, "Leo Park": None, "Sam Ortiz": None}
    later = NOW + timedelta(days=7)
    drop(settings, week_two(), "week2.xlsx", later)
    run_pass(settings, now=later)
    second = {a["name"]: a["since"] for a in manifest(settings, WEEK_TWO)["athletes"]}
    leo = second["Leo Park"]
    assert leo["report_date"] == "2026-11-22"
    assert leo["new_cramps"] == 2
    assert (leo["miles_before"], leo["miles_now"]) == (33, 40)
    assert second["Maya Chen"]["new_cramps"] == 0
    pdf = settings.paths.out / "harbor-harriers" / "2026-11-29" / "leo-park.pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Since your last sheet (Nov 22)" in text
    assert "2 new cramps" in text
    summary = settings.paths.out / "harbor-harriers" / "2026-11-29" / "team-summary.pdf"
    summary_text = " ".join(" ".join(p.extract_text() for p in PdfReader(summary).pages).split())
    assert "WHAT CHANGED" in summary_text.upper()
    assert "2 new cramps; new: see-doctor" in summary_text


def test_a_roster_dropped_out_of_order_compares_with_the_latest_earlier_date(
    settings: Settings,
) -> None:
    """Week two first, then week one: week one's sheet has no earlier sheet to compare with."""
    later = NOW + timedelta(days=7)
    drop(settings, week_two(), "week2.xlsx", NOW)
    run_pass(settings, now=NOW)
    drop(settings, canonical_sheets(), "week1.xlsx", later)
    run_pass(settings, now=later)
    assert all(a["since"] is None for a in manifest(settings, WEEK_ONE)["athletes"])
    assert all(a["since"] is None for a in manifest(settings, WEEK_TWO)["athletes"])


def test_render_keeps_no_ledger_so_since_is_null(settings: Settings, tmp_path: Path) -> None:
    """`render` compares with nothing."""
    roster = write_workbook(tmp_path / "harbor.xlsx", week_two())
    render_roster(roster, tmp_path / "rendered", settings)
    (path,) = (tmp_path / "rendered").glob("*/*/manifest.json")
    assert all(a["since"] is None for a in json.loads(path.read_text())["athletes"])


def test_findings_new_and_resolved_are_named() -> None:
    """A rule that fired only now is new; one that fired only before is resolved."""
    day = date(2026, 11, 22)
    athlete = make_athlete(weeks=weeks_of([20, 20, 30]), incidents=(make_incident(2),))
    before = remember(
        Assessment(athlete, (Finding("warmup", "watch", "…"),), "watch"), day - timedelta(days=7)
    )
    now = Assessment(athlete, (Finding("pacing", "act", "…"),), "high")
    change = since(before, now, day)
    assert (change.new_findings, change.resolved_findings) == (("pacing",), ("warmup",))
    assert change.new_cramps == 1
