"""One pass over the hot folder: every stable workbook is checked, rendered, delivered and filed."""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from reports import history, inbox, outputs, review
from reports.errors import CrampReportsError, RosterError
from reports.ledger import Ledger
from reports.models import Problem
from reports.pipeline.deliveries import (
    LazySender,
    Mail,
    deliver_sheets,
    send_coach_summary,
)
from reports.pipeline.fonts import with_font_warnings
from reports.pipeline.notices import send_rejection
from reports.pipeline.resend import resend_pending
from reports.pipeline.review import IN_REVIEW, ApprovalResult, open_review, review_pass
from reports.pipeline.sheet_pdfs import Progress, RosterSheets, prepare_sheets, write_batch_manifest
from reports.render import Renderer
from reports.roster import read_roster
from reports.settings import Settings

log = logging.getLogger(__name__)

# How long a pass waits for another program (a backup, a database browser) holding the
# ledger before it stops with a clear error.
LEDGER_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class WorkbookResult:
    """What happened to one dropped file."""

    file: str
    outcome: str  # processed | rejected | stopped
    team: str | None = None
    report_date: date | None = None
    folder: Path | None = None
    moved_to: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    rendered: int = 0

    @property
    def failed(self) -> bool:
        """True when the workbook was rejected or a delivery failed."""
        return self.outcome == "rejected" or self.counts.get("failed", 0) > 0


@dataclass(frozen=True)
class PassResult:
    """Everything one pass did."""

    workbooks: tuple[WorkbookResult, ...]
    resent: int = 0
    approvals: tuple[ApprovalResult, ...] = ()

    @property
    def failed(self) -> bool:
        """True when any workbook was rejected or any delivery failed."""
        return any(w.failed for w in self.workbooks) or any(a.failed for a in self.approvals)


def ensure_folders(settings: Settings) -> None:
    """Create the working folder's parts if a coach has not run `init`."""
    paths = settings.paths
    for folder in (paths.inbox, paths.archive, paths.rejected, paths.out, paths.outbox):
        folder.mkdir(parents=True, exist_ok=True)
    if reviewing(settings):
        for folder in (paths.review, paths.approved):
            folder.mkdir(parents=True, exist_ok=True)


def reviewing(settings: Settings) -> bool:
    """True when the coach approves each batch before athletes get it."""
    return settings.delivery.review and settings.delivery.mode != "off"


def run_pass(
    settings: Settings,
    *,
    now: datetime,
    min_age_seconds: float | None = None,
    progress: Progress | None = None,
    stop: Callable[[], bool] = lambda: False,
    locked: bool = False,
    lock_wait_seconds: float = 0.0,
) -> PassResult:
    """One pass: resend what a crash or outage left pending, then take every stable workbook.

    `locked` says the caller (`serve`) holds the folder lock already; otherwise the pass
    takes it, waiting up to `lock_wait_seconds` for another `run` to finish.
    """
    ensure_folders(settings)
    if locked:
        return _locked_pass(settings, now, min_age_seconds, progress, stop)
    with inbox.FolderLock(settings.paths.lock, wait_seconds=lock_wait_seconds):
        return _locked_pass(settings, now, min_age_seconds, progress, stop)


def tidy(settings: Settings) -> None:
    """Remove the temporary files a killed pass left behind (the folder lock is held)."""
    paths = settings.paths
    for folder in (paths.out, paths.outbox, paths.archive, paths.rejected):
        outputs.remove_temporaries(folder)
    if reviewing(settings):
        review.restore_replaced_folders(paths.review)


def _locked_pass(
    settings: Settings,
    now: datetime,
    min_age_seconds: float | None,
    progress: Progress | None,
    stop: Callable[[], bool],
) -> PassResult:
    """The pass itself, with the folder lock held."""
    age = settings.min_age_seconds if min_age_seconds is None else min_age_seconds
    tidy(settings)
    files = inbox.scan(settings.paths.inbox, min_age_seconds=age, now=now.timestamp())
    results: list[WorkbookResult] = []
    ledger_file = Ledger(settings.paths.ledger, timeout_seconds=LEDGER_WAIT_SECONDS)
    with ledger_file as ledger, LazySender(settings) as sender:
        if interrupted := ledger.close_interrupted(now=now):
            log.warning(
                "%d batch(es) of an earlier pass were interrupted (killed or power lost); "
                "a workbook they left in the inbox is taken again",
                interrupted,
            )
        resent = (
            resend_pending(ledger, sender, now, settings.paths.out)
            if settings.delivery.mode != "off"
            else 0
        )
        approvals = (
            review_pass(settings, ledger, sender, now=now, min_age_seconds=age)
            if reviewing(settings)
            else []
        )
        mail: Mail | None = None
        for path in files:
            if stop():
                break
            if mail is None:
                renderer = Renderer(settings.render.templates, settings.render.page_size)
                mail = Mail(settings, renderer, ledger, sender, now)
            result = _take_workbook(path, mail, progress, stop)
            if result is not None:
                results.append(result)
    return PassResult(tuple(results), resent, tuple(approvals))


