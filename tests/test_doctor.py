"""See-doctor reasons: red-flag words, negations, medicines and conditions."""

from __future__ import annotations

import pytest

from reports.doctor import medical_notes, mentions, noted, red_flags

from conftest import make_athlete, make_incident


@pytest.mark.parametrize(
    ("text", "signs"),
    [
        ("Swollen calf afterwards", ["swelling"]),
        ("calf swelling and numbness in toes", ["swelling", "numbness"]),
        ("leg felt weak on the stairs", ["weakness"]),
        ("urine like cola the next morning", ["cola-coloured urine"]),
        ("tea-coloured urine", ["cola-coloured urine"]),
        ("pins and needles in the foot", ["tingling"]),
        ("no swelling", []),
        ("not numb, not weak", []),
        ("no pain but swelling", ["swelling"]),
        ("no pain, some swelling", ["swelling"]),
        ("tweaked it on a hill; new number bib", []),
        ("", []),
        (None, []),
    ],
)
def test_red_flag_words_are_found_unless_negated(text: str | None, signs: list[str]) -> None:
    """Coaches write "no swelling" as often as "swelling"; only the second is a red flag."""
    assert mentions(text) == signs


@pytest.mark.parametrize(
    ("fields", "flags"),
    [
        ({"lasted_minutes": 12}, ["lasted 12 minutes"]),
        ({"lasted_minutes": 10}, []),
        ({"red_flag": "Y"}, ["was marked as a red flag"]),
        ({"red_flag": "N"}, []),
        ({"red_flag": "chest tight"}, ['was marked as a red flag ("chest tight")']),
        ({"red_flag": "numb", "notes": "swollen"}, ["came with swelling and numbness"]),
    ],
)
def test_red_flags_of_one_cramp_read_as_plain_phrases(
    fields: dict[str, object], flags: list[str]
) -> None:
    """Lasting too long, a marked red flag, or a worrying sign in the notes."""
    assert red_flags(make_incident(3, **fields), 10) == flags


@pytest.mark.parametrize(
    ("text", "value"),
    [(None, None), ("N", None), ("none", None), (" no ", None), ("Y", ""), ("yes", ""),
     ("statin", "statin")],
)  # fmt: skip
def test_yes_no_and_free_text_notes_are_told_apart(text: str | None, value: str | None) -> None:
    """ "N" means nothing noted; "Y" means noted without a name; anything else is quoted."""
    assert noted(text) == value


def test_medicine_and_condition_are_named_with_a_note_about_statins() -> None:
    """The evidence says what is on record and why it matters."""
    athlete = make_athlete(medication="Atorvastatin 20 mg", condition="flat feet")
    sentences = medical_notes(athlete, (make_incident(3),), "the last 4 weeks")
    assert sentences == [
        "Your records note a medicine (Atorvastatin 20 mg) and a condition (flat feet),"
        " and you had 1 cramp in the last 4 weeks.",
        "Statins can cause muscle pain and cramps in some people.",
    ]


def test_a_medicine_without_a_recent_cramp_is_not_a_reason() -> None:
    """Medication alone is not a cramp problem; it matters alongside a cramp."""
    assert medical_notes(make_athlete(medication="statin"), (), "the last 4 weeks") == []
