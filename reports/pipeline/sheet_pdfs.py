"""One roster's sheets: evaluate every athlete, key each sheet, render what changed, write the manifest.

A sheet's key hashes everything that goes into it: the package version, the templates and
page size (`Renderer.digest`), the team, the report date, the rule settings and the
athlete's assessment. The manifest records each key, so a re-run renders only sheets
whose key changed, and starts no worker process at all when none did.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reports import __version__, outputs
from reports.chart import SummaryView, summary_view
from reports.history import since
from reports.models import Assessment, DeliveryOutcome, PreviousSheet, Roster, Since, Team
from reports.pipeline.pool import SheetJob, SummaryJob, render_jobs
from reports.render import Renderer
from reports.rules import assess
from reports.settings import RuleSettings, Settings

log = logging.getLogger(__name__)

# The team summary's entry among sheet keys: no athlete id can be this (ids have no "\0").
SUMMARY_ENTRY = "\0summary"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Sheet:
    """One athlete's sheet: the assessment, its content key and where its PDF lives."""

    assessment: Assessment
    key: str
    slug: str
    pdf: Path

    @property
    def athlete_key(self) -> str:
        """The athlete's stable key (ID column, else normalized name)."""
        return self.assessment.athlete.key


@dataclass(frozen=True)
class RosterSheets:
    """Every sheet of one roster, rendered and on disk, plus the team summary."""

    roster: Roster
    folder: Path
    sheets: tuple[Sheet, ...]
    summary_pdf: Path
    summary_key: str
    rendered: int


class SheetKeys:
    """Sheet keys that share one prefix (versions, templates, team, date, rules), hashed once."""

    def __init__(self, digest: str, team: Team, report_date: date, rules: RuleSettings) -> None:
        # repr() of the frozen dataclasses is exact (floats round-trip) and far quicker than
        # JSON of asdict(); a Python that printed them differently would only re-render once.
        self._prefix = hashlib.sha256(
            f"{__version__}\0{digest}\0{team!r}\0{report_date!r}\0{rules!r}\0".encode()
        )

    def sheet(self, assessment: Assessment) -> str:
        """The key of one athlete's sheet."""
        sha = self._prefix.copy()
        sha.update(repr(assessment).encode())
        return sha.hexdigest()

    def summary(self, view: SummaryView) -> str:
        """The key of the team summary: exactly what it shows."""
        sha = self._prefix.copy()
        sha.update(b"summary\0" + repr(view).encode())
        return sha.hexdigest()


def prepare_sheets(
    roster: Roster,
    settings: Settings,
    renderer: Renderer,
    out_root: Path,
    *,
    progress: Progress | None = None,
    stop: Callable[[], bool] = lambda: False,
    history: Mapping[str, PreviousSheet] | None = None,
) -> RosterSheets:
    """Evaluate, key and render one roster's sheets into `out/<team>/<date>/`, reusing unchanged PDFs.

    `history` holds each athlete's previous sheet (from the ledger): their sheet says what changed.
    """
    team, report_date = roster.team, roster.report_date
    folder = outputs.batch_folder(out_root, team.name, report_date.isoformat())
    manifest = outputs.read_manifest(folder) or {}
    previous = _previous_keys(folder, manifest)
    keys = SheetKeys(renderer.digest(), team, report_date, settings.rules)
    slugs = outputs.unique_slugs([(a.key, a.name) for a in roster.athletes])
    renamed = _renamed_files(manifest, {key: f"{slug}.pdf" for key, slug in slugs.items()})
    sheets: list[Sheet] = []
    jobs: list[SheetJob] = []
    for athlete in roster.athletes:
        assessment = assess(athlete, settings.rules, report_date, team.units)
        if history and athlete.key in history:
            change = since(history[athlete.key], assessment, report_date)
            assessment = dataclasses.replace(assessment, since=change)
        sheet = Sheet(
            assessment,
            keys.sheet(assessment),
            slugs[athlete.key],
            folder / f"{slugs[athlete.key]}.pdf",
        )
        sheets.append(sheet)
        reusable = previous.get(athlete.key) == sheet.key and athlete.key not in renamed
        if not reusable or not sheet.pdf.is_file():
            jobs.append(SheetJob(team, assessment, report_date, settings.rules, sheet.pdf))
    view = summary_view(roster, [s.assessment for s in sheets], settings.rules)
    summary_key = keys.summary(view)
    summary_pdf = folder / outputs.SUMMARY
    changed = previous.get(SUMMARY_ENTRY) != summary_key or not summary_pdf.is_file()
    log.info(
        "%s: %d athletes, %d sheets to render, %d unchanged; team summary %s",
        roster.source,
        len(sheets),
        len(jobs),
        len(sheets) - len(jobs),
        "to render" if changed else "unchanged",
    )
    summary = SummaryJob(view, summary_pdf) if changed else None
    entries = {s.pdf: (s.assessment.athlete.key, s.key) for s in sheets}
    entries[summary_pdf] = (SUMMARY_ENTRY, summary_key)
    journal = outputs.KeyJournal(folder)
    try:
        render_jobs(
            jobs,
            renderer,
            settings.render,
            progress=progress,
            stop=stop,
            summary=summary,
            written=lambda job: journal.record(*entries[job.pdf]),
        )
    finally:
        journal.close()
    _remove_renamed(folder, renamed, {s.athlete_key: s.pdf for s in sheets})
    return RosterSheets(roster, folder, tuple(sheets), summary_pdf, summary_key, len(jobs))


