"""Advice templates: they render in both units, say the key idea, and copy no article text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reports.models import KM_PER_MILE, ML_PER_OZ, Finding, Units
from reports.rules import RULE_IDS, STRENGTH
from reports.settings import RuleSettings
from reports.sources import ADVICE as GRADED
from reports.sources import GRADES, SOURCES

ROOT = Path(__file__).resolve().parent.parent
ADVICE = ROOT / "templates" / "advice"
ARTICLE = ROOT.parent / "shared" / "source-article.txt"
TEMPLATES = [*RULE_IDS, "general"]

# The idea each template must carry, as lower-case fragments of its rendered text.
KEY_IDEAS: dict[str, list[str]] = {
    "see-doctor": [
        "doctor",
        "vitamin",
        "medicine",
        "underlying condition",
        "swelling",
        "numbness",
        "weakness",
        "cola-coloured urine",
        "10 minutes",
        "red, hot or warm",
        "chest, arm or abdomen",
    ],
    "hydration": ["an hour before", "caffeine", "urine"],
    "overhydration": ["hyponatremia", "sodium", "thirst"],
    "electrolytes": ["mostly water", "sodium", "electrolyte (sports) drink", "debated"],
    "warmup": ["warm-up", "easy jogging"],
    "pacing": ["tired muscles", "slowly"],
    "load-spike": ["gradually", "linked to running injuries", "through fatigue", "not been shown"],
    "compression": ["not been shown to prevent cramps", "optional"],
    "cramp-response": ["stop", "massage it gently", "not swollen, hot or red"],
    "night-cramps": ["at night", "stretch before bed", "doctor"],
    "general": ["an hour before", "warm up", "gradually", "tired muscles", "cramp"],
}
# The amounts each unit must show, and the other unit's marks that must not appear.
UNIT_TEXT: dict[str, dict[Units, str]] = {
    "hydration": {"miles": "16 oz to 24 oz", "km": "475 ml to 710 ml"},
    "overhydration": {"miles": "16 oz to 24 oz", "km": "475 ml to 710 ml"},
    "electrolytes": {"miles": "10 mi or more", "km": "16 km or more"},
}
FOREIGN: dict[Units, re.Pattern[str]] = {
    "miles": re.compile(r"\d (?:km|ml)\b|°C"),
    "km": re.compile(r"\d (?:mi|oz)\b|°F"),
}


def stub_filters(units: Units) -> dict[str, Callable[[float], str]]:
    """Unit filters with the renderer's behaviour, bound to one team unit."""

    def distance(miles: float) -> str:
        value, unit = (miles * KM_PER_MILE, "km") if units == "km" else (miles, "mi")
        return f"{value:.0f} {unit}" if value >= 9.95 else f"{value:.1f} {unit}"

    def fluid(oz: float) -> str:
        return f"{round(oz * ML_PER_OZ / 5) * 5} ml" if units == "km" else f"{oz:g} oz"

    def temperature(fahrenheit: float) -> str:
        if units == "km":
            return f"{round((fahrenheit - 32) * 5 / 9)} °C"
        return f"{round(fahrenheit)} °F"

    return {"distance": distance, "fluid": fluid, "temperature": temperature}


def render(
    name: str, units: Units, minor: bool = False, level: str = "act", urgent: bool = False
) -> str:
    """Render one advice template with the sheet's context, as plain lower-case text."""
    env = Environment(
        loader=FileSystemLoader(ROOT / "templates"), autoescape=True, undefined=StrictUndefined
    )
    env.filters.update(stub_filters(units))
    context: dict[str, object] = {
        "rules": RuleSettings(), "units": units, "minor": minor, "urgent": urgent,
    }  # fmt: skip
    if name != "general":
        context["finding"] = Finding(name, level, "Your cramp on Nov 15 …", STRENGTH[name])  # type: ignore[arg-type]
    return env.get_template(f"advice/{name}.html").render(context)


def plain(html: str) -> str:
    """Text without tags, entities unescaped, whitespace and typography normalized."""
    text = re.sub(r"<[^>]+>", " ", html)
    for entity, char in (("&amp;", "&"), ("&#39;", "'"), ("&#34;", '"'), ("&quot;", '"')):
        text = text.replace(entity, char)
    return normalize(text)


def normalize(text: str) -> str:
    """Lower case, straight quotes, plain hyphens and single spaces."""
    for fancy, simple in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-")):
        text = text.replace(fancy, simple)
    return " ".join(text.casefold().split())


def article_sentences() -> list[str]:
    """The article's sentences of more than eight words, normalized."""
    raw = ARTICLE.read_text(encoding="utf-8")
    pieces = re.split(r"(?<=[.!?])\s+|\n+", raw)
    return [normalize(p).rstrip(".!?") for p in pieces if len(p.split()) > 8]


def article_runs(length: int) -> set[str]:
    """Every run of `length` consecutive words in the article, normalized."""
    words = re.findall(r"[a-z0-9']+", normalize(ARTICLE.read_text(encoding="utf-8")))
    return {" ".join(words[i : i + length]) for i in range(len(words) - length + 1)}


