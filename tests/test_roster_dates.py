"""Dates typed as text: read day or month first, as the Team sheet or the dates themselves say."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from reports.models import KM_PER_MILE, Roster
from reports.roster import cells, read_roster
from reports.roster.cells import Unreadable
from reports.roster.dates import (
    DAY_FIRST,
    MONTH_FIRST,
    DateOrder,
    Place,
    decide_order,
    explain,
    misfit_message,
    text_date,
)

from conftest import (
    FIRST_WEEK,
    SAMPLE_ROSTERS,
    Sheets,
    canonical_sheets,
    day_first_km_sheets,
    told_day_first_miles_sheets,
    typed_date,
)

WEEKS = [FIRST_WEEK + timedelta(weeks=i) for i in range(8)]
NOV_5 = date(2026, 11, 5)


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("05/11/2026", DAY_FIRST, NOV_5),
    ("05/11/2026", MONTH_FIRST, date(2026, 5, 11)),
    ("05.11.2026", DAY_FIRST, NOV_5),
    ("05-11-2026", DAY_FIRST, NOV_5),
    ("11.05.2026", MONTH_FIRST, NOV_5),
    ("5/11/26", DAY_FIRST, NOV_5),  # two-digit year
    ("11-5-26", MONTH_FIRST, NOV_5),
    ("05/11/2026.", DAY_FIRST, NOV_5),
    ("2026-11-05", DAY_FIRST, NOV_5),  # ISO is never in doubt
    ("2026-11-05", MONTH_FIRST, NOV_5),
    ("2026/11/05", DAY_FIRST, NOV_5),
    ("28/09/2026", MONTH_FIRST, date(2026, 9, 28)),  # only one order makes a date
    ("09/28/2026", DAY_FIRST, date(2026, 9, 28)),
    ("Week of 05/10/2026", DAY_FIRST, date(2026, 10, 5)),  # a wide-layout week heading
    ("Week of 9/21/2026", DAY_FIRST, date(2026, 9, 21)),
    ("Week starting 05.10.26", MONTH_FIRST, date(2026, 5, 10)),
    ("5 Nov 2026", MONTH_FIRST, NOV_5),
    ("November 5, 2026", DAY_FIRST, NOV_5),
    ("31/09/2026", DAY_FIRST, None),  # no 31 September, no month 31
    ("13/13/2026", MONTH_FIRST, None),
    ("05/11", DAY_FIRST, None),  # no year: not a date we guess at
    ("12.5", DAY_FIRST, None),
])  # fmt: skip
def test_text_date_reads_each_written_form(
    text: str, order: DateOrder, expected: date | None
) -> None:
    """Separators / . -, two- and four-digit years, ISO, headings and month names, in an order."""
    assert text_date(text, order) == expected


def seen(*texts: str, sheet: str = "Mileage") -> list[Place]:
    """Text dates typed down column B from row 2."""
    return [Place(sheet, f"B{row}", text) for row, text in enumerate(texts, start=2)]


@pytest.mark.parametrize(("texts", "units", "told", "expected"), [
    # Inferred both ways, whatever the unit.
    (["28/09/2026", "05/10/2026"], "miles", None, (DAY_FIRST, "shown", "B2", [])),
    (["05/10/2026", "09/28/2026"], "km", None, (MONTH_FIRST, "shown", "B3", [])),
    (["28.09.26", "05.10.26"], "miles", None, (DAY_FIRST, "shown", "B2", [])),
    (["05-10-2026", "10-19-2026"], "km", None, (MONTH_FIRST, "shown", "B3", [])),
    # Told by the Team sheet, agreeing or not with the dates.
    (["28/09/2026"], "miles", DAY_FIRST, (DAY_FIRST, "told", "B6", [])),
    (["05/10/2026"], "km", MONTH_FIRST, (MONTH_FIRST, "told", "B6", [])),
    (["05/10/2026", "28/09/2026", "29/09/2026"], "km", MONTH_FIRST,
     (MONTH_FIRST, "told", "B6", ["B3", "B4"])),
    # Contradictions: the majority decides; a tie goes to the unit's usual order.
    (["28/09/2026", "29/09/2026", "9/30/2026"], "miles", None, (DAY_FIRST, "shown", "B2", ["B4"])),
    (["28/09/2026", "9/30/2026"], "km", None, (DAY_FIRST, "shown", "B2", ["B3"])),
    (["28/09/2026", "9/30/2026"], "miles", None, (MONTH_FIRST, "shown", "B3", ["B2"])),
    # Every text date ambiguous: the unit's usual order, assumed at the first such cell.
    (["05/05/2026", "05/10/2026", "06/10/2026"], "km", None, (DAY_FIRST, "assumed", "B3", [])),
    (["05/10/2026"], "miles", None, (MONTH_FIRST, "assumed", "B2", [])),
    (["5.10.26"], None, None, (MONTH_FIRST, "assumed", "B2", [])),
    # Nothing whose reading depends on the order.
    ([], "km", None, (DAY_FIRST, "unneeded", None, [])),
    (["05/05/2026", "2026-11-05", "31/09/2026"], "miles", None, (MONTH_FIRST, "unneeded", None, [])),
])  # fmt: skip
def test_decide_order(
    texts: list[str],
    units: str | None,
    told: DateOrder | None,
    expected: tuple[DateOrder, str, str | None, list[str]],
) -> None:
    """The Team sheet decides, else the unambiguous dates, else the unit; misfits are named."""
    told_at = Place("Team", "B6", told) if told else None
    decision = decide_order(seen(*texts), units, told, told_at)
    where = decision.where.cell if decision.where else None
    misfits = [p.cell for p in decision.misfits]
    assert (decision.order, decision.reason, where, misfits) == expected


def test_explanations_name_the_cell_the_order_and_the_reason() -> None:
    """Shown, assumed and contradicting dates are explained in words a coach can act on."""
    shown = decide_order(seen("28/09/2026", "9/30/2026"), "km")
    assert explain(shown, "km") == (
        'dates typed as text are read day first, as "28/09/2026" in this cell shows'
    )
    assert misfit_message(shown.misfits[0], shown).startswith(
        '"9/30/2026" can only be read month first, but this workbook\'s dates are read day '
        'first, as Mileage!B2 "28/09/2026" shows — it was read as 30 September 2026'
    )
    assumed = decide_order(seen("05/10/2026"), "km")
    assert explain(assumed, "km").startswith(
        '"05/10/2026" could be 5 October 2026 or 10 May 2026, and no date in the workbook '
        "settles it — dates typed as text were read day first, as usual for a km team"
    )


@pytest.mark.parametrize(("order", "example"), [(DAY_FIRST, "16/11/2026"),
                                                 (MONTH_FIRST, "11/16/2026")])  # fmt: skip
def test_a_text_that_is_no_date_is_told_how_to_type_one_in_the_order_used(
    order: DateOrder, example: str
) -> None:
    """The fix a coach is shown writes its example date the way their workbook does."""
    with pytest.raises(Unreadable, match=f"type a date like {example} or 2026-11-16"):
        cells.day("16th of Nov", order)


def read(workbook: Callable[..., Path], sheets: Sheets) -> Roster:
    """A roster written as a real workbook and read back."""
    return read_roster(workbook(sheets))


def notes_and_warnings(roster: Roster) -> list[tuple[str, str, str]]:
    """(severity, location, message) of every problem."""
    return [(p.severity, p.location, p.message) for p in roster.problems]


def leo_cramp_day(roster: Roster) -> date:
    """The day of Leo Park's one cramp."""
    (leo,) = (a for a in roster.athletes if a.name == "Leo Park")
    (incident,) = leo.incidents
    return incident.day


