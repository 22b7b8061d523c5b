"""The delivery ledger on a real SQLite file: message lifecycle, crashes, damage and locks."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reports.errors import LedgerError
from reports.ledger import Ledger

T0 = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
RAW = b"Message-ID: <abc@cramp-reports.invalid>\r\n\r\nhello\r\n"


def at(minutes: int) -> datetime:
    """A fixed time, `minutes` after T0."""
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where the ledger file lives."""
    return tmp_path / "state" / "cramp-reports.sqlite"


@pytest.fixture
def ledger(path: Path) -> Iterator[Ledger]:
    """An open ledger on a fresh file."""
    with Ledger(path) as opened:
        yield opened


def pend(ledger: Ledger, msg_id: str = "<abc@x>", **fields: Any) -> str:
    """Record a pending message for Maya in a new batch; returns the resulting status."""
    batch = fields.pop("batch_id", None) or ledger.start_batch(
        file="harbor.xlsx", sha256="f" * 64, now=T0
    )
    values: dict[str, Any] = {
        "batch_id": batch,
        "team": "Harbor Harriers",
        "athlete_key": "maya chen",
        "name": "Maya Chen",
        "email": "maya@example.org",
        "sheet_key": "sheet-1",
        "msg_id": msg_id,
        "raw": RAW,
        "now": at(1),
    }
    values.update(fields)
    return ledger.record_pending(**values)


def test_a_message_goes_from_pending_to_sent_and_drops_its_bytes(ledger: Ledger) -> None:
    """Pending with bytes before sending; sent, with the server's answer, after."""
    assert pend(ledger) == "pending"
    assert ledger.sheet_status("Harbor Harriers", "maya chen", "sheet-1") == "pending"
    ledger.record_sent("<abc@x>", detail="250 accepted by mail:587", now=at(2))
    assert ledger.sheet_status("Harbor Harriers", "maya chen", "sheet-1") == "sent"
    assert ledger.pending_messages() == []
    assert ledger.problem_messages() == []
    with contextlib.closing(sqlite3.connect(ledger.path)) as db:
        row = db.execute("SELECT raw, attempts FROM messages").fetchone()
    assert row == (None, 1)


def test_sheet_status_is_for_the_exact_sheet_only(ledger: Ledger) -> None:
    """A changed sheet, another athlete or another team has no status yet."""
    pend(ledger)
    assert ledger.sheet_status("Harbor Harriers", "maya chen", "sheet-2") is None
    assert ledger.sheet_status("Harbor Harriers", "leo park", "sheet-1") is None
    assert ledger.sheet_status("Bay Striders", "maya chen", "sheet-1") is None


def test_recording_pending_twice_keeps_the_first_bytes(ledger: Ledger) -> None:
    """Recording the same Message-ID again changes nothing, so a resend is identical."""
    pend(ledger)
    assert pend(ledger, raw=b"different bytes", now=at(5)) == "pending"
    (pending,) = ledger.pending_messages()
    assert pending.raw == RAW
    ledger.record_sent("<abc@x>", detail="ok", now=at(6))
    assert pend(ledger) == "sent"


