"""Draw the lines of a kept block from a recording instead of walking their glyphs again.

WeasyPrint draws a line of text by walking its shaped glyphs in Python and writing PDF text
operators. A line of a kept block (see stamps.py) has the same glyphs on every sheet, so
that walk writes the same operators every time, only at another place on the page. The
first draw of such a line records the stream calls it makes and the glyphs it hands to the
fonts; later draws make the same calls at the line's new position and hand this document's
fonts the same glyphs, so the PDF gets exactly what the walk would have written. A line
that draws anything else (decorations, emoji, a missing glyph, an ellipsis) is never
recorded and is drawn by WeasyPrint as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RECORDING = "_stamp_recording"  # where a line's recording lives: on its text box
# Stream calls a line's drawing may make; any other call leaves the line unrecorded.
_PLAIN_CALLS = ("set_color", "begin_text", "end_text", "show_text", "set_text_rise")
# Scratch rectangles the glyph walk fills through Pango: read, never drawn.
_SCRATCH = ("ink_rect", "logical_rect")


@dataclass
class Recording:
    """One line's stream calls, and the glyphs each font it used was told about."""

    calls: list[tuple[str, Any]] = field(default_factory=list)
    fonts: list[tuple[Any, dict[int, tuple[str, int]]]] = field(default_factory=list)
    matrix: tuple[float, ...] = ()

    def replay(self, stream: Any, textbox: Any) -> None:
        """Make the recorded calls for `textbox`, at its current position."""
        fonts: dict[int, Any] = {}  # this document's font for each recorded one
        for name, argument in self.calls:
            if name == "add_font":
                pango_font, glyphs = self.fonts[argument]
                font, _ = stream.add_font(pango_font)
                for glyph, (text, width) in glyphs.items():
                    font.to_unicode.setdefault(glyph, text)
                    font.widths.setdefault(glyph, width)
                fonts[argument] = font
            elif name == "set_font_size":
                index, size = argument
                stream.set_font_size(fonts[index].hash, size)
            elif name == "set_text_matrix":
                stream.set_text_matrix(*self.matrix, *_origin(textbox))
            else:
                getattr(stream, name)(*argument)


def install(is_pinned: Callable[[Any], bool]) -> None:
    """Route WeasyPrint's text drawing through recordings (once per process).

    `is_pinned` tells, from a line's layout, whether the line belongs to a kept block.
    """
    import weasyprint.draw as draw

    if getattr(draw.draw_text, "replays", False):
        return
    draw.draw_text = _replaying(draw.draw_text, is_pinned)


def _replaying(
    original: Callable[..., Any], is_pinned: Callable[[Any], bool]
) -> Callable[..., Any]:
    """WeasyPrint's `draw_text`, replaying recorded lines and recording pinned ones."""

    def draw_text(stream: Any, textbox: Any, *args: Any) -> Any:
        recording = getattr(textbox, RECORDING, None)
        if recording is not None:
            recording.replay(stream, textbox)
            return None
        if not (is_pinned(textbox.pango_layout) and _plain_line(textbox, *args)):
            return original(stream, textbox, *args)
        recorder = _Recorder(stream, textbox)
        try:
            original(recorder, textbox, *args)
        finally:
            recorded = recorder.finish()
        if recorded is not None:
            setattr(textbox, RECORDING, recorded)
        return None

    draw_text.replays = True  # type: ignore[attr-defined]
    return draw_text


def _plain_line(
    textbox: Any, offset_x: Any = 0, text_overflow: str = "clip", block_ellipsis: str = "none"
) -> bool:
    """Whether a line draws only its glyphs: no decoration, no ellipsis, visible."""
    style = textbox.style
    decorations = style["text_decoration_line"]
    return (
        text_overflow == "clip"
        and block_ellipsis == "none"
        and style["visibility"] == "visible"
        and not any(d in decorations for d in ("underline", "overline", "line-through"))
    )


def _origin(textbox: Any) -> tuple[float, float]:
    """Where WeasyPrint starts a line's text: its left edge, on its baseline."""
    return textbox.position_x, textbox.position_y + textbox.baseline


class _Probe(dict):  # type: ignore[type-arg]
    """A font's glyph table that notes every glyph the drawing asks about."""

    def __init__(self, table: dict[int, Any], asked: dict[int, None]) -> None:
        super().__init__(table)
        self.asked = asked

    def __contains__(self, glyph: object) -> bool:
        self.asked[glyph] = None  # type: ignore[index]
        return super().__contains__(glyph)


class _Recorder:
    """A stand-in for WeasyPrint's stream that passes calls on and writes them down."""

    def __init__(self, stream: Any, textbox: Any) -> None:
        self._stream = stream
        self._textbox = textbox
        self._recording = Recording()
        self._fonts: list[tuple[Any, Any, dict[int, None]]] = []
        self._font_index: dict[int, int] = {}  # id(font) -> its place in `_fonts`
        self._last_font = -1
        self._usable = True

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._stream, name)
        if name in _PLAIN_CALLS:
            return self._recorded(name, value)
        if name not in _SCRATCH:
            self._usable = False  # a call this recording does not know how to repeat
        return value

    def _recorded(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            if kwargs:
                self._usable = False
            self._recording.calls.append((name, args))
            return call(*args, **kwargs)

        return recorded

    def set_text_matrix(self, *values: float) -> None:
        """Note the matrix; a replay moves it to the line's new origin."""
        *linear, e, f = values
        if (e, f) != _origin(self._textbox) or self._recording.matrix:
            self._usable = False
        self._recording.matrix = tuple(linear)
        self._recording.calls.append(("set_text_matrix", None))
        self._stream.set_text_matrix(*values)

    def add_font(self, pango_font: Any) -> tuple[Any, Any]:
        """Pass the font on, and watch which glyphs the drawing hands it."""
        font, size = self._stream.add_font(pango_font)
        if id(font) not in self._font_index:
            asked: dict[int, None] = {}
            font.to_unicode = _Probe(font.to_unicode, asked)
            font.widths = _Probe(font.widths, asked)
            font.get_unused_glyph_id = self._missing_glyph(font.get_unused_glyph_id)
            self._font_index[id(font)] = len(self._fonts)
            self._fonts.append((pango_font, font, asked))
        self._last_font = self._font_index[id(font)]
        self._recording.calls.append(("add_font", self._last_font))
        return font, size

    def set_font_size(self, font: Any, size: float) -> None:
        """Note the size; the font is named by the one last added."""
        self._recording.calls.append(("set_font_size", (self._last_font, size)))
        self._stream.set_font_size(font, size)

    def _missing_glyph(self, call: Callable[..., Any]) -> Callable[..., Any]:
        def missing(*args: Any) -> Any:
            self._usable = False  # a stand-in glyph is chosen per document: never repeat it
            return call(*args)

        return missing

    def finish(self) -> Recording | None:
        """Give the fonts their plain tables back; the recording, if it can be replayed."""
        for pango_font, font, asked in self._fonts:
            font.to_unicode, font.widths = dict(font.to_unicode), dict(font.widths)
            del font.get_unused_glyph_id
            if not all(g in font.to_unicode and g in font.widths for g in asked):
                self._usable = False
                continue
            glyphs = {g: (font.to_unicode[g], font.widths[g]) for g in asked}
            self._recording.fonts.append((pango_font, glyphs))
        drew = any(name == "set_text_matrix" for name, _ in self._recording.calls)
        if not self._usable or (drew and not self._recording.matrix):
            return None
        return self._recording