def test_a_day_first_km_roster_is_read_day_first(workbook: Callable[..., Path]) -> None:
    """Weeks typed 28/09/2026 … show day first: every week, the cramp and the report date fit."""
    roster = read(workbook, day_first_km_sheets())
    assert roster.report_date == date(2026, 11, 22)
    assert all([w.start for w in a.weeks] == WEEKS for a in roster.athletes)
    assert leo_cramp_day(roster) == date(2026, 11, 15)
    assert roster.athletes[1].weeks[-1].miles == pytest.approx(33)
    assert notes_and_warnings(roster) == [(
        "note", "Mileage!B2",
        'dates typed as text are read day first, as "28/09/2026" in this cell shows',
    )]  # fmt: skip


def test_the_team_sheet_date_order_decides_for_a_miles_roster(
    workbook: Callable[..., Path],
) -> None:
    """A miles team that says DD/MM has 10/11/2026 read as 10 November; date cells stay put."""
    roster = read(workbook, told_day_first_miles_sheets())
    assert leo_cramp_day(roster) == date(2026, 11, 10)
    assert roster.report_date == date(2026, 11, 22)
    assert [w.start for w in roster.athletes[0].weeks] == WEEKS
    assert notes_and_warnings(roster) == [
        ("note", "Team!B6", "dates typed as text are read day first, as this Date order says")
    ]


