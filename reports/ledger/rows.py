"""The rows the ledger hands out: batches and messages, as frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Literal

Status = Literal["pending", "sent", "failed"]


@dataclass(frozen=True)
class BatchRow:
    """One roster pass: which file, what came of it; `outcome` None means it never finished."""

    id: int
    file: str
    sha256: str
    team: str | None
    report_date: date | None
    athletes: int
    sent: int
    skipped: int
    failed: int
    unchanged: int
    outcome: str | None
    started: datetime
    finished: datetime | None


@dataclass(frozen=True)
class MessageRow:
    """One athlete's sheet email and where it stands."""

    msg_id: str
    batch_id: int
    team: str
    athlete_key: str
    name: str
    email: str
    sheet_key: str
    status: Status
    attempts: int
    detail: str
    updated: datetime


@dataclass(frozen=True)
class PendingMessage(MessageRow):
    """A message not yet handed over, with the exact bytes to send again."""

    raw: bytes = field(repr=False)


MESSAGE_FIELDS = tuple(f.name for f in fields(MessageRow))  # columns share the field names
BATCH_FIELDS = tuple(f.name for f in fields(BatchRow))
MESSAGE_COLUMNS = ", ".join(MESSAGE_FIELDS)
BATCH_COLUMNS = ", ".join(BATCH_FIELDS)


def message_fields(row: tuple[Any, ...]) -> dict[str, Any]:
    """A messages row (extra trailing columns ignored) as MessageRow's fields."""
    values = dict(zip(MESSAGE_FIELDS, row, strict=False))
    values["updated"] = datetime.fromisoformat(values["updated"])
    return values


def batch_row(row: tuple[Any, ...]) -> BatchRow:
    """A batches row as a BatchRow."""
    values = dict(zip(BATCH_FIELDS, row, strict=True))
    day, finished = values["report_date"], values["finished"]
    values["report_date"] = date.fromisoformat(day) if day else None
    values["started"] = datetime.fromisoformat(values["started"])
    values["finished"] = datetime.fromisoformat(finished) if finished else None
    return BatchRow(**values)
