"""Names in every script: drawn with real glyphs, never the missing-glyph box."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from reports.config import load_settings
from reports.pipeline import check_rosters, render_roster
from reports.render.coverage import FontCoverage
from reports.settings import LimitSettings

from conftest import FIRST_WEEK, Sheets, write_workbook

# One name in each script a team may enter, the font it needs in brackets.
NAMES = [
    "王芳",  # Chinese (WenQuanYi Micro Hei)
    "김민준",  # Korean (WenQuanYi Micro Hei)
    "佐藤さくら",  # Japanese kanji and kana (WenQuanYi Micro Hei)
    "محمد علي",  # Arabic, right to left (DejaVu Sans)
    "דוד כהן",  # Hebrew, right to left (DejaVu Sans)
    "Νίκος Παπαδόπουλος",  # Greek (DejaVu Sans)
    "प्रिया शर्मा",  # Devanagari (Noto Sans Devanagari)
    "สมชาย ใจดี",  # Thai (Noto Sans Thai)
    "Nguyễn Thị Minh Khai",  # Vietnamese (DejaVu Sans)
    "Øyvind Søren",  # Latin with letters NFKD cannot decompose
    "Иван Петров",  # Cyrillic (DejaVu Sans)
]
NOTE = "頑張って！ Молодец. आगे बढ़ो"


def many_scripts() -> Sheets:
    """A roster whose team, athletes and coach's note are written in many scripts."""
    athletes: list[list[Any]] = [["Name", "Email", "Group", "Coach note"]]
    athletes += [[n, f"a{i}@example.org", "Varsity", NOTE] for i, n in enumerate(NAMES)]
    mileage: list[list[Any]] = [["Name", "Week of", "Miles"]]
    mileage += [[n, FIRST_WEEK + timedelta(weeks=w), 20] for n in NAMES for w in range(8)]
    team = [["Key", "Value"], ["Team", "東京 Runners"], ["Coach", "Dana"]]
    return {"Team": team, "Athletes": athletes, "Mileage": mileage}


