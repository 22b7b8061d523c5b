"""Cell values and headings: what each spelling a coach might type reads as."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import pytest

from reports.models import KM_PER_MILE, ML_PER_OZ
from reports.roster import cells
from reports.roster.cells import Unreadable
from reports.roster.headers import (
    ATHLETE_ALIASES,
    ATHLETE_FIELDS,
    CRAMP_ALIASES,
    CRAMP_FIELDS,
    MILEAGE_ALIASES,
    MILEAGE_FIELDS,
    SHEET_NAMES,
    TEAM_KEYS,
    find_header,
    match_heading,
    name_key,
    sheet_role,
)

READS: list[tuple[Callable[..., Any], tuple[Any, ...], Any]] = [
    (cells.distance, (12, "miles"), 12.0),
    (cells.distance, ("12.5", "miles"), 12.5),
    (cells.distance, (" 20 km ", "miles"), 20 / KM_PER_MILE),
    (cells.distance, ("20k", "miles"), 20 / KM_PER_MILE),
    (cells.distance, ("12 mi", "km"), 12.0),
    (cells.distance, (16.09344, "km"), 10.0),
    (cells.distance, ("12,5", "miles"), 12.5),
    (cells.distance, (0, "miles"), 0.0),
    (cells.distance, (None, "miles"), None),
    (cells.distance, ("   ", "miles"), None),
    (cells.fluid, (500, "ml"), 500 / ML_PER_OZ),
    (cells.fluid, ("16 oz", "ml"), 16.0),
    (cells.temperature, (30, "c"), 86.0),
    (cells.temperature, ("86 °F", "c"), 86.0),
    (cells.minutes, (time(1, 20), "min"), 80.0),
    (cells.minutes, ("90 sec", "min"), 1.5),
    (cells.minutes, (2, "hr"), 120.0),
    (cells.count, ("5",), 5),
    (cells.yes_no, ("Y",), True), (cells.yes_no, ("yes",), True), (cells.yes_no, ("TRUE",), True),
    (cells.yes_no, ("x",), True), (cells.yes_no, (1,), True), (cells.yes_no, (True,), True),
    (cells.yes_no, ("n",), False), (cells.yes_no, ("No",), False),
    (cells.yes_no, ("false",), False),
    (cells.yes_no, (0,), False), (cells.yes_no, (None,), None), (cells.yes_no, ("",), None),
    (cells.severity, ("mild",), 2), (cells.severity, ("Moderate",), 3),
    (cells.severity, ("SEVERE",), 5), (cells.severity, (4,), 4), (cells.severity, ("3",), 3),
    (cells.when, (" During ",), "during"), (cells.when, ("post-run",), "after"),
    (cells.when, ("At night",), "night"), (cells.pace, ("FASTER",), "faster"),
    (cells.pace, ("race pace",), "race"), (cells.urine, ("Dark yellow",), "dark"),
    (cells.day, (date(2026, 11, 16),), date(2026, 11, 16)),
    (cells.day, (datetime(2026, 11, 16, 7, 30),), date(2026, 11, 16)),
    (cells.day, ("2026-11-16",), date(2026, 11, 16)),
    (cells.day, ("11/16/2026",), date(2026, 11, 16)),
    (cells.day, ("11/16/26",), date(2026, 11, 16)),
    (cells.day, ("Nov 16, 2026",), date(2026, 11, 16)),
    (cells.day, ("16 November 2026",), date(2026, 11, 16)),
    (cells.day, (46342,), date(2026, 11, 16)),
    (cells.email, (" maya@example.org ",), "maya@example.org"),
    (cells.email, ("Maya <maya.chen+xc@mail.example.org>",), "maya.chen+xc@mail.example.org"),
    (cells.muscle, ("Left Calf",), "calf"), (cells.muscle, (None,), "calf"),
    (cells.muscle, ("Hamstring",), "hamstring"),
    (cells.units, ("Kilometres",), "km"), (cells.units, ("mi",), "miles"),
]  # fmt: skip


@pytest.mark.parametrize(("parse", "args", "expected"), READS)
def test_cell_spellings_read_as_expected(
    parse: Callable[..., Any], args: tuple[Any, ...], expected: Any
) -> None:
    """Each way of writing a value reads to the same internal value and unit."""
    result = parse(*args)
    assert result == (pytest.approx(expected) if isinstance(expected, float) else expected)


REFUSED: list[tuple[Callable[..., Any], tuple[Any, ...], str]] = [
    (cells.distance, ("twelve", "miles"),
     '"twelve" is not a distance — type a number of miles, e.g. 12'),
    (cells.distance, (-3, "km"), '"-3" is a negative distance'),
    (cells.distance, ("12 furlongs", "miles"), "is not a distance"),
    (cells.distance, ("12 oz", "miles"), "is not a distance"),
    (cells.distance, (True, "miles"), "is not a distance"),
    (cells.distance, ("#REF!", "miles"), "the formula shows the error #REF!"),
    (cells.yes_no, ("maybe",), '"maybe" is not Y or N'),
    (cells.severity, (7,), "is not a severity"),
    (cells.severity, (2.5,), "is not a severity"),
    (cells.count, (4.5,), "is not a number of runs"),
    (cells.day, ("13/45/2026",), "is not a date"),
    (cells.day, ("soon",), "is not a date"),
    (cells.day, (time(7, 0),), "is not a date"),
    (cells.day, (12,), "is not a date"),
    (cells.email, ("maya@",), "is not an email address"),
    (cells.email, ("a@b.org; c@d.org",), "is not an email address"),
    (cells.email, ("maya@example..org",), "is not an email address"),
    (cells.email, ("maya@example.org\nBcc: x@y.org",), "holds more than one line"),
    (cells.email, ("maya@example.org\x00",), "holds more than one line"),
    (cells.temperature, (300, "f"), "not a plausible air temperature"),
    (cells.units, ("leagues",), "is not a distance unit"),
]  # fmt: skip


@pytest.mark.parametrize(("parse", "args", "says"), REFUSED)
def test_unreadable_values_explain_what_to_type(
    parse: Callable[..., Any], args: tuple[Any, ...], says: str
) -> None:
    """A value that cannot be read raises Unreadable saying what is wrong and what to type."""
    with pytest.raises(Unreadable) as caught:
        parse(*args)
    assert says in str(caught.value)
    assert " — " in str(caught.value) and "\n" not in str(caught.value)


def test_yes_or_text_keeps_other_text() -> None:
    """Y-or-text columns: yes → "yes", no/empty → None, other text kept as typed."""
    assert [cells.yes_or_text(v) for v in ("Y", "no", None, " statin ")] == [
        "yes",
        None,
        None,
        "statin",
    ]


def test_show_quotes_values_on_one_short_line() -> None:
    """Values quoted in messages lose control characters and are shortened."""
    assert cells.show("a\nb\tc") == '"a b c"'
    assert len(cells.show("x" * 200)) == 42


HEADINGS: list[tuple[str, dict[str, str], tuple[str, str | None, str | None] | None]] = [
    ("Distance (km)", MILEAGE_ALIASES, ("distance", "km", "km")),
    ("Km", MILEAGE_ALIASES, ("distance", "km", None)),
    ("MILES", MILEAGE_ALIASES, ("distance", "miles", None)),
    ("Distance", MILEAGE_ALIASES, ("distance", None, None)),
    ("Week of", MILEAGE_ALIASES, ("week", None, None)),
    ("Week Starting", MILEAGE_ALIASES, ("week", None, None)),
    ("Total", MILEAGE_ALIASES, None),
    ("Temp °C", CRAMP_ALIASES, ("temperature", "c", "c")),
    ("Temperature (°F)", CRAMP_ALIASES, ("temperature", "f", "°F")),
    ("Fluid before in ml", CRAMP_ALIASES, ("fluid_before", "ml", "ml")),
    ("Pre-run fluid (mL)", ATHLETE_ALIASES, ("pre_run_fluid", "ml", "mL")),
    ("E-mail address", ATHLETE_ALIASES, ("email", None, None)),
    ("Race week (Y/N)", MILEAGE_ALIASES, ("race_week", None, None)),
    ("Names", ATHLETE_ALIASES, None),
    ("Notes", ATHLETE_ALIASES, ("coach_note", None, None)),
]  # fmt: skip


@pytest.mark.parametrize(("heading", "aliases", "expected"), HEADINGS)
def test_headings_match_fields_ignoring_case_punctuation_and_units(
    heading: str, aliases: dict[str, str], expected: tuple[str, str | None, str | None] | None
) -> None:
    """A heading names its field and unit whatever its case, punctuation or unit notation."""
    assert match_heading(heading, aliases) == expected


@pytest.mark.parametrize(
    "table", [ATHLETE_FIELDS, MILEAGE_FIELDS, CRAMP_FIELDS, TEAM_KEYS, SHEET_NAMES]
)
def test_no_alias_names_two_fields(table: dict[str, tuple[str, ...]]) -> None:
    """Each alias points at exactly one field of its sheet."""
    aliases = [a for names in table.values() for a in names]
    assert len(aliases) == len(set(aliases))


@pytest.mark.parametrize(("title", "role"), [
    ("Athletes", "athletes"), ("ROSTER", "athletes"), ("Weekly Mileage (km)", "mileage"),
    ("cramp log", "cramps"), ("Team Info", "team"), ("Read me", "instructions"), ("Sheet1", None),
])  # fmt: skip
def test_sheet_titles_name_their_role(title: str, role: str | None) -> None:
    """Sheet titles match case-insensitively, through aliases, ignoring a unit in parentheses."""
    assert sheet_role(title) == role


def test_header_row_is_found_below_titles_and_blank_rows() -> None:
    """Title and blank rows above the headings are skipped; a lone title word does not win."""
    rows = [
        (1, ("Athlete",)),
        (2, ()),
        (3, (None, "Name", "Email")),
        (4, (None, "Maya", "m@x.org")),
    ]
    header, rest = find_header(rows, ATHLETE_ALIASES)
    assert header is not None and header.row == 3
    assert header.columns["name"].index == 1
    assert list(rest) == [(4, (None, "Maya", "m@x.org"))]


def test_lone_name_heading_is_used_when_nothing_better_follows() -> None:
    """A header row with only a Name column still counts when no fuller one follows."""
    rows = [(1, ("Name",)), (2, ("Maya",)), (3, ("Leo",))]
    header, rest = find_header(rows, ATHLETE_ALIASES)
    assert header is not None and header.row == 1
    assert [n for n, _ in rest] == [2, 3]


def test_names_match_after_trimming_and_case_folding() -> None:
    """Names compare trimmed, with inner spaces collapsed and case folded."""
    assert name_key("  Maya   CHEN ") == name_key("maya chen") == "maya chen"


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("\u202eMaya\u200f Chen\u202c", "Maya Chen"),  # text-direction override and mark
        ("Maya\x9b\x7f Chen\x85", "Maya Chen"),  # C1 control, DEL, next-line
        ("Ma\u200bya\ufeff Chen", "Maya Chen"),  # zero-width space, byte-order mark
        ("Zoë Kapoor\u200d", "Zoë Kapoor\u200d"),  # a zero-width joiner stays
    ],
)
def test_text_drops_invisible_characters(raw: str, read: str) -> None:
    """Names read as a reader sees them, so they match across sheets and print safely."""
    assert cells.text(raw) == read
    assert cells.has_invisible(raw) == (raw != read)
    assert "\u202e" not in cells.show(raw) and "\x9b" not in cells.show(raw)
