"""Reading roster workbooks: messy layouts read the same as clean ones; problems name their cell."""

from __future__ import annotations

import copy
import dataclasses
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from reports.case import is_minor
from reports.errors import RosterError
from reports.models import KM_PER_MILE, ML_PER_OZ, Roster
from reports.roster import ROSTER_SUFFIXES, read_roster

from conftest import FIRST_WEEK, Sheets, write_workbook
from conftest import canonical_sheets as shared_canonical_sheets

KM = KM_PER_MILE


def canonical_sheets() -> Sheets:
    """A private deep copy of the shared canonical roster (its header rows are shared lists)."""
    return copy.deepcopy(shared_canonical_sheets())


class Text(str):
    """A cell to be stored as text even when it starts with `=`."""


def save(path: Path, sheets: Sheets, merge: dict[str, str] | None = None) -> Path:
    """Write sheets as conftest's `write_workbook` does, keeping `Text` as text, merging ranges."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, Text):
                    cell.value = str(value)
                    cell.data_type = "s"
        if merge and name in merge:
            sheet.merge_cells(merge[name])
    book.save(path)
    return path


def patch_sheet(path: Path, sheet_number: int, edit: Callable[[str], str]) -> Path:
    """Rewrite one worksheet's XML inside a saved workbook (for what openpyxl cannot write)."""
    part = f"xl/worksheets/sheet{sheet_number}.xml"
    with zipfile.ZipFile(path) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    parts[part] = edit(parts[part].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return path


def flatten(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """(path, leaf) pairs of nested dataclasses and tuples, for comparing rosters field by field."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        pairs: list[tuple[str, Any]] = []
        for f in dataclasses.fields(value):
            pairs += flatten(getattr(value, f.name), f"{path}.{f.name}")
        return pairs
    if isinstance(value, tuple):
        return [pair for i, item in enumerate(value) for pair in flatten(item, f"{path}[{i}]")]
    return [(path, value)]


def assert_same_athletes(actual: Roster, expected: Roster) -> None:
    """Same athletes, weeks and incidents; distances and fluids compared after conversion."""
    got, want = flatten(actual.athletes), flatten(expected.athletes)
    assert [p for p, _ in got] == [p for p, _ in want]
    for (where, a), (_, b) in zip(got, want, strict=True):
        if isinstance(b, float) and not isinstance(a, bool):
            assert a == pytest.approx(b, rel=1e-6), where
        else:
            assert a == b, where


def clean_roster(tmp_path: Path, sheets: Sheets | None = None) -> Roster:
    """The canonical roster (or `sheets`) as read from a clean workbook."""
    return read_roster(write_workbook(tmp_path / "clean.xlsx", sheets or canonical_sheets()))


def warnings_at(roster_or_error: Roster | RosterError) -> dict[str, str]:
    """Warning location → message."""
    return {str(p.location): p.message for p in roster_or_error.problems if p.severity == "warning"}


# --- messy variants that must read exactly like the clean roster ---------------------------


def _rename_headers(sheets: Sheets, sheet: str, names: list[str]) -> None:
    sheets[sheet][0] = names


def titles_and_blank_rows(s: Sheets) -> dict[str, str]:
    """A merged title row and blank rows above each header, blank rows among the data."""
    for name in ("Athletes", "Mileage", "Cramps"):
        s[name][:0] = [[f"Harbor Harriers — {name}"], [], [None, None]]
        s[name].insert(5, [])
        s[name].append([None, "  "])
    return {"Athletes": "A1:E1", "Mileage": "A1:D1"}


def header_spellings(s: Sheets) -> None:
    """Headings in other cases, with punctuation, units in parentheses and aliases."""
    _rename_headers(
        s,
        "Athletes",
        [
            "ATHLETE",
            "E-mail address",
            "id",
            " group ",
            "Heavy-Sweater",
            "compression",
            "Warm up",
            "Pre run fluid (oz)",
            "Meds",
            "Medical condition",
            "Coach's note",
        ],
    )
    _rename_headers(s, "Mileage", ["Runner", "week starting", "Distance", "long-run"])
    _rename_headers(s, "Cramps", [
        "athlete", "DATE", "When?", "muscle", "Severity (1-5)", "Run distance (miles)",
        "Minutes into run", "PACE", "Fluid before", "Electrolytes (Y/N)", "Warmed-up",
        "Temp (°F)", "Urine colour", "Lasted (min)", "Red flags", "Comments"])  # fmt: skip


def sheet_aliases(s: Sheets) -> Sheets:
    """Sheet names in other cases and words."""
    names = {"Team": "team info", "Athletes": "ROSTER", "Mileage": "Weekly Mileage",
             "Cramps": "Cramp log"}  # fmt: skip
    return {names[k]: v for k, v in s.items()}


def km_from_team_units(s: Sheets) -> None:
    """Team Units km with a Distance heading: Mileage and run distances typed in kilometres."""
    s["Team"][4][1] = "km"
    s["Mileage"][0][2] = "Distance"
    for row in s["Mileage"][1:]:
        row[2], row[3] = row[2] * KM, row[3] * KM
    s["Cramps"][1][5] *= KM


def km_from_headings(s: Sheets) -> None:
    """A `Km` column and a `Long run (km)` heading, with no Units on the Team sheet."""
    s["Team"].pop(4)
    s["Mileage"][0][2:4] = ["Km", "Long run (km)"]
    for row in s["Mileage"][1:]:
        row[2], row[3] = row[2] * KM, row[3] * KM


def distance_with_unit_column(s: Sheets) -> None:
    """A `Distance` column beside a `Unit` column, rows mixing km and miles."""
    s["Mileage"][0] = ["Name", "Week of", "Distance", "Long run", "Unit"]
    for i, row in enumerate(s["Mileage"][1:]):
        if i % 2:
            row[2], row[3] = row[2] * KM, row[3] * KM
        row.append(["Miles", "km"][i % 2])


def metric_fluids_and_celsius(s: Sheets) -> None:
    """Fluids in ml and temperature in °C, as the headings say."""
    s["Athletes"][0][7] = "Pre-run fluid (ml)"
    for row in s["Athletes"][1:]:
        row[7] = row[7] * ML_PER_OZ
    s["Cramps"][0][8], s["Cramps"][0][11] = "Fluid before (ml)", "Temperature (C)"
    s["Cramps"][1][8] *= ML_PER_OZ
    s["Cramps"][1][11] = (s["Cramps"][1][11] - 32) * 5 / 9


def yes_no_spellings(s: Sheets) -> None:
    """Y/N written as yes/TRUE/x/1/True and no/false/0/False."""
    yes, no = (
        iter(["yes", "TRUE", "x", 1, True, "Yes"] * 9),
        iter(["no", "false", 0, False, "n"] * 9),
    )
    for row in s["Athletes"][1:]:
        for i in (4, 5, 6, 8):
            row[i] = next(yes) if row[i] == "Y" else next(no)
    s["Cramps"][1][9:11] = ["No", 0]


def dates_as_text(s: Sheets) -> None:
    """Week and cramp dates typed as ISO text, US m/d/yyyy text, and datetime cells."""
    for i, row in enumerate(s["Mileage"][1:]):
        d = row[1]
        row[1] = [d.isoformat(), f"{d.month}/{d.day}/{d.year}", datetime(d.year, d.month, d.day)][
            i % 3
        ]
    s["Cramps"][1][1] = "11/15/2026"


def choices_in_any_case(s: Sheets) -> None:
    """When, Pace and Urine in any case with stray spaces; severity as a word."""
    s["Cramps"][1][2:5] = ["  During ", "Calf", "moderate"]
    s["Cramps"][1][7], s["Cramps"][1][12] = " USUAL", "Dark "


def names_with_stray_spaces(s: Sheets) -> None:
    """Names in Mileage and Cramps with other capitals and extra spaces."""
    for row in s["Mileage"][1:]:
        row[0] = "  " + row[0].upper().replace(" ", "   ") + " "
    s["Cramps"][1][0] = "leo  park"


def numbers_as_text(s: Sheets) -> None:
    """Distances typed as text, some with a unit after the number."""
    for i, row in enumerate(s["Mileage"][1:]):
        row[2] = [str(row[2]), f"{row[2]} mi", f"{row[2] * KM} km"][i % 3]


def shuffled_and_extra_columns(s: Sheets) -> None:
    """Columns in another order, with an unknown column that is only noted."""
    for name in ("Athletes", "Mileage", "Cramps"):
        for row in s[name]:
            row.reverse()
            row.insert(1, "Shoe size" if row is s[name][0] else 9)


def first_and_last_names(s: Sheets) -> None:
    """Athletes with First name and Last name columns instead of Name."""
    header, *rows = s["Athletes"]
    s["Athletes"] = [["First name", "Last name", *header[1:]]]
    s["Athletes"] += [[*r[0].split(" ", 1), *r[1:]] for r in rows]


MESSY: list[Callable[[Sheets], Any]] = [
    titles_and_blank_rows, header_spellings, sheet_aliases, km_from_team_units, km_from_headings,
    distance_with_unit_column, metric_fluids_and_celsius, yes_no_spellings, dates_as_text,
    choices_in_any_case, names_with_stray_spaces, numbers_as_text, shuffled_and_extra_columns,
    first_and_last_names,
]  # fmt: skip


@pytest.mark.parametrize("mess", MESSY, ids=lambda f: f.__name__)
def test_messy_variant_reads_like_the_clean_roster(
    tmp_path: Path, mess: Callable[..., Any]
) -> None:
    """Each messy way of writing the roster reads to the same athletes, weeks and incidents."""
    sheets = copy.deepcopy(canonical_sheets())
    result = mess(sheets)
    merge = (
        result
        if isinstance(result, dict) and all(isinstance(v, str) for v in result.values())
        else None
    )
    if isinstance(result, dict) and merge is None:
        sheets = result
    roster = read_roster(save(tmp_path / "messy.xlsx", sheets, merge))
    assert_same_athletes(roster, clean_roster(tmp_path))
    assert roster.warnings == ()


def wide_mileage(unit_factor: float, headings: list[object]) -> list[list[object]]:
    """The canonical mileage as one column per week (headings given), plus a Total formula."""
    long = canonical_sheets()["Mileage"][1:]
    names = list(dict.fromkeys(r[0] for r in long))
    rows: list[list[object]] = [["Name", *headings, "Total"]]
    for n, name in enumerate(names, start=2):
        miles = [r[2] * unit_factor for r in long if r[0] == name]
        rows.append([name, *miles, f"=SUM(B{n}:I{n})"])
    return rows


def without_long_runs(sheets: Sheets) -> Sheets:
    """The canonical roster with the Long run column dropped (a wide sheet cannot hold it)."""
    sheets["Mileage"] = [r[:3] for r in sheets["Mileage"]]
    return sheets


def test_wide_km_layout_reads_like_long_miles_layout(tmp_path: Path) -> None:
    """A wide km roster (mixed date headings, a Total column) equals the long miles roster."""
    weeks = [FIRST_WEEK + timedelta(weeks=i) for i in range(8)]
    headings: list[object] = [
        weeks[0], weeks[1].isoformat(), f"Week of {weeks[2].month}/{weeks[2].day}/{weeks[2].year}",
        datetime.combine(weeks[3], datetime.min.time()), f"Week starting {weeks[4].isoformat()}",
        f"{weeks[5].month}/{weeks[5].day}/{weeks[5].year}", weeks[6], weeks[7]]  # fmt: skip
    sheets = canonical_sheets()
    sheets["Team"][4][1] = "km"
    sheets["Team"].append(["Date order", "MM/DD"])  # a km team would otherwise read 10/12 day first
    sheets["Cramps"][1][5] *= KM
    sheets["Mileage"] = wide_mileage(KM, headings)
    roster = read_roster(save(tmp_path / "wide.xlsx", sheets))
    assert_same_athletes(roster, clean_roster(tmp_path, without_long_runs(canonical_sheets())))
    assert roster.team.units == "km"
    assert roster.warnings == ()
    # The order used, then Total: a note, never a week.
    assert [p.location for p in roster.problems] == ["Team!B6", "Mileage!J1"]


def test_exact_cells_are_named_for_bad_distance_email_and_name(tmp_path: Path) -> None:
    """A text or negative distance, a bad email, an unknown name: one warning each, at its cell."""
    sheets = canonical_sheets()
    sheets["Mileage"][2][2] = "twelve"  # Mileage!C3
    sheets["Mileage"][4][2] = -4  # Mileage!C5
    sheets["Athletes"][2][1] = "leo@@example"  # Athletes!B3
    sheets["Mileage"].append(["Maya Chenn", FIRST_WEEK, 20, 7])  # Mileage!A26
    sheets["Mileage"].append(["Maya Chenn", FIRST_WEEK + timedelta(weeks=1), 20, 7])
    roster = read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))
    found = warnings_at(roster)
    assert set(found) == {"Mileage!C3", "Mileage!C5", "Athletes!B3", "Mileage!A26"}
    assert found["Mileage!C3"] == '"twelve" is not a distance — type a number of miles, e.g. 12'
    assert "negative" in found["Mileage!C5"]
    assert found["Athletes!B3"].startswith('"leo@@example" is not an email address')
    assert "not on the Athletes sheet" in found["Mileage!A26"]
    maya, leo, sam = roster.athletes
    assert maya.weeks[1].miles is None and maya.weeks[3].miles is None
    assert leo.email is None
    assert len(roster.athletes) == 3 and len(sam.weeks) == 8


@pytest.mark.parametrize("email", [
    "maya@example.org\nBcc: everyone@example.net", "maya@example.org\r\nSubject: hi",
    "maya@example.org, leo@example.org", "maya at example dot org", "=HYPERLINK(\"x\")",
])  # fmt: skip
def test_malformed_or_multiline_email_is_warned_and_dropped(tmp_path: Path, email: str) -> None:
    """An email that is not one clean address is a warning and the athlete keeps no address."""
    sheets = canonical_sheets()
    sheets["Athletes"][1][1] = Text(email)
    roster = read_roster(save(tmp_path / "harbor.xlsx", sheets))
    assert roster.athletes[0].email is None
    message = warnings_at(roster)["Athletes!B2"]
    assert "\n" not in message and "\r" not in message and "Bcc:" not in message


def test_named_address_keeps_just_the_address(tmp_path: Path) -> None:
    """`Maya Chen <maya@example.org>` gives maya@example.org."""
    sheets = canonical_sheets()
    sheets["Athletes"][1][1] = "Maya Chen <maya@example.org>"
    assert clean_roster(tmp_path, sheets).athletes[0].email == "maya@example.org"


def test_empty_cell_is_not_logged_and_zero_is_a_real_rest_week(tmp_path: Path) -> None:
    """An empty distance reads as None (not logged), 0 reads as 0.0 (rested)."""
    sheets = canonical_sheets()
    sheets["Mileage"][1][2] = None
    sheets["Mileage"][2][2] = 0
    maya = clean_roster(tmp_path, sheets).athletes[0]
    assert maya.weeks[0].miles is None
    assert maya.weeks[1].miles == 0.0


def test_every_athlete_gets_every_week_of_the_roster(tmp_path: Path) -> None:
    """A week only one athlete logged still appears, not logged, for everyone else."""
    sheets = canonical_sheets()
    sheets["Mileage"] = [
        r for r in sheets["Mileage"] if not (r[0] == "Sam Ortiz" and r[1] == FIRST_WEEK)
    ]
    sheets["Mileage"].append(["Maya Chen", FIRST_WEEK - timedelta(weeks=1), 18, 6])
    roster = clean_roster(tmp_path, sheets)
    for athlete in roster.athletes:
        assert [w.start for w in athlete.weeks] == [
            FIRST_WEEK + timedelta(weeks=i) for i in range(-1, 8)
        ]
    maya, leo, sam = roster.athletes
    assert maya.weeks[0].miles == 18 and leo.weeks[0].miles is None and sam.weeks[1].miles is None


def test_incidents_are_sorted_by_date(tmp_path: Path) -> None:
    """Cramps typed out of order come back oldest first."""
    sheets = canonical_sheets()
    sheets["Cramps"].append(["Leo Park", date(2026, 10, 1), "night"])
    sheets["Cramps"].append(["Leo Park", date(2026, 11, 20), "after"])
    leo = clean_roster(tmp_path, sheets).athletes[1]
    assert [i.day for i in leo.incidents] == [
        date(2026, 10, 1),
        date(2026, 11, 15),
        date(2026, 11, 20),
    ]


def test_report_date_is_last_day_of_latest_week_without_team_date(tmp_path: Path) -> None:
    """Without a Team Report date, the report date is the latest Week of plus 6 days."""
    assert clean_roster(tmp_path).report_date == date(2026, 11, 22)


def test_dates_after_team_report_date_are_warned_and_skipped(tmp_path: Path) -> None:
    """A Team Report date wins; a later week or cramp is a warning at its cell and is ignored."""
    sheets = canonical_sheets()
    sheets["Team"].append(["Report date", date(2026, 11, 15)])
    sheets["Cramps"].append(["Leo Park", date(2026, 11, 18), "after"])
    roster = clean_roster(tmp_path, sheets)
    assert roster.report_date == date(2026, 11, 15) and roster.team.report_date == date(
        2026, 11, 15
    )
    found = warnings_at(roster)
    assert set(found) == {"Mileage!B9", "Mileage!B17", "Mileage!B25", "Cramps!B3"}
    assert "after the report date (11/15/2026)" in found["Cramps!B3"]
    assert all(len(a.weeks) == 7 for a in roster.athletes)
    assert len(roster.athletes[1].incidents) == 1


def test_team_sheet_is_optional(tmp_path: Path) -> None:
    """Without a Team sheet the name comes from the file name and units are miles."""
    sheets = canonical_sheets()
    del sheets["Team"]
    roster = read_roster(write_workbook(tmp_path / "harbor_harriers-2026.xlsx", sheets))
    assert roster.team.name == "Harbor Harriers 2026"
    assert roster.team.units == "miles"
    assert roster.source == "harbor_harriers-2026.xlsx"


@pytest.mark.parametrize(("typed", "kept"), [
    ("Y", "yes"), ("yes", "yes"), (True, "yes"), ("N", None), ("no", None), (None, None),
    ("statin", "statin"), ("  Beta blocker ", "Beta blocker"),
])  # fmt: skip
def test_medication_is_yes_none_or_the_text_given(
    tmp_path: Path, typed: object, kept: str | None
) -> None:
    """Medication: Y → "yes"; N or empty → None; any other text kept."""
    sheets = canonical_sheets()
    sheets["Athletes"][1][8] = typed
    assert clean_roster(tmp_path, sheets).athletes[0].medication == kept


def test_ids_key_athletes_and_match_rows_across_sheets(tmp_path: Path) -> None:
    """Two athletes may share a name when each has an ID; Mileage and Cramps then match by ID."""
    sheets = canonical_sheets()
    for i, row in enumerate(sheets["Athletes"][1:], start=1):
        row[2] = f"H{i}"
    sheets["Athletes"][3][0] = "Maya Chen"  # Sam is renamed to a second Maya, ID H3
    sheets["Mileage"][0].append("ID")
    for row in sheets["Mileage"][1:]:
        row.append({"Maya Chen": "H1", "Leo Park": "H2", "Sam Ortiz": "H3"}[row[0]])
    roster = clean_roster(tmp_path, sheets)
    assert [a.key for a in roster.athletes] == ["H1", "H2", "H3"]
    assert roster.athletes[2].weeks[0].miles == 15
    assert roster.warnings == ()


def test_key_is_the_normalized_name_without_ids(tmp_path: Path) -> None:
    """Without an ID column an athlete's key is the trimmed, case-folded name."""
    sheets = canonical_sheets()
    sheets["Athletes"][1][0] = "  Maya   CHEN "
    maya = clean_roster(tmp_path, sheets).athletes[0]
    assert (maya.key, maya.name) == ("maya chen", "Maya CHEN")


def test_duplicate_names_without_ids_are_an_error_naming_both_rows(tmp_path: Path) -> None:
    """The same name twice without IDs stops the roster, naming both rows."""
    sheets = canonical_sheets()
    sheets["Athletes"].append(["maya chen ", "maya2@example.org"])
    with pytest.raises(RosterError) as caught:
        read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert [(p.location, p.message.split(" — ")[0]) for p in errors] == [
        ("Athletes!A5", '"maya chen" is on the Athletes sheet twice (rows 2 and 5)')
    ]
    assert str(caught.value).startswith("harbor.xlsx: Athletes!A5: ")


def test_duplicate_ids_are_an_error(tmp_path: Path) -> None:
    """Two athletes with the same ID stop the roster."""
    sheets = canonical_sheets()
    sheets["Athletes"][1][2] = sheets["Athletes"][2][2] = 7
    with pytest.raises(RosterError, match='ID "7" is used by two athletes'):
        read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))


