"""Red flags in a cramp's notes, read the way a clinician reads a note.

A sign counts wherever it stands in the note unless the note plainly denies that very
sign: a "no", "not", "without" or "never" that reaches it across nothing but small words,
other signs and commas ("no swelling or numbness", "did not go numb", "without any
numbness"), or a "none" right after it ("swelling: none"). A "no" that belongs to something
else does not reach it: in "no water on the run, calf swelled later" the calf did swell.
Words that soften a denial ("not much swelling") leave the sign standing: when in doubt,
the safer reading. Pure: no I/O, standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Clauses end at sentence punctuation and at words that turn the sentence around.
CLAUSE_BREAK = re.compile(r"[.;!?\n]+|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\byet\b|\bthen\b")
TOKEN = re.compile(r"[a-z0-9']+|[,/&]")
NEGATORS = frozenset(
    {"no", "not", "without", "denies", "denied", "deny", "never", "nil", "zero", "neither", "nor"}
)
# Words a plain denial may pass over to reach its sign ("no obvious calf swelling").
# Softeners (much, too, very, little, real) are left out on purpose: they admit the sign.
PASS_OVER = frozenset(
    {
        *("a", "an", "the", "any", "obvious", "visible", "noticeable", "sign", "signs", "of"),
        *("evidence", "it", "at", "all", "my", "her", "his", "their", "left", "right", "in"),
        *("calf", "calves", "leg", "legs", "foot", "feet", "be", "been", "is", "was", "were"),
        *("feel", "felt", "feeling", "go", "went", "gone", "get", "got", "look", "looked"),
        *("seem", "seemed", "become", "became", "other", "report", "reported", "complain"),
        *("complained", "have", "had", "has", "did", "does"),
    }
)
# A denial runs on through a list of signs: "no swelling, numbness or tingling".
LIST_JOINS = frozenset({",", "/", "&", "and", "or", "nor"})
LIST_ITEMS = frozenset(
    {
        *("swelling", "swollen", "swelled", "swell", "numb", "numbness", "tingling", "tingle"),
        *("tingly", "weak", "weakness", "redness", "warmth", "confusion", "confused"),
    }
)
# What may follow a sign to deny it: "swelling: none", "numbness - no", "swelling nil".
DENIED_AFTER = re.compile(
    r"^\s*(?:[:=\-—–]\s*|\s(?:is|was|were)\s+|\s+)"
    r"(?:none|no|nil|negative|absent|denied|nope|n|0|not present)\s*(?:$|[,&/]|\band\b)"
)
AREA_WORDS: dict[str, str] = {
    "chest": r"chest",
    "arm": r"arms?|forearms?",
    "abdomen": r"abdomen|abdominal|belly|stomach|tummy",
}
PAIN = r"(?:pain|pains|painful|cramp|cramps|cramped|cramping|ache|aches|aching|hurt|hurts|hurting|tight|tightness|pressure|spasms?)"
OWNER = r"(?:(?:the|my|her|his|their|left|right|both|upper|lower)\s+)*"
BODY = r"(?:calf|calves|leg|legs|shin|shins)"
HEAT = r"(?:red|reddish|redness|hot|warm|warmth|inflamed|flushed)(?!\s*-?\s*(?:up|ups|down)\b)"
LINKS = r"(?:swelled|later|also|is|was|were|looked|looks|look|felt|feels|feel|went|turned|got|became|seemed|still|stayed|remained|very|really|quite|bit|a|slightly|all|and|swollen|tender|sore)"
URINE = r"(?:urine|pee|peed|piss|wee|urinated|urinating)"
COLOUR = r"(?:dark|darker|brown|brownish|cola|coke|tea|black)"


@dataclass(frozen=True)
class Sign:
    """One red flag: how a note says it, the words we print, and whether a note can deny it."""

    name: str
    pattern: re.Pattern[str]
    deniable: bool = True


def _area(name: str) -> Sign:
    """Cramp or pain in one area outside the legs, in either word order."""
    words = AREA_WORDS[name]
    return Sign(
        f"cramp or pain in the {name}",
        re.compile(
            rf"\b(?:{words})\b(?:\s+[a-z']+){{0,2}}?\s+{PAIN}\b"
            rf"|\b{PAIN}\b(?:\s+[a-z']+){{0,3}}?\s+(?:in|on|across|around)\s+{OWNER}(?:{words})\b"
        ),
    )


SIGNS: tuple[Sign, ...] = (
    Sign("swelling", re.compile(r"\bswell(?:ing|ings|ed|s)?\b|\bswollen\b|\bpuff(?:y|iness)\b")),
    Sign("numbness", re.compile(r"\bnumb(?:ness|ed)?\b")),
    Sign("tingling", re.compile(r"\btingl(?:e|es|ed|ing|y)\b|\bpins (?:and|&) needles\b")),
    Sign(
        "weakness",
        re.compile(r"\bweak(?:ness|ened|er)?\b|\b(?:gave|give|gives|giving) way\b|\bbuckled\b"),
    ),
    Sign(
        "dark or cola-coloured urine",
        re.compile(rf"\b{COLOUR}\b[^.;]{{0,30}}?\b{URINE}\b|\b{URINE}\b[^.;]{{0,30}}?\b{COLOUR}\b"),
    ),
    Sign(
        "a red, hot or warm calf",
        re.compile(
            rf"\b{HEAT}(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s+)(?:{HEAT}|swollen|tender|sore)\b)*"
            rf"\s+{OWNER}{BODY}\b"
            rf"|\b{BODY}\s+(?:{LINKS}\s+){{0,4}}{HEAT}\b"
            rf"|\b(?:redness|warmth|heat)\s+(?:in|on|over|around|of|across)\s+{OWNER}{BODY}\b"
            r"|\b(?:hot|warm)\s+to\s+(?:the\s+)?touch\b"
        ),
    ),
    Sign(
        "being unable to walk or bear weight",
        re.compile(
            r"\b(?:can't|cant|cannot|can not|couldn't|couldnt|could not|unable to|not able to"
            r"|wasn't able to|wasnt able to|no longer able to|impossible to)\s+"
            r"(?:[a-z']+\s+){0,2}?(?:walk|walking|stand|bear (?:any )?weight|put (?:any )?weight"
            r"|weight[- ]?bear)\b(?!\s+it\s+off)"
            r"|\bnon[- ]?weight[- ]?bearing\b|\bcarried off\b|\bhad to be carried\b"
        ),
        deniable=False,  # the sign is itself a "can't"; no note denies it by a "no"
    ),
    _area("chest"),
    _area("arm"),
    _area("abdomen"),
    Sign(
        "fainting or collapse",
        re.compile(r"\bcollaps(?:e|ed|ing)\b|\bfaint(?:ed|ing)\b|\b(?:passed|blacked) out\b"),
    ),
    Sign("confusion", re.compile(r"\bconfus(?:ed|ion)\b|\bdisorient(?:ed|ation)\b")),
)
SIGN_NAMES: tuple[str, ...] = tuple(s.name for s in SIGNS)

# Muscles a cramp log names that need nothing more than the leg-cramp advice.
LEG_MUSCLES = re.compile(
    r"\b(?:calf|calves|hamstrings?|hammies|quads?|quadriceps|thighs?|foot|feet|toes?|shins?|hips?"
    r"|glutes?|groin|legs?|soleus|gastroc\w*|achilles|arch(?:es)?|instep|adductors?|it band)\b"
)


def normalize(text: str) -> str:
    """Lower case with plain apostrophes and single spaces, so any typing reads the same."""
    flat = text.casefold().replace("’", "'").replace("‘", "'").replace("`", "'")
    return " ".join(flat.split())


def clauses(text: str) -> list[str]:
    """A note cut at sentence ends and turning words ("but", "then", "later")."""
    return [c.strip() for c in CLAUSE_BREAK.split(normalize(text)) if c.strip()]


def _denied_before(clause: str, start: int, single: bool) -> bool:
    """Whether a negator reaches position `start`: NEG small-words* (item join)* sign.

    Only a one-word sign continues a list ("no swelling or numbness"); a phrase after a
    comma or "and" is a new statement ("no swelling, calf red").
    """
    tokens = list(reversed(TOKEN.findall(clause[:start])))
    i = 0
    while i < len(tokens) and tokens[i] in LIST_JOINS:
        if not single or i + 1 >= len(tokens) or tokens[i + 1] not in LIST_ITEMS:
            return False
        i += 2
    while i < len(tokens) and tokens[i] in PASS_OVER:
        i += 1
    return i < len(tokens) and _negates(tokens[i])


def _negates(token: str) -> bool:
    """A word that denies what follows: no, not, without, never, didn't …"""
    return token in NEGATORS or token.endswith("n't")


