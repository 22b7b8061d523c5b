"""Workload metrics: week-over-week change, acute:chronic ratio, long-run spike."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.metrics import (
    acute_chronic_ratio,
    current_week,
    long_run_of,
    long_run_spike,
    week_before,
    week_over_week,
    workload,
)
from reports.models import Week

from conftest import FIRST_WEEK, TODAY, weeks_of

LAST_WEEK = FIRST_WEEK + timedelta(weeks=7)  # Nov 16, the week holding TODAY


def ending_today(miles: Sequence[float | None]) -> tuple[Week, ...]:
    """Consecutive weeks whose last one holds the report date."""
    return weeks_of(miles, first=LAST_WEEK - timedelta(weeks=len(miles) - 1))


def with_long_runs(
    miles: Sequence[float | None], long_runs: Sequence[float | None]
) -> tuple[Week, ...]:
    """Weeks ending today with a long run each."""
    return tuple(
        replace(w, long_run_miles=lr) for w, lr in zip(ending_today(miles), long_runs, strict=True)
    )


@pytest.mark.parametrize(
    ("miles", "expected"),
    [
        ([20, 26], 0.3),
        ([20, 20], 0.0),
        ([20, 10], -0.5),
        ([20, None], None),
        ([None, 20], None),
        ([0, 20], None),
        ([20, 0], -1.0),
        ([20], None),
        ([], None),
    ],
)
def test_week_over_week_is_change_on_the_week_before_and_none_without_both(
    miles: list[float | None], expected: float | None
) -> None:
    """Week-over-week needs both weeks logged and a week before that was not a rest week."""
    assert week_over_week(ending_today(miles), TODAY) == pytest.approx(expected)


def test_week_missing_from_the_list_counts_as_not_logged() -> None:
    """A gap in the dates is not a rest week: the week before is unknown, not zero."""
    weeks = (Week(start=LAST_WEEK - timedelta(weeks=2), miles=20), Week(start=LAST_WEEK, miles=40))
    assert week_before(weeks, weeks[-1]) is None
    assert week_over_week(weeks, TODAY) is None


def test_this_week_is_the_latest_week_starting_on_or_before_the_report_date() -> None:
    """A week starting after the report date is ignored; a mid-week report date counts."""
    weeks = (*ending_today([20, 30]), Week(start=LAST_WEEK + timedelta(weeks=1), miles=90))
    assert current_week(weeks, TODAY) == weeks[1]
    assert current_week(weeks, LAST_WEEK) == weeks[1]
    assert current_week(weeks, LAST_WEEK - timedelta(days=1)) == weeks[0]
    assert current_week(weeks, FIRST_WEEK - timedelta(days=30)) is None


def test_a_repeated_week_start_uses_the_later_entry() -> None:
    """Two rows for one week: the later one wins, the same way every time."""
    weeks = (*ending_today([20, 22]), Week(start=LAST_WEEK, miles=30))
    assert workload(weeks, TODAY).miles == 30


@pytest.mark.parametrize(
    ("miles", "expected"),
    [
        ([10, 10, 10, 15], 1.5),
        ([10, 10, 10, 20], 2.0),  # uncoupled: a coupled mean would give 20 / 12.5 = 1.6
        ([12, 12, 20, 22], 1.5),
        ([10, None, 10, 15], None),
        ([10, 10, 10, None], None),
        ([0, 0, 0, 10], None),
        ([0, 0, 10, 10], 3.0),
        ([10, 10, 15], None),
    ],
)
def test_acute_chronic_ratio_is_this_week_over_the_mean_of_three_logged_weeks_before(
    miles: list[float | None], expected: float | None
) -> None:
    """The ratio needs this week and all three weeks before logged, and a non-zero base."""
    assert acute_chronic_ratio(ending_today(miles), TODAY) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("miles", "long_runs", "expected"),
    [
        ([20, 20, 20, 20, 20], [8, 8, 10, 8, 11.5], 1.15),
        ([20, 20, 20, 20, 20], [8, 8, 8, 8, 8], 1.0),
        ([20, None, 20, 20, 20], [8, None, 8, 8, 12], None),
        ([20, 20, 20, 20, 20], [8, None, 8, 8, 12], None),
        ([20, 20, 20, 20, None], [8, 8, 8, 8, 12], None),
        ([20, 20, 20, 20, 20], [8, 8, 8, 8, None], None),
        ([0, 0, 0, 0, 20], [None, None, None, None, 10], None),
        ([0, 20, 20, 20, 20], [None, 8, 8, 8, 10], 1.25),
        ([20, 20, 20, 20], [8, 8, 8, 12], None),
    ],
)
def test_long_run_spike_compares_with_the_longest_run_of_four_known_weeks_before(
    miles: list[float | None], long_runs: list[float | None], expected: float | None
) -> None:
    """A rest week's long run is 0; an unknown earlier long run means no figure at all."""
    weeks = with_long_runs(miles, long_runs)
    assert long_run_spike(weeks, TODAY) == pytest.approx(expected)


