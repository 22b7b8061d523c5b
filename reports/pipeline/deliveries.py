"""Hand each changed sheet to the mail, exactly once, with the ledger as the memory."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from functools import partial
from types import TracebackType
from typing import Any, Protocol

from reports import deliver
from reports.errors import (
    DeliveryError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from reports.ledger import Ledger
from reports.models import DeliveryOutcome
from reports.pipeline.sheet_pdfs import RosterSheets, Sheet
from reports.ranking import by_urgency, doctor_finding, sees_doctor
from reports.render import Renderer
from reports.settings import Settings

log = logging.getLogger(__name__)

COACH_KEY = "\0coach"
_MAX_NAME = 60  # of an attachment's name: long names are cut so mail readers can save the file


class Sender(Protocol):
    """Anything that hands a message over and says where it went."""

    def send(self, message: EmailMessage) -> str: ...


class LazySender:
    """Opens the real sender on the first message, so an idle pass never dials the mail server."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._sender: Sender | None = None
        self._context: AbstractContextManager[object] | None = None
        self.down = False  # the server failed this pass: queue the rest for the next pass

    @property
    def status(self) -> str:
        """The manifest status a handed-over message gets in this mode."""
        return "outbox" if self._settings.delivery.mode == "outbox" else "sent"

    def send(self, message: EmailMessage) -> str:
        """Send through the configured mode, connecting on first use."""
        if self._sender is None:
            if self._settings.delivery.mode == "outbox":
                self._sender = deliver.Outbox(self._settings.paths.outbox)
            else:
                smtp = deliver.SmtpSender(self._settings.smtp)
                self._context = smtp
                self._sender = smtp.__enter__()
        return self._sender.send(message)

    def __enter__(self) -> LazySender:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._context is not None:
            self._context.__exit__(kind, err, tb)


@dataclass(frozen=True)
class Mail:
    """What every email of a pass is written and sent with, and the pass's time."""

    settings: Settings
    renderer: Renderer
    ledger: Ledger
    sender: LazySender
    now: datetime


def subject(renderer: Renderer, kind: str, **context: object) -> str:
    """The subject of a `kind` email ("athlete", "coach"…), from `email/<kind>-subject.txt`.

    One small template per kind, so a coach's copy can reword one subject and leave the
    rest built in; a new kind of email brings its own file.
    """
    return renderer.line(f"email/{kind}-subject.txt", dict(context))


def _attachment_name(name: str, report_date: str) -> str:
    """A readable attachment name without characters mail clients or file systems dislike.

    The name stays in the athlete's own script: letters, the marks that complete them (the
    vowel signs of Devanagari or Thai, a decomposed accent) and digits are kept.
    """
    composed = unicodedata.normalize("NFC", name)
    kept = "".join(c for c in composed if unicodedata.category(c)[0] in "LMN" or c in " -'.")
    clean = kept.strip(" .")[:_MAX_NAME]
    return f"{clean.strip(' .') or 'athlete'} - cramp-prevention sheet {report_date}.pdf"


def deliver_sheets(
    prepared: RosterSheets,
    mail: Mail,
    *,
    batch_id: int,
    stop: Callable[[], bool] = lambda: False,
) -> list[DeliveryOutcome]:
    """One outcome per sheet, in roster order; stops early (returning fewer) when `stop()` is true."""
    outcomes: list[DeliveryOutcome] = []
    for sheet in prepared.sheets:
        if stop():
            break
        outcomes.append(_deliver_one(prepared, sheet, mail, batch_id))
    return outcomes


def _deliver_one(
    prepared: RosterSheets, sheet: Sheet, mail: Mail, batch_id: int
) -> DeliveryOutcome:
    """Decide, record and send one athlete's message."""
    athlete = sheet.assessment.athlete
    settled = settled_outcome(prepared, sheet, mail.settings, mail.ledger)
    if settled is not None:
        return settled
    email = athlete_email(prepared, sheet, mail.settings, mail.renderer)
    try:
        message = email.build(mail.settings, sheet.pdf.read_bytes(), mail.now)
    except DeliveryError as err:
        return DeliveryOutcome(athlete.name, athlete.email, "skipped", str(err))
    return send_recorded(
        message,
        mail,
        record=email.record(batch_id, prepared.roster.team.name),
        outcome=partial(DeliveryOutcome, athlete.name, athlete.email),
    )


