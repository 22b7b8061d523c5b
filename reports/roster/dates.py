"""Dates typed as text: reading them in a day-first or month-first order, and deciding which.

`05/11/2026` is 5 November to most of the world and May 11 in the US. A workbook's order
is the Team sheet's `Date order` when given; else the order its unambiguous text dates
show (`28/09/2026` can only be day first); else month first for a miles team and day
first for a km team. ISO (`2026-11-05`) and month names (`5 Nov 2026`) are never in doubt.
Everything here is pure: text in, dates and decisions out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, Literal

DateOrder = Literal["day first", "month first"]
Reason = Literal["told", "shown", "assumed", "unneeded"]

DAY_FIRST: Final[DateOrder] = "day first"
MONTH_FIRST: Final[DateOrder] = "month first"

_ISO = re.compile(r"(?<!\d)(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?!\d)")
# Day and month in either order, then a two- or four-digit year, one separator throughout.
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[/.-]\d)")
_MONTH_FORMATS = ("%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y")
_DATE_PREFIX = re.compile(
    r"^(?:week\s*(?:of|starting|start|beginning|commencing)?|wk|w/c|starting|beginning)[\s:]*",
    re.IGNORECASE,
)


def default_order(units: str | None) -> DateOrder:
    """The order assumed when nothing in the workbook says: day first for km, else month first."""
    return DAY_FIRST if units == "km" else MONTH_FIRST


def _calendar(year: int, month: int, day: int) -> date | None:
    """A calendar date (a two-digit year is in this century), or None if there is none."""
    try:
        return date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class Numeric:
    """A date written as three numbers with the year last, the first two as written."""

    first: int
    second: int
    year: int

    def in_order(self, order: DateOrder) -> date | None:
        """The date these numbers make when read in `order`, or None."""
        if order == DAY_FIRST:
            return _calendar(self.year, self.second, self.first)
        return _calendar(self.year, self.first, self.second)

    @property
    def fits(self) -> tuple[DateOrder, ...]:
        """The orders that make a calendar date of these numbers."""
        return tuple(o for o in (DAY_FIRST, MONTH_FIRST) if self.in_order(o) is not None)

    @property
    def shows(self) -> DateOrder | None:
        """The one order these numbers can be read in (`28/09/2026`: day first), if only one."""
        return self.fits[0] if len(self.fits) == 1 else None

    @property
    def ambiguous(self) -> bool:
        """Both orders make a date, and not the same one (`05/11/2026`, but not `05/05/2026`)."""
        return len(self.fits) == 2 and self.first != self.second

    def read(self, order: DateOrder) -> date | None:
        """The date in `order`, or in the only order that makes a date at all."""
        return self.in_order(order) or next((self.in_order(o) for o in self.fits), None)


def numeric_date(text: str) -> Numeric | None:
    """The day/month/year numbers of a date written like `05/11/2026`, `5.11.26` or `05-11-2026`."""
    if _ISO.search(text):
        return None
    found = _NUMERIC.search(text)
    if found is None:
        return None
    return Numeric(int(found.group(1)), int(found.group(3)), int(found.group(4)))


def text_date(text: str, order: DateOrder = MONTH_FIRST) -> date | None:
    """A date written anywhere in text: ISO always; numbers in `order`; or with a month name."""
    iso = _ISO.search(text)
    if iso:
        return _calendar(int(iso.group(1)), int(iso.group(3)), int(iso.group(4)))
    numeric = numeric_date(text)
    if numeric is not None:
        return numeric.read(order)
    words = _DATE_PREFIX.sub("", text.strip()).replace(",", " ").replace(".", " ")
    words = " ".join(words.split()).replace("Sept ", "Sep ").replace("sept ", "sep ")
    for fmt in _MONTH_FORMATS:
        try:
            return datetime.strptime(words, fmt).date()
        except ValueError:
            continue
    return None


def written(day: date, order: DateOrder) -> str:
    """A date as a coach using `order` writes it: 22/11/2026 or 11/22/2026."""
    first, second = (day.day, day.month) if order == DAY_FIRST else (day.month, day.day)
    return f"{first}/{second}/{day.year}"


def spelled(day: date) -> str:
    """A date no reader can take the wrong way: 5 November 2026."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Place:
    """A cell of the workbook and the text typed in it."""

    sheet: str
    cell: str
    text: str

    @property
    def location(self) -> str:
        """`Sheet!Cell`."""
        return f"{self.sheet}!{self.cell}"