def _renamed_files(manifest: dict[str, Any], files: dict[str, str]) -> dict[str, str]:
    """Athlete id → the PDF name the last manifest gave them, for athletes whose name changed.

    An athlete's file name changes when the slug rules do (names once dropped letters, now
    they are transliterated) or when two athletes of the same name swap rows. Such a file
    may hold another athlete's sheet now, so it is never reused: the sheet is rendered under
    its new name. The ledger keys messages by athlete and sheet key, never by file name, so
    nothing is sent again for it.
    """
    renamed = {}
    for entry in manifest.get("athletes", []):
        if not isinstance(entry, dict):
            continue
        athlete, old = str(entry.get("id")), entry.get("pdf")
        if athlete in files and isinstance(old, str) and old != files[athlete]:
            renamed[athlete] = old
    return renamed


def _remove_renamed(folder: Path, renamed: dict[str, str], pdfs: dict[str, Path]) -> None:
    """Delete the old file of each renamed athlete whose sheet is now under its new name."""
    claimed = {pdf.name for pdf in pdfs.values()}
    for athlete, old in renamed.items():
        stale = folder / old
        # The manifest is only ever written by us, but a name with a folder in it is not ours.
        if old in claimed or stale.parent != folder or not pdfs[athlete].is_file():
            continue
        try:
            stale.unlink(missing_ok=True)
        except OSError as err:
            log.warning("could not remove %s, renamed %s (%s)", stale, pdfs[athlete].name, err)


def _previous_keys(folder: Path, manifest: dict[str, Any]) -> dict[str, str]:
    """Sheet keys of the PDFs in `folder`: the last manifest's, then any written since."""
    keys = {SUMMARY_ENTRY: str(manifest.get("summary_key", ""))}
    for entry in manifest.get("athletes", []):
        if isinstance(entry, dict) and "id" in entry and "sheet_key" in entry:
            keys[str(entry["id"])] = str(entry["sheet_key"])
    for entry, key in outputs.read_key_journal(folder).items():
        keys[entry] = key
    return keys


def since_entry(change: Since | None) -> dict[str, object] | None:
    """The manifest's `since` (DESIGN.md's Outputs), extended with the weekly distances."""
    if change is None:
        return None
    return {
        "report_date": change.report_date.isoformat(),
        "new_cramps": change.new_cramps,
        "new_findings": list(change.new_findings),
        "resolved_findings": list(change.resolved_findings),
        "miles_before": change.miles_before,
        "miles_now": change.miles_now,
    }


def write_batch_manifest(
    result: RosterSheets, sha256: str, outcomes: Sequence[DeliveryOutcome]
) -> Path:
    """`manifest.json` as DESIGN.md's Outputs say, extended with the sheet keys that make re-runs incremental."""
    roster = result.roster
    athletes = []
    for sheet, outcome in zip(result.sheets, outcomes, strict=True):
        a = sheet.assessment
        athletes.append(
            {
                "id": a.athlete.key,
                "name": a.athlete.name,
                "email": a.athlete.email,
                "pdf": sheet.pdf.name,
                "risk": a.risk,
                "findings": [
                    {"rule": f.rule, "level": f.level, "evidence": f.evidence} for f in a.findings
                ],
                "since": since_entry(a.since),
                "delivery": {"status": outcome.status, "detail": outcome.detail},
                "sheet_key": sheet.key,
            }
        )
    manifest = {
        "roster": roster.source,
        "sha256": sha256,
        "team": roster.team.name,
        "report_date": roster.report_date.isoformat(),
        "athletes": athletes,
        "warnings": [str(p) for p in roster.warnings],
        "summary_key": result.summary_key,
    }
    path = outputs.write_manifest_json(result.folder, manifest)
    outputs.retire_key_journal(result.folder)
    return path
