"""Jinja2 + WeasyPrint: athlete sheets and the team summary as PDF, email bodies as text.

Workbook text only ever reaches the templates as autoescaped data, and WeasyPrint can
only read files inside the active template folders (see `LockedFetcher`). WeasyPrint is
imported on the first PDF, not before: a process that only hands sheets to workers,
writes emails or checks keys never loads it (about 40 MB and a second of start-up).
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.metadata
import logging
import mimetypes
import os
import sys
import traceback
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from reports import __version__, ranking, sources
from reports.case import window_start
from reports.chart import SummaryView, bar_chart, summary_view, week_slots
from reports.errors import RenderError
from reports.models import Assessment, DeliveryOutcome, Roster, Team
from reports.render import parsing, styles, subsets
from reports.render.filters import (
    chart_alt,
    distance,
    fluid,
    longdate,
    percent,
    shortdate,
    temperature,
)
from reports.render.stamps import StampBook, StampsFailed, weasyprint_supported
from reports.settings import PageSize, RuleSettings

logger = logging.getLogger(__name__)

# Tagged PDF/UA-1: structure, language, title and alternative text for screen readers.
PDF_VARIANT = "pdf/ua-1"
BUILTIN_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STYLESHEET = "style.css"
TEMPLATE_SUFFIXES = (".html", ".txt", ".css", ".svg")
CUSTOM_HINT = "fix or remove it, or delete the file to use the built-in template"
BUILTIN_HINT = "the built-in templates are damaged; reinstall cramp-reports"
# The names WeasyPrint tries when it loads libharfbuzz-subset, in its order.
HARFBUZZ_SUBSET_NAMES = (
    "libharfbuzz-subset-0",
    "harfbuzz-subset",
    "harfbuzz-subset-0.0",
    "libharfbuzz-subset.so.0",
    "libharfbuzz-subset.0.dylib",
    "libharfbuzz-subset-0.dll",
)


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint can subset fonts with libharfbuzz-subset (fast) instead of Python."""
    if "weasyprint.text.ffi" in sys.modules:  # already loaded: ask it rather than guess
        return sys.modules["weasyprint.text.ffi"].harfbuzz_subset is not None
    for name in HARFBUZZ_SUBSET_NAMES:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


def weasyprint_version() -> str:
    """The installed WeasyPrint's version, read without importing it."""
    try:
        return importlib.metadata.version("weasyprint")
    except importlib.metadata.PackageNotFoundError:  # e.g. vendored: fall back to the module
        import weasyprint

        return str(weasyprint.__version__)


class LockedFetcher:
    """Serves files inside the template folders and refuses every other URL."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: Any = None) -> Any:
        """Return the file behind a `file://` URL inside a root; refuse anything else."""
        from weasyprint.urls import URLFetcherResponse

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

    def for_weasyprint(self) -> Any:
        """This fetcher in the shape WeasyPrint calls (a `URLFetcher` with file:// only)."""
        from weasyprint.urls import URLFetcher

        locked = self

        class Fetcher(URLFetcher):  # type: ignore[misc]
            def fetch(self, url: str, headers: Any = None) -> Any:
                return locked.fetch(url, headers)

        return Fetcher(timeout=1, allowed_protocols=("file",))


class _Engine:
    """The WeasyPrint side, built once per process: fonts, the parsed stylesheet, the fetcher."""

    def __init__(self, renderer: Renderer) -> None:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        self.html_class = HTML
        self.base_url = f"{renderer.folders[0]}{os.sep}"
        self.fetcher = renderer.fetcher.for_weasyprint()
        self.font_config = FontConfiguration()
        self._placeholder_sheet: tuple[str | None, Any] = (None, None)
        folder = next((f for f in renderer.folders if (f / STYLESHEET).is_file()), None)
        if folder is None:
            raise RenderError(
                f"{BUILTIN_TEMPLATES / STYLESHEET}: stylesheet missing — {BUILTIN_HINT}"
            )
        text = (folder / STYLESHEET).read_text(encoding="utf-8")
        try:
            self.css = CSS(
                string=f"{text}\n@page {{ size: {renderer.page_size}; }}\n",
                base_url=f"{folder}{os.sep}",
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            )
        except Exception as err:  # WeasyPrint raises assorted errors on unusable CSS
            raise RenderError(
                f"{_display(folder / STYLESHEET)}: {err} — {renderer._hint(folder)}"
            ) from err

    def pdf(self, html: str, stamps: StampBook) -> bytes:
        """Lay out one HTML document with the shared fonts and stylesheet, reusing kept blocks."""
        source = self.html_class(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
        sheets = [self.css, self._placeholders(stamps.css)]
        document = source.render(stylesheets=sheets, font_config=self.font_config)
        stamps.apply(document)
        return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))

    def _placeholders(self, text: str) -> Any:
        """The kept blocks' placeholder rules, parsed once each time a block is kept."""
        if self._placeholder_sheet[0] != text:
            from weasyprint import CSS

            self._placeholder_sheet = (text, CSS(string=text, font_config=self.font_config))
        return self._placeholder_sheet[1]


# The order the coach's email counts deliveries in.
COACH_STATUSES = (
    "sent", "outbox", "unchanged", "skipped", "failed", "withheld", "opted-out", "awaiting-review",
)  # fmt: skip


class Renderer:
    """Renders sheets, summaries and email bodies from one set of templates."""

    def __init__(
        self, templates: Path | None = None, page_size: PageSize = "Letter", *, stamps: bool = True
    ) -> None:
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
            chart_alt=chart_alt,
        )
        # Blocks laid out once and reused (see stamps.py); `stamps=False` lays out everything.
        self.stamps = StampBook(enabled=stamps)
        self.env.filters["stamp"] = self.stamps.mark
        self._engine: _Engine | None = None
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
        """One athlete's advice sheet as HTML, every block in full (no placeholders)."""
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
        self._engine_now()

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
            raise RenderError(self._message(self._path_of(name), None, "it renders as nothing"))
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

    def _engine_now(self) -> _Engine:
        """The WeasyPrint engine, built on first use."""
        if self._engine is None:
            self._engine = _Engine(self)
            parsing.install()
            if not weasyprint_supported(weasyprint_version()):
                if self.stamps.enabled:
                    logger.info("WeasyPrint %s: every block laid out in full", weasyprint_version())
                self.stamps.enabled = False
            else:
                subsets.install()
                styles.share(self._engine.font_config)
        return self._engine

    def _pdf(self, name: str, context: dict[str, Any]) -> bytes:
        """Render a template and lay it out as PDF with the shared fonts and stylesheet."""
        engine = self._engine_now()
        with self.stamps.sheet():
            html = self._render(name, context)
        try:
            try:
                return engine.pdf(html, self.stamps)
            except StampsFailed as err:
                if self.stamps.enabled:  # one misfit block, now forgotten
                    logger.info("laying this sheet out in full: %s", err)
                else:
                    logger.warning("laying out every block in full from now on: %s", err)
                return engine.pdf(self._render(name, context), self.stamps)
        except Exception as err:  # any layout failure becomes one clear error
            where = _display(Path(self._path_of(name)))
            raise RenderError(
                f"{where}: the PDF could not be laid out ({err}) — {CUSTOM_HINT}"
            ) from err

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


def _autoescape(name: str | None) -> bool:
    """Escape everything except plain-text email bodies, which are not markup."""
    return not (name or "").endswith(".txt")


def _display(path: Path) -> str:
    """A path relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
