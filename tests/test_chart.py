"""Chart data: week slots, bar geometry, sparklines and summary rows, from plain numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports.chart import (
    SummaryRow,
    WeekSlot,
    bar_chart,
    chart_description,
    order_findings,
    sparkline,
    summary_view,
    week_change,
    week_slots,
)
from reports.models import Assessment, Finding, Risk, Roster, Team, Units, Week
from reports.settings import RuleSettings

from conftest import FIRST_WEEK, TODAY, make_athlete, make_incident, weeks_of

LAST_WEEK = date(2026, 11, 16)


def slots_of(miles: list[float | None], cramps: list[int] | None = None) -> list[WeekSlot]:
    """Eight slots from FIRST_WEEK with these distances and cramp counts."""
    counts = cramps or [0] * len(miles)
    return [
        WeekSlot(FIRST_WEEK + timedelta(weeks=i), m, c)
        for i, (m, c) in enumerate(zip(miles, counts, strict=True))
    ]


def test_week_slots_end_with_the_week_holding_the_report_date() -> None:
    """Eight Monday weeks, oldest first, the last one containing the report date."""
    slots = week_slots(make_athlete(), TODAY)
    assert [s.start for s in slots] == [FIRST_WEEK + timedelta(weeks=i) for i in range(8)]
    assert slots[-1].start == LAST_WEEK


def test_week_slots_keep_not_logged_apart_from_rested() -> None:
    """An empty cell stays None; a logged 0 stays 0; a week missing from the list is None."""
    athlete = make_athlete(weeks=(*weeks_of([20, None, 0]), Week(LAST_WEEK, 18)))
    miles = [s.miles for s in week_slots(athlete, TODAY)]
    assert miles == [20, None, 0, None, None, None, None, 18]


def test_week_slots_follow_the_athletes_grid_when_the_report_date_is_midweek() -> None:
    """A Wednesday report date still lines the chart up with the logged Monday weeks."""
    slots = week_slots(make_athlete(), date(2026, 11, 25))
    assert slots[-1].start == date(2026, 11, 23) and slots[-1].miles is None
    assert slots[-2].start == LAST_WEEK and slots[-2].miles == 22


def test_week_slots_count_cramps_in_their_own_week_only() -> None:
    """Cramps land on the week they happened in; later or older ones are left out."""
    incidents = (make_incident(0), make_incident(6), make_incident(7), make_incident(70))
    athlete = make_athlete(incidents=(*incidents, make_incident(-3)))
    cramps = [s.cramps for s in week_slots(athlete, TODAY)]
    assert cramps == [0, 0, 0, 0, 0, 0, 1, 2]


def test_week_slots_without_any_weeks_end_on_the_report_date() -> None:
    """An athlete with no mileage still gets eight empty weeks ending on the report date."""
    slots = week_slots(make_athlete(weeks=()), TODAY)
    assert slots[-1].start == TODAY - timedelta(days=6)
    assert all(s.miles is None for s in slots)


@pytest.mark.parametrize(
    ("before", "last", "change"),
    [(20, 30, 0.5), (20, 15, -0.25), (None, 30, None), (20, None, None), (0, 10, None)],
)
def test_week_change_needs_two_logged_weeks(
    before: float | None, last: float | None, change: float | None
) -> None:
    """Last week against the one before, or None when either is missing or zero."""
    assert week_change(slots_of([before, last])) == change


def test_bar_chart_leaves_a_gap_for_not_logged_and_a_sliver_for_rest() -> None:
    """Not logged: no bar. Rested: a visible sliver. The longest week reaches the top."""
    chart = bar_chart(slots_of([10, None, 0, 20, 10, 10, 10, 10], [0, 0, 0, 2, 0, 0, 0, 0]))
    tallest, gap, rest = chart.bars[3], chart.bars[1], chart.bars[2]
    assert not gap.logged and gap.height == 0
    assert rest.logged and 0 < rest.height < 2
    assert tallest.height == max(b.height for b in chart.bars) and tallest.cramps == 2
    assert chart.bars[0].height == pytest.approx(tallest.height / 2, abs=0.1)
    assert all(0 <= b.y <= chart.baseline for b in chart.bars)


def test_bars_are_centred_in_equal_slots() -> None:
    """Each bar sits in the middle of its eighth of the width, under its table column."""
    chart = bar_chart(slots_of([5] * 8), width=800)
    assert [b.centre for b in chart.bars] == [50 + 100 * i for i in range(8)]


def test_sparkline_breaks_at_not_logged_weeks_and_dots_cramps() -> None:
    """Two logged runs make two polylines; a cramp week gets a dot even when not logged."""
    line = sparkline(slots_of([10, 12, None, 9, 11, 13, None, None], [0, 0, 1, 0, 0, 1, 0, 0]))
    assert len(line.segments) == 2
    assert len(line.ends) == 2 and len(line.cramps) == 2
    assert line.cramps[0].y == pytest.approx(line.height - 3)  # a not-logged week sits at 0


def test_sparkline_of_nothing_logged_is_empty() -> None:
    """No distance at all draws no line."""
    line = sparkline(slots_of([None] * 8))
    assert line.segments == () and line.ends == () and line.cramps == ()


def test_findings_order_puts_see_doctor_first_then_by_level() -> None:
    """see-doctor leads even at watch level; ties keep the rules' order."""
    findings = [
        Finding("night-cramps", "info", ""),
        Finding("pacing", "watch", ""),
        Finding("hydration", "act", ""),
        Finding("warmup", "watch", ""),
        Finding("see-doctor", "watch", ""),
    ]
    assert [f.rule for f in order_findings(findings)] == [
        "see-doctor", "hydration", "pacing", "warmup", "night-cramps",
    ]  # fmt: skip