def test_error_lists_every_warning_too(tmp_path: Path) -> None:
    """A rejected roster's problems hold its errors first, then every warning found."""
    sheets = canonical_sheets()
    del sheets["Mileage"]
    sheets["Athletes"][1][1] = "not-an-email"
    with pytest.raises(RosterError) as caught:
        read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))
    assert [p.severity for p in caught.value.problems] == ["error", "warning"]
    assert "no Mileage sheet" in str(caught.value)
    assert caught.value.problems[1].location == "Athletes!B2"


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: s["Athletes"].__setitem__(0, ["Who", "Email"]), "no header row with a Name column"),
    (lambda s: s["Mileage"].__setitem__(0, ["Name", "Week of", "Notes"]), "no Miles or Km column"),
    (lambda s: s["Mileage"].__setitem__(0, ["Name", "When", "Miles"]), "no Week of column"),
    (lambda s: s["Cramps"].__setitem__(0, ["Name", "When"]), "no Date column"),
    (lambda s: s.__setitem__("Athletes", [s["Athletes"][0]]), "no athletes below the header"),
    (lambda s: s.__setitem__("Mileage", [s["Mileage"][0]]), "no weeks of mileage"),
    (lambda s: s.pop("Athletes"), "no Athletes sheet"),
])  # fmt: skip
def test_missing_required_parts_are_errors(
    tmp_path: Path, change: Callable[[Sheets], Any], message: str
) -> None:
    """A missing required sheet, column or content is an error saying what to add."""
    sheets = canonical_sheets()
    change(sheets)
    with pytest.raises(RosterError, match=message):
        read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))


