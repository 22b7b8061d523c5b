"""Pure view data for the sheets: week slots, chart geometry, sparklines, summary rows.

Everything here is numbers in, numbers out; the templates draw the SVG from them, so no
workbook text ever reaches an SVG attribute.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from reports.models import KM_PER_MILE, Assessment, Athlete, Finding, Roster, Units
from reports.ranking import by_urgency, order_findings, sees_doctor
from reports.settings import RuleSettings

WEEK = timedelta(days=7)
# A summary lists at most this many athletes in its table, and as many in its doctor list:
# past that a coach needs the counts and who comes first, not hundreds of pages.
SUMMARY_ROWS = 200


@dataclass(frozen=True)
class WeekSlot:
    """One calendar week of the chart; `miles is None` means nothing was logged."""

    start: date
    miles: float | None
    cramps: int


@dataclass(frozen=True)
class Bar:
    """One week's column in SVG user units; a not-logged week has no bar, only a gap."""

    x: float
    y: float
    width: float
    height: float
    centre: float
    logged: bool
    cramps: int


@dataclass(frozen=True)
class BarChart:
    """The athlete sheet's weekly distance chart: one equal slot per week."""

    width: float
    height: float
    baseline: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Point:
    """A point in SVG user units."""

    x: float
    y: float


@dataclass(frozen=True)
class Sparkline:
    """A tiny trend line: logged runs of weeks as polylines, cramp weeks as dots."""

    width: float
    height: float
    segments: tuple[str, ...]
    ends: tuple[Point, ...]
    cramps: tuple[Point, ...]


@dataclass(frozen=True)
class SummaryRow:
    """One athlete's line in the team summary."""

    assessment: Assessment
    findings: tuple[Finding, ...]
    weeks: tuple[WeekSlot, ...]
    spark: Sparkline
    last_week: float | None
    change: float | None
    recent_cramps: int

    @classmethod
    def of(cls, assessment: Assessment, report_date: date, since: date) -> SummaryRow:
        """The row for one assessment; cramps count from `since` to the report date."""
        slots = week_slots(assessment.athlete, report_date)
        incidents = assessment.athlete.incidents
        return cls(
            assessment=assessment,
            findings=tuple(order_findings(assessment.findings)),
            weeks=slots,
            spark=sparkline(slots),
            last_week=slots[-1].miles,
            change=week_change(slots),
            recent_cramps=sum(1 for i in incidents if since <= i.day <= report_date),
        )

    @property
    def athlete(self) -> Athlete:
        """The athlete on this row."""
        return self.assessment.athlete

    @property
    def sees_doctor(self) -> bool:
        """Whether this athlete should see a doctor first."""
        return sees_doctor(self.assessment)

    @property
    def doctor(self) -> Finding | None:
        """The see-doctor finding that sends this athlete to a doctor, if any."""
        return next((f for f in self.findings if f.rule == "see-doctor"), None)


@dataclass(frozen=True)
class SummaryView:
    """Everything the team summary shows, with its lists capped for very large rosters.

    Over `SUMMARY_ROWS` athletes, `roster.athletes` holds only the athletes listed.
    """

    roster: Roster
    rules: RuleSettings
    since: date
    rows: tuple[SummaryRow, ...]
    doctor: tuple[SummaryRow, ...]
    notes: tuple[SummaryRow, ...]
    athletes: int
    with_cramps: int
    to_see_doctor: int
    by_risk: tuple[tuple[str, int], ...]
    by_rule: tuple[tuple[str, int], ...]

    @property
    def rows_left_out(self) -> int:
        """Athletes on the roster but not in the table."""
        return self.athletes - len(self.rows)

    @property
    def doctor_left_out(self) -> int:
        """Athletes who should see a doctor but are not in the doctor list."""
        return self.to_see_doctor - len(self.doctor)


