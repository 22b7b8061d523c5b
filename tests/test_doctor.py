"""See-doctor: a red flag is urgent, frequent cramps or a medicine a check-up, a condition a mention."""

from __future__ import annotations

from typing import Any

import pytest

from reports.doctor import known_cause, noted, red_flags
from reports.models import Athlete
from reports.rules import assess, evaluate
from reports.settings import RuleSettings

from conftest import TODAY, make_athlete, make_incident

RULES = RuleSettings()


def doctor(athlete: Athlete) -> tuple[str, str, str] | None:
    """(level, evidence, evidence for the coach) of the see-doctor finding, or None."""
    found = [f for f in evaluate(athlete, RULES, TODAY) if f.rule == "see-doctor"]
    return (found[0].level, found[0].evidence, found[0].about) if found else None


@pytest.mark.parametrize(
    ("fields", "flags"),
    [
        ({"lasted_minutes": 12}, ["lasted 12 minutes"]),
        ({"lasted_minutes": 10}, []),
        ({"red_flag": "Y"}, ["was marked as a red flag"]),
        ({"red_flag": "N"}, []),
        ({"red_flag": "no swelling"}, []),
        ({"red_flag": "felt off"}, ['was marked as a red flag ("felt off")']),
        ({"red_flag": "chest tight"}, ["came with cramp or pain in the chest"]),
        ({"red_flag": "numb", "notes": "swollen"}, ["came with swelling and numbness"]),
        ({"muscle": "chest"}, ["came with cramp or pain in the chest"]),
        ({"notes": "no swelling"}, []),
    ],
)
def test_red_flags_of_one_cramp_read_as_plain_phrases(
    fields: dict[str, object], flags: list[str]
) -> None:
    """Lasting too long, a marked red flag, or a sign in the notes, Red flag or Muscle column."""
    assert red_flags(make_incident(3, **fields), 10) == flags


@pytest.mark.parametrize(
    "fields",
    [
        {"lasted_minutes": 11},
        {"red_flag": "Y"},
        {"notes": "no water on the run; calf swelled later"},
        {"notes": "Dark brown urine that night"},
        {"notes": "calf hot and red"},
        {"notes": "couldn't bear weight"},
        {"muscle": "chest"},
        {"notes": "cramp then pain in the left arm"},
    ],
)
def test_every_red_flag_is_urgent_and_makes_the_risk_urgent(fields: dict[str, Any]) -> None:
    """A red flag means get seen today, whatever else the athlete's data say."""
    athlete = make_athlete(incidents=(make_incident(3, **fields),))
    assessment = assess(athlete, RULES, TODAY)
    assert assessment.findings[0].rule == "see-doctor"
    assert assessment.findings[0].level == "urgent"
    assert assessment.risk == "urgent"


def test_a_red_flag_outside_the_window_is_not_urgent() -> None:
    """The window is the last 4 weeks: an old swollen calf is history, not today's emergency."""
    athlete = make_athlete(incidents=(make_incident(28, notes="swollen calf"),))
    assert doctor(athlete) is None


@pytest.mark.parametrize(
    ("fields", "level"),
    [
        ({"medication": "statin"}, "act"),
        ({"medication": "Y"}, "act"),
        ({"condition": "type 1 diabetes"}, "act"),
        ({"condition": "hypothyroid"}, "act"),
        ({"condition": "kidney disease"}, "act"),
        ({"condition": "pregnant (2nd trimester)"}, "act"),
        ({"condition": "peripheral neuropathy"}, "act"),
        ({"condition": "poor circulation"}, "act"),
        ({"condition": "flat feet"}, "watch"),
        ({"condition": "asthma"}, "watch"),
        ({"condition": "none"}, None),
    ],
)
def test_medicines_and_known_causes_need_a_check_up_other_conditions_a_mention(
    fields: dict[str, Any], level: str | None
) -> None:
    """A condition known to cause cramps is a check-up; flat feet is "mention it next visit"."""
    athlete = make_athlete(incidents=(make_incident(3),), **fields)
    found = doctor(athlete)
    assert (found[0] if found else None) == level