@pytest.mark.parametrize(("units", "day", "assumed"), [
    ("miles", date(2026, 10, 11), "month first, as usual for a miles team"),
    ("km", date(2026, 11, 10), "day first, as usual for a km team"),
])  # fmt: skip
def test_all_ambiguous_text_dates_follow_the_unit_with_one_warning(
    workbook: Callable[..., Path], units: str, day: date, assumed: str
) -> None:
    """With no Date order and only ambiguous text dates, the unit decides, and one warning says so."""
    sheets = told_day_first_miles_sheets()
    sheets["Team"].pop()  # no Date order
    sheets["Team"][4][1] = units
    sheets["Mileage"][0][2] = "Distance"  # in the team's unit
    sheets["Cramps"].append(["Maya Chen", "05/11/2026", "night"])
    roster = read(workbook, sheets)
    assert leo_cramp_day(roster) == day
    (warning,) = roster.warnings
    assert warning.location == "Cramps!B2"
    assert assumed in warning.message and "set Date order on the Team sheet" in warning.message


def test_text_dates_contradicting_the_inferred_order_are_warned_and_kept(
    workbook: Callable[..., Path],
) -> None:
    """One week typed month first in a day-first workbook is warned about, and read as written."""
    sheets = day_first_km_sheets()
    sheets["Mileage"][1][1] = "9/28/2026"  # can only be September 28
    roster = read(workbook, sheets)
    assert [w.start for w in roster.athletes[0].weeks] == WEEKS
    (warning,) = roster.warnings
    assert warning.location == "Mileage!B2"
    assert warning.message.startswith('"9/28/2026" can only be read month first')


def test_text_dates_contradicting_the_team_sheet_are_warned_on_every_cell(
    workbook: Callable[..., Path],
) -> None:
    """Told month first, each text date that can only be day first gets its own warning."""
    sheets = day_first_km_sheets()
    sheets["Team"].append(["Date order", "month first"])
    roster = read(workbook, sheets)
    day_first_only = {
        f"{sheet}!B{row}"
        for sheet in ("Mileage", "Cramps")
        for row, values in enumerate(sheets[sheet][1:], start=2)
        if int(values[1][:2]) > 12
    }
    assert {w.location for w in roster.warnings} == day_first_only
    assert len(roster.warnings) == len(day_first_only) == 13
    assert leo_cramp_day(roster) == date(2026, 11, 15)