def _take_workbook(
    path: Path, mail: Mail, progress: Progress | None, stop: Callable[[], bool]
) -> WorkbookResult | None:
    """Process one workbook; a rejected one is filed with its report and never stops the pass."""
    settings, ledger, now = mail.settings, mail.ledger, mail.now
    try:
        sha = inbox.sha256_of(path)
    except CrampReportsError:
        if not os.path.lexists(path):
            log.info("%s disappeared before it could be read; skipping", path.name)
            return None
        sha = ""  # unreadable: reading it below files it in rejected/ with the reason
    batch_id = ledger.start_batch(file=path.name, sha256=sha, now=now)

    def notify(coach_email: str | None) -> Callable[[list[str]], object]:
        return lambda lines: send_rejection(
            mail, path.name, sha, lines, coach_email, batch_id=batch_id
        )

    try:
        roster = with_font_warnings(read_roster(path, settings.limits, follow_links=False))
    except RosterError as err:
        problems = err.problems or (Problem("error", str(err)),)
        return _reject(path, settings, ledger, batch_id, now, problems, notify(err.coach_email))
    except Exception as err:  # a bug must not stop the other workbooks; the coach gets a report
        log.exception("%s: unexpected failure while reading", path.name)
        problem = Problem(
            "error",
            f"cramp-reports could not read this workbook ({type(err).__name__}: {err}) — please report it with the file attached",
        )
        return _reject(path, settings, ledger, batch_id, now, (problem,), notify(None))
    try:
        prepared = prepare_sheets(
            roster,
            settings,
            mail.renderer,
            settings.paths.out,
            progress=progress,
            stop=stop,
            history=ledger.previous_sheets(roster.team.name, roster.report_date),
        )
        held = None  # the outcomes of a batch put in review/ for the coach
        if reviewing(settings) and not stop():
            held = open_review(prepared, mail, batch_id=batch_id)
        if held is not None:
            outcomes = held
        elif stop():
            outcomes = []
        else:
            outcomes = deliver_sheets(prepared, mail, batch_id=batch_id, stop=stop)
        counts = Counter(o.status for o in outcomes)
        if len(outcomes) < len(prepared.sheets):
            log.info(
                "%s: stopped before every sheet was delivered; it stays in the inbox", path.name
            )
            outcome, moved = "stopped", None
        else:
            if held is None:  # under review, the coach had the "ready for review" email
                send_coach_summary(prepared, outcomes, mail, batch_id=batch_id)
            write_batch_manifest(prepared, sha, outcomes)
            remember_sheets(prepared, ledger, batch_id)
            outcome = "processed" if held is None else IN_REVIEW
            moved = _archive_unchanged(path, sha, settings, now)
    except CrampReportsError as err:
        ledger.finish_batch(
            batch_id,
            team=roster.team.name,
            report_date=roster.report_date,
            athletes=len(roster.athletes),
            sent=0,
            skipped=0,
            failed=0,
            unchanged=0,
            outcome=f"error: {err}",
            now=now,
        )
        raise
    team, day, athletes = roster.team.name, roster.report_date, len(roster.athletes)
    _finish(ledger, batch_id, team, day, athletes, counts, outcome, now)
    if moved is not None:
        log.info("%s: %s; archived as %s", path.name, _describe(counts), moved)
    return WorkbookResult(
        path.name,
        outcome,
        team,
        day,
        prepared.folder,
        moved,
        dict(counts),
        roster.problems,
        prepared.rendered,
    )


def remember_sheets(prepared: RosterSheets, ledger: Ledger, batch_id: int) -> None:
    """Keep what each sheet said, so the next report date's sheet can say what changed."""
    day = prepared.roster.report_date
    ledger.record_history(
        batch_id=batch_id,
        team=prepared.roster.team.name,
        sheets=[(s.athlete_key, history.remember(s.assessment, day)) for s in prepared.sheets],
    )


def _archive_unchanged(path: Path, sha: str, settings: Settings, now: datetime) -> Path | None:
    """Archive the workbook just processed, unless it was replaced (or removed) meanwhile.

    A coach may drop a corrected copy under the same name while a pass works on the old
    one: that copy was never read, so it stays in the inbox for the next pass.
    """
    try:
        current = inbox.sha256_of(path)
    except CrampReportsError:
        log.warning("%s was removed from the inbox while it was processed", path.name)
        return None
    if current != sha:
        log.warning(
            "%s changed in the inbox while it was processed; the new copy is left there "
            "for the next pass",
            path.name,
        )
        return None
    return inbox.archive(path, settings.paths.archive, now.date())


def _reject(
    path: Path,
    settings: Settings,
    ledger: Ledger,
    batch_id: int,
    now: datetime,
    problems: tuple[Problem, ...],
    notify: Callable[[list[str]], object],
) -> WorkbookResult:
    """File a workbook in rejected/ with a report naming every cell to fix, and email it."""
    ordered = sorted(problems, key=lambda p: p.severity != "error")
    lines = [str(p) for p in ordered if p.severity != "note"]
    moved = inbox.reject(path, settings.paths.rejected, lines)
    notify(lines)
    _finish(ledger, batch_id, None, None, 0, Counter(), "rejected", now)
    log.warning(
        "%s: rejected (%s); see %s.errors.txt",
        path.name,
        lines[0] if lines else "unreadable",
        moved,
    )
    return WorkbookResult(path.name, "rejected", moved_to=moved, problems=tuple(ordered))


def _finish(
    ledger: Ledger,
    batch_id: int,
    team: str | None,
    report_date: date | None,
    athletes: int,
    counts: Counter[str],
    outcome: str,
    now: datetime,
) -> None:
    """Close a batch row in the ledger."""
    ledger.finish_batch(
        batch_id,
        team=team,
        report_date=report_date,
        athletes=athletes,
        sent=counts["sent"] + counts["outbox"],
        skipped=counts["skipped"],
        failed=counts["failed"],
        unchanged=counts["unchanged"],
        outcome=outcome,
        now=now,
    )


def _describe(counts: Counter[str]) -> str:
    """`3 outbox, 1 skipped` style summary."""
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no athletes"