@pytest.mark.parametrize("units", ["miles", "km"])
@pytest.mark.parametrize("name", TEMPLATES)
def test_template_renders_its_key_idea_in_the_teams_units(name: str, units: Units) -> None:
    """Every advice template renders strictly, says its key idea, and uses one unit system."""
    text = plain(render(name, units))
    for idea in KEY_IDEAS[name]:
        assert idea in text, f"{name} should mention {idea!r}"
    if name in UNIT_TEXT:
        assert normalize(UNIT_TEXT[name][units]) in text
    assert not FOREIGN[units].search(text)


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_a_short_fragment_without_headings(name: str) -> None:
    """An athlete reads each item in seconds: a paragraph and/or a list, no headings."""
    html = render(name, "miles")
    assert re.search(r"<(?:p|ul)>", html)
    assert not re.search(r"<h\d", html)
    assert len(plain(html).split()) <= 110


@pytest.mark.skipif(
    not ARTICLE.is_file(), reason="the source article lives beside the repository (../shared/)"
)
@pytest.mark.parametrize("name", TEMPLATES)
def test_template_copies_no_sentence_of_the_source_article(name: str) -> None:
    """No article sentence over eight words, nor any run of nine of its words, appears."""
    text = plain(render(name, "miles"))
    for sentence in article_sentences():
        assert sentence not in text
    words = " ".join(re.findall(r"[a-z0-9']+", text))
    copied = [run for run in article_runs(9) if run in words]
    assert not copied, f"{name} repeats the article: {copied}"


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_puts_no_data_into_styles_and_never_marks_text_safe(name: str) -> None:
    """Autoescape stays in force: no `|safe`, no `style=` built from data."""
    source = (ADVICE / f"{name}.html").read_text(encoding="utf-8")
    assert "|safe" not in source.replace(" ", "")
    assert "style=" not in source


def test_there_is_one_advice_template_per_rule_plus_general() -> None:
    """The renderer includes `advice/<rule>.html` for every finding; none may be missing."""
    assert {p.stem for p in ADVICE.glob("*.html")} == set(TEMPLATES)


def test_compression_advice_names_no_product_or_shop() -> None:
    """The article's sleeve plug stays out: no brand, colours or recycled-ocean pitch."""
    text = plain(render("compression", "miles"))
    for word in ("our ", "recycl", "ocean", "colors", "colours", "buy", "brand"):
        assert word not in text


@pytest.mark.parametrize("minor", [True, False])
def test_salt_tablets_come_only_with_their_caution_and_never_to_a_minor(minor: bool) -> None:
    """An adult reads the caution with the tablets; a minor's sheet never mentions tablets."""
    text = plain(render("electrolytes", "miles", minor=minor))
    assert "mostly water" in text and "mostly salt" not in text
    if minor:
        assert "tablet" not in text
    else:
        assert "salt tablets need care" in text and "under-18s" in text and "kidney" in text


@pytest.mark.parametrize("name", [n for n in TEMPLATES if n != "electrolytes"])
def test_only_the_electrolytes_advice_speaks_of_salt(name: str) -> None:
    """Salt belongs to the electrolytes finding, not to general habits or other advice."""
    assert "salt" not in plain(render(name, "miles"))


@pytest.mark.parametrize(("level", "words"), [
    ("urgent", "today"), ("act", "book a check-up"), ("watch", "mention your cramps"),
])  # fmt: skip
def test_see_doctor_advice_says_how_soon_for_its_level(level: str, words: str) -> None:
    """Urgent is today; a routine reason is a check-up; a condition is a mention."""
    assert words in plain(render("see-doctor", "miles", level=level))


def test_a_minor_is_told_to_show_the_see_doctor_sheet_to_a_parent_or_guardian() -> None:
    """A parent or guardian helps a minor get seen."""
    assert "parent or guardian" in plain(render("see-doctor", "miles", minor=True))
    assert "parent or guardian" not in plain(render("see-doctor", "miles"))


def test_load_advice_states_no_10_percent_rule_as_fact() -> None:
    """The popular rule is named only as unproven."""
    text = plain(render("load-spike", "miles"))
    assert "add no more than" not in text and "not been shown to prevent injuries" in text


def test_every_advice_template_has_a_grade_and_a_source_listed_in_the_docs() -> None:
    """docs/advice.md lists each template with its grade and sources; none may lack either."""
    docs = (ROOT / "docs" / "advice.md").read_text(encoding="utf-8")
    for name in [*TEMPLATES, "mid-run"]:
        grade, keys = GRADED[name]
        assert grade in GRADES, name
        assert keys and all(key in SOURCES for key in keys), name
        section = docs[docs.index(f"## `{name}`") :]
        section = section[: section.find("\n## ", 1) if "\n## " in section[1:] else None]
        assert f"Evidence: {grade}" in section, name
        for key in keys:
            assert SOURCES[key].split(".")[0] in section, (name, key)


@pytest.mark.parametrize(
    ("urgent", "says", "never"),
    [
        (True, "until a doctor has cleared you, do not run at all", "jog"),
        (False, "walk a few minutes before you jog again", "do not run at all"),
    ],
)
def test_cramp_response_on_an_urgent_sheet_says_not_to_run(
    urgent: bool, says: str, never: str
) -> None:
    """Urgent: no running until cleared. Otherwise: walk, then jog again."""
    text = plain(render("cramp-response", "miles", urgent=urgent))
    assert says in text and never not in text
