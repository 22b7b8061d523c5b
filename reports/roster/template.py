"""A blank roster workbook for a coach to fill in: every sheet, drop-downs, and instructions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT: Final = "m/d/yyyy"
LAST_ROW: Final = 2000  # drop-downs and formats reach this far down each sheet
YN: Final = ("Y", "N")
DATE_ORDERS: Final = ("day first", "month first")
HEADER_FILL: Final = PatternFill("solid", fgColor="DDEBF7")
EXAMPLE_NAME: Final = "Example Runner"
EXAMPLE_WEEKS: Final = tuple(date(2026, 1, 5) + timedelta(weeks=i) for i in range(4))


@dataclass(frozen=True)
class Col:
    """One column of the template: heading, what to type, width and allowed values."""

    heading: str
    help: str
    width: int = 14
    choices: tuple[str, ...] = ()
    strict: bool = True  # False: the list only suggests, other text is kept
    is_date: bool = False


NAME_COL: Final = Col(
    "Name",
    "The athlete's name, spelled as on the Athletes sheet "
    "(capitals and extra spaces do not matter).",
    22,
)

ATHLETES: Final = (
    Col("Name", "The athlete's full name. Required; each name once (or add an ID).", 22),
    Col("Email", "Where their advice sheet is emailed. Leave it empty to skip email.", 28),
    Col("ID", "Optional short code; only needed when two athletes share a name.", 8),
    Col("Group", "Optional, e.g. Varsity or JV.", 12),
    Col(
        "Heavy sweater",
        "Y if they finish runs soaked or with salt marks on their clothes, otherwise N.",
        choices=YN,
    ),
    Col("Compression", "Y if they wear compression socks or sleeves, otherwise N.", choices=YN),
    Col("Warm-up", "Y if they warm up and stretch before runs, otherwise N.", choices=YN),
    Col(
        "Pre-run fluid (oz)",
        "How much they usually drink in the hour before a run, in "
        "ounces. Change the heading to Pre-run fluid (ml) to type millilitres.",
        18,
    ),
    Col(
        "Medication",
        "Y (or the medicine's name) if they take a regular medication; N or empty if not.",
        choices=YN,
        strict=False,
    ),
    Col("Condition", "Any health condition worth knowing, e.g. flat feet. Optional.", 18),
    Col("Coach note", "A line of your own printed on their sheet. Optional.", 30),
    Col(
        "Age",
        "Age in years. Under 18 on the report date: the sheet and email ask them to show it "
        "to a parent or guardian, and salt tablets are never suggested. Fill in Age or Date "
        "of birth for every athlete under 18.",
        6,
    ),
    Col(
        "Date of birth",
        "Instead of Age, as a date: used only to tell whether they are under 18 on the "
        "report date. When both are filled in, this one counts.",
        13,
        is_date=True,
    ),
    Col(
        "Parent email",
        "A parent's or guardian's address, copied on the athlete's email. Optional.",
        28,
    ),
    Col(
        "Send sheet",
        "N if the athlete asked not to get sheets: you still get theirs. Empty means Y.",
        choices=YN,
    ),
)
MILEAGE: Final = (
    NAME_COL,
    Col("Week of", "The first day of the week, as a date (e.g. the Monday).", 12, is_date=True),
    Col(
        "Miles",
        "Distance run that week. Empty means not logged; 0 means a rest week. "
        "Head the column Km to type kilometres.",
        10,
    ),
    Col("Long run", "The longest single run of the week, in the same unit.", 10),
    Col("Runs", "How many runs that week.", 8),
    Col("Race week", "Y if they raced that week.", 11, choices=YN),
    Col("Hot week", "Y if the week was hot or humid.", 11, choices=YN),
)
CRAMPS: Final = (
    NAME_COL,
    Col("Date", "The day of the cramp, as a date.", 12, is_date=True),
    Col(
        "When", "during (a run), after (a run) or night.", 10, choices=("during", "after", "night")
    ),
    Col("Muscle", "Which muscle cramped; empty means the calf.", 10),
    Col(
        "Severity",
        "1 (barely) to 5 (worst), or mild / moderate / severe.",
        10,
        choices=("1", "2", "3", "4", "5", "mild", "moderate", "severe"),
        strict=False,
    ),
    Col(
        "Run distance", "How long that run was, in the team's unit (miles unless Units is km).", 12
    ),
    Col("Minutes in", "How many minutes into the run the cramp started.", 11),
    Col(
        "Pace",
        "easy, usual, faster (than usual) or race.",
        10,
        choices=("easy", "usual", "faster", "race"),
    ),
    Col(
        "Fluid before (oz)",
        "What they drank in the hour before, in ounces (or head it Fluid before (ml)).",
        16,
    ),
    Col("Electrolytes", "Y if they took salt tablets or an electrolyte drink.", 12, choices=YN),
    Col("Warmed up", "Y if they warmed up and stretched first.", 11, choices=YN),
    Col("Temperature (F)", "The air temperature in °F (or head it Temperature (C)).", 15),
    Col(
        "Urine", "light or dark: the colour of their urine that day.", 9, choices=("light", "dark")
    ),
    Col("Lasted (min)", "How many minutes the cramp lasted.", 12),
    Col(
        "Red flag",
        "Y, or what you noticed: swelling, numbness, weakness, very dark urine. Empty if none.",
        14,
        choices=YN,
        strict=False,
    ),
    Col("Notes", "Anything else worth knowing.", 30),
)
TEAM: Final = (
    ("Team", None, "Your team's name (the file name is used when empty)."),
    ("Coach", None, "Your name, shown on every sheet."),
    ("Coach email", None, "Where the team summary goes."),
    ("Units", "miles", "miles or km: how distances are typed and shown."),
    (
        "Report date",
        None,
        "Optional. The day the report is for; empty means the last day of "
        "the latest week on Mileage.",
    ),
    (
        "Date order",
        None,
        "Optional. How dates typed as text are read: day first (05/11/2026 is 5 November) "
        "or month first (11/05/2026 is November 5). Empty means the dates themselves show "
        "it (28/09/2026 can only be day first), else day first for km and month first for "
        "miles. Cells formatted as dates are never in doubt.",
    ),
)
GENERAL: Final = (
    "How to fill in this roster",
    "Keep one row per athlete on Athletes, one row per athlete and week on Mileage, and "
    "one row per cramp on Cramps. Do not rename the sheets or the headings.",
    "Spell each name the same way on every sheet. Capitals and extra spaces do not matter.",
    "Leave a cell empty when you do not know. On Mileage an empty cell means not logged, "
    "while 0 means the athlete rested that week.",
    "Y/N columns take Y or N (yes and no work too). Type dates as dates, e.g. 11/16/2026; "
    "a date typed as text is read in the Team sheet's Date order.",
    "Mileage can also have one column per week instead: Name, then one column headed with "
    "each week's first day (e.g. 11/16/2026).",
    f"Delete the {EXAMPLE_NAME} rows before adding your team, save as an Excel Workbook "
    "(.xlsx), and drop the file into the inbox folder.",
)


def _headings(sheet: Worksheet, columns: tuple[Col, ...]) -> None:
    """Bold frozen headings, widths, date formats and drop-down lists for one sheet."""
    sheet.append([c.heading for c in columns])
    sheet.freeze_panes = "A2"
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[letter].width = col.width
        if col.is_date:
            sheet.column_dimensions[letter].number_format = DATE_FORMAT
        if col.choices:
            _drop_down(sheet, f"{letter}2:{letter}{LAST_ROW}", col)


def _drop_down(sheet: Worksheet, cells: str, col: Col) -> None:
    """A drop-down list; a strict one refuses other values, a loose one only suggests."""
    rule = DataValidation(
        type="list",
        formula1='"' + ",".join(col.choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if col.strict else "information",
        errorTitle=col.heading,
        error=col.help,
        promptTitle=col.heading,
        prompt=col.help[:250],
        showInputMessage=True,
    )
    rule.add(cells)
    sheet.add_data_validation(rule)


def _rows(sheet: Worksheet, rows: list[list[object]], columns: tuple[Col, ...]) -> None:
    """Example rows, with date cells formatted as dates."""
    for row in rows:
        sheet.append(row)
        for index, col in enumerate(columns, start=1):
            if col.is_date:
                sheet.cell(row=sheet.max_row, column=index).number_format = DATE_FORMAT


def _instructions(sheet: Worksheet) -> None:
    """Plain-words guidance, then every column of every sheet explained."""
    sheet.append([GENERAL[0]])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in GENERAL[1:]:
        sheet.append([line])
    sheet.append([])
    sheet.append(["Sheet", "Column", "What to type"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for key, _, help_text in TEAM:
        sheet.append(["Team", key, help_text])
    for title, columns in (("Athletes", ATHLETES), ("Mileage", MILEAGE), ("Cramps", CRAMPS)):
        for col in columns:
            sheet.append([title, col.heading, col.help])
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 20
    sheet.column_dimensions["C"].width = 90
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _team(sheet: Worksheet) -> None:
    """Setting / Value pairs with a units drop-down and a date-formatted report date."""
    sheet.append(["Setting", "Value", "What it means"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for key, value, help_text in TEAM:
        sheet.append([key, value, help_text])
    sheet.freeze_panes = "A2"
    sheet["B6"].number_format = DATE_FORMAT
    for letter, width in (("A", 14), ("B", 28), ("C", 70)):
        sheet.column_dimensions[letter].width = width
    _drop_down(sheet, "B5", Col("Units", "miles or km", choices=("miles", "km")))
    _drop_down(
        sheet,
        "B7",
        Col("Date order", "day first (DD/MM) or month first (MM/DD)", choices=DATE_ORDERS),
    )


def write_template(path: Path) -> None:
    """Write a blank roster: every sheet and column, drop-downs, instructions, one example."""
    book = Workbook()
    _instructions(book.active)
    book.active.title = "Instructions"
    _team(book.create_sheet("Team"))
    mileage: list[list[object]] = [
        [EXAMPLE_NAME, week, miles, long_run, 4, "N", "N"]
        for week, miles, long_run in zip(
            EXAMPLE_WEEKS, (15, 16, 17, 16), (5, 5.5, 6, 5.5), strict=True
        )
    ]
    sheets: dict[str, tuple[tuple[Col, ...], list[list[object]]]] = {
        "Athletes": (ATHLETES, [[EXAMPLE_NAME, "runner@example.org", None, "Varsity", "N", "N",
                                 "Y", 16, "N", None, "Example row: replace it with your team.",
                                 17, None, "parent@example.org", "Y"]]),
        "Mileage": (MILEAGE, mileage),
        "Cramps": (CRAMPS, [[EXAMPLE_NAME, date(2026, 1, 29), "after", "calf", "mild", 6, None,
                             "usual", 12, "N", "Y", 55, "light", 2, None,
                             "Example row: delete it."]]),
    }  # fmt: skip
    for title, (columns, rows) in sheets.items():
        sheet = book.create_sheet(title)
        _headings(sheet, columns)
        _rows(sheet, rows, columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
