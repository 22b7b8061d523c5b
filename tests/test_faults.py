"""Faults: mail servers that fail in every way, a full disk, a damaged or locked ledger.

Each fault is met by a real pass on a real working folder; then the fault is cleared and a
later pass must finish the job, sending every message exactly once. Servers are real
sockets on 127.0.0.1; the one fake is the full disk, as a file whose writes raise ENOSPC.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from pypdf import PdfReader

import reports.files
import reports.pipeline.passes
from reports.cli import main
from reports.config import load_settings
from reports.errors import DeliveryError, LedgerError, OutputError
from reports.ledger import Ledger
from reports.outputs import KEY_JOURNAL
from reports.pipeline import PassResult, run_pass
from reports.settings import Settings

from conftest import (
    LocalController,
    Mailbox,
    Reliability,
    ScriptedSmtp,
    Sheets,
    canonical_sheets,
    free_port,
    quick_templates,
    write_workbook,
)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
EVERYONE = Counter({"maya@example.org": 1, "leo@example.org": 1, "dana@example.org": 1})
PASSWORD = "c0rrect-Horse"

SMTP_CONFIG = """
[inbox]
min_age_seconds = 0
[delivery]
mode = "smtp"
from = "Dana Brooks <dana@example.org>"
[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
username = "{username}"
timeout_seconds = 0.5
retries = 1
retry_backoff_seconds = 0.05
rate_per_minute = 1000
"""


def folder_with(tmp_path: Path, config: str, env: dict[str, str] | None = None) -> Settings:
    """A working folder with this config, quick sheet templates and the canonical roster."""
    quick_templates(tmp_path / "templates")
    (tmp_path / "cramp-reports.toml").write_text(config + '[render]\ntemplates = "templates"\n')
    settings = load_settings(None, cwd=tmp_path, env=env or {})
    drop(settings)
    return settings


def drop(settings: Settings, sheets: Sheets | None = None, name: str = "harbor.xlsx") -> Path:
    """Put a workbook in the inbox as if copied there a minute ago."""
    path = write_workbook(settings.paths.inbox / name, sheets or canonical_sheets())
    os.utime(path, (NOW.timestamp() - 60, NOW.timestamp() - 60))
    return path


def on_port(settings: Settings, port: int, **smtp: Any) -> Settings:
    """The same settings, mailing to another port (the fault cleared)."""
    return dataclasses.replace(settings, smtp=dataclasses.replace(settings.smtp, port=port, **smtp))


def pending(settings: Settings) -> int:
    """Messages the ledger still has to send."""
    with Ledger(settings.paths.ledger) as ledger:
        return len(ledger.pending_messages())


def batches(settings: Settings) -> list[str]:
    """Every batch outcome, oldest first."""
    with Ledger(settings.paths.ledger) as ledger:
        return [b.outcome or "unfinished" for b in reversed(ledger.recent_batches(100))]


def archived(settings: Settings) -> list[str]:
    """Names of the archived rosters."""
    return sorted(p.name for p in settings.paths.archive.rglob("*.xlsx"))


def outbox_recipients(settings: Settings) -> Counter[str]:
    """How many .eml files each address has in the outbox."""
    counts: Counter[str] = Counter()
    for path in settings.paths.outbox.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        counts[message["To"].addresses[0].addr_spec] += 1
    return counts


def leftovers(settings: Settings) -> list[str]:
    """Temporary files anywhere in the working folder's outputs.

    The key journal is not one: it records whole sheets so a stopped batch keeps them.
    """
    return [
        p.name
        for folder in (settings.paths.out, settings.paths.outbox)
        for p in folder.rglob(".*")
        if p.name != KEY_JOURNAL
    ]


def statuses(result: PassResult) -> str:
    """`2 failed, 1 skipped` for the one workbook of a pass."""
    (workbook,) = result.workbooks
    return ", ".join(f"{n} {s}" for s, n in sorted(workbook.counts.items()))


# --- the mail server fails -----------------------------------------------------------------

SERVER_FAULTS = [
    ("unreachable", "the SMTP server is unreachable (connection refused)"),
    ("hang-after-data", "the SMTP server times out mid-DATA (message sent, no reply)"),
    ("close-after-rcpt", "the SMTP server closes the connection after RCPT"),
    ("421-after-data", "the SMTP server answers the message with 421 and hangs up"),
    ("421-greeting", "the SMTP server answers 421 as soon as it is reached"),
]


@pytest.mark.parametrize(("fault", "what"), SERVER_FAULTS, ids=[f for f, _ in SERVER_FAULTS])
def test_a_failing_mail_server_queues_everything_and_a_later_pass_sends_each_once(
    fault: str,
    what: str,
    tmp_path: Path,
    scripted_smtp: Callable[[str], ScriptedSmtp],
    smtp_server: Callable[..., LocalController],
    reliability: Reliability,
) -> None:
    """The pass ends with every message pending and the roster archived; the next one sends them."""
    reliability.case(
        "fault",
        what,
        "the pass finishes with every message pending in the ledger and exit 1; once the server "
        "works, the next pass sends each message exactly once",
    )
    port = free_port() if fault == "unreachable" else scripted_smtp(fault).port
    settings = folder_with(tmp_path, SMTP_CONFIG.format(port=port, username=""))
    first = run_pass(settings, now=NOW)
    queued = pending(settings)
    box = Mailbox()
    fixed = on_port(settings, smtp_server(box).port)
    second = run_pass(fixed, now=LATER)
    third = run_pass(fixed, now=LATER + timedelta(hours=1))
    reliability.observed(
        f"first pass: {statuses(first)}, {queued} pending, roster "
        f"{'archived' if archived(settings) else 'kept'}; next pass resent {second.resent}; "
        f"received {dict(sorted(box.recipients().items()))}; a third pass resent {third.resent}"
    )
    assert first.failed and queued == 3 and archived(settings) == ["harbor.xlsx"]
    assert box.recipients() == EVERYONE and second.resent == 3 and third.resent == 0


def test_a_resend_after_a_timeout_carries_the_identical_message(
    tmp_path: Path,
    scripted_smtp: Callable[[str], ScriptedSmtp],
    smtp_server: Callable[..., LocalController],
    reliability: Reliability,
) -> None:
    """A message whose DATA timed out is sent again byte for byte, under the same Message-ID."""
    reliability.case(
        "fault",
        "a message resent after its DATA timed out",
        "the same bytes and Message-ID, so a server that did keep the first copy can drop it",
    )
    stub = scripted_smtp("hang-after-data")
    settings = folder_with(tmp_path, SMTP_CONFIG.format(port=stub.port, username=""))
    run_pass(settings, now=NOW)
    with Ledger(settings.paths.ledger) as ledger:
        first_bytes = {m.msg_id: m.raw for m in ledger.pending_messages()}
    box = Mailbox()
    run_pass(on_port(settings, smtp_server(box).port), now=LATER)
    arrived = {
        str(message_from_bytes(a.content, policy=policy.default)["Message-ID"]): a.content
        for a in box.arrived
    }
    same = sum(arrived.get(msg_id) == raw for msg_id, raw in first_bytes.items())
    reliability.observed(f"{same} of {len(first_bytes)} resent messages identical to the first try")
    assert same == len(first_bytes) == 3


def test_a_refused_address_fails_only_that_athlete_and_is_not_retried(
    tmp_path: Path, smtp_server: Callable[..., LocalController], reliability: Reliability
) -> None:
    """A 550 for one recipient is final for that message; the rest of the batch is sent."""
    reliability.case(
        "fault",
        "the SMTP server refuses one address for good (550)",
        "that athlete's message is recorded failed, everyone else is sent; no retry next pass",
    )
    box = Mailbox(refuse=("leo@example.org",))
    settings = folder_with(tmp_path, SMTP_CONFIG.format(port=smtp_server(box).port, username=""))
    first = run_pass(settings, now=NOW)
    drop(settings)
    again = run_pass(settings, now=LATER)
    reliability.observed(
        f"first pass: {statuses(first)}; received {dict(sorted(box.recipients().items()))}; "
        f"re-dropped: {statuses(again)}, nothing resent"
    )
    assert box.recipients() == Counter({"maya@example.org": 1, "dana@example.org": 1})
    assert first.workbooks[0].counts == {"sent": 1, "failed": 1, "skipped": 1}
    assert again.workbooks[0].counts == {"unchanged": 1, "failed": 1, "skipped": 1}


def accept_only(password: str) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator that accepts the coach with this password."""

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return check


def test_a_refused_login_stops_the_pass_clearly_and_loses_nothing(
    tmp_path: Path, smtp_server: Callable[..., LocalController], reliability: Reliability
) -> None:
    """Wrong credentials stop the pass with what to fix; with the right ones all is sent once."""
    reliability.case(
        "fault",
        "the SMTP server refuses the login",
        "the pass stops with an error naming the account and the variable to fix; the roster "
        "stays in the inbox; with the right password the next pass sends each message once",
    )
    box = Mailbox()
    server = smtp_server(
        box, authenticator=accept_only(PASSWORD), auth_required=True, auth_require_tls=False
    )
    config = SMTP_CONFIG.format(port=server.port, username="coach")
    settings = folder_with(tmp_path, config, env={"CRAMP_REPORTS_SMTP_PASSWORD": "wrong"})
    with pytest.raises(DeliveryError) as stopped:
        run_pass(settings, now=NOW)
    kept = (settings.paths.inbox / "harbor.xlsx").exists()
    fixed = on_port(settings, server.port, password=PASSWORD)
    result = run_pass(fixed, now=LATER)
    reliability.observed(
        f"stopped: {str(stopped.value).split(' (')[0]}…; roster kept in the inbox: {kept}; "
        f"next pass: resent {result.resent}, {statuses(result)}; "
        f"received {dict(sorted(box.recipients().items()))}"
    )
    assert "refused the login for 'coach'" in str(stopped.value) and kept
    assert "CRAMP_REPORTS_SMTP_PASSWORD" in str(stopped.value)
    assert box.recipients() == EVERYONE and archived(settings) == ["harbor.xlsx"]


# --- the disk fills up ---------------------------------------------------------------------


class FullDisk:
    """`os` as one module sees it, where writes to files whose name holds `pattern` fail.

    The first `room` such files are written normally; after that every write to one puts
    nothing on disk and raises OSError(ENOSPC), as a full disk does.
    """

    def __init__(self, pattern: str, room: int = 0) -> None:
        self.pattern = pattern
        self.room = room
        self.refused: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def fdopen(self, fd: int, *args: Any, **kwargs: Any) -> Any:
        """The real file, or one that cannot grow if its name matches and the room is used up."""
        name = os.readlink(f"/proc/self/fd/{fd}")
        file = os.fdopen(fd, *args, **kwargs)
        if self.pattern not in Path(name).name:
            return file
        if self.room > 0:
            self.room -= 1
            return file
        self.refused.append(Path(name).name)
        return _NoSpace(file)


class _NoSpace:
    """A file on a full disk: every write raises ENOSPC."""

    def __init__(self, file: Any) -> None:
        self.file = file

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)

    def __enter__(self) -> _NoSpace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def outbox_folder(tmp_path: Path) -> Settings:
    """A working folder delivering to the outbox, with the canonical roster in its inbox."""
    return folder_with(tmp_path, "[inbox]\nmin_age_seconds = 0\n")