def test_cramps_sheet_is_optional_and_may_be_empty(tmp_path: Path) -> None:
    """No Cramps sheet, or an empty one, means no incidents."""
    sheets = canonical_sheets()
    sheets["Cramps"] = []
    assert all(a.incidents == () for a in clean_roster(tmp_path, sheets).athletes)
    del sheets["Cramps"]
    assert all(a.incidents == () for a in clean_roster(tmp_path, sheets).athletes)


def test_unknown_sheets_and_columns_are_notes(tmp_path: Path) -> None:
    """An unknown sheet or column is skipped with a note; an Instructions sheet is not mentioned."""
    sheets = canonical_sheets()
    sheets["Athletes"][0].append("Shoe size")
    sheets["Notes"] = [["anything"]]
    sheets["Instructions"] = [["How to fill this in"]]
    roster = clean_roster(tmp_path, sheets)
    notes = {p.location: p.message for p in roster.problems}
    assert set(notes) == {"Athletes!L1", "Notes"}
    assert all(p.severity == "note" for p in roster.problems)
    assert notes["Athletes!L1"] == '"Shoe size" is not a column we use — it was skipped'


@pytest.mark.parametrize(("sheet", "row", "col", "value", "cell", "says"), [
    ("Athletes", 1, 4, "sometimes", "Athletes!E2", "is not Y or N"),
    ("Athletes", 1, 7, "lots", "Athletes!H2", "is not an amount of fluid"),
    ("Mileage", 1, 1, "Sept 40", "Mileage!B2", "is not a date"),
    ("Mileage", 1, 2, "#DIV/0!", "Mileage!C2", "shows the error #DIV/0!"),
    ("Cramps", 1, 1, "yesterday", "Cramps!B2", "is not a date"),
    ("Cramps", 1, 2, "mid-morning", "Cramps!C2", "type one of during / after / night"),
    ("Cramps", 1, 4, 9, "Cramps!E2", "is not a severity"),
    ("Cramps", 1, 7, "ludicrous", "Cramps!H2", "type one of easy / usual / faster / race"),
    ("Cramps", 1, 11, 400, "Cramps!L2", "not a plausible air temperature"),
    ("Cramps", 1, 12, "green", "Cramps!M2", "type one of light / dark"),
    ("Team", 4, 1, "furlongs", "Team!B5", "type miles or km"),
])  # fmt: skip
def test_unreadable_cells_are_warnings_naming_the_cell(
    tmp_path: Path, sheet: str, row: int, col: int, value: object, cell: str, says: str
) -> None:
    """A cell that cannot be understood is one warning at its cell; the roster still reads."""
    sheets = canonical_sheets()
    sheets[sheet][row][col] = value
    roster = clean_roster(tmp_path, sheets)
    found = warnings_at(roster)
    assert list(found) == [cell]
    assert says in found[cell] and " — " in found[cell]
    assert len(roster.athletes) == 3


