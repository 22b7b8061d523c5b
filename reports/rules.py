"""The ten cramp-prevention rules: pure functions of an athlete, the settings and a date.

A rule looks at the cramps in the window (the `window_days` days ending on the report
date, inclusive) and returns at most one finding whose evidence quotes the athlete's own
numbers in the team's unit. A blank cell is never evidence: a cramp with no Electrolytes
entry is not a cramp "with no electrolytes". Levels (`pattern_cramps` defaults to 2):

- see-doctor: urgent for a red flag, act for a routine check-up, watch for a condition to
  mention at the next visit (see `reports.doctor`).
- load-spike: judged in every week of the window (see `reports.load`): act above the act
  thresholds, watch above the watch ones; a long-run spike alone is watch, act with a
  cramp in that week.
- hydration: act when one cramp had both low fluid and dark urine, or `pattern_cramps`
  cramps had either; watch otherwise.
- electrolytes, pacing, warmup: act from `pattern_cramps` matching cramps; watch for one.
  Pacing also counts a cramp in a week of a load spike.
- overhydration: watch.
- night-cramps (at night only): watch from `pattern_cramps` cramps, info for one.
- cramp-response (during or after a run), compression: info.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from reports import evidence as say
from reports.case import (
    Case,
    above,
    at_least_one,
    is_calf,
    is_during,
    is_hot,
    is_late,
    is_long,
    is_minor,
    known_above,
    known_below,
    make_case,
    where,
    window_start,
)
from reports.doctor import notes_to_read, reasons
from reports.load import spikes, unjudged
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

# Reading order within a level: best-supported advice first (fatigue and pacing, then
# fluids and salts, then warm-up); see-doctor is always first whatever its level.
RULE_IDS: tuple[str, ...] = (
    "see-doctor",
    "pacing",
    "load-spike",
    "hydration",
    "electrolytes",
    "overhydration",
    "warmup",
    "cramp-response",
    "night-cramps",
    "compression",
)
BEST = "best supported"
DEBATED = "debated"
NOT_SHOWN = "not shown to prevent cramps"
# How well the advice of each rule is supported; docs/advice.md gives the sources.
STRENGTH: dict[str, str] = {
    "see-doctor": BEST,
    "pacing": BEST,
    "load-spike": BEST,
    "hydration": DEBATED,
    "electrolytes": DEBATED,
    "overhydration": BEST,
    "warmup": NOT_SHOWN,
    "cramp-response": BEST,
    "night-cramps": DEBATED,
    "compression": NOT_SHOWN,
}


def evaluate(
    athlete: Athlete, settings: RuleSettings, report_date: date, units: Units = "miles"
) -> tuple[Finding, ...]:
    """Every rule that fires, see-doctor first, then urgent, act, watch, info (RULE_IDS within)."""
    case = make_case(athlete, settings, report_date, units)
    return _evaluate(case)


def _evaluate(case: Case) -> tuple[Finding, ...]:
    """Every rule that fires for one case, in reading order."""
    found = [finding for rule in RULES.values() if (finding := rule(case)) is not None]
    return tuple(sorted(found, key=_reading_order))


def risk_of(findings: Sequence[Finding], recent_cramps: int = 0) -> Risk:
    """DESIGN's risk scale from the findings and the number of cramps in the window.

    `urgent` with any urgent finding; `high` with a see-doctor check-up, or an act finding
    with a cramp in the window; `watch` with any other act or watch finding; else `low`.
    """
    if any(f.level == "urgent" for f in findings):
        return "urgent"
    if any(f.rule == "see-doctor" and f.level == "act" for f in findings):
        return "high"
    acts = any(f.level == "act" for f in findings)
    if acts and recent_cramps > 0:
        return "high"
    return "watch" if acts or any(f.level == "watch" for f in findings) else "low"


def assess(
    athlete: Athlete, settings: RuleSettings, report_date: date, units: Units = "miles"
) -> Assessment:
    """An athlete's findings in reading order, overall risk, and what the sheet notes beside them."""
    case = make_case(athlete, settings, report_date, units)
    findings = _evaluate(case)
    first = window_start(report_date, settings.window_days)
    return Assessment(
        athlete=athlete,
        findings=findings,
        risk=risk_of(findings, len(case.recent)),
        minor=is_minor(athlete, report_date),
        recent_cramps=len(case.recent),
        unjudged_weeks=unjudged(case),
        older_cramps=tuple(sorted({i.day for i in athlete.incidents if i.day < first})),
        notes_to_read=tuple(notes_to_read(case)),
    )


