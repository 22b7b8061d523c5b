"""Two processes on one folder, and files that change while a pass works on them.

Two `run`s that overlap (two cron jobs, or cron and a coach by hand) must not process a
workbook twice: the folder lock lets one work, and the other waits for it (up to
`run --wait`, 60 s by default) and then takes whatever is new. A `serve` is never waited
for, since it holds the folder for as long as it runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from reports.cli import main
from reports.config import load_settings
from reports.inbox import FolderLock
from reports.pipeline import run_pass
from reports.settings import Settings

from conftest import (
    Reliability,
    big_roster,
    canonical_sheets,
    quick_templates,
    steady,
    write_workbook,
)

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
CONFIG = '[inbox]\nmin_age_seconds = 0\n[render]\ntemplates = "templates"\nworkers = 1\n'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A working folder that takes files at once and renders quick sheets."""
    quick_templates(tmp_path / "templates")
    (tmp_path / "cramp-reports.toml").write_text(CONFIG)
    for part in ("inbox", "archive", "rejected", "out", "outbox"):
        (tmp_path / part).mkdir()
    return tmp_path


def start(folder: Path, *args: str) -> subprocess.Popen[str]:
    """`cramp-reports ARGS` in `folder`, as its own process."""
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
        time.sleep(0.02)


def recipients(outbox: Path) -> Counter[str]:
    """How many .eml files each address has in the outbox."""
    counts: Counter[str] = Counter()
    for path in outbox.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        counts[message["To"].addresses[0].addr_spec] += 1
    return counts


def test_two_runs_started_together_process_each_workbook_once(
    folder: Path, reliability: Reliability
) -> None:
    """One run takes the folder, the other waits for it, then finds nothing left to do."""
    reliability.case(
        "concurrency",
        "two `cramp-reports run` started together on the same folder (3 rosters, 60 athletes)",
        "each roster processed and archived once, each athlete emailed once; both exit 0 "
        "(the second waits for the first)",
    )
    for team in ("North", "South", "West"):
        write_workbook(folder / "inbox" / f"{team.lower()}.xlsx", big_roster(20, team))
    runs = [start(folder, "run"), start(folder, "run")]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    counts = recipients(folder / "outbox")
    archived = sorted(p.name for p in (folder / "archive").rglob("*.xlsx"))
    idle = sum("inbox: nothing new" in output for output in outputs)
    athletes = [n for address, n in counts.items() if address != "dana@example.org"]
    reliability.observed(
        f"exit codes {[r.returncode for r in runs]}; archived {archived}; {len(athletes)} "
        f"athletes emailed {sorted(set(athletes))} time(s) each, the coach "
        f"{counts['dana@example.org']} summaries; {idle} run found nothing left to do"
    )
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert archived == ["north.xlsx", "south.xlsx", "west.xlsx"]
    coach = counts.pop("dana@example.org")  # one summary for each of the three teams
    assert coach == 3 and len(counts) == 60 and set(counts.values()) == {1}
    assert idle == 1


def test_a_run_never_waits_for_a_serve(folder: Path, reliability: Reliability) -> None:
    """`run` while `serve` works the folder exits 2 at once, naming serve and what to do."""
    reliability.case(
        "concurrency",
        "`cramp-reports run` while a `serve` works the same folder",
        "exit 2 at once (no waiting: serve never lets go), naming serve and how to proceed",
    )
    server = start(folder, "serve")
    try:
        wait_for(lambda: (folder / "cramp-reports.sqlite").exists())
        began = time.monotonic()
        second = start(folder, "run")
        output, _ = second.communicate(timeout=60)
        took = time.monotonic() - began
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    last = output.strip().splitlines()[-1]
    reliability.observed(f"exit {second.returncode} without waiting: {steady(last)}")
    assert second.returncode == 2 and "`cramp-reports serve`" in output
    assert "Traceback" not in output and took < 15


HOLD = """
import sys
from pathlib import Path
from reports.inbox import FolderLock
with FolderLock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_run_gives_up_after_waiting_its_time(folder: Path, reliability: Reliability) -> None:
    """A run still locked out after `--wait` exits 2 saying who holds the folder."""
    reliability.case(
        "concurrency",
        "`run --wait 1` while another run keeps the folder longer",
        "exit 2 after about 1 s, naming the other process; nothing processed",
    )
    write_workbook(folder / "inbox" / "harbor.xlsx", canonical_sheets())
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder / "cramp-reports.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        began = time.monotonic()
        late = start(folder, "run", "--wait", "1")
        output, _ = late.communicate(timeout=60)
        code = late.returncode
        took = time.monotonic() - began
        assert holder.stdin is not None
        holder.stdin.close()
    last = output.strip().splitlines()[-1]
    reliability.observed(f"exit {code}: {steady(last)}")
    assert code == 2 and "still after waiting 1 s" in last and f"pid {holder.pid}" in last
    assert (folder / "inbox" / "harbor.xlsx").exists() and took < 15


def test_a_waiting_run_goes_on_once_the_folder_is_free(
    folder: Path, reliability: Reliability
) -> None:
    """A run that meets the lock waits, and does its pass as soon as the other lets go."""
    reliability.case(
        "concurrency",
        "`run` while another run holds the folder for one more second",
        "waits, then does its own pass and exits 0",
    )
    write_workbook(folder / "inbox" / "harbor.xlsx", canonical_sheets())
    with FolderLock(folder / "cramp-reports.lock"):
        waiting = start(folder, "run")
        assert waiting.stdout is not None
        said = [waiting.stdout.readline()]
        while said[-1] and "waiting up to" not in said[-1]:
            said.append(waiting.stdout.readline())
        time.sleep(0.5)
        assert waiting.poll() is None, "the run must wait, not give up"
    output = "".join(said) + waiting.stdout.read()  # communicate() would skip the buffered part
    waiting.wait(timeout=60)
    archived = [p.name for p in (folder / "archive").rglob("*.xlsx")]
    reliability.observed(f"exit {waiting.returncode}; archived {archived}")
    assert waiting.returncode == 0, output
    assert archived == ["harbor.xlsx"]


@pytest.fixture
def settings(folder: Path) -> Settings:
    """The folder's settings, for passes run in this process."""
    return load_settings(None, cwd=folder, env={})


