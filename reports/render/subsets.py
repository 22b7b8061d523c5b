"""Reuse a font subset when a sheet uses exactly the glyphs an earlier sheet used.

WeasyPrint cuts every embedded font down to the glyphs its document uses, with HarfBuzz,
once per font per document: about 2 ms a font, three fonts a sheet. A team's sheets share
most of their text, so the same glyph sets come back again and again. The subset depends
only on the font, the glyph set and two flags, so a process keeps the subsets it made
(bounded by size) and hands an identical one back: the PDF's bytes are what they would have
been. This wraps `Font._harfbuzz_subset`, which is internal to WeasyPrint: it is installed
only for the WeasyPrint versions stamping is checked against.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

MAX_BYTES = 4 * 1024 * 1024  # a subset of a sheet's font is tens of kB


class SubsetCache:
    """Font subsets by font, glyph set and flags; the least recently used go first."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self._subsets: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        """The subset made for `key`, if it is still kept."""
        found = self._subsets.get(key)
        if found is not None:
            self._subsets.move_to_end(key)
            self.hits += 1
        return found

    def put(self, key: tuple[Any, ...], subset: bytes) -> None:
        """Keep a subset, forgetting the least recently used past the size bound."""
        if len(subset) > self.max_bytes or key in self._subsets:
            return
        self._subsets[key] = subset
        self.size += len(subset)
        while self.size > self.max_bytes:
            _, dropped = self._subsets.popitem(last=False)
            self.size -= len(dropped)


CACHE = SubsetCache()


def install() -> None:
    """Route WeasyPrint's HarfBuzz subsetting through `CACHE` (once per process)."""
    from weasyprint.pdf.fonts import Font

    if getattr(Font._harfbuzz_subset, "cached", False):
        return
    Font._harfbuzz_subset = _cached(Font._harfbuzz_subset)


def _cached(original: Callable[..., None]) -> Callable[..., None]:
    """`Font._harfbuzz_subset`, answered from the cache when the same subset was made."""

    from weasyprint.text.ffi import ffi

    def subset(font: Any, to_unicode: dict[int, str], hinting: bool) -> None:
        # The face HarfBuzz cuts (by address, name and size, and the file's first bytes:
        # cheap, where hashing a whole font file on every sheet would not be), then the cut.
        whole = font.file_content
        face = (int(ffi.cast("uintptr_t", font.hb_face)), len(whole), zlib.adler32(whole[:4096]))
        key = (font.hash, *face, tuple(sorted(to_unicode)), hinting, bool(font.missing))
        found = CACHE.get(key)
        if found is not None:
            font.file_content = found
            return
        original(font, to_unicode, hinting)
        if font.file_content is not whole:  # HarfBuzz may fail: then the font stays whole
            CACHE.put(key, font.file_content)

    subset.cached = True  # type: ignore[attr-defined]
    return subset
