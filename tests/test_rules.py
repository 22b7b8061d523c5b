"""The ten rules: each fires on its minimal case and stays quiet on the nearest one."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from reports.models import KM_PER_MILE, ML_PER_OZ, Athlete, Finding, Incident, Level, Units, Week
from reports.rules import RULE_IDS, STRENGTH, assess, evaluate, risk_of
from reports.settings import RuleSettings

from conftest import FIRST_WEEK, TODAY, make_athlete, make_incident, weeks_of

RULES = RuleSettings()
LAST_WEEK = FIRST_WEEK + timedelta(weeks=7)  # Nov 16, the week holding TODAY


def level_of(rule: str, athlete: Athlete, units: Units = "miles") -> Level | None:
    """The level `rule` fires at for `athlete`, or None when it stays quiet."""
    found = [f for f in evaluate(athlete, RULES, TODAY, units) if f.rule == rule]
    return found[0].level if found else None


def finding(rule: str, athlete: Athlete, units: Units = "miles") -> Finding:
    """The one finding `rule` gives `athlete`."""
    return next(f for f in evaluate(athlete, RULES, TODAY, units) if f.rule == rule)


ATHLETE_FIELDS = {"medication", "condition", "heavy_sweater", "compression", "warmup"}


def cramp(days_before: int = 3, **fields: Any) -> Athlete:
    """An athlete with one cramp `days_before` the report date; athlete fields go to the athlete."""
    mine = {k: v for k, v in fields.items() if k in ATHLETE_FIELDS}
    details = {k: v for k, v in fields.items() if k not in ATHLETE_FIELDS}
    return make_athlete(incidents=(make_incident(days_before, **details),), **mine)


def cramps(*incidents: Incident, **fields: Any) -> Athlete:
    """An athlete with these cramps."""
    return make_athlete(incidents=incidents, **fields)


def days_back(*days: int) -> tuple[Incident, ...]:
    """Plain cramps this many days before the report date."""
    return tuple(make_incident(d) for d in days)


def mileage(miles: list[float], long_runs: list[float] | None = None) -> Athlete:
    """An athlete whose weeks end with the one holding the report date."""
    weeks = weeks_of(miles, first=LAST_WEEK - timedelta(weeks=len(miles) - 1))
    if long_runs is not None:
        weeks = tuple(replace(w, long_run_miles=lr) for w, lr in zip(weeks, long_runs, strict=True))
    return make_athlete(weeks=weeks)


def km(value: float) -> float:
    """A distance typed in km, as the reader stores it (miles)."""
    return value / KM_PER_MILE


def celsius(value: float) -> float:
    """A temperature typed in °C, as the reader stores it (°F)."""
    return value * 9 / 5 + 32


SHORT_COOL = {"run_miles": 5, "minutes_in": 30, "temperature_f": 60, "electrolytes": False}
LONG_NO_SALT = {"run_miles": 10, "electrolytes": False}
HOT_WEEK = (Week(start=LAST_WEEK, miles=20, hot_week=True),)


def pair(
    edge: str,
    firing: Athlete,
    level: Level,
    nearest: Athlete,
    nearest_level: Level | None = None,
    units: Units = "miles",
) -> Any:
    """A table row: the minimal athlete for a rule, and its nearest neighbour's level."""
    rule = edge.split(":")[0]
    return pytest.param(rule, firing, level, nearest, nearest_level, units, id=edge)


def two_calf_cramps(**fields: Any) -> Athlete:
    """Two recent calf cramps."""
    return cramps(make_incident(3), make_incident(9), **fields)