def settled(path: Path) -> Path:
    """Give a dropped file a modification time a minute before NOW."""
    os.utime(path, (NOW.timestamp() - 60, NOW.timestamp() - 60))
    return path


def test_a_workbook_dropped_during_a_pass_is_taken_by_the_next(
    settings: Settings, reliability: Reliability
) -> None:
    """A file that arrives mid-pass is not touched by that pass; the next pass takes it."""
    reliability.case(
        "concurrency",
        "a roster dropped into the inbox while a pass is rendering",
        "left untouched by that pass; taken (processed and archived) by the next pass",
    )
    settled(write_workbook(settings.paths.inbox / "first.xlsx", big_roster(5, "First")))
    late = settings.paths.inbox / "late.xlsx"

    def drop_late(done: int, total: int) -> None:
        if not late.exists():
            settled(write_workbook(late, big_roster(5, "Late")))

    first = run_pass(settings, now=NOW, progress=drop_late)
    untouched = late.exists()
    second = run_pass(settings, now=NOW + timedelta(minutes=15))
    reliability.observed(
        f"first pass took {[w.file for w in first.workbooks]}, late file left in the inbox: "
        f"{untouched}; next pass took {[w.file for w in second.workbooks]}"
    )
    assert [w.file for w in first.workbooks] == ["first.xlsx"] and untouched
    assert [(w.file, w.outcome) for w in second.workbooks] == [("late.xlsx", "processed")]
    assert not late.exists()


def test_a_workbook_replaced_during_its_pass_is_not_archived_unread(
    settings: Settings, reliability: Reliability
) -> None:
    """A corrected copy dropped over the roster being processed waits for the next pass."""
    reliability.case(
        "concurrency",
        "a roster replaced (same name, corrected data) while a pass processes the old copy",
        "the unread new copy is not archived: it stays in the inbox and the next pass sends "
        "the changed sheet",
    )
    path = settled(write_workbook(settings.paths.inbox / "harbor.xlsx", canonical_sheets()))
    corrected = canonical_sheets()
    for row in corrected["Mileage"][1:]:
        if row[0] == "Maya Chen" and row[1] == date(2026, 11, 16):
            row[2] = 30

    def replace_roster(done: int, total: int) -> None:
        if done == 1:
            settled(write_workbook(path, corrected))

    first = run_pass(settings, now=NOW, progress=replace_roster)
    kept = path.exists()
    before = set(settings.paths.outbox.iterdir())
    second = run_pass(settings, now=NOW + timedelta(minutes=15))
    new = [p for p in set(settings.paths.outbox.iterdir()) - before]
    to = sorted(str(message_from_bytes(p.read_bytes(), policy=policy.default)["To"]) for p in new)
    reliability.observed(
        f"first pass: archived {first.workbooks[0].moved_to is not None}, new copy kept in "
        f"the inbox: {kept}; next pass: {second.workbooks[0].outcome}, new messages to {to}"
    )
    assert first.workbooks[0].moved_to is None and kept
    assert second.workbooks[0].moved_to is not None
    assert to == ["Dana Brooks <dana@example.org>", "Maya Chen <maya@example.org>"]


def test_status_reads_the_ledger_while_a_pass_writes_it(
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    reliability: Reliability,
) -> None:
    """`status` in the middle of a pass answers at once with the batch in progress."""
    reliability.case(
        "concurrency",
        "`cramp-reports status` while a pass is working",
        "answers at once (exit 0), showing the unfinished batch; the pass is not disturbed",
    )
    settled(write_workbook(settings.paths.inbox / "harbor.xlsx", canonical_sheets()))
    monkeypatch.chdir(settings.paths.root)
    seen: list[tuple[int, str]] = []

    def ask_status(done: int, total: int) -> None:
        if not seen:
            seen.append((main(["status"]), capsys.readouterr().out))

    result = run_pass(settings, now=NOW, progress=ask_status)
    ((code, shown),) = seen
    line = next(line for line in shown.splitlines() if "harbor.xlsx" in line)
    reliability.observed(
        f"status exit {code}: {' '.join(line.split()[2:])}; the pass then "
        f"{result.workbooks[0].outcome} its roster"
    )
    assert code == 0 and "unfinished" in line
    assert result.workbooks[0].outcome == "processed"
