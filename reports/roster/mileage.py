"""The Mileage sheet in either layout: long (a row per athlete-week) or wide (a column per week)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from reports.roster import cells
from reports.roster.cells import Unreadable
from reports.roster.headers import MILEAGE_ALIASES, Column, Header, NumberedRow, Row
from reports.roster.reading import SheetCells, Who, blank, headed, note_skipped, ref, unit_for, who


@dataclass(frozen=True)
class MileageEntry:
    """One athlete-week as written: the distance in miles (None: not logged) and its cells."""

    who: Who
    week: date
    week_cell: str
    miles: float | None
    miles_cell: str
    long_run_miles: float | None = None
    runs: int | None = None
    race_week: bool = False
    hot_week: bool = False


@dataclass
class MileageSheet:
    """Every entry of the sheet, and the week columns of a wide layout with their heading cells."""

    title: str
    entries: list[MileageEntry] = field(default_factory=list)
    week_columns: list[tuple[date, str]] = field(default_factory=list)


def read_mileage(
    sheet: SheetCells, rows: Iterable[NumberedRow], stated: str | None
) -> MileageSheet | None:
    """The Mileage sheet in the `stated` unit (else miles), unless headings or Unit cells differ."""
    unit = stated or "miles"
    found = headed(sheet, rows, MILEAGE_ALIASES, "Name, Week of, Miles", weeks=True)
    if found is None:
        return None
    header, rest = found
    if header.has("week") and header.has("distance"):
        result = _read_long(sheet, header, rest, unit, stated)
    elif header.weeks:
        result = _read_wide(sheet, header, rest, unit)
    elif header.has("week"):
        sheet.error(
            "no Miles or Km column — add a column headed Miles (or Km) with each week's distance"
        )
        return None
    else:
        sheet.error(
            "no Week of column and no week dates in the header row — add a Week of "
            "column (one row per athlete and week) or head each week's column with its "
            "date, e.g. 11/16/2026"
        )
        return None
    sheet.finish()
    return result


def _row_unit(sheet: SheetCells, number: int, row: Row, header: Header, unit: str) -> str | None:
    """The unit a row's distances are in: its Unit cell, else `unit`; None if unreadable."""
    column = header.columns.get("unit")
    if column is None:
        return unit
    try:
        return cells.units(sheet.value(number, row, column)) or unit
    except Unreadable as err:
        sheet.warn(ref(column.index, number), f"{err}; this row's distances were skipped")
        return None


def _read_long(
    sheet: SheetCells, header: Header, rows: Iterable[NumberedRow], unit: str, stated: str | None
) -> MileageSheet:
    """One row per athlete and week: Name, Week of, Miles/Km/Distance (+ Unit), extras."""
    note_skipped(sheet, header)
    for index, heading in header.weeks:
        sheet.note(
            ref(index, header.row),
            f"{cells.show(heading)} was skipped: this sheet has a "
            "Week of column, so dated columns are not read as weeks",
        )
    distance_col = header.columns["distance"]
    heading_unit = unit_for(sheet, header, "distance", "", stated)
    if distance_col.unit_written is not None and not heading_unit:
        return MileageSheet(sheet.title)
    long_col = header.columns.get("long_run")
    long_unit = unit_for(sheet, header, "long_run", "", stated) if long_col else None
    week_col = header.columns["week"]
    result = MileageSheet(sheet.title)
    for number, row in rows:
        if blank(row):
            continue
        person = who(sheet, number, row, header)
        if person is None:
            sheet.warn(
                ref(week_col.index, number),
                "this row has no name — type whose week it is, or delete the row",
            )
            continue
        week = sheet.day(number, row, week_col)
        if week is None:
            if cells.is_blank(sheet.value(number, row, week_col)):
                sheet.warn(
                    ref(week_col.index, number),
                    "this row has no Week of date — type the first day of the week",
                )
            continue
        row_unit = heading_unit or _row_unit(sheet, number, row, header, unit)
        miles = (
            sheet.parse(number, row, distance_col, cells.distance, row_unit) if row_unit else None
        )
        long_run_unit = long_unit or row_unit
        col = header.columns.get
        result.entries.append(MileageEntry(
            who=person,
            week=week,
            week_cell=ref(week_col.index, number),
            miles=miles,
            miles_cell=ref(distance_col.index, number),
            long_run_miles=sheet.parse(number, row, long_col, cells.distance, long_run_unit)
            if long_run_unit else None,
            runs=sheet.parse(number, row, col("runs"), cells.count),
            race_week=bool(sheet.parse(number, row, col("race_week"), cells.yes_no)),
            hot_week=bool(sheet.parse(number, row, col("hot_week"), cells.yes_no)),
        ))  # fmt: skip
    return result


def _read_wide(
    sheet: SheetCells, header: Header, rows: Iterable[NumberedRow], unit: str
) -> MileageSheet:
    """Name then one column per week headed by its date; other columns (e.g. Total) are skipped."""
    note_skipped(sheet, header, "a week or a column we use")
    for name in ("week", "distance", "long_run", "runs", "race_week", "hot_week"):
        column = header.columns.get(name)
        if column is not None:
            sheet.note(
                ref(column.index, header.row),
                f"{cells.show(column.heading)} was skipped: "
                "in a sheet with one column per week only the week columns are read",
            )
    for index, heading in header.bad_weeks:
        sheet.warn(
            ref(index, header.row),
            f"{cells.show(heading)} is not a date — head the "
            "column with the first day of its week, e.g. Week of 11/16/2026; it was skipped",
        )
    for index, text in header.week_texts:
        sheet.dates.saw(sheet.title, ref(index, header.row), text)
    result = MileageSheet(sheet.title)
    columns: dict[date, int] = {}
    for index, week in header.weeks:
        if week in columns:
            sheet.warn(
                ref(index, header.row),
                f"is the same week as column "
                f"{ref(columns[week], header.row)} — merge the two; this column was skipped",
            )
            continue
        columns[week] = index
        result.week_columns.append((week, ref(index, header.row)))
    first_week = next(iter(columns.values()), 0)
    for number, row in rows:
        if blank(row):
            continue
        person = who(sheet, number, row, header)
        if person is None:
            sheet.warn(
                ref(first_week, number),
                "this row has no name — type whose weeks these are, or delete the row",
            )
            continue
        row_unit = _row_unit(sheet, number, row, header, unit)
        if row_unit is None:
            continue
        for week, index in columns.items():
            raw = row[index] if index < len(row) else None
            if raw is None:
                sheet.value(number, row, Column("week", index, ""))  # unsaved formula?
                continue
            try:
                miles = cells.distance(raw, row_unit)
            except Unreadable as err:
                sheet.warn(ref(index, number), str(err))
                miles = None
            result.entries.append(MileageEntry(
                who=person, week=week, week_cell=ref(index, header.row), miles=miles,
                miles_cell=ref(index, number),
            ))  # fmt: skip
    return result