PAIRS = [
    pair("hydration: 15 vs 16 oz", cramp(fluid_before_oz=15), "watch", cramp(fluid_before_oz=16)),
    pair("hydration: dark vs light urine", cramp(urine="dark"), "watch", cramp(urine="light")),
    pair("hydration: 27 vs 28 days back", cramp(27, urine="dark"), "watch", cramp(28, urine="dark")),
    pair(
        "hydration: 470 vs 475 ml",
        cramp(fluid_before_oz=470 / ML_PER_OZ),
        "watch",
        cramp(fluid_before_oz=475 / ML_PER_OZ),
        units="km",
    ),
    pair(
        "overhydration: usual 41 vs 40 oz",
        make_athlete(pre_run_fluid_oz=41),
        "watch",
        make_athlete(pre_run_fluid_oz=40),
    ),
    pair("overhydration: logged 41 vs 40 oz", cramp(fluid_before_oz=41), "watch",
         cramp(fluid_before_oz=40)),
    pair("electrolytes: 10 vs 9.9 mi", cramp(**LONG_NO_SALT), "watch",
         cramp(run_miles=9.9, electrolytes=False)),
    pair("electrolytes: none vs taken", cramp(**LONG_NO_SALT), "watch",
         cramp(run_miles=10, electrolytes=True)),
    pair("electrolytes: none vs not recorded", cramp(**LONG_NO_SALT), "watch", cramp(run_miles=10)),
    pair("electrolytes: 75 vs 74 minutes in", cramp(minutes_in=75, electrolytes=False), "watch",
         cramp(minutes_in=74, electrolytes=False)),
    pair("electrolytes: 80 vs 79 °F", cramp(temperature_f=80, electrolytes=False), "watch",
         cramp(temperature_f=79, electrolytes=False)),
    pair("electrolytes: 16 vs 15.9 km", cramp(run_miles=km(16), electrolytes=False), "watch",
         cramp(run_miles=km(15.9), electrolytes=False), units="km"),
    pair("electrolytes: 27 vs 26.9 °C", cramp(temperature_f=celsius(27), electrolytes=False),
         "watch", cramp(temperature_f=celsius(26.9), electrolytes=False), units="km"),
    pair("electrolytes: hot week vs not", replace(cramp(electrolytes=False), weeks=HOT_WEEK),
         "watch", cramp(electrolytes=False)),
    pair("electrolytes: heavy sweater vs not", cramp(heavy_sweater=True, **SHORT_COOL), "watch",
         cramp(**SHORT_COOL)),
    pair("warmup: no warm-up vs warmed up", cramp(warmed_up=False), "watch", cramp(warmed_up=True)),
    pair("warmup: no routine, cramp vs none", cramp(warmup=False), "watch",
         make_athlete(warmup=False)),
    pair("pacing: faster vs usual", cramp(pace="faster"), "watch", cramp(pace="usual")),
    pair("pacing: race vs easy", cramp(pace="race"), "watch", cramp(pace="easy")),
    pair("pacing: 60 vs 59 minutes into 10 mi", cramp(run_miles=10, minutes_in=60), "watch",
         cramp(run_miles=10, minutes_in=59)),
    pair("pacing: 75 minutes in vs 60 into 9 mi", cramp(minutes_in=75), "watch",
         cramp(run_miles=9, minutes_in=60)),
    pair("load-spike: up 31% vs 30%", mileage([20, 20, 20, 20, 26.2]), "act",
         mileage([20, 20, 20, 20, 26]), "watch"),
    pair("load-spike: up 11% vs 10%", mileage([20, 20, 20, 20, 22.2]), "watch",
         mileage([20, 20, 20, 20, 22])),
    pair("load-spike: ratio 1.5 vs 1.49 after a rest week", mileage([15, 15, 15, 15, 0, 15]),
         "act", mileage([15, 15, 15, 15, 0, 14.9]), "watch"),
    pair("load-spike: ratio 1.3 vs 1.29 after a rest week", mileage([15, 15, 15, 15, 0, 13]),
         "watch", mileage([15, 15, 15, 15, 0, 12.9])),
    pair("load-spike: long run 1.11 vs 1.1", mileage([20] * 5, [10, 10, 10, 10, 11.1]), "watch",
         mileage([20] * 5, [10, 10, 10, 10, 11])),
    pair("load-spike: long-run spike with a cramp that week vs without",
         replace(mileage([20] * 5, [10, 10, 10, 10, 11.1]), incidents=(make_incident(3),)),
         "act", mileage([20] * 5, [10, 10, 10, 10, 11.1]), "watch"),
    pair("load-spike: a jump 2 weeks back vs 5 weeks back",
         mileage([20, 20, 20, 20, 27, 27, 27]), "act",
         mileage([20, 20, 20, 27, 27, 27, 27, 27])),
    pair("compression: 2 vs 1 calf cramp", two_calf_cramps(compression=False), "info",
         cramp(compression=False)),
    pair("compression: calf vs hamstring", two_calf_cramps(compression=False), "info",
         cramps(make_incident(3, muscle="hamstring"), make_incident(9), compression=False)),
    pair("compression: none worn vs not recorded", two_calf_cramps(compression=False), "info",
         two_calf_cramps()),
    pair("cramp-response: during vs night", cramp(when="during"), "info", cramp(when="night")),
    pair("cramp-response: just after a run vs night", cramp(when="after"), "info",
         cramp(when="night")),
    pair("cramp-response: unrecorded time vs 30 days back", cramp(when=None), "info",
         cramp(30, when="during")),
    pair("night-cramps: night vs during", cramp(when="night"), "info", cramp(when="during")),
    pair("night-cramps: 27 vs 28 days back", cramp(27, when="night"), "info",
         cramp(28, when="night")),
    pair("night-cramps: night vs after a run", cramp(when="night"), "info", cramp(when="after")),
    pair("see-doctor: 3 cramps in 4 weeks vs 3 in 5", cramps(*days_back(1, 10, 27)), "act",
         cramps(*days_back(1, 10, 30))),
    pair("see-doctor: 3 weeks in a row vs a gap", cramps(*days_back(20, 27, 34)), "act",
         cramps(*days_back(20, 27, 41))),
    pair("see-doctor: statin with vs without a cramp", cramp(medication="statin"), "act",
         make_athlete(medication="statin")),
    pair("see-doctor: statin vs no medicine", cramp(medication="statin"), "act",
         cramp(medication="N")),
    pair("see-doctor: diabetes vs flat feet", cramp(condition="diabetes"), "act",
         cramp(condition="flat feet"), "watch"),
    pair("see-doctor: flat feet vs none", cramp(condition="flat feet"), "watch",
         cramp(condition="none")),
    pair("see-doctor: lasted 11 vs 10 minutes", cramp(lasted_minutes=11), "urgent",
         cramp(lasted_minutes=10)),
    pair("see-doctor: swollen vs no swelling", cramp(notes="calf was swollen after"), "urgent",
         cramp(notes="no swelling, felt fine")),
    pair("see-doctor: red flag numbness vs N", cramp(red_flag="numbness in foot"), "urgent",
         cramp(red_flag="N")),
    pair("see-doctor: cola urine vs dark urine", cramp(notes="urine looked like cola"), "urgent",
         cramp(urine="dark")),
    pair("see-doctor: weak vs tweaked", cramp(notes="leg felt weak"), "urgent",
         cramp(notes="tweaked it on a hill")),
    pair("see-doctor: red flag and 3 cramps vs 3 cramps",
         cramps(make_incident(1, notes="calf hot and red"), *days_back(10, 27)), "urgent",
         cramps(*days_back(1, 10, 27)), "act"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "firing", "level", "nearest", "nearest_level", "units"), PAIRS)
