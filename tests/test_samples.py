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
from reports.models import Finding
from reports.pipeline import render_roster
from reports.render import Renderer
from reports.rules import RULE_IDS
from reports.settings import RuleSettings

SAMPLES = Path(__file__).resolve().parent.parent / "sample_rosters"

# Every athlete's findings as (rule, level), in the order the sheet shows them.
EXPECTED: dict[str, dict[str, list[tuple[str, str]]]] = {
    "harbor-harriers.xlsx": {
        "Maya Chen": [],
        "Leo Park": [
            ("hydration", "act"),
            ("electrolytes", "act"),
            ("pacing", "act"),
            ("cramp-response", "info"),
            ("compression", "info"),
        ],
        "Priya Nair": [("load-spike", "act")],
        "Jordan Ellis": [
            ("see-doctor", "act"),
            ("pacing", "watch"),
            ("night-cramps", "watch"),
            ("cramp-response", "info"),
            ("compression", "info"),
        ],
        "Sofia Marquez": [("overhydration", "watch"), ("night-cramps", "info")],
        "Ethan Brooks": [
            ("load-spike", "watch"),
            ("pacing", "watch"),
            ("warmup", "watch"),
            ("cramp-response", "info"),
        ],
        "Noah Kim": [("see-doctor", "act"), ("night-cramps", "info")],
        "Ava Thompson": [("see-doctor", "act"), ("cramp-response", "info")],
        "Liam O'Connor": [],
        "Chloe Wu": [("load-spike", "act")],
        "Mason Reed": [],
        "Isabella Rossi": [],
        "Grace Okafor": [("see-doctor", "act"), ("cramp-response", "info")],
        "Daniel Weiss": [],
    },
    "ridgeline-track-club.xlsx": {
        "Aiden Murphy": [],
        "Harper Singh": [
            ("hydration", "act"),
            ("electrolytes", "watch"),
            ("pacing", "watch"),
            ("cramp-response", "info"),
        ],
        "Lucas Bernard": [("load-spike", "act")],
        "Emma Johansson": [
            ("warmup", "act"),
            ("pacing", "watch"),
            ("cramp-response", "info"),
            ("night-cramps", "info"),
        ],
        "Mateo Alvarez": [("overhydration", "watch"), ("night-cramps", "info")],
        "Zoe Campbell": [],
        "Oliver Novak": [],
        "Mia Fischer": [],
        "Kenji Watanabe": [
            ("see-doctor", "act"),
            ("electrolytes", "act"),
            ("pacing", "act"),
            ("cramp-response", "info"),
            ("night-cramps", "info"),
            ("compression", "info"),
        ],
        "Amara Osei": [],
        "Felix Wagner": [],
        "Lina Haddad": [("hydration", "watch"), ("cramp-response", "info")],
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
        "Your records note a medicine (statin), and you had 1 cramp in the last 4 weeks. "
        "Statins can cause muscle pain and cramps in some people.",
    ),
    (
        "harbor-harriers.xlsx",
        "Ava Thompson",
        "see-doctor",
        "Your cramp on Nov 19 lasted 15 minutes and came with swelling.",
    ),
    (
        "harbor-harriers.xlsx",
        "Priya Nair",
        "load-spike",
        "You ran 31 mi in the week of Nov 16, up 41% on the 22 mi of the week before. That is 1.4 "
        "times your average of 22 mi over the 3 weeks before. Your long run of 12 mi that week was "
        "1.5 times your longest run of the 4 weeks before (7.9 mi).",
    ),
    (
        "harbor-harriers.xlsx",
        "Leo Park",
        "electrolytes",
        "You sweat heavily, and both of your cramps in the last 4 weeks (Nov 1 and Nov 15) came on "
        "long or hot runs with no electrolytes.",
    ),
    (
        "harbor-harriers.xlsx",
        "Sofia Marquez",
        "overhydration",
        "You usually drink about 48 oz before a run, well above the 16–24 oz we suggest. Before "
        "your cramp on Nov 12 you drank 50 oz.",
    ),
    (
        "ridgeline-track-club.xlsx",
        "Harper Singh",
        "hydration",
        "Before your cramp on Nov 15 you drank only 350 ml, less than the 475 ml we suggest, and "
        "your urine was dark.",
    ),
    (
        "ridgeline-track-club.xlsx",
        "Lucas Bernard",
        "load-spike",
        "You ran 54 km in the week of Nov 16, up 42% on the 38 km of the week before. That is 1.4 "
        "times your average of 38 km over the 3 weeks before.",
    ),
    (
        "ridgeline-track-club.xlsx",
        "Mateo Alvarez",
        "overhydration",
        "You usually drink about 1400 ml before a run, well above the 475–710 ml we suggest.",
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


def advice_words(rule: str, units: str) -> str:
    """The advice template of `rule` rendered for a team, as the words a reader sees."""
    renderer = Renderer()
    finding = Finding(rule, "act", "evidence", "well supported")
    fragment = renderer._render(
        f"advice/{rule}.html",
        {"finding": finding, "rules": RuleSettings(), "units": units, "minor": False},
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
            advice = advice_words(finding["rule"], units)
            assert advice[:120] in text, (athlete["name"], finding["rule"])
        others = [n for n in names if n != athlete["name"] and n.split()[0] not in athlete["name"]]
        assert not [n for n in others if n in text]


@pytest.mark.parametrize("roster", sorted(EXPECTED))
def test_team_summary_lists_every_athlete_highest_risk_first(
    rendered: dict[str, tuple[Path, dict[str, Any]]], roster: str
) -> None:
    """The coach's summary names everyone, high risk before watch before low."""
    folder, manifest = rendered[roster]
    text = pdf_text(folder / "team-summary.pdf")
    rank = {"high": 0, "watch": 1, "low": 2}
    table = text[text.index("highest risk first") :]
    positions = sorted((table.index(a["name"]), rank[a["risk"]]) for a in manifest["athletes"])
    risks_in_order = [r for _, r in positions]
    assert risks_in_order == sorted(risks_in_order)


def test_km_roster_shows_kilometres_and_millilitres_only(
    rendered: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    """A km team's sheets never mix in miles or ounces."""
    folder, manifest = rendered["ridgeline-track-club.xlsx"]
    for athlete in manifest["athletes"]:
        text = pdf_text(folder / athlete["pdf"])
        assert " km" in text
        assert not re.search(r"\d (mi|oz|°F)\b", text), athlete["name"]
