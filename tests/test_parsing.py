"""The HTML parser's pattern cache: the same trees, each pattern built once."""

from __future__ import annotations

import pytest

from reports.render import parsing

SHEET = '<!DOCTYPE html><html lang="en"><body><p class="a">Tom &amp; Jerry\n<b>bold</b></p>\r\n'
SHEET += "<table><tr><td>1</td><td>—</td></tr></table><svg viewBox='0 0 4 4'><rect/></svg>"


def tree(html: str) -> list[tuple[str, dict[str, str], str | None, str | None]]:
    """Every element of the parsed document: tag, attributes, text and tail."""
    import tinyhtml5

    return [(e.tag, dict(e.attrib), e.text, e.tail) for e in tinyhtml5.parse(html).iter()]


def test_the_parser_builds_each_pattern_once_and_keeps_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second document finds every pattern it needs already built, under its stop characters."""
    from tinyhtml5 import inputstream

    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    parsing.install()
    cache = inputstream.characters_until_regex
    tree(SHEET)
    built = dict(cache)
    assert built and all(isinstance(characters, tuple | frozenset | str) for characters, _ in built)
    tree(SHEET + "<p>more</p>")
    assert dict(cache) == built


def test_the_parser_reads_a_document_as_it_did_without_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The patterns are the ones tinyhtml5 builds: the same elements, text and tails."""
    from tinyhtml5 import inputstream

    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    before = tree(SHEET)
    parsing.install()
    assert isinstance(inputstream.characters_until_regex, parsing._Patterns)
    assert tree(SHEET) == before