def test_unknown_name_in_cramps_is_one_warning(tmp_path: Path) -> None:
    """Cramps for a name not on Athletes: one warning at the first row, incidents skipped."""
    sheets = canonical_sheets()
    sheets["Cramps"] += [["Zoe Quinn", date(2026, 11, 1)], ["zoe quinn", date(2026, 11, 2)]]
    roster = clean_roster(tmp_path, sheets)
    assert list(warnings_at(roster)) == ["Cramps!A3"]


def test_formula_with_no_saved_result_is_a_warning_to_resave(tmp_path: Path) -> None:
    """A formula Excel never calculated reads as empty, with a warning to open and save the file."""
    sheets = canonical_sheets()
    sheets["Mileage"][1][2] = "=10+10"
    sheets["Mileage"][2][2] = "=SUM(C2,1)"
    roster = read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))
    found = warnings_at(roster)
    assert list(found) == ["Mileage!C2"]
    assert "never saved (and 1 more cells)" in found["Mileage!C2"]
    assert "open the workbook in Excel, save it" in found["Mileage!C2"]
    assert roster.athletes[0].weeks[0].miles is None


def test_formula_with_a_saved_result_reads_its_value(tmp_path: Path) -> None:
    """A formula Excel calculated reads as its saved value, with no warning."""
    path = write_workbook(tmp_path / "harbor.xlsx", canonical_sheets())
    patch_sheet(
        path,
        3,
        lambda xml: xml.replace(
            '<c r="C2" t="n"><v>20</v></c>', '<c r="C2"><f>SUM(15,5)</f><v>20</v></c>'
        ),
    )
    roster = read_roster(path)
    assert roster.athletes[0].weeks[0].miles == 20 and roster.warnings == ()


