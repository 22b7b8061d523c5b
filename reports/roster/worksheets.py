"""Per-sheet readers for Team, Athletes and Cramps: rows in, plain entries and problems out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from reports.models import Athlete, Incident, Units
from reports.roster import cells
from reports.roster.cells import Unreadable
from reports.roster.dates import DateOrder
from reports.roster.headers import (
    ATHLETE_ALIASES,
    CRAMP_ALIASES,
    TEAM_ALIASES,
    Header,
    NumberedRow,
    Row,
    squash,
)
from reports.roster.reading import SheetCells, Who, blank, headed, note_skipped, ref, unit_for, who

_TEAM_HEADINGS = frozenset({"key", "setting", "settings", "field", "item", "property", "what"})


@dataclass(frozen=True)
class TeamInfo:
    """What the Team sheet says; None where it says nothing."""

    team: str | None = None
    coach: str | None = None
    coach_email: str | None = None
    units: Units | None = None
    report_date: date | None = None
    date_order: DateOrder | None = None
    date_order_cell: str | None = None


_TEAM_PARSERS: dict[str, Callable[[object], object]] = {
    "team": cells.text,
    "coach": cells.text,
    "coach_email": cells.email,
    "units": cells.units,
    "date_order": cells.date_order,
}


def _team_pairs(
    sheet: SheetCells, rows: Iterable[NumberedRow]
) -> Iterable[tuple[str, str, object]]:
    """(field, value cell, value) pairs from a two-column key/value sheet."""
    for number, row in rows:
        filled = [i for i, v in enumerate(row) if not cells.is_blank(v)]
        if not filled:
            continue
        at = filled[0]
        key = cells.text(row[at]) or ""
        value = row[at + 1] if at + 1 < len(row) else None
        name = TEAM_ALIASES.get(squash(key))
        if name is None:
            if squash(key) not in _TEAM_HEADINGS:
                sheet.note(
                    ref(at, number),
                    f"{cells.show(key)} is not a Team setting we use — it was skipped",
                )
            continue
        yield name, ref(at + 1, number), value


def read_team(sheet: SheetCells, rows: Iterable[NumberedRow]) -> TeamInfo:
    """The Team sheet: `Team`, `Coach`, `Coach email`, `Units`, `Report date`, `Date order`."""
    found: dict[str, object] = {}
    for name, cell, value in _team_pairs(sheet, rows):
        if name in found or cells.is_blank(value):
            continue
        if name == "report_date":
            day = sheet.day_at(cell, value)
            if day is not None:
                found[name] = day
            continue
        try:
            found[name] = _TEAM_PARSERS[name](value)
        except Unreadable as err:
            sheet.warn(cell, str(err))
            continue
        if name == "date_order":
            found["date_order_cell"] = cell
        if name in ("team", "coach"):
            sheet.printed(cell, cells.text(value))
    sheet.finish()
    return TeamInfo(**found)  # type: ignore[arg-type]  # each parser returns its field's type


@dataclass(frozen=True)
class AthleteRow:
    """One athlete as the Athletes sheet gives them, before the key, weeks and incidents."""

    who: Who
    row: int
    athlete: Athlete
    birth_cell: str | None = None  # where the Date of birth was read, for later warnings


def read_athletes(sheet: SheetCells, rows: Iterable[NumberedRow]) -> list[AthleteRow] | None:
    """Every athlete row in sheet order; None when the sheet has no usable header."""
    found = headed(sheet, rows, ATHLETE_ALIASES, "Name, Email, …")
    if found is None:
        return None
    header, rest = found
    note_skipped(sheet, header)
    fluid_unit = unit_for(sheet, header, "pre_run_fluid", "oz")
    athletes: list[AthleteRow] = []
    for number, row in rest:
        if blank(row):
            continue
        person = who(sheet, number, row, header)
        if person is None or person.name is None:
            name_col = header.columns.get("name") or header.columns.get("first_name")
            cell = ref(name_col.index, number) if name_col else None
            sheet.warn(cell, "this row has no name — type the athlete's name, or delete the row")
            continue
        if cells.has_invisible(sheet.value(number, row, header.columns.get("name"))):
            sheet.warn(
                person.cell,
                f"the name {cells.show(person.name)} held invisible control or text-direction "
                "characters — they were removed; retype the name if it does not look right",
            )
        sheet.printed(person.cell, person.name)
        athlete = _athlete(sheet, number, row, header, person.name, fluid_unit)
        born = header.columns.get("birth_date")
        birth_cell = ref(born.index, number) if born and athlete.birth_date else None
        athletes.append(AthleteRow(person, number, athlete, birth_cell))
    sheet.finish()
    return athletes


def _email(
    sheet: SheetCells, number: int, row: Row, header: Header, name: str, field: str = "email"
) -> str | None:
    """The athlete's (or parent's) address; a bad one is warned about and left out."""
    column = header.columns.get(field)
    try:
        return cells.email(sheet.value(number, row, column))
    except Unreadable as err:
        cell = ref(column.index, number) if column else None
        if field == "email":
            sheet.warn(cell, f"{err}; until then {name}'s sheet is not emailed")
        else:
            sheet.warn(cell, f"{err}; until then {name}'s parent is not copied on the sheet")
        return None


def _athlete(
    sheet: SheetCells, number: int, row: Row, header: Header, name: str, fluid_unit: str | None
) -> Athlete:
    """The Athletes columns of one row (the key is set when sheets are joined)."""
    col = header.columns.get
    fluid = col("pre_run_fluid") if fluid_unit else None
    return Athlete(
        key="",
        name=name,
        email=_email(sheet, number, row, header, name),
        group=sheet.printed_text(number, row, col("group")),
        heavy_sweater=sheet.parse(number, row, col("heavy_sweater"), cells.yes_no),
        compression=sheet.parse(number, row, col("compression"), cells.yes_no),
        warmup=sheet.parse(number, row, col("warmup"), cells.yes_no),
        pre_run_fluid_oz=sheet.parse(number, row, fluid, cells.fluid, fluid_unit),
        medication=sheet.parse(number, row, col("medication"), cells.yes_or_text),
        condition=cells.text(sheet.value(number, row, col("condition"))),
        coach_note=sheet.printed_text(number, row, col("coach_note")),
        parent_email=_email(sheet, number, row, header, name, "parent_email"),
        send_sheet=_send_sheet(sheet, number, row, header, name),
        age=sheet.parse(number, row, col("age"), _age),
        birth_date=sheet.day(number, row, col("birth_date")),
    )


def _send_sheet(sheet: SheetCells, number: int, row: Row, header: Header, name: str) -> bool:
    """`Send sheet`: empty means Y; a cell that is neither Y nor N holds the sheet back."""
    column = header.columns.get("send_sheet")
    try:
        return cells.yes_no(sheet.value(number, row, column)) is not False
    except Unreadable as err:
        # An athlete may have asked not to get sheets: when unsure, do not send.
        cell = ref(column.index, number) if column else None
        sheet.warn(cell, f"{err}; until then {name}'s sheet is not emailed")
        return False


_AGE_WORDS = re.compile(r"\s*(?:years?|yrs?|y/?o|y)\.?\s*(?:old)?\s*$", re.IGNORECASE)


def _age(value: object) -> float | None:
    """An age in years (`16`, `16 yrs`): under 18 on the report date is a minor."""
    hint = "type the age in years, e.g. 16, or use a Date of birth column"
    raw = _AGE_WORDS.sub("", value) if isinstance(value, str) else value
    parsed = cells.number(raw, "an age", hint)
    if parsed is None:
        return None
    years, unit = parsed
    if unit is not None or not 3 <= years < 120:
        raise Unreadable(f"{cells.show(value)} is not an age — {hint}")
    return years


@dataclass(frozen=True)
class CrampEntry:
    """One cramp row: whose, the incident, and the cell holding its date."""

    who: Who
    incident: Incident
    date_cell: str


def read_cramps(
    sheet: SheetCells, rows: Iterable[NumberedRow], stated: str | None
) -> list[CrampEntry]:
    """Every readable cramp row; rows without a readable date are warned about and skipped."""
    found = headed(sheet, rows, CRAMP_ALIASES, "Name, Date, When, …", optional=True)
    if found is None:
        return []
    header, rest = found
    if not header.has("date"):
        sheet.error("no Date column — add a column headed Date with the day of each cramp")
        return []
    note_skipped(sheet, header)
    units = {
        name: unit_for(sheet, header, name, default, stated if name == "run_distance" else None)
        for name, default in (("run_distance", stated or "miles"), ("minutes_in", "min"),
                              ("fluid_before", "oz"), ("temperature", "f"), ("lasted", "min"))
    }  # fmt: skip
    entries: list[CrampEntry] = []
    for number, row in rest:
        if blank(row):
            continue
        person = who(sheet, number, row, header)
        date_col = header.columns["date"]
        if person is None:
            sheet.warn(
                ref(date_col.index, number),
                "this cramp has no name — type whose cramp it was, or delete the row",
            )
            continue
        day = sheet.day(number, row, date_col)
        if day is None:
            if cells.is_blank(sheet.value(number, row, date_col)):
                sheet.warn(
                    ref(date_col.index, number),
                    "this cramp has no date — type the day it happened; it was skipped",
                )
            continue
        incident = _incident(sheet, number, row, header, day, units)
        entries.append(CrampEntry(person, incident, ref(date_col.index, number)))
    sheet.finish()
    return entries


def _incident(
    sheet: SheetCells,
    number: int,
    row: Row,
    header: Header,
    day: date,
    units: Mapping[str, str | None],
) -> Incident:
    """The optional Cramps columns of one row, parsed into an Incident."""
    col = header.columns.get

    def measured(name: str, parser: Callable[[object, str], float | None]) -> float | None:
        unit = units[name]
        return sheet.parse(number, row, col(name), parser, unit) if unit else None

    return Incident(
        day=day,
        when=sheet.parse(number, row, col("when"), cells.when),
        muscle=cells.muscle(sheet.value(number, row, col("muscle"))),
        severity=sheet.parse(number, row, col("severity"), cells.severity),
        run_miles=measured("run_distance", cells.distance),
        minutes_in=measured("minutes_in", cells.minutes),
        pace=sheet.parse(number, row, col("pace"), cells.pace),
        fluid_before_oz=measured("fluid_before", cells.fluid),
        electrolytes=sheet.parse(number, row, col("electrolytes"), cells.yes_no),
        warmed_up=sheet.parse(number, row, col("warmed_up"), cells.yes_no),
        temperature_f=measured("temperature", cells.temperature),
        urine=sheet.parse(number, row, col("urine"), cells.urine),
        lasted_minutes=measured("lasted", cells.minutes),
        red_flag=sheet.parse(number, row, col("red_flag"), cells.yes_or_text),
        notes=sheet.printed_text(number, row, col("notes")),
    )