def test_rule_fires_on_its_minimal_case_and_not_on_the_nearest_one(
    rule: str,
    firing: Athlete,
    level: Level,
    nearest: Athlete,
    nearest_level: Level | None,
    units: Units,
) -> None:
    """Each trigger has an exact edge: one side fires at its level, the other does not."""
    assert level_of(rule, firing, units) == level
    assert level_of(rule, nearest, units) == nearest_level


def test_every_rule_id_has_a_pair_in_the_table() -> None:
    """The table covers all ten rules, so a new rule cannot go untested."""
    assert {p.values[0] for p in PAIRS} == set(RULE_IDS)


def test_a_16_km_run_is_long_for_a_km_team_but_9_94_miles_is_not_for_a_miles_team() -> None:
    """The km threshold is 16 km exactly, not 10 miles converted (which is 16.09 km)."""
    athlete = cramp(run_miles=km(16), electrolytes=False)
    assert level_of("electrolytes", athlete, "km") == "watch"
    assert level_of("electrolytes", athlete, "miles") is None


@pytest.mark.parametrize(
    ("incidents", "level"),
    [
        ((make_incident(3, fluid_before_oz=8, urine="dark"),), "act"),
        ((make_incident(3, fluid_before_oz=8), make_incident(9, urine="dark")), "act"),
        ((make_incident(3, fluid_before_oz=8), make_incident(9)), "watch"),
    ],
)
def test_hydration_acts_on_both_signs_together_or_a_repeated_sign(
    incidents: tuple[Incident, ...], level: Level
) -> None:
    """Low fluid and dark urine on one cramp, or signs on two cramps, is act; one sign is watch."""
    assert level_of("hydration", cramps(*incidents)) == level


