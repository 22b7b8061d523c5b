"""Reasons to see a doctor: a red flag on a cramp (today), or a routine check-up.

Levels, most urgent first: `urgent` for a red flag on a cramp in the window (see
`reports.redflags`); `act` for frequent cramps, a medicine noted with a cramp, or a
condition known to cause cramps noted with a cramp; `watch` for any other condition noted
with a cramp ("mention your cramps at your next visit"). Every sentence is built twice,
once to the athlete ("Your cramp …") and once about them for the coach ("Ava's cramp …").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reports import evidence as say
from reports import redflags
from reports.case import Case, at_least_one, by_day
from reports.evidence import Voice
from reports.models import Athlete, Incident, Level

NO_WORDS = frozenset({"", "n", "no", "none", "nil", "false", "0", "-", "—", "n/a", "na", "nothing"})
YES_WORDS = frozenset({"y", "yes", "true", "1", "x"})

# Medicines whose link to muscle cramps is well known, with a plain note for the athlete.
MEDICINE_NOTES: tuple[tuple[str, str], ...] = (
    ("statin", "Statins can cause muscle pain and cramps in some people."),
    ("diuretic", "Diuretics (water pills) can lower the sodium and potassium muscles rely on."),
    ("water pill", "Diuretics (water pills) can lower the sodium and potassium muscles rely on."),
)
# Conditions known to cause cramps: with a cramp, a check-up (act), not just a mention.
KNOWN_CAUSES = re.compile(
    r"diabet|thyroid|kidney|renal|liver|hepat|cirrho|pregnan|nerve|neuropath|sciatica"
    r"|radiculopath|multiple sclerosis|parkinson|circulat|vascular|arter|claudication"
    r"|varicose|clot|dvt|thrombo"
)


@dataclass(frozen=True)
class Reasons:
    """See-doctor sentences at one level, to the athlete and about them."""

    level: Level
    to_athlete: tuple[str, ...]
    about: tuple[str, ...]


def noted(text: str | None) -> str | None:
    """None when a note says "no"; "" when it only says "yes"; else the note, quoted."""
    if text is None:
        return None
    flat = text.strip().casefold()
    if flat in NO_WORDS:
        return None
    return "" if flat in YES_WORDS else say.quote(text)


def known_cause(condition: str | None) -> bool:
    """Whether a Condition entry names a condition known to cause cramps."""
    return bool(condition) and KNOWN_CAUSES.search((condition or "").casefold()) is not None


def reasons(case: Case) -> list[Reasons]:
    """Every see-doctor reason for this athlete, most urgent first."""
    found = []
    for level, build in (("urgent", red_flag_sentences), ("act", routine_sentences)):
        to_athlete = build(case, say.SECOND)
        if to_athlete:
            about = build(case, say.third(case.athlete.name))
            found.append(Reasons(level, tuple(to_athlete), tuple(about)))  # type: ignore[arg-type]
    mention = condition_sentences(case, say.SECOND, routine=False)
    if mention:
        about = condition_sentences(case, say.third(case.athlete.name), routine=False)
        found.append(Reasons("watch", tuple(mention), tuple(about)))
    return found


def red_flag_sentences(case: Case, voice: Voice) -> list[str]:
    """One sentence for each cramp in the window with a red flag."""
    limit = case.settings.doctor_lasted_minutes
    return [
        f"{voice.Your} cramp on {say.day(i.day)} {say.join(flags)}."
        for i in case.recent
        if (flags := red_flags(i, limit))
    ]


def red_flags(incident: Incident, lasted_limit: float) -> list[str]:
    """What about one cramp calls for a doctor today, as verb phrases ("lasted 15 minutes")."""
    flags = []
    lasted = incident.lasted_minutes
    if lasted is not None and lasted > lasted_limit:
        flags.append(f"lasted {say.minutes(lasted)}")
    signs = [
        *redflags.muscle_signs(incident.muscle),
        *redflags.signs_in(incident.notes),
        *redflags.signs_in(incident.red_flag),
    ]
    if signs:
        flags.append(f"came with {say.join(list(dict.fromkeys(signs)))}")
    marked = noted(incident.red_flag)
    if (
        marked is not None
        and not redflags.signs_in(incident.red_flag)
        and not redflags.only_denials(incident.red_flag)
    ):
        flags.append(
            f'was marked as a red flag ("{marked}")' if marked else "was marked as a red flag"
        )
    return flags


def routine_sentences(case: Case, voice: Voice) -> list[str]:
    """Reasons for a routine check-up: frequent cramps, a medicine, a known-cause condition."""
    return [
        *frequency_reasons(case, voice),
        *medicine_sentences(case.athlete, case.recent, case.window, voice),
        *condition_sentences(case, voice, routine=True),
    ]


def medicine_sentences(
    athlete: Athlete, recent: Sequence[Incident], window: str, voice: Voice
) -> list[str]:
    """A medicine on record with a cramp in the window, and what is known about it."""
    medicine = noted(athlete.medication)
    if not recent or medicine is None:
        return []
    what = f"a medicine ({medicine})" if medicine else "a medicine"
    sentences = [
        f"{voice.Your} records note {what}, and {voice.you} had"
        f" {say.count(len(recent), 'cramp')} in {window}."
    ]
    lowered = (athlete.medication or "").casefold()
    for word, note in MEDICINE_NOTES:
        if word in lowered and note not in sentences:
            sentences.append(note)
    return sentences


def condition_sentences(case: Case, voice: Voice, *, routine: bool) -> list[str]:
    """A condition on record with a cramp: known causes (routine) or any other (a mention)."""
    condition = noted(case.athlete.condition)
    if not case.recent or condition is None or known_cause(case.athlete.condition) != routine:
        return []
    what = f"a condition ({condition})" if condition else "a condition"
    had = f"{voice.you} had {say.count(len(case.recent), 'cramp')} in {case.window}"
    if routine:
        return [f"{voice.Your} records note {what} that can cause cramps, and {had}."]
    return [
        f"{voice.Your} records note {what}, and {had}:"
        " mention the cramps at the next doctor's visit."
    ]


def frequency_reasons(case: Case, voice: Voice) -> list[str]:
    """Many cramps in the window, or cramps in weeks in a row."""
    recent = case.recent
    if len(recent) >= at_least_one(case.settings.doctor_cramps):
        dates = say.days([i.day for i in recent])
        return [f"{voice.You} had {say.count(len(recent), 'cramp')} in {case.window} ({dates})."]
    weeks, run = streak(case)
    if not run:
        return []
    first, last = say.day(run[0].day), say.day(run[-1].day)
    return [f"{voice.You} had cramps in {weeks} weeks in a row ({first} to {last})."]


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


def notes_to_read(case: Case) -> list[str]:
    """Cramp notes in the window that no rule could place, for the coach to read."""
    found = []
    for incident in case.recent:
        when = say.day(incident.day)
        note = incident.notes
        if note and not redflags.signs_in(note) and not redflags.only_denials(note):
            found.append(f"{when}: “{say.quote(note)}”")
        if not redflags.known_muscle(incident.muscle):
            found.append(f"{when}: a cramp in the “{say.quote(incident.muscle)}”")
    return found
