"""Fuzzing the roster reader: whatever the cells and layout, a Roster or a RosterError, quickly.

Hypothesis builds real workbooks with openpyxl from random sheet names, headings, title
rows, blank rows, long and wide layouts and cell values of every type Excel stores (and
some it never would); others get a part of their zip replaced. Each read must finish
within a time bound and end in a Roster (whose athletes the rules can then assess) or in
our own RosterError, never any other exception.
"""

from __future__ import annotations

import io
import math
import time
import zipfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.errors import RosterError
from reports.roster import read_roster
from reports.rules import assess
from reports.settings import RuleSettings

from conftest import Reliability, canonical_sheets, write_workbook

Sheet = tuple[str, int, list[str | None], list[list[object]]]
SECONDS_PER_FILE = 5.0
EXAMPLES = 60
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI and docs/reliability.md stay stable
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

OTHER_TITLES = st.sampled_from(
    ["Cramps", "Cramp log", "Team", "Settings", "Instructions", "Sheet3", "Données", "📋",
     "Athletes (old)", "Mileage 2025", "Sheet1"]
)  # fmt: skip
HEADINGS = st.sampled_from(
    ["Name", "Athlete", "First name", "Last name", "ID", "Email", "E-mail address", "Group",
     "Heavy sweater", "Compression", "Warm-up", "Pre-run fluid (ml)", "Medication",
     "Condition", "Coach note", "Week of", "Week", "Miles", "Km", "Distance", "Unit",
     "Long run", "Runs", "Race week", "Hot week", "Date", "When", "Muscle", "Severity",
     "Run distance", "Minutes in", "Pace", "Fluid before (oz)", "Electrolytes", "Warmed up",
     "Temperature (C)", "Urine", "Lasted", "Red flag", "Notes", "Team", "Coach", "Units",
     "Report date", "2026-09-07", "Week of 9/14/2026", "13/45/2026", "Total", None, "",
     "Name (km)", "Miles (furlongs)"]
)  # fmt: skip
# Characters openpyxl can store: no surrogates, no XML-illegal control characters.
STORABLE = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32)]],
)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.datetimes(datetime(1900, 1, 1), datetime(2100, 12, 31)),
    st.times(),
    st.timedeltas(timedelta(days=-5), timedelta(days=5)),
    st.text(STORABLE, max_size=20),
    st.integers(2_500, 3_000).map(lambda n: ("Tempo run, strides. " * 200)[:n]),
    st.sampled_from(
        ["Y", "n", "yes", "no", "km", "12 mi", "-3", "1e309", "2026-09-07", "9/14/2026",
         "02/30/2026", "#DIV/0!", "#N/A", "twelve", "during", "night", "mild", "5", "race",
         "dark", "a@b.co", "a@b", "maya@example.org\nBcc: x@y.z", "Maya Chen", "maya chen",
         " Maya  Chen ", "\u202eMaya Chen", "Leo Park", "=SUM(A1:A3)", "=1/0", "'=cmd|' /C calc'!A0"]
    ),
)  # fmt: skip
ROWS = st.lists(st.lists(VALUES, max_size=8), max_size=12)
NAMES = st.sampled_from(
    [*(f"Runner {i}" for i in range(30)), "Maya Chen", "maya chen ", "Leo Park", "CON", "../x"]
)
# Rows shaped like real ones (a known name, a week, a distance) mixed with random ones.
PEOPLE_ROWS = st.lists(
    st.one_of(st.lists(VALUES, max_size=8), st.tuples(NAMES, VALUES, VALUES).map(list)),
    max_size=8,
)
LOG_ROWS = st.lists(
    st.one_of(
        st.lists(VALUES, max_size=8),
        st.tuples(NAMES, st.dates(date(2026, 1, 1), date(2026, 12, 31)),
                  st.floats(0, 120, allow_nan=False)).map(list),
    ),
    max_size=16,
)  # fmt: skip
# Three in four heading rows start like a real one, or hardly any workbook would be a roster.
HEADING_ROWS = st.tuples(st.integers(0, 3), st.lists(HEADINGS, max_size=7)).map(
    lambda drawn: drawn[1] if drawn[0] == 3 else ["Name", *drawn[1]]
)
LOG_HEADINGS = st.tuples(st.integers(0, 3), st.lists(HEADINGS, max_size=5)).map(
    lambda drawn: drawn[1] if drawn[0] == 3 else ["Name", "Week of", "Miles", *drawn[1]]
)


def sheet_of(
    titles: st.SearchStrategy[str],
    headings: st.SearchStrategy[list[str | None]] = HEADING_ROWS,
    rows: st.SearchStrategy[list[list[object]]] = ROWS,
) -> st.SearchStrategy[Sheet]:
    """A sheet titled from `titles`: title or blank rows above its header, headings, rows."""
    return st.tuples(titles, st.integers(0, 3), headings, rows)


SHEET = sheet_of(OTHER_TITLES)
WORKBOOK = st.tuples(
    sheet_of(
        st.sampled_from(["Athletes", "athletes ", "Roster", "Runners"]),
        rows=PEOPLE_ROWS,
    ),
    sheet_of(
        st.sampled_from(["Mileage", "Mileage (km)", "Weekly miles", "Log"]),
        LOG_HEADINGS,
        LOG_ROWS,
    ),
    st.lists(SHEET, max_size=3),
).map(lambda drawn: [drawn[0], drawn[1], *drawn[2]])


