"""Sheets every athlete can read: tagged PDF/UA-1, charts in words, contrast, plain-text email."""

from __future__ import annotations

import html
import io
import itertools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from reports.chart import chart_description, week_slots
from reports.models import Assessment, DeliveryOutcome, Roster
from reports.render import BUILTIN_TEMPLATES, Renderer
from reports.settings import RuleSettings

from conftest import sample_assessed

SAMPLES = ("harbor-harriers.xlsx", "ridgeline-track-club.xlsx")
PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
AA_NORMAL = 4.5  # WCAG 2.1 AA for body text; large text needs 3:1, so 4.5 covers both


@dataclass
class Sample:
    """One rendered sample PDF: what it is, its bytes, and the athlete it is for (if any)."""

    name: str
    pdf: bytes
    roster: Roster
    assessment: Assessment | None = None


@dataclass
class Node:
    """One element of a PDF's structure tree, with the text of its marked content."""

    tag: str
    text: str
    alt: str | None
    children: list[Node] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, in reading order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def reading(self) -> str:
        """The text a screen reader meets, in order, with each figure as `[figure]`."""
        if self.tag == "Figure":
            return " [figure] "
        return self.text + "".join(child.reading() for child in self.children)


@pytest.fixture(scope="module")
def samples() -> list[Sample]:
    """Every sheet and both team summaries of the sample rosters, rendered once."""
    renderer = Renderer()
    found = []
    for roster_name in SAMPLES:
        roster, assessments = sample_assessed(roster_name)
        rules = RuleSettings()
        for assessment in assessments:
            pdf = renderer.athlete_pdf(roster.team, assessment, roster.report_date, rules)
            found.append(Sample(assessment.athlete.name, pdf, roster, assessment))
        summary = renderer.summary_pdf(roster, assessments, rules)
        found.append(Sample(f"{roster.team.name} summary", summary, roster))
    return found


def reader_of(pdf: bytes) -> PdfReader:
    """A pypdf reader over PDF bytes."""
    return PdfReader(io.BytesIO(pdf))


def structure(reader: PdfReader) -> Node:
    """The structure tree of a tagged PDF, each element with the text it marks."""
    texts = {page.indirect_reference.idnum: _marked_texts(page) for page in reader.pages}

    def build(ref: Any, page: Any) -> Node:
        element = ref.get_object()
        page = element.get("/Pg", page)
        alt = element.get("/Alt")
        node = Node(str(element["/S"])[1:], "", None if alt is None else str(alt))
        for kid in element.get("/K", []):
            if isinstance(kid, int):
                node.children.append(Node("MCID", texts[page.idnum].get(kid, ""), None))
            elif isinstance(kid, IndirectObject) and "/S" in kid.get_object():
                node.children.append(build(kid, page))
        return node

    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    return Node("Root", "", None, [build(kid, None) for kid in root["/K"]])


def _marked_texts(page: Any) -> dict[int, str]:
    """The text drawn inside each marked-content id of one page."""
    stack: list[int | None] = []
    texts: dict[int, str] = {}

    def before(operator: bytes, operands: Any, *_: Any) -> None:
        if operator == b"BDC":
            properties = operands[1] if len(operands) > 1 else None
            stack.append(properties.get("/MCID") if isinstance(properties, dict) else None)
        elif operator == b"BMC":
            stack.append(None)
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(chunk: str, *_: Any) -> None:
        mcid = next((m for m in reversed(stack) if m is not None), None)
        if mcid is not None:
            texts[int(mcid)] = texts.get(int(mcid), "") + chunk

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def folded(text: str) -> str:
    """Text with whitespace folded."""
    return " ".join(text.split())


def test_every_sample_pdf_is_tagged_pdf_ua_with_language_and_title(
    samples: list[Sample],
) -> None:
    """Marked, a structure tree, a language, PDF/UA-1 in the XMP, and the title as window title."""
    for sample in samples:
        reader = reader_of(sample.pdf)
        catalog = reader.trailer["/Root"]
        assert catalog["/MarkInfo"]["/Marked"].value is True, sample.name
        assert "/StructTreeRoot" in catalog, sample.name
        assert str(catalog["/Lang"]) == "en", sample.name
        assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True, sample.name
        assert reader.metadata is not None, sample.name
        owner = sample.assessment.athlete.name if sample.assessment else sample.roster.team.name
        assert owner in str(reader.metadata.title), sample.name
        xmp = ET.fromstring(catalog["/Metadata"].get_object().get_data())
        parts = [d.get(f"{{{PDFUA_NS}}}part") for d in xmp.iter()]
        assert "1" in parts, f"{sample.name}: no pdfuaid:part 1 in the XMP metadata"


