"""The renderer: real PDFs read back with pypdf, real custom template folders on disk."""

from __future__ import annotations

import html
import io
import logging
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reports.errors import RenderError
from reports.models import (
    Assessment,
    DeliveryOutcome,
    Finding,
    Level,
    Problem,
    Risk,
    Roster,
    Team,
    Units,
)
from reports.render import BUILTIN_TEMPLATES, LockedFetcher, Renderer, harfbuzz_subset_available
from reports.rules import RULE_IDS, STRENGTH
from reports.settings import RuleSettings

from conftest import TODAY, make_athlete, make_incident, weeks_of

RULES = RuleSettings()
TEAM = Team(name="Harbor Harriers", coach="Dana Brooks", coach_email="dana@example.org")
LEVELS: dict[str, Level] = {
    "see-doctor": "act",
    "load-spike": "act",
    "hydration": "act",
    "electrolytes": "watch",
    "overhydration": "watch",
    "pacing": "watch",
    "warmup": "watch",
    "cramp-response": "info",
    "night-cramps": "info",
    "compression": "info",
}


def finding(rule: str, evidence: str | None = None) -> Finding:
    """A finding with the rule's usual level and strength note."""
    text = evidence or f"Evidence for {rule}: your log shows it on Nov 8 and Nov 15."
    return Finding(rule, LEVELS[rule], text, STRENGTH[rule])


def assess(
    name: str, findings: tuple[Finding, ...] = (), risk: Risk = "low", **fields: object
) -> Assessment:
    """An assessment for a made-up athlete."""
    return Assessment(make_athlete(name=name, **fields), findings, risk)


TYPICAL = assess(
    "Leo Park",
    (
        finding(
            "electrolytes",
            "Your cramp on Nov 15 came 80 minutes into an 11 mi run at 84 °F with no electrolytes.",
        ),
        finding("hydration", "You drank 8 oz before the run on Nov 15, and your urine was dark."),
        finding("cramp-response", "You had 1 cramp during a run in the last 4 weeks."),
    ),
    "high",
    group="Varsity",
    weeks=weeks_of([25, 26, None, 26, 28, 27, 30, 33]),
    incidents=(make_incident(7, when="during"),),
    coach_note="Great progress this month.\nKeep Sunday's long run easy.",
)
LONG = "on three of your last four runs over 10 mi you logged a cramp late in the run, with little fluid beforehand and no electrolytes"
EVERY_RULE = assess(
    "Sam Ortiz",
    tuple(finding(rule, f"Evidence for {rule}: {LONG}.") for rule in RULE_IDS),
    "high",
    weeks=weeks_of([15, 16, None, None, 17, 18, 0, 22]),
    incidents=tuple(make_incident(d, when="during") for d in (1, 5, 9, 16)),
    coach_note="Let's talk after Tuesday's practice about your cramps, and bring your log. " * 2,
)
CLEAR = assess("Maya Chen", group="Varsity")


def text_of(pdf: bytes) -> str:
    """All the PDF's text with whitespace collapsed, as a reader would search it."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def pages_of(pdf: bytes) -> int:
    """How many pages the PDF has."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def advice_opening(renderer: Renderer, item: Finding, units: Units = "miles") -> str:
    """The first eight words of a finding's advice template, as plain text."""
    source = renderer.env.get_template(f"advice/{item.rule}.html")
    markup = source.render(finding=item, rules=RULES, units=units, minor=False, urgent=False)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split()[:8])


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    """One renderer for the module, as the pipeline shares one per pass."""
    return Renderer()


@pytest.fixture(scope="module")
def typical_pdf(renderer: Renderer) -> bytes:
    """Leo's sheet: three findings, a not-logged week and a coach note."""
    return renderer.athlete_pdf(TEAM, TYPICAL, TODAY, RULES)


