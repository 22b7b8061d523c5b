"""A seeded synthetic federation roster: thousands of athletes, eight weeks, a realistic spread of cramps."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl

FIRST_WEEK = date(2026, 9, 28)  # eight Monday weeks; the last ends on the report date
WEEKS = 8
REPORT_DATE = FIRST_WEEK + timedelta(weeks=WEEKS, days=-1)

FIRST = (
    "Ava", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jade", "Kai", "Lena",
    "Milo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Vik", "Wren",
    "Xena", "Yuri", "Zoe", "Abel", "Bea", "Cruz", "Dana", "Emil", "Faye", "Gino", "Hugo",
    "Iris", "Joel", "Kira", "Luca", "Maja", "Noor",
)  # fmt: skip
LAST = (
    "Adams", "Baker", "Chen", "Diaz", "Ellis", "Ford", "Garcia", "Hughes", "Ito", "Jensen",
    "Khan", "Lopez", "Moreau", "Nair", "Okafor", "Park", "Quinn", "Rossi", "Silva", "Tanaka",
    "Ueda", "Varga", "Weiss", "Xu", "Young", "Zhou", "Abbott", "Brandt", "Costa", "Dubois",
    "Eriksen", "Fischer", "Gallo", "Haddad", "Ibarra", "Jovanovic", "Kowalski", "Lindqvist",
    "Murphy", "Novak",
)  # fmt: skip
GROUPS = ("Varsity", "JV", "Masters", "Juniors", "Elite", "Club")
NOTES = (
    "Lovely consistent block. Keep it rolling into the winter base.",
    "Great long runs lately; let's sort out your fuelling before the half.",
    "Let's talk at Tuesday practice about these cramps.",
    "Strong race on Saturday despite the cramp.",
)
ATHLETE_HEADERS = [
    "Name", "Email", "ID", "Group", "Heavy sweater", "Compression", "Warm-up",
    "Pre-run fluid (oz)", "Medication", "Condition", "Coach note",
]  # fmt: skip
CRAMP_HEADERS = [
    "Name", "Date", "When", "Muscle", "Severity", "Run distance", "Minutes in", "Pace",
    "Fluid before (oz)", "Electrolytes", "Warmed up", "Temperature (F)", "Urine", "Lasted",
    "Red flag", "Notes",
]  # fmt: skip


def names(count: int) -> list[str]:
    """`count` distinct names: first, middle initial, last."""
    found = [
        f"{first} {chr(65 + i)}. {last}" for i in range(26) for last in LAST for first in FIRST
    ]
    if count > len(found):
        raise ValueError(f"at most {len(found)} distinct synthetic names")
    return found[:count]


def weekly_miles(rng: random.Random) -> list[float | None]:
    """Eight weeks around a base, with the odd not-logged week, rest week or late spike."""
    base = rng.choice((12, 18, 22, 26, 30, 35, 42, 50))
    miles: list[float | None] = [round(base * rng.uniform(0.9, 1.1)) for _ in range(WEEKS)]
    if rng.random() < 0.12:
        miles[rng.randrange(WEEKS)] = None
    if rng.random() < 0.05:
        miles[rng.randrange(WEEKS)] = 0
    if rng.random() < 0.15:
        miles[-1] = round(base * rng.uniform(1.3, 1.6))
    return miles


def cramps(rng: random.Random, name: str) -> list[list[Any]]:
    """None for most athletes, one or two for some, three or four (some with red flags) for a few."""
    roll = rng.random()
    count = 0 if roll < 0.55 else 1 if roll < 0.8 else 2 if roll < 0.93 else rng.choice((3, 4))
    rows = []
    for _ in range(count):
        day = REPORT_DATE - timedelta(days=rng.randrange(0, 40))
        when = rng.choice(("during", "during", "after", "night"))
        long_run = rng.random() < 0.4
        flag = "swelling" if rng.random() < 0.04 else None
        rows.append(
            [
                name, day, when, "calf", rng.randint(1, 5),
                rng.choice((13, 15)) if long_run else rng.choice((4, 6, 8)),
                rng.choice((80, 95)) if long_run and when == "during" else None,
                rng.choice(("easy", "usual", "usual", "faster", "race")),
                rng.choice((8, 12, 16, 20, 24)), rng.choice(("Y", "N")), rng.choice(("Y", "N")),
                rng.choice((55, 65, 75, 84)), rng.choice(("light", "light", "dark")),
                rng.choice((1, 2, 3, 5, 12)) if flag else rng.choice((1, 2, 3, 5)),
                flag, None,
            ]
        )  # fmt: skip
    return rows


def federation_sheets(count: int, seed: int = 7) -> dict[str, list[list[Any]]]:
    """Team, Athletes, Mileage (wide: one column per week) and Cramps rows for `count` athletes."""
    rng = random.Random(seed)
    athletes: list[list[Any]] = [list(ATHLETE_HEADERS)]
    weeks = [FIRST_WEEK + timedelta(weeks=i) for i in range(WEEKS)]
    mileage: list[list[Any]] = [["Name", *weeks]]
    incidents: list[list[Any]] = [list(CRAMP_HEADERS)]
    for index, name in enumerate(names(count)):
        athletes.append(
            [
                name,
                f"athlete{index}@example.org" if rng.random() < 0.95 else None,
                f"A{index:05d}",
                rng.choice(GROUPS),
                rng.choice(("Y", "N", "N")),
                rng.choice(("Y", "N", "N")),
                rng.choice(("Y", "Y", "N")),
                44 if rng.random() < 0.04 else rng.choice((12, 16, 20, 24)),
                "Y" if rng.random() < 0.05 else "N",
                "flat feet" if rng.random() < 0.03 else None,
                rng.choice(NOTES) if rng.random() < 0.3 else None,
            ]
        )
        mileage.append([name, *weekly_miles(rng)])
        incidents.extend(cramps(rng, name))
    team: list[list[Any]] = [
        ["Key", "Value"],
        ["Team", "Federation Benchmark"],
        ["Coach", "Regional Coaching Office"],
        ["Coach email", "office@example.org"],
        ["Units", "miles"],
        ["Report date", REPORT_DATE],
    ]
    return {"Team": team, "Athletes": athletes, "Mileage": mileage, "Cramps": incidents}


def write_roster(path: Path, count: int, seed: int = 7) -> Path:
    """Write the synthetic roster of `count` athletes as a real `.xlsx` (write-only mode: fast, small)."""
    book = openpyxl.Workbook(write_only=True)
    for title, rows in federation_sheets(count, seed).items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
