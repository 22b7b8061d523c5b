"""Jinja2 + WeasyPrint: athlete sheets and the team summary as PDF, email bodies as text.

Workbook text only ever reaches the templates as autoescaped data, and WeasyPrint can
only read files inside the active template folders (see `LockedFetcher`).
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import traceback
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from weasyprint import CSS, HTML
from weasyprint import __version__ as WEASYPRINT_VERSION
from weasyprint.text import ffi as weasy_ffi
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports import __version__
from reports.chart import SummaryRow, bar_chart, order_findings, week_slots
from reports.errors import RenderError
from reports.models import (
    KM_PER_MILE,
    ML_PER_OZ,
    RISK_ORDER,
    Assessment,
    DeliveryOutcome,
    Roster,
    Team,
)
from reports.settings import PageSize, RuleSettings

logger = logging.getLogger(__name__)

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STYLESHEET = "style.css"
TEMPLATE_SUFFIXES = (".html", ".txt", ".css", ".svg")
CUSTOM_HINT = "fix or remove it, or delete the file to use the built-in template"
BUILTIN_HINT = "the built-in templates are damaged; reinstall cramp-reports"


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint found libharfbuzz-subset (fast font subsetting)."""
    return weasy_ffi.harfbuzz_subset is not None


class LockedFetcher(URLFetcher):  # type: ignore[misc]
    """Serves files inside the template folders and refuses every other URL."""

    def __init__(self, roots: Sequence[Path]) -> None:
        super().__init__(timeout=1, allowed_protocols=("file",))
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return the file behind a `file://` URL inside a root; refuse anything else."""
        path = self.allowed_path(url)
        if path is None:
            logger.warning(
                "refused to fetch %s: templates may only use files inside their folder", url[:300]
            )
            raise ValueError(f"refused to fetch {url[:300]}")
        mime, _ = mimetypes.guess_type(path.name)
        headers_out = {"Content-Type": mime or "application/octet-stream"}
        return URLFetcherResponse(url, path.read_bytes(), headers_out)

    def allowed_path(self, url: str) -> Path | None:
        """The local file a URL names when it is a regular file inside a root, else None."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()  # resolve() defeats symlinks and ..
        if not path.is_file():
            return None
        return path if any(path.is_relative_to(root) for root in self.roots) else None


