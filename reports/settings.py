"""Settings as plain frozen data: what `config` reads from TOML and every stage is given.

Each field's metadata carries the unit and meaning that `cramp-reports init` writes as a
comment beside it, so the commented config and the code never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reports.models import KM_PER_MILE

DeliveryMode = Literal["outbox", "smtp", "off"]
Security = Literal["starttls", "tls", "none"]
PageSize = Literal["Letter", "A4"]


def _doc(unit: str, meaning: str) -> dict[str, str]:
    """Field metadata: the unit and meaning `init` writes beside a threshold in the config."""
    return {"unit": unit, "help": meaning}


@dataclass(frozen=True)
class RuleSettings:
    """Every rule threshold; defaults follow DESIGN.md and are overridable in `[rules]`.

    Distances and temperatures have a km-team twin (`long_run_km`, `hot_c`) so a metric
    team's round numbers (16 km, 27 °C) are the thresholds exactly, not 9.94 mi or 80.6 °F.
    """

    window_days: int = field(
        default=28,
        metadata=_doc("days", "how far back 'recent' cramps count (ending on the report date)"),
    )
    pattern_cramps: int = field(
        default=2,
        metadata=_doc(
            "cramps",
            "this many recent cramps with the same likely cause raise a rule from watch to act",
        ),
    )
    min_fluid_oz: float = field(
        default=16.0,
        metadata=_doc(
            "US fl oz", "less fluid than this before a cramp run fires hydration (16 oz ≈ 475 ml)"
        ),
    )
    max_fluid_oz: float = field(
        default=24.0,
        metadata=_doc("US fl oz", "top of the advised pre-run fluid range (24 oz ≈ 710 ml)"),
    )
    overhydration_oz: float = field(
        default=40.0,
        metadata=_doc(
            "US fl oz",
            "typical or logged pre-run fluid above this fires overhydration (40 oz ≈ 1.2 l)",
        ),
    )
    long_run_miles: float = field(
        default=10.0,
        metadata=_doc("miles", "for miles teams, a run at least this long is a long run"),
    )
    long_run_km: float = field(
        default=16.0, metadata=_doc("km", "for km teams, a run at least this long is a long run")
    )
    long_run_minutes: float = field(
        default=75.0,
        metadata=_doc("minutes", "a cramp at least this far into a run counts as on a long run"),
    )
    late_in_run_minutes: float = field(
        default=60.0,
        metadata=_doc("minutes", "a cramp at least this far into a long run fires pacing"),
    )
    hot_f: float = field(
        default=80.0,
        metadata=_doc("°F", "for miles teams, a run at or above this temperature is hot"),
    )
    hot_c: float = field(
        default=27.0, metadata=_doc("°C", "for km teams, a run at or above this temperature is hot")
    )
    weekly_increase_act: float = field(
        default=0.30,
        metadata=_doc(
            "fraction",
            "a weekly distance rise above this on the week before fires load-spike (act)",
        ),
    )
    weekly_increase_watch: float = field(
        default=0.10,
        metadata=_doc(
            "fraction",
            "a weekly distance rise above this on the week before fires load-spike (watch)",
        ),
    )
    acwr_act: float = field(
        default=1.5,
        metadata=_doc(
            "ratio",
            "this week over the mean of the 3 weeks before, at or above this: load-spike (act)",
        ),
    )
    acwr_watch: float = field(
        default=1.3,
        metadata=_doc(
            "ratio",
            "this week over the mean of the 3 weeks before, at or above this: load-spike (watch)",
        ),
    )
    long_run_spike: float = field(
        default=1.1,
        metadata=_doc(
            "ratio",
            "a long run above this times the longest of the 4 weeks before fires load-spike (act)",
        ),
    )
    compression_cramps: int = field(
        default=2,
        metadata=_doc(
            "cramps", "this many recent calf cramps without compression gear fires compression"
        ),
    )
    doctor_cramps: int = field(
        default=3, metadata=_doc("cramps", "this many cramps in the window fires see-doctor")
    )
    doctor_consecutive_weeks: int = field(
        default=3,
        metadata=_doc(
            "weeks",
            "cramps in this many 7-day blocks in a row (back from the report date) fire see-doctor",
        ),
    )
    doctor_lasted_minutes: float = field(
        default=10.0,
        metadata=_doc("minutes", "a cramp lasting longer than this is a red flag (see-doctor)"),
    )

    def long_run_for(self, units: str) -> float:
        """The long-run threshold in miles for a team counting in `units`."""
        return self.long_run_km / KM_PER_MILE if units == "km" else self.long_run_miles

    def hot_for(self, units: str) -> float:
        """The hot-run threshold in °F for a team counting in `units`."""
        return self.hot_c * 9 / 5 + 32 if units == "km" else self.hot_f


@dataclass(frozen=True)
class LimitSettings:
    """Caps that make a huge or hostile workbook fail fast instead of exhausting memory."""

    max_rows_per_sheet: int = field(
        default=20_000, metadata=_doc("rows", "a sheet with more rows than this is refused")
    )
    max_file_mb: float = field(
        default=20.0, metadata=_doc("MB", "a workbook larger than this is refused unread")
    )

    @property
    def max_file_bytes(self) -> int:
        """The file cap in bytes."""
        return int(self.max_file_mb * 1024 * 1024)


@dataclass(frozen=True)
class PathSettings:
    """The working folder's parts, all absolute."""

    root: Path
    inbox: Path
    archive: Path
    rejected: Path
    out: Path
    outbox: Path
    ledger: Path
    review: Path = Path("review")  # batches waiting for the coach (absolute once loaded)
    approved: Path = Path("approved")  # the coach moves a review folder here to send it

    @classmethod
    def under(cls, root: Path) -> PathSettings:
        """The default layout of a working folder."""
        root = root.resolve()
        return cls(
            root=root,
            inbox=root / "inbox",
            archive=root / "archive",
            rejected=root / "rejected",
            out=root / "out",
            outbox=root / "outbox",
            ledger=root / "cramp-reports.sqlite",
            review=root / "review",
            approved=root / "approved",
        )

    @property
    def lock(self) -> Path:
        """The lock file that keeps two passes from working the same folder at once."""
        return self.root / "cramp-reports.lock"


