"""Where the stages meet. The CLI calls only what this package exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reports import config, inbox
from reports.errors import RosterError
from reports.ledger import BatchRow, Ledger, MessageRow, ReviewRow
from reports.models import DeliveryOutcome, Problem
from reports.pipeline.fonts import with_font_warnings
from reports.pipeline.passes import PassResult, WorkbookResult, run_pass
from reports.pipeline.serve import StopRequest, install_stop_handlers, serve
from reports.pipeline.sheet_pdfs import Progress, prepare_sheets, write_batch_manifest
from reports.render import Renderer
from reports.roster import read_roster, write_template
from reports.settings import LimitSettings, Settings

TEMPLATE_NAME = "roster-template.xlsx"

__all__ = [
    "CheckResult",
    "PassResult",
    "StatusReport",
    "StopRequest",
    "WorkbookResult",
    "check_rosters",
    "init_folder",
    "install_stop_handlers",
    "read_status",
    "render_roster",
    "run_pass",
    "serve",
    "write_template",
]


def render_roster(
    path: Path, out_root: Path, settings: Settings, *, progress: Progress | None = None
) -> WorkbookResult:
    """Evaluate and render one roster into `out_root`; nothing is sent, nothing moved."""
    roster = with_font_warnings(read_roster(path, settings.limits))
    renderer = Renderer(settings.render.templates, settings.render.page_size)
    prepared = prepare_sheets(roster, settings, renderer, out_root, progress=progress)
    outcomes = [
        DeliveryOutcome(
            s.assessment.athlete.name,
            s.assessment.athlete.email,
            "skipped",
            "rendered only: `render` never sends"
            if s.assessment.athlete.email
            else "no valid email address on the Athletes sheet",
        )
        for s in prepared.sheets
    ]
    manifest = write_batch_manifest(prepared, inbox.sha256_of(path), outcomes)
    return WorkbookResult(
        path.name,
        "processed",
        roster.team.name,
        roster.report_date,
        manifest.parent,
        counts={"skipped": len(outcomes)},
        problems=roster.problems,
        rendered=prepared.rendered,
    )


@dataclass(frozen=True)
class CheckResult:
    """Every problem in one workbook, and whether any of them is an error."""

    path: Path
    problems: tuple[Problem, ...]
    athletes: int

    @property
    def errors(self) -> int:
        """How many problems make the workbook unusable."""
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        """How many cells were ignored."""
        return sum(p.severity == "warning" for p in self.problems)


def check_rosters(paths: list[Path], limits: LimitSettings) -> list[CheckResult]:
    """Validate each workbook without rendering anything, fonts included."""
    results = []
    for path in paths:
        try:
            roster = with_font_warnings(read_roster(path, limits))
        except RosterError as err:
            problems = err.problems or (Problem("error", str(err)),)
            results.append(CheckResult(path, tuple(problems), 0))
        else:
            results.append(CheckResult(path, roster.problems, len(roster.athletes)))
    return results


def init_folder(folder: Path) -> list[Path]:
    """Make a working folder with its parts, a commented config and a blank roster; returns what was created."""
    created: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    for part in ("inbox", "archive", "rejected", "out", "outbox"):
        if not (folder / part).is_dir():
            (folder / part).mkdir()
            created.append(folder / part)
    config_path = folder / config.CONFIG_NAME
    if not config_path.exists():
        config_path.write_text(config.default_config_text(), encoding="utf-8")
        created.append(config_path)
    template = folder / TEMPLATE_NAME
    if not template.exists():
        write_template(template)
        created.append(template)
    return created


@dataclass(frozen=True)
class StatusReport:
    """What `status` shows: recent batches and messages that still need attention."""

    batches: list[BatchRow]
    problems: list[MessageRow]
    reviews: list[ReviewRow] = field(default_factory=list)  # waiting for the coach, oldest first


def read_status(settings: Settings, limit: int = 10) -> StatusReport:
    """Recent batches, failed or pending messages and batches waiting for review, from the ledger."""
    if not settings.paths.ledger.exists():
        return StatusReport([], [])
    with Ledger(settings.paths.ledger) as ledger:
        return StatusReport(
            list(ledger.recent_batches(limit)),
            list(ledger.problem_messages()),
            ledger.reviews("waiting"),
        )
