"""Who the coach reads about first: the team summary's order and its doctor list.

This is policy, not drawing: urgent athletes first, then those due a check-up, then by
how many findings call for action, then by cramps in the window, then by name. Risk leads
the key so the summary's risk column never goes back up the scale (an athlete with two
act findings and no cramp is `watch`, below a `high` one with one act finding and a cramp).
"""

from __future__ import annotations

from collections.abc import Sequence

from reports.models import LEVEL_ORDER, RISK_ORDER, Assessment, Finding


def doctor_finding(assessment: Assessment) -> Finding | None:
    """The see-doctor finding that sends this athlete to a doctor (urgent or check-up)."""
    return next(
        (f for f in assessment.findings if f.rule == "see-doctor" and f.level in ("urgent", "act")),
        None,
    )


def sees_doctor(assessment: Assessment) -> bool:
    """Whether this athlete should see a doctor: today (urgent) or for a check-up (act)."""
    return doctor_finding(assessment) is not None


def is_urgent(assessment: Assessment) -> bool:
    """Whether this athlete must get medical help today."""
    return any(f.level == "urgent" for f in assessment.findings)


def urgency(assessment: Assessment) -> tuple[int, bool, bool, int, int, str]:
    """Sort key, most urgent first: risk, urgent, see-doctor, act findings, cramps, name."""
    acts = sum(1 for f in assessment.findings if f.level == "act")
    return (
        RISK_ORDER.get(assessment.risk, len(RISK_ORDER)),
        not is_urgent(assessment),
        not sees_doctor(assessment),
        -acts,
        -assessment.recent_cramps,
        assessment.athlete.name.casefold(),
    )


def by_urgency(assessments: Sequence[Assessment], limit: int | None = None) -> list[Assessment]:
    """The athletes most urgent first, at most `limit` of them."""
    ranked = sorted(assessments, key=urgency)
    return ranked if limit is None else ranked[:limit]


def order_findings(findings: Sequence[Finding]) -> list[Finding]:
    """`see-doctor` first, then urgent, act, watch, info; ties keep the rules' order."""
    return sorted(findings, key=lambda f: (f.rule != "see-doctor", LEVEL_ORDER.get(f.level, 9)))
