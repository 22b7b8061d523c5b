"""Joining the sheets: athletes keyed and matched by name or ID, weeks aligned, the report date."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from reports.models import Athlete, Incident, Roster, Team, Week
from reports.roster.cells import show
from reports.roster.dates import MONTH_FIRST, DateOrder, written
from reports.roster.headers import name_key
from reports.roster.mileage import MileageEntry, MileageSheet
from reports.roster.reading import Problems, Who
from reports.roster.worksheets import AthleteRow, CrampEntry, TeamInfo


def readable(stem: str) -> str:
    """A team name from a file name: `harbor_harriers-2026` → `Harbor Harriers 2026`."""
    words = [w for w in re.split(r"[\s_.-]+", stem) if w]
    if stem in (stem.lower(), stem.upper()):
        words = [w.capitalize() for w in words]
    return " ".join(words) or "Team"


FAR_GAP = timedelta(weeks=26)


@dataclass
class Directory:
    """Athlete keys by ID and by name, to match rows of Mileage and Cramps to athletes."""

    problems: Problems
    by_ident: dict[str, str]
    by_name: dict[str, list[str]]

    def __post_init__(self) -> None:
        self._reported: set[tuple[str, str]] = set()

    def find(self, who: Who) -> str | None:
        """The key of the athlete a row names, or None with one warning per unknown name."""
        if who.ident is not None and self.by_ident:
            key = self.by_ident.get(who.ident.casefold())
            if key is None:
                self._warn(
                    who,
                    who.ident.casefold(),
                    f"ID {show(who.ident)} is not on the Athletes sheet — check the ID; "
                    "rows with it were skipped",
                )
            return key
        if who.name is None:
            self._warn(
                who,
                f"id {who.ident}",
                "this row has an ID but no name, and the Athletes sheet has no ID column — "
                "type the athlete's name; the row was skipped",
            )
            return None
        keys = self.by_name.get(name_key(who.name), [])
        if len(keys) == 1:
            return keys[0]
        if keys:
            self._warn(
                who,
                name_key(who.name),
                f"two athletes are named {show(who.name)} — add an ID column here to say "
                "whose row this is; rows with this name were skipped",
            )
        else:
            self._warn(
                who,
                name_key(who.name),
                f"{show(who.name)} is not on the Athletes sheet — check the spelling or add "
                "them to Athletes; rows with this name were skipped",
            )
        return None

    def _warn(self, who: Who, token: str, message: str) -> None:
        """Warn once per sheet and name, at the first cell it appears in."""
        if (who.sheet, token) not in self._reported:
            self._reported.add((who.sheet, token))
            self.problems.add("warning", message, who.sheet, who.cell)


def key_athletes(rows: Sequence[AthleteRow], problems: Problems) -> tuple[list[str], Directory]:
    """Each athlete's key (the ID, else the normalised name); duplicate names or keys are errors."""
    keys: list[str] = []
    by_ident: dict[str, str] = {}
    by_name: dict[str, list[str]] = defaultdict(list)
    first_named: dict[str, AthleteRow] = {}
    first_keyed: dict[str, AthleteRow] = {}
    for row in rows:
        assert row.who.name is not None
        name, ident = name_key(row.who.name), row.who.ident
        key = ident if ident is not None else name
        named, keyed = first_named.get(name), first_keyed.get(key.casefold())
        if named is not None and (ident is None or named.who.ident is None):
            message = (
                f"{show(row.who.name)} is on the Athletes sheet twice (rows {named.row} and "
                f"{row.row}) — delete one row, or give each a different ID in an ID column"
            )
        elif keyed is not None:
            what = f"ID {show(key)} is used by two athletes" if keyed.who.ident else (
                f"{show(key)} is both an ID and an athlete's name"
            )  # fmt: skip
            message = f"{what} (rows {keyed.row} and {row.row}) — give each athlete their own ID"
        else:
            message = ""
        if message:
            problems.add("error", message, row.who.sheet, row.who.cell)
        first_named.setdefault(name, row)
        first_keyed.setdefault(key.casefold(), row)
        if ident is not None:
            by_ident.setdefault(ident.casefold(), key)
        keys.append(key)
        by_name[name].append(key)
    return keys, Directory(problems, by_ident, dict(by_name))


def match_mileage(
    mileage: MileageSheet | None, directory: Directory
) -> list[tuple[str, MileageEntry]]:
    """Mileage entries paired with their athlete's key; unknown names are warned and dropped."""
    if mileage is None:
        return []
    return [(key, e) for e in mileage.entries if (key := directory.find(e.who)) is not None]


def report_date_of(
    team: TeamInfo,
    mileage: MileageSheet | None,
    matched: Sequence[tuple[str, MileageEntry]],
    problems: Problems,
    order: DateOrder = MONTH_FIRST,
) -> date | None:
    """The Team sheet's Report date, else the last day of the latest week in Mileage.

    A latest week more than half a year after every other one is most likely a typo in
    the year, so it is warned about (it still sets the report date, as the contract says).
    """
    if team.report_date is not None or mileage is None:
        return team.report_date
    found = [*mileage.week_columns, *((e.week, e.week_cell) for _, e in matched)]
    if not found:
        return None
    weeks = sorted({week for week, _ in found})
    if len(weeks) > 1 and weeks[-1] - weeks[-2] > FAR_GAP:
        cell = next(cell for week, cell in found if week == weeks[-1])
        problems.add(
            "warning",
            f"{show(written(weeks[-1], order))} is more than half a year after every other week — "
            "check the year; the report date was taken from it",
            mileage.title,
            cell,
        )
    return weeks[-1] + timedelta(days=6)


