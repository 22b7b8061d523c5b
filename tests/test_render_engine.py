"""The PDF engine draws a coach's template exactly as WeasyPrint draws the same HTML on its own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from weasyprint import HTML

from reports.models import Assessment, Finding, Team
from reports.render import Renderer
from reports.render.engine import harfbuzz_subset_available
from reports.settings import RuleSettings

from conftest import TODAY, make_athlete

RULES = RuleSettings()
TEAM = Team(name="Harbor Harriers", coach="Dana Brooks", coach_email="dana@example.org")

# Inline styles next to `lang` and `id` attributes, the same paragraph in parents of other
# colours and fonts, and the same markup again further down: what a shared-style or a
# laid-out-once shortcut gets wrong without an error.
CUSTOM = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ athlete.name }}</title>
<style>
@page { size: Letter; margin: 1.5cm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 11pt; }
.cool { color: #1565c0; }
.same { margin: 3pt 0; padding: 2pt 4pt; border-left: 2pt solid currentColor; }
</style></head>
<body>
<h1 style="color: #b00020" lang="fr" id="name">{{ athlete.name }}</h1>
<p style="color: #1b5e20; font-weight: bold" lang="fr">Même langue, un autre style : vert.</p>
<p style="font-size: 15pt" id="big">An inline size with an id.</p>
<p lang="de" id="plain">Kein eigener Stil: schwarz.</p>
<div style="color: #6a1b9a; font-family: 'DejaVu Serif', serif">
  <p class="same" lang="en">Stop, massage the calf, then stretch it gently.</p>
  <div class="cool"><p class="same" lang="en">Stop, massage the calf, then stretch it gently.</p>
    <div style="color: #e65100; font-style: italic">
      <p class="same" lang="en">Stop, massage the calf, then stretch it gently.</p>
    </div>
  </div>
</div>
{% for finding in findings %}
<p style="color: #00838f" lang="en" id="finding-{{ loop.index }}">{{ finding.evidence }}</p>
{% endfor %}
<p class="same" lang="en">Stop, massage the calf, then stretch it gently.</p>
</body></html>
"""


def page_images(pdf: bytes, folder: Path, name: str) -> list[bytes]:
    """Each page of a PDF as raw pixels (PPM at 100 dpi), in page order."""
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "100", folder / f"{name}.pdf", folder / name],
        check=True,
        capture_output=True,
    )
    return [p.read_bytes() for p in sorted(folder.glob(f"{name}-*.ppm"))]


def assessment(name: str, *evidence: str) -> Assessment:
    """An athlete with one finding per piece of evidence."""
    findings = tuple(Finding("pacing", "act", text, "best supported") for text in evidence)
    return Assessment(make_athlete(name=name), findings, "high" if findings else "low")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_custom_template_draws_exactly_as_plain_weasyprint(tmp_path: Path) -> None:
    """Inline styles with lang/id and nested colours: every page's pixels as `HTML().write_pdf()`."""
    custom = tmp_path / "templates"
    custom.mkdir()
    (custom / "athlete.html").write_text(CUSTOM, encoding="utf-8")
    (custom / "style.css").write_text("", encoding="utf-8")  # the page size comes from the HTML
    renderer = Renderer(custom)
    athletes = [
        assessment("Maya Chen", "Your cramp on Nov 14 came in a race.", "A second finding."),
        assessment("Léa Dubois"),
        assessment("Sam O'Neil", "Your cramp on Nov 2 came 70 minutes into a long run."),
    ]
    compared = 0
    for number, item in enumerate(athletes):
        html = renderer.athlete_html(TEAM, item, TODAY, RULES)
        ours = page_images(
            renderer.athlete_pdf(TEAM, item, TODAY, RULES), tmp_path, f"ours{number}"
        )
        theirs = page_images(HTML(string=html).write_pdf(), tmp_path, f"plain{number}")
        assert ours and len(ours) == len(theirs)
        assert ours == theirs, f"{item.athlete.name}: the pages differ from plain WeasyPrint"
        compared += len(ours)
    assert compared == len(athletes)


def test_harfbuzz_subset_is_found_without_loading_weasyprint_internals() -> None:
    """The check answers from the system's libraries (a bool), whatever is installed."""
    assert isinstance(harfbuzz_subset_available(), bool)