def see_doctor(case: Case) -> Finding | None:
    """A red flag (urgent), a routine reason (act), or a condition to mention (watch)."""
    found = reasons(case)
    if not found:
        return None
    return Finding(
        rule="see-doctor",
        level=found[0].level,
        evidence=" ".join(s for r in found for s in r.to_athlete),
        strength=STRENGTH["see-doctor"],
        about=" ".join(s for r in found for s in r.about),
    )


def load_spike(case: Case) -> Finding | None:
    """A jump in distance or long run in any week of the window, each week named."""
    found = spikes(case)
    if not found:
        return None
    level: Level = "act" if any(s.level == "act" for s in found) else "watch"
    return _finding("load-spike", level, [text for s in found for text in s.sentences])


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
    """A cramp when running faster or racing, late in a long run, or in a week of a load spike."""
    spiked = {id(i): s.start for s in spikes(case) for i in s.cramps}
    hits = [
        i
        for i in case.recent
        if i.pace in ("faster", "race") or is_late(case, i) or id(i) in spiked
    ]
    if not hits:
        return None
    if len(hits) == 1:
        hit = hits[0]
        how = {"faster": "when you ran faster than usual", "race": "in a race"}.get(hit.pace or "")
        late = is_late(case, hit)
        parts = [p for p in (how, where(case, hit, heat=False) if late else None) if p]
        if late and not how:
            parts.append("late in a long run")
        if id(hit) in spiked:
            parts.append(f"in a week your training jumped (week of {say.day(spiked[id(hit)])})")
        sentence = f"Your cramp on {say.day(hit.day)} came {', '.join(parts)}."
    else:
        kinds = [
            kind
            for kind, test in (
                ("when you ran faster than usual", lambda i: i.pace == "faster"),
                ("in races", lambda i: i.pace == "race"),
                ("late in long runs", lambda i: is_late(case, i)),
                ("in weeks your training jumped", lambda i: id(i) in spiked),
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
    """Any recent cramp during or just after a run (or at an unrecorded time, most likely a run)."""
    hits = [i for i in case.recent if i.when in ("during", "after", None)]
    if not hits:
        return None
    during = all(is_during(i) for i in hits)
    after = all(i.when == "after" for i in hits)
    if len(hits) == 1:
        place = "during a run " if during else "just after a run " if after else ""
        sentence = f"You had a cramp {place}on {say.day(hits[0].day)}."
    else:
        place = " during runs" if during else " just after runs" if after else ""
        dates = say.days([i.day for i in hits])
        sentence = f"You had {len(hits)} cramps{place} in {case.window} ({dates})."
    return _finding("cramp-response", "info", [sentence])


def night_cramps(case: Case) -> Finding | None:
    """Any recent cramp at night or in bed; a cramp after a run is an exercise cramp."""
    hits = [i for i in case.recent if i.when == "night"]
    if not hits:
        return None
    if len(hits) == 1:
        sentence = f"You had a cramp at night on {say.day(hits[0].day)}."
    else:
        dates = say.days([i.day for i in hits])
        sentence = f"You had {len(hits)} cramps at night in {case.window} ({dates})."
    level: Level = "watch" if len(hits) >= case.pattern else "info"
    return _finding("night-cramps", level, [sentence])


def compression(case: Case) -> Finding | None:
    """Repeated recent calf cramps and no compression gear: good to know, never a failing."""
    calf = [i for i in case.recent if is_calf(i.muscle)]
    if case.athlete.compression is not False or len(calf) < at_least_one(
        case.settings.compression_cramps
    ):
        return None
    dates = say.days([i.day for i in calf])
    sentence = (
        f"You had {say.count(len(calf), 'calf cramp')} in {case.window} ({dates})."
        " Runners with repeated calf cramps often ask about compression sleeves."
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


def _reading_order(finding: Finding) -> tuple[int, int, int]:
    """see-doctor first, then urgent, act, watch, info; RULE_IDS order within a level."""
    return (
        finding.rule != "see-doctor",
        LEVEL_ORDER.get(finding.level, len(LEVEL_ORDER)),
        RULE_IDS.index(finding.rule),
    )
