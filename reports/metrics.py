"""Pure workload arithmetic over weekly distances, where a not-logged week is never zero.

"This week" is the latest week that starts on or before the report date. Weeks are found
by date, not by position: "the week before" is the week starting exactly 7 days earlier,
so a week missing from the list counts as not logged, never as a rest week. A week whose
distance is None, negative or not a finite number is not logged. A figure that needs a
not-logged week is None, so a gap in the log can never produce a spike.

The thresholds these figures are judged by live in `RuleSettings`; the literature behind
them is cited on each function. All three are debated: Frandsen et al. (Br J Sports Med
2025, Garmin-RUNSAFE) found the single-run spike predicted injury in 5,205 runners while
the weekly ratios did not, which is why the rules call this advice "mixed evidence".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reports.models import Week

CHRONIC_WEEKS = 3
LONG_RUN_LOOKBACK_WEEKS = 4
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Workload:
    """This week's distance beside every figure the load rule compares it with (miles)."""

    week: Week | None
    miles: float | None = None
    previous_miles: float | None = None
    change: float | None = None
    chronic_miles: float | None = None
    ratio: float | None = None
    long_run_miles: float | None = None
    longest_before_miles: float | None = None
    long_run_ratio: float | None = None


def logged_miles(week: Week | None) -> float | None:
    """A week's distance, or None when it is missing, not logged or not a real distance."""
    if week is None or week.miles is None:
        return None
    return _distance(week.miles)


def long_run_of(week: Week | None) -> float | None:
    """A week's longest run, or None when unknown.

    A rest week (0 logged) had a long run of 0; a week with one run had that run as its
    long run; otherwise the `long_run_miles` column is needed.
    """
    miles = logged_miles(week)
    if week is None or miles is None:
        return None
    if week.long_run_miles is not None:
        return _distance(week.long_run_miles)
    if miles == 0 or week.runs == 1:
        return miles
    return None


def current_week(weeks: Sequence[Week], report_date: date) -> Week | None:
    """The latest week that starts on or before the report date, logged or not."""
    started = [w.start for w in weeks if w.start <= report_date]
    return _by_start(weeks)[max(started)] if started else None


def week_before(weeks: Sequence[Week], week: Week, n: int = 1) -> Week | None:
    """The week that starts exactly `n` weeks before `week`, if the list has one."""
    return _by_start(weeks).get(week.start - WEEK * n)


def week_over_week(weeks: Sequence[Week], report_date: date) -> float | None:
    """This week's change on the week before as a fraction: 0.3 means up 30%.

    (this week - week before) / week before. Source: Nielsen et al., J Orthop Sports Phys
    Ther 2014 — novice runners who raised weekly distance by more than 30% had more of
    some overuse injuries. None when either week is not logged, and when the week before
    was a rest week (0): a rise from nothing has no percentage, so a return from rest is
    judged by the acute:chronic ratio instead, which still sees the weeks before the rest.
    """
    return workload(weeks, report_date).change


def acute_chronic_ratio(weeks: Sequence[Week], report_date: date) -> float | None:
    """This week's distance over the mean of the three weeks before it (uncoupled).

    this week / mean(three weeks before). Source: Gabbett, Br J Sports Med 2016 — a ratio
    of 0.8–1.3 was the "sweet spot" and 1.5 or more the "danger zone" for injury.
    Uncoupled: this week is not part of its own chronic mean, which avoids the spurious
    coupling described by Lolli et al., Br J Sports Med 2019.
    None unless this week and all three weeks before are logged, and when those three
    weeks average 0 (all rest: no ratio without a base).
    """
    return workload(weeks, report_date).ratio


def long_run_spike(weeks: Sequence[Week], report_date: date) -> float | None:
    """This week's long run over the longest run of the four weeks before it.

    this week's long run / max(long run of each of the 4 weeks before). Source: Frandsen
    et al., Br J Sports Med 2025 (Garmin-RUNSAFE) — a single run more than 10% longer
    (over 1.1×) than the longest of the previous 30 days raised overuse-injury risk.
    None unless this week's long run and each earlier week's long run are known (a gap
    could have held the longest run), and when they were all 0.
    """
    return workload(weeks, report_date).long_run_ratio


def workload(weeks: Sequence[Week], report_date: date) -> Workload:
    """Every load figure for the week that holds the report date, in one pass."""
    week = current_week(weeks, report_date)
    return Workload(week=None) if week is None else workload_of(weeks, week)


def workload_of(weeks: Sequence[Week], week: Week) -> Workload:
    """Every load figure for one week, against the weeks before it (found by date)."""
    by_start = _by_start(weeks)
    earlier = [by_start.get(week.start - WEEK * n) for n in range(1, LONG_RUN_LOOKBACK_WEEKS + 1)]
    miles = logged_miles(week)
    previous = logged_miles(earlier[0])
    chronic = _mean([logged_miles(w) for w in earlier[:CHRONIC_WEEKS]])
    long_run = long_run_of(week)
    longest = _max([long_run_of(w) for w in earlier])
    return Workload(
        week=week,
        miles=miles,
        previous_miles=previous,
        change=None if miles is None or previous is None else _ratio(miles - previous, previous),
        chronic_miles=chronic,
        ratio=None if miles is None else _ratio(miles, chronic),
        long_run_miles=long_run,
        longest_before_miles=longest,
        long_run_ratio=None if long_run is None else _ratio(long_run, longest),
    )


def window_weeks(weeks: Sequence[Week], first: date, report_date: date) -> tuple[Week, ...]:
    """Every week overlapping the window, oldest first; a week not in the list is not logged."""
    anchor = current_week(weeks, report_date)
    if anchor is None:
        start = report_date - timedelta(days=6)
    else:  # the athlete's week grid carried on to the report date, even past the last entry
        start = anchor.start + WEEK * ((report_date - anchor.start).days // 7)
    by_start = _by_start(weeks)
    found = []
    while start + timedelta(days=6) >= first:
        found.append(by_start.get(start) or Week(start=start, miles=None))
        start -= WEEK
    return tuple(reversed(found))


def _by_start(weeks: Sequence[Week]) -> dict[date, Week]:
    """Weeks by start date; when a start repeats, the later entry wins."""
    return {w.start: w for w in weeks}


def _distance(value: float) -> float | None:
    """A usable distance, or None for a negative or non-finite value."""
    return float(value) if math.isfinite(value) and value >= 0 else None


def _ratio(top: float, bottom: float | None) -> float | None:
    """top / bottom, or None for an unknown or zero base or a result too large to be real."""
    if not bottom:
        return None
    result = top / bottom
    return result if math.isfinite(result) else None


def _mean(values: Sequence[float | None]) -> float | None:
    """The mean of `values`, or None if any is unknown or there are none."""
    known = [v for v in values if v is not None]
    if not known or len(known) < len(values):
        return None
    return sum(known) / len(known)


def _max(values: Sequence[float | None]) -> float | None:
    """The largest of `values`, or None if any is unknown or there are none."""
    known = [v for v in values if v is not None]
    if not known or len(known) < len(values):
        return None
    return max(known)
