"""What every rule looks at: an athlete's recent cramps and the thresholds in the team's unit.

Also the shared tests of a single cramp (on a long run? a hot one? late in the run?) and
the comparisons the rules use. Comparisons forgive unit-conversion rounding: a km team's
16 km run, stored as 9.9419… miles, still meets its 16 km long-run threshold. A blank
detail is never evidence: `known_below(None, 16)` is False.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reports import evidence as say
from reports.models import Athlete, Incident, Units
from reports.settings import RuleSettings

TOLERANCE = 1e-6  # relative, so conversions between units never flip a comparison


@dataclass(frozen=True)
class Case:
    """What every rule looks at, with the thresholds already in the team's unit."""

    athlete: Athlete
    settings: RuleSettings
    report_date: date
    units: Units
    recent: tuple[Incident, ...]
    long_run_miles: float
    hot_f: float

    @property
    def window(self) -> str:
        """`the last 4 weeks`."""
        return say.span(at_least_one(self.settings.window_days))

    @property
    def pattern(self) -> int:
        """How many matching cramps make a pattern (raise watch to act)."""
        return at_least_one(self.settings.pattern_cramps)


def window_start(report_date: date, window_days: int) -> date:
    """The first day of the `window_days` days ending on the report date (never before 1 AD)."""
    days = min(at_least_one(window_days) - 1, (report_date - date.min).days)
    return report_date - timedelta(days=days)


def make_case(athlete: Athlete, settings: RuleSettings, report_date: date, units: Units) -> Case:
    """The athlete's cramps in the window, oldest first, and the team's thresholds in miles/°F."""
    first = window_start(report_date, settings.window_days)
    recent = tuple(
        sorted((i for i in athlete.incidents if first <= i.day <= report_date), key=by_day)
    )
    return Case(
        athlete=athlete,
        settings=settings,
        report_date=report_date,
        units="km" if units == "km" else "miles",
        recent=recent,
        long_run_miles=settings.long_run_for(units),
        hot_f=settings.hot_for(units),
    )


ADULT_AGE = 18


def is_minor(athlete: Athlete, report_date: date) -> bool:
    """Under 18 on the report date, by date of birth when known, else by the Age column."""
    born = athlete.birth_date
    if born is not None:
        try:
            adult = born.replace(year=born.year + ADULT_AGE)
        except ValueError:  # born on Feb 29: of age on Mar 1 in a common year
            adult = date(born.year + ADULT_AGE, 3, 1)
        return report_date < adult
    return athlete.age is not None and athlete.age < ADULT_AGE


def where(case: Case, incident: Incident, heat: bool = True) -> str:
    """`80 minutes into your 11 mi run, at 84 °F` from whatever details were logged."""
    u = case.units
    run = f"your {say.distance(incident.run_miles, u)} run" if incident.run_miles else "your run"
    if incident.minutes_in is not None:
        text = f"{say.minutes(incident.minutes_in)} into {run}"
    else:
        text = f"on {run}"
    if not heat:
        return text
    if incident.temperature_f is not None:
        text += f", at {say.temperature(incident.temperature_f, u)}"
    elif in_hot_week(case, incident):
        text += ", in a hot week"
    return text


def is_long(case: Case, incident: Incident) -> bool:
    """On a long run: the run was long, or the cramp came `long_run_minutes` into it."""
    return known_at_least(incident.run_miles, case.long_run_miles) or known_at_least(
        incident.minutes_in, case.settings.long_run_minutes
    )


def is_late(case: Case, incident: Incident) -> bool:
    """Late in a long run: a long run, `late_in_run_minutes` or more in."""
    late = known_at_least(incident.minutes_in, case.settings.late_in_run_minutes)
    return late and is_long(case, incident)


def is_hot(case: Case, incident: Incident) -> bool:
    """On a hot run: the logged temperature was hot, or the week was marked hot."""
    return known_at_least(incident.temperature_f, case.hot_f) or in_hot_week(case, incident)


def in_hot_week(case: Case, incident: Incident) -> bool:
    """Whether the week holding the cramp was marked as a hot week."""
    return any(
        w.hot_week and w.start <= incident.day < w.start + timedelta(days=7)
        for w in case.athlete.weeks
    )


def is_during(incident: Incident) -> bool:
    """During a run: said so, or no time given but minutes into the run were."""
    return incident.when == "during" or (incident.when is None and incident.minutes_in is not None)


def is_calf(muscle: str | None) -> bool:
    """Whether a Muscle entry names the calf (calf, calves, left calf, soleus…)."""
    text = (muscle or "calf").casefold()
    return any(word in text for word in ("calf", "calves", "gastroc", "soleus"))


def at_least(value: float, threshold: float) -> bool:
    """value ≥ threshold, forgiving unit-conversion rounding."""
    return value >= threshold - TOLERANCE * max(1.0, abs(threshold))


def above(value: float, threshold: float) -> bool:
    """value > threshold by more than unit-conversion rounding."""
    return value > threshold + TOLERANCE * max(1.0, abs(threshold))


def known_at_least(value: float | None, threshold: float) -> bool:
    """A logged value at or above `threshold`; unknown is never."""
    return value is not None and at_least(value, threshold)


def known_above(value: float | None, threshold: float) -> bool:
    """A logged value above `threshold`; unknown is never."""
    return value is not None and above(value, threshold)


def known_below(value: float | None, threshold: float) -> bool:
    """A logged value below `threshold` by more than rounding; unknown is never."""
    return value is not None and value < threshold - TOLERANCE * max(1.0, abs(threshold))


def at_least_one(n: int) -> int:
    """A count setting, where 0 or less still means 1."""
    return max(1, n)


def by_day(incident: Incident) -> date:
    """Sort key: the cramp's date."""
    return incident.day