def test_summary_row_counts_cramps_in_the_window_and_flags_doctor() -> None:
    """Cramps from `since` to the report date count; a see-doctor finding flags the row."""
    athlete = make_athlete(incidents=(make_incident(1), make_incident(27), make_incident(28)))
    item = Assessment(athlete, (Finding("see-doctor", "act", "3 cramps"),), "high")
    row = SummaryRow.of(item, TODAY, TODAY - timedelta(days=27))
    assert row.recent_cramps == 2
    assert row.sees_doctor and row.athlete is athlete
    assert row.last_week == 22 and row.change == pytest.approx(22 / 21 - 1)


def urgent(name: str, risk: Risk, *rules: str) -> Assessment:
    """An assessment with act-level findings for `rules`."""
    findings = tuple(Finding(rule, "act", f"{rule} evidence") for rule in rules)
    return Assessment(make_athlete(name=name), findings, risk)


TEAM_OF_SIX = [
    urgent("Finn Low", "low"),
    urgent("Ada High", "high", "load-spike"),
    urgent("Cal Doctor", "high", "see-doctor", "hydration"),
    urgent("Bea Watch", "watch", "warmup"),
    urgent("Dee Doctor", "high", "see-doctor"),
    urgent("Eve Many", "high", "hydration", "pacing", "load-spike"),
]


def test_summary_view_lists_everyone_up_to_the_limit() -> None:
    """A club-sized roster: every athlete most urgent first, nothing left out."""
    roster = Roster("club.xlsx", Team("Club"), tuple(a.athlete for a in TEAM_OF_SIX), TODAY)
    view = summary_view(roster, TEAM_OF_SIX, RuleSettings(), limit=6)
    assert [r.athlete.name for r in view.rows] == [
        "Cal Doctor", "Dee Doctor", "Eve Many", "Ada High", "Bea Watch", "Finn Low",
    ]  # fmt: skip
    assert [r.athlete.name for r in view.doctor] == ["Cal Doctor", "Dee Doctor"]
    assert view.rows_left_out == view.doctor_left_out == 0
    assert view.roster is roster


def test_summary_view_past_the_limit_keeps_the_most_urgent_and_counts_everyone() -> None:
    """Doctor first, then most findings to act on; totals still cover the whole roster."""
    roster = Roster("fed.xlsx", Team("Fed"), tuple(a.athlete for a in TEAM_OF_SIX), TODAY)
    view = summary_view(roster, TEAM_OF_SIX, RuleSettings(), limit=3)
    assert [r.athlete.name for r in view.rows] == ["Cal Doctor", "Dee Doctor", "Eve Many"]
    assert view.rows_left_out == 3 and view.athletes == 6
    assert dict(view.by_risk) == {"high": 4, "watch": 1, "low": 1}
    assert view.to_see_doctor == 2 and view.doctor_left_out == 0
    assert {a.name for a in view.roster.athletes} == {"Cal Doctor", "Dee Doctor", "Eve Many"}
    assert summary_view(roster, TEAM_OF_SIX, RuleSettings(), limit=1).doctor_left_out == 1


@pytest.mark.parametrize(
    ("miles", "cramps", "units", "expected"),
    [
        (
            [26, 25, 27, 26, 27, 26, 27, 26],
            [0, 0, 0, 0, 0, 1, 1, 1],
            "miles",
            "Weekly distance, last 8 weeks, from the week of Sep 28 to the week of Nov 16: "
            "26, 25, 27, 26, 27, 26, 27, 26 miles. "
            "Cramps in the weeks of Nov 2, Nov 9 and Nov 16.",
        ),
        (
            [20, None, 0, 8.5, 20, 20, 20, 20],
            [0] * 8,
            "miles",
            "Weekly distance, last 8 weeks, from the week of Sep 28 to the week of Nov 16: "
            "20, not logged, 0, 8.5, 20, 20, 20, 20 miles. No cramps logged in these weeks.",
        ),
        (
            [10, 10, 10, 10, 10, 10, 10, 10],
            [0, 0, 0, 0, 0, 0, 0, 2],
            "km",
            "Weekly distance, last 8 weeks, from the week of Sep 28 to the week of Nov 16: "
            "16, 16, 16, 16, 16, 16, 16, 16 km. Cramps in the week of Nov 16 (2 cramps).",
        ),
        (
            [10, 10, 10, 10, 10, 10, 10, 10],
            [1, 0, 0, 0, 0, 0, 0, 0],
            "miles",
            "Weekly distance, last 8 weeks, from the week of Sep 28 to the week of Nov 16: "
            "10, 10, 10, 10, 10, 10, 10, 10 miles. A cramp in the week of Sep 28.",
        ),
    ],
)
def test_chart_description_says_every_week_in_numbers_and_names_the_cramp_weeks(
    miles: list[float | None], cramps: list[int], units: Units, expected: str
) -> None:
    """The chart's alt text: each week's distance in the team's unit, gaps, and cramp weeks."""
    assert chart_description(slots_of(miles, cramps), units) == expected


def test_summary_rows_keep_their_weeks_for_the_sparklines_alt_text() -> None:
    """A summary row carries the eight weeks its sparkline draws, so the line can be described."""
    athlete = make_athlete(weeks=weeks_of([20, 21, 22, 23, 24, 25, 26, 27]))
    row = SummaryRow.of(Assessment(athlete, (), "low"), TODAY, TODAY - timedelta(days=27))
    assert [s.miles for s in row.weeks] == [20, 21, 22, 23, 24, 25, 26, 27]
    assert "20, 21, 22, 23, 24, 25, 26, 27 miles" in chart_description(row.weeks, "miles")