@dataclass
class TextDates:
    """The order text dates are read in while a workbook is read, and every one seen."""

    order: DateOrder = MONTH_FIRST
    seen: list[Place] = field(default_factory=list)

    def saw(self, sheet: str, cell: str, text: str) -> None:
        """Remember a date typed as day/month numbers (ISO and month names need no order)."""
        if numeric_date(text) is not None:
            self.seen.append(Place(sheet, cell, text))


@dataclass(frozen=True)
class OrderDecision:
    """The order a workbook's text dates are read in, why, and the text dates that disagree."""

    order: DateOrder
    reason: Reason
    where: Place | None = None  # the cell that says or shows the order, or the one assumed for
    misfits: tuple[Place, ...] = ()

    @property
    def rereads(self) -> bool:
        """True when a text date read month first would read differently in this order."""
        return self.order != MONTH_FIRST and self.reason != "unneeded"


def _shows(place: Place) -> DateOrder | None:
    """The order a text date can only be read in, if one."""
    numeric = numeric_date(place.text)
    return numeric.shows if numeric else None


def _ambiguous(place: Place) -> bool:
    """A text date that reads as two different days."""
    numeric = numeric_date(place.text)
    return numeric is not None and numeric.ambiguous


def decide_order(
    seen: Sequence[Place],
    units: str | None = None,
    told: DateOrder | None = None,
    told_at: Place | None = None,
) -> OrderDecision:
    """The order for a workbook: `told` (the Team sheet's Date order, typed at `told_at`),
    else the one most of its unambiguous text dates show (a tie goes to the unit's usual
    order), else the unit's usual order, assumed only when some text date is ambiguous."""
    if told is not None:
        return OrderDecision(told, "told", told_at, _misfits(seen, told))
    votes = Counter(shown for shown in map(_shows, seen) if shown is not None)
    if votes:
        usual = default_order(units)
        order = max(votes, key=lambda o: (votes[o], o == usual))
        where = next(p for p in seen if _shows(p) == order)
        return OrderDecision(order, "shown", where, _misfits(seen, order))
    ambiguous = next((p for p in seen if _ambiguous(p)), None)
    if ambiguous is not None:
        return OrderDecision(default_order(units), "assumed", ambiguous)
    return OrderDecision(default_order(units), "unneeded")


def _misfits(seen: Sequence[Place], order: DateOrder) -> tuple[Place, ...]:
    """The text dates that can only be read in the other order."""
    return tuple(p for p in seen if _shows(p) not in (None, order))


def explain(decision: OrderDecision, units: str | None) -> str:
    """Why the order was chosen, in the words of a note or warning at `decision.where`."""
    order = decision.order
    where = decision.where
    if decision.reason == "told":
        return f"dates typed as text are read {order}, as this Date order says"
    if decision.reason == "shown" and where is not None:
        return f'dates typed as text are read {order}, as "{where.text}" in this cell shows'
    if decision.reason == "assumed" and where is not None:
        numeric = numeric_date(where.text)
        assert numeric is not None
        day, other = numeric.in_order(order), numeric.in_order(_other(order))
        assert day is not None and other is not None
        team = "a km team" if units == "km" else "a miles team"
        return (
            f'"{where.text}" could be {spelled(day)} or {spelled(other)}, and no date in the '
            f"workbook settles it — dates typed as text were read {order}, as usual for {team}; "
            "set Date order on the Team sheet (day first or month first) to be sure"
        )
    return f"dates typed as text are read {order}"


def misfit_message(place: Place, decision: OrderDecision) -> str:
    """The warning for a text date that can only be read in the other order."""
    numeric = numeric_date(place.text)
    assert numeric is not None
    day = numeric.read(decision.order)
    assert day is not None
    if decision.reason == "told":
        why = "the Team sheet's Date order says"
    elif decision.where is not None:
        why = f'{decision.where.location} "{decision.where.text}" shows'
    else:
        why = "most of its dates show"
    return (
        f'"{place.text}" can only be read {_other(decision.order)}, but this workbook\'s dates '
        f"are read {decision.order}, as {why} — it was read as {spelled(day)}; check it and "
        "type every date the same way"
    )


def _other(order: DateOrder) -> DateOrder:
    """Day first for month first and back."""
    return MONTH_FIRST if order == DAY_FIRST else DAY_FIRST
