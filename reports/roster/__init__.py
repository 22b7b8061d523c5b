"""Roster workbooks: read a coach's .xlsx into a Roster with cell-level problems, or write one.

Reading never trusts the file: see `workbook` for the limits and checks applied before
openpyxl parses anything. Every cell that cannot be understood becomes a warning naming
its `Sheet!Cell`; anything that makes the workbook unusable is an error, and any error
raises `RosterError` carrying every problem found.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from reports.errors import RosterError
from reports.models import Problem, Roster, Severity, TextCell
from reports.roster.assemble import assemble
from reports.roster.dates import (
    MONTH_FIRST,
    DateOrder,
    OrderDecision,
    Place,
    TextDates,
    decide_order,
    explain,
    misfit_message,
)
from reports.roster.headers import NumberedRow, sheet_role, sheet_unit, squash
from reports.roster.mileage import MileageSheet, read_mileage
from reports.roster.reading import Problems, SheetCells, capped
from reports.roster.template import write_template
from reports.roster.workbook import ROSTER_SUFFIXES, Book, open_book
from reports.roster.worksheets import (
    AthleteRow,
    CrampEntry,
    TeamInfo,
    read_athletes,
    read_cramps,
    read_team,
)
from reports.settings import LimitSettings

__all__ = ["ROSTER_SUFFIXES", "read_roster", "write_template"]

logger = logging.getLogger(__name__)

DEFAULT_LIMITS = LimitSettings()
SEVERITY_RANK = {"error": 0, "warning": 1, "note": 2}

T = TypeVar("T")


def assign_sheets(titles: tuple[str, ...], problems: Problems) -> dict[str, str]:
    """Role (team/athletes/mileage/cramps) → sheet title; other sheets get a note.

    A sheet named exactly for its role (`Mileage`) wins over an alias (`Mileage (old)`).
    """
    roles: dict[str, str] = {}
    for title in sorted(titles, key=lambda t: squash(t) != sheet_role(t)):
        role = sheet_role(title)
        if role is not None:
            roles.setdefault(role, title)
    for title in titles:
        role = sheet_role(title)
        if role is None:
            problems.add(
                "note",
                "is not a roster sheet (Team, Athletes, Mileage or Cramps) — it was skipped",
                title,
            )
        elif role != "instructions" and roles[role] != title:
            problems.add(
                "note",
                f'is a second {role.capitalize()} sheet — only "{roles[role]}" was read',
                title,
            )
    roles.pop("instructions", None)
    for role, columns in (("athletes", "Name, Email, …"), ("mileage", "Name, Week of, Miles")):
        if role not in roles:
            found = ", ".join(titles) or "none"
            problems.add(
                "error",
                f"no {role.capitalize()} sheet — add a sheet named {role.capitalize()} with "
                f"the columns {columns} (sheets found: {found})",
            )
    return roles


def _read(
    book: Book,
    title: str | None,
    problems: Problems,
    dates: TextDates,
    reader: Callable[[SheetCells, Iterable[NumberedRow], str], T],
    texts: list[TextCell] | None = None,
) -> T | None:
    """Run one sheet reader with that sheet's cells (over-long text cut short), if it exists.

    The printed text it notes is added to `texts`.
    """
    if title is None:
        return None
    unsaved, more = book.unsaved(title)
    sheet = SheetCells(title, problems, unsaved, more, dates=dates)
    found = reader(sheet, capped(sheet, book.rows(title)), title)
    if texts is not None:
        texts.extend(sheet.texts)
    return found


def _summary(source: str, problems: list[Problem]) -> str:
    """One line for a rejected roster: its first error and how many more there are."""
    errors = [p for p in problems if p.severity == "error"]
    first = errors[0]
    where = f"{first.location}: " if first.sheet else ""
    more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
    return f"{source}: {where}{first.message}{more}"


@dataclass
class _Sheets:
    """What one pass over a workbook's sheets read, and the problems it found."""

    problems: Problems
    dates: TextDates
    team: TeamInfo
    athletes: list[AthleteRow] | None
    mileage: MileageSheet | None
    cramps: list[CrampEntry]
    roles: dict[str, str]
    texts: list[TextCell]

    @property
    def units(self) -> str | None:
        """The team's distance unit: the Team sheet's Units, else the Mileage sheet title's."""
        return self.team.units or _distance_unit(self.roles.get("mileage", ""))