@pytest.mark.parametrize(("separator", "year_digits"), [("/", 4), (".", 4), ("-", 2)])
def test_wide_week_headings_follow_the_day_first_order(
    workbook: Callable[..., Path], separator: str, year_digits: int
) -> None:
    """`Week of 05.10.2026` headings in a day-first km workbook are 5 October, whatever the form."""
    sheets = day_first_km_sheets()
    long = sheets["Mileage"][1:]
    names = list(dict.fromkeys(r[0] for r in long))
    headings = [f"Week of {typed_date(w, DAY_FIRST, separator, year_digits)}" for w in WEEKS]
    sheets["Mileage"] = [
        ["Name", *headings],
        *([name, *(r[2] for r in long if r[0] == name)] for name in names),
    ]
    roster = read(workbook, sheets)
    assert roster.report_date == date(2026, 11, 22)
    assert all([w.start for w in a.weeks] == WEEKS for a in roster.athletes)
    assert roster.athletes[1].weeks[-1].miles == pytest.approx(33)
    assert roster.warnings == ()


def test_real_date_cells_are_never_reinterpreted(workbook: Callable[..., Path]) -> None:
    """A Date order only concerns text: date cells read the same under either order."""
    sheets = canonical_sheets()
    sheets["Team"].append(["Date order", "day first"])
    roster = read(workbook, sheets)
    assert [w.start for w in roster.athletes[0].weeks] == WEEKS
    assert leo_cramp_day(roster) == date(2026, 11, 15)
    assert roster.warnings == ()


def test_a_date_order_that_is_not_one_is_warned_and_the_dates_decide(
    workbook: Callable[..., Path],
) -> None:
    """`Date order: ISO` is a warning naming the cell; the text dates still show their order."""
    sheets = day_first_km_sheets()
    sheets["Team"].append(["Date order", "ISO"])
    roster = read(workbook, sheets)
    (warning,) = roster.warnings
    assert warning.location == "Team!B6"
    assert "is not a date order — type one of day first / month first" in warning.message
    assert leo_cramp_day(roster) == date(2026, 11, 15)


def test_the_sample_km_club_with_us_week_headings_still_reads_month_first() -> None:
    """Ridgeline is a km team with `Week of 9/21/2026` headings: 21 > 12 shows month first."""
    roster = read_roster(SAMPLE_ROSTERS / "ridgeline-track-club.xlsx")
    assert roster.athletes[0].weeks[0].start == date(2026, 9, 21)
    assert roster.report_date == date(2026, 11, 22)
    note = next(p for p in roster.problems if "dates typed as text" in p.message)
    assert (note.severity, note.location) == ("note", "Mileage (km)!B2")
    assert "read month first" in note.message


def test_km_distance_unit_of_the_mileage_title_counts_as_a_km_team(
    workbook: Callable[..., Path],
) -> None:
    """With no Team sheet, a `Mileage (km)` sheet makes ambiguous text dates day first."""
    sheets = canonical_sheets()
    del sheets["Team"]
    _, *rows = sheets.pop("Mileage")
    sheets["Mileage (km)"] = [
        ["Name", "Week of", "Distance", "Long run"],
        *([*r[:2], r[2] * KM_PER_MILE, r[3] * KM_PER_MILE] for r in rows),
    ]
    sheets["Cramps"][1][1] = "10/11/2026"
    roster = read(workbook, sheets)
    assert leo_cramp_day(roster) == date(2026, 11, 10)
    assert [w.location for w in roster.warnings] == ["Cramps!B2"]


def test_warnings_write_dates_the_way_the_workbook_does(workbook: Callable[..., Path]) -> None:
    """In a day-first workbook a week after the report date is named 16/11/2026, not 11/16."""
    sheets = day_first_km_sheets()
    sheets["Team"].append(["Report date", "15/11/2026"])
    roster = read(workbook, sheets)
    assert roster.report_date == date(2026, 11, 15)
    late = {w.location: w.message for w in roster.warnings}
    assert late["Mileage!B9"].startswith(
        '"16/11/2026" is after the report date (15/11/2026) — fix the date'
    )
