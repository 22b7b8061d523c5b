"""The coach's review (`[delivery] review = true`): a batch waits in review/ until the coach approves.

A pass that takes a roster sends no athlete email: the sheets go into `review/<team>-<date>/`
and the coach gets the "ready for review" email. A later pass finds the folder moved into
`approved/` and sends, from out/, each sheet whose PDF is still in it unchanged; the ledger
holds each waiting sheet's hash and email, and every message goes through it as usual, so a
pass killed at any point sends no sheet twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from reports import outputs, review
from reports.errors import DeliveryError, OutputError, RenderError
from reports.files import file_sha256
from reports.ledger import Ledger, ReviewRow, ReviewSheet
from reports.models import DeliveryOutcome
from reports.pipeline.deliveries import (
    AthleteEmail,
    LazySender,
    Mail,
    athlete_email,
    doctor_first,
    send_coach_summary,
    send_recorded,
    settled_outcome,
)
from reports.pipeline.notices import send_notice
from reports.pipeline.resend import note_in_manifest
from reports.pipeline.sheet_pdfs import RosterSheets, Sheet
from reports.render import Renderer
from reports.settings import Settings

log = logging.getLogger(__name__)

IN_REVIEW = "in review"  # the outcome of a batch whose sheets wait for the coach
KNOWN_FILES = frozenset({review.HOW_TO, outputs.SUMMARY})
CHANGED = (
    "this sheet was changed in the review folder, and only sheets as cramp-reports made them "
    "are sent — fix the roster and drop it in the inbox again"
)


@dataclass(frozen=True)
class ApprovalResult:
    """What one approved folder sent, held back, and ignored."""

    folder: str
    team: str
    report_date: date
    counts: dict[str, int] = field(default_factory=dict)
    not_sent: tuple[str, ...] = ()  # files added or changed in the folder
    moved_to: Path | None = None

    @property
    def failed(self) -> bool:
        """True when a delivery failed."""
        return self.counts.get("failed", 0) > 0


def folder_name(team: str, report_date: date) -> str:
    """`<team-slug>-<report-date>`: one review folder per team and report date."""
    return f"{outputs.slugify(team, fallback='team')}-{report_date.isoformat()}"


def open_review(
    prepared: RosterSheets, mail: Mail, *, batch_id: int
) -> list[DeliveryOutcome] | None:
    """Put a batch's sendable sheets in review/ and email the coach; None when none is to send.

    An empty list means "not now": the coach's approval of this team and date is still
    arriving in approved/, and this roster waits in the inbox until that one is sent.
    """
    settings, renderer, ledger, now = mail.settings, mail.renderer, mail.ledger, mail.now
    outcomes: list[DeliveryOutcome] = []
    waiting: list[tuple[Sheet, AthleteEmail]] = []
    roster = prepared.roster
    name = folder_name(roster.team.name, roster.report_date)
    if review.holds(settings.paths.approved, name):
        log.info("%s: the approved folder %s is sent first", roster.source, name)
        return []
    shown = _shown(settings.paths.review / name, settings)
    for sheet in prepared.sheets:
        athlete = sheet.assessment.athlete
        settled = settled_outcome(prepared, sheet, settings, ledger)
        if settled is not None:
            outcomes.append(settled)
            continue
        email = athlete_email(prepared, sheet, settings, renderer)
        try:
            email.build(settings, b"", now)  # refused addresses are found now, not on approval
        except DeliveryError as err:
            outcomes.append(DeliveryOutcome(athlete.name, athlete.email, "skipped", str(err)))
            continue
        waiting.append((sheet, email))
        outcomes.append(
            DeliveryOutcome(
                athlete.name,
                athlete.email,
                "awaiting-review",
                f"waiting in {shown} for the coach to approve",
            )
        )
    if not waiting:
        return None
    ledger.record_review(
        folder=name,
        batch_id=batch_id,
        team=roster.team.name,
        report_date=roster.report_date,
        coach=roster.team.coach or "",
        coach_email=roster.team.coach_email or "",
        attention=doctor_first(prepared),
        sheets=[_kept(sheet, email) for sheet, email in waiting],
        now=now,
    )
    context = {
        "team": roster.team,
        "report_date": roster.report_date,
        "folder": name,
        "approved": settings.paths.approved.name,
        "waiting": [(s.assessment.athlete.name, s.pdf.name) for s, _ in waiting],
        "not_in_folder": [o for o in outcomes if o.status != "awaiting-review"],
        "reminder_days": settings.delivery.review_reminder_days,
    }
    how_to = renderer.email_text("how-to-send", context)
    files = [sheet.pdf for sheet, _ in waiting] + [prepared.summary_pdf]
    review.publish(settings.paths.review, name, files, how_to)
    where = {
        "folder": shown,
        "approved": _shown(settings.paths.approved, settings),
        "how_to": review.HOW_TO,
    }
    send_coach_summary(prepared, outcomes, mail, batch_id=batch_id, review=where)
    return outcomes


def _kept(sheet: Sheet, email: AthleteEmail) -> ReviewSheet:
    """What the ledger keeps of a waiting sheet: its PDF's hash and its email's parts."""
    return ReviewSheet(pdf=sheet.pdf.name, sha256=_sha256(sheet.pdf), **asdict(email))


def _email_of(sheet: ReviewSheet) -> AthleteEmail:
    """The waiting sheet's email as it was made when the batch went into review."""
    return AthleteEmail(**{f.name: getattr(sheet, f.name) for f in fields(AthleteEmail)})