@pytest.mark.parametrize(
    ("rule", "fields"),
    [
        ("electrolytes", {"run_miles": 12, "electrolytes": False}),
        ("pacing", {"pace": "race"}),
        ("warmup", {"warmed_up": False}),
        ("night-cramps", {"when": "night"}),
    ],
)
def test_two_matching_cramps_raise_a_cause_rule_one_level(
    rule: str, fields: dict[str, Any]
) -> None:
    """A pattern of two cramps with the same likely cause is taken more seriously than one."""
    one, two = cramp(**fields), cramps(make_incident(3, **fields), make_incident(9, **fields))
    order: list[Level | None] = [None, "info", "watch", "act"]
    assert order.index(level_of(rule, two)) == order.index(level_of(rule, one)) + 1


def test_a_stale_spike_outside_the_window_is_not_reported() -> None:
    """A jump in a week that ended long before the report date is old news."""
    old = weeks_of([20, 20, 20, 20, 40], first=TODAY - timedelta(weeks=12))
    assert level_of("load-spike", make_athlete(weeks=old)) is None


def test_a_not_logged_current_week_never_fires_load_spike() -> None:
    """Not logged is not zero: no change, ratio or long run can be claimed for it."""
    assert level_of("load-spike", mileage([20, 20, 20, 20, None])) is None  # type: ignore[list-item]


def test_steady_athlete_without_cramps_has_no_act_finding_and_low_risk() -> None:
    """The all-clear case: nothing to act on and the lowest risk."""
    result = assess(make_athlete(), RULES, TODAY)
    assert not [f for f in result.findings if f.level == "act"]
    assert result.risk == "low"


def test_statin_with_any_cramp_sends_the_athlete_to_a_doctor() -> None:
    """A statin with one mild cramp is enough: statins can cause muscle problems."""
    result = assess(replace(cramp(when="during"), medication="statin"), RULES, TODAY)
    assert result.findings[0].rule == "see-doctor"
    assert "statin" in result.findings[0].evidence.casefold()
    assert result.risk == "high"


@pytest.mark.parametrize(
    ("levels", "risk"),
    [
        ([], "low"),
        ([("cramp-response", "info")], "low"),
        ([("night-cramps", "watch"), ("compression", "info")], "watch"),
        ([("load-spike", "act")], "watch"),
        ([("load-spike", "act"), ("cramp-response", "info")], "high"),
        ([("see-doctor", "act")], "high"),
        ([("see-doctor", "watch")], "watch"),
        ([("see-doctor", "urgent"), ("pacing", "act")], "urgent"),
    ],
)
def test_risk_is_urgent_on_a_red_flag_high_on_a_check_up_or_act_with_a_cramp(
    levels: list[tuple[str, Level]], risk: str
) -> None:
    """DESIGN's risk scale; only the act-without-a-cramp rows depend on the cramp count."""
    cramps_in_window = 1 if ("cramp-response", "info") in levels else 0
    assert risk_of([Finding(r, lv, "…") for r, lv in levels], cramps_in_window) == risk


