"""Warnings for printed text that no installed font can draw, naming the cell it came from."""

from __future__ import annotations

import logging
from dataclasses import replace

from reports.errors import RenderError
from reports.models import Problem, Roster
from reports.render.coverage import FontCoverage

log = logging.getLogger(__name__)

_SHOWN = 5  # characters named in one warning; more are counted


def with_font_warnings(roster: Roster, coverage: FontCoverage | None = None) -> Roster:
    """`roster` with a warning for each printed cell holding a character no font draws.

    When fontconfig cannot be asked, the roster gets one note saying so instead.
    """
    try:
        fonts = coverage or FontCoverage.installed()
    except RenderError as err:
        log.warning("%s: %s", roster.source, err)
        found: list[Problem] = [Problem("note", f"fonts not checked: {err}")]
    else:
        found = [
            Problem("warning", _message(text.text, missing), text.sheet, text.cell)
            for text in roster.texts
            if (missing := fonts.missing(text.text))
        ]
    if not found:
        return roster
    # Problems stay ordered by severity: the new warnings go after the reader's, before notes.
    problems = [p for p in roster.problems if p.severity != "note"]
    problems += [p for p in found if p.severity != "note"]
    problems += [p for p in (*roster.problems, *found) if p.severity == "note"]
    return replace(roster, problems=tuple(problems))


def _message(text: str, missing: str) -> str:
    """What is wrong with `text` and how to fix it, naming each character by its code point."""
    named = ", ".join(f"U+{ord(c):04X}" for c in missing[:_SHOWN])
    more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
    shown = text if len(text) <= 40 else f"{text[:39]}…"
    return (
        f'"{shown}" has characters no installed font can draw ({named}{more}) — the sheets '
        "show an empty box for each; install fonts for them on the machine that renders "
        "the sheets (scripts/setup installs fonts for every common script), or correct the text"
    )
