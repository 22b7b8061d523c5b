"""Header rows: which row holds the headings, which column is which field, and its unit.

Sheet and column names match case-insensitively, ignoring spaces, punctuation and a unit
in parentheses (`Pre-run fluid (ml)`), or a unit word at the end (`Temp C`, `Km`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import Final

from reports.roster import cells
from reports.roster.dates import MONTH_FIRST, DateOrder, text_date
from reports.roster.words import UNIT_WORDS

Row = tuple[object, ...]
NumberedRow = tuple[int, Row]

HEADER_SCAN_ROWS: Final = 30  # title and blank rows allowed above the header row

_PEOPLE: Final[dict[str, tuple[str, ...]]] = {
    "name": ("name", "athlete", "runner", "athletename", "runnername", "fullname",
             "student", "studentname", "athletesname"),
    "first_name": ("firstname", "first", "givenname", "forename"),
    "last_name": ("lastname", "last", "surname", "familyname"),
    "id": ("id", "athleteid", "runnerid", "studentid", "idnumber", "idno"),
}  # fmt: skip

ATHLETE_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    **_PEOPLE,
    "email": ("email", "emailaddress", "mail", "athleteemail", "emails"),
    "group": ("group", "squad", "groupname", "division", "level"),
    "heavy_sweater": ("heavysweater", "sweater", "heavysweat", "saltysweater",
                      "sweatsheavily", "sweatsalot"),
    "compression": ("compression", "compressiongear", "wearscompression",
                    "compressionsocks", "compressionsleeves"),
    "warmup": ("warmup", "warmsup", "warmupstretch", "warmupandstretch",
               "warmsupandstretches", "warmupstretching", "stretches"),
    "pre_run_fluid": ("prerunfluid", "prerunfluids", "fluid", "fluids", "prerundrink",
                      "fluidbeforeruns", "fluidbeforerun", "typicalfluid", "prerunwater"),
    "medication": ("medication", "medications", "meds", "medicine", "medicines"),
    "condition": ("condition", "conditions", "medicalcondition", "medicalconditions",
                  "healthcondition", "health"),
    "age": ("age", "ageyears", "agenow"),
    "birth_date": ("dateofbirth", "dob", "birthdate", "birthday", "born", "dateborn"),
    "coach_note": ("coachnote", "coachnotes", "coachsnote", "coachsnotes", "coachscomment",
                   "coachcomment", "note",
                   "notes", "comment", "comments"),
    "parent_email": ("parentemail", "guardianemail", "parentguardianemail",
                     "parentsemail", "parentoremail", "parentorguardianemail",
                     "guardiansemail", "parentemailaddress", "guardianemailaddress"),
    "send_sheet": ("sendsheet", "sendsheets", "emailsheet", "sendadvicesheet"),
}  # fmt: skip

MILEAGE_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    **_PEOPLE,
    "week": ("weekof", "week", "weekstarting", "weekstart", "weekbeginning",
             "weekcommencing", "startofweek", "weekdate", "date"),
    "distance": ("distance", "miles", "mi", "mileage", "km", "kms", "kilometers",
                 "kilometres", "weeklymiles", "weeklydistance", "weeklymileage", "weeklykm",
                 "milesrun", "kmrun", "distancerun"),
    "unit": ("unit", "units", "distanceunit"),
    "long_run": ("longrun", "longestrun", "longrundistance", "longrunmiles", "longrunkm"),
    "runs": ("runs", "numberofruns", "runcount", "runsperweek", "numruns", "ofruns"),
    "race_week": ("raceweek", "race", "racing", "raced"),
    "hot_week": ("hotweek", "hot", "heat", "hotweather"),
}  # fmt: skip

CRAMP_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    **_PEOPLE,
    "date": ("date", "day", "crampdate", "dateofcramp", "incidentdate"),
    "when": ("when", "timing", "whenstarted", "whenithappened"),
    "muscle": ("muscle", "muscles", "bodypart", "where"),
    "severity": ("severity", "intensity", "pain", "painlevel", "howbad"),
    "run_distance": ("rundistance", "distance", "runmiles", "runkm", "miles", "km",
                     "runlength", "distanceofrun"),
    "minutes_in": ("minutesin", "minutesintorun", "minutesintotherun", "minsin", "timein",
                   "timeintorun"),
    "pace": ("pace", "effort"),
    "fluid_before": ("fluidbefore", "fluid", "fluids", "drankbefore", "fluidbeforerun",
                     "prerunfluid", "waterbefore"),
    "electrolytes": ("electrolytes", "electrolyte", "salt", "salttablets",
                     "tookelectrolytes", "sodium"),
    "warmed_up": ("warmedup", "warmup", "stretched"),
    "temperature": ("temperature", "temp", "airtemperature", "airtemp"),
    "urine": ("urine", "urinecolour", "urinecolor", "pee"),
    "lasted": ("lasted", "duration", "howlong", "lastedfor"),
    "red_flag": ("redflag", "redflags", "warningsigns", "warningsign"),
    "notes": ("notes", "note", "comments", "comment", "details"),
}  # fmt: skip

TEAM_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "team": ("team", "teamname", "name", "club", "school"),
    "coach": ("coach", "coachname", "headcoach"),
    "coach_email": ("coachemail", "coachemailaddress", "coachesemail", "email",
                    "emailaddress"),
    "units": ("units", "unit", "distanceunit", "distanceunits"),
    "report_date": ("reportdate", "reportingdate", "asof", "date", "reportfor"),
    "date_order": ("dateorder", "dateformat", "datestyle", "dates"),
}  # fmt: skip

SHEET_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "athletes": ("athletes", "athlete", "roster", "runners", "runner", "teamroster",
                 "athleteroster", "athletelist"),
    "mileage": ("mileage", "miles", "weeklymileage", "weeklymiles", "km", "distance",
                "training", "traininglog", "log", "weekly", "weeks"),
    "cramps": ("cramps", "cramp", "incidents", "cramplog", "crampincidents"),
    "team": ("team", "teaminfo", "teamsettings", "settings", "info"),
    "instructions": ("instructions", "help", "readme", "howto", "howtouse"),
}  # fmt: skip

UNIT_KINDS: Final[dict[str, frozenset[str]]] = {
    "distance": frozenset({"miles", "km"}),
    "long_run": frozenset({"miles", "km"}),
    "run_distance": frozenset({"miles", "km"}),
    "pre_run_fluid": frozenset({"oz", "ml"}),
    "fluid_before": frozenset({"oz", "ml"}),
    "temperature": frozenset({"f", "c"}),
    "minutes_in": frozenset({"min", "sec", "hr"}),
    "lasted": frozenset({"min", "sec", "hr"}),
}

_IMPLIED_UNITS: Final[dict[str, str]] = {
    "miles": "miles", "mi": "miles", "weeklymiles": "miles", "milesrun": "miles",
    "runmiles": "miles", "longrunmiles": "miles",
    "km": "km", "kms": "km", "kilometers": "km", "kilometres": "km", "weeklykm": "km",
    "kmrun": "km", "runkm": "km", "longrunkm": "km",
}  # fmt: skip

_PAREN_UNIT = re.compile(r"\(([^()]*)\)\s*$")
_DATE_LIKE = re.compile(r"\d{1,4}\s*[/.-]\s*\d{1,2}")
_UNIT_SUFFIXES: Final = sorted(UNIT_WORDS, key=len, reverse=True)


def squash(text: str) -> str:
    """A name reduced for matching: case-folded, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def name_key(text: str) -> str:
    """How names match across sheets: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(text.split()).casefold()


def split_unit(heading: str) -> tuple[str, str | None]:
    """A heading without a trailing `(unit)`, and the text inside the parentheses."""
    found = _PAREN_UNIT.search(heading)
    if not found:
        return heading, None
    return heading[: found.start()], found.group(1).strip() or None


def aliases_of(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """alias → field, for looking headings up."""
    return {alias: name for name, names in table.items() for alias in names}


ATHLETE_ALIASES: Final = aliases_of(ATHLETE_FIELDS)
MILEAGE_ALIASES: Final = aliases_of(MILEAGE_FIELDS)
CRAMP_ALIASES: Final = aliases_of(CRAMP_FIELDS)
TEAM_ALIASES: Final = aliases_of(TEAM_KEYS)
SHEET_ALIASES: Final = aliases_of(SHEET_NAMES)


def sheet_role(title: str) -> str | None:
    """Which roster sheet a sheet title names (`Weekly Mileage (km)` → mileage)."""
    base, _ = split_unit(title)
    return SHEET_ALIASES.get(squash(base))


def sheet_unit(title: str) -> str | None:
    """A unit given in a sheet title, e.g. `Mileage (km)` → km."""
    _, unit = split_unit(title)
    return cells.unit_of(unit)


def match_heading(
    heading: str, aliases: Mapping[str, str]
) -> tuple[str, str | None, str | None] | None:
    """(field, unit, unit as written) for a heading, or None when it names no field."""
    base, written = split_unit(heading)
    key = squash(base)
    field = aliases.get(key)
    unit = cells.unit_of(written) if written else _IMPLIED_UNITS.get(key)
    if field is None:
        for word in _UNIT_SUFFIXES:
            stem = key.removesuffix(word)
            if stem == key or not stem:
                continue
            candidate = aliases.get(stem) or aliases.get(stem.removesuffix("in"))
            if candidate and UNIT_WORDS[word] in UNIT_KINDS.get(candidate, ()):
                return candidate, UNIT_WORDS[word], word
        return None
    if field not in UNIT_KINDS:
        return field, None, None
    return field, unit, written


@dataclass(frozen=True)
class Column:
    """One recognised column: its field, 0-based index, unit and heading as written."""

    field: str
    index: int
    heading: str
    unit: str | None = None
    unit_written: str | None = None


@dataclass(frozen=True)
class Header:
    """The header row of a sheet: recognised columns, week columns and skipped headings."""

    row: int
    columns: Mapping[str, Column]
    weeks: tuple[tuple[int, date], ...] = ()
    week_texts: tuple[tuple[int, str], ...] = ()  # the week headings typed as text
    bad_weeks: tuple[tuple[int, str], ...] = ()
    skipped: tuple[tuple[int, str], ...] = ()

    def has(self, *fields: str) -> bool:
        """True when every one of `fields` has a column."""
        return all(f in self.columns for f in fields)


def heading_date(value: object, order: DateOrder = MONTH_FIRST) -> date | None:
    """The week a wide-layout heading names: a date cell, date text (read in `order`) or an
    Excel day number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return cells.serial_date(value)
    if isinstance(value, str):
        return text_date(value, order)
    return None