def test_formula_looking_text_stays_text(tmp_path: Path) -> None:
    """Text such as `=HYPERLINK(…)` or `=cmd|…` is a name like any other, never evaluated."""
    sheets = canonical_sheets()
    hostile = ['=HYPERLINK("http://example.com","Maya Chen")', "=cmd|' /C calc'!A0"]
    sheets["Athletes"][1][0], sheets["Athletes"][2][0] = Text(hostile[0]), Text(hostile[1])
    sheets["Mileage"] = [
        r for r in sheets["Mileage"] if r[0] == "Sam Ortiz" or r is sheets["Mileage"][0]
    ]
    sheets["Cramps"] = sheets["Cramps"][:1]
    roster = read_roster(save(tmp_path / "harbor.xlsx", sheets))
    assert [a.name for a in roster.athletes[:2]] == hostile


def test_wide_layout_skips_total_and_warns_on_bad_week_headings(tmp_path: Path) -> None:
    """Wide sheet: a Total column is a note; a heading 13/45/2026 or a repeated week, a warning."""
    weeks = [FIRST_WEEK + timedelta(weeks=i) for i in range(8)]
    sheets = canonical_sheets()
    sheets["Mileage"] = wide_mileage(1, [*weeks[:7], "Week of 13/45/2026"])
    sheets["Mileage"][0].append(weeks[0])
    for row in sheets["Mileage"][1:]:
        row.append(99)
    roster = clean_roster(tmp_path, sheets)
    problems = {p.location: (p.severity, p.message) for p in roster.problems}
    assert problems["Mileage!J1"] == (
        "note",
        '"Total" is not a week or a column we use — it was skipped',
    )
    assert problems["Mileage!I1"][0] == "warning" and "is not a date" in problems["Mileage!I1"][1]
    assert (
        problems["Mileage!K1"][0] == "warning"
        and "same week as column B1" in problems["Mileage!K1"][1]
    )
    assert [w.miles for w in roster.athletes[0].weeks] == [20, 21, 20, 22, 21, 22, 21]


