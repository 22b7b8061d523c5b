"""The architecture, enforced: a pure core, and adapters that each own one kind of I/O."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reports"

# The pure core: stdlib only, no I/O, no clock. Add a module here when the core grows.
CORE = (
    "models", "settings", "errors", "metrics", "rules", "evidence", "case", "doctor", "chart",
    "history", "redflags", "load", "ranking", "sources",
)  # fmt: skip
# Adapters: one kind of I/O each; none may import another. (`files`, the one way files are
# written, is shared by them and is neither core nor adapter.)
ADAPTERS = ("roster", "render", "deliver", "inbox", "ledger", "config", "outputs", "review")
# Stdlib modules that do I/O, read the clock or are random: never in the core.
IMPURE_STDLIB = frozenset(
    {
        "asyncio", "email", "ftplib", "http", "multiprocessing", "os", "random", "secrets",
        "shutil", "smtplib", "socket", "sqlite3", "subprocess", "tempfile", "threading",
        "time", "urllib",
    }
)  # fmt: skip
CLOCK_ATTRIBUTES = frozenset({"now", "today", "utcnow"})
IO_BUILTINS = frozenset({"open", "print", "input"})
# A stdlib module only one adapter (a module, or every module of a package) may use.
OWNERS = {"smtplib": "reports.deliver", "sqlite3": "reports.ledger"}


def module_name(path: Path) -> str:
    """`reports/roster/cells.py` → `reports.roster.cells`; a package's `__init__` → itself."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved, `from a import b` as a and a.b."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found - {"__future__", "__future__.annotations"}


def sources(names: tuple[str, ...]) -> list[Path]:
    """The files of these `reports` modules or packages that exist so far."""
    found = []
    for name in names:
        found += [p for p in [PACKAGE / f"{name}.py"] if p.exists()]
        if (PACKAGE / name).is_dir():
            found += sorted((PACKAGE / name).rglob("*.py"))
    return found


def owner_of(module: str) -> str | None:
    """Which adapter a `reports.…` module belongs to, if any."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "reports" and parts[1] in ADAPTERS:
        return parts[1]
    return None


CORE_FILES = sources(CORE)
ADAPTER_FILES = sources(ADAPTERS)
ALL_FILES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_core_imports_only_the_stdlib_and_other_core_modules(path: Path) -> None:
    """No openpyxl, jinja2, weasyprint, smtplib, sqlite3 or adapter in the pure core."""
    allowed_core = {f"reports.{name}" for name in CORE} | {"reports"}
    for module in imports(path):
        top = module.split(".")[0]
        if top == "reports":
            parent = ".".join(module.split(".")[:2])
            assert parent in allowed_core, f"{path.name} imports {module}"
        else:
            assert top in sys.stdlib_module_names, f"{path.name} imports {module}"
            assert top not in IMPURE_STDLIB, f"{path.name} imports {module}"


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_core_never_reads_the_clock_or_does_io(path: Path) -> None:
    """`today`/`now` are passed in; no datetime.now, date.today, time.time, open or print."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            assert node.attr not in CLOCK_ATTRIBUTES, f"{path.name}:{node.lineno} reads the clock"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in IO_BUILTINS, f"{path.name}:{node.lineno} does I/O"


@pytest.mark.parametrize("path", ADAPTER_FILES, ids=lambda p: module_name(p))
def test_adapters_do_not_import_each_other(path: Path) -> None:
    """Each adapter owns one kind of I/O; shared needs belong in the core or the pipeline."""
    mine = owner_of(module_name(path))
    for module in imports(path):
        other = owner_of(module)
        assert other in (None, mine), f"{module_name(path)} imports {module}"


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: module_name(p))
def test_only_deliver_uses_smtplib_and_only_ledger_uses_sqlite3(path: Path) -> None:
    """One adapter owns the mail server (the deliver package) and one owns the database."""
    tops = {module.split(".")[0] for module in imports(path)}
    name = module_name(path)
    for library, owner in OWNERS.items():
        if library in tops:
            assert name == owner or name.startswith(f"{owner}."), f"{name} imports {library}"


def test_inside_deliver_only_the_smtp_module_imports_smtplib() -> None:
    """Building messages and writing the outbox never touch the mail server."""
    users = [p.name for p in sources(("deliver",)) if "smtplib" in imports(p)]
    assert users == ["smtp.py"]


def test_the_core_list_names_modules_that_exist() -> None:
    """A renamed core module must be renamed here too, or the checks silently skip it."""
    assert {p.stem for p in CORE_FILES} == set(CORE)
