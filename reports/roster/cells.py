"""Cell values a coach typed, turned into internal units or a plain-words complaint.

Every parser takes the raw value openpyxl gives (str, int, float, bool, datetime, None …)
and returns the value in internal units (miles, US fl oz, °F, minutes), or None for an
empty cell. A value that cannot be understood raises `Unreadable`, whose message is the
part of a warning after `Sheet!Cell: ` ("what is wrong — how to fix it").
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from reports.models import KM_PER_MILE, ML_PER_OZ, Pace, Units, Urine, When
from reports.roster.dates import MONTH_FIRST, DateOrder, text_date, written
from reports.roster.words import (
    DATE_ORDER_WORDS,
    EXCEL_ERRORS,
    NO,
    PACE_WORDS,
    SEVERITY_WORDS,
    UNIT_WORDS,
    URINE_WORDS,
    WHEN_WORDS,
    YES,
)

T = TypeVar("T", bound=str)

MIN_SERIAL, MAX_SERIAL = 36526, 73050  # Excel day numbers of 2000-01-01 and 2099-12-31
EXCEL_EPOCH = date(1899, 12, 30)

_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-z°. ]*)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"^([+-]?\d+),(\d{1,2})(?=\s*[a-z°]*$)")
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_NAMED_EMAIL = re.compile(r"^[^<>]*<([^<>]+)>$")
# Invisible characters no roster text needs: C0 and C1 controls, and the format characters
# (text-direction overrides, isolates and marks, zero-width spaces, BOM, soft hyphen) that
# can reorder what a reader sees or make two different names look the same. Zero-width
# joiners (U+200C, U+200D) stay: some scripts and emoji need them.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xad\u061c\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class Unreadable(ValueError):
    """A cell that cannot be understood; the message says what is wrong and how to fix it."""


def show(value: object, limit: int = 40) -> str:
    """A cell value quoted for a one-line message, control characters blanked."""
    if isinstance(value, datetime) and value.time() == time():
        value = value.date()
    text = value.isoformat() if isinstance(value, date | time) else str(value)
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'


def text(value: object) -> str | None:
    """Trimmed text, inner whitespace collapsed, invisible characters dropped; None if empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    result = " ".join(_INVISIBLE.sub("", str(value)).split())
    return result or None


def has_invisible(value: object) -> bool:
    """True for text holding control or text-direction characters that `text` removes."""
    return isinstance(value, str) and _INVISIBLE.search(value) is not None


