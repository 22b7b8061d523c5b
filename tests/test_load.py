"""Load across the window: every week judged and named; weeks that cannot be judged are said."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports.case import make_case
from reports.load import spikes, unjudged
from reports.models import Athlete
from reports.rules import assess
from reports.settings import RuleSettings

from conftest import TODAY, make_athlete, make_incident, weeks_of

RULES = RuleSettings()
LAST_WEEK = date(2026, 11, 16)


def logged(miles: list[float | None]) -> Athlete:
    """An athlete whose weeks end with the one holding the report date."""
    return make_athlete(weeks=weeks_of(miles, first=LAST_WEEK - timedelta(weeks=len(miles) - 1)))


@pytest.mark.parametrize(
    ("miles", "weeks"),
    [
        ([20, 20, 20, 20, 20], []),
        ([20, 20, 20, None, 20], [date(2026, 11, 9), date(2026, 11, 16)]),
        ([20, 20, 20, 20, None], [date(2026, 11, 16)]),
        ([None, 20, 20, 20, 20], [date(2026, 10, 26)]),
        ([20, 20, 20], [date(2026, 10, 26), date(2026, 11, 2)]),
    ],
)
def test_a_week_cannot_be_judged_when_it_or_the_week_before_was_not_logged(
    miles: list[float | None], weeks: list[date]
) -> None:
    """Each of the 4 weeks needs itself and the week before it logged."""
    assert list(unjudged(make_case(logged(miles), RULES, TODAY, "miles"))) == weeks


def test_a_log_that_stopped_long_ago_leaves_every_week_of_the_window_unjudged() -> None:
    """No praise for steady distance when nothing in the window was logged."""
    athlete = make_athlete(weeks=weeks_of([20] * 4, first=LAST_WEEK - timedelta(weeks=20)))
    assert len(unjudged(make_case(athlete, RULES, TODAY, "miles"))) == 4


def test_every_week_of_the_window_is_judged_and_named() -> None:
    """A jump three weeks back is found, with its week and numbers, beside this week's."""
    found = spikes(make_case(logged([20, 20, 20, 20, 28, 28, 28, 40]), RULES, TODAY, "miles"))
    assert [(s.start, s.level) for s in found] == [
        (date(2026, 10, 26), "act"),
        (date(2026, 11, 16), "act"),
    ]
    assert (
        found[0]
        .sentences[0]
        .startswith("In the week of Oct 26 your distance went from 20 mi to 28 mi, up 40%")
    )


def test_a_cramp_in_a_spike_week_ties_pacing_to_the_spike() -> None:
    """The cramp came in the week the distance jumped: fatigue is the likely trigger."""
    athlete = logged([20, 20, 20, 20, 30, 30, 30, 30])
    athlete = make_athlete(weeks=athlete.weeks, incidents=(make_incident(24),))
    rules = {f.rule: f for f in assess(athlete, RULES, TODAY).findings}
    assert "Your cramp on Oct 29 came that week." in rules["load-spike"].evidence
    assert rules["pacing"].evidence == (
        "Your cramp on Oct 29 came in a week your training jumped (week of Oct 26)."
    )


@pytest.mark.parametrize(("days_back", "in_week"), [(13, True), (7, True), (6, False), (14, False)])
def test_a_cramp_counts_in_a_spike_week_from_its_monday_to_its_sunday(
    days_back: int, in_week: bool
) -> None:
    """The week of Nov 9 runs Nov 9 to Nov 15: a cramp on Nov 16 is the next week's."""
    athlete = make_athlete(
        weeks=logged([20, 20, 20, 20, 20, 20, 30, 24]).weeks,
        incidents=(make_incident(days_back),),
    )
    found = spikes(make_case(athlete, RULES, TODAY, "miles"))
    week = next(s for s in found if s.start == date(2026, 11, 9))
    assert bool(week.cramps) is in_week


def test_a_rise_past_the_watch_threshold_only_is_a_watch_week() -> None:
    """Up 20% on the week before, with no ratio or long-run spike: watch, named."""
    found = spikes(make_case(logged([20, 20, 20, 20, 20, 20, 20, 24]), RULES, TODAY, "miles"))
    assert [(s.start, s.level, s.race) for s in found] == [(date(2026, 11, 16), "watch", False)]