def test_heading_unit_contradicting_team_units_is_warned(tmp_path: Path) -> None:
    """Team Units km over a `Miles` column: read as miles (the heading), with a warning on it."""
    sheets = canonical_sheets()
    sheets["Team"][4][1] = "km"
    roster = clean_roster(tmp_path, sheets)
    found = warnings_at(roster)
    assert list(found) == ["Mileage!C1"]
    assert found["Mileage!C1"].startswith('"Miles" says miles but the Team sheet\'s Units says km')
    assert (roster.athletes[0].weeks[0].miles, roster.athletes[0].weeks[0].long_run_miles) == (
        20,
        7,
    )


def test_unknown_unit_in_a_heading_skips_the_column_with_a_warning(tmp_path: Path) -> None:
    """`Fluid before (cups)` is not guessed at: the column is skipped with a warning."""
    sheets = canonical_sheets()
    sheets["Cramps"][0][8] = "Fluid before (cups)"
    roster = clean_roster(tmp_path, sheets)
    assert list(warnings_at(roster)) == ["Cramps!I1"]
    assert roster.athletes[1].incidents[0].fluid_before_oz is None


@pytest.mark.parametrize("suffix", [*ROSTER_SUFFIXES, ".XLSX"])
def test_xlsx_and_xlsm_suffixes_are_read_in_any_case(tmp_path: Path, suffix: str) -> None:
    """Both roster suffixes are read, whatever their case."""
    path = write_workbook(tmp_path / "harbor.xlsx", canonical_sheets())
    renamed = path.rename(tmp_path / f"harbor{suffix}")
    assert len(read_roster(renamed).athletes) == 3


