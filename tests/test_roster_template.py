"""The blank roster template: every contract sheet and column, drop-downs, and it reads cleanly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from reports.case import is_minor
from reports.roster import read_roster, write_template
from reports.roster.headers import ATHLETE_ALIASES, CRAMP_ALIASES, match_heading

from conftest import ATHLETE_HEADERS, CRAMP_HEADERS


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A freshly written template."""
    path = tmp_path / "folder" / "roster-template.xlsx"
    write_template(path)
    return path


def validations(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, str]:
    """Column letter of each drop-down's first cell → its list formula."""
    return {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
        for dv in sheet.data_validations.dataValidation
    }


def headings(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, str]:
    """Heading text → column letter of a sheet's first row."""
    return {str(c.value): c.column_letter for c in sheet[1] if c.value is not None}


def test_template_reads_with_no_warnings(template: Path) -> None:
    """The template, example athlete and all, is a valid roster without a single warning."""
    roster = read_roster(template)
    assert roster.problems == ()
    (athlete,) = roster.athletes
    assert athlete.name == "Example Runner"
    assert len(athlete.weeks) == 4 and all(w.miles for w in athlete.weeks)
    assert len(athlete.incidents) == 1
    assert (athlete.age, athlete.parent_email) == (17, "parent@example.org")


def test_a_date_of_birth_typed_in_the_template_makes_the_athlete_a_minor(
    tmp_path: Path,
) -> None:
    """Date of birth is a date column, read as a date, and counts over Age."""
    path = tmp_path / "roster.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    sheet = book["Athletes"]
    sheet[f"{headings(sheet)['Age']}2"] = 30
    sheet[f"{headings(sheet)['Date of birth']}2"] = date(2010, 3, 1)
    book.save(path)
    roster = read_roster(path)
    assert roster.problems == ()
    (athlete,) = roster.athletes
    assert athlete.birth_date == date(2010, 3, 1)
    assert is_minor(athlete, roster.report_date)


# Athletes columns the canonical test roster leaves out: who is a minor, who is copied,
# who opted out.
COACH_IN_THE_LOOP = ["Age", "Date of birth", "Parent email", "Send sheet"]


def fields(names: list[str], aliases: dict[str, str]) -> set[str]:
    """The fields a list of headings names."""
    return {m[0] for m in (match_heading(n, aliases) for n in names) if m}


def test_template_has_every_sheet_and_contract_column(template: Path) -> None:
    """Team, Athletes, Mileage (long layout) and Cramps carry every column of the contract."""
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["Instructions", "Team", "Athletes", "Mileage", "Cramps"]
    assert fields([*ATHLETE_HEADERS, *COACH_IN_THE_LOOP], ATHLETE_ALIASES) == fields(
        list(headings(book["Athletes"])), ATHLETE_ALIASES
    )
    assert fields(CRAMP_HEADERS, CRAMP_ALIASES) == fields(
        list(headings(book["Cramps"])), CRAMP_ALIASES
    )
    assert list(headings(book["Mileage"])) == [
        "Name", "Week of", "Miles", "Long run", "Runs", "Race week", "Hot week"]  # fmt: skip
    assert [r[0].value for r in book["Team"].iter_rows(min_row=2)] == [
        "Team", "Coach", "Coach email", "Units", "Report date", "Date order"]  # fmt: skip


@pytest.mark.parametrize(("sheet", "column", "choices"), [
    ("Athletes", "Heavy sweater", '"Y,N"'), ("Athletes", "Compression", '"Y,N"'),
    ("Athletes", "Warm-up", '"Y,N"'), ("Athletes", "Medication", '"Y,N"'),
    ("Mileage", "Race week", '"Y,N"'), ("Mileage", "Hot week", '"Y,N"'),
    ("Cramps", "When", '"during,after,night"'), ("Cramps", "Pace", '"easy,usual,faster,race"'),
    ("Cramps", "Urine", '"light,dark"'), ("Cramps", "Electrolytes", '"Y,N"'),
    ("Cramps", "Warmed up", '"Y,N"'), ("Cramps", "Red flag", '"Y,N"'),
])  # fmt: skip
def test_template_has_drop_down_lists(
    template: Path, sheet: str, column: str, choices: str
) -> None:
    """Y/N, When, Pace and Urine columns offer drop-down lists."""
    book = openpyxl.load_workbook(template)
    letter = headings(book[sheet])[column]
    assert validations(book[sheet])[letter] == choices


def test_template_units_and_date_order_are_drop_downs(template: Path) -> None:
    """The Team sheet's Units is a miles/km drop-down and its Date order a day/month one."""
    book = openpyxl.load_workbook(template)
    rules = {str(r.sqref): r.formula1 for r in book["Team"].data_validations.dataValidation}
    assert rules == {"B5": '"miles,km"', "B7": '"day first,month first"'}
    assert book["Team"]["A7"].value == "Date order"


@pytest.mark.parametrize("order", ["day first", "month first"])
def test_each_date_order_offered_by_the_template_is_read(tmp_path: Path, order: str) -> None:
    """Either choice of the Date order drop-down reads cleanly and is named by `check`'s note."""
    path = tmp_path / "roster.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    book["Team"]["B7"] = order
    book.save(path)
    roster = read_roster(path)
    assert roster.warnings == ()
    assert [(p.location, p.message) for p in roster.problems] == [
        ("Team!B7", f"dates typed as text are read {order}, as this Date order says")
    ]


def test_template_freezes_headers_and_formats_dates(template: Path) -> None:
    """Header rows are frozen and date columns are formatted as dates."""
    book = openpyxl.load_workbook(template)
    for title in ("Team", "Athletes", "Mileage", "Cramps"):
        assert book[title].freeze_panes == "A2"
    assert book["Mileage"]["B2"].is_date and book["Cramps"]["B2"].is_date
    assert book["Mileage"].column_dimensions["B"].number_format == "m/d/yyyy"
    assert book["Team"]["B6"].number_format == "m/d/yyyy"
    born = headings(book["Athletes"])["Date of birth"]
    assert book["Athletes"].column_dimensions[born].number_format == "m/d/yyyy"


def test_instructions_explain_every_column(template: Path) -> None:
    """The Instructions sheet has a line in plain words for every column of every sheet."""
    book = openpyxl.load_workbook(template)
    explained = {(r[0].value, r[1].value) for r in book["Instructions"].iter_rows() if r[1].value}
    for title in ("Athletes", "Mileage", "Cramps"):
        for heading in headings(book[title]):
            assert (title, heading) in explained
    texts = [r[2].value for r in book["Instructions"].iter_rows() if r[2].value]
    assert all(isinstance(t, str) and len(t) > 10 for t in texts)
