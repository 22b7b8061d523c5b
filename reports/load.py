"""Load spikes in every week of the window, each told with its week and its numbers.

A week is judged against the weeks before it (`reports.metrics.workload_of`): a rise on
the week before, the acute:chronic ratio, and the long run against the longest of the
four weeks before. A long-run spike alone is `watch`, `act` with a cramp in that week.
A week that is not logged, or whose week before is not, cannot be judged: the sheet says
so rather than praising steady distance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reports import evidence as say
from reports.case import Case, above, at_least, window_start
from reports.metrics import (
    CHRONIC_WEEKS,
    LONG_RUN_LOOKBACK_WEEKS,
    Workload,
    window_weeks,
    workload_of,
)
from reports.models import Incident, Level, Week

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Spike:
    """One week of the window whose load jumped: its level, its cramps and what to say."""

    start: date
    level: Level
    cramps: tuple[Incident, ...]
    race: bool
    sentences: tuple[str, ...]


def weeks_to_judge(case: Case) -> tuple[Week, ...]:
    """The weeks of the window, oldest first, not-logged ones included."""
    first = window_start(case.report_date, case.settings.window_days)
    return window_weeks(case.athlete.weeks, first, case.report_date)


def unjudged(case: Case) -> tuple[date, ...]:
    """Weeks of the window whose load could not be judged: it or the week before not logged."""
    return tuple(
        week.start
        for week in weeks_to_judge(case)
        if (load := workload_of(case.athlete.weeks, week)).miles is None
        or load.previous_miles is None
    )


def spikes(case: Case) -> list[Spike]:
    """Every week of the window whose distance or long run jumped, oldest first."""
    found = []
    for week in weeks_to_judge(case):
        spike = _judge(case, week, workload_of(case.athlete.weeks, week))
        if spike is not None:
            found.append(spike)
    return found


def _judge(case: Case, week: Week, load: Workload) -> Spike | None:
    """One week's spike, if its weekly rise, ratio or long run passes a threshold."""
    cramps = tuple(i for i in case.recent if week.start <= i.day < week.start + WEEK)
    lead = f"In the week of {say.day(week.start)}"
    levels: list[Level] = []
    first = ""
    for check in (_weekly_rise, _ratio_rise):
        found = check(case, load, lead if not first else "")
        if found is not None:
            levels.append(found[0])
            first = f"{first}, {found[1]}" if first else found[1]
    sentences = [f"{first}."] if first else []
    long_run = _long_run_rise(case, load, "" if first else lead, bool(cramps))
    if long_run is not None:
        levels.append(long_run[0])
        sentences.append(long_run[1])
    if not sentences:
        return None
    if week.race_week:
        sentences.append("You raced that week.")
    if cramps:
        subject = "Your cramp on" if len(cramps) == 1 else "Your cramps on"
        sentences.append(f"{subject} {say.days([i.day for i in cramps])} came that week.")
    level: Level = "act" if "act" in levels else "watch"
    return Spike(week.start, level, cramps, week.race_week, tuple(sentences))


def _weekly_rise(case: Case, load: Workload, lead: str) -> tuple[Level, str] | None:
    """The rise on the week before, when it passes a threshold: level and words."""
    s, u = case.settings, case.units
    if load.miles is None or load.previous_miles is None or load.change is None:
        return None
    rise = _level_above(load.change, s.weekly_increase_act, s.weekly_increase_watch)
    if rise is None:
        return None
    pct = say.above(load.change * 100, rise[1] * 100, 0)
    return rise[0], (
        f"{lead} your distance went from {say.distance(load.previous_miles, u)} to"
        f" {say.distance(load.miles, u)}, up {pct}%"
    )


def _ratio_rise(case: Case, load: Workload, lead: str) -> tuple[Level, str] | None:
    """The acute:chronic ratio, when it reaches a threshold: level and words."""
    s, u = case.settings, case.units
    ratio, chronic = load.ratio, load.chronic_miles
    if load.miles is None or ratio is None or chronic is None:
        return None
    if not at_least(ratio, min(s.acwr_act, s.acwr_watch)):
        return None
    level: Level = "act" if at_least(ratio, s.acwr_act) else "watch"
    times = (
        f"{say.number(ratio, 1)} times your average of {say.distance(chronic, u)}"
        f" over the {CHRONIC_WEEKS} weeks before"
    )
    return level, (f"{lead} you ran {say.distance(load.miles, u)}, {times}" if lead else times)


def _long_run_rise(
    case: Case, load: Workload, lead: str, cramped: bool
) -> tuple[Level, str] | None:
    """The long run against the longest before: watch alone, act with a cramp that week."""
    s, u = case.settings, case.units
    run, longest, ratio = load.long_run_miles, load.longest_before_miles, load.long_run_ratio
    if ratio is None or run is None or not longest or not above(ratio, s.long_run_spike):
        return None
    whose = f"{lead} your long run," if lead else "Your long run that week,"
    return ("act" if cramped else "watch"), (
        f"{whose} {say.distance(run, u)}, was {say.above(ratio, s.long_run_spike)} times your"
        f" longest of the {LONG_RUN_LOOKBACK_WEEKS} weeks before ({say.distance(longest, u)})."
    )


def _level_above(value: float, act: float, watch: float) -> tuple[Level, float] | None:
    """The level `value` reaches strictly above the act or watch threshold, with it."""
    if above(value, act):
        return "act", act
    if above(value, watch):
        return "watch", watch
    return None
