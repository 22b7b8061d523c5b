"""Blocks laid out once and reused: the PDFs must draw exactly what a full layout draws."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.models import Assessment, Roster, Team
from reports.render import Renderer, stamps
from reports.roster import read_roster
from reports.rules import assess
from reports.settings import LimitSettings, RuleSettings

from conftest import TODAY, make_athlete

SAMPLES = Path(__file__).resolve().parents[1] / "sample_rosters"
RULES = RuleSettings()
TEAM = Team(name="Harbor Harriers", coach="Dana Brooks")
NUMBER = re.compile(rb"-?\d*\.?\d+")


def sample(name: str) -> tuple[Roster, list[Assessment]]:
    """A sample roster and each of its athletes assessed."""
    roster = read_roster(SAMPLES / name, LimitSettings())
    units = roster.team.units
    return roster, [assess(a, RULES, roster.report_date, units) for a in roster.athletes]


def drawing(pdf: bytes) -> list[list[bytes]]:
    """Each page's drawing operations as tokens."""
    return [page.get_contents().get_data().split() for page in PdfReader(io.BytesIO(pdf)).pages]


def assert_same_drawing(stamped: bytes, plain: bytes) -> None:
    """Same operations in the same order on the same pages; positions within 1/1000 pt."""
    ours, theirs = drawing(stamped), drawing(plain)
    assert len(ours) == len(theirs), "page count differs"
    for page, (mine, full) in enumerate(zip(ours, theirs, strict=True), 1):
        assert len(mine) == len(full), f"page {page}: a different number of operations"
        for token, expected in zip(mine, full, strict=True):
            if token != expected:
                assert NUMBER.fullmatch(token) and NUMBER.fullmatch(expected), (page, token)
                assert float(token) == pytest.approx(float(expected), abs=1e-3), (page, token)


def outline(pdf: bytes) -> list[str]:
    """The PDF's bookmark titles, flattened."""
    titles: list[str] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(item.title))

    walk(PdfReader(io.BytesIO(pdf)).outline)
    return titles


@pytest.mark.parametrize("roster_file", ["harbor-harriers.xlsx", "ridgeline-track-club.xlsx"])
def test_reused_blocks_draw_every_sample_sheet_exactly_as_a_full_layout(roster_file: str) -> None:
    """Every sample athlete (one and two pages, miles and km, all rules, notes) drawn the same."""
    roster, assessments = sample(roster_file)
    stamped, plain = Renderer(), Renderer(stamps=False)
    for assessment in assessments:
        mine = stamped.athlete_pdf(roster.team, assessment, roster.report_date, RULES)
        full = plain.athlete_pdf(roster.team, assessment, roster.report_date, RULES)
        assert_same_drawing(mine, full)
        assert outline(mine) == outline(full)
    assert stamped.stamps.reused > len(assessments), "blocks were laid out again, not reused"
    assert plain.stamps.reused == 0 and len(plain.stamps) == 0


def test_html_shown_to_people_never_carries_placeholders() -> None:
    """`athlete_html` (previews, the naive benchmark) is the full sheet even after PDFs."""
    roster, assessments = sample("harbor-harriers.xlsx")
    renderer = Renderer()
    for assessment in assessments[:3]:
        renderer.athlete_pdf(roster.team, assessment, roster.report_date, RULES)
    html = renderer.athlete_html(roster.team, assessments[0], roster.report_date, RULES)
    assert "data-stamp" not in html
    assert "If a cramp hits mid-run" in html