def _sha256(pdf: Path) -> str:
    """The hash of a sheet just rendered, as the ledger keeps it."""
    try:
        return file_sha256(pdf)
    except OSError as err:
        raise OutputError(
            f"{pdf}: the sheet could not be read back ({err.strerror or err}) — check the "
            "output folder's permissions and free space, then run again"
        ) from err


def review_pass(
    settings: Settings,
    ledger: Ledger,
    sender: LazySender,
    *,
    now: datetime,
    min_age_seconds: float,
) -> list[ApprovalResult]:
    """Send every approved folder that has settled, note deleted ones, remind about old ones."""
    paths = settings.paths
    renderer = Renderer(settings.render.templates, settings.render.page_size)
    mail = Mail(settings, renderer, ledger, sender, now)
    results = []
    for folder in review.ready(
        paths.approved, min_age_seconds=min_age_seconds, now=now.timestamp()
    ):
        result = approve(folder, mail)
        if result is not None:
            results.append(result)
    if review.roots_present(paths.review, paths.approved):
        _note_deleted(settings, ledger, now)
        _remind(mail)
    return results


def approve(folder: Path, mail: Mail) -> ApprovalResult | None:
    """Send the sheets whose PDFs are still in an approved folder, then archive it."""
    settings, ledger, now = mail.settings, mail.ledger, mail.now
    row = ledger.review(folder.name)
    if row is None:
        log.warning(
            "%s is not a review folder of cramp-reports (none was made under that name); "
            "left alone",
            folder,
        )
        return None
    outcomes: list[DeliveryOutcome] = []
    not_sent: list[str] = []
    if row.state != "sent":  # "sent": a killed pass sent it all but had not yet archived it
        ledger.set_review(row.folder, state="approved", now=now)
        found = review.contents(folder)
        sheets = ledger.review_sheets(row.folder)
        out = outputs.batch_path(settings.paths.out, row.team, row.report_date.isoformat())
        for sheet in sheets:
            withheld = partial(DeliveryOutcome, sheet.name, sheet.email, "withheld")
            if sheet.pdf not in found:
                outcomes.append(withheld("its PDF was deleted from the review folder"))
            elif found[sheet.pdf] != sheet.sha256:
                outcomes.append(withheld(CHANGED))
                not_sent.append(sheet.pdf)
            else:
                outcomes.append(_send(sheet, out, row, mail))
        ours = {s.pdf for s in sheets} | KNOWN_FILES
        not_sent += [name for name in found if name not in ours]
        note_in_manifest(
            ledger,
            row.batch_id,
            {s.athlete_key: (o.status, o.detail) for s, o in zip(sheets, outcomes, strict=True)},
            settings.paths.out,
        )
        _tell_coach("approved", row, mail, outcomes=outcomes, not_sent=not_sent)
        _close_batch(ledger, row.batch_id, "approved", outcomes, now)
        ledger.set_review(row.folder, state="sent", now=now)
    moved = review.archive_folder(folder, settings.paths.archive, now.date())
    counts = dict(Counter(o.status for o in outcomes))
    log.info("%s approved: %s; archived as %s", folder.name, counts, moved)
    return ApprovalResult(row.folder, row.team, row.report_date, counts, tuple(not_sent), moved)


