"""Write the two sample team workbooks in sample_rosters/ (deterministic: same bytes of data every run).

Harbor Harriers keep the canonical layout in miles; Ridgeline Track Club keep a messier,
real-world workbook in kilometres: a merged title row, one column per week and a Total
column of formulas. Together they trigger every rule, and each has athletes with no findings.

    .venv/bin/python scripts/make_sample_rosters.py
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parent.parent
FIRST_WEEK = date(2026, 9, 21)  # nine Monday weeks; the last starts 2026-11-16
WEEKS = 9

# name, email, group, heavy sweater, compression, warm-up, pre-run fluid oz, medication, condition, coach note, weekly miles
HARBOR_ATHLETES: list[tuple[Any, ...]] = [
    (
        "Maya Chen",
        "maya.chen@example.org",
        "Varsity",
        "N",
        "N",
        "Y",
        20,
        "N",
        None,
        "Lovely consistent block, Maya. Keep it rolling into the winter base.",
        [22, 23, 22, 24, 23, 24, 23, 24, 24],
    ),
    (
        "Leo Park",
        "leo.park@example.org",
        "Varsity",
        "Y",
        "N",
        "Y",
        12,
        "N",
        None,
        "Great long runs lately. Let's sort out your fuelling before the half.",
        [28, 29, 30, 29, 31, 30, 32, 31, 33],
    ),
    (
        "Priya Nair",
        "priya.nair@example.org",
        "Varsity",
        "N",
        "Y",
        "Y",
        18,
        "N",
        None,
        None,
        [20, 21, 20, 22, 21, 22, 21, 22, 31],
    ),
    (
        "Jordan Ellis",
        "jordan.ellis@example.org",
        "Varsity",
        "N",
        "N",
        "Y",
        20,
        "N",
        None,
        "Jordan, let's talk at Tuesday practice about these cramps.",
        [25, 26, 25, 27, 26, 27, 26, 27, 26],
    ),
    (
        "Sofia Marquez",
        "sofia.marquez@example.org",
        "JV",
        "N",
        "N",
        "Y",
        48,
        "N",
        None,
        None,
        [15, 16, 15, 16, 17, 16, 17, 16, 17],
    ),
    (
        "Ethan Brooks",
        "ethan.brooks@example.org",
        "Varsity",
        "N",
        "Y",
        "N",
        20,
        "N",
        None,
        "Strong race on Saturday despite the cramp.",
        [24, 25, 24, 26, 25, 26, 25, 20, 24],
    ),
    (
        "Noah Kim",
        "noah.kim@example.org",
        "JV",
        "N",
        "N",
        "Y",
        18,
        "statin",
        None,
        None,
        [12, 13, 12, 13, 14, 13, 14, 13, 14],
    ),
    (
        "Ava Thompson",
        "ava.thompson@example.org",
        "Varsity",
        "N",
        "Y",
        "Y",
        20,
        "N",
        None,
        None,
        [21, 22, 21, 23, 22, 23, 22, 23, 22],
    ),
    (
        "Liam O'Connor",
        None,
        "JV",
        "N",
        "N",
        "Y",
        16,
        "N",
        None,
        None,
        [14, 14, 15, 14, 15, 15, 14, 15, 15],
    ),
    (
        "Chloe Wu",
        "chloe.wu@example.org",
        "Varsity",
        "N",
        "N",
        "Y",
        20,
        "N",
        None,
        None,
        [20, 20, 21, 20, 21, 21, 20, 21, 24],
    ),
    (
        "Mason Reed",
        "mason.reed@example.org",
        "JV",
        "N",
        "N",
        "Y",
        18,
        "N",
        None,
        "Welcome back from the ankle sprain, Mason.",
        [10, None, None, 8, 10, 11, 11, 12, 12],
    ),
    (
        "Isabella Rossi",
        "isabella.rossi@example.org",
        "Varsity",
        "N",
        "N",
        "Y",
        20,
        "N",
        None,
        None,
        [26, 27, 26, 28, 27, 28, 27, 28, 27],
    ),
    (
        "Grace Okafor",
        "grace.okafor@example.org",
        "JV",
        "N",
        "N",
        "Y",
        16,
        "N",
        "flat feet",
        None,
        [16, 16, 17, 16, 17, 17, 16, 17, 17],
    ),
    (
        "Daniel Weiss",
        "daniel.weiss@example.org",
        "Varsity",
        "N",
        "N",
        "Y",
        22,
        "N",
        None,
        None,
        [30, 31, 30, 32, 31, 32, 42, 40, 38],  # a jump in the week of Nov 2, a race week
    ),
    ("Zara Ahmed", "zara.ahmed@example.org", "JV", "N", "N", "Y", 18, "N", None, None,
     [12, 12, 13, 12, 13, 13, 12, 13, 13]),
    ("Ben Carter", "ben.carter@example.org", "JV", "N", "N", "Y", 20, "N", None,
     "Ben, please log every week, even the easy ones.", [18, 18, 19, 18, 19, None, 19, 19, 19]),
    ("Owen Hart", "owen.hart@example.org", "Varsity", "N", "N", "Y", 20, "N", None, None,
     [27, 28, 27, 28, 28, 29, 28, 29, 29]),
]  # fmt: skip
# A high-school team: ages on the Athletes sheet (under 18 on the report date is a minor).
HARBOR_AGES: dict[str, int] = {
    "Maya Chen": 17, "Leo Park": 16, "Priya Nair": 18, "Jordan Ellis": 17, "Sofia Marquez": 15,
    "Ethan Brooks": 18, "Noah Kim": 18, "Ava Thompson": 17, "Liam O'Connor": 15,
    "Chloe Wu": 16, "Mason Reed": 16, "Isabella Rossi": 17, "Grace Okafor": 16,
    "Daniel Weiss": 18, "Zara Ahmed": 15, "Ben Carter": 16, "Owen Hart": 17,
}  # fmt: skip
# Race weeks (index into the nine weeks): Daniel raced in the week his distance jumped.
HARBOR_RACES: dict[str, int] = {"Daniel Weiss": 6, "Ethan Brooks": 7}

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
HARBOR_CRAMPS: list[list[Any]] = [
    [
        "Leo Park",
        date(2026, 11, 15),
        "during",
        "calf",
        4,
        14,
        105,
        "usual",
        10,
        "N",
        "Y",
        84,
        "dark",
        3,
        None,
        "Hot Sunday long run, ran out of water",
    ],
    [
        "Leo Park",
        date(2026, 11, 1),
        "during",
        "calf",
        3,
        13,
        95,
        "usual",
        12,
        "N",
        "Y",
        78,
        "light",
        2,
        None,
        None,
    ],
    [
        "Jordan Ellis",
        date(2026, 11, 2),
        "during",
        "calf",
        3,
        8,
        50,
        "faster",
        20,
        "Y",
        "Y",
        65,
        "light",
        2,
        None,
        None,
    ],
    [
        "Jordan Ellis",
        date(2026, 11, 9),
        "after",
        "calf",
        2,
        6,
        None,
        "usual",
        18,
        "Y",
        "Y",
        60,
        "light",
        4,
        None,
        "Cramped in the car home",
    ],
    [
        "Jordan Ellis",
        date(2026, 11, 18),
        "night",
        "calf",
        3,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        5,
        None,
        "Woke up at 3am",
    ],
    [
        "Sofia Marquez",
        date(2026, 11, 12),
        "after",
        "calf",
        2,
        5,
        None,
        "easy",
        50,
        "N",
        "Y",
        58,
        "light",
        3,
        None,
        None,
    ],
    [
        "Ethan Brooks",
        date(2026, 11, 14),
        "during",
        "calf",
        4,
        3.1,
        17,
        "race",
        16,
        "N",
        "N",
        55,
        "light",
        2,
        None,
        "5K race, final 400 m",
    ],
    [
        "Noah Kim",
        date(2026, 11, 10),
        "night",
        "calf",
        2,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        3,
        None,
        None,
    ],
    [
        "Ava Thompson",
        date(2026, 11, 19),
        "during",
        "calf",
        5,
        9,
        65,
        "usual",
        20,
        "Y",
        "Y",
        62,
        "light",
        15,
        None,
        "No water stop on the loop; calf swelled later and felt hot",
    ],
    [
        "Isabella Rossi",
        date(2026, 9, 27),
        "during",
        "calf",
        2,
        7,
        45,
        "usual",
        20,
        "Y",
        "Y",
        70,
        "light",
        1,
        None,
        "Early season",
    ],
    [
        "Zara Ahmed",
        date(2026, 11, 11),
        "after",
        "calf",
        2,
        4,
        None,
        "easy",
        18,
        "N",
        "Y",
        58,
        "light",
        2,
        None,
        "Tight calf while stretching after the run; no swelling",
    ],
    [
        "Grace Okafor",
        date(2026, 11, 16),
        "during",
        "calf",
        2,
        5,
        35,
        "usual",
        18,
        "Y",
        "Y",
        60,
        "light",
        2,
        None,
        None,
    ],
]

# Ridgeline: name, email, heavy sweater, compression, warm-up, pre-run fluid ml, medication, condition, weekly km
RIDGELINE_ATHLETES: list[tuple[Any, ...]] = [
    (
        "Aiden Murphy",
        "aiden.murphy@example.net",
        "N",
        "N",
        "Y",
        550,
        "",
        "",
        [40, 42, 41, 43, 42, 44, 43, 44, 45],
    ),
    (
        "Harper Singh",
        "harper.singh@example.net",
        "Y",
        "N",
        "Y",
        400,
        "",
        "",
        [55, 56, 58, 57, 59, 60, 58, 61, 62],
    ),
    (
        "Lucas Bernard",
        "lucas.bernard@example.net",
        "N",
        "N",
        "Y",
        600,
        "",
        "",
        [35, 36, 35, 37, 36, 38, 37, 38, 54],
    ),
    (
        "Emma Johansson",
        "emma.johansson@example.net",
        "N",
        "Y",
        "N",
        500,
        "",
        "",
        [45, 46, 45, 47, 46, 48, 47, 48, 47],
    ),
    (
        "Mateo Alvarez",
        "mateo.alvarez@example.net",
        "N",
        "N",
        "Y",
        1400,
        "",
        "",
        [30, 31, 30, 32, 31, 32, 31, 32, 33],
    ),
    (
        "Zoe Campbell",
        "zoe.campbell@example.net",
        "N",
        "N",
        "Y",
        500,
        "",
        "",
        [38, 39, 38, 40, 39, 40, 39, 40, 40],
    ),
    (
        "Oliver Novak",
        "oliver.novak at example.net",
        "N",
        "N",
        "Y",
        550,
        "",
        "",
        [50, 51, 50, 52, 51, 52, 51, 52, 52],
    ),
    (
        "Mia Fischer",
        "mia.fischer@example.net",
        "N",
        "N",
        "Y",
        500,
        "",
        "",
        [25, 26, 25, 27, 26, 27, 26, 27, 26],
    ),
    (
        "Kenji Watanabe",
        "kenji.watanabe@example.net",
        "N",
        "N",
        "Y",
        500,
        "Y",
        "",
        [60, 61, 60, 62, 61, 62, 61, 62, 61],
    ),
    (
        "Amara Osei",
        "amara.osei@example.net",
        "N",
        "N",
        "Y",
        500,
        "",
        "",
        [33, 34, 33, 35, 34, 35, 34, 38, 39],
    ),
    (
        "Felix Wagner",
        "felix.wagner@example.net",
        "N",
        "Y",
        "Y",
        500,
        "",
        "",
        [44, None, 45, 46, 45, 46, 45, 46, 46],
    ),
    (
        "Lina Haddad",
        "lina.haddad@example.net",
        "N",
        "N",
        "Y",
        500,
        "",
        "",
        [36, 37, 36, 38, 37, 38, 37, 38, 37],
    ),
]
# A club: mostly adults; dates of birth typed as ISO text. Harper (17) is a minor.
RIDGELINE_BIRTHS: dict[str, str] = {
    "Aiden Murphy": "1994-05-02", "Harper Singh": "2009-03-14", "Lucas Bernard": "1988-11-30",
    "Emma Johansson": "2001-07-19", "Mateo Alvarez": "1996-01-08", "Zoe Campbell": "1999-09-25",
    "Oliver Novak": "1985-04-17", "Mia Fischer": "2003-12-01", "Kenji Watanabe": "1979-06-11",
    "Amara Osei": "1992-02-29", "Felix Wagner": "1990-10-05", "Lina Haddad": "2000-08-21",
}  # fmt: skip
RIDGELINE_CRAMP_HEADERS = [
    "Athlete",
    "Date",
    "When",
    "Severity",
    "Run distance (km)",
    "Minutes in",
    "Pace",
    "Fluid before (ml)",
    "Electrolytes",
    "Warmed up",
    "Temperature (C)",
    "Urine",
    "Lasted",
    "Notes",
]
RIDGELINE_CRAMPS: list[list[Any]] = [
    [
        "Harper Singh",
        "11/15/2026",
        "During",
        "moderate",
        24,
        110,
        "usual",
        350,
        "no",
        "yes",
        29,
        "dark",
        4,
        None,
    ],
    [
        "Emma Johansson",
        "2026-11-08",
        "during",
        "mild",
        10,
        48,
        "Faster",
        500,
        "yes",
        "no",
        16,
        "light",
        2,
        None,
    ],
    [
        "Emma Johansson",
        "2026-11-17",
        "after",
        "mild",
        12,
        None,
        "usual",
        500,
        "yes",
        "no",
        14,
        "light",
        3,
        None,
    ],
    [
        "Mateo Alvarez",
        "2026-11-13",
        "night",
        "mild",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        2,
        "Woke with calf cramp after evening run",
    ],
    [
        "Kenji Watanabe",
        "2026-11-05",
        "during",
        "severe",
        18,
        85,
        "race",
        500,
        "no",
        "yes",
        12,
        "light",
        6,
        None,
    ],
    [
        "Kenji Watanabe",
        "2026-11-12",
        "during",
        "moderate",
        16,
        80,
        "usual",
        500,
        "no",
        "yes",
        11,
        "light",
        4,
        None,
    ],
    [
        "Kenji Watanabe",
        "2026-11-19",
        "night",
        "moderate",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        3,
        "Numbness in the foot afterwards",
    ],
    [
        "Lina Haddad",
        "2026-11-20",
        "During",
        "mild",
        8,
        40,
        "easy",
        300,
        "no",
        "yes",
        15,
        "light",
        1,
        None,
    ],
]


def _harbor() -> openpyxl.Workbook:
    """The canonical-layout workbook in miles."""
    book = openpyxl.Workbook()
    team = book.active
    team.title = "Team"
    for row in [
        ("Key", "Value"),
        ("Team", "Harbor Harriers"),
        ("Coach", "Dana Brooks"),
        ("Coach email", "dana.brooks@example.org"),
        ("Units", "miles"),
    ]:
        team.append(row)
    athletes = book.create_sheet("Athletes")
    athletes.append(
        [
            "Name",
            "Email",
            "Group",
            "Heavy sweater",
            "Compression",
            "Warm-up",
            "Pre-run fluid (oz)",
            "Medication",
            "Condition",
            "Coach note",
            "Age",
        ]
    )
    mileage = book.create_sheet("Mileage")
    mileage.append(["Name", "Week of", "Miles", "Long run", "Runs", "Hot week", "Race week"])
    for name, email, group, sweat, comp, warm, fluid, med, cond, note, miles in HARBOR_ATHLETES:
        age = HARBOR_AGES[name]
        athletes.append([name, email, group, sweat, comp, warm, fluid, med, cond, note, age])
        for i, m in enumerate(miles):
            week = FIRST_WEEK + timedelta(weeks=i)
            long_run = None if m is None else round(m * 0.36, 1)
            if name == "Priya Nair" and i == WEEKS - 1:
                long_run = 12.0  # the long run jumped with the weekly total
            race = "Y" if HARBOR_RACES.get(name) == i else "N"
            mileage.append([name, week, m, long_run, None if m is None else 5, "N", race])
    cramps = book.create_sheet("Cramps")
    cramps.append(CRAMP_HEADERS)
    for row in HARBOR_CRAMPS:
        cramps.append(row)
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    for row in mileage.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd"
    for row in cramps.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd"
    return book


def _ridgeline() -> openpyxl.Workbook:
    """A messy real-world workbook in km: title row, wide weeks, a Total column, text dates."""
    book = openpyxl.Workbook()
    team = book.active
    team.title = "TEAM"
    for row in [
        ("Setting", "Value"),
        ("Team ", "Ridgeline Track Club"),
        ("coach", "Sam Okoye"),
        ("Coach E-mail", "sam.okoye@example.net"),
        ("UNITS", "km"),
    ]:
        team.append(row)
    athletes = book.create_sheet("Athletes ")
    athletes.append(["Ridgeline Track Club — autumn block"])
    athletes.merge_cells("A1:H1")
    athletes.append([])
    athletes.append(
        [
            "Runner",
            "E-mail address",
            "Heavy Sweater?",
            "Compression",
            "Warm up",
            "Pre-run fluid (ml)",
            "Medication",
            "Condition",
            "Date of birth",
            "Shoe size",
        ]
    )
    weekly = book.create_sheet("Mileage (km)")
    weekly.append(["Weekly distance (km)"])
    weekly.merge_cells("A1:E1")
    header = (
        ["Athlete"]
        + [
            f"Week of {d.month}/{d.day}/{d.year}"
            for d in (FIRST_WEEK + timedelta(weeks=i) for i in range(WEEKS))
        ]
        + ["Total"]
    )
    weekly.append(header)
    for r, (name, email, sweat, comp, warm, fluid, med, cond, km) in enumerate(RIDGELINE_ATHLETES):
        athletes.append(
            [
                f" {name} ",
                email,
                sweat,
                comp,
                warm,
                fluid,
                med,
                cond,
                RIDGELINE_BIRTHS[name],
                42,
            ]
        )
        row_number = weekly.max_row + 1
        last_col = openpyxl.utils.get_column_letter(WEEKS + 1)
        typed = name.upper() if r == 3 else name  # names are matched whatever their case
        weekly.append([typed, *km, f"=SUM(B{row_number}:{last_col}{row_number})"])
    incidents = book.create_sheet("cramps")
    incidents.append(RIDGELINE_CRAMP_HEADERS)
    for row in RIDGELINE_CRAMPS:
        incidents.append(row)
    return book


def main() -> None:
    """Write both sample workbooks."""
    out = ROOT / "sample_rosters"
    out.mkdir(exist_ok=True)
    _harbor().save(out / "harbor-harriers.xlsx")
    _ridgeline().save(out / "ridgeline-track-club.xlsx")
    print(f"wrote {out / 'harbor-harriers.xlsx'} and {out / 'ridgeline-track-club.xlsx'}")


if __name__ == "__main__":
    main()
