"""The coach reads the most urgent athlete first: urgent, check-up, act findings, cramps, name."""

from __future__ import annotations

from dataclasses import replace

from reports.models import Assessment, Finding, Level, Risk
from reports.ranking import by_urgency, doctor_finding, is_urgent, sees_doctor

from conftest import make_athlete


def athlete(name: str, risk: Risk, *levels: tuple[str, Level], cramps: int = 0) -> Assessment:
    """An assessment with these (rule, level) findings and this many cramps in the window."""
    findings = tuple(Finding(rule, level, "…") for rule, level in levels)
    return Assessment(make_athlete(name=name), findings, risk, recent_cramps=cramps)


def test_urgent_then_check_up_then_act_findings_then_cramps_then_name() -> None:
    """Each key breaks the ties the one before it leaves."""
    team = [
        athlete("Zed Quiet", "low"),
        athlete("Amy Acts", "high", ("pacing", "act"), ("hydration", "act"), cramps=1),
        athlete("Bo One", "high", ("pacing", "act"), cramps=1),
        athlete("Cy Cramps", "high", ("pacing", "act"), cramps=3),
        athlete("Di Doctor", "high", ("see-doctor", "act"), cramps=3),
        athlete("Ed Urgent", "urgent", ("see-doctor", "urgent"), cramps=1),
        athlete("Al Watch", "watch", ("load-spike", "act")),
    ]
    names = [a.athlete.name for a in by_urgency(team)]
    assert names == [
        "Ed Urgent", "Di Doctor", "Amy Acts", "Cy Cramps", "Bo One", "Al Watch", "Zed Quiet",
    ]  # fmt: skip
    assert [a.athlete.name for a in by_urgency(team, 2)] == ["Ed Urgent", "Di Doctor"]


def test_only_an_urgent_or_check_up_finding_sends_an_athlete_to_a_doctor() -> None:
    """ "Mention it at your next visit" (watch) is not a trip to the doctor."""
    mention = athlete("Gia", "watch", ("see-doctor", "watch"))
    checkup = athlete("Hal", "high", ("see-doctor", "act"))
    today = athlete("Ivy", "urgent", ("see-doctor", "urgent"))
    assert not sees_doctor(mention) and doctor_finding(mention) is None
    assert sees_doctor(checkup) and not is_urgent(checkup)
    assert sees_doctor(today) and is_urgent(today)
    assert not is_urgent(replace(today, findings=()))
