"""One roster's sheets: evaluate every athlete, key each sheet, render what changed, write the manifest."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports import __version__, outputs
from reports.models import Assessment, DeliveryOutcome, Roster
from reports.pipeline.pool import SheetJob, render_jobs
from reports.render import Renderer
from reports.rules import assess
from reports.settings import Settings

log = logging.getLogger(__name__)

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


def content_key(*parts: Any) -> str:
    """A stable sha256 over JSON-able parts (dataclasses, dates, paths, strings)."""
    payload = json.dumps(
        [dataclasses.asdict(p) if dataclasses.is_dataclass(p) else p for p in parts],  # type: ignore[arg-type]
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def prepare_sheets(
    roster: Roster,
    settings: Settings,
    renderer: Renderer,
    out_root: Path,
    *,
    progress: Progress | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> RosterSheets:
    """Evaluate, key and render one roster's sheets into `out/<team>/<date>/`, reusing unchanged PDFs."""
    team, report_date = roster.team, roster.report_date
    folder = outputs.batch_folder(out_root, team.name, report_date.isoformat())
    previous = _previous_keys(folder)
    digest = renderer.digest()
    slugs = outputs.unique_slugs([(a.key, a.name) for a in roster.athletes])
    sheets: list[Sheet] = []
    jobs: list[SheetJob] = []
    for athlete in roster.athletes:
        assessment = assess(athlete, settings.rules, report_date, team.units)
        key = content_key(__version__, digest, team, report_date, settings.rules, assessment)
        sheet = Sheet(assessment, key, slugs[athlete.key], folder / f"{slugs[athlete.key]}.pdf")
        sheets.append(sheet)
        if previous.get(athlete.key) != key or not sheet.pdf.is_file():
            jobs.append(SheetJob(team, assessment, report_date, settings.rules, sheet.pdf))
    log.info(
        "%s: %d athletes, %d sheets to render, %d unchanged",
        roster.source,
        len(sheets),
        len(jobs),
        len(sheets) - len(jobs),
    )
    render_jobs(jobs, renderer, settings.render, progress=progress, stop=stop)
    summary_key = content_key(digest, [s.key for s in sheets], roster.problems)
    summary_pdf = folder / outputs.SUMMARY
    if previous.get("\0summary") != summary_key or not summary_pdf.is_file():
        assessments = [s.assessment for s in sheets]
        outputs.write_atomic(summary_pdf, renderer.summary_pdf(roster, assessments, settings.rules))
    return RosterSheets(roster, folder, tuple(sheets), summary_pdf, summary_key, len(jobs))


def _previous_keys(folder: Path) -> dict[str, str]:
    """Sheet keys recorded by the manifest a previous run left in `folder`."""
    manifest = outputs.read_manifest(folder) or {}
    keys = {"\0summary": str(manifest.get("summary_key", ""))}
    for entry in manifest.get("athletes", []):
        if isinstance(entry, dict) and "id" in entry and "sheet_key" in entry:
            keys[str(entry["id"])] = str(entry["sheet_key"])
    return keys


def write_manifest(result: RosterSheets, sha256: str, outcomes: Sequence[DeliveryOutcome]) -> Path:
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
    return outputs.write_manifest(result.folder, manifest)