def complete_pdfs(settings: Settings) -> list[str]:
    """Every PDF under out/, each opened to prove it is whole."""
    names = []
    for path in settings.paths.out.rglob("*.pdf"):
        assert len(PdfReader(path).pages) >= 1
        names.append(path.name)
    return sorted(names)


DISK_FAULTS = [
    ("a PDF", reports.files, ".pdf.", 1, 4),
    ("an .eml file", reports.files, ".eml.", 1, 4),
    ("the manifest", reports.files, "manifest.json", 0, 4),
]


@pytest.mark.parametrize(
    ("what", "module", "pattern", "room", "pdfs"), DISK_FAULTS, ids=["pdf", "eml", "manifest"]
)
def test_a_full_disk_stops_the_batch_cleanly_and_a_later_pass_completes_it(
    what: str,
    module: Any,
    pattern: str,
    room: int,
    pdfs: int,
    outbox_folder: Settings,
    monkeypatch: pytest.MonkeyPatch,
    reliability: Reliability,
) -> None:
    """ENOSPC mid-batch: a clear error, no half file under a final name, the roster kept."""
    reliability.case(
        "fault",
        f"the disk is full while writing {what}",
        "the pass stops with an error saying the disk is full; no truncated file under a "
        "final name; the roster stays in the inbox with the batch recorded; a later pass "
        "completes it, sending each message once",
    )
    settings = outbox_folder
    disk = FullDisk(pattern, room)
    monkeypatch.setattr(module, "os", disk)
    with pytest.raises((OutputError, DeliveryError)) as stopped:
        run_pass(settings, now=NOW)
    monkeypatch.undo()
    kept = (settings.paths.inbox / "harbor.xlsx").exists()
    whole = complete_pdfs(settings)
    left = leftovers(settings)
    recorded = batches(settings)
    result = run_pass(settings, now=LATER)
    sent = outbox_recipients(settings)
    reliability.observed(
        f"stopped: …{str(stopped.value).split(': ', 1)[-1].split(' — ')[0]}; roster kept: {kept}; "
        f"whole PDFs {len(whole)}, temporary files left {len(left)}; batch recorded as "
        f"{recorded[0].split(':')[0]!r}; next pass: {statuses(result)}, each address "
        f"{'once' if sent == EVERYONE else dict(sent)}"
    )
    assert disk.refused and "No space left on device" in str(stopped.value)
    assert kept and left == [] and recorded[0].startswith("error: ")
    assert sent == EVERYONE and archived(settings) == ["harbor.xlsx"]
    assert len(complete_pdfs(settings)) == pdfs


