"""The wheel is complete: installed into a fresh virtualenv, it renders a roster from any folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_rosters" / "harbor-harriers.xlsx"
# What a wheel is built from; a copy, so no build/ folder is left in (or read from) the checkout.
SOURCES = ("pyproject.toml", "README.md", "reports", "templates")


def run(command: list[str | Path], cwd: Path) -> str:
    """Run a command with a clean environment; its output, or a failure showing it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_installed_wheel_renders_a_roster_from_a_folder_outside_the_checkout(
    tmp_path: Path,
) -> None:
    """Build the wheel, install it in a fresh venv, render: the PDFs carry the built-in templates."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", source],
        tmp_path,
    )
    (wheel,) = (tmp_path / "dist").glob("cramp_reports-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "reports").rglob("*.py")} | {
        f"reports/{p.relative_to(ROOT).as_posix()}"
        for p in (ROOT / "templates").rglob("*")
        if p.is_file()
    }
    assert expected <= shipped, f"missing from the wheel: {sorted(expected - shipped)}"
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], tmp_path)
    run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], tmp_path)
    work = tmp_path / "coach"
    work.mkdir()
    shutil.copy2(SAMPLE, work / SAMPLE.name)

    where = run([venv / "bin" / "python", "-c", "import reports; print(reports.__file__)"], work)
    run([venv / "bin" / "cramp-reports", "render", SAMPLE.name, "--out", "out"], work)

    assert Path(where.strip()).is_relative_to(venv), where
    (manifest,) = (work / "out").rglob("manifest.json")
    athletes = json.loads(manifest.read_text(encoding="utf-8"))["athletes"]
    pdfs = [manifest.parent / a["pdf"] for a in athletes] + [manifest.parent / "team-summary.pdf"]
    assert len(athletes) > 1 and all(p.is_file() for p in pdfs)
    first = PdfReader(pdfs[0]).pages[0].extract_text()
    assert "If a cramp hits mid-run" in first and "Calf-cramp prevention sheet".upper() in first