@pytest.fixture(scope="module")
def summary_text(renderer: Renderer) -> str:
    """A four-athlete team summary with a warning, as text."""
    roster = Roster(
        source="harbor.xlsx",
        team=TEAM,
        athletes=(),
        report_date=TODAY,
        problems=(
            Problem(
                "warning",
                '"twelve" is not a distance — type a number of miles, e.g. 12',
                "Mileage",
                "C10",
            ),
            Problem("note", "column Shoe size ignored", "Athletes"),
        ),
    )
    team = [
        assess("Zoe Adams", (finding("load-spike"),), "high", weeks=weeks_of([20, 20, 20, 20, 20, 20, 20, 30])),
        assess("Adam Young", (finding("warmup"),), "watch", incidents=(make_incident(40),)),
        assess("Bea Cole", (finding("see-doctor", "You logged 3 cramps in 4 weeks."),), "high",
               incidents=(make_incident(2), make_incident(9), make_incident(30))),
        assess("Carl Diaz"),
    ]  # fmt: skip
    return text_of(renderer.summary_pdf(roster, team, RULES))


def test_athlete_sheet_shows_who_it_is_for_and_when(typical_pdf: bytes) -> None:
    """Header: athlete, team, coach and the report date."""
    text = text_of(typical_pdf)
    for expected in ("Leo Park", "Harbor Harriers", "Dana Brooks", "November 22, 2026", "Varsity"):
        assert expected in text


def test_athlete_sheet_shows_each_finding_with_its_evidence_and_advice(
    renderer: Renderer, typical_pdf: bytes
) -> None:
    """Every evidence sentence, its advice text and its strength note are on the sheet."""
    text = text_of(typical_pdf)
    for item in TYPICAL.findings:
        assert item.evidence in text
        assert advice_opening(renderer, item) in text
        assert f"Evidence: {item.strength}" in text
    assert advice_opening(renderer, Finding("general", "info", "")) in text  # everyday habits


def test_athlete_sheet_has_the_fixed_sections(typical_pdf: bytes) -> None:
    """Chart table, mid-run box, coach note, disclaimer and page number are always there."""
    text = text_of(typical_pdf)
    for expected in (
        "What we noticed", "Your plan", "Your last 8 weeks", "If a cramp hits mid-run", "Stop.",
        "Massage gently", "Stretch gently.", "Great progress this month.", "not medical advice",
        "Page 1 of 1", "Sep 28", "25 mi", "33 mi",
    ):  # fmt: skip
        assert expected in text, expected


def test_athlete_sheet_names_no_other_athlete(renderer: Renderer, typical_pdf: bytes) -> None:
    """A sheet carries only its own athlete's name."""
    text = text_of(typical_pdf)
    assert "Leo Park" in text
    for other in ("Maya Chen", "Sam Ortiz", "Zoe Adams"):
        assert other not in text


def test_findings_read_see_doctor_first_then_act_watch_info(renderer: Renderer) -> None:
    """Whatever order the rules give, the sheet puts see-doctor first and info last."""
    shuffled = (
        finding("night-cramps", "Info evidence."),
        finding("pacing", "Watch evidence."),
        finding("load-spike", "Act evidence."),
        finding("see-doctor", "Doctor evidence."),
    )
    text = text_of(renderer.athlete_pdf(TEAM, assess("Ann Lee", shuffled, "high"), TODAY, RULES))
    order = [
        text.index(s)
        for s in ("Doctor evidence.", "Act evidence.", "Watch evidence.", "Info evidence.")
    ]
    assert order == sorted(order)


def test_typical_athlete_fits_on_one_page(typical_pdf: bytes) -> None:
    """Two or three findings, a chart and a coach note fit one Letter page."""
    assert pages_of(typical_pdf) == 1


def test_typical_athlete_fits_on_one_a4_page() -> None:
    """A4 is shorter than Letter: the typical sheet still fits one page."""
    pdf = Renderer(page_size="A4").athlete_pdf(TEAM, TYPICAL, TODAY, RULES)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert pages_of(pdf) == 1