def test_findings_read_see_doctor_first_then_act_watch_info_in_rule_order() -> None:
    """The sheet's reading order is fixed, whatever order the rules ran in."""
    athlete = replace(
        cramps(
            make_incident(3, when="night", fluid_before_oz=8, urine="dark"),
            make_incident(9, when="during", pace="race"),
            make_incident(12, when="during", lasted_minutes=20),
        ),
        compression=False,
        pre_run_fluid_oz=50,
    )
    findings = evaluate(athlete, RULES, TODAY)
    assert findings[0].rule == "see-doctor"
    order = {"urgent": 0, "act": 1, "watch": 2, "info": 3}
    keys = [(order[f.level], RULE_IDS.index(f.rule)) for f in findings[1:]]
    assert keys == sorted(keys)
    assert [f.rule for f in findings] == [
        "see-doctor",
        "hydration",
        "pacing",
        "overhydration",
        "cramp-response",
        "night-cramps",
        "compression",
    ]


def test_every_finding_carries_its_rule_evidence_strength() -> None:
    """Strength notes come from one table with the three allowed phrases."""
    assert set(STRENGTH) == set(RULE_IDS)
    assert set(STRENGTH.values()) <= {"best supported", "debated", "not shown to prevent cramps"}
    assert (
        finding(
            "compression", replace(cramps(make_incident(3), make_incident(9)), compression=False)
        ).strength
        == "not shown to prevent cramps"
    )