def test_year_typo_in_latest_week_is_warned(tmp_path: Path) -> None:
    """A latest week over half a year after all others (2062 for 2026) is a warning at its cell."""
    sheets = canonical_sheets()
    sheets["Mileage"][8][1] = date(2062, 11, 16)  # Mileage!B9, Maya's last week
    roster = clean_roster(tmp_path, sheets)
    found = warnings_at(roster)
    assert list(found) == ["Mileage!B9"]
    assert found["Mileage!B9"].startswith('"11/16/2062" is more than half a year after')
    assert roster.report_date == date(2062, 11, 22)


def test_rows_for_unknown_names_do_not_move_the_report_date(tmp_path: Path) -> None:
    """Only rows of athletes on the Athletes sheet count toward the report date."""
    sheets = canonical_sheets()
    sheets["Mileage"].append(["Zoe Quinn", date(2026, 12, 7), 10])
    roster = clean_roster(tmp_path, sheets)
    assert roster.report_date == date(2026, 11, 22)
    assert list(warnings_at(roster)) == ["Mileage!A26"]


def test_an_id_equal_to_another_athletes_name_is_an_error(tmp_path: Path) -> None:
    """Keys must be unique: an ID that equals another athlete's name stops the roster."""
    sheets = canonical_sheets()
    sheets["Athletes"][2][2] = "Maya Chen"  # Leo's ID is Maya's name
    with pytest.raises(RosterError, match=r"both an ID and an athlete's name \(rows 2 and 3\)"):
        read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))


