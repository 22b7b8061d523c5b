"""The ledger's memory of each athlete's sheets, for "since your last sheet"."""

from __future__ import annotations

from datetime import date

from reports.ledger.base import Database
from reports.models import PreviousSheet


class HistoryQueries:
    """Each athlete's assessment per report date, kept for the next sheet to compare with."""

    def record_history(
        self: Database, *, batch_id: int, team: str, sheets: list[tuple[str, PreviousSheet]]
    ) -> None:
        """Keep each athlete's sheet (athlete key, what it said); a re-run replaces its date's."""
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO history (team, athlete_key, report_date, batch_id, rules, "
                "last_week_miles, cramps) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(team, key, p.report_date.isoformat(), batch_id, "\n".join(p.rules),
                  p.last_week_miles, p.cramps) for key, p in sheets],
            )  # fmt: skip

    def previous_sheets(self: Database, team: str, before: date) -> dict[str, PreviousSheet]:
        """Each athlete's latest sheet for `team` with a report date before `before`."""
        rows = self._all(
            "SELECT athlete_key, report_date, rules, last_week_miles, cramps FROM history h "
            "WHERE team = ? AND report_date = (SELECT max(report_date) FROM history "
            "WHERE team = h.team AND athlete_key = h.athlete_key AND report_date < ?)",
            (team, before.isoformat()),
        )
        return {
            key: PreviousSheet(date.fromisoformat(day), tuple(filter(None, rules.split("\n"))),
                               miles, cramps)
            for key, day, rules, miles, cramps in rows
        }  # fmt: skip
