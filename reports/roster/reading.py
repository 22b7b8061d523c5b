"""Reading helpers shared by the sheet readers: problems, cell references, names, units."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from openpyxl.utils import get_column_letter

from reports.models import Problem, Severity, TextCell
from reports.roster import cells
from reports.roster.cells import Unreadable
from reports.roster.dates import TextDates
from reports.roster.headers import UNIT_KINDS, Column, Header, NumberedRow, Row, find_header

T = TypeVar("T")

# Excel itself stops a cell at 32,767 characters; no roster field needs more than this.
MAX_TEXT = 2_000


@dataclass
class Problems:
    """Problems found while reading, in the order found."""

    found: list[Problem] = field(default_factory=list)

    def add(
        self, severity: Severity, message: str, sheet: str | None = None, cell: str | None = None
    ) -> None:
        """Record one problem."""
        self.found.append(Problem(severity, message, sheet, cell))

    @property
    def errors(self) -> list[Problem]:
        """The problems that make the workbook unusable."""
        return [p for p in self.found if p.severity == "error"]


def ref(index: int, row: int) -> str:
    """`C10` for a 0-based column index and a 1-based row number."""
    return f"{get_column_letter(index + 1)}{row}"


@dataclass
class SheetCells:
    """Reads one sheet's cells, turning values it cannot use into warnings with their cell."""

    title: str
    problems: Problems
    unsaved: frozenset[str] = frozenset()
    more_unsaved: bool = False
    formula_cells: list[str] = field(default_factory=list)
    dates: TextDates = field(default_factory=TextDates)
    texts: list[TextCell] = field(default_factory=list)

    def value(self, number: int, row: Row, column: Column | None) -> object:
        """The raw value of a column in a row (None when absent)."""
        if column is None:
            return None
        found = row[column.index] if column.index < len(row) else None
        if found is None and self.unsaved and ref(column.index, number) in self.unsaved:
            self.formula_cells.append(ref(column.index, number))
        return found

    def printed(self, cell: str, text: str | None) -> str | None:
        """Note that `text`, from `cell`, is printed on the sheets; returns it."""
        if text:
            self.texts.append(TextCell(self.title, cell, text))
        return text

    def printed_text(self, number: int, row: Row, column: Column | None) -> str | None:
        """A text cell that the sheets print (a group, a note), noted with its cell."""
        found = cells.text(self.value(number, row, column))
        return self.printed(ref(column.index, number), found) if column else found

    def parse(
        self,
        number: int,
        row: Row,
        column: Column | None,
        parser: Callable[..., T | None],
        *args: Any,
    ) -> T | None:
        """A parsed cell, or None with a warning naming the cell when it cannot be read."""
        raw = self.value(number, row, column)
        if raw is None or column is None:
            return None
        try:
            return parser(raw, *args)
        except Unreadable as err:
            self.warn(ref(column.index, number), str(err))
            return None

    def day(self, number: int, row: Row, column: Column | None) -> date | None:
        """A date cell of a row, as `day_at` reads it."""
        raw = self.value(number, row, column)
        if raw is None or column is None:
            return None
        return self.day_at(ref(column.index, number), raw)

    def day_at(self, cell: str, raw: object) -> date | None:
        """A date, text read in the workbook's date order (and remembered, so the order can
        be checked); None with a warning naming the cell when it is no date."""
        try:
            found = cells.day(raw, self.dates.order)
        except Unreadable as err:
            self.warn(cell, str(err))
            return None
        if isinstance(raw, str):
            self.dates.saw(self.title, cell, raw)
        return found

    def warn(self, cell: str | None, message: str) -> None:
        """A warning about a cell of this sheet."""
        self.problems.add("warning", message, self.title, cell)

    def note(self, cell: str | None, message: str) -> None:
        """A note about a cell of this sheet."""
        self.problems.add("note", message, self.title, cell)

    def error(self, message: str) -> None:
        """An error about this sheet as a whole."""
        self.problems.add("error", message, self.title)

    def finish(self) -> None:
        """One warning for the formulas in the columns read whose result was never saved."""
        if not self.formula_cells:
            return
        others = len(self.formula_cells) - 1 + (1 if self.more_unsaved else 0)
        also = f" (and {others}{'+' if self.more_unsaved else ''} more cells)" if others else ""
        self.warn(
            self.formula_cells[0],
            f"holds a formula whose result was never saved{also} — open the workbook in "
            "Excel, save it, and drop it in again",
        )