def test_row_with_only_an_id_is_warned_when_athletes_have_no_ids(tmp_path: Path) -> None:
    """A Mileage row naming nobody but an ID, against Athletes without IDs, is a warning."""
    sheets = canonical_sheets()
    sheets["Mileage"][0].append("ID")
    sheets["Mileage"].append([None, FIRST_WEEK, 10, None, "X9"])
    roster = clean_roster(tmp_path, sheets)
    assert "has an ID but no name" in warnings_at(roster)["Mileage!A26"]


def test_second_entry_for_the_same_week_is_warned_and_the_first_kept(tmp_path: Path) -> None:
    """Two Mileage rows for one athlete-week: the first is used, the second is a warning."""
    sheets = canonical_sheets()
    sheets["Mileage"].append(["Maya Chen", FIRST_WEEK, 99, 9])
    roster = clean_roster(tmp_path, sheets)
    assert "the first (C2) was used" in warnings_at(roster)["Mileage!C26"]
    assert roster.athletes[0].weeks[0].miles == 20


def test_sheet_named_exactly_wins_over_an_alias(tmp_path: Path) -> None:
    """With `Mileage (old)` before `Mileage`, the exact name is read and the other noted."""
    sheets = canonical_sheets()
    sheets = {"Mileage (old)": [["Name", "Week of", "Miles"], ["Maya Chen", FIRST_WEEK, 1]],
              **sheets}  # fmt: skip
    roster = clean_roster(tmp_path, sheets)
    assert roster.athletes[0].weeks[0].miles == 20
    assert [p.location for p in roster.problems] == ["Mileage (old)"]


def test_a_date_of_birth_after_the_report_date_is_warned_and_read_as_under_18(
    tmp_path: Path,
) -> None:
    """A future birth date is a typo: named by its cell, and the athlete is kept a minor meanwhile."""
    sheets = canonical_sheets()
    sheets["Athletes"][0].append("Date of birth")
    sheets["Athletes"][1].append(date(2062, 4, 9))  # Maya: 2062 for 2006
    sheets["Athletes"][2].append(date(2006, 4, 9))  # Leo: 20, no warning
    roster = clean_roster(tmp_path, sheets)
    column = get_column_letter(len(sheets["Athletes"][0]))
    assert warnings_at(roster) == {
        f"Athletes!{column}2": '"4/9/2062" is a date of birth after the report date (11/22/2026) '
        "— fix the year; until then Maya Chen is treated as under 18"
    }
    maya, leo, _ = roster.athletes
    assert is_minor(maya, roster.report_date) and not is_minor(leo, roster.report_date)
