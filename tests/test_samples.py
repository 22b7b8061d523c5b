"""The sample rosters end to end: the findings a coach will see, and the sheets that carry them."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reports.config import load_settings
from reports.models import Finding, Level
from reports.pipeline import render_roster
from reports.pipeline.deliveries import doctor_first
from reports.pipeline.sheet_pdfs import RosterSheets, Sheet
from reports.render import Renderer
from reports.rules import RULE_IDS
from reports.settings import RuleSettings

from conftest import sample_assessed

SAMPLES = Path(__file__).resolve().parent.parent / "sample_rosters"

# Every athlete's findings as (rule, level), in the order the sheet shows them.
EXPECTED: dict[str, dict[str, list[tuple[str, str]]]] = {
    "harbor-harriers.xlsx": {
        "Maya Chen": [],
        "Leo Park": [
            ("pacing", "act"),
            ("hydration", "act"),
            ("electrolytes", "act"),
            ("cramp-response", "info"),
            ("compression", "info"),
        ],
        "Priya Nair": [
            ("load-spike", "act"),
        ],
        "Jordan Ellis": [
            ("see-doctor", "act"),
            ("pacing", "watch"),
            ("cramp-response", "info"),
            ("night-cramps", "info"),
            ("compression", "info"),
        ],
        "Sofia Marquez": [
            ("overhydration", "watch"),
            ("cramp-response", "info"),
        ],
        "Ethan Brooks": [
            ("pacing", "watch"),
            ("load-spike", "watch"),
            ("warmup", "watch"),
            ("cramp-response", "info"),
        ],
        "Noah Kim": [
            ("see-doctor", "act"),
            ("night-cramps", "info"),
        ],
        "Ava Thompson": [
            ("see-doctor", "urgent"),
            ("cramp-response", "info"),
        ],
        "Liam O'Connor": [],
        "Chloe Wu": [
            ("load-spike", "watch"),
        ],
        "Mason Reed": [],
        "Isabella Rossi": [],
        "Grace Okafor": [
            ("see-doctor", "watch"),
            ("cramp-response", "info"),
        ],
        "Daniel Weiss": [
            ("load-spike", "act"),
        ],
        "Zara Ahmed": [
            ("cramp-response", "info"),
        ],
        "Ben Carter": [],
        "Owen Hart": [],
    },
    "ridgeline-track-club.xlsx": {
        "Aiden Murphy": [],
        "Harper Singh": [
            ("hydration", "act"),
            ("pacing", "watch"),
            ("electrolytes", "watch"),
            ("cramp-response", "info"),
        ],
        "Lucas Bernard": [
            ("load-spike", "act"),
        ],
        "Emma Johansson": [
            ("warmup", "act"),
            ("pacing", "watch"),
            ("cramp-response", "info"),
        ],
        "Mateo Alvarez": [
            ("overhydration", "watch"),
            ("night-cramps", "info"),
        ],
        "Zoe Campbell": [],
        "Oliver Novak": [],
        "Mia Fischer": [],
        "Kenji Watanabe": [
            ("see-doctor", "urgent"),
            ("pacing", "act"),
            ("electrolytes", "act"),
            ("cramp-response", "info"),
            ("night-cramps", "info"),
            ("compression", "info"),
        ],
        "Amara Osei": [
            ("load-spike", "watch"),
        ],
        "Felix Wagner": [],
        "Lina Haddad": [
            ("hydration", "watch"),
            ("cramp-response", "info"),
        ],
    },
}

# A few evidence sentences pinned word for word: the athlete's own numbers, in the team's units.
EVIDENCE = [
    (
        "harbor-harriers.xlsx",
        "Jordan Ellis",
        "see-doctor",
        "You had 3 cramps in the last 4 weeks (Nov 2, Nov 9 and Nov 18).",
    ),
    (
        "harbor-harriers.xlsx",
        "Noah Kim",
        "see-doctor",
        "Your records note a medicine (statin), and you had 1 cramp in the last 4 weeks. Statins can cause muscle pain and cramps in some people.",
    ),
    (
        "harbor-harriers.xlsx",
        "Ava Thompson",
        "see-doctor",
        "Your cramp on Nov 19 lasted 15 minutes and came with swelling and a red, hot or warm calf.",
    ),
    (
        "harbor-harriers.xlsx",
        "Priya Nair",
        "load-spike",
        "In the week of Nov 16 your distance went from 22 mi to 31 mi, up 41%, 1.4 times your average of 22 mi over the 3 weeks before. Your long run that week, 12 mi, was 1.5 times your longest of the 4 weeks before (7.9 mi).",
    ),
    (
        "harbor-harriers.xlsx",
        "Daniel Weiss",
        "load-spike",
        "In the week of Nov 2 your distance went from 32 mi to 42 mi, up 31%, 1.3 times your average of 32 mi over the 3 weeks before. Your long run that week, 15 mi, was 1.3 times your longest of the 4 weeks before (12 mi). You raced that week.",
    ),
    (
        "harbor-harriers.xlsx",
        "Leo Park",
        "electrolytes",
        "You sweat heavily, and both of your cramps in the last 4 weeks (Nov 1 and Nov 15) came on long or hot runs with no electrolytes.",
    ),
    (
        "harbor-harriers.xlsx",
        "Sofia Marquez",
        "overhydration",
        "You usually drink about 48 oz before a run, well above the 16–24 oz we suggest. Before your cramp on Nov 12 you drank 50 oz.",
    ),
    (
        "harbor-harriers.xlsx",
        "Zara Ahmed",
        "cramp-response",
        "You had a cramp just after a run on Nov 11.",
    ),
    (
        "ridgeline-track-club.xlsx",
        "Harper Singh",
        "hydration",
        "Before your cramp on Nov 15 you drank only 350 ml, less than the 475 ml we suggest, and your urine was dark.",
    ),
    (
        "ridgeline-track-club.xlsx",
        "Lucas Bernard",
        "load-spike",
        "In the week of Nov 16 your distance went from 38 km to 54 km, up 42%, 1.4 times your average of 38 km over the 3 weeks before.",
    ),
    (
        "ridgeline-track-club.xlsx",
        "Mateo Alvarez",
        "overhydration",
        "You usually drink about 1400 ml before a run, well above the 475–710 ml we suggest.",
    ),
    (
        "ridgeline-track-club.xlsx",
        "Kenji Watanabe",
        "see-doctor",
        "Your cramp on Nov 19 came with numbness. You had 3 cramps in the last 4 weeks (Nov 5, Nov 12 and Nov 19). Your records note a medicine, and you had 3 cramps in the last 4 weeks.",
    ),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Both sample rosters rendered once: roster file name → (folder, manifest)."""
    out = tmp_path_factory.mktemp("samples")
    settings = load_settings(None, cwd=out, env={})
    result = {}
    for name in EXPECTED:
        folder = render_roster(SAMPLES / name, out, settings).folder
        assert folder is not None
        result[name] = (folder, json.loads((folder / "manifest.json").read_text()))
    return result