def cell_value(value: object) -> object:
    """What openpyxl can store of a drawn value (it refuses NaN and infinities as numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def build(path: Path, sheets: list[Sheet]) -> Path:
    """A workbook of the drawn sheets; a repeated title adds rows to the sheet it names."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, above, headings, rows in sheets:
        sheet = book[title] if title in book.sheetnames else book.create_sheet(title)
        for i in range(above):
            sheet.append(["Harbor Harriers roster" if i == 0 else None])
        sheet.append(headings)
        for row in rows:
            sheet.append([cell_value(v) for v in row])
    book.save(path)
    return path


class Tally:
    """What the fuzzed reads ended in, and the slowest one."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.slowest = 0.0

    def read(self, path: Path) -> None:
        """Read one fuzzed file within the time bound; only a Roster or a RosterError may come."""
        start = time.monotonic()
        try:
            roster = read_roster(path)
        except RosterError as err:
            assert str(err) and err.problems
            self.outcomes["RosterError"] += 1
        else:
            for athlete in roster.athletes:
                assess(athlete, RuleSettings(), roster.report_date, roster.team.units)
            self.outcomes["Roster"] += 1
        took = time.monotonic() - start
        self.slowest = max(self.slowest, took)
        assert took < SECONDS_PER_FILE, f"{path.name} took {took:.1f} s"

    def summary(self) -> str:
        """`120 files: 31 Roster, 89 RosterError; slowest under 1 s`."""
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.outcomes.items()))
        bound = max(1, math.ceil(self.slowest))
        return f"{sum(self.outcomes.values())} files: {kinds}; every read under {bound} s"


def test_random_workbooks_read_as_a_roster_or_a_roster_error(
    tmp_path: Path, reliability: Reliability
) -> None:
    """Random sheets, headings, layouts and cell values: a Roster or RosterError within 5 s."""
    reliability.case(
        "hostile",
        f"{EXAMPLES} random workbooks (hypothesis): random sheet names, headings, title and "
        "blank rows, and values of every type incl. NaN, 3,000-character text, formula text",
        f"each read ends in a Roster (then assessed by the rules) or a RosterError, within "
        f"{SECONDS_PER_FILE:g} s; never any other exception",
    )
    tally = Tally()

    @FUZZ
    @given(WORKBOOK)
    def read_one(sheets: list[Sheet]) -> None:
        tally.read(build(tmp_path / "fuzz.xlsx", sheets))

    read_one()
    reliability.observed(tally.summary())
    assert sum(tally.outcomes.values()) == EXAMPLES


def test_random_rows_under_good_headings_read_as_a_roster_or_a_roster_error(
    tmp_path: Path, reliability: Reliability
) -> None:
    """The canonical roster with random values in its cells: mostly Rosters, with warnings."""
    reliability.case(
        "hostile",
        f"{EXAMPLES} canonical rosters with up to 30 data cells replaced by random values",
        f"each read ends in a Roster with warnings or a RosterError within "
        f"{SECONDS_PER_FILE:g} s; never any other exception",
    )
    tally = Tally()
    base = canonical_sheets()

    @FUZZ
    @given(st.lists(st.tuples(st.sampled_from(sorted(base)), st.integers(1, 40),
                              st.integers(0, 15), VALUES), max_size=30))  # fmt: skip
    def read_one(changes: list[tuple[str, int, int, object]]) -> None:
        sheets = {name: [list(row) for row in rows] for name, rows in base.items()}
        for name, row, column, value in changes:
            rows = sheets[name]
            at = row % len(rows)
            if at and column < len(rows[at]):  # the header row stays
                rows[at][column] = cell_value(value)
        tally.read(write_workbook(tmp_path / "cells.xlsx", sheets))

    read_one()
    reliability.observed(tally.summary())
    assert tally.outcomes["Roster"] > 0


def canonical_zip(tmp_path: Path) -> bytes:
    """The canonical roster's bytes."""
    return write_workbook(tmp_path / "base.xlsx", canonical_sheets()).read_bytes()


XML_JUNK = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [b"", b"<", b"<?xml version='1.0'?>", b"<worksheet/>", b"<sheetData><row r='x'/>",
         b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
         b"<sheetData><row r='1'><c r='A1' t='s'><v>999</v></c></row></sheetData></worksheet>",
         b"<?xml version='1.0' encoding='utf-16'?><a/>"]
    ),
)  # fmt: skip


@pytest.mark.parametrize("examples", [EXAMPLES // 2])
def test_workbooks_with_a_part_replaced_or_removed_read_or_raise_roster_error(
    tmp_path: Path, reliability: Reliability, examples: int
) -> None:
    """A zip part swapped for junk XML or bytes, or left out: a Roster or RosterError, fast."""
    reliability.case(
        "hostile",
        f"{examples} rosters with one zip part (sheet, workbook, styles, strings, content "
        "types…) replaced by junk XML or bytes, or removed",
        f"each read ends in a Roster or a RosterError within {SECONDS_PER_FILE:g} s",
    )
    base = canonical_zip(tmp_path)
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        names = archive.namelist()
    tally = Tally()

    @settings(FUZZ, max_examples=examples)
    @given(st.sampled_from(names), st.one_of(st.none(), XML_JUNK))
    def read_one(part: str, junk: bytes | None) -> None:
        path = tmp_path / "parts.xlsx"
        with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(path, "w") as target:
            for info in source.infolist():
                if info.filename != part:
                    target.writestr(info, source.read(info))
                elif junk is not None:
                    target.writestr(info, junk)
        tally.read(path)

    read_one()
    reliability.observed(tally.summary())
    assert sum(tally.outcomes.values()) == examples
