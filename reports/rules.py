"""The ten cramp-prevention rules: pure functions of an athlete, the settings and a date.

A rule looks at the cramps in the window (the `window_days` days ending on the report
date, inclusive) and returns at most one finding whose evidence quotes the athlete's own
numbers in the team's unit. A blank cell is never evidence: a cramp with no Electrolytes
entry is not a cramp "with no electrolytes". Levels (`pattern_cramps` defaults to 2):

- see-doctor: always act.
- load-spike: act above the act thresholds, watch above the watch thresholds.
- hydration: act when one cramp had both low fluid and dark urine, or `pattern_cramps`
  cramps had either; watch otherwise.
- electrolytes, pacing, warmup: act from `pattern_cramps` matching cramps; watch for one.
- overhydration: watch.
- night-cramps: watch from `pattern_cramps` cramps, info for one.
- cramp-response, compression: info.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from reports import evidence as say
from reports.case import (
    Case,
    above,
    at_least,
    at_least_one,
    is_calf,
    is_during,
    is_hot,
    is_late,
    is_long,
    known_above,
    known_below,
    make_case,
    where,
    window_start,
)
from reports.doctor import frequency_reasons, medical_notes, red_flag_sentences
from reports.metrics import CHRONIC_WEEKS, LONG_RUN_LOOKBACK_WEEKS, Workload, workload
from reports.models import (
    LEVEL_ORDER,
    Assessment,
    Athlete,
    Finding,
    Incident,
    Level,
    Risk,
    Units,
)
from reports.settings import RuleSettings

RULE_IDS: tuple[str, ...] = (
    "see-doctor",
    "load-spike",
    "hydration",
    "overhydration",
    "electrolytes",
    "pacing",
    "warmup",
    "cramp-response",
    "night-cramps",
    "compression",
)
STRENGTH: dict[str, str] = {
    "see-doctor": "well supported",
    "load-spike": "mixed evidence",
    "hydration": "mixed evidence",
    "overhydration": "well supported",
    "electrolytes": "mixed evidence",
    "pacing": "mixed evidence",
    "warmup": "limited evidence",
    "cramp-response": "well supported",
    "night-cramps": "limited evidence",
    "compression": "limited evidence",
}


def evaluate(
    athlete: Athlete, settings: RuleSettings, report_date: date, units: Units = "miles"
) -> tuple[Finding, ...]:
    """Every rule that fires, see-doctor first, then act, watch, info (RULE_IDS within)."""
    case = make_case(athlete, settings, report_date, units)
    found = [finding for rule in RULES.values() if (finding := rule(case)) is not None]
    return tuple(sorted(found, key=_reading_order))


def risk_of(findings: Sequence[Finding]) -> Risk:
    """`high` with any act finding (see-doctor is always act), `watch` with any other, else `low`.

    Every info finding comes from a cramp in the window (cramp-response or night-cramps
    fires for each one), so "watch" means: a watch finding or any recent cramp.
    """
    if any(f.level == "act" for f in findings):
        return "high"
    return "watch" if findings else "low"


def assess(
    athlete: Athlete, settings: RuleSettings, report_date: date, units: Units = "miles"
) -> Assessment:
    """An athlete's findings in reading order and their overall risk."""
    findings = evaluate(athlete, settings, report_date, units)
    return Assessment(athlete=athlete, findings=findings, risk=risk_of(findings))


def see_doctor(case: Case) -> Finding | None:
    """Frequent cramps, a medicine or condition noted with a recent cramp, or a red flag."""
    sentences = [*frequency_reasons(case), *medical_notes(case.athlete, case.recent, case.window)]
    sentences += red_flag_sentences(case.recent, case.settings.doctor_lasted_minutes)
    return _finding("see-doctor", "act", sentences) if sentences else None