def _read_sheets(book: Book, order: DateOrder) -> _Sheets:
    """Every roster sheet of a workbook, with dates typed as text read in `order`."""
    problems = Problems()
    dates = TextDates(order)
    texts: list[TextCell] = []
    roles = assign_sheets(book.titles, problems)
    team = (
        _read(
            book, roles.get("team"), problems, dates, lambda s, rows, t: read_team(s, rows), texts
        )
        or TeamInfo()
    )
    athletes: list[AthleteRow] | None = _read(
        book,
        roles.get("athletes"),
        problems,
        dates,
        lambda s, rows, t: read_athletes(s, rows),
        texts,
    )
    mileage: MileageSheet | None = _read(
        book,
        roles.get("mileage"),
        problems,
        dates,
        lambda s, rows, t: read_mileage(s, rows, _distance_unit(t) or team.units),
    )
    cramps: list[CrampEntry] = (
        _read(
            book,
            roles.get("cramps"),
            problems,
            dates,
            lambda s, rows, t: read_cramps(s, rows, team.units),
            texts,
        )
        or []
    )
    return _Sheets(problems, dates, team, athletes, mileage, cramps, roles, texts)


def _date_order(sheets: _Sheets) -> OrderDecision:
    """The order the workbook's dates typed as text are read in."""
    team = sheets.team
    told_at = None
    if team.date_order is not None and team.date_order_cell is not None:
        told_at = Place(sheets.roles["team"], team.date_order_cell, team.date_order)
    return decide_order(sheets.dates.seen, sheets.units, team.date_order, told_at)


def _say_date_order(sheets: _Sheets, decision: OrderDecision) -> None:
    """A note saying which order was used and why (first among the notes), a warning instead
    when it was only assumed, and a warning on every text date that contradicts it."""
    where = decision.where
    if decision.reason != "unneeded" and where is not None:
        severity: Severity = "warning" if decision.reason == "assumed" else "note"
        message = explain(decision, sheets.units)
        sheets.problems.found.insert(0, Problem(severity, message, where.sheet, where.cell))
    for place in decision.misfits:
        sheets.problems.add("warning", misfit_message(place, decision), place.sheet, place.cell)


def read_roster(
    path: Path, limits: LimitSettings = DEFAULT_LIMITS, *, follow_links: bool = True
) -> Roster:
    """Read one workbook. Raises RosterError(message, problems) when it has any error;
    RosterError.problems lists every error AND warning found (so `check` can print all).
    On success Roster.problems holds the warnings and notes. With `follow_links` False
    (the hot folder) a symbolic link is refused rather than read.

    Dates typed as text are first read month first; when the workbook turns out to write
    them day first, it is read again that way (see `dates`)."""
    path = Path(path)
    with open_book(path, limits, follow_links=follow_links) as book:
        sheets = _read_sheets(book, MONTH_FIRST)
        decision = _date_order(sheets)
        if decision.rereads:
            sheets = _read_sheets(book, decision.order)
    _say_date_order(sheets, decision)
    problems, athletes = sheets.problems, sheets.athletes
    if athletes is not None and not athletes:
        problems.add(
            "error",
            "no athletes below the header row — add one row per athlete "
            "with their name in the Name column",
            sheets.roles.get("athletes"),
        )
    roster = assemble(
        path.name,
        path.stem,
        sheets.team,
        athletes or [],
        sheets.mileage,
        sheets.cramps,
        problems,
        decision.order,
    )
    ordered = sorted(problems.found, key=lambda p: SEVERITY_RANK[p.severity])
    if roster is None or problems.errors:
        if not problems.errors:  # assemble found no roster without saying why: a bug guard
            ordered.insert(0, Problem("error", "no roster could be read from this workbook"))
        raise RosterError(
            _summary(path.name, ordered), ordered, coach_email=sheets.team.coach_email
        )
    logger.info(
        "read %s: %d athletes, %d warnings", path.name, len(roster.athletes), len(roster.warnings)
    )
    return replace(roster, problems=tuple(ordered), texts=tuple(sheets.texts))


def _distance_unit(title: str) -> str | None:
    """A distance unit named in a sheet's title, e.g. `Mileage (km)`."""
    unit = sheet_unit(title)
    return unit if unit in ("miles", "km") else None
