"""SIGKILL at ten moments of a 50-athlete batch, then one run to completion: everyone once.

The pass is a real `cramp-reports run` process killed with SIGKILL (no clean-up of any
kind) while it renders, right after the team summary, while it delivers, and after the
last athlete's email. Sheets use quick templates so that eleven passes fit in seconds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.config import load_settings
from reports.outputs import read_key_journal, remove_temporaries
from reports.pipeline import run_pass

from conftest import Reliability, big_roster, quick_templates, write_workbook

pytestmark = pytest.mark.slow

CONFIG = (
    '[inbox]\nmin_age_seconds = 0\n[render]\ntemplates = "templates"\nworkers = 1\n'
    '[delivery]\nfrom = "Dana Brooks <dana@example.org>"\n'
)
BIG = "harbor-harriers/2026-11-22"


def count(folder: Path, pattern: str) -> int:
    """How many files in `folder` match `pattern` (hidden temporary files never do)."""
    return sum(1 for p in folder.glob(pattern) if not p.name.startswith("."))


def sheets_done(work: Path) -> int:
    """Athlete PDFs of the big roster on disk."""
    return count(work / "out" / BIG, "*.pdf") - (work / "out" / BIG / "team-summary.pdf").exists()


def emails_done(work: Path) -> int:
    """.eml files in the outbox."""
    return count(work / "outbox", "*.eml")


def summary_done(work: Path) -> int:
    """1 once the big roster's team summary is on disk."""
    return int((work / "out" / BIG / "team-summary.pdf").exists())


# What to count, and how many must be done (and at least one more than when this pass
# started, so the kill lands while this pass is at that stage, not while it starts up).
MOMENTS: list[tuple[str, Callable[[Path], int], int]] = [
    ("rendering, after the first sheet", sheets_done, 1),
    ("rendering, a third of the way", sheets_done, 17),
    ("rendering, the fortieth sheet", sheets_done, 40),
    ("right after the team summary", summary_done, 1),
    *[(f"delivering, after {n} emails", emails_done, n) for n in (5, 15, 25, 35, 45)],
    ("after the last athlete's email", emails_done, 50),
]


