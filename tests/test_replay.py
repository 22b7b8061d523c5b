"""Lines of kept blocks drawn from a recording: the PDF must be what WeasyPrint would write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reports.models import Assessment, Team
from reports.render import Renderer, replay
from reports.settings import RuleSettings

from conftest import TODAY, assert_same_drawing, make_athlete, pdf_text, recorded_lines

RULES = RuleSettings()
TEAM = Team(name="Harbor Harriers", coach="Dana Brooks")


def decorated_sheets(tmp_path: Path, style: str) -> tuple[list[bytes], list[bytes], Renderer]:
    """Three sheets with one kept block drawn in `style`, stamped and in full."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "athlete.html").write_text(
        "<html><body><h1>{{ athlete.name }}</h1>{% filter stamp %}"
        f'<p style="break-inside: avoid; {style}">Same for all</p>'
        "{% endfilter %}</body></html>"
    )
    stamped, plain = Renderer(folder), Renderer(folder, stamps=False)
    mine: list[bytes] = []
    full: list[bytes] = []
    for name in ("Avery Quinn", "Blake Moreno", "Casey Lund", "Drew Park"):
        item = Assessment(make_athlete(name=name), (), "low")
        mine.append(stamped.athlete_pdf(TEAM, item, TODAY, RULES))
        full.append(plain.athlete_pdf(TEAM, item, TODAY, RULES))
    return mine, full, stamped


def test_an_underlined_line_is_drawn_by_weasyprint_every_time(tmp_path: Path) -> None:
    """Decorations are drawn at page positions a recording would not move: never recorded."""
    mine, full, stamped = decorated_sheets(tmp_path, "text-decoration: underline")
    assert stamped.stamps.reused == 2 and recorded_lines(stamped) == 0
    for ours, theirs in zip(mine, full, strict=True):
        assert_same_drawing(ours, theirs)


def test_a_plain_kept_line_is_recorded_once_and_replayed_on_later_sheets(tmp_path: Path) -> None:
    """The line of a kept block is recorded when first drawn and replayed after."""
    mine, full, stamped = decorated_sheets(tmp_path, "color: #a32a20")
    assert stamped.stamps.reused == 2 and recorded_lines(stamped) == 1
    for ours, theirs in zip(mine, full, strict=True):
        assert_same_drawing(ours, theirs)
        assert pdf_text(ours) == pdf_text(theirs)


def test_a_line_that_makes_an_unknown_stream_call_is_not_recorded() -> None:
    """A recorder only keeps what it knows how to repeat."""

    class Stream:
        def set_line_width(self, width: float) -> None:
            self.width = width

    class Box:
        position_x, position_y, baseline = 1.0, 2.0, 3.0

    recorder: Any = replay._Recorder(Stream(), Box())
    recorder.set_line_width(2)
    assert recorder.finish() is None


def test_a_replay_sizes_each_run_in_the_font_it_was_recorded_with() -> None:
    """Fonts recorded as A, B, A, C: the size set after C names C, not the third font added."""

    class Font:
        def __init__(self, name: str) -> None:
            self.hash, self.to_unicode, self.widths = name, {}, {}

    class Stream:
        def __init__(self) -> None:
            self.sizes: list[tuple[str, float]] = []

        def add_font(self, pango_font: str) -> tuple[Font, float]:
            return Font(pango_font), 9.0

        def set_font_size(self, font: str, size: float) -> None:
            self.sizes.append((font, size))

    recording = replay.Recording(
        calls=[
            ("add_font", 0),
            ("add_font", 1),
            ("add_font", 0),
            ("add_font", 2),
            ("set_font_size", (2, 9.0)),
        ],
        fonts=[("A", {}), ("B", {}), ("C", {})],
    )
    stream = Stream()
    recording.replay(stream, object())
    assert stream.sizes == [("C", 9.0)]