def settled_outcome(
    prepared: RosterSheets, sheet: Sheet, settings: Settings, ledger: Ledger
) -> DeliveryOutcome | None:
    """The outcome of a sheet not to be sent now (opted out, no address, sent before…), else None."""
    athlete = sheet.assessment.athlete

    def outcome(status: str, detail: str) -> DeliveryOutcome:
        return DeliveryOutcome(athlete.name, athlete.email, status, detail)

    if not athlete.send_sheet:
        return outcome("opted-out", "Send sheet is N on the Athletes sheet: rendered, not sent")
    if not athlete.email:
        return outcome("skipped", "no valid email address on the Athletes sheet")
    if settings.delivery.mode == "off":
        return outcome("skipped", 'delivery is off ([delivery] mode = "off")')
    previous = ledger.sheet_status(prepared.roster.team.name, athlete.key, sheet.key)
    if previous == "sent":
        return outcome("unchanged", "this exact sheet was already sent")
    if previous == "failed":
        return outcome("failed", "the mail server refused this address earlier — fix the email")
    if previous == "pending":
        # Left by an outage this pass could not get past (pending ones were resent first).
        # The ledger's bytes are what goes out next pass; building the message again could
        # give it another Message-ID (say [delivery] from changed) and send it twice.
        return outcome(
            "failed", "the mail server was unreachable; it will be sent on the next pass"
        )
    return None


@dataclass(frozen=True)
class AthleteEmail:
    """Everything of an athlete's email but the PDF and the date: kept while a batch is reviewed."""

    athlete_key: str
    name: str
    email: str
    cc: str | None
    sheet_key: str
    msg_id: str
    subject: str
    text: str
    html: str | None
    attachment_name: str

    def build(self, settings: Settings, pdf: bytes, now: datetime) -> EmailMessage:
        """The message, with `pdf` attached; DeliveryError if an address or header is refused."""
        return deliver.build_message(
            to_name=self.name,
            to_addr=self.email,
            sender=settings.delivery.sender,
            reply_to=settings.delivery.reply_to,
            subject=self.subject,
            text=self.text,
            html=self.html,
            attachment=pdf,
            attachment_name=self.attachment_name,
            msg_id=self.msg_id,
            date=now,
            cc=self.cc,
        )

    def record(self, batch_id: int, team: str) -> dict[str, object]:
        """The ledger row `send_recorded` keeps for this message."""
        return dict(
            batch_id=batch_id,
            team=team,
            athlete_key=self.athlete_key,
            name=self.name,
            email=self.email,
            sheet_key=self.sheet_key,
            msg_id=self.msg_id,
        )


def athlete_email(
    prepared: RosterSheets, sheet: Sheet, settings: Settings, renderer: Renderer
) -> AthleteEmail:
    """The email for one athlete with an address, rendered from the templates."""
    athlete = sheet.assessment.athlete
    assert athlete.email is not None  # settled_outcome skips athletes without one
    team, report_date = prepared.roster.team, prepared.roster.report_date
    text, html = renderer.athlete_email(team, sheet.assessment, report_date)
    return AthleteEmail(
        athlete_key=athlete.key,
        name=athlete.name,
        email=athlete.email,
        cc=athlete.parent_email,
        sheet_key=sheet.key,
        msg_id=deliver.message_id(
            f"{team.name}\0{athlete.key}", sheet.key, deliver.id_domain(settings.delivery.sender)
        ),
        subject=subject(renderer, "athlete", team=team, athlete=athlete, report_date=report_date),
        text=text,
        html=html,
        attachment_name=_attachment_name(athlete.name, report_date.isoformat()),
    )


