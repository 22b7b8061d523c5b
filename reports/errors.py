"""The one error family of cramp-reports: every message says what, where and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.models import Problem


class CrampReportsError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(CrampReportsError):
    """A configuration file, key or environment variable is wrong or missing."""


class RosterError(CrampReportsError):
    """A workbook cannot be used; `problems` lists every error and warning found."""

    def __init__(
        self, message: str, problems: Sequence[Problem] = (), *, coach_email: str | None = None
    ) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.coach_email = coach_email  # the Team sheet's, when it could be read: gets the errors


class RenderError(CrampReportsError):
    """A template or stylesheet failed to render."""


class DeliveryError(CrampReportsError):
    """Mail could not be handed over (server unreachable, login refused, outbox unwritable)."""


class TemporaryDeliveryError(DeliveryError):
    """The server stayed unreachable or kept answering "try later" through every retry."""


class PermanentDeliveryError(DeliveryError):
    """The server refused this one message for good (5xx); the rest of the batch goes on."""


class LedgerError(CrampReportsError):
    """The delivery ledger cannot be opened, is locked, or is damaged."""


class BusyError(CrampReportsError):
    """Another cramp-reports process already holds the working folder's lock."""


class OutputError(CrampReportsError):
    """An output file could not be written (disk full, no permission)."""
