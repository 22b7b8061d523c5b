"""The ledger's record of batches under the coach's review, and of each sheet waiting in them.

A review row is keyed by its folder's name (`<team-slug>-<report-date>`): a newer roster for
the same team and date replaces it. Each sheet waiting in the folder is kept with the hash of
its PDF and the parts of its email, so approving sends exactly the sheet that was rendered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date, datetime

from reports.ledger.base import Database

# Version 3: who the coach of a review is, and the sheets waiting in it.
SCHEMA_3 = (
    "ALTER TABLE reviews ADD COLUMN coach TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE reviews ADD COLUMN coach_email TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE reviews ADD COLUMN attention TEXT NOT NULL DEFAULT '[]'",
    """CREATE TABLE review_sheets (
        folder TEXT NOT NULL,
        position INTEGER NOT NULL,
        athlete_key TEXT NOT NULL,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        cc TEXT,
        pdf TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        sheet_key TEXT NOT NULL,
        msg_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        text TEXT NOT NULL,
        html TEXT,
        attachment_name TEXT NOT NULL,
        PRIMARY KEY (folder, athlete_key)
    )""",
)


@dataclass(frozen=True)
class ReviewRow:
    """A batch waiting for (or past) the coach's review, by its folder's name."""

    folder: str
    batch_id: int
    team: str
    report_date: date
    state: str  # waiting | approved | sent | deleted
    created: datetime
    reminded: datetime | None
    coach: str = ""
    coach_email: str = ""
    attention: tuple[tuple[str, str], ...] = ()  # (name, reason): must see a doctor


@dataclass(frozen=True)
class ReviewSheet:
    """One athlete's sheet waiting in a review folder: its PDF's name and hash, and its email."""

    athlete_key: str
    name: str
    email: str
    cc: str | None
    pdf: str  # the file name, in out/ and in the review folder alike
    sha256: str
    sheet_key: str
    msg_id: str
    subject: str
    text: str
    html: str | None
    attachment_name: str


_SHEET_FIELDS = tuple(f.name for f in fields(ReviewSheet))
_SHEET_COLUMNS = ", ".join(_SHEET_FIELDS)
_REVIEW_COLUMNS = (
    "folder, batch_id, team, report_date, state, created, reminded, coach, coach_email, attention"
)


class ReviewQueries:
    """Batches under review: opened, moved on (approved, sent, deleted), listed."""

    def record_review(
        self: Database,
        *,
        folder: str,
        batch_id: int,
        team: str,
        report_date: date,
        coach: str,
        coach_email: str,
        attention: list[tuple[str, str]],
        sheets: list[ReviewSheet],
        now: datetime,
    ) -> None:
        """Record a batch waiting for review in `folder`, replacing an older batch's."""
        with self._transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO reviews ({_REVIEW_COLUMNS}, updated) "
                "VALUES (?, ?, ?, ?, 'waiting', ?, NULL, ?, ?, ?, ?)",
                (folder, batch_id, team, report_date.isoformat(), now.isoformat(), coach,
                 coach_email, json.dumps(attention, ensure_ascii=False), now.isoformat()),
            )  # fmt: skip
            db.execute("DELETE FROM review_sheets WHERE folder = ?", (folder,))
            marks = ", ".join("?" for _ in _SHEET_FIELDS)
            db.executemany(
                f"INSERT INTO review_sheets (folder, position, {_SHEET_COLUMNS}) "
                f"VALUES (?, ?, {marks})",
                [
                    (folder, position, *(getattr(s, f) for f in _SHEET_FIELDS))
                    for position, s in enumerate(sheets)
                ],
            )

    def set_review(
        self: Database, folder: str, *, state: str, now: datetime, reminded: bool = False
    ) -> None:
        """Move a review on (approved, sent, deleted), or note that the coach was reminded."""
        with self._transaction() as db:
            db.execute(
                "UPDATE reviews SET state = ?, updated = ?, "
                "reminded = CASE WHEN ? THEN ? ELSE reminded END WHERE folder = ?",
                (state, now.isoformat(), reminded, now.isoformat(), folder),
            )

    def review(self: Database, folder: str) -> ReviewRow | None:
        """The review kept under `folder`'s name, or None."""
        row = self._one(f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE folder = ?", (folder,))
        return None if row is None else _review(row)

    def reviews(self: Database, *states: str) -> list[ReviewRow]:
        """Reviews in any of `states`, oldest first."""
        marks = ", ".join("?" for _ in states)
        rows = self._all(
            f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE state IN ({marks}) "
            "ORDER BY created, folder",
            states,
        )
        return [_review(row) for row in rows]

    def review_sheets(self: Database, folder: str) -> list[ReviewSheet]:
        """The sheets waiting in `folder`, in roster order."""
        rows = self._all(
            f"SELECT {_SHEET_COLUMNS} FROM review_sheets WHERE folder = ? ORDER BY position",
            (folder,),
        )
        return [ReviewSheet(*row) for row in rows]


def _review(row: tuple[object, ...]) -> ReviewRow:
    """A reviews row as a ReviewRow."""
    folder, batch, team, day, state, created, reminded, coach, coach_email, attention = row
    return ReviewRow(
        str(folder),
        int(str(batch)),
        str(team),
        date.fromisoformat(str(day)),
        str(state),
        datetime.fromisoformat(str(created)),
        datetime.fromisoformat(str(reminded)) if reminded else None,
        str(coach),
        str(coach_email),
        tuple((str(name), str(reason)) for name, reason in json.loads(str(attention))),
    )
