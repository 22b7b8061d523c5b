"""Shared builders: athletes for the pure core, real `.xlsx` workbooks for the adapters."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from reports.models import Athlete, Incident, Week

# A fixed report date: the last day of the week starting Monday 2026-11-16.
TODAY = date(2026, 11, 22)
FIRST_WEEK = date(2026, 9, 28)  # eight Monday-start weeks end on 2026-11-22

Sheets = dict[str, list[list[Any]]]


@pytest.fixture
def today() -> date:
    """The report date every core test uses."""
    return TODAY


def weeks_of(miles: Iterable[float | None], first: date = FIRST_WEEK) -> tuple[Week, ...]:
    """Consecutive weeks from `first`, one per value; None means not logged."""
    return tuple(Week(start=first + timedelta(weeks=i), miles=m) for i, m in enumerate(miles))


def make_athlete(**fields: Any) -> Athlete:
    """An athlete with steady mileage and no cramps unless told otherwise."""
    fields.setdefault("key", fields.get("name", "alex rivera").lower())
    fields.setdefault("name", "Alex Rivera")
    fields.setdefault("email", "alex@example.org")
    fields.setdefault("weeks", weeks_of([20, 21, 20, 22, 21, 22, 21, 22]))
    return Athlete(**fields)


def make_incident(days_before: int = 3, **fields: Any) -> Incident:
    """A cramp `days_before` the fixed report date."""
    return Incident(day=TODAY - timedelta(days=days_before), **fields)


ATHLETE_HEADERS = [
    "Name",
    "Email",
    "ID",
    "Group",
    "Heavy sweater",
    "Compression",
    "Warm-up",
    "Pre-run fluid (oz)",
    "Medication",
    "Condition",
    "Coach note",
]
CRAMP_HEADERS = [
    "Name",
    "Date",
    "When",
    "Muscle",
    "Severity",
    "Run distance",
    "Minutes in",
    "Pace",
    "Fluid before (oz)",
    "Electrolytes",
    "Warmed up",
    "Temperature (F)",
    "Urine",
    "Lasted",
    "Red flag",
    "Notes",
]


def canonical_sheets() -> Sheets:
    """A small clean roster in the canonical layout: three athletes, eight weeks."""
    athletes = [
        list(ATHLETE_HEADERS),
        ["Maya Chen", "maya@example.org", None, "Varsity", "N", "N", "Y", 20, "N", None, None],
        [
            "Leo Park",
            "leo@example.org",
            None,
            "Varsity",
            "Y",
            "N",
            "N",
            12,
            "N",
            None,
            "Great progress this month.",
        ],
        ["Sam Ortiz", None, None, "JV", "N", "Y", "Y", 18, "N", None, None],
    ]
    mileage: list[list[Any]] = [["Name", "Week of", "Miles", "Long run"]]
    plans = {
        "Maya Chen": [20, 21, 20, 22, 21, 22, 21, 22],
        "Leo Park": [25, 26, 27, 26, 28, 27, 30, 33],
        "Sam Ortiz": [15, 15, 16, 15, 16, 16, 15, 16],
    }
    for name, miles in plans.items():
        for i, m in enumerate(miles):
            mileage.append([name, FIRST_WEEK + timedelta(weeks=i), m, round(m * 0.35, 1)])
    cramps = [
        list(CRAMP_HEADERS),
        [
            "Leo Park",
            date(2026, 11, 15),
            "during",
            "calf",
            3,
            11,
            80,
            "usual",
            8,
            "N",
            "N",
            84,
            "dark",
            2,
            None,
            None,
        ],
    ]
    team = [
        ["Key", "Value"],
        ["Team", "Harbor Harriers"],
        ["Coach", "Dana Brooks"],
        ["Coach email", "dana@example.org"],
        ["Units", "miles"],
    ]
    return {"Team": team, "Athletes": athletes, "Mileage": mileage, "Cramps": cramps}


def write_workbook(path: Path, sheets: Sheets) -> Path:
    """Write `sheets` (name → rows) as a real `.xlsx` with openpyxl and return its path."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@pytest.fixture
def workbook(tmp_path: Path) -> Callable[..., Path]:
    """Factory: `workbook(sheets=None, name="harbor.xlsx")` writes a roster into tmp_path."""

    def build(sheets: Sheets | None = None, name: str = "harbor.xlsx") -> Path:
        return write_workbook(tmp_path / name, sheets if sheets is not None else canonical_sheets())

    return build