def test_a_condition_without_a_cramp_is_not_a_reason() -> None:
    """A condition alone is not a cramp problem; it matters alongside a cramp."""
    assert doctor(make_athlete(condition="diabetes", medication="statin")) is None


def test_the_coach_reads_the_same_reasons_in_the_third_person() -> None:
    """ "Ava's cramp on Nov 19 lasted 15 minutes…" for the coach, "Your cramp…" for Ava."""
    athlete = make_athlete(
        name="Ava Thompson",
        incidents=(make_incident(3, lasted_minutes=15, notes="calf swollen"),),
        medication="atorvastatin",
    )
    found = doctor(athlete)
    assert found is not None
    level, evidence, about = found
    assert level == "urgent"
    assert evidence.startswith("Your cramp on Nov 19 lasted 15 minutes and came with swelling.")
    assert about.startswith("Ava's cramp on Nov 19 lasted 15 minutes and came with swelling.")
    assert "Ava's records note a medicine (atorvastatin), and Ava had 1 cramp" in about
    assert "Statins can cause muscle pain" in about
    assert "your" not in about.casefold().split()


def test_a_flat_feet_mention_does_not_make_the_athlete_high_risk() -> None:
    """Mentioning cramps at the next visit is watch: the coach need not talk to them this week."""
    athlete = make_athlete(incidents=(make_incident(3),), condition="flat feet")
    assert assess(athlete, RULES, TODAY).risk == "watch"


@pytest.mark.parametrize(
    ("text", "value"),
    [(None, None), ("N", None), ("none", None), (" no ", None), ("Y", ""), ("yes", ""),
     ("statin", "statin")],
)  # fmt: skip
def test_yes_no_and_free_text_notes_are_told_apart(text: str | None, value: str | None) -> None:
    """ "N" means nothing noted; "Y" means noted without a name; anything else is quoted."""
    assert noted(text) == value


@pytest.mark.parametrize(
    ("condition", "known"),
    [("Diabetes", True), ("liver disease", True), ("sciatica", True), ("flat feet", False),
     (None, False), ("", False)],
)  # fmt: skip
def test_the_known_cause_list_is_read_from_free_text(condition: str | None, known: bool) -> None:
    """Coaches type conditions in their own words."""
    assert known_cause(condition) is known


@pytest.mark.parametrize(
    ("days", "sentence"),
    [
        ((0, 7, 14), "You had cramps in 3 weeks in a row (Nov 8 to Nov 22)."),
        ((0, 7, 14, 21), "You had cramps in 4 weeks in a row (Nov 1 to Nov 22)."),
        ((1, 8, 15, 22, 29), "You had cramps in 5 weeks in a row (Oct 24 to Nov 21)."),
        ((28, 35, 42), None),
        ((0, 7, 21), None),
    ],
)
def test_cramps_in_weeks_in_a_row_are_counted_in_7_day_blocks(
    days: tuple[int, ...], sentence: str | None
) -> None:
    """Blocks count back from the report date; the newest must lie in the window."""
    athlete = make_athlete(incidents=tuple(make_incident(d) for d in days))
    streak_only = RuleSettings(doctor_cramps=99)  # so the count of cramps is not the reason
    found = [f for f in evaluate(athlete, streak_only, TODAY) if f.rule == "see-doctor"]
    assert [f.evidence for f in found] == ([] if sentence is None else [sentence])


def test_the_coach_reads_a_condition_to_mention_in_the_third_person() -> None:
    """A watch-level mention is told to the coach about the athlete, not to them."""
    athlete = make_athlete(
        name="Grace Okafor", incidents=(make_incident(6),), condition="flat feet"
    )
    found = doctor(athlete)
    assert found is not None
    assert found[2] == (
        "Grace's records note a condition (flat feet), and Grace had 1 cramp in the last"
        " 4 weeks: mention the cramps at the next doctor's visit."
    )