def is_blank(value: object) -> bool:
    """True for an empty cell or one holding only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def unit_of(word: str | None) -> str | None:
    """The canonical unit a word names (`Km` → km, `°C` → c), or None."""
    if not word:
        return None
    key = re.sub(r"[^a-z]", "", word.casefold().replace("°", "deg"))
    return UNIT_WORDS.get(key) or UNIT_WORDS.get(key.removeprefix("deg"))


def _check_error(value: object) -> None:
    """Complain about a formula that shows an Excel error instead of a value."""
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        raise Unreadable(
            f"the formula shows the error {value.strip()} — fix the formula or type the value"
        )


def number(value: object, what: str, hint: str) -> tuple[float, str | None] | None:
    """A finite number and the unit written after it (`12 km` → (12.0, "km")), or None."""
    if is_blank(value):
        return None
    _check_error(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise Unreadable(f"{show(value)} is not {what} — {hint}")
        return float(value), None
    if isinstance(value, str):
        raw = value.strip().casefold()
        if _THOUSANDS.match(raw):
            raw = raw.replace(",", "")
        raw = _DECIMAL_COMMA.sub(r"\1.\2", raw)
        found = _NUMBER.match(raw)
        if found:
            suffix = found.group(2).strip(". ")
            unit = unit_of(suffix) if suffix else None
            if suffix and unit is None:
                raise Unreadable(f"{show(value)} is not {what} — {hint}")
            return float(found.group(1)), unit
    raise Unreadable(f"{show(value)} is not {what} — {hint}")


def distance(value: object, unit: str) -> float | None:
    """A distance in miles from a cell counted in `unit` ("miles" or "km")."""
    example = "e.g. 12" if unit == "miles" else "e.g. 20"
    hint = f"type a number of {unit}, {example}"
    parsed = number(value, "a distance", hint)
    if parsed is None:
        return None
    amount, written = parsed
    written = written or unit
    if written not in {"miles", "km"}:
        raise Unreadable(f"{show(value)} is not a distance — {hint}")
    if amount < 0:
        raise Unreadable(
            f"{show(value)} is a negative distance — type the {unit} run (0 for a rest week), "
            "or leave it empty if not logged"
        )
    return amount / KM_PER_MILE if written == "km" else amount


def fluid(value: object, unit: str) -> float | None:
    """An amount of fluid in US fl oz from a cell counted in `unit` ("oz" or "ml")."""
    hint = "type ounces, e.g. 16" if unit == "oz" else "type millilitres, e.g. 500"
    parsed = number(value, "an amount of fluid", hint)
    if parsed is None:
        return None
    amount, written = parsed
    written = written or unit
    if written not in {"oz", "ml"} or amount < 0:
        raise Unreadable(f"{show(value)} is not an amount of fluid — {hint}")
    return amount / ML_PER_OZ if written == "ml" else amount


def temperature(value: object, unit: str) -> float | None:
    """A temperature in °F from a cell counted in `unit` ("f" or "c")."""
    hint = "type degrees Fahrenheit, e.g. 75" if unit == "f" else "type degrees Celsius, e.g. 24"
    parsed = number(value, "a temperature", hint)
    if parsed is None:
        return None
    amount, written = parsed
    written = written or unit
    if written not in {"f", "c"}:
        raise Unreadable(f"{show(value)} is not a temperature — {hint}")
    fahrenheit = amount * 9 / 5 + 32 if written == "c" else amount
    if not -60 <= fahrenheit <= 140:
        raise Unreadable(f"{show(value)} is not a plausible air temperature — {hint}")
    return fahrenheit


def minutes(value: object, unit: str = "min") -> float | None:
    """A duration in minutes; a time cell such as 1:20 counts as 1 hour 20 minutes."""
    if isinstance(value, time):
        return value.hour * 60 + value.minute + value.second / 60
    if isinstance(value, timedelta):
        return value.total_seconds() / 60
    hint = "type a number of minutes, e.g. 45"
    parsed = number(value, "a number of minutes", hint)
    if parsed is None:
        return None
    amount, written = parsed
    written = written or unit
    if written not in {"min", "sec", "hr"} or amount < 0:
        raise Unreadable(f"{show(value)} is not a number of minutes — {hint}")
    return {"min": amount, "sec": amount / 60, "hr": amount * 60}[written]


def count(value: object) -> int | None:
    """A whole number of runs, or None."""
    hint = "type how many runs, e.g. 5"
    parsed = number(value, "a number of runs", hint)
    if parsed is None:
        return None
    amount, written = parsed
    if written is not None or amount < 0 or not amount.is_integer():
        raise Unreadable(f"{show(value)} is not a number of runs — {hint}")
    return int(amount)


def yes_no(value: object) -> bool | None:
    """Y/yes/true/x/1 → True, N/no/false/0 → False, empty → None (not recorded)."""
    if is_blank(value):
        return None
    _check_error(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().casefold().rstrip(".")
    if word in YES:
        return True
    if word in NO:
        return False
    raise Unreadable(f"{show(value)} is not Y or N — type Y or N, or leave it empty")


def yes_or_text(value: object) -> str | None:
    """Y → "yes", N or empty → None, any other text kept as typed (e.g. "statin")."""
    if is_blank(value):
        return None
    _check_error(value)
    try:
        flag = yes_no(value)
    except Unreadable:
        return text(value)
    return "yes" if flag else None


def choice(value: object, options: dict[str, T], what: str) -> T | None:
    """One of a fixed set of words (any case, stray spaces), through its aliases."""
    if is_blank(value):
        return None
    _check_error(value)
    key = " ".join(re.sub(r"[^a-z ]", " ", str(value).casefold()).split())
    if key in options:
        return options[key]
    listed = " / ".join(dict.fromkeys(options.values()))
    raise Unreadable(f"{show(value)} is not a {what} — type one of {listed}")


def severity(value: object) -> int | None:
    """Severity 1–5; words map mild → 2, moderate → 3, severe → 5."""
    if is_blank(value):
        return None
    _check_error(value)
    hint = "type 1 (barely) to 5 (worst), or mild / moderate / severe"
    if isinstance(value, str):
        key = " ".join(value.casefold().replace("-", " ").split())
        if key in SEVERITY_WORDS:
            return SEVERITY_WORDS[key]
    try:
        parsed = number(value, "a severity", hint)
    except Unreadable:
        parsed = None
    if parsed is not None and parsed[1] is None and parsed[0] in (1, 2, 3, 4, 5):
        return int(parsed[0])
    raise Unreadable(f"{show(value)} is not a severity — {hint}")


def serial_date(value: float) -> date | None:
    """An Excel day number (a date cell that lost its format), if it is plausibly one."""
    if MIN_SERIAL <= value <= MAX_SERIAL and float(value).is_integer():
        return EXCEL_EPOCH + timedelta(days=int(value))
    return None


def day(value: object, order: DateOrder = MONTH_FIRST) -> date | None:
    """A date from a date cell, an Excel day number, or text (numbers read in `order`)."""
    if is_blank(value):
        return None
    _check_error(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    found: date | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        found = serial_date(value)
    elif isinstance(value, str):
        found = text_date(value, order)
    if found is None:
        example = written(date(2026, 11, 16), order)
        raise Unreadable(f"{show(value)} is not a date — type a date like {example} or 2026-11-16")
    return found


def date_order(value: object) -> DateOrder | None:
    """How a team writes dates as text: day first (DD/MM) or month first (MM/DD)."""
    return choice(value, DATE_ORDER_WORDS, "date order")


def email(value: object) -> str | None:
    """One email address (`Name <addr>` gives addr); None for an empty cell."""
    if is_blank(value):
        return None
    hint = "type one address like name@example.org"
    raw = str(value).strip()
    if "\n" in raw or "\r" in raw or _CONTROL.search(raw):
        raise Unreadable(f"holds more than one line — {hint}, on a single line")
    named = _NAMED_EMAIL.match(raw)
    address = named.group(1).strip() if named else raw
    address = address.removeprefix("mailto:")
    if len(address) > 254 or not _EMAIL.match(address) or ".." in address:
        raise Unreadable(f"{show(raw)} is not an email address — {hint}")
    return address


def muscle(value: object) -> str:
    """The muscle that cramped, lower case; any mention of the calf is "calf" (the default)."""
    name = (text(value) or "calf").casefold()
    return "calf" if "calf" in name or "calves" in name else name


def units(value: object) -> Units | None:
    """A team's distance unit: "miles" or "km"."""
    if is_blank(value):
        return None
    unit = unit_of(str(value))
    if unit == "miles":
        return "miles"
    if unit == "km":
        return "km"
    raise Unreadable(f"{show(value)} is not a distance unit — type miles or km")


def when(value: object) -> When | None:
    """When a cramp came: during / after / night."""
    return choice(value, WHEN_WORDS, "time of cramp")


def pace(value: object) -> Pace | None:
    """How fast the run was: easy / usual / faster / race."""
    return choice(value, PACE_WORDS, "pace")


def urine(value: object) -> Urine | None:
    """Urine colour that day: light / dark."""
    return choice(value, URINE_WORDS, "urine colour")
