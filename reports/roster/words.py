"""Words a coach might type for a value: units, yes and no, severities, times, paces, colours."""

from __future__ import annotations

from typing import Final, TypeVar

from reports.models import Pace, Urine, When
from reports.roster.dates import DAY_FIRST, MONTH_FIRST, DateOrder

T = TypeVar("T", bound=str)

EXCEL_ERRORS: Final = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!"}
)
YES: Final = frozenset({"y", "yes", "true", "x", "1", "✓", "✔", "t"})
NO: Final = frozenset({"n", "no", "false", "0", "f", "none", "-"})

# Unit words as they appear in headings, cells and the Team sheet, by canonical unit.
UNIT_WORDS: Final[dict[str, str]] = {
    "mi": "miles", "mile": "miles", "miles": "miles",
    "km": "km", "kms": "km", "k": "km", "kilometer": "km", "kilometers": "km",
    "kilometre": "km", "kilometres": "km",
    "oz": "oz", "ounce": "oz", "ounces": "oz", "floz": "oz",
    "ml": "ml", "mls": "ml", "milliliter": "ml", "milliliters": "ml", "millilitre": "ml",
    "millilitres": "ml",
    "f": "f", "degf": "f", "degreesf": "f", "fahrenheit": "f",
    "c": "c", "degc": "c", "degreesc": "c", "celsius": "c", "centigrade": "c",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min",
    "sec": "sec", "secs": "sec", "second": "sec", "seconds": "sec", "s": "sec",
    "h": "hr", "hr": "hr", "hrs": "hr", "hour": "hr", "hours": "hr",
}  # fmt: skip


SEVERITY_WORDS: Final[dict[str, int]] = {
    "very mild": 1, "minor": 1, "mild": 2, "low": 2, "light": 2,
    "moderate": 3, "medium": 3, "bad": 4, "strong": 4,
    "severe": 5, "high": 5, "very severe": 5, "extreme": 5,
}  # fmt: skip


def _options(table: dict[T, tuple[str, ...]]) -> dict[str, T]:
    """word → choice, each choice also matching itself."""
    found: dict[str, T] = {name: name for name in table}
    found.update({word: name for name, words in table.items() for word in words})
    return found


WHEN_WORDS: Final[dict[str, When]] = _options({
    "during": ("during run", "in run", "mid run", "midrun", "while running", "running",
               "during the run"),
    "after": ("post", "post run", "postrun", "after run", "after the run", "afterwards",
              "later", "cool down", "cooldown"),
    "night": ("at night", "overnight", "nighttime", "night time", "in bed", "sleep",
              "asleep", "bedtime", "nocturnal"),
})  # fmt: skip
PACE_WORDS: Final[dict[str, Pace]] = _options({
    "easy": ("slow", "recovery", "jog", "gentle"),
    "usual": ("normal", "steady", "regular", "average", "moderate", "same", "usual pace"),
    "faster": ("fast", "faster than usual", "tempo", "hard", "quick", "speed", "intervals",
               "workout", "threshold"),
    "race": ("racing", "race pace", "competition", "meet", "race day"),
})  # fmt: skip
URINE_WORDS: Final[dict[str, Urine]] = _options({
    "light": ("clear", "pale", "pale yellow", "light yellow", "straw", "lighter"),
    "dark": ("dark yellow", "amber", "darker", "deep yellow"),
})  # fmt: skip

# How the Team sheet's Date order may be written, as `choice` sees it (letters and spaces).
DATE_ORDER_WORDS: Final[dict[str, DateOrder]] = {
    "day first": DAY_FIRST, "dd mm": DAY_FIRST, "dd mm yyyy": DAY_FIRST, "dd mm yy": DAY_FIRST,
    "d m y": DAY_FIRST, "dmy": DAY_FIRST, "day month year": DAY_FIRST,
    "month first": MONTH_FIRST, "mm dd": MONTH_FIRST, "mm dd yyyy": MONTH_FIRST,
    "mm dd yy": MONTH_FIRST, "m d y": MONTH_FIRST, "mdy": MONTH_FIRST,
    "month day year": MONTH_FIRST,
}  # fmt: skip
