"""Reasons to see a doctor: frequent cramps, a medicine or condition, a red flag on a cramp.

Coaches type these as free text, so matching is forgiving ("Swollen calf", "numbness")
and skips simple negations ("no swelling", "not numb"), which a coach is likely to write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reports import evidence as say
from reports.case import Case, at_least_one, by_day
from reports.models import Athlete, Incident

NO_WORDS = frozenset({"", "n", "no", "none", "nil", "false", "0", "-", "—", "n/a", "na", "nothing"})
YES_WORDS = frozenset({"y", "yes", "true", "1", "x"})

# Words in Notes or Red flag that mean "see a doctor", with the plain name we print.
RED_FLAG_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bswell|\bswoll"), "swelling"),
    (re.compile(r"\bnumb(?:ness|ed)?\b"), "numbness"),
    (re.compile(r"\btingl|\bpins and needles"), "tingling"),
    (re.compile(r"\bweak(?:ness|ened|er)?\b"), "weakness"),
    (
        re.compile(r"\bcola\b|\bcoke\b|\btea[- ]colou?r|\bbrown urine|\bdark brown urine"),
        "cola-coloured urine",
    ),
)
NEGATION = re.compile(r"\b(?:no|not|without|denies|denied|never|nil)\b(?:(?!\bbut\b)[^.;,!?])*$")
NEGATION_REACH = 30  # characters before a red-flag word searched for a "no"

# Medicines whose link to muscle cramps is well known, with a plain note for the athlete.
MEDICINE_NOTES: tuple[tuple[str, str], ...] = (
    ("statin", "Statins can cause muscle pain and cramps in some people."),
    ("diuretic", "Diuretics (water pills) can lower the salts your muscles rely on."),
    ("water pill", "Diuretics (water pills) can lower the salts your muscles rely on."),
)


def noted(text: str | None) -> str | None:
    """None when a note says "no"; "" when it only says "yes"; else the note, quoted."""
    if text is None:
        return None
    flat = text.strip().casefold()
    if flat in NO_WORDS:
        return None
    return "" if flat in YES_WORDS else say.quote(text)


def medical_notes(athlete: Athlete, recent: Sequence[Incident], window: str) -> list[str]:
    """See-doctor's reason when a medicine or condition is on record with a recent cramp."""
    medicine, condition = noted(athlete.medication), noted(athlete.condition)
    if not recent or (medicine is None and condition is None):
        return []
    things = []
    if medicine is not None:
        things.append(f"a medicine ({medicine})" if medicine else "a medicine")
    if condition is not None:
        things.append(f"a condition ({condition})" if condition else "a condition")
    sentences = [
        f"Your records note {say.join(things)}, and you had"
        f" {say.count(len(recent), 'cramp')} in {window}."
    ]
    lowered = (athlete.medication or "").casefold()
    for word, note in MEDICINE_NOTES:
        if word in lowered and note not in sentences:
            sentences.append(note)
    return sentences


def red_flag_sentences(recent: Sequence[Incident], lasted_limit: float) -> list[str]:
    """One sentence for each recent cramp with a red flag: too long, or a worrying sign."""
    sentences = []
    for incident in recent:
        flags = red_flags(incident, lasted_limit)
        if flags:
            sentences.append(f"Your cramp on {say.day(incident.day)} {say.join(flags)}.")
    return sentences


def red_flags(incident: Incident, lasted_limit: float) -> list[str]:
    """What about one cramp calls for a doctor, as verb phrases ("lasted 15 minutes")."""
    flags = []
    lasted = incident.lasted_minutes
    if lasted is not None and lasted > lasted_limit:
        flags.append(f"lasted {say.minutes(lasted)}")
    signs = mentions(incident.notes) + mentions(incident.red_flag)
    if signs:
        flags.append(f"came with {say.join(list(dict.fromkeys(signs)))}")
    marked = noted(incident.red_flag)
    if marked is not None and not mentions(incident.red_flag):
        flags.append(
            f'was marked as a red flag ("{marked}")' if marked else "was marked as a red flag"
        )
    return flags


def mentions(text: str | None) -> list[str]:
    """The red-flag signs a note mentions without negating them, in RED_FLAG_WORDS order."""
    if not text:
        return []
    lowered = text.casefold()
    found = []
    for pattern, name in RED_FLAG_WORDS:
        for match in pattern.finditer(lowered):
            before = lowered[max(0, match.start() - NEGATION_REACH) : match.start()]
            if not NEGATION.search(before):
                found.append(name)
                break
    return found


def frequency_reasons(case: Case) -> list[str]:
    """See-doctor's frequency reasons: many cramps in the window, or weeks in a row."""
    recent = case.recent
    if len(recent) >= at_least_one(case.settings.doctor_cramps):
        dates = say.days([i.day for i in recent])
        return [f"You had {say.count(len(recent), 'cramp')} in {case.window} ({dates})."]
    weeks, run = streak(case)
    if not run:
        return []
    first, last = say.day(run[0].day), say.day(run[-1].day)
    return [f"You had cramps in {weeks} weeks in a row ({first} to {last})."]


def streak(case: Case) -> tuple[int, list[Incident]]:
    """The newest run of `doctor_consecutive_weeks` or more weeks with cramps, and its cramps.

    Weeks here are 7-day blocks counted back from the report date (block 0 is its last 7
    days), not calendar weeks, so "3 weeks in a row" always spans whole 7-day blocks and
    matches the window's definition. The run's newest block must lie in the window; its
    older blocks may reach before it.
    """
    need = at_least_one(case.settings.doctor_consecutive_weeks)
    dated = [i for i in case.athlete.incidents if i.day <= case.report_date]
    blocks = {(case.report_date - i.day).days // 7 for i in dated}
    if need > len(blocks):
        return 0, []
    last_in_window = (at_least_one(case.settings.window_days) - 1) // 7
    for newest in range(min(last_in_window, max(blocks)) + 1):
        if set(range(newest, newest + need)) <= blocks:
            oldest = newest + need - 1
            while oldest + 1 in blocks:
                oldest += 1
            run = [i for i in dated if newest <= (case.report_date - i.day).days // 7 <= oldest]
            return oldest - newest + 1, sorted(run, key=by_day)
    return 0, []
