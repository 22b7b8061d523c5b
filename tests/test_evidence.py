"""Evidence wording: dates, lists, amounts and counts read the same on every sheet."""

from __future__ import annotations

import math
from datetime import date

import pytest

from reports import evidence as say
from reports.models import KM_PER_MILE, ML_PER_OZ

from conftest import make_incident


@pytest.mark.parametrize(
    ("dates", "text"),
    [
        ([date(2026, 11, 15)], "Nov 15"),
        ([date(2026, 11, 15), date(2026, 11, 8)], "Nov 8 and Nov 15"),
        ([date(2026, 11, 15), date(2026, 11, 15)], "Nov 15"),
        ([date(2026, 1, d) for d in (1, 2, 3)], "Jan 1, Jan 2 and Jan 3"),
        ([date(2026, 1, d) for d in range(1, 7)], "Jan 1, Jan 2, Jan 3, Jan 4 and 2 other days"),
    ],
)
def test_dates_are_listed_in_order_once_each_and_capped(dates: list[date], text: str) -> None:
    """A list of cramp days stays short and readable."""
    assert say.days(dates) == text


@pytest.mark.parametrize(
    ("miles", "units", "text"),
    [
        (10, "miles", "10 mi"),
        (9.94, "miles", "9.9 mi"),
        (26.2, "miles", "26 mi"),
        (16 / KM_PER_MILE, "km", "16 km"),
        (3.1, "km", "5 km"),
        (2, "km", "3.2 km"),
    ],
)
def test_distances_match_the_sheets_distance_filter(miles: float, units: str, text: str) -> None:
    """One decimal below ten, whole numbers from ten up, in the team's unit."""
    assert say.distance(miles, units) == text


@pytest.mark.parametrize(
    ("oz", "units", "text"),
    [(16, "miles", "16 oz"), (8.5, "miles", "8.5 oz"), (16, "km", "475 ml"),
     (250 / ML_PER_OZ, "km", "250 ml")],
)  # fmt: skip
def test_fluids_show_ounces_or_millilitres_to_the_nearest_five(
    oz: float, units: str, text: str
) -> None:
    """Fluids read as oz for miles teams and ml for km teams."""
    assert say.fluid(oz, units) == text


def test_temperatures_show_fahrenheit_or_celsius_in_whole_degrees() -> None:
    """80 °F is shown as 27 °C to a km team."""
    assert (say.temperature(80, "miles"), say.temperature(80, "km")) == ("80 °F", "27 °C")


@pytest.mark.parametrize(
    ("value", "threshold", "places", "text"),
    [(1.6, 1.1, 1, "1.6"), (1.104, 1.1, 1, "1.104"), (30.4, 30, 0, "30.4"), (31, 30, 0, "31")],
)
def test_a_figure_above_its_threshold_never_reads_as_equal_to_it(
    value: float, threshold: float, places: int, text: str
) -> None:
    """1.104 is not shown as 1.1 when the rule says "more than 1.1 times"."""
    assert say.above(value, threshold, places) == text


@pytest.mark.parametrize("value", [math.inf, math.nan, 1e300])
def test_formatting_never_raises_on_extreme_numbers(value: float) -> None:
    """Absurd workbook values still give a sentence, never a crash."""
    for units in ("miles", "km"):
        assert say.distance(value, units) and say.fluid(value, units)
        assert say.temperature(value, units) and say.above(value, 1.1)


@pytest.mark.parametrize(
    ("hits", "total", "text"),
    [
        (1, 3, "Your cramp on Nov 19"),
        (2, 2, "Both of your cramps in the last 4 weeks (Nov 13 and Nov 19)"),
        (3, 3, "All 3 of your cramps in the last 4 weeks (Nov 7, Nov 13 and Nov 19)"),
        (2, 3, "2 of your 3 cramps in the last 4 weeks (Nov 13 and Nov 19)"),
    ],
)
def test_pattern_subject_counts_cramps_in_plain_words(hits: int, total: int, text: str) -> None:
    """ "2 of your 3 cramps in the last 4 weeks" and its singular and all-of forms."""
    incidents = [make_incident(3 + 6 * i) for i in range(hits)]
    assert say.subject(incidents, total, say.span(28)) == text


def test_window_wording_uses_weeks_for_whole_weeks_and_days_otherwise() -> None:
    """28 days read as 4 weeks; 10 days stay 10 days."""
    assert (say.span(28), say.span(10), say.span(1)) == (
        "the last 4 weeks",
        "the last 10 days",
        "the last day",
    )


def test_workbook_text_is_flattened_and_cut_short() -> None:
    """A long multi-line note never floods a sentence."""
    text = say.quote("statin\n\n" + "x" * 100)
    assert "\n" not in text and len(text) == say.QUOTE_CHARS and text.endswith("…")
