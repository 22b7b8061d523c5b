"""Roster workbooks: read a coach's .xlsx into a Roster with cell-level problems, or write one.

Reading never trusts the file: see `workbook` for the limits and checks applied before
openpyxl parses anything. Every cell that cannot be understood becomes a warning naming
its `Sheet!Cell`; anything that makes the workbook unusable is an error, and any error
raises `RosterError` carrying every problem found.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from reports.errors import RosterError
from reports.models import Problem, Roster, TextCell
from reports.roster.assemble import assemble
from reports.roster.headers import NumberedRow, sheet_role, sheet_unit, squash
from reports.roster.mileage import MileageSheet, read_mileage
from reports.roster.reading import Problems, SheetCells, capped
from reports.roster.sheets import (
    AthleteRow,
    CrampEntry,
    TeamInfo,
    read_athletes,
    read_cramps,
    read_team,
)
from reports.roster.template import write_template
from reports.roster.workbook import ROSTER_SUFFIXES, Book, open_book
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
    reader: Callable[[SheetCells, Iterable[NumberedRow], str], T],
    texts: list[TextCell] | None = None,
) -> T | None:
    """Run one sheet reader with that sheet's cells (over-long text cut short), if it exists.

    The printed text it notes is added to `texts`.
    """
    if title is None:
        return None
    unsaved, more = book.unsaved(title)
    sheet = SheetCells(title, problems, unsaved, more)
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


def read_roster(
    path: Path, limits: LimitSettings = DEFAULT_LIMITS, *, follow_links: bool = True
) -> Roster:
    """Read one workbook. Raises RosterError(message, problems) when it has any error;
    RosterError.problems lists every error AND warning found (so `check` can print all).
    On success Roster.problems holds the warnings and notes. With `follow_links` False
    (the hot folder) a symbolic link is refused rather than read."""
    path = Path(path)
    problems = Problems()
    texts: list[TextCell] = []
    with open_book(path, limits, follow_links=follow_links) as book:
        roles = assign_sheets(book.titles, problems)
        team = (
            _read(book, roles.get("team"), problems, lambda s, rows, t: read_team(s, rows), texts)
            or TeamInfo()
        )
        athletes: list[AthleteRow] | None = _read(
            book,
            roles.get("athletes"),
            problems,
            lambda s, rows, t: read_athletes(s, rows),
            texts,
        )
        mileage: MileageSheet | None = _read(
            book,
            roles.get("mileage"),
            problems,
            lambda s, rows, t: read_mileage(s, rows, _distance_unit(t) or team.units),
        )
        cramps: list[CrampEntry] = (
            _read(
                book,
                roles.get("cramps"),
                problems,
                lambda s, rows, t: read_cramps(s, rows, team.units),
                texts,
            )
            or []
        )
    if athletes is not None and not athletes:
        problems.add(
            "error",
            "no athletes below the header row — add one row per athlete "
            "with their name in the Name column",
            roles.get("athletes"),
        )
    roster = assemble(path.name, path.stem, team, athletes or [], mileage, cramps, problems)
    ordered = sorted(problems.found, key=lambda p: SEVERITY_RANK[p.severity])
    if roster is None or problems.errors:
        if not problems.errors:  # assemble found no roster without saying why: a bug guard
            ordered.insert(0, Problem("error", "no roster could be read from this workbook"))
        raise RosterError(_summary(path.name, ordered), ordered)
    logger.info(
        "read %s: %d athletes, %d warnings", path.name, len(roster.athletes), len(roster.warnings)
    )
    return replace(roster, problems=tuple(ordered), texts=tuple(texts))


def _distance_unit(title: str) -> str | None:
    """A distance unit named in a sheet's title, e.g. `Mileage (km)`."""
    unit = sheet_unit(title)
    return unit if unit in ("miles", "km") else None