def start_run(work: Path) -> subprocess.Popen[bytes]:
    """`cramp-reports run` in `work`, its output discarded."""
    return subprocess.Popen(
        [sys.executable, "-m", "reports", "run"],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_when(work: Path, done: Callable[[Path], int], at: int, delay: float) -> bool:
    """Run a pass and SIGKILL it `delay` s after `done` reaches `at`; False if it ended first."""
    target = max(at, done(work) + 1)
    victim = start_run(work)
    deadline = time.monotonic() + 90
    while done(work) < target:
        if victim.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the pass never reached the moment"
        time.sleep(0.005)
    time.sleep(delay)
    killed = victim.poll() is None
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    return killed


def recipients(outbox: Path) -> Counter[str]:
    """How many .eml files each address has, each file parsed with its PDF attached."""
    counts: Counter[str] = Counter()
    for path in outbox.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        (pdf,) = [
            p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"
        ]
        assert pdf.get_content().startswith(b"%PDF")
        counts[message["To"].addresses[0].addr_spec] += 1
    return counts


def test_a_batch_killed_at_ten_moments_ends_with_everyone_emailed_once(
    tmp_path: Path, reliability: Reliability
) -> None:
    """After ten SIGKILLs and one last run: each athlete one email, each roster archived, no debris."""
    reliability.case(
        "fault",
        "SIGKILL at 10 moments of a 50-athlete batch (rendering ×3, after the summary, "
        "delivering ×5, after the last email), then one more run",
        "every athlete emailed exactly once, each coach summary once, every roster archived, "
        "every PDF and email whole, no temporary file left, no message pending",
    )
    work = tmp_path
    quick_templates(work / "templates")
    (work / "cramp-reports.toml").write_text(CONFIG)
    write_workbook(work / "inbox" / "big.xlsx", big_roster(50))
    small = big_roster(5, "Ridgeline")
    small["Team"][3][1] = "ridge-coach@example.org"
    write_workbook(work / "inbox" / "small.xlsx", small)
    rng = random.Random(2026)
    killed = [kill_when(work, done, at, rng.uniform(0, 0.02)) for _, done, at in MOMENTS]
    final = subprocess.run(
        [sys.executable, "-m", "reports", "run"], cwd=work, capture_output=True, text=True
    )
    counts = recipients(work / "outbox")
    coaches = {a: counts.pop(a) for a in ("dana@example.org", "ridge-coach@example.org")}
    archived = sorted(p.name for p in (work / "archive").rglob("*.xlsx"))
    temporary = [p.name for p in work.rglob(".*") if p.is_file()]
    pdfs = list((work / "out").rglob("*.pdf"))
    assert all(len(PdfReader(p).pages) == 1 for p in pdfs)
    with sqlite3.connect(work / "cramp-reports.sqlite") as db:
        pending = db.execute("SELECT count(*) FROM messages WHERE status != 'sent'").fetchone()[0]
        outcomes = Counter(o for (o,) in db.execute("SELECT outcome FROM batches"))
    reliability.observed(
        f"{sum(killed)} of {len(MOMENTS)} passes killed mid-work; last run exit "
        f"{final.returncode}; {len(counts)} athletes emailed {sorted(set(counts.values()))} "
        f"time(s) each; coach summaries {sorted(coaches.values())}; archived {archived}; "
        f"{len(pdfs)} PDFs whole; temporary files left {len(temporary)}; messages not sent "
        f"{pending}; interrupted batches recorded {outcomes['interrupted']}"
    )
    assert sum(killed) == len(MOMENTS), f"killed {killed}"
    assert final.returncode == 0, final.stdout + final.stderr
    assert len(counts) == 55 and set(counts.values()) == {1}
    assert coaches == {"dana@example.org": 1, "ridge-coach@example.org": 1}
    assert archived == ["big.xlsx", "small.xlsx"] and not list((work / "inbox").iterdir())
    assert temporary == [] and pending == 0 and outcomes[None] == 0
    assert len(pdfs) == 50 + 1 + 5 + 1


def test_sheets_rendered_before_a_stop_are_not_rendered_again(tmp_path: Path) -> None:
    """A pass stopped between rendering and delivery leaves sheets the next pass can reuse."""
    quick_templates(tmp_path / "templates")
    (tmp_path / "cramp-reports.toml").write_text(CONFIG)
    settings = load_settings(None, cwd=tmp_path, env={})
    write_workbook(settings.paths.inbox / "big.xlsx", big_roster(5))
    summary = settings.paths.out / BIG / "team-summary.pdf"
    now = datetime.now(UTC)
    stopped = run_pass(settings, now=now, min_age_seconds=0, stop=summary.exists)
    assert stopped.workbooks[0].outcome == "stopped" and stopped.workbooks[0].rendered == 5
    again = run_pass(settings, now=now, min_age_seconds=0)
    assert again.workbooks[0].rendered == 0


def test_sheets_written_before_a_kill_are_not_rendered_again(
    tmp_path: Path, reliability: Reliability
) -> None:
    """SIGKILL a pooled `render` mid-way: the next render renders only the sheets not yet recorded."""
    reliability.case(
        "crash",
        "SIGKILL of `cramp-reports render` (two worker processes) once 12 of 60 sheets are recorded",
        "each sheet's key was recorded as it was written: the next render renders exactly the "
        "sheets not recorded and leaves the recorded PDFs untouched",
    )
    quick_templates(tmp_path / "templates")
    (tmp_path / "cramp-reports.toml").write_text(CONFIG.replace("workers = 1", "workers = 2"))
    write_workbook(tmp_path / "big.xlsx", big_roster(60))
    folder = tmp_path / "out" / BIG
    command = [sys.executable, "-m", "reports", "render", "big.xlsx", "--out", "out"]
    victim = subprocess.Popen(command, cwd=tmp_path, start_new_session=True)
    deadline = time.monotonic() + 90
    while len(read_key_journal(folder)) < 12:
        assert victim.poll() is None and time.monotonic() < deadline, "render ended first"
        time.sleep(0.002)
    os.killpg(victim.pid, signal.SIGKILL)  # the render and its workers, no clean-up at all
    victim.wait(timeout=30)
    stopped_before_manifest = not (folder / "manifest.json").exists()
    recorded = {k for k in read_key_journal(folder) if k.startswith("runner")}
    kept = {p.name: p.stat().st_mtime_ns for p in folder.glob("runner-*.pdf")}
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    rendered = int(again.stdout.split(" sheet(s) rendered")[0].rsplit(" ", 1)[-1])
    untouched = [n for n, t in kept.items() if (folder / n).stat().st_mtime_ns == t]
    reliability.observed(
        f"killed with {len(kept)} sheets on disk, {len(recorded)} recorded; the next render "
        f"rendered {rendered} and left {len(untouched)} PDFs untouched"
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert stopped_before_manifest
    assert 11 <= len(recorded) < 60 and rendered == 60 - len(recorded)
    assert {f"{k.lower().replace(' ', '-')}.pdf" for k in recorded} <= set(untouched)
    assert len(list(folder.glob("runner-*.pdf"))) == 60


WRITERS = {
    "a PDF": "from reports.outputs import write_output\n"
    "write_output(folder / 'maya-chen.pdf', b'%PDF-1.7 ' * SIZE)",
    "a manifest": "from reports.outputs import write_manifest_json\n"
    "write_manifest_json(folder, {'athletes': ['x' * 1000] * (SIZE // 1000)})",
    "an .eml file": "from datetime import datetime, UTC\n"
    "from reports.deliver import Outbox, build_message, message_id\n"
    "Outbox(folder).send(build_message(to_name='Maya', to_addr='maya@example.org', "
    "sender='Coach <c@example.org>', reply_to=None, subject='s', text='t', html=None, "
    "attachment=b'%PDF' * SIZE, attachment_name='m.pdf', msg_id=message_id('m', 's'), "
    "date=datetime.now(UTC)))",
}
WRITER = "import sys\nfrom pathlib import Path\nfolder = Path(sys.argv[1])\nSIZE = 4_000_000\n"


@pytest.mark.parametrize("what", list(WRITERS))
def test_a_write_killed_halfway_leaves_no_file_under_its_final_name(
    tmp_path: Path, what: str, reliability: Reliability
) -> None:
    """SIGKILL while the bytes go out: the final name holds the old file or nothing, never half."""
    reliability.case(
        "fault",
        f"SIGKILL while writing {what} (tens of MB, killed once the temporary file is growing)",
        "the final name keeps its previous complete content (or does not exist); the "
        "temporary file is removed by the next pass",
    )
    final = {"a PDF": "maya-chen.pdf", "a manifest": "manifest.json"}.get(what)
    if final:
        (tmp_path / final).write_bytes(b"the previous complete file")
    writer = subprocess.Popen([sys.executable, "-c", WRITER + WRITERS[what], str(tmp_path)])
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size > 0 for p in tmp_path.glob(".*") if p.is_file()):
        assert writer.poll() is None and time.monotonic() < deadline, "the write never began"
        time.sleep(0.001)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    finals = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    kept = [(tmp_path / n).read_bytes() == b"the previous complete file" for n in finals]
    removed = remove_temporaries(tmp_path)
    reliability.observed(
        f"files under final names: {finals or 'none'}"
        f"{', previous content intact' if all(kept) and finals else ''}; "
        f"temporary files removed by the next pass: {removed}"
    )
    assert finals == ([final] if final else []) and all(kept)
    assert removed == 1 and sorted(p.name for p in tmp_path.iterdir()) == finals


def message_ids(outbox: Path) -> dict[str, str]:
    """Each recipient's Message-ID, from the .eml files in the outbox."""
    ids: dict[str, str] = {}
    for path in outbox.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        address = message["To"].addresses[0].addr_spec
        assert address not in ids, f"{address} has two emails"
        ids[address] = message["Message-ID"]
    return ids


def test_message_ids_carry_the_club_domain_and_are_the_same_after_a_crash(
    tmp_path: Path, reliability: Reliability
) -> None:
    """A pass killed while delivering, then run again, gives every email the Message-ID a clean pass gives."""
    reliability.case(
        "fault",
        'SIGKILL while delivering a 12-athlete batch sent from "Club <coach@club.example>", '
        "then one more run; compared with the same roster run cleanly in another folder",
        "every Message-ID ends @club.example and is the one the clean run gave that "
        "message; the ledger records the same ids",
    )
    config = CONFIG.replace("Dana Brooks <dana@example.org>", "Club <coach@club.example>")
    clean, crashed = tmp_path / "clean", tmp_path / "crashed"
    for work in (clean, crashed):
        quick_templates(work / "templates")
        (work / "cramp-reports.toml").write_text(config)
        write_workbook(work / "inbox" / "big.xlsx", big_roster(12))
    run_pass(load_settings(None, cwd=clean, env={}), now=datetime.now(UTC), min_age_seconds=0)
    killed = kill_when(crashed, emails_done, 4, 0.0)
    after_kill = emails_done(crashed)
    final = subprocess.run(
        [sys.executable, "-m", "reports", "run"], cwd=crashed, capture_output=True, text=True
    )
    expected, rebuilt = message_ids(clean / "outbox"), message_ids(crashed / "outbox")
    with sqlite3.connect(crashed / "cramp-reports.sqlite") as db:
        ledger = {
            email: msg_id for email, msg_id in db.execute("SELECT email, msg_id FROM messages")
        }
    reliability.observed(
        f"killed: {killed} after {after_kill} emails; last run exit {final.returncode}; "
        f"{len(rebuilt)} emails, ids equal to the clean run's: {rebuilt == expected}; "
        f"domains {sorted({i.rpartition('@')[2] for i in rebuilt.values()})}"
    )
    assert killed and 4 <= after_kill < 13 and final.returncode == 0, final.stderr
    assert len(expected) == 13  # twelve athletes and the coach
    assert all(msg_id.endswith("@club.example>") for msg_id in expected.values())
    assert rebuilt == expected == ledger


REVIEW_CONFIG = CONFIG + "review = true\n"
APPROVED = "harbor-harriers-2026-11-22"


def approval_moments(withheld: int) -> list[tuple[str, Callable[[Path], int], int]]:
    """The write and send moments of an approved pass of 40 athletes, `withheld` held back."""
    sent = 40 - withheld

    def manifest_updated(work: Path) -> int:
        return int('"withheld"' in (work / "out" / BIG / "manifest.json").read_text())

    def archived(work: Path) -> int:
        return len(list((work / "archive").glob(f"*/review-{APPROVED}*")))

    return [
        *[(f"sending, after {n} emails", emails_done, 1 + n) for n in (1, 10, 20, 30)],
        ("after the last approved athlete's email", emails_done, 1 + sent),
        ("after the manifest says who was sent and withheld", manifest_updated, 1),
        ("after the coach's email on the approval", emails_done, 2 + sent),
        ("after the folder was archived", archived, 1),
    ]


def reviewed_folder(work: Path) -> None:
    """A working folder whose 40-athlete batch waits in review/, two PDFs deleted, then approved."""
    quick_templates(work / "templates")
    (work / "cramp-reports.toml").write_text(REVIEW_CONFIG)
    write_workbook(work / "inbox" / "big.xlsx", big_roster(40))
    first = subprocess.run([sys.executable, "-m", "reports", "run"], cwd=work, capture_output=True)
    assert first.returncode == 0 and emails_done(work) == 1, first.stderr  # the coach's only
    folder = work / "review" / APPROVED
    for held in ("runner-003.pdf", "runner-017.pdf"):
        (folder / held).unlink()
    os.rename(folder, work / "approved" / APPROVED)
    # A second team's roster keeps each pass busy after the approval, so a late kill lands.
    small = big_roster(5, "Ridgeline")
    small["Team"][3][1] = "ridge-coach@example.org"
    write_workbook(work / "inbox" / "small.xlsx", small)


def after_approval(work: Path) -> str:
    """What one folder holds after its approved pass: problems found, as a list of lines."""
    counts: Counter[str] = Counter()
    for path in (work / "outbox").glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        to = message["To"].addresses[0].addr_spec
        if to.startswith("harborharriers"):
            (pdf,) = message.iter_attachments()
            assert pdf.get_content().startswith(b"%PDF")
        counts[to] += 1
    coaches = {a: counts.pop(a, 0) for a in ("dana@example.org", "ridge-coach@example.org")}
    manifest = json.loads((work / "out" / BIG / "manifest.json").read_text())
    statuses = Counter(a["delivery"]["status"] for a in manifest["athletes"])
    archived = [p.name for p in (work / "archive").glob("*/review-*")]
    with sqlite3.connect(work / "cramp-reports.sqlite") as db:
        pending = db.execute("SELECT count(*) FROM messages WHERE status != 'sent'").fetchone()[0]
        states = dict(db.execute("SELECT folder, state FROM reviews").fetchall())
    held = {"harborharriers003@example.org", "harborharriers017@example.org"}
    problems = [
        f"{len(counts)} athletes emailed" if len(counts) != 38 else "",
        f"emails per athlete {sorted(set(counts.values()))}" if set(counts.values()) != {1} else "",
        "a withheld athlete was emailed" if held & set(counts) else "",
        f"coach emails {coaches}"
        if coaches != {"dana@example.org": 2, "ridge-coach@example.org": 1}
        else "",
        f"manifest {dict(statuses)}" if statuses != Counter({"outbox": 38, "withheld": 2}) else "",
        f"archived {archived}" if archived != [f"review-{APPROVED}"] else "",
        "the folder is still in approved/" if list((work / "approved").iterdir()) else "",
        f"{pending} messages not sent" if pending else "",
        f"review state {states.get(APPROVED)}" if states.get(APPROVED) != "sent" else "",
    ]
    return "; ".join(p for p in problems if p)


def test_an_approved_pass_killed_at_each_moment_sends_every_approved_athlete_once(
    tmp_path: Path, reliability: Reliability
) -> None:
    """SIGKILL at each write and send of an approved folder, then one run: each approved athlete once."""
    reliability.case(
        "fault",
        "review on: a 40-athlete batch approved with 2 PDFs deleted; in a fresh copy each "
        "time, the approved pass is SIGKILLed while sending (×4), after the last athlete's "
        "email, after the manifest, after the coach's email and after the archive, then one "
        "more run",
        "every approved athlete emailed exactly once, the 2 withheld never, the coach's "
        "approval email once, the folder archived once, no message pending",
    )
    reviewed_folder(tmp_path / "reviewed")
    rng = random.Random(16)
    killed, found = [], {}
    for number, (moment, done, at) in enumerate(approval_moments(withheld=2)):
        work = tmp_path / f"moment-{number}"
        shutil.copytree(tmp_path / "reviewed", work, symlinks=True)
        killed.append(kill_when(work, done, at, rng.uniform(0, 0.005)))
        final = subprocess.run(
            [sys.executable, "-m", "reports", "run"], cwd=work, capture_output=True, text=True
        )
        assert final.returncode == 0, final.stdout + final.stderr
        found[moment] = after_approval(work)
    reliability.observed(
        f"{sum(killed)} of {len(killed)} passes killed mid-work; after each, one more run left "
        + (
            "38 approved athletes emailed once each, the 2 withheld never, the coach's approval "
            "email once, the folder archived once, no message pending"
            if not any(found.values())
            else str({m: f for m, f in found.items() if f})
        )
    )
    assert all(killed), f"killed {killed}"
    assert not any(found.values()), found
