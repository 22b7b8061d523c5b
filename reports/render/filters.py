"""Template filters: distances, fluids and temperatures in the team's unit; dates; percentages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import jinja2

from reports.chart import WeekSlot, chart_description, distance_number, plain_number
from reports.models import ML_PER_OZ, Units


def _units(context: Any) -> Units:
    """The team's unit from the template context; a missing one is an error, not a guess."""
    units = context.get("units")
    if units not in ("miles", "km"):
        raise jinja2.UndefinedError(
            f"'units' is {units!r} here: the unit filters need it "
            '(import macros "with context" so they see it)'
        )
    return "km" if units == "km" else "miles"


@jinja2.pass_context
def distance(context: Any, miles: float | None) -> str:
    """Miles as the team's unit: `10 mi` or `16 km`; one decimal below ten."""
    if miles is None:
        return "—"
    units = _units(context)
    return f"{distance_number(miles, units)} {'km' if units == 'km' else 'mi'}"


@jinja2.pass_context
def chart_alt(context: Any, weeks: Sequence[WeekSlot]) -> str:
    """The weekly chart in words and numbers, in the team's unit: the chart's alt text."""
    return chart_description(weeks, _units(context))


@jinja2.pass_context
def fluid(context: Any, oz: float | None) -> str:
    """Fluid ounces as the team's unit: `16 oz`, or millilitres to the nearest 5 for km teams."""
    if oz is None:
        return "—"
    if _units(context) == "km":
        return f"{round(oz * ML_PER_OZ / 5) * 5} ml"
    return f"{plain_number(oz, 0 if oz >= 9.95 else 1)} oz"


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
