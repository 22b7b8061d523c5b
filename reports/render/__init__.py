"""Jinja2 + WeasyPrint: athlete sheets and the team summary as PDF, email bodies as text.

`templating` owns the Jinja environment and its filters; `engine` owns WeasyPrint and the
locked URL fetcher. A Renderer joins them with the data each template is given.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reports import __version__, ranking, sources
from reports.case import window_start
from reports.chart import SummaryView, bar_chart, summary_view, week_slots
from reports.errors import RenderError
from reports.models import Assessment, DeliveryOutcome, Roster, Team
from reports.render.engine import (
    PDF_VARIANT,
    LockedFetcher,
    PdfEngine,
    harfbuzz_subset_available,
    weasyprint_version,
)
from reports.render.templating import (
    BUILTIN_HINT,
    BUILTIN_TEMPLATES,
    CUSTOM_HINT,
    Templates,
    display,
    hint,
)
from reports.settings import PageSize, RuleSettings

__all__ = [
    "BUILTIN_TEMPLATES",
    "PDF_VARIANT",
    "STYLESHEET",
    "LockedFetcher",
    "Renderer",
    "harfbuzz_subset_available",
    "weasyprint_version",
]

logger = logging.getLogger(__name__)

STYLESHEET = "style.css"


# The order the coach's email counts deliveries in.
COACH_STATUSES = (
    "sent", "outbox", "unchanged", "skipped", "failed", "withheld", "opted-out", "awaiting-review",
)  # fmt: skip


class Renderer:
    """Renders sheets, summaries and email bodies from one set of templates."""

    def __init__(self, templates: Path | None = None, page_size: PageSize = "Letter") -> None:
        if templates is not None and not templates.is_dir():
            raise RenderError(
                f"{templates}: templates folder not found — create it (copy the built-in "
                f"templates into it) or remove [render] templates from the config"
            )
        self.templates = templates
        folders = [templates.resolve()] if templates is not None else []
        self.folders = tuple(dict.fromkeys([*folders, BUILTIN_TEMPLATES]))
        self.page_size: PageSize = page_size
        self.fetcher = LockedFetcher(self.folders)
        self.jinja = Templates(self.folders)
        self.env = self.jinja.env
        self._engine: PdfEngine | None = None
        self._digest: str | None = None

    def digest(self) -> str:
        """A hash of every file in the template folders, the page size and the versions."""
        if self._digest is None:
            # Versions too: a new release may draw the same templates differently.
            stamp = f"{__version__}:{weasyprint_version()}:page-size:{self.page_size}\n"
            sha = hashlib.sha256(stamp.encode())
            for index, folder in enumerate(self.folders):
                for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                    sha.update(f"{index}:{path.relative_to(folder).as_posix()}\n".encode())
                    sha.update(path.read_bytes())
            self._digest = sha.hexdigest()
        return self._digest

    def athlete_pdf(
        self, team: Team, assessment: Assessment, report_date: date, rules: RuleSettings
    ) -> bytes:
        """One athlete's advice sheet as PDF bytes."""
        return self._pdf("athlete.html", self._sheet_context(team, assessment, report_date, rules))

    def athlete_html(
        self, team: Team, assessment: Assessment, report_date: date, rules: RuleSettings
    ) -> str:
        """One athlete's advice sheet as HTML, as it is handed to WeasyPrint."""
        return self._render(
            "athlete.html", self._sheet_context(team, assessment, report_date, rules)
        )

    def summary_pdf(
        self, roster: Roster, assessments: Sequence[Assessment], rules: RuleSettings
    ) -> bytes:
        """The coach's team summary as PDF bytes."""
        return self.summary_view_pdf(summary_view(roster, assessments, rules))

    def summary_view_pdf(self, view: SummaryView) -> bytes:
        """The team summary of an already-built view (what a worker process is sent)."""
        return self._pdf("summary.html", self._summary_context(view))

    def prepare(self) -> None:
        """Load WeasyPrint, the fonts and the stylesheet now rather than on the first PDF."""
        self.engine()

    def athlete_email(
        self, team: Team, assessment: Assessment, report_date: date
    ) -> tuple[str, str]:
        """The plain-text and HTML bodies of an athlete's email."""
        context = self._athlete_context(team, assessment, report_date)
        return self._render("email/athlete.txt", context), self._render(
            "email/athlete.html", context
        )

    def coach_email(
        self,
        roster: Roster,
        outcomes: Sequence[DeliveryOutcome],
        attention: Sequence[tuple[str, str]] = (),
        review: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """The plain-text and HTML bodies of the coach's email for one batch.

        `attention` is (name, reason) for each athlete who must see a doctor, listed first;
        `review` (folder, how-to) makes it the "ready for review" email.
        """
        counts = Counter(o.status for o in outcomes)
        context = {
            "attention": list(attention),
            "review": review,
            "on_purpose": [o for o in outcomes if o.status in ("withheld", "opted-out")],
            "team": roster.team,
            "roster": roster,
            "report_date": roster.report_date,
            "units": roster.team.units,
            "outcomes": list(outcomes),
            "counts": {s: counts[s] for s in COACH_STATUSES},
            "problems": [o for o in outcomes if o.status in ("skipped", "failed")],
            "warnings": [str(p) for p in roster.warnings],
        }
        return self._render("email/coach.txt", context), self._render("email/coach.html", context)

    def _sheet_context(
        self, team: Team, assessment: Assessment, report_date: date, rules: RuleSettings
    ) -> dict[str, Any]:
        """What the athlete's sheet is given: the email's context, the rules, the window's cramps."""
        first = window_start(report_date, rules.window_days)
        incidents = [i for i in assessment.athlete.incidents if first <= i.day <= report_date]
        context = self._athlete_context(team, assessment, report_date)
        return {**context, "rules": rules, "incidents": incidents}

    def line(self, name: str, context: dict[str, Any]) -> str:
        """A one-line text template (an email subject), its line breaks folded into spaces."""
        text = self._render(name, context)
        # A line break in a header would let a roster value add headers of its own.
        folded = " ".join("".join(c if c.isprintable() else " " for c in text).split())
        if not folded:
            raise RenderError(
                self.jinja.message(self.jinja.path_of(name), None, "it renders as nothing")
            )
        return folded

    def email_text(self, name: str, context: dict[str, Any]) -> str:
        """The plain-text body of a notice to the coach or club, from `email/<name>.txt`."""
        return self._render(f"email/{name}.txt", context)

    def _athlete_context(
        self, team: Team, assessment: Assessment, report_date: date
    ) -> dict[str, Any]:
        """What the athlete templates (sheet and email) are given."""
        slots = week_slots(assessment.athlete, report_date)
        findings = ranking.order_findings(assessment.findings)
        return {
            "team": team,
            "athlete": assessment.athlete,
            "assessment": assessment,
            "findings": findings,
            "minor": assessment.minor,
            "urgent": ranking.is_urgent(assessment),
            "sources": sources.for_sheet(findings),
            "report_date": report_date,
            "units": team.units,
            "weeks": slots,
            "chart": bar_chart(slots),
            "author": team.coach or team.name,
            "see_doctor": ranking.sees_doctor(assessment),
        }

    def _summary_context(self, view: SummaryView) -> dict[str, Any]:
        """What the summary template is given: rows in risk order, doctor list, totals."""
        roster = view.roster
        return {
            "team": roster.team,
            "roster": roster,
            "report_date": roster.report_date,
            "rules": view.rules,
            "since": view.since,
            "units": roster.team.units,
            "author": roster.team.coach or roster.team.name,
            "rows": list(view.rows),
            "doctor": list(view.doctor),
            "notes": list(view.notes),
            "warnings": [str(p) for p in roster.warnings],
            "left_out": {"rows": view.rows_left_out, "doctor": view.doctor_left_out},
            "totals": {
                "athletes": view.athletes,
                "with_cramps": view.with_cramps,
                "to_see_doctor": view.to_see_doctor,
                "by_risk": Counter(dict(view.by_risk)),
                "by_rule": list(view.by_rule),
            },
        }

    def engine(self) -> PdfEngine:
        """The WeasyPrint engine, built on first use: fonts, the parsed stylesheet, the fetcher."""
        if self._engine is None:
            folder = next((f for f in self.folders if (f / STYLESHEET).is_file()), None)
            if folder is None:
                raise RenderError(
                    f"{BUILTIN_TEMPLATES / STYLESHEET}: stylesheet missing — {BUILTIN_HINT}"
                )
            try:
                self._engine = PdfEngine(
                    self.fetcher, self.folders[0], folder / STYLESHEET, self.page_size
                )
            except Exception as err:  # WeasyPrint raises assorted errors on unusable CSS
                raise RenderError(
                    f"{display(folder / STYLESHEET)}: {err} — {hint(folder)}"
                ) from err
        return self._engine

    def _pdf(self, name: str, context: dict[str, Any]) -> bytes:
        """Render a template and lay it out as PDF with the shared fonts and stylesheet."""
        engine = self.engine()
        html = self._render(name, context)
        try:
            return engine.pdf(html)
        except Exception as err:  # any layout failure becomes one clear error
            where = display(Path(self.jinja.path_of(name)))
            raise RenderError(
                f"{where}: the PDF could not be laid out ({err}) — {CUSTOM_HINT}"
            ) from err

    def _render(self, name: str, context: dict[str, Any]) -> str:
        """Render one template to text."""
        return self.jinja.render(name, context)
