"""The ledger's reviews on a real SQLite file: batches waiting for the coach and their sheets."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from reports import ledger as ledger_module
from reports.ledger import Ledger, ReviewSheet

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
DAY = date(2026, 11, 22)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """An open ledger on a fresh file."""
    with Ledger(tmp_path / "cramp-reports.sqlite") as opened:
        yield opened


def sheet(name: str, sha: str = "a" * 64) -> ReviewSheet:
    """A waiting sheet for `name`."""
    key = name.lower()
    return ReviewSheet(
        key, name, f"{key.split()[0]}@example.org", None, f"{key.replace(' ', '-')}.pdf", sha,
        f"sheet-{key}", f"<{key.replace(' ', '')}@example.org>", "Your sheet", "text", None,
        f"{name}.pdf",
    )  # fmt: skip


def open_one(ledger: Ledger, sheets: list[ReviewSheet], now: datetime = T0) -> int:
    """Open the Harbor Harriers review for a new batch; returns the batch id."""
    batch = ledger.start_batch(file="harbor.xlsx", sha256="f" * 64, now=now)
    ledger.record_review(
        folder="harbor-harriers-2026-11-22", batch_id=batch, team="Harbor Harriers",
        report_date=DAY, coach="Dana Brooks", coach_email="dana@example.org",
        attention=[("Leo Park", "a swollen calf")], sheets=sheets, now=now,
    )  # fmt: skip
    return batch


def test_a_review_keeps_its_sheets_in_roster_order_and_its_coach(ledger: Ledger) -> None:
    """What the approval needs later comes back as it was kept."""
    kept = [sheet("Maya Chen"), sheet("Leo Park", "b" * 64)]
    batch = open_one(ledger, kept)
    (row,) = ledger.reviews("waiting")
    assert (row.batch_id, row.coach_email, row.report_date) == (batch, "dana@example.org", DAY)
    assert row.attention == (("Leo Park", "a swollen calf"),)
    assert ledger.review_sheets(row.folder) == kept


def test_a_newer_batch_replaces_the_review_and_all_its_sheets(ledger: Ledger) -> None:
    """A newer roster for the same folder keeps only its own sheets, and the clock restarts."""
    open_one(ledger, [sheet("Maya Chen"), sheet("Leo Park")])
    newer = open_one(ledger, [sheet("Leo Park", "c" * 64)], now=T0 + timedelta(hours=2))
    row = ledger.review("harbor-harriers-2026-11-22")
    assert row is not None and (row.batch_id, row.created) == (newer, T0 + timedelta(hours=2))
    assert [s.sha256 for s in ledger.review_sheets(row.folder)] == ["c" * 64]


def test_moving_a_review_on_and_noting_the_reminder(ledger: Ledger) -> None:
    """Reminded stays set once noted; a sent review is no longer waiting."""
    open_one(ledger, [sheet("Maya Chen")])
    folder = "harbor-harriers-2026-11-22"
    ledger.set_review(folder, state="waiting", now=T0 + timedelta(days=3), reminded=True)
    ledger.set_review(folder, state="sent", now=T0 + timedelta(days=4))
    assert ledger.reviews("waiting") == []
    (row,) = ledger.reviews("sent")
    assert row.reminded == T0 + timedelta(days=3)


def test_a_ledger_of_the_previous_version_gains_the_review_columns_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    """A version 2 file opens, keeps its review, and can keep sheets from then on."""
    path = tmp_path / "cramp-reports.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as db:
        for statement in ledger_module._SCHEMA + ledger_module._SCHEMA_2:
            db.execute(statement)
        db.execute("INSERT INTO batches (file, sha256, started) VALUES ('a.xlsx', 'f', 'x')")
        db.execute(
            "INSERT INTO reviews VALUES ('old-2026-11-15', 1, 'Old', '2026-11-15', 'waiting', "
            f"'{T0.isoformat()}', NULL, '{T0.isoformat()}')"
        )
        db.execute("PRAGMA user_version = 2")
        db.commit()
    with Ledger(path) as ledger:
        (row,) = ledger.reviews("waiting")
        assert (row.folder, row.coach_email, row.attention) == ("old-2026-11-15", "", ())
        open_one(ledger, [sheet("Maya Chen")])
        assert len(ledger.reviews("waiting")) == 2
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == ledger_module.SCHEMA_VERSION