class Renderer:
    """Renders sheets, summaries and email bodies from one set of templates."""

    def __init__(self, templates: Path | None = None, page_size: PageSize = "Letter") -> None:
        if templates is not None and not templates.is_dir():
            raise RenderError(
                f"{templates}: templates folder not found — create it (copy the built-in "
                f"templates into it) or remove [render] templates from the config"
            )
        folders = [templates.resolve()] if templates is not None else []
        self.folders = tuple(dict.fromkeys([*folders, BUILTIN_TEMPLATES]))
        self.page_size: PageSize = page_size
        self.fetcher = LockedFetcher(self.folders)
        self.env = SandboxedEnvironment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(f) for f in self.folders]),
            autoescape=_autoescape,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.filters.update(
            distance=distance,
            fluid=fluid,
            temperature=temperature,
            longdate=longdate,
            shortdate=shortdate,
            percent=percent,
        )
        self.font_config = FontConfiguration()
        self.css = self._stylesheet()
        self._digest: str | None = None

    def digest(self) -> str:
        """A hash of every file in the template folders, the page size and the versions."""
        if self._digest is None:
            # Versions too: a new release may draw the same templates differently.
            stamp = f"{__version__}:{WEASYPRINT_VERSION}:page-size:{self.page_size}\n"
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
        context = self._athlete_context(team, assessment, report_date)
        return self._pdf("athlete.html", {**context, "rules": rules})

    def summary_pdf(
        self, roster: Roster, assessments: Sequence[Assessment], rules: RuleSettings
    ) -> bytes:
        """The coach's team summary as PDF bytes."""
        return self._pdf("summary.html", self._summary_context(roster, assessments, rules))

    def athlete_email(
        self, team: Team, assessment: Assessment, report_date: date
    ) -> tuple[str, str]:
        """The plain-text and HTML bodies of an athlete's email."""
        context = self._athlete_context(team, assessment, report_date)
        return self._render("email/athlete.txt", context), self._render(
            "email/athlete.html", context
        )

    def coach_email(self, roster: Roster, outcomes: Sequence[DeliveryOutcome]) -> tuple[str, str]:
        """The plain-text and HTML bodies of the coach's summary email."""
        counts = Counter(o.status for o in outcomes)
        context = {
            "team": roster.team,
            "roster": roster,
            "report_date": roster.report_date,
            "units": roster.team.units,
            "outcomes": list(outcomes),
            "counts": {s: counts[s] for s in ("sent", "outbox", "unchanged", "skipped", "failed")},
            "problems": [o for o in outcomes if o.status in ("skipped", "failed")],
            "warnings": [str(p) for p in roster.warnings],
        }
        return self._render("email/coach.txt", context), self._render("email/coach.html", context)

    def _athlete_context(
        self, team: Team, assessment: Assessment, report_date: date
    ) -> dict[str, Any]:
        """What the athlete templates (sheet and email) are given."""
        slots = week_slots(assessment.athlete, report_date)
        return {
            "team": team,
            "athlete": assessment.athlete,
            "assessment": assessment,
            "findings": order_findings(assessment.findings),
            "report_date": report_date,
            "units": team.units,
            "weeks": slots,
            "chart": bar_chart(slots),
            "author": team.coach or team.name,
            "see_doctor": any(f.rule == "see-doctor" for f in assessment.findings),
        }

    def _summary_context(
        self, roster: Roster, assessments: Sequence[Assessment], rules: RuleSettings
    ) -> dict[str, Any]:
        """What the summary template is given: rows in risk order, doctor list, totals."""
        since = roster.report_date - timedelta(days=rules.window_days - 1)
        rows = [
            SummaryRow.of(item, roster.report_date, since)
            for item in sorted(assessments, key=_risk_then_name)
        ]
        by_rule = Counter(rule for a in assessments for rule in {f.rule for f in a.findings})
        return {
            "team": roster.team,
            "roster": roster,
            "report_date": roster.report_date,
            "rules": rules,
            "since": since,
            "units": roster.team.units,
            "author": roster.team.coach or roster.team.name,
            "rows": rows,
            "doctor": [row for row in rows if row.see_doctor],
            "warnings": [str(p) for p in roster.warnings],
            "totals": {
                "athletes": len(rows),
                "with_cramps": sum(1 for row in rows if row.recent_cramps),
                "by_risk": Counter(a.risk for a in assessments),
                "by_rule": sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])),
            },
        }

    def _stylesheet(self) -> CSS:
        """The one pre-parsed stylesheet (first `style.css` found) plus the page size."""
        folder = next((f for f in self.folders if (f / STYLESHEET).is_file()), None)
        if folder is None:
            raise RenderError(
                f"{BUILTIN_TEMPLATES / STYLESHEET}: stylesheet missing — {BUILTIN_HINT}"
            )
        text = (folder / STYLESHEET).read_text(encoding="utf-8")
        try:
            return CSS(
                string=f"{text}\n@page {{ size: {self.page_size}; }}\n",
                base_url=f"{folder}{os.sep}",
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            )
        except Exception as err:  # WeasyPrint raises assorted errors on unusable CSS
            raise RenderError(
                f"{_display(folder / STYLESHEET)}: {err} — {self._hint(folder)}"
            ) from err

    def _pdf(self, name: str, context: dict[str, Any]) -> bytes:
        """Render a template and lay it out as PDF with the shared fonts and stylesheet."""
        html = self._render(name, context)
        try:
            document = HTML(
                string=html, base_url=f"{self.folders[0]}{os.sep}", url_fetcher=self.fetcher
            )
            pdf = document.write_pdf(stylesheets=[self.css], font_config=self.font_config)
        except Exception as err:  # any layout failure becomes one clear error
            where = _display(Path(self._path_of(name)))
            raise RenderError(
                f"{where}: the PDF could not be laid out ({err}) — {CUSTOM_HINT}"
            ) from err
        return bytes(pdf)

    def _render(self, name: str, context: dict[str, Any]) -> str:
        """Render one template, turning every template failure into a RenderError."""
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as err:
            where = err.filename or self._path_of(err.name or name)
            raise RenderError(self._message(where, err.lineno, err.message or str(err))) from err
        except jinja2.TemplateNotFound as err:
            file, line = self._frame_of(err)
            missing = (
                f"template {err.name!r} not found in {' or '.join(map(_display, self.folders))}"
            )
            raise RenderError(self._message(file or self._path_of(name), line, missing)) from err
        except Exception as err:
            file, line = self._frame_of(err)
            if file is None and not isinstance(err, jinja2.TemplateError):
                raise  # not a template's fault: a bug that keeps its traceback
            raise RenderError(self._message(file or self._path_of(name), line, str(err))) from err

    def _frame_of(self, err: BaseException) -> tuple[str | None, int | None]:
        """The innermost template file and line in an error's traceback."""
        found: tuple[str | None, int | None] = (None, None)
        for frame in traceback.extract_tb(err.__traceback__):
            path = Path(frame.filename)
            if path.suffix in TEMPLATE_SUFFIXES and any(
                path.is_relative_to(f) for f in self.folders
            ):
                found = (frame.filename, frame.lineno)
        return found

    def _path_of(self, name: str) -> str:
        """Where a template name would be loaded from."""
        for folder in self.folders:
            if (folder / name).is_file():
                return str(folder / name)
        return name

    def _message(self, file: str, line: int | None, what: str) -> str:
        """`file, line N: what — how to fix it`."""
        where = _display(Path(file)) + (f", line {line}" if line else "")
        return f"{where}: {what} — {self._hint(Path(file))}"

    def _hint(self, path: Path) -> str:
        """How to fix a broken template, depending on whose it is."""
        return BUILTIN_HINT if path.resolve().is_relative_to(BUILTIN_TEMPLATES) else CUSTOM_HINT