def custom_sheet(tmp_path: Path, block: str) -> Renderer:
    """A renderer whose athlete sheet is the athlete's name and one stamped block."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "athlete.html").write_text(
        "<html><body><h1>{{ athlete.name }}</h1>{% filter stamp %}"
        + block
        + "{% endfilter %}<p>end of {{ athlete.name }}</p></body></html>"
    )
    return Renderer(folder)


def render_three(renderer: Renderer) -> list[str]:
    """Three athletes' sheets as text."""
    texts = []
    for name in ("Avery Quinn", "Blake Moreno", "Casey Lund"):
        item = Assessment(make_athlete(name=name), (), "low")
        pdf = renderer.athlete_pdf(TEAM, item, TODAY, RULES)
        texts.append("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    return texts


def test_an_unbreakable_block_shown_twice_is_kept_and_reused(tmp_path: Path) -> None:
    """Seen on a first sheet, kept from the second, grafted into the third."""
    renderer = custom_sheet(tmp_path, '<div style="break-inside: avoid">Same for all</div>')
    *_, third = render_three(renderer)
    assert len(renderer.stamps) == 1 and renderer.stamps.reused == 1
    assert "Same for all" in third and "end of Casey Lund" in third


def test_a_block_free_to_split_across_pages_is_never_reused(tmp_path: Path) -> None:
    """One unbreakable placeholder cannot stand for a block the page may split."""
    renderer = custom_sheet(tmp_path, "<div>Same for all</div>")
    render_three(renderer)
    assert len(renderer.stamps) == 0 and renderer.stamps.reused == 0


def test_a_block_taller_than_a_page_is_never_reused(tmp_path: Path) -> None:
    """An unbreakable block that splits anyway (too tall for a page) is laid out every time."""
    items = "".join(f"<p>Line {i}</p>" for i in range(120))
    renderer = custom_sheet(tmp_path, f'<div style="break-inside: avoid">{items}</div>')
    *_, third = render_three(renderer)
    assert len(renderer.stamps) == 0
    assert "Line 119" in third


def test_a_failure_while_reusing_blocks_lays_the_sheet_out_in_full(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Any surprise inside WeasyPrint's boxes costs speed, never a sheet."""
    roster, assessments = sample("harbor-harriers.xlsx")
    renderer = Renderer()
    for assessment in assessments[:2]:  # the second sheet keeps the blocks the first showed
        renderer.athlete_pdf(roster.team, assessment, roster.report_date, RULES)

    def broken(*args: object) -> None:
        raise AttributeError("no such box attribute")

    monkeypatch.setattr(stamps, "_graft", broken)
    with caplog.at_level(logging.WARNING):
        pdf = renderer.athlete_pdf(roster.team, assessments[2], roster.report_date, RULES)
    full = Renderer(stamps=False).athlete_pdf(
        roster.team, assessments[2], roster.report_date, RULES
    )
    assert_same_drawing(pdf, full)
    assert not renderer.stamps.enabled
    assert "laying out every block in full" in caplog.text


def test_an_unchecked_weasyprint_lays_out_every_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stamping reaches into WeasyPrint's boxes: only versions it was checked against use it."""
    import reports.render as render

    assert stamps.weasyprint_supported("70.0")
    assert not stamps.weasyprint_supported("71.0")
    monkeypatch.setattr(render, "weasyprint_version", lambda: "71.0")
    roster, assessments = sample("harbor-harriers.xlsx")
    renderer = Renderer()
    for assessment in assessments[:2]:
        renderer.athlete_pdf(roster.team, assessment, roster.report_date, RULES)
    assert not renderer.stamps.enabled and renderer.stamps.reused == 0


def test_a_block_that_differs_per_athlete_is_never_kept(tmp_path: Path) -> None:
    """Only a block a second sheet repeats is kept: the book does not grow with the roster."""
    renderer = custom_sheet(
        tmp_path, '<div style="break-inside: avoid">Only {{ athlete.name }}</div>'
    )
    *_, third = render_three(renderer)
    assert len(renderer.stamps) == 0
    assert "Only Casey Lund" in third


def test_what_the_book_remembers_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """However many blocks go by, the book's memory stays under its bounds."""
    monkeypatch.setattr(stamps, "MAX_REMEMBERED", 3)
    book = stamps.StampBook()
    with book.sheet():
        for number in range(10):
            book.mark(f"<p>block {number}</p>")
    assert 0 < len(book._seen) <= 3