def test_every_figure_has_alt_text_naming_its_weeks_and_distances(samples: list[Sample]) -> None:
    """A sheet's chart reads as its description; each summary sparkline has one of its own."""
    for sample in samples:
        figures = [n for n in structure(reader_of(sample.pdf)).walk() if n.tag == "Figure"]
        assert figures, sample.name
        for figure in figures:
            assert figure.alt and "from the week of" in figure.alt, sample.name
        if sample.assessment is not None:
            slots = week_slots(sample.assessment.athlete, sample.roster.report_date)
            expected = chart_description(slots, sample.roster.team.units)
            assert [f.alt for f in figures] == [expected], sample.name
        else:
            assert len(figures) == len(sample.roster.athletes), sample.name


def test_every_table_has_header_cells(samples: list[Sample]) -> None:
    """No table reaches a screen reader without headers; layout grids are not tables."""
    for sample in samples:
        tables = [n for n in structure(reader_of(sample.pdf)).walk() if n.tag == "Table"]
        assert tables, sample.name
        for table in tables:
            assert any(n.tag == "TH" for n in table.walk()), sample.name


def test_headings_are_one_h1_then_h2s_with_no_level_skipped(samples: list[Sample]) -> None:
    """The first heading is the only H1 (the athlete or team), and no heading skips a level."""
    for sample in samples:
        headings = [n for n in structure(reader_of(sample.pdf)).walk() if n.tag[:1] == "H"]
        levels = [int(n.tag[1:]) for n in headings if n.tag[1:].isdigit()]
        assert levels[0] == 1 and levels.count(1) == 1, sample.name
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), sample.name
        owner = sample.assessment.athlete.name if sample.assessment else sample.roster.team.name
        assert folded(headings[0].reading()) == owner


def test_a_see_doctor_sheet_reads_name_then_finding_then_chart_then_plan(
    samples: list[Sample],
) -> None:
    """Reading order is a sighted reader's: name, the doctor finding and what we noticed, chart, plan."""
    doctor = [
        s
        for s in samples
        if s.assessment and any(f.rule == "see-doctor" for f in s.assessment.findings)
    ]
    assert doctor
    for sample in doctor:
        assert sample.assessment is not None
        text = folded(structure(reader_of(sample.pdf)).reading())
        name = sample.assessment.athlete.name
        for marks in (
            [name, "See a doctor", "Your last 8 weeks", "[figure]", "Your plan"],
            [name, "What we noticed", "[figure]"],
        ):
            places = [text.find(mark) for mark in marks]
            assert -1 not in places and places == sorted(places), (sample.name, marks, places)


def test_pdfinfo_reports_every_sample_as_tagged(samples: list[Sample], tmp_path: Path) -> None:
    """Poppler, as a reader's viewer would, sees every sheet and summary as tagged."""
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo, "pdfinfo is missing: run scripts/setup test (it installs poppler-utils)"
    for number, sample in enumerate(samples):
        path = tmp_path / f"{number}.pdf"
        path.write_bytes(sample.pdf)
        info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True)
        assert re.search(r"^Tagged:\s+yes$", info.stdout, re.MULTILINE), sample.name


def test_summary_level_chips_carry_a_shape_as_well_as_a_colour(samples: list[Sample]) -> None:
    """An act finding's chip reads `▲ rule`, a watch finding's `● rule`, whatever the colours."""
    for sample in samples:
        if sample.assessment is not None:
            continue
        text = folded(structure(reader_of(sample.pdf)).reading())
        assert "▲ load-spike" in text and "● overhydration" in text, sample.name
        assert "▲ act ● watch info" in text, sample.name


# ---------- contrast ----------


