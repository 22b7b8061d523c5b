"""Which characters the installed fonts can draw, as fontconfig knows them.

WeasyPrint lays text out with Pango, and Pango finds a font for each character through
fontconfig: a character that no font fontconfig lists covers is drawn as an empty box.
`fc-list` prints every font's character set from fontconfig's cache in one call (a few
milliseconds), without opening a font file. Fonts a coach's own stylesheet loads with
@font-face are not counted.
"""

from __future__ import annotations

import bisect
import logging
import subprocess
import unicodedata
from collections.abc import Iterable

from reports.errors import RenderError

log = logging.getLogger(__name__)

FC_LIST = ("fc-list", "--format", "%{charset}\n")
_TIMEOUT_SECONDS = 30
_FIX = "install fontconfig and the fonts (scripts/setup does both), then run again"
# Characters no font needs to draw: spaces, controls, joiners, direction marks and variation
# selectors. Pango lays them out without a glyph, so they never show as a box.
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0x180B, 0x180F))


class FontCoverage:
    """The union of the character sets of every installed font."""

    def __init__(self, charsets: Iterable[str]) -> None:
        spans = sorted(_spans(charsets))
        merged: list[list[int]] = []
        for first, last in spans:
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self._firsts = [first for first, _ in merged]
        self._lasts = [last for _, last in merged]

    @classmethod
    def installed(cls) -> FontCoverage:
        """The fonts fontconfig lists on this machine; RenderError when it cannot be asked."""
        try:
            done = subprocess.run(
                FC_LIST, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise RenderError(
                f"could not ask fontconfig which characters the fonts draw ({err}) — {_FIX}"
            ) from err
        if done.returncode != 0:
            detail = done.stderr.strip()[:200] or f"exit status {done.returncode}"
            raise RenderError(
                f"could not ask fontconfig which characters the fonts draw (fc-list: {detail}) — {_FIX}"
            )
        return cls(done.stdout.splitlines())

    def draws(self, char: str) -> bool:
        """Whether some installed font has a glyph for `char`."""
        point = ord(char)
        at = bisect.bisect_right(self._firsts, point) - 1
        return at >= 0 and point <= self._lasts[at]

    def missing(self, text: str) -> str:
        """The visible characters of `text` no installed font draws, each once, in order."""
        found = dict.fromkeys(c for c in text if _visible(c) and not self.draws(c))
        return "".join(found)


def _visible(char: str) -> bool:
    """Whether a character is drawn with a glyph of its own (not a space, mark of direction…)."""
    point = ord(char)
    if any(first <= point <= last for first, last in _SELECTORS):
        return False
    return unicodedata.category(char) not in _INVISIBLE


def _spans(charsets: Iterable[str]) -> Iterable[tuple[int, int]]:
    """(first, last) code points from fontconfig charsets such as `20-7e a0 100-17f`."""
    for charset in charsets:
        for part in charset.split():
            first, _, last = part.partition("-")
            try:
                yield int(first, 16), int(last or first, 16)
            except ValueError:
                log.debug("skipped %r in a fontconfig charset", part)
