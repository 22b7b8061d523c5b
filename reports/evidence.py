"""Plain-words pieces of evidence sentences: dates, counts and amounts in the team's unit.

Amounts are formatted the way the sheet's template filters show them, so a number reads
the same in a finding as in the table beside it: distances to one decimal below 10 and
whole from 10 up, fluids in oz (millilitres to the nearest 5 for km teams), temperatures
in whole degrees (°F for miles teams, °C for km teams).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reports.models import KM_PER_MILE, ML_PER_OZ, Incident

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_DATES = 4  # more dates than this read as a wall of text; the rest become "N more"
QUOTE_CHARS = 40  # workbook text echoed in a sentence is cut to this length


def day(d: date) -> str:
    """`Nov 15`, the same in every locale."""
    return f"{MONTHS[d.month - 1]} {d.day}"


def days(dates: Sequence[date]) -> str:
    """`Nov 8 and Nov 15`: distinct days in order, at most MAX_DATES named."""
    unique = [day(d) for d in sorted(set(dates))]
    if len(unique) > MAX_DATES:
        rest = len(unique) - MAX_DATES
        unique = [*unique[:MAX_DATES], f"{rest} other day{'s' if rest > 1 else ''}"]
    return join(unique)


def join(items: Sequence[str], word: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def number(value: float, places: int) -> str:
    """`value` with at most `places` decimals and no trailing zeros."""
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def distance(miles: float, units: str) -> str:
    """`10 mi` or `16 km`: one decimal below ten, whole numbers from ten up."""
    value, unit = (miles * KM_PER_MILE, "km") if units == "km" else (miles, "mi")
    return f"{number(value, 0 if abs(value) >= 9.95 else 1)} {unit}"


def fluid(oz: float, units: str) -> str:
    """`16 oz`, or `475 ml` (nearest 5 ml) for km teams."""
    if units == "km":
        ml = oz * ML_PER_OZ
        return f"{number(5 * round(ml / 5) if math.isfinite(ml) else ml, 0)} ml"
    return f"{number(oz, 0 if abs(oz) >= 9.95 else 1)} oz"


def fluid_range(low_oz: float, high_oz: float, units: str) -> str:
    """`16–24 oz`, or `475–710 ml` for km teams."""
    low, high = fluid(low_oz, units).split(" "), fluid(high_oz, units).split(" ")
    return f"{low[0]}–{high[0]} {high[1]}"


def temperature(fahrenheit: float, units: str) -> str:
    """`84 °F`, or `29 °C` for km teams."""
    if units == "km":
        return f"{number((fahrenheit - 32) * 5 / 9, 0)} °C"
    return f"{number(fahrenheit, 0)} °F"


def minutes(value: float) -> str:
    """`80 minutes`, `1 minute`, `7.5 minutes`."""
    text = number(value, 1)
    return f"{text} minute{'' if text == '1' else 's'}"


def above(value: float, threshold: float, places: int = 1) -> str:
    """`value` with enough decimals to show it is above `threshold` (1.104 over 1.1)."""
    text = number(value, places)
    for extra in range(1, 3):
        if not math.isfinite(value) or float(text) > threshold:
            break
        text = number(value, places + extra)
    return text


def span(window_days: int) -> str:
    """`the last 4 weeks` for whole weeks, else `the last 10 days`."""
    if window_days % 7 == 0 and window_days >= 14:
        return f"the last {window_days // 7} weeks"
    return "the last day" if window_days == 1 else f"the last {window_days} days"


def count(n: int, noun: str) -> str:
    """`1 cramp`, `3 cramps`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def subject(hits: Sequence[Incident], total: int, window: str) -> str:
    """Who a pattern sentence is about: `Your cramp on Nov 15`, `2 of your 3 cramps in …`."""
    if len(hits) == 1:
        return f"Your cramp on {day(hits[0].day)}"
    dates = days([i.day for i in hits])
    if len(hits) >= total:
        lead = "Both" if total == 2 else f"All {total}"
        return f"{lead} of your cramps in {window} ({dates})"
    return f"{len(hits)} of your {total} cramps in {window} ({dates})"


def lower_first(text: str) -> str:
    """`Your cramp` → `your cramp`, to continue a sentence."""
    return text[:1].lower() + text[1:]


def quote(text: str) -> str:
    """Workbook text on one line, cut to QUOTE_CHARS with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE_CHARS else flat[: QUOTE_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class Voice:
    """Who a sentence speaks to: the athlete ("you", "your") or the coach about them."""

    you: str
    your: str

    @property
    def You(self) -> str:  # capitalised: it reads as the word that starts a sentence
        """`You` or the athlete's first name, to start a sentence."""
        return self.you[:1].upper() + self.you[1:]

    @property
    def Your(self) -> str:
        """`Your` or `Ava's`, to start a sentence."""
        return self.your[:1].upper() + self.your[1:]


SECOND = Voice("you", "your")


def third(name: str) -> Voice:
    """The coach's voice about an athlete, by first name: `Ava had`, `Ava's cramp`."""
    first = name.split()[0] if name.split() else name
    return Voice(first, f"{first}'s")
