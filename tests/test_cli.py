"""The command line: help on every command, readable output, the contract's exit codes."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from reports.cli import build_parser, main

from conftest import (
    canonical_sheets,
    day_first_km_sheets,
    told_day_first_miles_sheets,
    write_workbook,
)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `cramp-reports argv…` in-process; returns (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_command_has_help_text() -> None:
    """Each subcommand explains itself in `cramp-reports --help`."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == {"init", "template", "check", "render", "run", "serve", "status"}
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert all(helps[name] for name in sub.choices)


def test_check_prints_one_line_per_problem_with_the_cell(
    capsys: pytest.CaptureFixture[str], workbook: Callable[..., Path]
) -> None:
    """Warnings name file, Sheet!Cell and the fix; a usable roster exits 0."""
    sheets = canonical_sheets()
    sheets["Mileage"][1][2] = "twelve"
    sheets["Mileage"][2][2] = -5
    sheets["Athletes"][1][1] = "maya at example"
    sheets["Mileage"].append(["Zed Unknown", sheets["Mileage"][1][1], 10, 3])
    path = workbook(sheets)
    code, out, _ = run_cli(capsys, "check", str(path))
    lines = out.splitlines()
    assert code == 0
    assert any(line.startswith("harbor.xlsx: Mileage!C2: warning:") for line in lines)
    assert any(line.startswith("harbor.xlsx: Mileage!C3: warning:") for line in lines)
    assert any(line.startswith("harbor.xlsx: Athletes!B2: warning:") for line in lines)
    assert any(
        line.startswith(f"harbor.xlsx: Mileage!A{len(sheets['Mileage'])}: warning:")
        for line in lines
    )
    assert lines[-1].startswith("harbor.xlsx: OK")


@pytest.mark.parametrize(("sheets", "line"), [
    (day_first_km_sheets, 'harbor.xlsx: Mileage!B2: note: dates typed as text are read day '
                          'first, as "28/09/2026" in this cell shows'),
    (told_day_first_miles_sheets, "harbor.xlsx: Team!B6: note: dates typed as text are read "
                                  "day first, as this Date order says"),
])  # fmt: skip
def test_check_prints_the_date_order_used_and_why(
    capsys: pytest.CaptureFixture[str],
    workbook: Callable[..., Path],
    sheets: Callable[[], dict[str, list[list[object]]]],
    line: str,
) -> None:
    """`check` says whether text dates were read day or month first, and which cell says so."""
    code, out, _ = run_cli(capsys, "check", str(workbook(sheets())))
    assert code == 0
    assert line in out.splitlines()


def test_check_exits_1_when_a_roster_has_an_error(
    capsys: pytest.CaptureFixture[str], workbook: Callable[..., Path]
) -> None:
    """A missing required sheet is an error: exit 1 and a REJECTED summary line."""
    sheets = canonical_sheets()
    del sheets["Athletes"]
    code, out, _ = run_cli(capsys, "check", str(workbook(sheets)))
    assert code == 1
    assert "error:" in out and "REJECTED" in out


def test_check_refuses_a_legacy_xls_without_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An old .xls gets 'save it as .xlsx', not a stack trace."""
    path = tmp_path / "old.xls"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512)
    code, out, err = run_cli(capsys, "check", str(path))
    assert code == 1
    assert ".xlsx" in out and "Traceback" not in out + err


def test_a_bad_config_exits_2_with_the_key_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Configuration errors are exit code 2 and name the key, with no traceback."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cramp-reports.toml").write_text("[delivery]\nmode = 'carrier pigeon'\n")
    code, _, err = run_cli(capsys, "run")
    assert code == 2
    assert "[delivery] mode" in err and "Traceback" not in err


def test_init_then_run_then_status(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new working folder takes a dropped roster and `status` shows the batch."""
    folder = tmp_path / "club"
    code, out, _ = run_cli(capsys, "init", str(folder))
    assert code == 0
    for part in (
        "inbox",
        "archive",
        "rejected",
        "out",
        "outbox",
        "cramp-reports.toml",
        "roster-template.xlsx",
    ):
        assert (folder / part).exists(), part
    monkeypatch.chdir(folder)
    roster = write_workbook(folder / "inbox" / "harbor.xlsx", canonical_sheets())
    os.utime(roster, (time.time() - 60, time.time() - 60))
    code, out, _ = run_cli(capsys, "run")
    assert code == 0
    assert "harbor.xlsx: Harbor Harriers" in out and "archived" in out
    code, out, _ = run_cli(capsys, "status")
    assert code == 0
    assert "harbor.xlsx" in out and "processed" in out


def test_template_writes_a_workbook_that_passes_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The blank roster opens in openpyxl and `check` accepts it."""
    path = tmp_path / "blank.xlsx"
    assert run_cli(capsys, "template", str(path))[0] == 0
    assert openpyxl.load_workbook(path).sheetnames
    code, out, _ = run_cli(capsys, "check", str(path))
    assert code == 0, out


def test_render_reports_the_folder_and_rejects_bad_rosters(
    capsys: pytest.CaptureFixture[str], workbook: Callable[..., Path], tmp_path: Path
) -> None:
    """`render` prints where the sheets went; a bad roster exits 1 with its problems."""
    code, out, _ = run_cli(capsys, "render", str(workbook()), "--out", str(tmp_path / "out"))
    assert code == 0 and "3 sheet(s) rendered" in out
    sheets = canonical_sheets()
    sheets["Athletes"] = [sheets["Athletes"][0]]
    code, out, _ = run_cli(
        capsys, "render", str(workbook(sheets, "empty.xlsx")), "--out", str(tmp_path / "out")
    )
    assert code == 1 and "REJECTED" in out


def test_missing_harfbuzz_subsetting_is_announced_at_start(
    capsys: pytest.CaptureFixture[str],
    workbook: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without libharfbuzz-subset the user is told, once, how to get the fast path."""
    monkeypatch.setattr("reports.cli.harfbuzz_subset_available", lambda: False)
    code, _, _ = run_cli(capsys, "render", str(workbook()), "--out", str(tmp_path / "out"))
    assert code == 0
    warnings = [r.getMessage() for r in caplog.records if "libharfbuzz-subset0" in r.getMessage()]
    assert len(warnings) == 1 and "apt-get install libharfbuzz-subset0" in warnings[0]