@dataclass(frozen=True)
class ScheduleSettings:
    """When `serve` runs a pass: every N seconds, or daily at HH:MM."""

    every_seconds: int | None = 15 * 60
    at: str | None = None


@dataclass(frozen=True)
class DeliverySettings:
    """How sheets leave: `.eml` files in the outbox, SMTP, or not at all."""

    mode: DeliveryMode = "outbox"
    sender: str = "Coach <coach@example.org>"
    reply_to: str | None = None
    coach_summary: bool = True
    review: bool = False  # the coach approves each batch before athletes get it
    review_reminder_days: int = 3  # one reminder for a batch still waiting this long
    admin: str = ""  # gets every rejected workbook's errors


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server; the password comes from the environment variable `password_env`."""

    host: str = "localhost"
    port: int = 587
    security: Security = "starttls"
    username: str = ""
    password_env: str = "CRAMP_REPORTS_SMTP_PASSWORD"
    password: str | None = field(default=None, repr=False, compare=False)
    rate_per_minute: int = 60
    timeout_seconds: float = 30.0
    retries: int = 3
    retry_backoff_seconds: float = 2.0


@dataclass(frozen=True)
class RenderSettings:
    """Where the templates are and how pages are laid out."""

    templates: Path | None = None  # None: the built-in templates only
    page_size: PageSize = "Letter"
    workers: int = 0  # 0: one per core


@dataclass(frozen=True)
class Settings:
    """Everything a pass needs, checked once at start-up."""

    paths: PathSettings
    render: RenderSettings = field(default_factory=RenderSettings)
    min_age_seconds: float = 10.0
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    rules: RuleSettings = field(default_factory=RuleSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