def read_header(
    number: int,
    row: Row,
    aliases: Mapping[str, str],
    weeks: bool,
    order: DateOrder = MONTH_FIRST,
) -> Header:
    """Name every column of a header row; with `weeks`, date headings are week columns."""
    columns: dict[str, Column] = {}
    found_weeks: list[tuple[int, date]] = []
    week_texts: list[tuple[int, str]] = []
    bad: list[tuple[int, str]] = []
    skipped: list[tuple[int, str]] = []
    for index, value in enumerate(row):
        if cells.is_blank(value):
            continue
        heading = cells.text(value) or ""
        matched = match_heading(heading, aliases) if isinstance(value, str) else None
        when = heading_date(value, order) if weeks and matched is None else None
        if matched and matched[0] not in columns:
            field, unit, written = matched
            columns[field] = Column(field, index, heading, unit, written)
        elif when is not None:
            found_weeks.append((index, when))
            if isinstance(value, str):
                week_texts.append((index, value))
        elif weeks and matched is None and isinstance(value, str) and _DATE_LIKE.search(value):
            bad.append((index, heading))
        else:
            skipped.append((index, heading))
    return Header(
        number, columns, tuple(found_weeks), tuple(week_texts), tuple(bad), tuple(skipped)
    )


def _names_someone(header: Header) -> bool:
    """A header row has a name column (or first and last name columns)."""
    return header.has("name") or header.has("first_name", "last_name")


def find_header(
    rows: Iterable[NumberedRow],
    aliases: Mapping[str, str],
    weeks: bool = False,
    order: DateOrder = MONTH_FIRST,
) -> tuple[Header | None, Iterator[NumberedRow]]:
    """The header row among the first rows (titles and blanks may precede it), and the rest.

    A row with a name column and another known column (or a week date) wins at once; a row
    with only a name column is kept as a fallback in case a better row follows.
    """
    stream = iter(rows)
    seen: list[NumberedRow] = []
    fallback: tuple[int, Header] | None = None
    for number, row in stream:
        seen.append((number, row))
        header = read_header(number, row, aliases, weeks, order)
        if _names_someone(header):
            if len(header.columns) > 1 or header.weeks:
                return header, stream
            fallback = fallback or (len(seen), header)
        if len(seen) >= HEADER_SCAN_ROWS:
            break
    if fallback is None:
        return None, stream
    position, header = fallback
    return header, chain(seen[position:], stream)
