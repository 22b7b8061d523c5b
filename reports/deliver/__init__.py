"""Email delivery: build one message per sheet, then write it to the outbox or send it by SMTP."""

from __future__ import annotations

from reports.deliver.message import (
    build_message,
    id_domain,
    message_bytes,
    message_id,
    parse_raw,
)
from reports.deliver.outbox import Outbox
from reports.deliver.smtp import SmtpSender

__all__ = [
    "Outbox",
    "SmtpSender",
    "build_message",
    "id_domain",
    "message_bytes",
    "message_id",
    "parse_raw",
]
