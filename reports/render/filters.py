"""Template filters: distances, fluids and temperatures in the team's unit; dates; percentages."""

from __future__ import annotations

from datetime import date
from typing import Any

import jinja2

from reports.models import KM_PER_MILE, ML_PER_OZ


def _number(value: float, places: int) -> str:
    """`value` with at most `places` decimals and no trailing zeros."""
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _units(context: Any) -> str:
    """The team's unit from the template context; a missing one is an error, not a guess."""
    units = context.get("units")
    if units not in ("miles", "km"):
        raise jinja2.UndefinedError(
            f"'units' is {units!r} here: the unit filters need it "
            '(import macros "with context" so they see it)'
        )
    return str(units)


@jinja2.pass_context
def distance(context: Any, miles: float | None) -> str:
    """Miles as the team's unit: `10 mi` or `16 km`; one decimal below ten."""
    if miles is None:
        return "—"
    value, unit = (miles * KM_PER_MILE, "km") if _units(context) == "km" else (miles, "mi")
    return f"{_number(value, 0 if abs(value) >= 9.95 else 1)} {unit}"


@jinja2.pass_context
def fluid(context: Any, oz: float | None) -> str:
    """Fluid ounces as the team's unit: `16 oz`, or millilitres to the nearest 5 for km teams."""
    if oz is None:
        return "—"
    if _units(context) == "km":
        return f"{round(oz * ML_PER_OZ / 5) * 5} ml"
    return f"{_number(oz, 0 if oz >= 9.95 else 1)} oz"


@jinja2.pass_context
def temperature(context: Any, fahrenheit: float | None) -> str:
    """°F as `80 °F`, or `27 °C` for km teams."""
    if fahrenheit is None:
        return "—"
    if _units(context) == "km":
        return f"{round((fahrenheit - 32) * 5 / 9)} °C"
    return f"{round(fahrenheit)} °F"


def longdate(day: date) -> str:
    """`November 22, 2026`."""
    return f"{day:%B} {day.day}, {day.year}"


def shortdate(day: date) -> str:
    """`Nov 22`."""
    return f"{day:%b} {day.day}"


def percent(fraction: float | None) -> str:
    """A signed whole percentage, `+12%`, or `—` when unknown."""
    return "—" if fraction is None else f"{fraction:+.0%}".replace("-", "−")