@pytest.mark.parametrize(
    ("rule", "athlete", "units", "evidence"),
    [
        (
            "electrolytes",
            cramps(
                make_incident(3, minutes_in=80, electrolytes=False),
                make_incident(10, minutes_in=90, electrolytes=False),
                make_incident(17),
            ),
            "miles",
            "2 of your 3 cramps in the last 4 weeks (Nov 12 and Nov 19) came on long runs"
            " with no electrolytes.",
        ),
        (
            "electrolytes",
            cramp(7, run_miles=11, minutes_in=80, temperature_f=84, electrolytes=False),
            "miles",
            "Your cramp on Nov 15 came 80 minutes into your 11 mi run, at 84 °F,"
            " with no electrolytes.",
        ),
        (
            "electrolytes",
            cramp(7, run_miles=km(18), temperature_f=celsius(30), electrolytes=False),
            "km",
            "Your cramp on Nov 15 came on your 18 km run, at 30 °C, with no electrolytes.",
        ),
        (
            "hydration",
            cramp(7, fluid_before_oz=8, urine="dark"),
            "miles",
            "Before your cramp on Nov 15 you drank only 8 oz, less than the 16 oz we suggest,"
            " and your urine was dark.",
        ),
        (
            "hydration",
            cramp(7, fluid_before_oz=250 / ML_PER_OZ),
            "km",
            "Before your cramp on Nov 15 you drank only 250 ml, less than the 475 ml we suggest.",
        ),
        (
            "overhydration",
            make_athlete(pre_run_fluid_oz=48),
            "miles",
            "You usually drink about 48 oz before a run, well above the 16–24 oz we suggest.",
        ),
        (
            "load-spike",
            mileage([20, 20, 20, 20, 32]),
            "miles",
            "In the week of Nov 16 your distance went from 20 mi to 32 mi, up 60%, 1.6 times"
            " your average of 20 mi over the 3 weeks before.",
        ),
        (
            "load-spike",
            mileage([20] * 5, [10, 10, 10, 10, 11.04]),
            "miles",
            "In the week of Nov 16 your long run, 11 mi, was 1.104 times your longest of"
            " the 4 weeks before (10 mi).",
        ),
        (
            "load-spike",
            mileage([20, 20, 20, 20, 26.08]),
            "km",
            "In the week of Nov 16 your distance went from 32 km to 42 km, up 30.4%, 1.3 times"
            " your average of 32 km over the 3 weeks before.",
        ),
        (
            "see-doctor",
            cramps(
                make_incident(7, lasted_minutes=15, notes="Swollen calf; no numbness"),
                make_incident(14),
                make_incident(21),
            ),
            "miles",
            "Your cramp on Nov 15 lasted 15 minutes and came with swelling."
            " You had 3 cramps in the last 4 weeks (Nov 1, Nov 8 and Nov 15).",
        ),
        (
            "see-doctor",
            cramps(make_incident(20), make_incident(27), make_incident(34)),
            "miles",
            "You had cramps in 3 weeks in a row (Oct 19 to Nov 2).",
        ),
        (
            "warmup",
            replace(cramps(make_incident(3), make_incident(9)), warmup=False),
            "miles",
            "You don't usually warm up before running, and both of your cramps in the last"
            " 4 weeks (Nov 13 and Nov 19) came on runs without a warm-up.",
        ),
        (
            "pacing",
            cramp(7, run_miles=13, minutes_in=70),
            "miles",
            "Your cramp on Nov 15 came 70 minutes into your 13 mi run, late in a long run.",
        ),
        (
            "night-cramps",
            cramps(make_incident(3, when="night"), make_incident(9, when="night")),
            "miles",
            "You had 2 cramps at night in the last 4 weeks (Nov 13 and Nov 19).",
        ),
        (
            "load-spike",
            replace(
                mileage([20, 20, 20, 20, 31, 31, 31]),
                weeks=tuple(
                    replace(w, race_week=w.start == LAST_WEEK - timedelta(weeks=2))
                    for w in mileage([20, 20, 20, 20, 31, 31, 31]).weeks
                ),
                incidents=(make_incident(17, pace="race"),),
            ),
            "miles",
            "In the week of Nov 2 your distance went from 20 mi to 31 mi, up 55%, 1.6 times"
            " your average of 20 mi over the 3 weeks before. You raced that week. Your cramp on"
            " Nov 5 came that week. In the week of Nov 9 you ran 31 mi, 1.3 times your average"
            " of 24 mi over the 3 weeks before.",
        ),
        (
            "pacing",
            replace(mileage([20, 20, 20, 20, 31, 31, 31]), incidents=(make_incident(17),)),
            "miles",
            "Your cramp on Nov 5 came in a week your training jumped (week of Nov 2).",
        ),
    ],
)
def test_evidence_quotes_the_athletes_own_numbers_in_the_teams_unit(
    rule: str, athlete: Athlete, units: Units, evidence: str
) -> None:
    """Evidence sentences are second person, dated like Nov 15, in miles or km."""
    assert finding(rule, athlete, units).evidence == evidence


def test_a_km_team_never_sees_miles_ounces_or_fahrenheit() -> None:
    """Every number on a km team's sheet is in km, ml and °C."""
    athlete = replace(
        cramps(
            make_incident(
                3,
                run_miles=12,
                minutes_in=80,
                temperature_f=90,
                electrolytes=False,
                fluid_before_oz=50,
                pace="race",
            ),
            make_incident(9, fluid_before_oz=4),
        ),
        weeks=mileage([20, 20, 20, 20, 35], [8, 8, 8, 8, 14]).weeks,
        pre_run_fluid_oz=60,
    )
    text = " ".join(f.evidence for f in evaluate(athlete, RULES, TODAY, "km"))
    assert re.search(r"\d km\b", text) and re.search(r"\d ml\b", text) and "°C" in text
    assert not re.search(r"\d (?:mi|oz)\b|°F", text)


def test_window_is_28_days_ending_on_the_report_date_inclusive() -> None:
    """A cramp 27 days back counts; 28 days back and after the report date do not."""
    assert level_of("cramp-response", cramp(27)) == "info"
    assert level_of("cramp-response", cramp(28)) is None
    future = make_athlete(incidents=(Incident(day=TODAY + timedelta(days=1)),))
    assert level_of("cramp-response", future) is None


