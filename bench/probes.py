"""Single-process measurements, each run in a fresh interpreter: `python -m bench.probes NAME ...`.

`naive ROSTER N [tagged]`: N athletes' sheets the naive way (fresh `HTML().write_pdf()`,
CSS inline, no shared fonts or stylesheet), plain or as the real path's tagged PDF/UA-1. `shared ROSTER N`: the same athletes with one
Renderer (fonts and stylesheet shared) in one process. `profile ROSTER N`: cProfile of N
sheets as a worker renders them. `parts ROSTER`: what each part of a typical sheet costs,
and its time in each public step of WeasyPrint.
Athletes are spread evenly over the roster. Each probe prints one JSON object.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reports.models import Assessment, Roster
from reports.render import BUILTIN_TEMPLATES, PDF_VARIANT, STYLESHEET, Renderer
from reports.roster import read_roster
from reports.rules import assess
from reports.settings import LimitSettings, RuleSettings

RULES = RuleSettings()
LIMITS = LimitSettings()
# Regions of the athlete sheet, cut out one at a time to price each (see `parts`).
PARTS = {
    "masthead": r'<header class="masthead">.*?</header>',
    "what we noticed": r'<section class="noticed">.*?</section>',
    "8-week chart and table": r'<div class="weeks-block">.*?</table>\s*</div>',
    "chart (SVG) alone": r"<svg.*?</svg>",
    "mid-run box": r'<aside class="cramp-box">.*?</aside>',
    "plan (advice)": r'<section class="plan">.*?</section>',
    "everyday habits": r'<section class="habits">.*?</section>',
    "coach note": r'<section class="coach-note">.*?</section>',
    "disclaimer": r'<footer class="disclaimer">.*?</footer>',
    "page footer (margin boxes)": r"",
}


def assessed(path: Path, count: int) -> tuple[Roster, list[Assessment]]:
    """The roster and `count` of its athletes, spread evenly over it, assessed."""
    roster = read_roster(path, LIMITS)
    step = max(1, len(roster.athletes) // count)
    athletes = roster.athletes[::step][:count]
    return roster, [assess(a, RULES, roster.report_date, roster.team.units) for a in athletes]


def naive(path: Path, count: int, tagged: bool = False) -> dict[str, Any]:
    """ms per sheet: the project's templates, a fresh HTML per athlete, CSS inline, nothing shared.

    `tagged` writes the same tagged PDF/UA-1 the real path writes, rather than a plain PDF.
    """
    from weasyprint import HTML

    options = {"pdf_variant": PDF_VARIANT} if tagged else {}

    roster, assessments = assessed(path, count + 1)
    renderer = Renderer()  # Jinja only: templating is not what sharing saves
    style = (BUILTIN_TEMPLATES / STYLESHEET).read_text(encoding="utf-8")
    inline = f"<style>{style}\n@page {{ size: Letter; }}</style></head>"
    base = f"{BUILTIN_TEMPLATES}/"

    def one(item: Assessment) -> bytes:
        html = renderer.athlete_html(roster.team, item, roster.report_date, RULES)
        source = HTML(string=html.replace("</head>", inline, 1), base_url=base)
        return bytes(source.write_pdf(**options))

    one(assessments[0])
    started = time.perf_counter()
    for item in assessments[1:]:
        one(item)
    elapsed = time.perf_counter() - started
    return {"ms_per_sheet": elapsed / count * 1000, "sheets": count, "tagged": tagged}


def shared(path: Path, count: int) -> dict[str, Any]:
    """ms per sheet in one process with one Renderer: fonts and stylesheet shared, no pool."""
    roster, assessments = assessed(path, count + 1)
    renderer = Renderer()
    renderer.athlete_pdf(roster.team, assessments[0], roster.report_date, RULES)
    started = time.perf_counter()
    for item in assessments[1:]:
        renderer.athlete_pdf(roster.team, item, roster.report_date, RULES)
    elapsed = time.perf_counter() - started
    return {"ms_per_sheet": elapsed / count * 1000, "sheets": count}


def profile(path: Path, count: int, top: int = 14) -> dict[str, Any]:
    """The real path's hottest functions over `count` sheets, by cumulative and own time."""
    roster, assessments = assessed(path, count)
    renderer = Renderer()
    renderer.athlete_pdf(roster.team, assessments[0], roster.report_date, RULES)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for item in assessments:
        renderer.athlete_pdf(roster.team, item, roster.report_date, RULES)
    profiler.disable()
    elapsed = time.perf_counter() - started

    def table(order: str) -> list[str]:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip().startswith("ncalls"))
        return [_short(line) for line in lines[start : start + top + 1]]

    return {
        "sheets": count,
        "ms_per_sheet_profiled": elapsed / count * 1000,
        "cumulative": table("cumulative"),
        "tottime": table("tottime"),
    }


