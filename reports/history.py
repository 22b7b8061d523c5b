"""What changed since an athlete's previous sheet: pure comparisons, no I/O, no clock."""

from __future__ import annotations

from datetime import date

from reports.models import Assessment, PreviousSheet, Since


def last_week_miles(assessment: Assessment, report_date: date) -> float | None:
    """The distance of the latest logged week that started on or before the report date."""
    logged = [w for w in assessment.athlete.weeks if w.start <= report_date and w.miles is not None]
    return logged[-1].miles if logged else None


def remember(assessment: Assessment, report_date: date) -> PreviousSheet:
    """What the ledger keeps of this sheet, for the next one to compare with."""
    return PreviousSheet(
        report_date=report_date,
        rules=tuple(dict.fromkeys(f.rule for f in assessment.findings)),
        last_week_miles=last_week_miles(assessment, report_date),
        cramps=sum(1 for i in assessment.athlete.incidents if i.day <= report_date),
    )


def since(previous: PreviousSheet, assessment: Assessment, report_date: date) -> Since:
    """The change from `previous` (an earlier report date) to this assessment."""
    now = remember(assessment, report_date)
    return Since(
        report_date=previous.report_date,
        new_cramps=sum(
            1 for i in assessment.athlete.incidents if previous.report_date < i.day <= report_date
        ),
        new_findings=tuple(r for r in now.rules if r not in previous.rules),
        resolved_findings=tuple(r for r in previous.rules if r not in now.rules),
        miles_before=previous.last_week_miles,
        miles_now=now.last_week_miles,
    )