def _send(sheet: ReviewSheet, out: Path, row: ReviewRow, mail: Mail) -> DeliveryOutcome:
    """Send one approved athlete's sheet, read from out/ and checked against the ledger's hash."""
    outcome = partial(DeliveryOutcome, sheet.name, sheet.email)
    status = mail.ledger.sheet_status(row.team, sheet.athlete_key, sheet.sheet_key)
    if status == "sent":  # by an earlier pass on this folder that was killed
        return outcome(mail.sender.status, "sent after the coach's review")
    if status == "pending":
        return outcome("failed", "the mail server was unreachable; it will be sent on the next pass")  # fmt: skip
    try:
        pdf = (out / sheet.pdf).read_bytes()
    except OSError as err:
        return outcome("failed", f"the sheet {out / sheet.pdf} could not be read ({err.strerror})")
    if hashlib.sha256(pdf).hexdigest() != sheet.sha256:
        return outcome(
            "withheld",
            "a newer roster for this team and date replaced this sheet in out/; it goes "
            "through its own review",
        )
    email = _email_of(sheet)
    try:
        message = email.build(mail.settings, pdf, mail.now)
    except DeliveryError as err:
        return outcome("skipped", str(err))
    return send_recorded(
        message, mail, record=email.record(row.batch_id, row.team), outcome=outcome
    )


def _close_batch(
    ledger: Ledger, batch_id: int, outcome: str, outcomes: list[DeliveryOutcome], now: datetime
) -> None:
    """Bring the batch's row in the ledger (what `status` shows) up to date after the review."""
    batch = ledger.batch(batch_id)
    if batch is None:
        return
    counts = Counter(o.status for o in outcomes)
    ledger.finish_batch(
        batch_id,
        team=batch.team,
        report_date=batch.report_date,
        athletes=batch.athletes,
        sent=counts["sent"] + counts["outbox"],
        skipped=batch.skipped + counts["skipped"],
        failed=batch.failed + counts["failed"],
        unchanged=batch.unchanged,
        outcome=outcome,
        now=now,
    )


def _note_deleted(settings: Settings, ledger: Ledger, now: datetime) -> None:
    """A waiting folder the coach deleted sends nothing: its sheets are withheld."""
    for row in ledger.reviews("waiting"):
        batch = ledger.batch(row.batch_id)
        if batch is None or batch.outcome != IN_REVIEW:
            continue  # unfinished: its roster is still in the inbox and will be taken again
        if review.place(settings.paths.review, settings.paths.approved, row.folder) is not None:
            continue
        _close_batch(ledger, row.batch_id, "not sent", [], now)
        ledger.set_review(row.folder, state="deleted", now=now)
        detail = "the coach deleted the review folder: nothing was sent"
        note_in_manifest(
            ledger,
            row.batch_id,
            {s.athlete_key: ("withheld", detail) for s in ledger.review_sheets(row.folder)},
            settings.paths.out,
        )
        log.info("%s was deleted: nothing from it is sent", row.folder)


def _remind(mail: Mail) -> None:
    """One reminder to the coach for each folder that has waited `review_reminder_days`."""
    settings, ledger, now = mail.settings, mail.ledger, mail.now
    wait = timedelta(days=settings.delivery.review_reminder_days)
    for row in ledger.reviews("waiting"):
        if row.reminded is not None or now - row.created < wait:
            continue
        if review.place(settings.paths.review, settings.paths.approved, row.folder) != "review":
            continue
        _tell_coach("reminder", row, mail, waited=(now - row.created).days)
        ledger.set_review(row.folder, state="waiting", now=now, reminded=True)


def _tell_coach(template: str, row: ReviewRow, mail: Mail, **extra: Any) -> None:
    """A plain-text email about a review to the team's coach, once (the ledger remembers)."""
    if not row.coach_email:
        return
    settings = mail.settings
    context = {
        "team": row.team,
        "report_date": row.report_date,
        "folder": _shown(settings.paths.review / row.folder, settings),
        "approved": _shown(settings.paths.approved, settings),
        "attention": list(row.attention),
        **extra,
    }
    try:  # the sheets are out; a broken template must not hold the folder back
        send_notice(
            mail,
            to=[(row.coach or "Coach", row.coach_email)],
            template=template,
            context=context,
            key=f"{template}\0{row.folder}\0{row.batch_id}",
            batch_id=row.batch_id,
        )
    except RenderError as err:
        log.warning("the %s email to %s was not sent: %s", template, row.coach_email, err)


def _shown(path: Path, settings: Settings) -> str:
    """A folder as the coach knows it: relative to the working folder when inside it."""
    try:
        return path.relative_to(settings.paths.root).as_posix() + "/"
    except ValueError:
        return str(path)
