"""Emails to people rather than athletes: a rejected workbook's errors to its coach and the club."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from email.utils import parseaddr
from functools import partial
from typing import Any

from reports import deliver
from reports.errors import DeliveryError
from reports.models import DeliveryOutcome
from reports.pipeline.deliveries import Mail, send_recorded, subject

log = logging.getLogger(__name__)

# Ledger rows for notices: no team or athlete id can start with "\0".
NOTICE_TEAM = "\0notices"


def send_notice(
    mail: Mail,
    *,
    to: Sequence[tuple[str, str]],
    template: str,
    context: dict[str, Any],
    key: str,
    batch_id: int,
) -> list[DeliveryOutcome]:
    """Email one notice to each (name, address) once: `key` says what it is about (ledger)."""
    settings, renderer, ledger = mail.settings, mail.renderer, mail.ledger
    if settings.delivery.mode == "off":
        return []
    text = renderer.email_text(template, context)
    title = subject(renderer, template, **context)
    outcomes: list[DeliveryOutcome] = []
    for name, addr in dict.fromkeys(to):
        recipient = f"\0{template}\0{addr.casefold()}"
        if ledger.sheet_status(NOTICE_TEAM, recipient, key) == "sent":
            continue
        msg_id = deliver.message_id(recipient, key, deliver.id_domain(settings.delivery.sender))
        try:
            message = deliver.build_message(
                to_name=name,
                to_addr=addr,
                sender=settings.delivery.sender,
                reply_to=None,
                subject=title,
                text=text,
                html=None,
                attachment=None,
                attachment_name=None,
                msg_id=msg_id,
                date=mail.now,
            )
        except DeliveryError as err:
            log.warning("%s not sent to %s: %s", title, addr, err)
            continue
        outcomes.append(
            send_recorded(
                message,
                mail,
                record=dict(
                    batch_id=batch_id,
                    team=NOTICE_TEAM,
                    athlete_key=recipient,
                    name=name,
                    email=addr,
                    sheet_key=key,
                    msg_id=msg_id,
                ),
                outcome=partial(DeliveryOutcome, name, addr),
            )
        )
    return outcomes


def send_rejection(
    mail: Mail,
    file: str,
    sha256: str,
    lines: Sequence[str],
    coach_email: str | None,
    *,
    batch_id: int,
) -> list[DeliveryOutcome]:
    """A rejected workbook's errors to its coach and `[delivery] admin`, once per file content."""
    settings = mail.settings
    to = [("Coach", coach_email)] if coach_email else []
    if settings.delivery.admin:
        to.append(parseaddr(settings.delivery.admin))
    if not to:
        return []
    return send_notice(
        mail,
        to=to,
        template="rejected",
        context={"file": file, "lines": list(lines), "rejected": settings.paths.rejected.name},
        key=f"rejected\0{sha256 or file}",
        batch_id=batch_id,
    )
