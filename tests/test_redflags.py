"""Red flags read the way a clinician reads a note: any mention counts unless plainly denied."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.redflags import (
    SIGN_NAMES,
    denied_signs,
    known_muscle,
    muscle_signs,
    only_denials,
    signs_in,
)

SWELLING, NUMB, TINGLING, WEAK = "swelling", "numbness", "tingling", "weakness"
URINE = "dark or cola-coloured urine"
HOT_CALF = "a red, hot or warm calf"
CANT_WALK = "being unable to walk or bear weight"
CHEST, ARM, ABDOMEN = (f"cramp or pain in the {area}" for area in ("chest", "arm", "abdomen"))
FAINT, CONFUSED = "fainting or collapse", "confusion"

# (note, the signs it raises). Phrasings a coach or athlete types, flags and their neighbours.
FLAGGED: list[tuple[str, list[str]]] = [
    ("Swollen calf afterwards", [SWELLING]),
    ("calf swelled up on the drive home", [SWELLING]),
    ("Calf stayed swollen the next day", [SWELLING]),
    ("no water on the run; calf swelled later", [SWELLING]),
    ("no water on the run, calf swelled later", [SWELLING]),
    ("no water, calf swelling", [SWELLING]),
    ("not much swelling", [SWELLING]),
    ("no pain but swelling", [SWELLING]),
    ("no pain, some swelling", [SWELLING]),
    ("calf swelling and numbness in toes", [SWELLING, NUMB]),
    ("Numbness in the foot afterwards", [NUMB]),
    ("foot went numb", [NUMB]),
    ("no swelling, calf numb", [NUMB]),
    ("pins and needles in the foot", [TINGLING]),
    ("toes tingling after", [TINGLING]),
    ("leg felt weak on the stairs", [WEAK]),
    ("knee gave way at mile 6", [WEAK]),
    ("urine like cola the next morning", [URINE]),
    ("tea-coloured urine", [URINE]),
    ("brown urine that evening", [URINE]),
    ("urine was dark brown", [URINE]),
    ("peed something that looked like coke", [URINE]),
    ("dark pee and sore all over", [URINE]),
    ("calf red and hot", [HOT_CALF]),
    ("hot, red calf", [HOT_CALF]),
    ("calf felt warm", [HOT_CALF]),
    ("redness over the left calf", [HOT_CALF]),
    ("warm to the touch", [HOT_CALF]),
    ("no swelling, calf red", [HOT_CALF]),
    ("couldn't put weight on it", [CANT_WALK]),
    ("can't walk properly", [CANT_WALK]),
    ("unable to bear weight", [CANT_WALK]),
    ("had to be carried off", [CANT_WALK]),
    ("chest pain at the end", [CHEST]),
    ("tightness in her chest", [CHEST]),
    ("arm cramped too", [ARM]),
    ("cramp in his left arm", [ARM]),
    ("stomach cramps on the last lap", [ABDOMEN]),
    ("abdominal pain", [ABDOMEN]),
    ("fainted at the finish", [FAINT]),
    ("seemed confused after", [CONFUSED]),
    ("swelling: no, numbness: yes", [NUMB]),
]
# Notes that raise nothing: plain denials of that very sign, and everyday words.
QUIET: list[tuple[str, list[str]]] = [
    ("no swelling", [SWELLING]),
    ("not numb", [NUMB]),
    ("without any numbness", [NUMB]),
    ("swelling: none", [SWELLING]),
    ("Swelling - no", [SWELLING]),
    ("no swelling or numbness", [SWELLING, NUMB]),
    ("no swelling, numbness or tingling", [SWELLING, NUMB, TINGLING]),
    ("did not go numb", [NUMB]),
    ("didn't feel weak", [WEAK]),
    ("not swollen or numb", [SWELLING, NUMB]),
    ("denies chest pain", [CHEST]),
    ("no obvious swelling", [SWELLING]),
    ("urine was not dark", [URINE]),
    ("no redness in the calf", [HOT_CALF]),
    ("never went numb", [NUMB]),
    ("Hot Sunday long run, ran out of water", []),
    ("hot day, calf cramped", []),
    ("skipped the leg warm-up", []),
    ("couldn't walk it off, stretched instead", []),
    ("tweaked it on a hill; new number bib", []),
    ("", []),
]


def test_the_table_is_as_broad_as_a_clinician_needs() -> None:
    """At least 40 phrasings in all, at least 10 of them plain denials."""
    assert len(FLAGGED) + len(QUIET) >= 40
    assert sum(1 for _, denied in QUIET if denied) >= 10


@pytest.mark.parametrize(("note", "signs"), FLAGGED)
def test_a_sign_counts_wherever_it_stands_in_the_note(note: str, signs: list[str]) -> None:
    """Any mention of a sign that the note does not plainly deny is a red flag."""
    assert signs_in(note) == signs


@pytest.mark.parametrize(("note", "denied"), QUIET)
def test_a_plain_denial_of_that_very_sign_is_no_flag(note: str, denied: list[str]) -> None:
    """ "No swelling", "not numb", "swelling: none": the sign is named and denied."""
    assert signs_in(note) == []
    assert denied_signs(note) == denied


@pytest.mark.parametrize(
    ("note", "only"),
    [("no swelling", True), ("Swelling: none. Not numb.", True), ("no swelling, calf tight", False),
     ("sore", False), ("swollen", False)],
)  # fmt: skip
def test_a_note_of_denials_only_is_told_apart_from_one_that_says_more(
    note: str, only: bool
) -> None:
    """Only a note that says nothing but which signs were absent is fully placed."""
    assert only_denials(note) is only


@pytest.mark.parametrize(
    ("muscle", "signs", "known"),
    [("calf", [], True), ("left hamstring", [], True), ("chest", [CHEST], True),
     ("abs", [ABDOMEN], True), ("forearm", [ARM], True), ("side stitch", [], False)],
)  # fmt: skip
def test_a_cramp_outside_the_legs_in_the_muscle_column_is_a_flag(
    muscle: str, signs: list[str], known: bool
) -> None:
    """The Muscle column can say chest, arm or abdomen; an unknown place is for the coach to read."""
    assert muscle_signs(muscle) == signs
    assert known_muscle(muscle) is known


CLAUSES = [note for note, _ in FLAGGED + QUIET if note and ";" not in note and "." not in note]
EXPECTED = {note: set(signs_in(note)) for note in CLAUSES}


def mixed_case(text: str, pattern: list[bool]) -> str:
    """`text` with letters upper-cased where `pattern` says so (cycled)."""
    return "".join(c.upper() if pattern[i % len(pattern)] else c for i, c in enumerate(text))


@given(
    st.lists(st.sampled_from(CLAUSES), min_size=1, max_size=4, unique=True),
    st.randoms(use_true_random=False),
    st.lists(st.booleans(), min_size=1, max_size=7),
)
def test_the_order_of_sentences_and_their_case_do_not_change_the_flags(
    clauses: list[str], rng: object, pattern: list[bool]
) -> None:
    """Sentences in any order, in any case, raise exactly the flags each raises alone."""
    shuffled = list(clauses)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    note = mixed_case(". ".join(shuffled), pattern)
    expected = set().union(*(EXPECTED[c] for c in clauses))
    assert set(signs_in(note)) == expected


@given(
    st.sampled_from(["dark", "brown", "cola-coloured", "tea coloured", "Cola", "DARK BROWN"]),
    st.sampled_from(["urine", "pee", "Urine"]),
    st.booleans(),
)
def test_urine_colour_reads_in_either_word_order(
    colour: str, urine: str, urine_first: bool
) -> None:
    """ "Brown urine", "urine was brown", "pee looked cola-coloured": all the same flag."""
    note = f"{urine} was {colour}" if urine_first else f"{colour} {urine}"
    assert signs_in(note) == [URINE]


def test_every_sign_has_a_phrasing_in_the_table() -> None:
    """No red flag goes untested."""
    assert {s for _, signs in FLAGGED for s in signs} == set(SIGN_NAMES)


@pytest.mark.parametrize(
    ("note", "signs"),
    [("and numb", [NUMB]), (", swollen", [SWELLING]), ("no swelling. swollen now", [SWELLING])],
)
def test_a_list_word_with_no_denial_before_it_denies_nothing(note: str, signs: list[str]) -> None:
    """A stray "and" or comma, or a sign denied once and said again, still counts."""
    assert signs_in(note) == signs
    assert denied_signs(note) == []


@pytest.mark.parametrize(
    ("note", "only"),
    [("no swelling; numb", False), ("no swelling, numbness or tingling", True)],
)
def test_a_note_with_a_sign_is_never_only_denials(note: str, only: bool) -> None:
    """A denied sign beside a stated one is not a note of denials; a denied list is."""
    assert only_denials(note) is only


@pytest.mark.parametrize(
    ("note", "signs"),
    [
        ("can’t walk on it", [CANT_WALK]),
        ("didn‘t feel numb", []),
        ("couldn`t bear weight", [CANT_WALK]),
    ],
)
def test_curly_and_typewriter_apostrophes_read_the_same(note: str, signs: list[str]) -> None:
    """Phones type ’ and ‘; some keyboards `; all are an apostrophe."""
    assert signs_in(note) == signs