def load_spike(case: Case) -> Finding | None:
    """This week's distance or long run jumped on the weeks before (see `reports.metrics`).

    "This week" must start inside the window: a roster whose log stopped long before the
    report date does not get a spike from weeks ago.
    """
    load = workload(case.athlete.weeks, case.report_date)
    first = window_start(case.report_date, case.settings.window_days)
    if load.week is None or load.week.start < first or load.miles is None:
        return None  # nothing logged this week, or "this week" is older than the window
    levels: list[Level] = []
    sentences: list[str] = []
    for check in (_weekly_rise, _ratio_rise, _long_run_rise):
        found = check(case, load, bool(sentences))
        if found is not None:
            levels.append(found[0])
            sentences.append(found[1])
    if not sentences:
        return None
    return _finding("load-spike", "act" if "act" in levels else "watch", sentences)


def _weekly_rise(case: Case, load: Workload, _said: bool) -> tuple[Level, str] | None:
    """Load-spike's week-over-week sentence, when the rise passes a threshold."""
    s, u = case.settings, case.units
    if load.change is None or load.previous_miles is None or load.miles is None or not load.week:
        return None
    limit = _level_above(load.change, s.weekly_increase_act, s.weekly_increase_watch)
    if limit is None:
        return None
    pct = say.above(load.change * 100, limit[1] * 100, 0)
    return limit[0], (
        f"You ran {say.distance(load.miles, u)} in the week of {say.day(load.week.start)},"
        f" up {pct}% on the {say.distance(load.previous_miles, u)} of the week before."
    )


def _ratio_rise(case: Case, load: Workload, said: bool) -> tuple[Level, str] | None:
    """Load-spike's acute:chronic sentence, when the ratio reaches a threshold."""
    s, u = case.settings, case.units
    if load.ratio is None or load.chronic_miles is None or load.miles is None or not load.week:
        return None
    if not at_least(load.ratio, min(s.acwr_act, s.acwr_watch)):
        return None
    level: Level = "act" if at_least(load.ratio, s.acwr_act) else "watch"
    lead = (
        "That is"
        if said
        else f"You ran {say.distance(load.miles, u)} in the week of {say.day(load.week.start)},"
    )
    return level, (
        f"{lead} {say.number(load.ratio, 1)} times your average of"
        f" {say.distance(load.chronic_miles, u)} over the {CHRONIC_WEEKS} weeks before."
    )


def _long_run_rise(case: Case, load: Workload, said: bool) -> tuple[Level, str] | None:
    """Load-spike's long-run sentence, when the long run passes the spike threshold."""
    s, u = case.settings, case.units
    run, longest = load.long_run_miles, load.longest_before_miles
    if load.long_run_ratio is None or run is None or not longest or not load.week:
        return None
    if not above(load.long_run_ratio, s.long_run_spike):
        return None
    when = "that week" if said else f"in the week of {say.day(load.week.start)}"
    return "act", (
        f"Your long run of {say.distance(run, u)} {when} was"
        f" {say.above(load.long_run_ratio, s.long_run_spike)} times your longest run of"
        f" the {LONG_RUN_LOOKBACK_WEEKS} weeks before ({say.distance(longest, u)})."
    )


def hydration(case: Case) -> Finding | None:
    """A recent cramp after too little fluid, or with dark urine."""
    s, u = case.settings, case.units
    low = [i for i in case.recent if known_below(i.fluid_before_oz, s.min_fluid_oz)]
    dark = [i for i in case.recent if i.urine == "dark"]
    if not low and not dark:
        return None
    signs = {id(i) for i in low} | {id(i) for i in dark}
    both = len(signs) < len(low) + len(dark)
    level: Level = "act" if both or len(signs) >= case.pattern else "watch"
    least = say.fluid(s.min_fluid_oz, u)
    total = len(case.recent)
    sentences = []
    if len(low) == 1:
        drank = low[0].fluid_before_oz or 0.0
        amount = f"only {say.fluid(drank, u)}" if drank > 0 else "nothing"
        sentence = f"Before your cramp on {say.day(low[0].day)} you drank {amount}"
        sentence += f", less than the {least} we suggest"
        sentences.append(sentence + (", and your urine was dark." if dark == low else "."))
    elif low:
        subject = say.subject(low, total, case.window)
        sentences.append(f"{subject} came after less than {least} of fluid.")
    if dark and dark != low:
        whose = say.lower_first(say.subject(dark, total, case.window))
        sentences.append(f"Your urine was dark around {whose}.")
    return _finding("hydration", level, sentences)


