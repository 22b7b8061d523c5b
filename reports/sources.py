"""Where each piece of advice comes from, and the two or three sources a sheet prints.

Every advice template (one per rule, plus the general habits and the mid-run box) has an
evidence grade and at least one source; docs/advice.md lists them and a test holds the
two together. A sheet cites the sources of the advice it shows, most important first.
"""

from __future__ import annotations

from collections.abc import Sequence

from reports.models import Finding
from reports.rules import BEST, DEBATED, NOT_SHOWN, STRENGTH

SHEET_SOURCES = 3  # more than this is a reading list, not a footnote
MIN_SOURCES = 2

SOURCES: dict[str, str] = {
    "miller-2022": "Miller KC et al., exercise-associated muscle cramps review, J Athl Train 2022",
    "schwellnus-2011": "Schwellnus MP et al., running speed and cramps, Br J Sports Med 2011",
    "schwellnus-2004": "Schwellnus MP et al., electrolytes, hydration and cramps, Br J Sports Med 2004",
    "nielsen-2014": "Nielsen RO et al., weekly distance progression and injury, JOSPT 2014",
    "buist-2008": "Buist I et al., graded training and injuries in novices, Am J Sports Med 2008",
    "hew-butler-2015": "Hew-Butler T et al., hyponatremia consensus, Clin J Sport Med 2015",
    "hallegraeff-2012": "Hallegraeff JM et al., stretching before sleep, J Physiother 2012",
    "nhs-leg-cramps": "NHS, Leg cramps (nhs.uk)",
    "medlineplus-rhabdo": "MedlinePlus, Rhabdomyolysis (medlineplus.gov)",
}

# Each advice template: its evidence grade and its sources, best first.
ADVICE: dict[str, tuple[str, tuple[str, ...]]] = {
    "see-doctor": (STRENGTH["see-doctor"], ("nhs-leg-cramps", "medlineplus-rhabdo")),
    "pacing": (STRENGTH["pacing"], ("schwellnus-2011", "miller-2022")),
    "load-spike": (STRENGTH["load-spike"], ("nielsen-2014", "buist-2008")),
    "hydration": (STRENGTH["hydration"], ("schwellnus-2004", "miller-2022")),
    "electrolytes": (STRENGTH["electrolytes"], ("miller-2022", "schwellnus-2004")),
    "overhydration": (STRENGTH["overhydration"], ("hew-butler-2015",)),
    "warmup": (STRENGTH["warmup"], ("miller-2022",)),
    "cramp-response": (STRENGTH["cramp-response"], ("miller-2022", "nhs-leg-cramps")),
    "night-cramps": (STRENGTH["night-cramps"], ("hallegraeff-2012", "nhs-leg-cramps")),
    "compression": (STRENGTH["compression"], ("miller-2022",)),
    "general": (BEST, ("miller-2022", "schwellnus-2011")),
    "mid-run": (BEST, ("miller-2022", "nhs-leg-cramps")),
}
GRADES = frozenset({BEST, DEBATED, NOT_SHOWN})


def for_sheet(findings: Sequence[Finding]) -> list[str]:
    """Two or three sources for a sheet: those of its findings in order, then the general ones."""
    keys: list[str] = []
    shown = [ADVICE[f.rule][1] for f in findings if f.rule in ADVICE]
    for rank in range(max((len(s) for s in shown), default=0)):  # each finding's best first
        for key in (s[rank] for s in shown if rank < len(s)):
            if key not in keys and len(keys) < SHEET_SOURCES:
                keys.append(key)
    for key in ADVICE["general"][1]:
        if len(keys) < MIN_SOURCES and key not in keys:
            keys.append(key)
    return [SOURCES[key] for key in keys]