def test_every_rule_firing_stays_within_two_pages(renderer: Renderer) -> None:
    """All ten rules with long evidence and a long coach note: two pages at most."""
    pdf = renderer.athlete_pdf(TEAM, EVERY_RULE, TODAY, RULES)
    text = text_of(pdf)
    assert pages_of(pdf) <= 2
    for item in EVERY_RULE.findings:
        assert item.evidence in text
        assert advice_opening(renderer, item) in text


def test_athlete_without_findings_gets_the_encouraging_sheet(renderer: Renderer) -> None:
    """No findings: an upbeat section and the habits, nothing alarming."""
    pdf = renderer.athlete_pdf(TEAM, CLEAR, TODAY, RULES)
    text = text_of(pdf)
    assert "You're on track" in text
    assert advice_opening(renderer, Finding("general", "info", "")) in text
    for alarming in ("What we noticed", "Your plan", "ACT NOW", "DOCTOR FIRST", "See a doctor"):
        assert alarming not in text
    assert pages_of(pdf) == 1


@pytest.mark.parametrize(
    ("units", "shown", "absent"),
    [("miles", ["25 mi", "33 mi", "16 oz"], [" km", " ml", "°C"]),
     ("km", ["40 km", "53 km", "475 ml"], [" mi ", " oz", "°F"])],
)  # fmt: skip
def test_sheet_shows_the_teams_unit_everywhere(
    renderer: Renderer, units: Units, shown: list[str], absent: list[str]
) -> None:
    """Chart table and advice amounts follow Team.units; the other unit never appears."""
    plain = assess("Leo Park", (finding("hydration", "Drank little before the run."),), "high",
                   weeks=TYPICAL.athlete.weeks)  # fmt: skip
    team = Team(name="Harbor Harriers", coach="Dana Brooks", units=units)
    text = text_of(renderer.athlete_pdf(team, plain, TODAY, RULES))
    for expected in shown:
        assert expected in text
    for other in absent:
        assert other not in text


def test_summary_lists_every_athlete_by_risk_then_name(summary_text: str) -> None:
    """A check-up first, then high (by name), then watch, then low."""
    table = summary_text[summary_text.index("Every athlete, most urgent first") :]
    names = ["Bea Cole", "Zoe Adams", "Adam Young", "Carl Diaz"]
    assert [table.index(n) for n in names] == sorted(table.index(n) for n in names)


def test_summary_puts_doctor_list_first_and_warnings_last(summary_text: str) -> None:
    """The see-a-doctor list opens the summary; `Sheet!Cell: message` warnings close it."""
    doctor = summary_text.index("Book a check-up")
    assert doctor < summary_text.index("Bea Cole") < summary_text.index("Every athlete")
    warning = 'Mileage!C10: "twelve" is not a distance — type a number of miles, e.g. 12'
    assert summary_text.index(warning) > summary_text.index("Totals by rule")
    assert "Shoe size" not in summary_text  # notes are not warnings


def test_summary_counts_athletes_cramps_and_rules(summary_text: str) -> None:
    """Totals: athletes, those with cramps in the last 28 days, and each rule that fired."""
    assert re.search(r"4\s?athletes", summary_text)
    assert re.search(r"1\s?with cramps since Oct 26", summary_text)  # Adam's is 40 days old
    assert "load-spike Jump in training load 1" in summary_text
    assert "+50%" in summary_text  # Zoe's week-over-week change