def summary_view(
    roster: Roster,
    assessments: Sequence[Assessment],
    rules: RuleSettings,
    limit: int | None = None,
) -> SummaryView:
    """The summary's content: athletes most urgent first (`reports.ranking`), the doctor
    list, the notes to read, and the totals; past `limit` athletes (default `SUMMARY_ROWS`)
    each list keeps the `limit` most urgent.
    """
    limit = SUMMARY_ROWS if limit is None else limit
    report_date = roster.report_date
    since = report_date - timedelta(days=rules.window_days - 1)
    listed = by_urgency(assessments, limit)
    doctor = by_urgency([a for a in assessments if sees_doctor(a)], limit)
    notes = by_urgency([a for a in assessments if a.notes_to_read], limit)
    rows = {id(a): SummaryRow.of(a, report_date, since) for a in (*listed, *doctor, *notes)}
    if len(assessments) > limit:
        roster = replace(roster, athletes=tuple(row.athlete for row in rows.values()))
    by_rule = Counter(rule for a in assessments for rule in {f.rule for f in a.findings})
    return SummaryView(
        roster=roster,
        rules=rules,
        since=since,
        rows=tuple(rows[id(a)] for a in listed),
        doctor=tuple(rows[id(a)] for a in doctor),
        notes=tuple(rows[id(a)] for a in notes),
        athletes=len(assessments),
        with_cramps=sum(
            1
            for a in assessments
            if any(since <= i.day <= report_date for i in a.athlete.incidents)
        ),
        to_see_doctor=sum(1 for a in assessments if sees_doctor(a)),
        by_risk=tuple(sorted(Counter(a.risk for a in assessments).items())),
        by_rule=tuple(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def week_slots(athlete: Athlete, report_date: date, count: int = 8) -> tuple[WeekSlot, ...]:
    """The `count` weeks ending with the one that holds `report_date`, oldest first."""
    anchor = _last_week_start(athlete, report_date)
    starts = [anchor - WEEK * (count - 1 - i) for i in range(count)]
    miles: dict[date, float | None] = dict.fromkeys(starts)
    for week in athlete.weeks:
        slot = _slot_of(week.start, starts)
        if slot is not None and week.miles is not None:
            miles[slot] = (miles[slot] or 0.0) + week.miles
    cramps = dict.fromkeys(starts, 0)
    for incident in athlete.incidents:
        slot = _slot_of(incident.day, starts)
        if slot is not None and incident.day <= report_date:
            cramps[slot] += 1
    return tuple(WeekSlot(start=s, miles=miles[s], cramps=cramps[s]) for s in starts)


def week_change(slots: Sequence[WeekSlot]) -> float | None:
    """The last week's distance against the week before, as a fraction; None if unknown."""
    if len(slots) < 2:
        return None
    before, last = slots[-2].miles, slots[-1].miles
    if before is None or last is None or before <= 0:
        return None
    return (last - before) / before


def plain_number(value: float, places: int) -> str:
    """`value` with at most `places` decimals and no trailing zeros."""
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def distance_number(miles: float, units: Units) -> str:
    """A distance in the team's unit, without the unit: whole above ten, one decimal below."""
    value = miles * KM_PER_MILE if units == "km" else miles
    return plain_number(value, 0 if abs(value) >= 9.95 else 1)


def chart_description(slots: Sequence[WeekSlot], units: Units) -> str:
    """The weekly chart in words and numbers, for readers who cannot see it (its alt text).

    `Weekly distance, last 8 weeks, from the week of Sep 28 to the week of Nov 16: 26, 25,
    not logged, … miles. Cramps in the weeks of Nov 2, Nov 9 (2 cramps) and Nov 16.`
    """
    if not slots:
        return "Weekly distance: no weeks to show."
    unit = "km" if units == "km" else "miles"
    numbers = ["not logged" if s.miles is None else distance_number(s.miles, units) for s in slots]
    span = f"from the week of {_day(slots[0].start)} to the week of {_day(slots[-1].start)}"
    cramp_weeks = [
        _day(s.start) + (f" ({s.cramps} cramps)" if s.cramps > 1 else "") for s in slots if s.cramps
    ]
    if not cramp_weeks:
        cramps = "No cramps logged in these weeks."
    elif len(cramp_weeks) == 1:
        one = sum(s.cramps for s in slots) == 1
        cramps = f"{'A cramp' if one else 'Cramps'} in the week of {cramp_weeks[0]}."
    else:
        cramps = f"Cramps in the weeks of {', '.join(cramp_weeks[:-1])} and {cramp_weeks[-1]}."
    return (
        f"Weekly distance, last {len(slots)} weeks, {span}: {', '.join(numbers)} {unit}. {cramps}"
    )


def _day(day: date) -> str:
    """`Nov 2`: how the sheets name a week."""
    return f"{day:%b} {day.day}"


def bar_chart(slots: Sequence[WeekSlot], width: float = 800, height: float = 170) -> BarChart:
    """Bars in equal slots across `width`, scaled to the longest week; room above for dots."""
    top_pad, bottom_pad = 36.0, 3.0
    baseline = height - bottom_pad
    peak = max((s.miles or 0.0) for s in slots) if slots else 0.0
    usable = baseline - top_pad
    slot_width = width / max(len(slots), 1)
    bar_width = slot_width * 0.56
    bars = []
    for i, slot in enumerate(slots):
        centre = slot_width * (i + 0.5)
        bar_height = usable * slot.miles / peak if slot.miles and peak else 0.0
        if slot.miles == 0:
            bar_height = 1.5  # a rested week is a visible sliver, unlike a not-logged gap
        bars.append(
            Bar(
                x=round(centre - bar_width / 2, 1),
                y=round(baseline - bar_height, 1),
                width=round(bar_width, 1),
                height=round(bar_height, 1),
                centre=round(centre, 1),
                logged=slot.miles is not None,
                cramps=slot.cramps,
            )
        )
    return BarChart(width, height, baseline, tuple(bars))


def sparkline(slots: Sequence[WeekSlot], width: float = 120, height: float = 26) -> Sparkline:
    """A trend line that breaks at not-logged weeks and dots the weeks with cramps."""
    pad = 3.0
    top = max((s.miles or 0.0) for s in slots) if slots else 0.0
    step = (width - 2 * pad) / max(len(slots) - 1, 1)

    def y_of(miles: float) -> float:
        return round(height - pad - (height - 2 * pad) * (miles / top if top else 0.0), 1)

    segments: list[list[Point]] = [[]]
    cramps = []
    for i, slot in enumerate(slots):
        x = round(pad + step * i, 1)
        if slot.miles is None:
            segments.append([])
        else:
            segments[-1].append(Point(x, y_of(slot.miles)))
        if slot.cramps:
            cramps.append(Point(x, y_of(slot.miles or 0.0)))
    runs = [seg for seg in segments if seg]
    return Sparkline(
        width=width,
        height=height,
        segments=tuple(" ".join(f"{p.x},{p.y}" for p in seg) for seg in runs if len(seg) > 1),
        ends=tuple(seg[-1] for seg in runs),
        cramps=tuple(cramps),
    )


def _last_week_start(athlete: Athlete, report_date: date) -> date:
    """The start of the week holding the report date, on the athlete's own week grid."""
    starts = [w.start for w in athlete.weeks if w.start <= report_date]
    if not starts:
        return report_date - timedelta(days=6)
    anchor = max(starts)
    weeks_ahead = (report_date - anchor).days // 7
    return anchor + WEEK * weeks_ahead


def _slot_of(day: date, starts: Sequence[date]) -> date | None:
    """The slot start whose week holds `day`, or None when it is outside the chart."""
    for start in starts:
        if start <= day < start + WEEK:
            return start
    return None