def _to_unicode(cmap: str) -> dict[int, str]:
    """Glyph id → the text it stands for, from a PDF font's ToUnicode CMap."""
    found = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for gid, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            found[int(gid, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, first in re.findall(
            r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            for offset, gid in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found[gid] = chr(int(first, 16) + offset)
    return found


def glyph_characters(pdf: bytes) -> tuple[set[str], set[str]]:
    """(characters drawn with a glyph of their font, characters drawn as the missing-glyph box).

    Pango hands a character no font has to the first font with a glyph id that font does not
    have (or .notdef, id 0); the embedded font file says how many glyphs it really has.
    """
    drawn: set[str] = set()
    boxed: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            stream = next(descriptor[k] for k in ("/FontFile2", "/FontFile3") if k in descriptor)
            glyphs = TTFont(io.BytesIO(stream.get_object().get_data()))["maxp"].numGlyphs
            cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
            for gid, text in _to_unicode(cmap).items():
                (drawn if 0 < gid < glyphs else boxed).update(text)
    return drawn, boxed


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The many-scripts roster rendered once with the built-in templates: (folder, manifest)."""
    root = tmp_path_factory.mktemp("scripts")
    roster = write_workbook(root / "world.xlsx", many_scripts())
    folder = render_roster(roster, root / "out", load_settings(None, cwd=root, env={})).folder
    assert folder is not None
    return folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def letters(text: str) -> set[str]:
    """The characters of `text` that are drawn (everything but spaces)."""
    return {c for c in text if not c.isspace()}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_character_of_a_name_is_drawn_on_its_sheet(
    rendered: tuple[Path, dict[str, Any]], name: str
) -> None:
    """The athlete's own sheet draws their name, the team and the note with real glyphs."""
    folder, manifest = rendered
    (entry,) = [a for a in manifest["athletes"] if a["name"] == name]
    drawn, boxed = glyph_characters((folder / entry["pdf"]).read_bytes())
    wanted = letters(name + "東京" + NOTE)
    assert wanted <= drawn
    assert not wanted & boxed


@pytest.mark.slow
def test_the_team_summary_draws_every_name(rendered: tuple[Path, dict[str, Any]]) -> None:
    """The coach's summary lists every athlete with real glyphs, no box anywhere."""
    folder, _ = rendered
    drawn, boxed = glyph_characters((folder / "team-summary.pdf").read_bytes())
    assert letters("".join(NAMES)) <= drawn
    assert not boxed


def test_a_character_no_font_has_is_seen_as_a_box(tmp_path: Path) -> None:
    """The glyph check itself can fail: a code point no font has is drawn as the box."""
    name = "王芳\u0378"  # U+0378 is unassigned: no font has a glyph for it
    sheets = many_scripts()
    sheets["Athletes"] = [sheets["Athletes"][0], [name, None, None, None]]
    sheets["Mileage"] = [["Name", "Week of", "Miles"], [name, FIRST_WEEK, 20]]
    roster = write_workbook(tmp_path / "world.xlsx", sheets)
    result = render_roster(roster, tmp_path / "out", load_settings(None, cwd=tmp_path, env={}))
    assert result.folder is not None
    drawn, boxed = glyph_characters((result.folder / "team-summary.pdf").read_bytes())
    assert "\u0378" in boxed
    assert {"王", "芳"} <= drawn


def test_the_installed_fonts_draw_every_script_of_the_roster() -> None:
    """What scripts/setup installs covers every name and the note, as fontconfig sees it."""
    assert FontCoverage.installed().missing("".join(NAMES) + NOTE + "東京") == ""


def test_coverage_merges_font_charsets_and_ignores_what_is_never_drawn() -> None:
    """Overlapping ranges merge; spaces, joiners and direction marks need no font."""
    fonts = FontCoverage(["20-7e a0", "100-17f", "7f-9f"])
    assert fonts.draws("A") and fonts.draws("\u0085") and fonts.draws("ſ")
    assert not fonts.draws("\u0180") and not fonts.draws("\u00a1")
    assert fonts.missing("Ab\u0180 x\u0180\u200d\u200f\ufe0f\u00a1") == "\u0180\u00a1"


def unprintable(tmp_path: Path, name: str = "王芳\u0378") -> Path:
    """A roster whose first athlete's name and note hold a character no font has."""
    sheets = many_scripts()
    sheets["Athletes"][1][0] = name
    sheets["Athletes"][1][3] = "Keep going \u0378"
    for row in sheets["Mileage"][1:]:
        row[0] = name if row[0] == "王芳" else row[0]
    return write_workbook(tmp_path / "world.xlsx", sheets)


def warnings_of(path: Path) -> dict[str, str]:
    """`check`'s warnings for one workbook: Sheet!Cell → message."""
    (result,) = check_rosters([path], LimitSettings())
    return {p.location: p.message for p in result.problems if p.severity == "warning"}


def test_check_names_each_cell_holding_a_character_no_font_draws(tmp_path: Path) -> None:
    """The name and the coach's note are warned about at their cells, the character named."""
    warnings = warnings_of(unprintable(tmp_path))
    assert set(warnings) == {"Athletes!A2", "Athletes!D2"}
    assert warnings["Athletes!A2"].startswith('"王芳\u0378" has characters no installed font')
    assert "(U+0378)" in warnings["Athletes!A2"] and "scripts/setup" in warnings["Athletes!A2"]


def test_a_roster_in_many_scripts_checks_clean(tmp_path: Path) -> None:
    """With the fonts installed, names in eleven scripts give no warning at all."""
    assert warnings_of(write_workbook(tmp_path / "world.xlsx", many_scripts())) == {}


def test_a_machine_without_the_fonts_is_told_which_cells_would_print_boxes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fontconfig with no fonts at all: every printed cell is named, the team's too."""
    (tmp_path / "no-fonts").mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "no-fonts"}</dir>'
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    warnings = warnings_of(write_workbook(tmp_path / "world.xlsx", many_scripts()))
    names = {f"Athletes!A{row}" for row in range(2, 2 + len(NAMES))}
    notes = {f"Athletes!D{row}" for row in range(2, 2 + len(NAMES))}
    groups = {f"Athletes!C{row}" for row in range(2, 2 + len(NAMES))}
    assert set(warnings) == names | notes | groups | {"Team!B2", "Team!B3"}
    assert "U+738B, U+82B3" in warnings["Athletes!A2"]


def test_without_fontconfig_check_says_the_fonts_were_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No fc-list on the PATH: one note saying what to install, and the check still runs."""
    path = unprintable(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    (result,) = check_rosters([path], LimitSettings())
    notes = [p.message for p in result.problems if p.severity == "note"]
    assert any(n.startswith("fonts not checked:") and "fontconfig" in n for n in notes)
    assert result.athletes == len(NAMES) and result.errors == 0
