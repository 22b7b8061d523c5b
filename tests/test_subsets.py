"""Font subsets reused across sheets: the embedded fonts must be what HarfBuzz would cut."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from reports.models import Assessment, Team
from reports.render import Renderer, subsets
from reports.settings import RuleSettings

from conftest import TODAY, make_athlete

RULES = RuleSettings()
TEAM = Team(name="Harbor Harriers", coach="Dana Brooks")


def font_programs(pdf: bytes) -> dict[str, bytes]:
    """Each embedded font's file, by font name."""
    found: dict[str, bytes] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            found[str(font["/BaseFont"])] = descriptor["/FontFile2"].get_object().get_data()
    return found


def sheet(renderer: Renderer, name: str) -> bytes:
    """One athlete's sheet."""
    item = Assessment(make_athlete(name=name), (), "low")
    return renderer.athlete_pdf(TEAM, item, TODAY, RULES)


def test_a_sheet_with_the_glyphs_of_an_earlier_one_embeds_the_same_fonts_from_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second sheet gets its subsets from the cache, equal to what HarfBuzz cut for the first."""
    monkeypatch.setattr(subsets, "CACHE", subsets.SubsetCache())
    renderer = Renderer()
    first = sheet(renderer, "Avery Quinn")
    assert subsets.CACHE.hits == 0 and subsets.CACHE.size > 0
    again = sheet(renderer, "Avery Quinn")
    assert subsets.CACHE.hits >= 2  # regular and bold at least
    assert font_programs(again) == font_programs(first)


def test_a_sheet_with_other_glyphs_gets_its_own_subset(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with letters no earlier sheet used is cut afresh: never a font missing glyphs."""
    monkeypatch.setattr(subsets, "CACHE", subsets.SubsetCache())
    renderer = Renderer()
    sheet(renderer, "Avery Quinn")
    hits = subsets.CACHE.hits
    other = sheet(renderer, "Zoë Xu-Jablonski")
    assert subsets.CACHE.hits == hits
    monkeypatch.setattr(subsets, "CACHE", subsets.SubsetCache(max_bytes=0))  # keeps nothing
    assert font_programs(other) == font_programs(sheet(Renderer(), "Zoë Xu-Jablonski"))


def test_the_cache_forgets_the_least_recently_used_past_its_size() -> None:
    """What a process keeps is bounded; the subsets used last stay."""
    cache = subsets.SubsetCache(max_bytes=10)
    cache.put(("a",), b"1234")
    cache.put(("b",), b"5678")
    assert cache.get(("a",)) == b"1234"
    cache.put(("c",), b"9012")
    assert cache.get(("b",)) is None and cache.get(("a",)) == b"1234"
    assert cache.size <= 10
    cache.put(("huge",), b"x" * 11)
    assert cache.get(("huge",)) is None