def words(text: str) -> str:
    """Text with whitespace folded, for comparing PDF text to sentences."""
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    """A PDF's text, whitespace folded."""
    return words(" ".join(page.extract_text() for page in PdfReader(path).pages))


def advice_words(rule: str, units: str, level: Level = "act") -> str:
    """The advice template of `rule` at `level` rendered for a team, as the words a reader sees."""
    renderer = Renderer()
    finding = Finding(rule, level, "evidence", "best supported")
    fragment = renderer._render(
        f"advice/{rule}.html",
        {
            "finding": finding,
            "rules": RuleSettings(),
            "units": units,
            "minor": False,
            "urgent": False,
        },
    )
    return words(html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


@pytest.mark.parametrize("roster", sorted(EXPECTED))
def test_manifest_findings_are_the_expected_ones(
    rendered: dict[str, tuple[Path, dict[str, Any]]], roster: str
) -> None:
    """Each sample athlete gets exactly the rule ids and levels a coach would expect."""
    _, manifest = rendered[roster]
    actual = {
        a["name"]: [(f["rule"], f["level"]) for f in a["findings"]] for a in manifest["athletes"]
    }
    assert actual == EXPECTED[roster]


# The file names the sample athletes' sheets had before names were transliterated.
SHEET_FILES = {
    "harbor-harriers.xlsx": [
        "maya-chen.pdf", "leo-park.pdf", "priya-nair.pdf", "jordan-ellis.pdf",
        "sofia-marquez.pdf", "ethan-brooks.pdf", "noah-kim.pdf", "ava-thompson.pdf",
        "liam-o-connor.pdf", "chloe-wu.pdf", "mason-reed.pdf", "isabella-rossi.pdf",
        "grace-okafor.pdf", "daniel-weiss.pdf",
        "zara-ahmed.pdf", "ben-carter.pdf", "owen-hart.pdf",  # added later, after the others
    ],
    "ridgeline-track-club.xlsx": [
        "aiden-murphy.pdf", "harper-singh.pdf", "lucas-bernard.pdf", "emma-johansson.pdf",
        "mateo-alvarez.pdf", "zoe-campbell.pdf", "oliver-novak.pdf", "mia-fischer.pdf",
        "kenji-watanabe.pdf", "amara-osei.pdf", "felix-wagner.pdf", "lina-haddad.pdf",
    ],
}  # fmt: skip


@pytest.mark.parametrize("roster", sorted(EXPECTED))
def test_sample_athletes_keep_their_sheet_file_names(
    rendered: dict[str, tuple[Path, dict[str, Any]]], roster: str
) -> None:
    """Every sample athlete's PDF is named as it always was, and is on disk under that name."""
    folder, manifest = rendered[roster]
    assert [a["pdf"] for a in manifest["athletes"]] == SHEET_FILES[roster]
    assert all((folder / name).is_file() for name in SHEET_FILES[roster])


@pytest.mark.parametrize(("roster", "name", "rule", "sentence"), EVIDENCE)
def test_evidence_sentences_quote_the_athletes_own_numbers(
    rendered: dict[str, tuple[Path, dict[str, Any]]],
    roster: str,
    name: str,
    rule: str,
    sentence: str,
) -> None:
    """Evidence is built from the athlete's data, in the team's units, word for word."""
    _, manifest = rendered[roster]
    athlete = next(a for a in manifest["athletes"] if a["name"] == name)
    evidence = {f["rule"]: f["evidence"] for f in athlete["findings"]}
    assert evidence[rule] == sentence


def test_samples_trigger_every_rule_and_have_athletes_with_no_findings() -> None:
    """Together the samples exercise all ten rules; each roster has someone with a clean sheet."""
    fired = {rule for roster in EXPECTED.values() for found in roster.values() for rule, _ in found}
    assert fired == set(RULE_IDS)
    for roster in EXPECTED.values():
        assert any(not found for found in roster.values())


@pytest.mark.parametrize("roster", sorted(EXPECTED))
def test_every_sheet_names_its_athlete_and_carries_their_evidence_and_advice(
    rendered: dict[str, tuple[Path, dict[str, Any]]], roster: str
) -> None:
    """Each PDF holds its athlete's name, every evidence sentence and advice, and no one else's name."""
    folder, manifest = rendered[roster]
    units = "km" if roster.startswith("ridgeline") else "miles"
    names = [a["name"] for a in manifest["athletes"]]
    for athlete in manifest["athletes"]:
        text = pdf_text(folder / athlete["pdf"])
        assert athlete["name"] in text
        for finding in athlete["findings"]:
            assert words(finding["evidence"]) in text
            advice = advice_words(finding["rule"], units, finding["level"])
            assert advice[:120] in text, (athlete["name"], finding["rule"])
        others = [n for n in names if n != athlete["name"] and n.split()[0] not in athlete["name"]]
        assert not [n for n in others if n in text]


@pytest.mark.parametrize("roster", sorted(EXPECTED))
def test_team_summary_lists_every_athlete_most_urgent_first(
    rendered: dict[str, tuple[Path, dict[str, Any]]], roster: str
) -> None:
    """The coach's summary names everyone, urgent before high before watch before low."""
    folder, manifest = rendered[roster]
    text = pdf_text(folder / "team-summary.pdf")
    rank = {"urgent": 0, "high": 1, "watch": 2, "low": 3}
    table = text[text.index("most urgent first") :]
    positions = sorted((table.index(a["name"]), rank[a["risk"]]) for a in manifest["athletes"])
    risks_in_order = [r for _, r in positions]
    assert risks_in_order == sorted(risks_in_order)


def sheets(rendered: dict[str, tuple[Path, dict[str, Any]]]) -> list[tuple[dict[str, Any], str]]:
    """Every sample athlete's manifest entry with their sheet's text, lower case."""
    return [
        (athlete, pdf_text(folder / athlete["pdf"]).casefold())
        for folder, manifest in rendered.values()
        for athlete in manifest["athletes"]
    ]


def minors() -> set[str]:
    """The sample athletes under 18 on the report date."""
    return {a.athlete.name for name in EXPECTED for a in sample_assessed(name)[1] if a.minor}


def test_samples_hold_the_cases_a_team_physician_checks(
    rendered: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    """An urgent flag written in a note, a minor with electrolytes, a spike before the last
    week, and a cramp logged after a run."""
    found = {a["name"]: {f["rule"]: f for f in a["findings"]} for a, _ in sheets(rendered)}
    assert found["Ava Thompson"]["see-doctor"]["level"] == "urgent"  # from her note only
    assert minors() & {name for name, rules in found.items() if "electrolytes" in rules}
    assert "In the week of Nov 2" in found["Daniel Weiss"]["load-spike"]["evidence"]
    assert found["Zara Ahmed"]["cramp-response"]["evidence"] == (
        "You had a cramp just after a run on Nov 11."
    )


def test_no_salt_without_electrolytes_no_tablets_for_minors_today_when_urgent(
    rendered: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    """Every sample sheet: salt only with an electrolytes finding, no tablets on a minor's
    sheet, "today" and no running on every urgent sheet, and massage only with the
    swollen/hot/red caveat."""
    young = minors()
    for athlete, text in sheets(rendered):
        rules = {f["rule"] for f in athlete["findings"]}
        name = athlete["name"]
        if "electrolytes" not in rules:
            assert "salt" not in text, name
        if name in young:
            assert "tablet" not in text, name
        if athlete["risk"] == "urgent":
            assert "today" in text and "no running until a doctor clears you" in text, name
            assert "jog again" not in text, name
        for sentence in re.split(r"(?<=[.!?])\s", text):
            if "massag" in sentence:
                assert all(w in sentence for w in ("swollen", "hot", "red")), (name, sentence)


def test_at_most_a_quarter_of_each_sample_team_is_high_or_urgent(
    rendered: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    """High means "the coach talks to this athlete this week": the exception, not half the team."""
    for _, manifest in rendered.values():
        risks = [a["risk"] for a in manifest["athletes"]]
        assert 4 * sum(r in ("high", "urgent") for r in risks) <= len(risks)


def test_the_coach_email_names_urgent_and_check_up_athletes_first_with_the_reason(
    tmp_path: Path,
) -> None:
    """The urgent athlete, then those due a check-up, before anything about delivery."""
    roster, assessments = sample_assessed("harbor-harriers.xlsx")
    sheets = tuple(Sheet(a, "", "", tmp_path / "x.pdf") for a in assessments)
    attention = doctor_first(RosterSheets(roster, tmp_path, sheets, tmp_path / "s.pdf", "", 0))
    text, _ = Renderer().coach_email(roster, [], attention)
    urgent = text.index("Ava Thompson: URGENT: to be seen by a doctor today")
    assert urgent < text.index("Ava's cramp on Nov 19 lasted 15 minutes") < text.index("Jordan")
    assert text.index("Jordan Ellis: book a check-up. Jordan had 3 cramps") < text.index("Noah Kim")
    assert text.index("Noah Kim") < text.index("The team summary is attached")
    assert "Grace Okafor" not in text  # a mention at the next visit is not a trip to the doctor


def test_km_roster_shows_kilometres_and_millilitres_only(
    rendered: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    """A km team's sheets never mix in miles or ounces."""
    folder, manifest = rendered["ridgeline-track-club.xlsx"]
    for athlete in manifest["athletes"]:
        text = pdf_text(folder / athlete["pdf"])
        assert " km" in text
        assert not re.search(r"\d (mi|oz|°F)\b", text), athlete["name"]