def overhydration(case: Case) -> Finding | None:
    """Typical or logged pre-run fluid far above the advised range."""
    s, u = case.settings, case.units
    advised = say.fluid_range(s.min_fluid_oz, s.max_fluid_oz, u)
    sentences = []
    usual = case.athlete.pre_run_fluid_oz
    if usual is not None and above(usual, s.overhydration_oz):
        sentences.append(
            f"You usually drink about {say.fluid(usual, u)} before a run,"
            f" well above the {advised} we suggest."
        )
    heavy = [i for i in case.recent if known_above(i.fluid_before_oz, s.overhydration_oz)]
    if len(heavy) == 1:
        drank = say.fluid(heavy[0].fluid_before_oz or 0.0, u)
        tail = "." if sentences else f", well above the {advised} we suggest."
        sentences.append(f"Before your cramp on {say.day(heavy[0].day)} you drank {drank}{tail}")
    elif heavy:
        subject = say.subject(heavy, len(case.recent), case.window)
        limit = say.fluid(s.overhydration_oz, u)
        sentences.append(f"{subject} came after drinking more than {limit}.")
    return _finding("overhydration", "watch", sentences) if sentences else None


def electrolytes(case: Case) -> Finding | None:
    """A recent cramp on a long or hot run, or by a heavy sweater, with no electrolytes."""
    sweater = case.athlete.heavy_sweater is True
    hits = [
        i
        for i in case.recent
        if i.electrolytes is False and (sweater or is_long(case, i) or is_hot(case, i))
    ]
    if not hits:
        return None
    if len(hits) == 1:
        sentence = f"Your cramp on {say.day(hits[0].day)} came {where(case, hits[0])},"
    else:
        kinds = [
            k for k, f in (("long", is_long), ("hot", is_hot)) if any(f(case, i) for i in hits)
        ]
        runs = f"{say.join(kinds, 'or')} runs" if kinds else "runs"
        sentence = f"{say.subject(hits, len(case.recent), case.window)} came on {runs}"
    sentence += " with no electrolytes."
    if sweater:
        sentence = f"You sweat heavily, and {say.lower_first(sentence)}"
    return _finding("electrolytes", _pattern_level(case, hits), [sentence])


def pacing(case: Case) -> Finding | None:
    """A recent cramp when running faster than usual or racing, or late in a long run."""
    hits = [i for i in case.recent if i.pace in ("faster", "race") or is_late(case, i)]
    if not hits:
        return None
    if len(hits) == 1:
        hit = hits[0]
        how = {"faster": "when you ran faster than usual", "race": "in a race"}.get(hit.pace or "")
        parts = [
            p for p in (how, where(case, hit, heat=False) if is_late(case, hit) else None) if p
        ]
        late = ", late in a long run" if is_late(case, hit) and not how else ""
        sentence = f"Your cramp on {say.day(hit.day)} came {', '.join(parts)}{late}."
    else:
        kinds = [
            kind
            for kind, test in (
                ("when you ran faster than usual", lambda i: i.pace == "faster"),
                ("in races", lambda i: i.pace == "race"),
                ("late in long runs", lambda i: is_late(case, i)),
            )
            if any(test(i) for i in hits)
        ]
        subject = say.subject(hits, len(case.recent), case.window)
        sentence = f"{subject} came {say.join(kinds, 'or')}."
    return _finding("pacing", _pattern_level(case, hits), [sentence])