@pytest.mark.parametrize(
    ("fields", "minor"),
    [
        ({"age": 17}, True),
        ({"age": 18}, False),
        ({"birth_date": date(2008, 11, 23)}, True),
        ({"birth_date": date(2008, 11, 22)}, False),
        ({"birth_date": date(2008, 11, 22), "age": 16}, False),
        ({}, False),
    ],
)
def test_a_minor_is_under_18_on_the_report_date(fields: dict[str, Any], minor: bool) -> None:
    """A date of birth is exact and wins over an Age; no age at all is not a minor."""
    assert assess(make_athlete(**fields), RULES, TODAY).minor is minor


def test_cramps_before_the_window_are_kept_for_one_line_and_give_no_advice() -> None:
    """An old cramp is history: it is listed, never a finding."""
    result = assess(cramps(make_incident(40), make_incident(60)), RULES, TODAY)
    assert result.findings == ()
    assert [d.isoformat() for d in result.older_cramps] == ["2026-09-23", "2026-10-13"]


def test_a_note_no_rule_can_place_is_kept_for_the_coach_to_read() -> None:
    """A note that raised no flag, and is not just a list of absent signs, goes to the coach."""
    athlete = cramps(
        make_incident(3, notes="felt off all day"),
        make_incident(5, notes="no swelling"),
        make_incident(7, notes="calf swollen"),
        make_incident(9, muscle="side stitch"),
    )
    assert assess(athlete, RULES, TODAY).notes_to_read == (
        "Nov 13: a cramp in the “side stitch”",
        "Nov 19: “felt off all day”",
    )


def test_an_act_finding_is_high_risk_only_with_a_cramp_in_the_window() -> None:
    """A jump in distance alone is watch; with a cramp in the window, the coach talks to them."""
    spike = mileage([20, 20, 20, 20, 30])
    assert assess(spike, RULES, TODAY).risk == "watch"
    assert risk_of([Finding("load-spike", "act", "…")]) == "watch"
    with_cramp = assess(replace(spike, incidents=(make_incident(3),)), RULES, TODAY)
    assert with_cramp.risk == "high" and with_cramp.recent_cramps == 1
    assert with_cramp.unjudged_weeks == ()


def test_a_cramp_on_the_first_day_of_the_window_is_recent_not_older() -> None:
    """Day 27 back is inside the 28-day window; day 28 is older."""
    assert assess(cramp(27), RULES, TODAY).older_cramps == ()
    assert len(assess(cramp(28), RULES, TODAY).older_cramps) == 1


@pytest.mark.parametrize(
    ("incidents", "evidence"),
    [
        (
            (make_incident(3, when="after"), make_incident(9, when="after")),
            "You had 2 cramps just after runs in the last 4 weeks (Nov 13 and Nov 19).",
        ),
        (
            (make_incident(3, when="after"), make_incident(9, when="during")),
            "You had 2 cramps in the last 4 weeks (Nov 13 and Nov 19).",
        ),
        ((make_incident(3, when="after"),), "You had a cramp just after a run on Nov 19."),
    ],
)
def test_cramps_just_after_runs_are_exercise_cramps(
    incidents: tuple[Incident, ...], evidence: str
) -> None:
    """After a run is cramp-response, said as such; night-cramps stays quiet."""
    athlete = cramps(*incidents)
    assert finding("cramp-response", athlete).evidence == evidence
    assert level_of("night-cramps", athlete) is None


def test_pacing_names_each_kind_of_cramp_it_saw() -> None:
    """Faster, racing and a spike week, each said once."""
    athlete = replace(
        mileage([20, 20, 20, 20, 20, 20, 30, 30]),
        incidents=(
            make_incident(3, pace="faster"),
            make_incident(9, pace="race"),
            make_incident(12),
            make_incident(20, pace="easy"),
        ),
    )
    assert finding("pacing", athlete).evidence == (
        "3 of your 4 cramps in the last 4 weeks (Nov 10, Nov 13 and Nov 19) came when you ran"
        " faster than usual, in races or in weeks your training jumped."
    )
