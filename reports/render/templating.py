"""The Jinja environment: template folders (a coach's copy first, then the built-in ones), filters, errors.

Workbook text only ever reaches the templates as autoescaped data, in a sandbox; every
template failure becomes a RenderError naming the file and line, and how to fix it.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from reports.errors import RenderError
from reports.render.filters import (
    chart_alt,
    distance,
    fluid,
    longdate,
    percent,
    shortdate,
    temperature,
)


def _builtin_templates() -> Path:
    """The built-in templates: inside the installed package, else the source tree's top folder."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "templates"  # where the wheel puts them (pyproject.toml)
    return installed if installed.is_dir() else package.parent / "templates"


BUILTIN_TEMPLATES = _builtin_templates()
TEMPLATE_SUFFIXES = (".html", ".txt", ".css", ".svg")
CUSTOM_HINT = "fix or remove it, or delete the file to use the built-in template"
BUILTIN_HINT = "the built-in templates are damaged; reinstall cramp-reports"


class Templates:
    """The template folders and the sandboxed Jinja environment over them."""

    def __init__(self, folders: tuple[Path, ...]) -> None:
        self.folders = folders
        self.env = SandboxedEnvironment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(f) for f in folders]),
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

    def render(self, name: str, context: dict[str, Any]) -> str:
        """Render one template, turning every template failure into a RenderError."""
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as err:
            where = err.filename or self.path_of(err.name or name)
            raise RenderError(self.message(where, err.lineno, err.message or str(err))) from err
        except jinja2.TemplateNotFound as err:
            file, line = self._frame_of(err)
            missing = (
                f"template {err.name!r} not found in {' or '.join(map(display, self.folders))}"
            )
            raise RenderError(self.message(file or self.path_of(name), line, missing)) from err
        except Exception as err:
            file, line = self._frame_of(err)
            if file is None and not isinstance(err, jinja2.TemplateError):
                raise  # not a template's fault: a bug that keeps its traceback
            raise RenderError(self.message(file or self.path_of(name), line, str(err))) from err

    def path_of(self, name: str) -> str:
        """Where a template name would be loaded from."""
        for folder in self.folders:
            if (folder / name).is_file():
                return str(folder / name)
        return name

    def message(self, file: str, line: int | None, what: str) -> str:
        """`file, line N: what — how to fix it`."""
        where = display(Path(file)) + (f", line {line}" if line else "")
        return f"{where}: {what} — {hint(Path(file))}"

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


def hint(path: Path) -> str:
    """How to fix a broken template, depending on whose it is."""
    return BUILTIN_HINT if path.resolve().is_relative_to(BUILTIN_TEMPLATES) else CUSTOM_HINT


def display(path: Path) -> str:
    """A path relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _autoescape(name: str | None) -> bool:
    """Escape everything except plain-text email bodies, which are not markup."""
    return not (name or "").endswith(".txt")