def parts(path: Path, rounds: int = 15) -> dict[str, Any]:
    """ms each region of a typical sheet adds (the sheet without it, against the whole sheet).

    The sheet is laid out as a worker lays it out (one Renderer: fonts and stylesheet
    shared). The variants take turns one sheet at a time and each gives its median: this
    host's speed drifts within seconds, and turns spread the drift over all of them. The
    whole sheet is also timed by phase through the public API: `HTML()` (parsing),
    `render()` (styles and layout) and `write_pdf()` (drawing and writing the PDF).
    """
    roster, assessments = assessed(path, 200)
    renderer = Renderer()
    # One page: on a sheet just spilling onto a second, leaving out anything saves a page.
    typical = next(
        a
        for a in assessments
        if len(a.findings) == 2
        and a.athlete.coach_note
        and _pages(renderer.athlete_pdf(roster.team, a, roster.report_date, RULES)) == 1
    )
    html = renderer.athlete_html(roster.team, typical, roster.report_date, RULES)
    engine = renderer.engine()
    variants: dict[str, Callable[[], Any]] = {"whole sheet": lambda: engine.pdf(html)}
    for name, pattern in PARTS.items():
        if pattern:
            cut = re.sub(pattern, "", html, count=1, flags=re.S)
            assert cut != html, f"{name}: not found in the sheet"
            variants[name] = lambda cut=cut: engine.pdf(cut)  # type: ignore[misc]
    no_footer = _without_footer(renderer)
    variants["page footer (margin boxes)"] = lambda: no_footer(html)
    variants["templating (Jinja)"] = lambda: renderer.athlete_html(
        roster.team, typical, roster.report_date, RULES
    )
    times: dict[str, list[float]] = {name: [] for name in variants}
    phases: dict[str, list[float]] = {"parse": [], "styles and layout": [], "draw and write": []}
    for run in variants.values():
        run()
    for _ in range(rounds):
        for name, run in variants.items():
            started = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - started) * 1000)
        for phase, ms in _phases(engine, html).items():
            phases[phase].append(ms)
    median = {name: statistics.median(values) for name, values in times.items()}
    whole = median.pop("whole sheet")
    templating = median.pop("templating (Jinja)")
    return {
        "whole_ms": whole,
        "templating_ms": templating,
        "phases_ms": {k: statistics.median(v) for k, v in phases.items()},
        "parts_ms": {k: whole - v for k, v in median.items()},
        "findings": len(typical.findings),
    }


def _phases(engine: Any, html: str) -> dict[str, float]:
    """One sheet's time in each public step of WeasyPrint, in ms."""
    from weasyprint import HTML

    marks = [time.perf_counter()]
    source = HTML(string=html, base_url=engine.base_url, url_fetcher=engine.fetcher)
    marks.append(time.perf_counter())
    document = source.render(stylesheets=[engine.css], font_config=engine.font_config)
    marks.append(time.perf_counter())
    document.write_pdf()
    marks.append(time.perf_counter())
    names = ("parse", "styles and layout", "draw and write")
    return {name: (marks[i + 1] - marks[i]) * 1000 for i, name in enumerate(names)}


def _pages(pdf: bytes) -> int:
    """How many pages a PDF has."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _without_footer(renderer: Renderer) -> Callable[[str], bytes]:
    """Lay out HTML as a worker does, with the stylesheet minus its page-footer margin boxes."""
    from weasyprint import CSS, HTML

    engine = renderer.engine()
    text = (BUILTIN_TEMPLATES / STYLESHEET).read_text(encoding="utf-8")
    text = re.sub(r"@bottom-(left|right) \{.*?\}", "", text, flags=re.S)
    css = CSS(string=text + "\n@page { size: Letter; }", font_config=engine.font_config)

    def lay_out(html: str) -> bytes:
        source = HTML(string=html, base_url=engine.base_url, url_fetcher=engine.fetcher)
        return bytes(source.write_pdf(stylesheets=[css], font_config=engine.font_config))

    return lay_out


def _short(line: str) -> str:
    """A pstats line with site-packages paths cut to the package."""
    return re.sub(r"\S*/(site-packages|lib/python3\.\d+|main)/", "", line.rstrip())


def main(argv: list[str]) -> None:
    """Run one probe and print its JSON."""
    name, *args = argv
    if name == "naive":
        result = naive(Path(args[0]), int(args[1]), tagged=args[2:] == ["tagged"])
    elif name == "shared":
        result = shared(Path(args[0]), int(args[1]))
    elif name == "profile":
        result = profile(Path(args[0]), int(args[1]))
    elif name == "parts":
        result = parts(Path(args[0]))
    else:
        raise SystemExit(f"unknown probe {name!r}: naive, shared, profile or parts")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