def test_a_summary_past_its_row_limit_says_who_is_left_out(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the limit: the most urgent athletes, how many more there are, and where they are."""
    monkeypatch.setattr("reports.chart.SUMMARY_ROWS", 2)
    roster = Roster(source="fed.xlsx", team=TEAM, athletes=(), report_date=TODAY)
    team = [
        assess("Ann Doc", (finding("see-doctor", "Ann's red flag."),), "high"),
        assess("Bo Doc", (finding("see-doctor", "Bo's red flag."),), "high"),
        assess("Cy Doc", (finding("see-doctor", "Cy's red flag."),), "high"),
        assess("Di Low"),
    ]
    text = text_of(renderer.summary_pdf(roster, team, RULES))
    assert "The 2 most urgent athletes" in text and "most urgent first" not in text
    assert "the 2 not listed here are at no higher risk" in text
    assert "Ann's red flag." in text and "Cy's red flag." not in text
    assert "… and 1 more." in text and re.search(r"3\s?to see a doctor", text)


def test_a_long_summary_with_chips_of_every_level_stays_a_small_attachment(
    renderer: Renderer,
) -> None:
    """Chips are drawn as whole borders: 60 rows of info, watch and act chips stay under 500 KB.

    Dotted chip borders were drawn dot by dot and took this summary to 1.7 MB.
    """
    roster = Roster(source="fed.xlsx", team=TEAM, athletes=(), report_date=TODAY)
    findings = tuple(finding(rule) for rule in LEVELS if rule != "see-doctor")
    team = [assess(f"Runner {n:02d}", findings, "high") for n in range(60)]
    pdf = renderer.summary_pdf(roster, team, RULES)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 3
    assert len(pdf) < 500_000, f"{len(pdf):,} bytes"


def test_workbook_text_is_escaped_and_never_run(
    renderer: Renderer, caplog: pytest.LogCaptureFixture
) -> None:
    """Markup and template syntax in a coach note, a name or evidence show as literal text."""
    note = '<img src="file:///etc/hostname"> {{ 7*7 }} {% if true %}x{% endif %}'
    hostile = assess("<b>Eve</b> {{ 6*7 }}", (finding("warmup", "<script>alert(1)</script>"),),
                     "watch", coach_note=note)  # fmt: skip
    with caplog.at_level(logging.WARNING):
        text = text_of(renderer.athlete_pdf(TEAM, hostile, TODAY, RULES))
    assert note in text
    assert "<b>Eve</b> {{ 6*7 }}" in text
    assert "<script>alert(1)</script>" in text
    assert not caplog.records  # no image element was made, so nothing was even fetched


def test_custom_template_can_only_load_files_from_its_folders(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Outside files, symlinks out, http and data: URLs are refused; the folder's own files load."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.css").write_text('body::before { content: "OUTSIDE-SECRET"; }')
    custom = tmp_path / "my_templates"
    custom.mkdir()
    (custom / "inside.css").write_text('body::after { content: "INSIDE-OK"; }')
    (custom / "linked.css").symlink_to(outside / "secret.css")
    (custom / "athlete.html").write_text(
        '{% extends "base.html" %}{% block head %}'
        '<link rel="stylesheet" href="inside.css">'
        f'<link rel="stylesheet" href="file://{outside}/secret.css">'
        '<link rel="stylesheet" href="linked.css">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/remote.css">'
        '<link rel="stylesheet" href="data:text/css,body::before{content:%22DATA-URL%22}">'
        "{% endblock %}{% block content %}<p>{{ athlete.name }}</p>{% endblock %}"
    )
    with caplog.at_level(logging.WARNING, logger="reports.render"):
        text = text_of(Renderer(custom).athlete_pdf(TEAM, CLEAR, TODAY, RULES))
    refused = [r.getMessage() for r in caplog.records if r.name.startswith("reports.render")]
    assert "INSIDE-OK" in text and "Maya Chen" in text
    assert "OUTSIDE-SECRET" not in text and "DATA-URL" not in text
    for url in (f"file://{outside}/secret.css", f"file://{custom}/linked.css",
                "http://127.0.0.1:9/remote.css", "data:text/css"):  # fmt: skip
        assert any(m.startswith(f"refused to fetch {url}") for m in refused), url
    assert not any("inside.css" in m for m in refused)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [("file://{root}/style.css", True), ("file://{root}/advice/general.html", True),
     ("file://{root}/../pyproject.toml", False), ("file:///etc/passwd", False),
     ("file://evil.example/{root}/style.css", False), ("http://127.0.0.1/style.css", False),
     ("https://example.org/x.png", False), ("data:image/png;base64,AAAA", False),
     ("file://{root}/missing.css", False), ("file://{root}/advice", False)],
)  # fmt: skip
def test_locked_fetcher_allows_only_files_inside_its_roots(url: str, allowed: bool) -> None:
    """The fetcher's rule, case by case."""
    fetcher = LockedFetcher([BUILTIN_TEMPLATES])
    assert (fetcher.allowed_path(url.format(root=BUILTIN_TEMPLATES)) is not None) is allowed


def custom_folder(tmp_path: Path, name: str, source: str) -> Path:
    """A coach's template folder holding one file."""
    folder = tmp_path / "my_templates"
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(source)
    return folder


def test_undefined_variable_in_custom_template_names_it_file_and_line(tmp_path: Path) -> None:
    """A typo in a coach's template: which name, which file, which line, and how to fix it."""
    folder = custom_folder(
        tmp_path, "athlete.html", "<html>\n<body>\n<p>{{ coach_nme }}</p>\n</body>\n</html>\n"
    )
    with pytest.raises(RenderError) as caught:
        Renderer(folder).athlete_pdf(TEAM, CLEAR, TODAY, RULES)
    message = str(caught.value)
    assert "my_templates/athlete.html, line 3" in message
    assert "'coach_nme' is undefined" in message
    assert "delete the file to use the built-in template" in message


def test_undefined_variable_in_included_custom_advice_names_that_file(tmp_path: Path) -> None:
    """An error inside an included advice template points at the advice file, not the sheet."""
    folder = custom_folder(
        tmp_path, "advice/general.html", "<p>ok</p>\n<p>{{ finding.rule }}</p>\n"
    )
    with pytest.raises(RenderError, match=r"advice/general\.html, line 2: .*finding"):
        Renderer(folder).athlete_pdf(TEAM, CLEAR, TODAY, RULES)


def test_syntax_error_in_custom_template_names_file_and_line(tmp_path: Path) -> None:
    """An unclosed tag is reported with the file and the line it is on."""
    folder = custom_folder(tmp_path, "summary.html", "<html>\n{% if rows %}\n<p>x</p>\n</html>\n")
    roster = Roster(source="harbor.xlsx", team=TEAM, athletes=(), report_date=TODAY)
    with pytest.raises(
        RenderError, match=r"my_templates/summary\.html, line \d+: .*(endif|end of template)"
    ):
        Renderer(folder).summary_pdf(roster, [CLEAR], RULES)


def test_missing_templates_folder_is_a_render_error(tmp_path: Path) -> None:
    """Pointing at a folder that does not exist fails at once, saying which folder."""
    with pytest.raises(RenderError, match="nowhere: templates folder not found"):
        Renderer(tmp_path / "nowhere")


def test_custom_folder_overrides_builtins_file_by_file(tmp_path: Path) -> None:
    """One overridden advice file changes the sheet; every other template stays built in."""
    folder = custom_folder(tmp_path, "advice/general.html", "<p>Our club's own habits list.</p>")
    text = text_of(Renderer(folder).athlete_pdf(TEAM, CLEAR, TODAY, RULES))
    assert "Our club's own habits list." in text
    assert "If a cramp hits mid-run" in text


def test_pdf_metadata_has_title_author_and_language(typical_pdf: bytes) -> None:
    """Title names the athlete and date, author is the coach, language is English."""
    reader = PdfReader(io.BytesIO(typical_pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "Calf-cramp prevention sheet: Leo Park, November 22, 2026"
    assert reader.metadata.author == "Dana Brooks"
    assert str(reader.root_object["/Lang"]) == "en"


def test_pdf_fonts_are_embedded(typical_pdf: bytes) -> None:
    """Every font on the page carries its font file, so the sheet prints the same anywhere."""
    resources: Any = PdfReader(io.BytesIO(typical_pdf)).pages[0]["/Resources"]
    fonts = resources["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_digest_depends_on_templates_and_page_size(tmp_path: Path, renderer: Renderer) -> None:
    """Changing page size or overriding a template changes the cache key; same setup, same key."""
    folder = custom_folder(tmp_path, "advice/general.html", "<p>Ours.</p>")
    assert renderer.digest() == Renderer().digest()
    assert renderer.digest() != Renderer(page_size="A4").digest()
    assert renderer.digest() != Renderer(folder).digest()
    assert len(renderer.digest()) == 64


def test_athlete_email_lists_findings_and_escapes_html(renderer: Renderer) -> None:
    """Plain text carries the evidence as written; the HTML body escapes it."""
    person = assess(
        "Eve <O'Neil>", (finding("warmup", "No warm-up before 2 cramps <on Nov 8>."),), "watch"
    )
    text, markup = renderer.athlete_email(TEAM, person, TODAY)
    assert "Hi Eve <O'Neil>," in text
    assert "No warm-up before 2 cramps <on Nov 8>." in text
    assert "Eve &lt;O&#39;Neil&gt;" in markup and "<O'Neil>" not in markup
    assert "November 22, 2026" in text and "November 22, 2026" in markup


def test_coach_email_counts_outcomes_and_lists_problems(renderer: Renderer) -> None:
    """Counts by status, who was sent, every skipped or failed athlete, then the roster warnings."""
    roster = Roster(source="harbor.xlsx", team=TEAM, athletes=(), report_date=TODAY,
                    problems=(Problem("warning", "not an email", "Athletes", "B4"),))  # fmt: skip
    outcomes = [
        DeliveryOutcome("Leo Park", "leo@example.org", "sent", "250 OK"),
        DeliveryOutcome("Sam Ortiz", None, "skipped", "no email address"),
        DeliveryOutcome("Maya Chen", "maya@example.org", "failed", "550 mailbox unavailable"),
    ]
    text, markup = renderer.coach_email(roster, outcomes)
    assert re.search(r"sent\s+1", text) and re.search(r"failed\s+1", text)
    assert "Sam Ortiz (skipped): no email address" in text
    assert "Sent to: Leo Park" in text and "Leo Park (" not in text
    assert "550 mailbox unavailable" in text
    assert "Athletes!B4: not an email" in text and "Athletes!B4: not an email" in markup


SUBJECT_LINES = [
    ("Sheet — {{ team.name }} — {{ report_date }}\n", "Sheet — Harbor Harriers — 2026-11-22"),
    ("{{ team.name }}\nBcc: all@example.org", "Harbor Harriers Bcc: all@example.org"),
    ("A{{ '\\r\\n' }}X-Extra: 1{{ '\\u2028\\x00' }}B", "A X-Extra: 1 B"),
    ("  Tom &   Jerry <run club>  ", "Tom & Jerry <run club>"),  # plain text: not escaped
    ("{# a note to the coach #}\n{{ report_date|longdate }}", "November 22, 2026"),
]


@pytest.mark.parametrize(("source", "expected"), SUBJECT_LINES)
def test_a_one_line_template_folds_every_line_break_into_a_space(
    tmp_path: Path, source: str, expected: str
) -> None:
    """A subject template gives one stripped line, so no text can start a header of its own."""
    folder = custom_folder(tmp_path, "email/athlete-subject.txt", source)
    line = Renderer(folder).line("email/athlete-subject.txt", {"team": TEAM, "report_date": TODAY})
    assert line == expected


def test_a_one_line_template_that_renders_nothing_is_a_render_error(tmp_path: Path) -> None:
    """An empty subject names the coach's file and how to get the built-in one back."""
    folder = custom_folder(tmp_path, "email/coach-subject.txt", "{% if false %}x{% endif %}\n")
    with pytest.raises(RenderError, match=r"coach-subject\.txt: it renders as nothing — .*delete"):
        Renderer(folder).line("email/coach-subject.txt", {})


def test_harfbuzz_subset_availability_is_reported() -> None:
    """A plain bool the `doctor` check can print."""
    assert isinstance(harfbuzz_subset_available(), bool)


def test_report_date_is_the_one_given_not_today(renderer: Renderer) -> None:
    """The sheet shows the report date it was given, never the wall clock."""
    text = text_of(renderer.athlete_pdf(TEAM, CLEAR, date(2026, 3, 1), RULES))
    assert "March 1, 2026" in text