def _risk_then_name(assessment: Assessment) -> tuple[int, str]:
    """Sort key: high risk first, then by name."""
    return RISK_ORDER.get(assessment.risk, 9), assessment.athlete.name.casefold()


def _autoescape(name: str | None) -> bool:
    """Escape everything except plain-text email bodies, which are not markup."""
    return not (name or "").endswith(".txt")


def _display(path: Path) -> str:
    """A path relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _number(value: float, places: int) -> str:
    """`value` with at most `places` decimals and no trailing zeros."""
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _units(context: Any) -> str:
    """The team's unit from the template context; a missing one is an error, not a guess."""
    units = context.get("units")
    if units not in ("miles", "km"):
        raise jinja2.UndefinedError(
            f"'units' is {units!r} here: the unit filters need it "
            '(import macros "with context" so they see it)'
        )
    return str(units)


@jinja2.pass_context
def distance(context: Any, miles: float | None) -> str:
    """Miles as the team's unit: `10 mi` or `16 km`; one decimal below ten."""
    if miles is None:
        return "—"
    value, unit = (miles * KM_PER_MILE, "km") if _units(context) == "km" else (miles, "mi")
    return f"{_number(value, 0 if abs(value) >= 9.95 else 1)} {unit}"


@jinja2.pass_context
def fluid(context: Any, oz: float | None) -> str:
    """Fluid ounces as the team's unit: `16 oz`, or millilitres to the nearest 5 for km teams."""
    if oz is None:
        return "—"
    if _units(context) == "km":
        return f"{round(oz * ML_PER_OZ / 5) * 5} ml"
    return f"{_number(oz, 0 if oz >= 9.95 else 1)} oz"


@jinja2.pass_context
def temperature(context: Any, fahrenheit: float | None) -> str:
    """°F as `80 °F`, or `27 °C` for km teams."""
    if fahrenheit is None:
        return "—"
    if _units(context) == "km":
        return f"{round((fahrenheit - 32) * 5 / 9)} °C"
    return f"{round(fahrenheit)} °F"


def longdate(day: date) -> str:
    """`November 22, 2026`."""
    return f"{day:%B} {day.day}, {day.year}"


def shortdate(day: date) -> str:
    """`Nov 22`."""
    return f"{day:%b} {day.day}"


def percent(fraction: float | None) -> str:
    """A signed whole percentage, `+12%`, or `—` when unknown."""
    return "—" if fraction is None else f"{fraction:+.0%}".replace("-", "−")
