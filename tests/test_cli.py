"""The command line: help on every command, readable output, the contract's exit codes."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
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


def test_every_command_and_option_has_help_text() -> None:
    """`--help` of each subcommand has a description, and every option there says what it does."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == {"init", "template", "check", "render", "run", "serve", "status"}
    summaries = {a.dest: a.help for a in sub._choices_actions}
    undocumented = [
        f"cramp-reports {a.option_strings or a.dest}" for a in parser._actions if not a.help
    ]
    for name, command in sub.choices.items():
        assert summaries[name], name
        assert command.description and command.description in command.format_help(), name
        undocumented += [
            f"cramp-reports {name} {a.option_strings or a.dest}"
            for a in command._actions
            if not a.help or a.help == argparse.SUPPRESS
        ]
    assert undocumented == []


GLOBAL_OPTIONS = [
    (["run", "--quiet"], True, False, None),
    (["-q", "run"], True, False, None),
    (["status", "-v"], False, True, None),
    (["--verbose", "status"], False, True, None),
    (["run", "--config", "club.toml"], False, False, Path("club.toml")),
    (["--config", "club.toml", "run"], False, False, Path("club.toml")),
    (["--config", "a.toml", "serve", "--config", "b.toml"], False, False, Path("b.toml")),
    (["run"], False, False, None),
]


@pytest.mark.parametrize(
    ("argv", "quiet", "verbose", "config"),
    GLOBAL_OPTIONS,
    ids=[" ".join(c[0]) for c in GLOBAL_OPTIONS],
)
def test_global_options_count_before_or_after_the_command(
    argv: list[str], quiet: bool, verbose: bool, config: Path | None
) -> None:
    """`-q`, `-v` and `--config` mean the same on either side of the command (the last one wins)."""
    args = build_parser().parse_args(argv)
    assert (args.quiet, args.verbose, args.config) == (quiet, verbose, config)


def cramp_reports(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """The real `cramp-reports` command, run in `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "reports", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_quiet_verbose_and_config_work_where_people_type_them(tmp_path: Path) -> None:
    """`run --quiet`, `-q run`, `status -v` and `run --config FILE` all run as typed."""
    club = tmp_path / "club"
    stale = time.time() - 60  # older than the default 10 s a dropped file must rest
    roster = write_workbook(club / "inbox" / "harbor.xlsx", canonical_sheets())
    os.utime(roster, (stale, stale))

    quiet = cramp_reports(club, "run", "--quiet")
    assert quiet.returncode == 0, quiet.stderr
    assert "harbor.xlsx: Harbor Harriers" in quiet.stdout and "INFO" not in quiet.stderr
    again = cramp_reports(club, "-q", "run")
    assert again.returncode == 0, again.stderr
    assert "nothing new" in again.stdout and "INFO" not in again.stderr
    status = cramp_reports(club, "status", "-v")
    assert status.returncode == 0, status.stderr
    assert "harbor.xlsx" in status.stdout

    (club / "elsewhere.toml").write_text('[paths]\ninbox = "drop"\n')
    dropped = write_workbook(club / "drop" / "ridge.xlsx", canonical_sheets())
    os.utime(dropped, (stale, stale))
    configured = cramp_reports(tmp_path, "run", "--config", "club/elsewhere.toml")
    assert configured.returncode == 0, configured.stderr
    assert "ridge.xlsx: Harbor Harriers" in configured.stdout
    assert not (club / "drop" / "ridge.xlsx").exists() and not (tmp_path / "inbox").exists()


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
