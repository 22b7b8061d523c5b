"""Plain data shared by every stage: athletes, weeks, incidents, rosters, findings.

Internal units are fixed so the rules never convert: distances in miles, fluids in
US fluid ounces, temperatures in °F, durations in minutes. Readers convert on the way in
and renderers convert back to the team's unit on the way out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Level = Literal["info", "watch", "act", "urgent"]
Risk = Literal["low", "watch", "high", "urgent"]
Severity = Literal["error", "warning", "note"]
Units = Literal["miles", "km"]
When = Literal["during", "after", "night"]
Pace = Literal["easy", "usual", "faster", "race"]
Urine = Literal["light", "dark"]

KM_PER_MILE = 1.609344
ML_PER_OZ = 29.5735295625

LEVEL_ORDER: dict[str, int] = {"urgent": 0, "act": 1, "watch": 2, "info": 3}
RISK_ORDER: dict[str, int] = {"urgent": 0, "high": 1, "watch": 2, "low": 3}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a workbook, tied to the cell a coach has to fix."""

    severity: Severity
    message: str
    sheet: str | None = None
    cell: str | None = None

    @property
    def location(self) -> str:
        """`Sheet!Cell`, `Sheet`, or `workbook` when the problem has no cell."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or "workbook"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class TextCell:
    """Text a coach typed that the sheets print (a name, a note), and the cell holding it."""

    sheet: str
    cell: str
    text: str


@dataclass(frozen=True)
class Week:
    """One logged (or not logged) training week; `miles is None` means not logged."""

    start: date
    miles: float | None
    long_run_miles: float | None = None
    runs: int | None = None
    race_week: bool = False
    hot_week: bool = False


@dataclass(frozen=True)
class Incident:
    """One cramp as the coach recorded it; unknown details stay None."""

    day: date
    when: When | None = None
    muscle: str = "calf"
    severity: int | None = None
    run_miles: float | None = None
    minutes_in: float | None = None
    pace: Pace | None = None
    fluid_before_oz: float | None = None
    electrolytes: bool | None = None
    warmed_up: bool | None = None
    temperature_f: float | None = None
    urine: Urine | None = None
    lasted_minutes: float | None = None
    red_flag: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Athlete:
    """One athlete with their weeks (oldest first) and cramp incidents (oldest first)."""

    key: str
    name: str
    email: str | None = None
    group: str | None = None
    heavy_sweater: bool | None = None
    compression: bool | None = None
    warmup: bool | None = None
    pre_run_fluid_oz: float | None = None
    medication: str | None = None
    condition: str | None = None
    coach_note: str | None = None
    age: float | None = None
    birth_date: date | None = None
    weeks: tuple[Week, ...] = ()
    incidents: tuple[Incident, ...] = ()
    parent_email: str | None = None  # copied on the athlete's email
    send_sheet: bool = True  # False: rendered for the coach, never emailed ("opted-out")


@dataclass(frozen=True)
class Team:
    """The Team sheet: who the roster belongs to and how it counts distance."""

    name: str
    coach: str | None = None
    coach_email: str | None = None
    units: Units = "miles"
    report_date: date | None = None


@dataclass(frozen=True)
class Roster:
    """A workbook that could be used, with every warning and note found reading it."""

    source: str
    team: Team
    athletes: tuple[Athlete, ...]
    report_date: date
    problems: tuple[Problem, ...] = ()
    # Where printed text came from, for warnings about it; no sheet shows it, so it is left
    # out of repr(), which sheet keys hash.
    texts: tuple[TextCell, ...] = field(default=(), repr=False, compare=False)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems a coach should fix, but that did not stop the roster."""
        return tuple(p for p in self.problems if p.severity == "warning")


@dataclass(frozen=True)
class Finding:
    """One rule that fired for one athlete, with the athlete's own numbers as evidence."""

    rule: str
    level: Level
    evidence: str
    strength: str = ""
    # The same evidence told to the coach, in the third person ("Ava's cramp on Nov 19 …").
    about: str = ""


@dataclass(frozen=True)
class PreviousSheet:
    """What an athlete's last sheet for the team said (kept in the ledger's history)."""

    report_date: date
    rules: tuple[str, ...]
    last_week_miles: float | None
    cramps: int


@dataclass(frozen=True)
class Since:
    """What changed since the athlete's previous sheet: new cramps, distance, findings."""

    report_date: date
    new_cramps: int
    new_findings: tuple[str, ...]
    resolved_findings: tuple[str, ...]
    miles_before: float | None
    miles_now: float | None


@dataclass(frozen=True)
class Assessment:
    """An athlete evaluated: findings in reading order and an overall risk."""

    athlete: Athlete
    findings: tuple[Finding, ...]
    risk: Risk
    minor: bool = False
    recent_cramps: int = 0
    # Weeks of the window whose load could not be judged (they or the week before not logged).
    unjudged_weeks: tuple[date, ...] = ()
    # Days of cramps logged before the window: one line on the sheet, no advice.
    older_cramps: tuple[date, ...] = ()
    # Cramp notes in the window that no rule could place, for the coach to read.
    notes_to_read: tuple[str, ...] = ()
    since: Since | None = None  # None: a first sheet, or rendered without the ledger


@dataclass(frozen=True)
class DeliveryOutcome:
    """What happened to one athlete's email: sent, outbox, skipped, failed, unchanged, opted-out…"""

    name: str
    email: str | None
    status: str
    detail: str
