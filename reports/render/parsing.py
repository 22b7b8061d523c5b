"""Make tinyhtml5's pattern cache keep what it compiles.

`HTMLInputStream.chars_until` means to cache one regular expression per set of stop
characters, but stores it under the new pattern instead of the characters (tinyhtml5 2.1),
so every call builds and looks up its pattern again: about 3 ms of parsing a sheet. A cache
that fills itself under the right key gives the parser the same patterns at once.
"""

from __future__ import annotations

import re
from typing import Any


class _Patterns(dict[tuple[Any, bool], "re.Pattern[str]"]):
    """The pattern `chars_until` builds, by (stop characters, opposite), built on first use."""

    def __missing__(self, key: tuple[Any, bool]) -> re.Pattern[str]:
        characters, opposite = key
        escaped = "".join(f"\\x{ord(character):02x}" for character in characters)
        pattern = self[key] = re.compile(f"[{escaped if opposite else '^' + escaped}]+")
        return pattern


def install() -> None:
    """Give tinyhtml5 a pattern cache that keeps its patterns (once per process)."""
    from tinyhtml5 import inputstream

    cache = getattr(inputstream, "characters_until_regex", None)
    if type(cache) is dict:  # another version may have no such cache, or a fixed one
        inputstream.characters_until_regex = _Patterns(cache)
