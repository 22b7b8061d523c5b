"""Federation-scale benchmark: thousands of sheets, side by side with the naive way and WeasyPrint's floor.

Run from the project root (about 20 minutes on 2 cores, most of them for the 10,000 sheets;
nothing is sent, nothing in the project is touched but `bench/RESULTS.md` and `.json`):

    .venv/bin/python -m bench.federation

It writes seeded synthetic rosters (2,000 and 10,000 athletes, eight weeks) to a work
folder, then measures in one run: (1) the naive baseline (and, for reference, the same
writing the real path's tagged PDF/UA-1), (2) WeasyPrint's floor, (3) the real
`cramp-reports render` of the whole roster, (4) the same over the unchanged roster, one
changed athlete, and (5) the peak memory of (3) at 2,000 and at 10,000 athletes.
`--sizes 300 1500 --naive 12` gives a quick smoke run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import openpyxl

from bench.measure import Run, machine, measure, python
from bench.report import write_results
from bench.synthetic import write_roster

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def probe(module: str, *args: str) -> dict[str, Any]:
    """Run one measurement module in a fresh interpreter and return its JSON."""
    run = measure(python("-m", module, *args), cwd=ROOT)
    if run.returncode:
        raise SystemExit(f"{module} {' '.join(args)} failed:\n{run.output}")
    result: dict[str, Any] = json.loads(run.output.strip().splitlines()[-1])
    result["share"] = run.share
    return result


def render(roster: Path, out: Path) -> Run:
    """`cramp-reports render ROSTER --out OUT` as a user runs it, measured."""
    run = measure(python("-m", "reports", "-q", "render", str(roster), "--out", str(out)), ROOT)
    if run.returncode:
        raise SystemExit(f"render failed:\n{run.output}")
    return run


def figures_of(run: Run, **extra: Any) -> dict[str, Any]:
    """A run's numbers (not its output) for the results, with `extra` added."""
    numbers = {k: v for k, v in dataclasses.asdict(run).items() if k != "output"}
    return numbers | {"share": run.share, "rendered": rendered_count(run)} | extra


def rendered_count(run: Run) -> int:
    """How many sheets the run says it rendered."""
    line = next(line for line in run.output.splitlines() if "sheet(s) rendered" in line)
    return int(line.split(" sheet(s) rendered")[0].rsplit(" ", 1)[1])


def pdf_identities(out: Path) -> dict[str, tuple[int, int]]:
    """Each PDF under `out`: (inode, mtime); a rewritten file changes both."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.pdf")}


def change_one_athlete(roster: Path, out: Path, into: Path) -> str:
    """Copy the roster to `into` (same file name) with one low-risk athlete's oldest logged week +1."""
    (manifest,) = out.rglob("manifest.json")
    athletes = json.loads(manifest.read_text())["athletes"]
    low = [a for a in athletes if a["risk"] == "low"]
    name = low[len(low) // 2]["name"]
    book = openpyxl.load_workbook(roster)
    sheet = book["Mileage"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == name)
    cell = next(c for c in row[1:] if isinstance(c.value, int | float))
    cell.value += 1
    into.mkdir(parents=True, exist_ok=True)
    book.save(into / roster.name)
    return str(name)


def main(argv: list[str] | None = None) -> None:
    """Build the rosters, take every measurement, print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[2000, 10000], metavar="N")
    parser.add_argument("--naive", type=int, default=60, help="sheets for the naive baseline")
    parser.add_argument("--floor", type=int, default=150, help="documents per floor sample")
    parser.add_argument("--profile", type=int, default=30, help="sheets to profile")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="cramp-bench-"))
    small, large = args.sizes
    figures: dict[str, Any] = {"machine": machine(), "sizes": [small, large]}
    print(f"work folder {work}; machine {figures['machine']}", flush=True)

    rosters = {
        n: write_roster(work / f"federation-{n}" / "federation.xlsx", n) for n in (small, large)
    }
    floors = [probe("bench.floor", str(args.floor))]
    print(f"(2) floor: {floors[-1]['ms_per_doc']:.1f} ms per document", flush=True)
    naive = [probe("bench.probes", "naive", str(rosters[small]), str(args.naive))]
    print(f"(1) naive: {naive[-1]['ms_per_sheet']:.1f} ms per sheet", flush=True)
    figures["naive_tagged"] = probe(
        "bench.probes", "naive", str(rosters[small]), str(args.naive), "tagged"
    )
    print(f"naive, tagged: {figures['naive_tagged']['ms_per_sheet']:.1f} ms per sheet", flush=True)
    figures["shared"] = probe("bench.probes", "shared", str(rosters[small]), str(args.naive))
    print(f"shared, one process: {figures['shared']['ms_per_sheet']:.1f} ms per sheet", flush=True)
    floors.append(probe("bench.floor", str(args.floor)))

    out = work / "out"
    first = render(rosters[small], out)
    figures["first"] = figures_of(first)
    print(f"(3) render {small}: {first.wall:.1f} s, {rendered_count(first)} sheets", flush=True)
    identities = pdf_identities(out)
    again = render(rosters[small], out)
    rewritten = sum(identities.get(k) != v for k, v in pdf_identities(out).items())
    figures["again"] = figures_of(again, rewritten=rewritten)
    print(f"(4) re-run: {again.wall:.2f} s, {rendered_count(again)} sheets", flush=True)
    identities = pdf_identities(out)
    name = change_one_athlete(rosters[small], out, work / "changed")
    changed = render(work / "changed" / rosters[small].name, out)
    after = pdf_identities(out)
    figures["changed"] = figures_of(
        changed,
        athlete=name,
        rewritten=sorted(k for k, v in after.items() if identities.get(k) != v),
    )
    print(f"one changed athlete: {figures['changed']['rewritten']}", flush=True)
    shutil.rmtree(out)
    floors.append(probe("bench.floor", str(args.floor)))
    # Sampled before and after the real path, like the floor: the host's speed drifts.
    naive.append(probe("bench.probes", "naive", str(rosters[small]), str(args.naive)))
    print(f"(1) naive, again: {naive[-1]['ms_per_sheet']:.1f} ms per sheet", flush=True)
    figures["naive"] = naive[0] | {
        "samples": [n["ms_per_sheet"] for n in naive],
        "ms_per_sheet": sum(n["ms_per_sheet"] for n in naive) / len(naive),
    }

    big = render(rosters[large], work / "out-large")
    figures["large"] = figures_of(big)
    print(f"(5) render {large}: {big.wall:.1f} s, peak RSS {big.peak_rss_mb:.0f} MB", flush=True)
    shutil.rmtree(work / "out-large")

    floors.append(probe("bench.floor", str(args.floor)))
    samples = [f["ms_per_doc"] for f in floors]
    figures["floor"] = {"samples": samples, "ms_per_doc": sum(samples) / len(samples)}
    figures["floor"]["docs"] = args.floor
    figures["profile"] = probe("bench.probes", "profile", str(rosters[small]), str(args.profile))
    figures["parts"] = probe("bench.probes", "parts", str(rosters[small]))
    write_results(args.results, figures)
    print(f"wrote {args.results}")
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