def send_recorded(
    message: EmailMessage,
    mail: Mail,
    *,
    record: dict[str, object],
    outcome: Callable[[str, str], DeliveryOutcome],
) -> DeliveryOutcome:
    """Record pending, send, record the result: a crash in between leaves a pending row to resend."""
    ledger, sender, now = mail.ledger, mail.sender, mail.now
    msg_id = str(record["msg_id"])
    raw = deliver.message_bytes(message)  # exactly what is sent, so a resend is identical
    ledger.record_pending(**record, raw=raw, now=now)  # type: ignore[arg-type]
    if sender.down:
        return outcome(
            "failed", "the mail server was unreachable; it will be sent on the next pass"
        )
    try:
        detail = sender.send(message)
    except PermanentDeliveryError as err:
        ledger.record_failed(msg_id, detail=str(err), permanent=True, now=now)
        return outcome("failed", str(err))
    except TemporaryDeliveryError as err:
        sender.down = True
        ledger.record_failed(msg_id, detail=str(err), permanent=False, now=now)
        log.warning("%s — the rest of this pass is queued for the next one", err)
        return outcome("failed", f"{err}; it will be sent on the next pass")
    ledger.record_sent(msg_id, detail=detail, now=now)
    return outcome(sender.status, detail)


def send_coach_summary(
    prepared: RosterSheets,
    outcomes: list[DeliveryOutcome],
    mail: Mail,
    *,
    batch_id: int,
    review: dict[str, Any] | None = None,
) -> DeliveryOutcome | None:
    """One summary email to the coach for each summary not yet sent (same sheets: no resend).

    With `review` (where the sheets wait, see `Renderer.coach_email`) it is the "ready for
    review" email, a message of its own beside the summary sent after delivery.
    """
    team = prepared.roster.team
    settings, renderer, ledger = mail.settings, mail.renderer, mail.ledger
    # Whether this exact summary went out is the ledger's to say, not this batch's outcomes:
    # after a crash between the last athlete and the summary, every athlete is "unchanged"
    # on the next pass, yet the coach has not had the summary.
    if (
        settings.delivery.mode == "off"
        or not settings.delivery.coach_summary
        or not team.coach_email
    ):
        return None
    report_date = prepared.roster.report_date.isoformat()
    kind, key = (
        ("coach", prepared.summary_key)
        if review is None
        else ("review", f"review\0{prepared.summary_key}")
    )
    msg_id = deliver.message_id(
        f"{team.name}{COACH_KEY}", key, deliver.id_domain(settings.delivery.sender)
    )
    if ledger.sheet_status(team.name, COACH_KEY, key) in ("sent", "pending"):
        return None  # pending: the ledger's bytes go out on the next pass, as for athletes
    text, html = renderer.coach_email(prepared.roster, outcomes, doctor_first(prepared), review)
    coach = team.coach or "Coach"
    try:
        message = deliver.build_message(
            to_name=coach,
            to_addr=team.coach_email,
            sender=settings.delivery.sender,
            reply_to=None,
            subject=subject(
                renderer,
                kind,
                team=team,
                roster=prepared.roster,
                report_date=prepared.roster.report_date,
            ),
            text=text,
            html=html,
            attachment=prepared.summary_pdf.read_bytes(),
            attachment_name=f"Team summary {team.name} {report_date}.pdf",
            msg_id=msg_id,
            date=mail.now,
        )
    except DeliveryError as err:
        log.warning("coach summary not sent: %s", err)
        return None
    return send_recorded(
        message,
        mail,
        record=dict(
            batch_id=batch_id,
            team=team.name,
            athlete_key=COACH_KEY,
            name=coach,
            email=team.coach_email,
            sheet_key=key,
            msg_id=msg_id,
        ),
        outcome=lambda status, detail: DeliveryOutcome(coach, team.coach_email, status, detail),
    )


def doctor_first(prepared: RosterSheets) -> list[tuple[str, str]]:
    """(name, reason) of each athlete who must see a doctor, urgent first (`reports.ranking`).

    The reason is told about the athlete ("Ava's cramp on Nov 19 …"); an urgent one says
    first what the coach must make sure of today.
    """
    found = []
    for assessment in by_urgency(
        [s.assessment for s in prepared.sheets if sees_doctor(s.assessment)]
    ):
        finding = doctor_finding(assessment)
        assert finding is not None  # sees_doctor() said so
        reason = finding.about or finding.evidence
        if finding.level == "urgent":
            reason = f"URGENT: to be seen by a doctor today, no running until cleared. {reason}"
        else:
            reason = f"book a check-up. {reason}"
        found.append((assessment.athlete.name, reason))
    return found