def luminance(colour: str) -> float:
    """WCAG relative luminance of a `#rgb` or `#rrggbb` colour."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(digits[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def declared(css: str, properties: str) -> list[str]:
    """Every value of the named properties in a stylesheet, comments removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    pattern = rf"(?<![-\w])(?:{properties})\s*:\s*([^;{{}}]+)"
    return [value.strip() for value in re.findall(pattern, css)]


def colours_in(values: list[str]) -> set[str]:
    """The hex colours in declared values; any other colour notation fails the test."""
    found = set()
    for value in values:
        hexes = re.findall(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", value)
        words = set(re.findall(r"[a-z]+", re.sub(r"#[0-9a-fA-F]+|url\([^)]*\)", "", value)))
        assert words <= {"transparent", "none", "inherit", "currentcolor"}, (
            f"{value!r}: write colours as #rrggbb so the contrast test can check them"
        )
        found.update(h.lower() for h in hexes)
    return found


def test_every_text_colour_meets_wcag_aa_on_every_background_it_can_sit_on() -> None:
    """Dark text on every light panel and the page, white text on every dark fill: 4.5:1 or more.

    Text inherits its colour into any panel, so each dark text colour is checked against
    every light background in the stylesheet (and the white page); the dark fills are the
    chips and header rows that carry light text.
    """
    css = (BUILTIN_TEMPLATES / "style.css").read_text(encoding="utf-8")
    texts = colours_in(declared(css, "color"))
    backgrounds = colours_in(declared(css, "background|background-color")) | {"#ffffff"}
    light = {b for b in backgrounds if luminance(b) > 0.5}
    dark = backgrounds - light
    assert texts and light and dark
    failures = [
        f"{text} on {background}: {contrast(text, background):.2f}:1"
        for text in sorted(texts)
        for background in sorted(dark if luminance(text) > 0.5 else light)
        if contrast(text, background) < AA_NORMAL
    ]
    assert failures == []


@pytest.mark.parametrize(
    ("one", "other", "ratio"),
    [("#000000", "#ffffff", 21.0), ("#fff", "#fff", 1.0), ("#767676", "#ffffff", 4.54)],
)
def test_contrast_matches_the_wcag_formula(one: str, other: str, ratio: float) -> None:
    """Black on white is 21:1, a colour on itself 1:1, #767676 on white just passes AA."""
    assert contrast(one, other) == pytest.approx(ratio, abs=0.01)


# ---------- email ----------


def test_athlete_email_html_has_lang_and_the_text_part_carries_the_same_facts() -> None:
    """Every sample athlete's HTML email names its language; the plain text says all it says."""
    renderer = Renderer()
    for roster_name in SAMPLES:
        roster, assessments = sample_assessed(roster_name)
        for assessment in assessments:
            text, body = renderer.athlete_email(roster.team, assessment, roster.report_date)
            assert re.search(r'<html lang="en"', body)
            facts = [
                assessment.athlete.name,
                *(f.evidence for f in assessment.findings),
                assessment.athlete.coach_note or "",
            ]
            for fact in facts:
                assert folded(fact) in folded(html.unescape(body)), fact
                assert folded(fact) in folded(text), fact


def test_coach_email_html_has_lang_and_the_text_part_carries_the_same_facts() -> None:
    """The coach's HTML email names its language; its counts, names and problems are in the text."""
    roster, _ = sample_assessed(SAMPLES[1])
    outcomes = [
        DeliveryOutcome("Aiden Murphy", "aiden@example.org", "sent", "sent"),
        DeliveryOutcome("Oliver Novak", None, "skipped", "no valid email address"),
        DeliveryOutcome("Mia Fischer", "mia@example.org", "failed", "550 mailbox unavailable"),
    ]
    text, body = Renderer().coach_email(roster, outcomes)
    assert re.search(r'<html lang="en"', body)
    visible = folded(html.unescape(re.sub(r"<[^>]+>", " ", body)))
    facts = [
        roster.team.name,
        "sent 1",
        "skipped 1",
        "failed 1",
        "Aiden Murphy",
        "Oliver Novak",
        "no valid email address",
        "550 mailbox unavailable",
        *(str(w) for w in roster.warnings),
    ]
    for fact in facts:
        assert folded(fact) in visible, fact
        assert folded(fact) in folded(text), fact