@dataclass
class _Late:
    """Warns, once per cell, about dates after the report date, written in the workbook's order."""

    problems: Problems
    report: date
    order: DateOrder
    seen: set[tuple[str, str]] = field(default_factory=set)

    def __call__(self, sheet: str, cell: str, day: date) -> bool:
        """True (with one warning per cell) when a date falls after the report date."""
        if day <= self.report:
            return False
        if (sheet, cell) not in self.seen:
            self.seen.add((sheet, cell))
            self.problems.add(
                "warning",
                f"{show(written(day, self.order))} is after the report date "
                f"({written(self.report, self.order)}) — fix the date, or change the Team "
                "sheet's Report date; it was skipped",
                sheet,
                cell,
            )
        return True


def warn_unborn(
    rows: Sequence[AthleteRow], report: date, problems: Problems, order: DateOrder
) -> None:
    """Warn about a date of birth after the report date: a typo, read as under 18 meanwhile."""
    for row in rows:
        born = row.athlete.birth_date
        if born is not None and born > report:
            problems.add(
                "warning",
                f"{show(written(born, order))} is a date of birth after the report date "
                f"({written(report, order)}) — fix the year; until then "
                f"{row.athlete.name} is treated as under 18",
                row.who.sheet,
                row.birth_cell,
            )


def weeks_by_athlete(
    mileage: MileageSheet | None,
    matched: Sequence[tuple[str, MileageEntry]],
    late: _Late,
) -> tuple[list[date], dict[str, dict[date, MileageEntry]]]:
    """Every week in the roster (oldest first) and each athlete's entry per week."""
    if mileage is None:
        return [], {}
    weeks = {w for w, cell in mileage.week_columns if not late(mileage.title, cell, w)}
    table: dict[str, dict[date, MileageEntry]] = defaultdict(dict)
    for key, entry in matched:
        if late(entry.who.sheet, entry.week_cell, entry.week):
            continue
        weeks.add(entry.week)
        earlier = table[key].get(entry.week)
        if earlier is not None:
            late.problems.add(
                "warning",
                f"is a second entry for {entry.who.name or entry.who.ident}'s "
                f"week of {written(entry.week, late.order)} — the first ({earlier.miles_cell}) was "
                "used; delete one of them",
                entry.who.sheet,
                entry.miles_cell,
            )
            continue
        table[key][entry.week] = entry
    return sorted(weeks), table


def incidents_by_athlete(
    cramps: Iterable[CrampEntry], directory: Directory, late: _Late
) -> dict[str, list[Incident]]:
    """Each athlete's incidents, oldest first; later-than-report ones are warned and skipped."""
    found: dict[str, list[Incident]] = defaultdict(list)
    for entry in cramps:
        key = directory.find(entry.who)
        if key is None or late(entry.who.sheet, entry.date_cell, entry.incident.day):
            continue
        found[key].append(entry.incident)
    for incidents in found.values():
        incidents.sort(key=lambda i: i.day)
    return found


def build_athlete(
    row: AthleteRow,
    key: str,
    weeks: Sequence[date],
    logged: dict[date, MileageEntry],
    incidents: Sequence[Incident],
) -> Athlete:
    """One Athlete with a Week for every roster week (miles None where not logged)."""
    timeline = []
    for start in weeks:
        entry = logged.get(start)
        timeline.append(Week(start=start, miles=None) if entry is None else Week(
            start=start, miles=entry.miles, long_run_miles=entry.long_run_miles,
            runs=entry.runs, race_week=entry.race_week, hot_week=entry.hot_week,
        ))  # fmt: skip
    return replace(row.athlete, key=key, weeks=tuple(timeline), incidents=tuple(incidents))


def build_team(info: TeamInfo, stem: str) -> Team:
    """The Team, defaulting the name to the file name made readable and units to miles."""
    return Team(
        name=info.team or readable(stem),
        coach=info.coach,
        coach_email=info.coach_email,
        units=info.units or "miles",
        report_date=info.report_date,
    )


def assemble(
    source: str,
    stem: str,
    info: TeamInfo,
    rows: Sequence[AthleteRow],
    mileage: MileageSheet | None,
    cramps: Sequence[CrampEntry],
    problems: Problems,
    order: DateOrder = MONTH_FIRST,
) -> Roster | None:
    """The Roster, or None when an error makes one impossible (the error is in `problems`).
    Dates in warnings are written in `order`, the way the workbook writes them."""
    keys, directory = key_athletes(rows, problems)
    matched = match_mileage(mileage, directory)
    report = report_date_of(info, mileage, matched, problems, order)
    if report is None:
        if mileage is not None:
            problems.add(
                "error",
                "no weeks of mileage — add rows with a Week of date and a "
                "distance, or set a Report date on the Team sheet",
                mileage.title,
            )
        return None
    late = _Late(problems, report, order)
    warn_unborn(rows, report, problems, order)
    weeks, logged = weeks_by_athlete(mileage, matched, late)
    incidents = incidents_by_athlete(cramps, directory, late)
    if problems.errors or not rows:
        return None
    athletes = tuple(
        build_athlete(row, key, weeks, logged.get(key, {}), incidents.get(key, []))
        for row, key in zip(rows, keys, strict=True)
    )
    return Roster(
        source=source,
        team=build_team(info, stem),
        athletes=athletes,
        report_date=report,
        problems=tuple(problems.found),
    )