def warmup(case: Case) -> Finding | None:
    """A recent cramp without a warm-up, or no warm-up routine and a recent cramp."""
    routine = case.athlete.warmup
    hits = [
        i for i in case.recent if i.warmed_up is False or (i.warmed_up is None and routine is False)
    ]
    if not hits:
        return None
    if len(hits) == 1:
        sentence = f"Your cramp on {say.day(hits[0].day)} came on a run without a warm-up."
    else:
        subject = say.subject(hits, len(case.recent), case.window)
        sentence = f"{subject} came on runs without a warm-up."
    if routine is False:
        sentence = f"You don't usually warm up before running, and {say.lower_first(sentence)}"
    return _finding("warmup", _pattern_level(case, hits), [sentence])


def cramp_response(case: Case) -> Finding | None:
    """Any recent cramp during a run (or at an unrecorded time, most likely a run)."""
    hits = [i for i in case.recent if i.when in ("during", None)]
    if not hits:
        return None
    during = all(is_during(i) for i in hits)
    if len(hits) == 1:
        place = "during a run " if during else ""
        sentence = f"You had a cramp {place}on {say.day(hits[0].day)}."
    else:
        place = " during runs" if during else ""
        dates = say.days([i.day for i in hits])
        sentence = f"You had {len(hits)} cramps{place} in {case.window} ({dates})."
    return _finding("cramp-response", "info", [sentence])


def night_cramps(case: Case) -> Finding | None:
    """Any recent cramp after a run or at night."""
    hits = [i for i in case.recent if i.when in ("after", "night")]
    if not hits:
        return None
    whens = {i.when for i in hits}
    when = {"after": "after a run", "night": "at night"}
    if len(hits) == 1:
        sentence = f"You had a cramp {when[hits[0].when or 'night']} on {say.day(hits[0].day)}."
    else:
        how = "at night" if whens == {"night"} else "after runs" if whens == {"after"} else ""
        how = how or "after runs or at night"
        dates = say.days([i.day for i in hits])
        sentence = f"You had {len(hits)} cramps {how} in {case.window} ({dates})."
    level: Level = "watch" if len(hits) >= case.pattern else "info"
    return _finding("night-cramps", level, [sentence])


def compression(case: Case) -> Finding | None:
    """Repeated recent calf cramps and no compression gear."""
    calf = [i for i in case.recent if is_calf(i.muscle)]
    if case.athlete.compression is not False or len(calf) < at_least_one(
        case.settings.compression_cramps
    ):
        return None
    dates = say.days([i.day for i in calf])
    sentence = (
        f"You had {say.count(len(calf), 'calf cramp')} in {case.window} ({dates})"
        " and don't wear compression gear."
    )
    return _finding("compression", "info", [sentence])


RULES: dict[str, Callable[[Case], Finding | None]] = {
    "see-doctor": see_doctor,
    "load-spike": load_spike,
    "hydration": hydration,
    "overhydration": overhydration,
    "electrolytes": electrolytes,
    "pacing": pacing,
    "warmup": warmup,
    "cramp-response": cramp_response,
    "night-cramps": night_cramps,
    "compression": compression,
}


def _finding(rule: str, level: Level, sentences: Sequence[str]) -> Finding:
    """A finding with its evidence sentences joined and its evidence strength."""
    return Finding(rule=rule, level=level, evidence=" ".join(sentences), strength=STRENGTH[rule])


def _pattern_level(case: Case, hits: Sequence[Incident]) -> Level:
    """Act for a pattern of matching cramps, watch for a single one."""
    return "act" if len(hits) >= case.pattern else "watch"


def _level_above(value: float, act: float, watch: float) -> tuple[Level, float] | None:
    """The level `value` reaches strictly above the act or watch threshold, with it."""
    if above(value, act):
        return "act", act
    if above(value, watch):
        return "watch", watch
    return None


def _reading_order(finding: Finding) -> tuple[int, int, int]:
    """see-doctor first, then act, watch, info; RULE_IDS order within a level."""
    return (
        finding.rule != "see-doctor",
        LEVEL_ORDER.get(finding.level, len(LEVEL_ORDER)),
        RULE_IDS.index(finding.rule),
    )