def _denied(sign: Sign, clause: str, match: re.Match[str]) -> bool:
    """Whether the clause plainly denies this mention of the sign."""
    if not sign.deniable:
        return False
    inside = TOKEN.findall(match.group(0))
    if any(_negates(t) for t in inside):
        return True  # "urine was not dark"
    single = len(inside) == 1
    return _denied_before(clause, match.start(), single) or bool(
        DENIED_AFTER.match(clause[match.end() :])
    )


def _mentions(text: str | None) -> Iterator[tuple[Sign, bool, re.Match[str], str]]:
    """Every mention of a sign: (sign, denied?, match, clause)."""
    for clause in clauses(text or ""):
        for sign in SIGNS:
            for match in sign.pattern.finditer(clause):
                yield sign, _denied(sign, clause, match), match, clause


def signs_in(text: str | None) -> list[str]:
    """The red-flag signs a note mentions and does not plainly deny, in SIGNS order."""
    found = {sign.name for sign, denied, _, _ in _mentions(text) if not denied}
    return [name for name in SIGN_NAMES if name in found]


def denied_signs(text: str | None) -> list[str]:
    """The signs a note plainly denies every time it mentions them ("no swelling")."""
    said = {sign.name for sign, denied, _, _ in _mentions(text) if not denied}
    denied = {sign.name for sign, denied, _, _ in _mentions(text) if denied}
    return [name for name in SIGN_NAMES if name in denied - said]


def only_denials(text: str | None) -> bool:
    """A note that says nothing but which signs were absent ("no swelling, not numb")."""
    if not denied_signs(text) or signs_in(text):
        return False
    rest = normalize(text or "")
    for _, _, match, _ in _mentions(text):
        rest = rest.replace(match.group(0), " ")
    quiet = PASS_OVER | LIST_JOINS | DENIAL_WORDS
    return not [t for t in TOKEN.findall(rest) if not _negates(t) and t not in quiet]


DENIAL_WORDS = frozenset({"none", "nil", "negative", "absent", "nope", "n", "0", "present"})


def muscle_signs(muscle: str | None) -> list[str]:
    """A cramp outside the legs named in the Muscle column (chest, arm, abdomen)."""
    text = normalize(muscle or "")
    return [
        f"cramp or pain in the {name}"
        for name, words in AREA_WORDS.items()
        if re.search(rf"\b(?:{words}|abs)\b" if name == "abdomen" else rf"\b(?:{words})\b", text)
    ]


def known_muscle(muscle: str | None) -> bool:
    """Whether a Muscle entry names a leg muscle or a flagged area (both are placed)."""
    text = normalize(muscle or "calf")
    return bool(LEG_MUSCLES.search(text) or muscle_signs(text))
