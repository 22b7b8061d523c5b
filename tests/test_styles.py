"""Computed styles shared between documents: every sheet must come out as if computed afresh."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from reports.models import Assessment
from reports.render import Renderer, styles
from reports.settings import RuleSettings

from conftest import assert_same_drawing, pdf_text, sample_assessed

RULES = RuleSettings()
# Tables with margins, an anchor and a link to it, a list with markers, nesting several
# levels deep, and overflow on the body (WeasyPrint moves it to the page, in the body's style).
PAGE = """<html lang="en"><body><h1 id="top">{title}</h1>
<table class="gap"><tr><td>one</td><td>two</td></tr></table>
<table class="gap"><tr><td>three</td></tr></table>
<ul><li>first</li><li><a class="ref" href="#top">back to the top</a></li></ul>
<div class="box"><p>Some <strong>bold</strong> text in a box.</p></div></body></html>"""
CSS = """body { overflow: hidden } table.gap { margin: 30pt 0 12pt 40pt; border: 1pt solid black }
.box { padding: 6pt; border: 2pt solid #2a7f8f } li { margin-left: 2em }
a.ref::after { content: ", on page " target-counter(attr(href), page) }"""


def weasyprint_pdf(font_config: Any, title: str = "Styles") -> bytes:
    """One small document laid out by WeasyPrint with `font_config`."""
    from weasyprint import HTML

    sheet = _sheet(font_config)
    return bytes(
        HTML(string=PAGE.format(title=title)).write_pdf(
            stylesheets=[sheet], font_config=font_config
        )
    )


_SHEETS: dict[Any, Any] = {}  # by font configuration: the key keeps it alive


def _sheet(font_config: Any) -> Any:
    """The stylesheet parsed once per font configuration, as the renderer does."""
    from weasyprint import CSS as Stylesheet

    if font_config not in _SHEETS:
        _SHEETS[font_config] = Stylesheet(string=CSS, font_config=font_config)
    return _SHEETS[font_config]


def font_configs() -> tuple[Any, Any]:
    """A font configuration that shares styles between documents, and one that does not."""
    from weasyprint.text.fonts import FontConfiguration

    shared, afresh = FontConfiguration(), FontConfiguration()
    styles.share(shared)
    return shared, afresh


def links(pdf: bytes) -> list[str]:
    """The internal links' destinations on the first page."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return [str(a.get_object().get("/Dest")) for a in page.get("/Annots", [])]


def test_a_document_with_kept_styles_is_drawn_as_one_computed_afresh() -> None:
    """The second and later documents reuse the first's styles and come out the same."""
    shared, afresh = font_configs()
    for title in ("First", "Second", "Third"):
        mine = weasyprint_pdf(shared, title)
        assert_same_drawing(mine, weasyprint_pdf(afresh, title))
    assert styles.share(shared).hits > 10, "no style was reused"


def test_the_body_keeps_its_overflow_in_every_document() -> None:
    """WeasyPrint moves the body's overflow to the page: each document gets its own copy."""
    shared, afresh = font_configs()
    weasyprint_pdf(shared)
    again = weasyprint_pdf(shared)
    assert_same_drawing(again, weasyprint_pdf(afresh))


def test_a_reference_to_an_anchor_resolves_in_a_document_with_kept_styles() -> None:
    """An element's id is collected as a target even when its style comes from an earlier one."""
    shared, _ = font_configs()
    weasyprint_pdf(shared)
    again = weasyprint_pdf(shared)
    assert "back to the top, on page 1" in pdf_text(again)
    assert links(again) == links(weasyprint_pdf(shared)) != []


# Selectors that look at siblings, position, emptiness and attributes; each document below
# differs from the one before it in just what one of them looks at.
SIBLINGS_CSS = """li:last-child { color: #b03a2e } li:first-child { border-left: 2pt solid }
p + p { color: #2a7f8f } h2 ~ p { background: #f3f6f7 } div:empty { border: 1pt solid }
li:nth-last-child(2) { border-bottom: 1pt solid } [data-level="act"] { color: #d9822b }
section:last-of-type p { border-top: 1pt solid } div:empty + p { color: #5d6d72 }"""
SIBLING_PAGES = [
    "<ul><li>a</li><li>b</li></ul><p>one</p><p>two</p>",
    "<ul><li>a</li><li>b</li><li>c</li></ul><p>one</p><p>two</p>",
    "<ul><li>a</li><li>b</li></ul><h2>head</h2><p>one</p><div></div><p>two</p>",
    "<ul><li>a</li><li>b</li></ul><h2>head</h2><p>one</p><div>full</div><p>two</p>",
    '<section><p data-level="act">one</p></section><section><p>two</p></section>',
    '<section><p data-level="watch">one</p></section><section><p>two</p></section>',
    '<section><p data-level="watch">one</p></section><section><p>two</p></section><aside/>',
    '<section><p data-level="act">one</p></section><div><section><p>two</p></section></div>',
]


def test_a_style_is_reused_only_where_the_same_rules_match() -> None:
    """A style is reused only for an element that matched the same rules under the same parent."""
    from weasyprint import CSS as Stylesheet
    from weasyprint import HTML

    shared, afresh = font_configs()
    sheets = {id(fc): Stylesheet(string=SIBLINGS_CSS, font_config=fc) for fc in (shared, afresh)}

    def pdf(font_config: Any, body: str) -> bytes:
        document = HTML(string=f"<html><body>{body}</body></html>")
        return bytes(
            document.write_pdf(stylesheets=[sheets[id(font_config)]], font_config=font_config)
        )

    for body in SIBLING_PAGES + SIBLING_PAGES[::-1]:
        assert_same_drawing(pdf(shared, body), pdf(afresh, body))
    assert styles.share(shared).hits > 20, "no style was reused"


def test_a_document_with_its_own_style_element_gets_its_own_rules() -> None:
    """A template's <style> is parsed with each document: styles it set are not carried over."""
    from weasyprint import HTML

    shared, afresh = font_configs()
    for colour in ("#b03a2e", "#2a7f8f", "#b03a2e"):
        page = (
            f"<html><head><style>p {{ color: {colour} }}</style></head><body><p>x</p></body></html>"
        )
        mine = HTML(string=page).write_pdf(font_config=shared)
        assert_same_drawing(bytes(mine), bytes(HTML(string=page).write_pdf(font_config=afresh)))


def test_styles_matched_by_a_stylesheet_no_longer_used_are_forgotten() -> None:
    """The kept blocks' placeholder rules are parsed again: the old ones' styles must go."""
    kept = styles.SharedStyles()
    old, new, lasting = object(), object(), object()
    kept.use_sheets([lasting, old])
    kept.add((None, None, ((lasting, 0, 1, 0),)), {"display": ("block",)}, False)
    kept.add((1, None, ((old, 0, 2, 0),)), {"display": ("block",)}, False)
    kept.use_sheets([lasting, new])
    assert [key[2][0][0] for key in kept.entries] == [lasting]


def test_past_their_bound_the_kept_styles_start_again() -> None:
    """What a process keeps is bounded."""
    kept = styles.SharedStyles(max_styles=2)
    for serial in range(5):
        kept.add((serial, None, ()), {"display": ("block",)}, False)
    assert len(kept.entries) <= 2


@pytest.mark.parametrize("roster_file", ["harbor-harriers.xlsx", "ridgeline-track-club.xlsx"])
def test_every_sample_sheet_with_kept_styles_is_the_same_pdf(roster_file: str) -> None:
    """Sheets rendered with styles kept between them are byte for byte what they were without."""
    roster, items = sample_assessed(roster_file)
    kept, afresh = Renderer(), Renderer()
    styles.unshare(afresh._engine_now().font_config)

    def sheets(renderer: Renderer, batch: list[Assessment]) -> list[bytes]:
        return [renderer.athlete_pdf(roster.team, a, roster.report_date, RULES) for a in batch]

    for _ in range(2):  # the second round lays every sheet out with styles kept from the first
        assert sheets(kept, items) == sheets(afresh, items)
    assert styles.share(kept._engine_now().font_config).hits > 100
