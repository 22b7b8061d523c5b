"""What tagging (PDF/UA-1) costs a sheet: `.venv/bin/python -m bench.tagging [--rounds N]`.

Every sample athlete's sheet is laid out once per round with the product's templates,
stylesheet, fonts and URL fetcher, then written twice from the same layout: plain and as
PDF/UA-1 (the order alternates by round, so a drifting host favours neither). That prices
tagging alone, which WeasyPrint adds while writing the PDF. The same sheets are then
rendered the product's way (`Renderer.athlete_pdf`, tagged, the stylesheet and fonts shared) to set
that price against what a sheet costs in production. Prints one JSON object and a summary.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reports.models import Assessment, Roster
from reports.render import BUILTIN_TEMPLATES, PDF_VARIANT, STYLESHEET, Renderer
from reports.roster import read_roster
from reports.rules import assess
from reports.settings import LimitSettings, RuleSettings

ROOT = Path(__file__).resolve().parents[1]
RULES = RuleSettings()
WRITES: dict[str, dict[str, Any]] = {"plain": {}, "tagged": {"pdf_variant": PDF_VARIANT}}


def sample_items() -> list[tuple[Roster, Assessment]]:
    """Every sample roster's athletes, assessed."""
    items = []
    for path in sorted((ROOT / "sample_rosters").glob("*.xlsx")):
        roster = read_roster(path, LimitSettings())
        for athlete in roster.athletes:
            items.append((roster, assess(athlete, RULES, roster.report_date, roster.team.units)))
    return items


def timed(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    """Milliseconds a call takes, and what it returned."""
    started = time.perf_counter()
    result = call(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def measure(rounds: int) -> dict[str, Any]:
    """Median ms a sheet for layout, plain write, tagged write and the product's tagged render."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    renderer = Renderer()
    items = sample_items()
    sheets = [renderer.athlete_html(r.team, i, r.report_date, RULES) for r, i in items]
    fonts = FontConfiguration()
    fetcher = renderer.fetcher.for_weasyprint()
    style = (BUILTIN_TEMPLATES / STYLESHEET).read_text(encoding="utf-8")
    css = CSS(string=f"{style}\n@page {{ size: Letter; }}\n", font_config=fonts)
    base = f"{BUILTIN_TEMPLATES}{os.sep}"
    times: dict[str, list[float]] = {
        "layout": [],
        "plain": [],
        "tagged": [],
        "tagging": [],  # each sheet's tagged write less its plain write: paired, so drift cancels
        "product": [],
    }
    sizes: dict[str, int] = {"plain": 0, "tagged": 0}

    for number in range(rounds + 1):  # round 0 warms fonts and caches, and is not counted
        for html in sheets:
            source = HTML(string=html, base_url=base, url_fetcher=fetcher)
            layout, document = timed(source.render, stylesheets=[css], font_config=fonts)
            order = ["plain", "tagged"] if number % 2 else ["tagged", "plain"]
            results = {kind: timed(document.write_pdf, **WRITES[kind]) for kind in order}
            if number:
                times["layout"].append(layout)
                for kind, (ms, pdf) in results.items():
                    times[kind].append(ms)
                    sizes[kind] += len(pdf)
                times["tagging"].append(results["tagged"][0] - results["plain"][0])

    for number in range(rounds + 1):
        for roster, item in items:
            ms, _ = timed(renderer.athlete_pdf, roster.team, item, roster.report_date, RULES)
            if number:
                times["product"].append(ms)

    median = {kind: statistics.median(values) for kind, values in times.items()}
    extra = median["tagging"]
    plain_sheet = median["layout"] + median["plain"]
    return {
        "sheets": len(sheets),
        "rounds": rounds,
        "ms_layout": round(median["layout"], 2),
        "ms_write_plain": round(median["plain"], 2),
        "ms_write_tagged": round(median["tagged"], 2),
        "ms_tagging": round(extra, 2),
        "full_sheet_ratio": round((plain_sheet + extra) / plain_sheet, 3),
        "ms_product_tagged": round(median["product"], 2),
        "product_ratio": round(median["product"] / (median["product"] - extra), 3),
        "bytes_ratio": round(sizes["tagged"] / sizes["plain"], 3),
    }


def main(argv: list[str] | None = None) -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.tagging", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="rounds over the sample sheets")
    figures = measure(parser.parse_args(argv).rounds)
    print(json.dumps(figures))
    print(
        f"{figures['sheets']} sample sheets, {figures['rounds']} rounds (medians, ms a sheet): "
        f"layout {figures['ms_layout']}, write {figures['ms_write_plain']} plain / "
        f"{figures['ms_write_tagged']} tagged: tagging adds {figures['ms_tagging']} ms, "
        f"×{figures['full_sheet_ratio']} a sheet laid out in full, "
        f"×{figures['product_ratio']} of the product's {figures['ms_product_tagged']} ms "
        f"(stylesheet and fonts shared); PDFs ×{figures['bytes_ratio']} the bytes"
    )


if __name__ == "__main__":
    main()