def test_a_week_with_one_run_has_that_run_as_its_long_run() -> None:
    """With `runs == 1` the week's distance is its long run even without the column."""
    assert long_run_of(Week(start=LAST_WEEK, miles=6, runs=1)) == 6
    assert long_run_of(Week(start=LAST_WEEK, miles=6, runs=3)) is None


@pytest.mark.parametrize("bad", [-5.0, math.inf, math.nan])
def test_negative_or_non_finite_distance_counts_as_not_logged(bad: float) -> None:
    """A distance that cannot be real never feeds a figure."""
    weeks = ending_today([20, 20, 20, bad])
    load = workload(weeks, TODAY)
    assert (load.miles, load.change, load.ratio) == (None, None, None)


def test_workload_reports_the_figures_behind_each_ratio() -> None:
    """The evidence sentences need the weeks compared, not just the ratios."""
    weeks = with_long_runs([16, 18, 20, 22, 30], [6, 7, 8, 8, 10])
    load = workload(weeks, TODAY)
    assert load.week == weeks[-1]
    assert (load.miles, load.previous_miles, load.chronic_miles) == (30, 22, 20)
    assert (load.long_run_miles, load.longest_before_miles) == (10, 8)
    assert load.change == pytest.approx(8 / 22)
    assert load.ratio == pytest.approx(1.5)
    assert load.long_run_ratio == pytest.approx(1.25)


def test_no_weeks_gives_an_empty_workload() -> None:
    """An athlete with no mileage rows has no figures and no error."""
    assert workload((), TODAY).week is None


distances = st.one_of(st.none(), st.just(0.0), st.floats(min_value=0, max_value=200), st.just(-1.0))


@st.composite
def weekly_logs(draw: st.DrawFn) -> tuple[Week, ...]:
    """Weeks with gaps (missing dates, not-logged, rest), odd starts and single weeks."""
    offsets = draw(st.lists(st.integers(0, 90), max_size=12, unique=True))
    weeks = []
    for offset in sorted(offsets):
        miles = draw(distances)
        long_run = draw(st.one_of(st.none(), st.floats(0, 40)))
        runs = draw(st.one_of(st.none(), st.integers(0, 10)))
        start = TODAY - timedelta(days=offset)
        weeks.append(Week(start=start, miles=miles, long_run_miles=long_run, runs=runs))
    return tuple(weeks)


report_dates = st.dates(min_value=date(2026, 8, 1), max_value=date(2027, 1, 31))


@settings(max_examples=100, deadline=None)
@given(weeks=weekly_logs(), report_date=report_dates)
def test_metrics_never_raise_and_are_finite_or_none(
    weeks: tuple[Week, ...], report_date: date
) -> None:
    """Any log with gaps, zeros and single weeks gives figures that are numbers or None."""
    load = workload(weeks, report_date)
    for figure in (load.change, load.ratio, load.long_run_ratio):
        assert figure is None or math.isfinite(figure)


@settings(max_examples=100, deadline=None)
@given(weeks=weekly_logs(), report_date=report_dates)
def test_a_not_logged_week_never_produces_a_spike(
    weeks: tuple[Week, ...], report_date: date
) -> None:
    """A not-logged current week gives no figures; a not-logged week before gives no change."""
    load = workload(weeks, report_date)
    if load.week is not None and load.week.miles is None:
        assert (load.change, load.ratio, load.long_run_ratio) == (None, None, None)
    if load.week is not None and logged_before(weeks, load.week) is None:
        assert load.change is None


@settings(max_examples=100, deadline=None)
@given(weeks=weekly_logs(), report_date=report_dates, data=st.data())
def test_unlogging_any_week_leaves_each_figure_unchanged_or_gone(
    weeks: tuple[Week, ...], report_date: date, data: st.DataObject
) -> None:
    """Hiding a week's distance can remove a figure but never create or change one."""
    if not weeks:
        return
    index = data.draw(st.integers(0, len(weeks) - 1))
    hidden = tuple(replace(w, miles=None) if i == index else w for i, w in enumerate(weeks))
    before, after = workload(weeks, report_date), workload(hidden, report_date)
    for name in ("change", "ratio", "long_run_ratio"):
        old, new = getattr(before, name), getattr(after, name)
        assert new is None or new == old


def logged_before(weeks: Sequence[Week], week: Week) -> float | None:
    """The week before's distance when logged and usable, else None."""
    previous = week_before(weeks, week)
    if previous is None or previous.miles is None:
        return None
    return previous.miles if previous.miles >= 0 else None
