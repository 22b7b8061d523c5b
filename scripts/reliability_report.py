"""Run the reliability suite and write docs/reliability.md from what its tests observed.

Each reliability test records its row (category, case, expected, observed) as pytest user
properties (see `Reliability` in tests/conftest.py); this script runs those tests with a
JUnit XML report, reads the rows back with their pass/fail result and writes the table.
It exits 1 if any test failed or the table has too few rows. Run it as
`scripts/reliability_report` (extra arguments go to pytest).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
SUITE = [
    "tests/test_hostile.py",
    "tests/test_fuzz.py",
    "tests/test_faults.py",
    "tests/test_kill_points.py",
    "tests/test_concurrency.py",
    "tests/test_secrets.py",
]
CATEGORIES = {
    "hostile": "Hostile inputs",
    "fault": "Faults and crashes",
    "concurrency": "Concurrency",
    "security": "Security",
}
MINIMUM = {"hostile": 25, "fault": 8}

INTRODUCTION = """\
# Reliability and security

What cramp-reports does when the shared folder receives hostile files, when the mail
server or the disk fails, when a pass is killed, and when two processes meet on one
folder. Every row is one test of the suite (`tests/test_hostile.py`, `test_fuzz.py`,
`test_faults.py`, `test_kill_points.py`, `test_concurrency.py`, `test_secrets.py`); the
*observed* column is what that test saw on its last run, and *result* whether it passed.
The suite runs in CI with the rest of the tests.

This file is generated: run `scripts/reliability_report` to run the suite and rewrite it.

## How the guarantees are kept

- **Nothing lost.** A workbook leaves the inbox only after its batch is complete: it is
  linked into `archive/` or `rejected/` before it is removed from the inbox. A roster
  replaced in the inbox while a pass works on the old copy is not archived unread.
- **Nothing sent twice.** Every message is recorded in the ledger (with its exact bytes)
  before it is handed over and marked sent after. A pass killed in between resends the
  identical bytes under the same Message-ID; the outbox writes one file per Message-ID,
  so an outbox resend never duplicates. With SMTP, a crash after the server accepted a
  message but before the ledger recorded it sends that one message again, with the same
  Message-ID (so mail systems that de-duplicate by Message-ID drop it); no protocol can
  close that window on the sender's side.
- **No half files.** PDFs, manifests, `.eml` files and error reports are written to a
  hidden temporary name, synced, then renamed; a pass cleans up the temporary files a
  killed pass left behind, and marks its unfinished batches as interrupted.
- **One pass at a time.** The working folder is locked (`flock`) for the length of a
  pass. A second `run` waits for the first to finish (`run --wait SECONDS`, 60 by
  default), then takes whatever is new, so overlapping cron jobs both succeed; after the
  wait it exits 2 naming the other process. A `run` never waits for a `serve`, which
  holds the folder for as long as it runs: it exits 2 at once saying so.
- **Nothing leaves the folder.** Links in the inbox are never followed (not even one
  swapped in after the scan), pipes and folders are never read, and output names are
  built from a short ASCII slug that is valid on Windows shares.
- **No secret shown.** The SMTP password comes from an environment variable and is
  scrubbed, plain and base64-encoded, from every error before it is printed, logged
  or stored.
"""


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    category: str
    case: str
    expected: str
    observed: str
    passed: bool


def run_suite(report: Path, extra: list[str]) -> int:
    """Run the reliability tests, writing a JUnit XML report with their properties."""
    command = [sys.executable, "-m", "pytest", *SUITE, "-q", "-p", "no:cacheprovider",
               f"--junitxml={report}", "-o", "junit_family=xunit1", *extra]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def read_rows(report: Path) -> list[Row]:
    """The rows the tests recorded, each with whether its test passed."""
    rows = []
    for case in ET.parse(report).getroot().iter("testcase"):
        found: dict[str, str] = {}
        for prop in case.iter("property"):
            found[prop.get("name", "")] = prop.get("value", "")  # the last value wins
        if "reliability.case" not in found:
            continue
        failed = any(case.find(tag) is not None for tag in ("failure", "error", "skipped"))
        rows.append(
            Row(
                found["reliability.category"],
                found["reliability.case"],
                found["reliability.expected"],
                found.get("reliability.observed", "(the test stopped before it observed)"),
                not failed,
            )
        )
    return rows


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def render(rows: list[Row]) -> str:
    """The whole document."""
    by_category: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_category[row.category].append(row)
    passed = sum(row.passed for row in rows)
    counts = ", ".join(f"{len(by_category[c])} {c}" for c in CATEGORIES if by_category[c])
    lines = [INTRODUCTION, f"**{passed} of {len(rows)} cases pass** ({counts}).", ""]
    number = 0
    for category, title in CATEGORIES.items():
        if not by_category[category]:
            continue
        lines += [f"## {title}", "", "| # | Case | Expected | Observed | Result |",
                  "|---|---|---|---|---|"]  # fmt: skip
        for row in by_category[category]:
            number += 1
            result = "pass" if row.passed else "**FAIL**"
            lines.append(
                f"| {number} | {cell(row.case)} | {cell(row.expected)} | "
                f"{cell(row.observed)} | {result} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Run, write the document, and say whether every row passed."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "reliability.xml"
        code = run_suite(report, argv)
        if not report.exists():
            print("reliability_report: the suite produced no report", file=sys.stderr)
            return 1
        rows = read_rows(report)
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(rows), encoding="utf-8")
    failed = [row.case for row in rows if not row.passed]
    short = [
        f"{need} {category} cases needed, {have} found"
        for category, need in MINIMUM.items()
        if (have := sum(row.category == category for row in rows)) < need
    ]
    print(f"wrote {DOC.relative_to(ROOT)}: {len(rows)} cases, {len(failed)} failing")
    for problem in [*(f"FAILED: {case}" for case in failed), *short]:
        print(f"reliability_report: {problem}", file=sys.stderr)
    return 1 if code or failed or short else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
