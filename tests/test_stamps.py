"""Blocks laid out once and reused: the PDFs must draw exactly what a full layout draws."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.models import Assessment, Team
from reports.render import Renderer, stamps
from reports.settings import RuleSettings

from conftest import (
    TODAY,
    assert_same_drawing,
    make_athlete,
    pdf_text,
    recorded_lines,
    sample_assessed,
)

RULES = RuleSettings()
TEAM = Team(name="Harbor Harriers", coach="Dana Brooks")


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
    roster, assessments = sample_assessed(roster_file)
    stamped, plain = Renderer(), Renderer(stamps=False)
    for assessment in assessments:
        mine = stamped.athlete_pdf(roster.team, assessment, roster.report_date, RULES)
        full = plain.athlete_pdf(roster.team, assessment, roster.report_date, RULES)
        assert_same_drawing(mine, full)
        assert outline(mine) == outline(full)
        assert pdf_text(mine) == pdf_text(full)  # replayed lines gave the fonts every glyph
    assert stamped.stamps.reused > len(assessments), "blocks were laid out again, not reused"
    assert recorded_lines(stamped) > 50, "lines of kept blocks were not recorded"
    assert plain.stamps.reused == 0 and len(plain.stamps) == 0


def test_html_shown_to_people_never_carries_placeholders() -> None:
    """`athlete_html` (previews, the naive benchmark) is the full sheet even after PDFs."""
    roster, assessments = sample_assessed("harbor-harriers.xlsx")
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
    roster, assessments = sample_assessed("harbor-harriers.xlsx")
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
    roster, assessments = sample_assessed("harbor-harriers.xlsx")
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


def test_a_block_shown_twice_on_one_sheet_is_drawn_in_both_places(tmp_path: Path) -> None:
    """One laid-out block stands in one place per sheet; a second copy is laid out in full."""
    block = '<div style="break-inside: avoid">Same for all</div>'
    renderer = custom_sheet(tmp_path, block + "{% endfilter %}{% filter stamp %}" + block)
    *_, third = render_three(renderer)
    assert renderer.stamps.reused == 2  # once on each later sheet
    assert third.count("Same for all") == 2
    item = Assessment(make_athlete(name="Drew Park"), (), "low")
    plain = Renderer(renderer.templates, stamps=False)
    assert_same_drawing(
        renderer.athlete_pdf(TEAM, item, TODAY, RULES), plain.athlete_pdf(TEAM, item, TODAY, RULES)
    )


def test_a_block_kept_at_one_width_is_laid_out_in_full_at_another(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The same HTML in a narrower box is not the same laid-out block: that sheet is laid out in full."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "athlete.html").write_text(
        "<html><body><h1>{{ athlete.name }}</h1>"
        '<div style="width: {{ 40 if athlete.name == "Casey Lund" else 100 }}%">'
        '{% filter stamp %}<div style="break-inside: avoid">Same words for every athlete, long '
        "enough to wrap in a narrow column</div>{% endfilter %}</div></body></html>"
    )
    renderer = Renderer(folder)
    with caplog.at_level(logging.INFO):
        render_three(renderer)
        item = Assessment(make_athlete(name="Casey Lund"), (), "low")
        again = renderer.athlete_pdf(TEAM, item, TODAY, RULES)
    full = Renderer(folder, stamps=False).athlete_pdf(TEAM, item, TODAY, RULES)
    assert_same_drawing(again, full)
    assert renderer.stamps.enabled, "one misfit block must not switch reuse off"
    assert "laying this sheet out in full" in caplog.text