CRASH = """
import os, signal, sys
from datetime import datetime, UTC
from pathlib import Path
from reports.ledger import Ledger
ledger = Ledger(Path(sys.argv[1]))
batch = ledger.start_batch(file="harbor.xlsx", sha256="f" * 64, now=datetime(2026, 11, 22))
ledger.record_pending(batch_id=batch, team="Harbor Harriers", athlete_key="maya chen",
    name="Maya Chen", email="maya@example.org", sheet_key="sheet-1", msg_id="<abc@x>",
    raw=sys.argv[2].encode(), now=datetime(2026, 11, 22, tzinfo=UTC))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_pending_message_survives_a_killed_process(path: Path) -> None:
    """A process killed right after recording leaves the message pending with its bytes."""
    done = subprocess.run([sys.executable, "-c", CRASH, str(path), "exact bytes"], check=False)
    assert done.returncode == -9
    with Ledger(path) as reopened:
        (pending,) = reopened.pending_messages()
        (batch,) = reopened.recent_batches()
    assert (pending.msg_id, pending.email, pending.raw) == (
        "<abc@x>",
        "maya@example.org",
        b"exact bytes",
    )
    assert batch.outcome is None and batch.finished is None


def test_a_temporary_failure_stays_pending_and_counts_attempts(ledger: Ledger) -> None:
    """A "try later" keeps the message and its bytes for the next pass."""
    pend(ledger)
    ledger.record_failed("<abc@x>", detail="451 busy", permanent=False, now=at(2))
    ledger.record_failed("<abc@x>", detail="451 still busy", permanent=False, now=at(3))
    (pending,) = ledger.pending_messages()
    assert (pending.status, pending.attempts, pending.detail) == ("pending", 2, "451 still busy")
    assert pending.raw == RAW and pending.updated == at(3)


def test_a_permanent_failure_is_failed_and_listed_as_a_problem(ledger: Ledger) -> None:
    """A 5xx marks the message failed: not resent, shown by `status`."""
    pend(ledger)
    ledger.record_failed("<abc@x>", detail="550 no such mailbox", permanent=True, now=at(2))
    assert ledger.pending_messages() == []
    (problem,) = ledger.problem_messages()
    assert (problem.status, problem.detail, problem.email) == (
        "failed",
        "550 no such mailbox",
        "maya@example.org",
    )
    assert ledger.sheet_status("Harbor Harriers", "maya chen", "sheet-1") == "failed"


def test_recording_a_failed_message_again_makes_it_pending(ledger: Ledger) -> None:
    """After a fixed address, recording the message again queues a retry with the new bytes."""
    pend(ledger)
    ledger.record_failed("<abc@x>", detail="550", permanent=True, now=at(2))
    assert pend(ledger, email="maya.chen@example.org", raw=b"new", now=at(3)) == "pending"
    (pending,) = ledger.pending_messages()
    assert (pending.email, pending.raw, pending.detail) == ("maya.chen@example.org", b"new", "")


def test_a_late_failure_never_undoes_a_sent_message(ledger: Ledger) -> None:
    """Once sent, a message stays sent."""
    pend(ledger)
    ledger.record_sent("<abc@x>", detail="250", now=at(2))
    ledger.record_failed("<abc@x>", detail="timeout", permanent=True, now=at(3))
    assert ledger.sheet_status("Harbor Harriers", "maya chen", "sheet-1") == "sent"


def test_an_unknown_message_is_an_error(ledger: Ledger) -> None:
    """Marking a message that was never recorded is refused."""
    with pytest.raises(LedgerError, match="no message <nope@x>"):
        ledger.record_sent("<nope@x>", detail="250", now=T0)
    with pytest.raises(LedgerError, match="no message <nope@x>"):
        ledger.record_failed("<nope@x>", detail="550", permanent=True, now=T0)


def test_recent_batches_come_newest_first_with_their_counts(ledger: Ledger) -> None:
    """`status` sees the latest batch first, with outcome, counts and times."""
    first = ledger.start_batch(file="harbor.xlsx", sha256="a" * 64, now=at(0))
    ledger.finish_batch(
        first, team="Harbor Harriers", report_date=date(2026, 11, 22), athletes=3, sent=2,
        skipped=1, failed=0, unchanged=0, outcome="done", now=at(1),
    )  # fmt: skip
    second = ledger.start_batch(file="bay.xlsx", sha256="b" * 64, now=at(10))
    third = ledger.start_batch(file="bad.xls", sha256="c" * 64, now=at(20))
    ledger.finish_batch(
        third, team=None, report_date=None, athletes=0, sent=0, skipped=0, failed=0,
        unchanged=0, outcome="rejected", now=at(21),
    )  # fmt: skip
    batches = ledger.recent_batches()
    assert [b.id for b in batches] == [third, second, first]
    assert [b.outcome for b in batches] == ["rejected", None, "done"]
    done = batches[2]
    assert (done.team, done.report_date, done.sent, done.skipped) == (
        "Harbor Harriers",
        date(2026, 11, 22),
        2,
        1,
    )
    assert (done.started, done.finished) == (at(0), at(1))
    assert [b.id for b in ledger.recent_batches(limit=1)] == [third]


def test_a_damaged_file_says_to_move_it_aside(path: Path) -> None:
    """Garbage where the ledger should be gives a LedgerError with the fix."""
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database, just some bytes\n" * 100)
    with pytest.raises(LedgerError, match=r"is damaged.*move it aside") as caught:
        Ledger(path)
    assert str(path) in str(caught.value)


def test_a_locked_ledger_fails_fast_with_a_clear_message(path: Path) -> None:
    """Another process holding the write lock gives "locked by another process", not a hang."""
    Ledger(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with Ledger(path, timeout_seconds=0.2) as ledger:
            started = time.monotonic()
            with pytest.raises(LedgerError, match="locked by another process"):
                ledger.start_batch(file="harbor.xlsx", sha256="f" * 64, now=T0)
            assert time.monotonic() - started < 2
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_ledger_from_a_newer_version_is_refused(path: Path) -> None:
    """A schema this version does not know is never written to."""
    Ledger(path).close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(LedgerError, match="newer cramp-reports"):
        Ledger(path)


def test_another_sqlite_file_is_not_taken_for_a_ledger(path: Path) -> None:
    """A SQLite file with someone else's tables is refused, not modified."""
    path.parent.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE recipes (name TEXT)")
        db.commit()
    with pytest.raises(LedgerError, match="not a cramp-reports ledger"):
        Ledger(path)


def test_close_interrupted_marks_only_unfinished_batches(ledger: Ledger) -> None:
    """Batches a killed pass left open become "interrupted"; finished ones keep their outcome."""
    done = ledger.start_batch(file="done.xlsx", sha256="a" * 64, now=T0)
    ledger.finish_batch(
        done, team="T", report_date=None, athletes=0, sent=0, skipped=0, failed=0,
        unchanged=0, outcome="processed", now=at(1),
    )  # fmt: skip
    ledger.start_batch(file="killed.xlsx", sha256="b" * 64, now=at(2))
    assert ledger.close_interrupted(now=at(3)) == 1
    assert {b.file: b.outcome for b in ledger.recent_batches()} == {
        "done.xlsx": "processed",
        "killed.xlsx": "interrupted",
    }
    assert ledger.close_interrupted(now=at(4)) == 0


def test_another_programs_database_is_refused_untouched(path: Path) -> None:
    """A SQLite file that is not a ledger is refused before its journal mode is changed."""
    path.parent.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
        db.commit()
    with pytest.raises(LedgerError, match="not a cramp-reports ledger"):
        Ledger(path)
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