def test_a_workbook_removed_mid_pass_is_skipped_quietly(
    outbox_folder: Settings, reliability: Reliability
) -> None:
    """A file listed by the scan but gone when its turn comes is skipped; the pass goes on."""
    reliability.case(
        "fault",
        "a workbook deleted from the inbox after the scan listed it",
        "skipped without an error; the other workbooks of the pass are processed",
    )
    settings = outbox_folder
    second = drop(settings, name="second.xlsx")

    def remove_second(done: int, total: int) -> None:
        second.unlink(missing_ok=True)

    result = run_pass(settings, now=NOW, progress=remove_second)
    reliability.observed(
        f"workbooks reported: {[w.file for w in result.workbooks]}; archived: {archived(settings)}"
    )
    assert [w.file for w in result.workbooks] == ["harbor.xlsx"]
    assert archived(settings) == ["harbor.xlsx"] and not result.failed


# --- the ledger is damaged or locked -------------------------------------------------------


def garbage(path: Path) -> None:
    """Bytes that are no database at all."""
    path.write_bytes(b"this is not a database, just some bytes" * 100)


def other_database(path: Path) -> None:
    """A SQLite database of some other program."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")


def damaged_pages(path: Path) -> None:
    """A real ledger with one of its pages overwritten."""
    with Ledger(path) as ledger:
        for i in range(40):
            ledger.start_batch(file=f"roster-{i}.xlsx" * 10, sha256="0" * 64, now=NOW)
    data = bytearray(path.read_bytes())
    data[4096 + 8 : 4096 + 200] = b"\xff" * 192
    path.write_bytes(bytes(data))


LEDGER_FAULTS = [
    ("garbage", "the ledger file is garbage (not a database)", garbage, "is damaged"),
    ("other", "the ledger is another program's SQLite database", other_database,
     "not a cramp-reports ledger"),
    ("pages", "the ledger has a damaged page", damaged_pages, "is damaged"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "spoil", "says"), [f[1:] for f in LEDGER_FAULTS], ids=[f[0] for f in LEDGER_FAULTS]
)
def test_a_damaged_ledger_stops_with_a_clear_error_and_sends_nothing(
    what: str,
    spoil: Callable[[Path], None],
    says: str,
    outbox_folder: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    reliability: Reliability,
) -> None:
    """`run` exits 1 naming the file and the fix; no message is (re)sent, no roster moved."""
    reliability.case(
        "fault",
        what,
        "`run` exits 1 with a message naming the ledger and how to fix it; nothing is sent "
        "or moved (never a silent re-send of everything)",
    )
    settings = outbox_folder
    spoil(settings.paths.ledger)
    monkeypatch.chdir(settings.paths.root)
    code = main(["run"])
    err = capsys.readouterr().err
    sent = len(list(settings.paths.outbox.iterdir()))
    kept = (settings.paths.inbox / "harbor.xlsx").exists()
    said = re.sub(r"/\S+/", "", err.strip().splitlines()[-1]).split(" — ")[0]
    reliability.observed(
        f"exit {code}: {said.split(': move it aside')[0]}; messages written: {sent}; "
        f"roster kept in the inbox: {kept}"
    )
    assert code == 1 and says in err and str(settings.paths.ledger) in err
    assert "Traceback" not in err and sent == 0 and kept


HOLD_LEDGER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA locking_mode = EXCLUSIVE")
db.execute("BEGIN EXCLUSIVE")
db.execute("CREATE TABLE IF NOT EXISTS held (x)")
print("held", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def ledger_holder(outbox_folder: Settings) -> Iterator[subprocess.Popen[str]]:
    """Another program holding the ledger with an exclusive lock until its stdin closes."""
    with Ledger(outbox_folder.paths.ledger):
        pass  # a real, empty ledger
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LEDGER, str(outbox_folder.paths.ledger)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline() == "held\n"
        yield proc
        if proc.poll() is None:
            proc.kill()


def test_a_locked_ledger_stops_the_pass_with_a_clear_error(
    outbox_folder: Settings,
    ledger_holder: subprocess.Popen[str],
    monkeypatch: pytest.MonkeyPatch,
    reliability: Reliability,
) -> None:
    """A ledger another program keeps locked: a LedgerError saying so; the pass waits no longer."""
    reliability.case(
        "fault",
        "the ledger is locked by another program",
        "after a bounded wait the pass stops with an error saying the ledger is locked; "
        "nothing is sent or moved; once released, the next pass sends each message once",
    )
    settings = outbox_folder
    monkeypatch.setattr(reports.pipeline.passes, "LEDGER_WAIT_SECONDS", 0.3)
    with pytest.raises(LedgerError) as stopped:
        run_pass(settings, now=NOW)
    sent = len(list(settings.paths.outbox.iterdir()))
    assert ledger_holder.stdin is not None
    ledger_holder.stdin.close()
    ledger_holder.wait(timeout=10)
    result = run_pass(settings, now=LATER)
    reliability.observed(
        f"stopped: {str(stopped.value).split(' — ')[0].replace(str(settings.paths.root), '…')}; "
        f"messages written meanwhile: {sent}; after release: {statuses(result)}"
    )
    assert "is locked by another process" in str(stopped.value) and sent == 0
    assert outbox_recipients(settings) == EVERYONE


def test_a_crash_between_the_last_athlete_and_the_coach_summary_still_sends_the_summary(
    tmp_path: Path, reliability: Reliability
) -> None:
    """When every athlete was emailed but the summary was not, the next pass sends it once."""
    reliability.case(
        "fault",
        "a pass that stopped after the last athlete's email, before the coach's summary",
        "the next pass finds every athlete unchanged and still sends the summary, once",
    )
    settings = folder_with(tmp_path, "[inbox]\nmin_age_seconds = 0\n")
    without_summary = dataclasses.replace(
        settings, delivery=dataclasses.replace(settings.delivery, coach_summary=False)
    )
    run_pass(without_summary, now=NOW)  # the ledger as such a crash leaves it
    drop(settings)
    again = run_pass(settings, now=LATER)
    drop(settings)
    third = run_pass(settings, now=LATER + timedelta(hours=1))
    reliability.observed(
        f"next pass: athletes {statuses(again)}; emails now {dict(sorted(outbox_recipients(settings).items()))}; "
        f"a third pass: {statuses(third)}, no new email"
    )
    assert outbox_recipients(settings) == EVERYONE
    assert again.workbooks[0].counts == {"unchanged": 2, "skipped": 1}
