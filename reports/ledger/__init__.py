"""The delivery ledger: a SQLite file recording every batch and every message, pending to sent.

Each write is its own short transaction, committed at once, so a process killed at any
point leaves a consistent file. A message is recorded as pending (with its exact bytes)
before it is handed over and as sent after, so a later pass can finish an interrupted
batch by resending the identical message, and never sends a sheet that was already sent.
The caller passes every time in; nothing here reads the clock.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Self, cast

from reports.errors import LedgerError
from reports.ledger.history import HistoryQueries
from reports.ledger.reviews import SCHEMA_3, ReviewQueries, ReviewRow, ReviewSheet
from reports.ledger.rows import (
    BATCH_COLUMNS,
    MESSAGE_COLUMNS,
    BatchRow,
    MessageRow,
    PendingMessage,
    Status,
    batch_row,
    message_fields,
)

__all__ = [
    "BatchRow",
    "Ledger",
    "LedgerError",
    "MessageRow",
    "PendingMessage",
    "ReviewRow",
    "ReviewSheet",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3

_SCHEMA = (
    """CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        team TEXT,
        report_date TEXT,
        athletes INTEGER NOT NULL DEFAULT 0,
        sent INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        outcome TEXT,
        started TEXT NOT NULL,
        finished TEXT
    )""",
    "CREATE INDEX batches_sha256 ON batches (sha256)",
    """CREATE TABLE messages (
        msg_id TEXT PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batches (id),
        team TEXT NOT NULL,
        athlete_key TEXT NOT NULL,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        sheet_key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        detail TEXT NOT NULL DEFAULT '',
        raw BLOB,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    )""",
    "CREATE INDEX messages_sheet ON messages (team, athlete_key, sheet_key)",
    "CREATE INDEX messages_status ON messages (status)",
)
# Version 2: each sheet's assessment (for "since your last sheet") and batches under review.
_SCHEMA_2 = (
    """CREATE TABLE history (
        team TEXT NOT NULL,
        athlete_key TEXT NOT NULL,
        report_date TEXT NOT NULL,
        batch_id INTEGER NOT NULL REFERENCES batches (id),
        rules TEXT NOT NULL,
        last_week_miles REAL,
        cramps INTEGER NOT NULL,
        PRIMARY KEY (team, athlete_key, report_date)
    )""",
    """CREATE TABLE reviews (
        folder TEXT PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batches (id),
        team TEXT NOT NULL,
        report_date TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'approved', 'sent', 'deleted')),
        created TEXT NOT NULL,
        reminded TEXT,
        updated TEXT NOT NULL
    )""",
)

# SQLite's primary result codes (the low byte of an extended code).
_BUSY, _LOCKED, _CORRUPT, _NOTADB = 5, 6, 11, 26
_CANT_WRITE = {8, 10, 13, 14}  # READONLY, IOERR, FULL, CANTOPEN


class Ledger(HistoryQueries, ReviewQueries):
    """The SQLite ledger at `path`, created with the current schema when missing."""

    def __init__(self, path: Path, *, timeout_seconds: float = 10.0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=timeout_seconds, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise self._error(err) from err
        try:
            self._open()
        except BaseException:
            self._db.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file; every write is already committed."""
        self._db.close()

    def start_batch(self, *, file: str, sha256: str, now: datetime) -> int:
        """Record that a pass started on a roster file; returns the batch id."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO batches (file, sha256, started) VALUES (?, ?, ?)",
                (file, sha256, now.isoformat()),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_batch(
        self,
        batch_id: int,
        *,
        team: str | None,
        report_date: date | None,
        athletes: int,
        sent: int,
        skipped: int,
        failed: int,
        unchanged: int,
        outcome: str,
        now: datetime,
    ) -> None:
        """Record how a batch ended (e.g. outcome "done", "rejected", "failed")."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE batches SET team = ?, report_date = ?, athletes = ?, sent = ?, "
                "skipped = ?, failed = ?, unchanged = ?, outcome = ?, finished = ? WHERE id = ?",
                (team, report_date.isoformat() if report_date else None, athletes, sent,
                 skipped, failed, unchanged, outcome, now.isoformat(), batch_id),
            )  # fmt: skip
        if cursor.rowcount == 0:
            raise LedgerError(f"the delivery ledger {self.path} has no batch {batch_id}")

    def close_interrupted(self, *, now: datetime) -> int:
        """Mark batches a killed process left unfinished "interrupted" (call with the folder lock)."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE batches SET outcome = 'interrupted', finished = ? WHERE outcome IS NULL",
                (now.isoformat(),),
            )
        return cursor.rowcount

    def sheet_status(self, team: str, athlete_key: str, sheet_key: str) -> Status | None:
        """Where this exact sheet for this athlete stands: sent, pending, failed, or None."""
        row = self._one(
            "SELECT status FROM messages WHERE team = ? AND athlete_key = ? AND sheet_key = ? "
            "ORDER BY CASE status WHEN 'sent' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END LIMIT 1",
            (team, athlete_key, sheet_key),
        )
        return None if row is None else cast(Status, row[0])

    def record_pending(
        self,
        *,
        batch_id: int,
        team: str,
        athlete_key: str,
        name: str,
        email: str,
        sheet_key: str,
        msg_id: str,
        raw: bytes,
        now: datetime,
    ) -> Status:
        """Record a message about to be sent (idempotent on `msg_id`); returns its status after."""
        # A pending message keeps its first bytes, so a resend is identical; a sent one stays
        # sent. A failed one becomes pending with the new bytes and address: recording it
        # again is the caller's decision to retry (e.g. after the coach fixed the address).
        with self._transaction() as db:
            row = db.execute("SELECT status FROM messages WHERE msg_id = ?", (msg_id,)).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO messages (msg_id, batch_id, team, athlete_key, name, email, "
                    "sheet_key, status, raw, created, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                    (msg_id, batch_id, team, athlete_key, name, email, sheet_key, raw,
                     now.isoformat(), now.isoformat()),
                )  # fmt: skip
                return "pending"
            if row[0] == "failed":
                db.execute(
                    "UPDATE messages SET status = 'pending', batch_id = ?, name = ?, email = ?, "
                    "raw = ?, detail = '', updated = ? WHERE msg_id = ?",
                    (batch_id, name, email, raw, now.isoformat(), msg_id),
                )
                return "pending"
            return cast(Status, row[0])

    def record_sent(self, msg_id: str, *, detail: str, now: datetime) -> None:
        """Mark a message sent (e.g. the server's answer in `detail`) and drop its bytes."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE messages SET status = 'sent', attempts = attempts + 1, detail = ?, "
                "raw = NULL, updated = ? WHERE msg_id = ?",
                (detail, now.isoformat(), msg_id),
            )
        if cursor.rowcount == 0:
            raise LedgerError(f"the delivery ledger {self.path} has no message {msg_id}")

    def record_failed(self, msg_id: str, *, detail: str, permanent: bool, now: datetime) -> None:
        """Count a failed attempt: a temporary one stays pending, a permanent one is failed."""
        status = "failed" if permanent else "pending"
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE messages SET status = ?, attempts = attempts + 1, detail = ?, "
                "raw = CASE WHEN ? = 'failed' THEN NULL ELSE raw END, updated = ? "
                "WHERE msg_id = ? AND status = 'pending'",
                (status, detail, status, now.isoformat(), msg_id),
            )
            if cursor.rowcount == 0:
                row = db.execute("SELECT 1 FROM messages WHERE msg_id = ?", (msg_id,)).fetchone()
                if row is None:
                    raise LedgerError(f"the delivery ledger {self.path} has no message {msg_id}")
                log.info("%s is no longer pending; failure not recorded", msg_id)

    def pending_messages(self) -> list[PendingMessage]:
        """Every message recorded but not yet handed over, oldest first, with its bytes."""
        rows = self._all(
            f"SELECT {MESSAGE_COLUMNS}, raw FROM messages WHERE status = 'pending' "
            "ORDER BY created, rowid",
            (),
        )
        return [PendingMessage(**message_fields(row), raw=bytes(row[-1] or b"")) for row in rows]

    def batch(self, batch_id: int) -> BatchRow | None:
        """One batch by its id, or None if the ledger has no such batch."""
        row = self._one(f"SELECT {BATCH_COLUMNS} FROM batches WHERE id = ?", (batch_id,))
        return None if row is None else batch_row(row)

    def recent_batches(self, limit: int = 10) -> list[BatchRow]:
        """The latest batches, newest first."""
        rows = self._all(f"SELECT {BATCH_COLUMNS} FROM batches ORDER BY id DESC LIMIT ?", (limit,))
        return [batch_row(row) for row in rows]

    def problem_messages(self) -> list[MessageRow]:
        """Messages failed or still pending, most recently updated first."""
        rows = self._all(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE status IN ('failed', 'pending') "
            "ORDER BY updated DESC, rowid DESC",
            (),
        )
        return [MessageRow(**message_fields(row)) for row in rows]

    def _open(self) -> None:
        """Check the file, switch to WAL and bring the schema up to date."""
        with self._guard():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"the delivery ledger {self.path} was written by a newer cramp-reports "
                    f"(schema {version}) — upgrade cramp-reports, or set [paths] ledger to "
                    "another file"
                )
            check = self._db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if check != "ok":
                raise LedgerError(self._damaged(check))
            if (
                version == 0
                and self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            ):
                raise LedgerError(self._not_ours())  # before WAL: never change another's file
            # WAL: readers (`status`) never wait for a pass; FULL: each commit is on disk.
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        """Create the tables in an empty file; refuse a database that is not a ledger."""
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return  # another process created it meanwhile
            if version == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise LedgerError(self._not_ours())
            steps = (_SCHEMA, _SCHEMA_2, SCHEMA_3)  # step n brings version n to n + 1
            for statement in (s for step in steps[version:] for s in step):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """One row of a read."""
        with self._guard():
            row: tuple[Any, ...] | None = self._db.execute(sql, params).fetchone()
        return row

    def _all(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Every row of a read."""
        with self._guard():
            return list(self._db.execute(sql, params).fetchall())

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front and committed at the end."""
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            finally:
                if self._db.in_transaction:  # SQLite may already have rolled back (disk full)
                    self._db.execute("ROLLBACK")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite's errors into a LedgerError that says what to do."""
        try:
            yield
        except sqlite3.Error as err:
            raise self._error(err) from err

    def _error(self, err: Exception) -> LedgerError:
        """A LedgerError for a SQLite or file error, by kind."""
        code = getattr(err, "sqlite_errorcode", -1) & 0xFF
        if code in (_BUSY, _LOCKED) or "locked" in str(err):
            return LedgerError(
                f"the delivery ledger {self.path} is locked by another process — wait for "
                "the other cramp-reports to finish (or stop it) and try again"
            )
        if code in (_CORRUPT, _NOTADB):
            return LedgerError(self._damaged(str(err)))
        if code in _CANT_WRITE or isinstance(err, OSError):
            return LedgerError(
                f"cannot open or write the delivery ledger {self.path} ({err}) — check that "
                "its folder is writable and has free space, or set [paths] ledger"
            )
        return LedgerError(f"the delivery ledger {self.path} failed: {err}")

    def _not_ours(self) -> str:
        """The message for a SQLite file some other program made."""
        return (
            f"{self.path} is a SQLite file but not a cramp-reports ledger — "
            "set [paths] ledger to another file name"
        )

    def _damaged(self, why: str) -> str:
        """The message for a damaged file: what to do, and what a fresh ledger forgets."""
        why = " ".join(why.split())  # SQLite's integrity report spans lines
        return (
            f"the delivery ledger {self.path} is damaged ({why}): move it aside (e.g. rename "
            f"it to {self.path.name}.damaged) and run again — a new, empty ledger is created, "
            "which no longer knows which sheets were sent, so a roster dropped again is sent again"
        )
