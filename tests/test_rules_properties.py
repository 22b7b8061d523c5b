"""Property tests: any athlete, however gappy their log, gets well-formed findings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from reports import evidence as say
from reports.models import Athlete, Incident, Level, Units, Week
from reports.rules import RULE_IDS, STRENGTH, assess, evaluate, risk_of
from reports.settings import RuleSettings

from conftest import TODAY, make_athlete

RULES = RuleSettings()
READING = {"act": 0, "watch": 1, "info": 2}


def load_level(athlete: Athlete) -> Level | None:
    """The load-spike level for `athlete`, or None."""
    found = [f.level for f in evaluate(athlete, RULES, TODAY) if f.rule == "load-spike"]
    return found[0] if found else None


maybe_miles = st.one_of(st.none(), st.just(0.0), st.floats(0, 120))


@st.composite
def athletes(draw: st.DrawFn) -> Athlete:
    """Athletes with gappy weeks, zeros, single weeks and random cramp details."""
    offsets = draw(st.lists(st.integers(0, 70), max_size=10, unique=True))
    weeks = tuple(
        Week(
            start=TODAY - timedelta(days=o),
            miles=draw(maybe_miles),
            long_run_miles=draw(st.one_of(st.none(), st.floats(0, 30))),
            hot_week=draw(st.booleans()),
        )
        for o in sorted(offsets, reverse=True)
    )
    maybe_bool = st.one_of(st.none(), st.booleans())
    maybe_text = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["Y", "N", "statin"]))
    incidents = draw(
        st.lists(
            st.builds(
                Incident,
                day=st.integers(-5, 60).map(lambda d: TODAY - timedelta(days=d)),
                when=st.sampled_from([None, "during", "after", "night"]),
                muscle=st.sampled_from(["calf", "hamstring", "Calves"]),
                run_miles=st.one_of(st.none(), st.floats(0, 30)),
                minutes_in=st.one_of(st.none(), st.floats(0, 200)),
                pace=st.sampled_from([None, "easy", "usual", "faster", "race"]),
                fluid_before_oz=st.one_of(st.none(), st.floats(0, 80)),
                electrolytes=maybe_bool,
                warmed_up=maybe_bool,
                temperature_f=st.one_of(st.none(), st.floats(0, 110)),
                urine=st.sampled_from([None, "light", "dark"]),
                lasted_minutes=st.one_of(st.none(), st.floats(0, 30)),
                red_flag=maybe_text,
                notes=maybe_text,
            ),
            max_size=5,
        )
    )
    return make_athlete(
        weeks=weeks,
        incidents=tuple(incidents),
        heavy_sweater=draw(maybe_bool),
        compression=draw(maybe_bool),
        warmup=draw(maybe_bool),
        pre_run_fluid_oz=draw(st.one_of(st.none(), st.floats(0, 80))),
        medication=draw(maybe_text),
        condition=draw(maybe_text),
    )


@settings(max_examples=100, deadline=None)
@given(athlete=athletes(), units=st.sampled_from(["miles", "km"]))
def test_rules_never_raise_and_always_give_well_formed_findings(
    athlete: Athlete, units: Units
) -> None:
    """Any athlete gives known rules, levels and strengths, in reading order."""
    result = assess(athlete, RULES, TODAY, units)
    for f in result.findings:
        assert f.rule in RULE_IDS and f.level in ("info", "watch", "act", "urgent")
        assert f.strength == STRENGTH[f.rule] and f.evidence.endswith(".")
    assert len({f.rule for f in result.findings}) == len(result.findings)
    assert list(result.findings) == sorted(
        result.findings,
        key=lambda f: (
            f.rule != "see-doctor",
            {"urgent": 0, "act": 1, "watch": 2, "info": 3}[f.level],
            RULE_IDS.index(f.rule),
        ),
    )
    assert result.risk == risk_of(result.findings, result.recent_cramps)


@settings(max_examples=100, deadline=None)
@given(athlete=athletes(), data=st.data())
def test_unlogging_a_week_never_raises_the_load_spike_level(
    athlete: Athlete, data: st.DataObject
) -> None:
    """A not-logged week never produces a spike: hiding any week can only quiet the rule."""
    if not athlete.weeks:
        return
    index = data.draw(st.integers(0, len(athlete.weeks) - 1))
    hidden = tuple(replace(w, miles=None) if i == index else w for i, w in enumerate(athlete.weeks))
    order: list[Level | None] = [None, "watch", "act"]
    before = load_level(athlete)
    after = load_level(replace(athlete, weeks=hidden))
    assert order.index(after) <= order.index(before)
    spike = [
        f for f in evaluate(replace(athlete, weeks=hidden), RULES, TODAY) if f.rule == "load-spike"
    ]
    named = f"In the week of {say.day(athlete.weeks[index].start)} "
    assert not spike or named not in spike[0].evidence