@dataclass(frozen=True)
class Who:
    """How a row names its athlete: a name and/or an ID, and the cell that says so."""

    name: str | None
    ident: str | None
    sheet: str
    cell: str


def who(sheet: SheetCells, number: int, row: Row, header: Header) -> Who | None:
    """The athlete a row is about, or None for a row with no name or ID."""
    name = cells.text(sheet.value(number, row, header.columns.get("name")))
    if name is None and header.has("first_name", "last_name"):
        parts = (
            cells.text(sheet.value(number, row, header.columns[f]))
            for f in ("first_name", "last_name")
        )
        name = " ".join(p for p in parts if p) or None
    ident = cells.text(sheet.value(number, row, header.columns.get("id")))
    if name is None and ident is None:
        return None
    first = header.columns.get("name") or header.columns.get("first_name")
    cell = ref(first.index if first else header.columns["id"].index, number)
    return Who(name, ident, sheet.title, cell)


def capped(sheet: SheetCells, rows: Iterable[NumberedRow]) -> Iterator[NumberedRow]:
    """Rows with every text longer than MAX_TEXT cut short, and a warning for each such cell."""
    for number, row in rows:
        if any(isinstance(value, str) and len(value) > MAX_TEXT for value in row):
            row = tuple(_cut(sheet, number, index, value) for index, value in enumerate(row))
        yield number, row


def _cut(sheet: SheetCells, number: int, index: int, value: object) -> object:
    """One cell's value, cut to MAX_TEXT characters (with a warning) when it is longer."""
    if not isinstance(value, str) or len(value) <= MAX_TEXT:
        return value
    sheet.warn(
        ref(index, number),
        f"holds {len(value):,} characters, far more than a roster cell needs — only the first "
        f"{MAX_TEXT:,} were read; shorten the text in this cell",
    )
    return value[:MAX_TEXT]


def blank(row: Row) -> bool:
    """A row with nothing in it."""
    return all(cells.is_blank(v) for v in row)


def unit_for(
    sheet: SheetCells, header: Header, name: str, default: str, stated: str | None = None
) -> str | None:
    """The unit of a column: its heading's, else `default`; None (and a warning) if unusable.

    A heading whose unit contradicts the roster's `stated` unit (Team sheet Units) still
    wins, as it sits nearest the numbers, but is warned about so a mix-up is caught.
    """
    column = header.columns.get(name)
    if column is None or (column.unit is None and column.unit_written is None):
        return default
    cell = ref(column.index, header.row)
    if column.unit not in UNIT_KINDS[name]:
        allowed = " or ".join(sorted(UNIT_KINDS[name]))
        sheet.warn(cell, f'the unit "{column.unit_written}" in {cells.show(column.heading)} is '
                   f"not one we read — use {allowed}; this column was skipped")  # fmt: skip
        return None
    if stated is not None and column.unit != stated:
        sheet.warn(cell, f"{cells.show(column.heading)} says {column.unit} but the Team sheet's "
                   f"Units says {stated} — the column was read as {column.unit}; change the "
                   "heading or the Units if that is wrong")  # fmt: skip
    return column.unit


def note_skipped(sheet: SheetCells, header: Header, what: str = "a column we use") -> None:
    """A note for every heading that names no field."""
    for index, heading in header.skipped:
        sheet.note(ref(index, header.row), f"{cells.show(heading)} is not {what} — it was skipped")


def headed(
    sheet: SheetCells,
    rows: Iterable[NumberedRow],
    aliases: Mapping[str, str],
    example: str,
    weeks: bool = False,
    optional: bool = False,
) -> tuple[Header, Iterable[NumberedRow]] | None:
    """The header row and the rows below it; an error when no row names a Name column.

    An `optional` sheet that is entirely empty is no error: it is as if it were absent.
    """
    filled = False

    def watched() -> Iterator[NumberedRow]:
        nonlocal filled
        for item in rows:
            filled = filled or not blank(item[1])
            yield item

    header, rest = find_header(watched(), aliases, weeks, sheet.dates.order)
    if header is None:
        if optional and not filled:
            return None
        sheet.error(
            "no header row with a Name column in the first rows — put the headings "
            f"({example}) in one row above the data"
        )
        return None
    return header, rest
