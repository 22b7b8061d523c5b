"""The service as an operator meets it: real processes, real signals, a real hot folder."""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from email import policy
from pathlib import Path

import pytest

from conftest import big_roster, canonical_sheets, write_workbook

pytestmark = pytest.mark.slow


def start(folder: Path, *args: str) -> subprocess.Popen[str]:
    """Start `cramp-reports ARGS` in `folder` as its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "reports", *args],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    """Poll until `condition()` holds, failing the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def recipients(outbox: Path) -> Counter[str]:
    """How many .eml files each address has in the outbox."""
    counts: Counter[str] = Counter()
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        counts[message["To"].addresses[0].addr_spec] += 1  # type: ignore[union-attr]
    return counts


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A working folder whose config runs a pass every second and takes files at once."""
    (tmp_path / "cramp-reports.toml").write_text(
        '[schedule]\nevery = "1 second"\n[inbox]\nmin_age_seconds = 0\n'
        "[delivery]\ncoach_summary = false\n"
    )
    for part in ("inbox", "archive", "rejected", "out", "outbox"):
        (tmp_path / part).mkdir()
    return tmp_path


def test_serve_takes_a_dropped_file_survives_a_failing_pass_and_stops_on_sigterm(
    folder: Path,
) -> None:
    """A running `serve` processes new files, outlives a pass that raised, and exits 0 on SIGTERM."""
    server = start(folder, "serve")
    try:
        wait_for(lambda: (folder / "cramp-reports.sqlite").exists())
        write_workbook(folder / "inbox" / "harbor.xlsx", canonical_sheets())
        wait_for(lambda: any((folder / "archive").rglob("harbor.xlsx")))
        # Make the next passes fail: the output folder becomes a file.
        (folder / "out").rename(folder / "out.moved")
        (folder / "out").write_text("not a folder")
        sheets = canonical_sheets()
        sheets["Mileage"][1][2] = 30
        write_workbook(folder / "inbox" / "second.xlsx", sheets)
        time.sleep(2.5)
        assert server.poll() is None, "serve must keep running after a failing pass"
        assert (folder / "inbox" / "second.xlsx").exists()
        (folder / "out").unlink()
        (folder / "out.moved").rename(folder / "out")
        wait_for(lambda: any((folder / "archive").rglob("second.xlsx")))
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "the pass failed" in output


def test_a_second_serve_on_the_same_folder_exits_2(folder: Path) -> None:
    """The folder lock keeps a second instance out with a clear message."""
    first = start(folder, "serve")
    try:
        wait_for(lambda: (folder / "cramp-reports.sqlite").exists())
        second = start(folder, "serve")
        output, _ = second.communicate(timeout=60)
        assert second.returncode == 2
        assert "already working" in output
        assert "Traceback" not in output
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=30)
    assert first.returncode == 0


def test_a_pass_killed_mid_batch_is_finished_exactly_once_by_the_next(folder: Path) -> None:
    """SIGKILL during delivery: the next pass sends every remaining sheet once and loses no workbook."""
    write_workbook(folder / "inbox" / "big.xlsx", big_roster(30))
    victim = start(folder, "run")
    wait_for(lambda: len(list((folder / "outbox").glob("*.eml"))) >= 5, seconds=120)
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate(timeout=30)
    assert (folder / "inbox" / "big.xlsx").exists(), (
        "the workbook must stay until its batch is done"
    )
    finisher = start(folder, "run")
    output, _ = finisher.communicate(timeout=180)
    assert finisher.returncode == 0, output
    counts = recipients(folder / "outbox")
    assert len(counts) == 30 and set(counts.values()) == {1}
    assert any((folder / "archive").rglob("big.xlsx"))
    assert not list((folder / "outbox").glob(".*"))
