"""Turn one benchmark run's figures into the acceptance table, on stdout and in RESULTS.md."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

BEGIN = "<!-- figures: written by `python -m bench.federation`; edit outside these markers -->"
END = "<!-- end of figures -->"


def _verdict(ok: bool) -> str:
    """A table cell for a target met or missed."""
    return "**met**" if ok else "**not met**"


def acceptance(figures: dict[str, Any]) -> tuple[dict[str, float], list[tuple[str, str, bool]]]:
    """Per-sheet figures, ratios and each acceptance line with its measured value."""
    small, large = figures["sizes"]
    first, again, changed, big = (figures[k] for k in ("first", "again", "changed", "large"))
    ms = {
        "naive": figures["naive"]["ms_per_sheet"],
        "floor": figures["floor"]["ms_per_doc"],
        "real": first["wall"] / small * 1000,
        "rerun": again["wall"] / small * 1000,
    }
    ms |= {
        "naive/real": ms["naive"] / ms["real"],
        "real/floor": ms["real"] / ms["floor"],
        "rerun/real": again["wall"] / first["wall"],
    }
    sheets = [name for name in changed["rewritten"] if name != "team-summary.pdf"]
    rerun_limit = max(0.05 * first["wall"], 5.0)
    lines = [
        (
            "real path ≥ 3× faster per sheet than the naive baseline",
            f"{ms['naive/real']:.2f}× ({ms['naive']:.0f} ms against {ms['real']:.1f} ms)",
            ms["naive/real"] >= 3,
        ),
        (
            "real path ≤ 8× WeasyPrint's one-line floor per sheet",
            f"{ms['real/floor']:.2f}× ({ms['real']:.1f} ms against {ms['floor']:.1f} ms)",
            ms["real/floor"] <= 8,
        ),
        (
            f"{small:,} athletes: every PDF and the manifest in ≤ 150 s",
            f"{first['wall']:.1f} s ({first['rendered']} sheets and the team summary)",
            first["wall"] <= 150 and first["rendered"] == small,
        ),
        (
            "re-run over the unchanged roster ≤ max(5% of the first run, 5 s), 0 sheets rendered",
            f"{again['wall']:.2f} s against {rerun_limit:.2f} s; {again['rendered']} sheets "
            f"rendered, {again['rewritten']} PDFs rewritten, "
            f"{again['peak_processes']} process(es) at most",
            again["wall"] <= rerun_limit and again["rendered"] == 0 and again["rewritten"] == 0,
        ),
        (
            "one changed athlete re-renders exactly one PDF",
            f"{len(sheets)} athlete PDF ({', '.join(sheets)}), {changed['rendered']} sheet "
            "rendered; team summary "
            + ("re-rendered" if "team-summary.pdf" in changed["rewritten"] else "unchanged"),
            len(sheets) == 1 and changed["rendered"] == 1,
        ),
        (
            f"peak RSS (all processes) at {large:,} < 400 MB and ≤ 1.5× that at {small:,}",
            f"{big['peak_rss_mb']:.0f} MB against {first['peak_rss_mb']:.0f} MB "
            f"({big['peak_rss_mb'] / first['peak_rss_mb']:.2f}×)",
            big["peak_rss_mb"] <= 1.5 * first["peak_rss_mb"] and big["peak_rss_mb"] < 400,
        ),
    ]
    return ms, lines


def _samples(probe: dict[str, Any]) -> str:
    """`2 samples: 210.3, 214.8`: a probe's samples, taken through the run."""
    samples = probe.get("samples", [probe["ms_per_sheet"]])
    return f"{len(samples)} samples taken through the run: " + ", ".join(
        f"{x:.1f}" for x in samples
    )


def _runs_table(figures: dict[str, Any]) -> list[str]:
    """Every measured command: wall, CPU, memory, and how much of the machine it had."""
    small, large = figures["sizes"]
    rows = [
        ("(3) render, first run", small, figures["first"]),
        ("(4) render, unchanged roster", small, figures["again"]),
        ("render, one athlete changed", small, figures["changed"]),
        ("(5) render, first run", large, figures["large"]),
    ]
    out = [
        "| command | athletes | wall s | CPU s (all processes) | peak RSS MB | peak PSS MB "
        "| processes | machine free for it |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, size, run in rows:
        out.append(
            f"| {name} | {size:,} | {run['wall']:.2f} | {run['cpu']:.1f} | {run['peak_rss_mb']:.0f} "
            f"| {run['peak_pss_mb']:.0f} | {run['peak_processes']} | {run['share']:.0%} |"
        )
    return out


def markdown(figures: dict[str, Any]) -> str:
    """The figures section of RESULTS.md."""
    ms, lines = acceptance(figures)
    m = figures["machine"]
    small, _ = figures["sizes"]
    text = [
        BEGIN,
        f"Measured {datetime.now():%Y-%m-%d %H:%M} on {m['cores']} cores ({m['cpu']}), "
        f"{m['memory']}, Python {m['python']}, {m['system']}; load average before the run "
        f"{m['load average before']}.",
        "",
        "| per sheet | ms |",
        "|---|---:|",
        f"| (1) naive baseline: fresh `HTML().write_pdf()` per athlete, CSS inline, "
        f"nothing shared (one process, {figures['naive']['sheets']} sheets; mean of "
        f"{_samples(figures['naive'])}) | {ms['naive']:.1f} |",
        f"| (2) WeasyPrint's floor: one-line document, default call (one process; mean of "
        f"{len(figures['floor']['samples'])} samples of {figures['floor']['docs']} documents taken "
        f"through the run: {', '.join(f'{x:.1f}' for x in figures['floor']['samples'])}) "
        f"| {ms['floor']:.1f} |",
        f"| for reference: (1) writing the same tagged PDF/UA-1 as the real path "
        f"(`pdf_variant`), the same {figures['naive_tagged']['sheets']} athletes, one sample "
        f"| {figures['naive_tagged']['ms_per_sheet']:.1f} |",
        f"| for reference: one process, one Renderer (fonts and stylesheet shared), no pool, the "
        f"same {figures['shared']['sheets']} athletes as (1) | {figures['shared']['ms_per_sheet']:.1f} |",
        f"| (3) real path: `cramp-reports render` of {small:,} athletes, wall time on all "
        f"cores, start-up and roster reading included | {ms['real']:.1f} |",
        f"| (4) re-run over the unchanged roster | {ms['rerun']:.2f} |",
        "",
        f"Ratios: (1)/(3) = **{ms['naive/real']:.2f}**, (3)/(2) = **{ms['real/floor']:.2f}**, "
        f"(4)/(3) = **{ms['rerun/real']:.3f}**. The verdict below is on (1), a plain PDF; "
        f"against the tagged naive sheet, which does the same work as the real path, the "
        f"ratio is {figures['naive_tagged']['ms_per_sheet'] / ms['real']:.2f}.",
        "",
        "| acceptance line | measured | verdict |",
        "|---|---|---|",
        *(f"| {what} | {value} | {_verdict(ok)} |" for what, value, ok in lines),
        "",
        *_runs_table(figures),
        "",
        '"Machine free for it" is the share of all cores the rest of the machine left idle '
        "while the command ran: other work on a shared machine slows every figure here.",
        "",
        "What each part of a typical sheet (two findings, a coach note) adds, in ms, "
        f"measured by leaving it out (whole sheet {figures['parts']['whole_ms']:.0f} ms, "
        "one process):",
        "",
        "| part | ms |",
        "|---|---:|",
        *(f"| {k} | {v:.1f} |" for k, v in figures["parts"]["parts_ms"].items()),
        "",
        "The same sheet by step (medians, ms): "
        + ", ".join(f"{k} {v:.1f}" for k, v in figures["parts"]["phases_ms"].items())
        + f"; the Jinja templating before it {figures['parts']['templating_ms']:.1f}.",
        "",
        f"Profile of the real path, {figures['profile']['sheets']} sheets in one worker "
        f"(cProfile, {figures['profile']['ms_per_sheet_profiled']:.0f} ms a sheet with the "
        "profiler on), by cumulative time:",
        "",
        "```",
        *figures["profile"]["cumulative"],
        "```",
        "",
        "and by own time:",
        "",
        "```",
        *figures["profile"]["tottime"],
        "```",
        END,
    ]
    return "\n".join(text)


def write_results(path: Path, figures: dict[str, Any]) -> None:
    """Print the acceptance table and put the figures into RESULTS.md between the markers."""
    section = markdown(figures)
    print(section.split("| acceptance line")[0].split(BEGIN)[1])
    _, lines = acceptance(figures)
    for what, value, ok in lines:
        print(f"{'MET    ' if ok else 'NOT MET'}  {what}: {value}")
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    if BEGIN in old and END in old:
        text = old.split(BEGIN)[0] + section + old.split(END, 1)[1]
    else:
        text = f"# Benchmark results\n\n{section}\n"
    path.write_text(text, encoding="utf-8")
    raw = path.with_suffix(".json")
    raw.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
