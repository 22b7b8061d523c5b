"""The SMTP password never shows: not in output, logs, tracebacks, the ledger, manifests or mail.

A real working folder goes through a good login, two servers that quote the credentials
back in their refusal (AUTH PLAIN and AUTH LOGIN), a server that is down, `status`, and a
`serve` whose pass fails; then every byte printed or written is searched for the password
in every form it travels in.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from reports.config import load_settings

from conftest import (
    LocalController,
    Mailbox,
    Reliability,
    ScriptedSmtp,
    canonical_sheets,
    free_port,
    quick_templates,
    write_workbook,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

PASSWORD = "Tr4ck-s3cret!"
WRONG = "0ld-Pa55word"
USER = "coach"
CONFIG = """
[inbox]
min_age_seconds = 0
[schedule]
every = "1 second"
[delivery]
mode = "smtp"
from = "Dana Brooks <dana@example.org>"
[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
username = "coach"
timeout_seconds = 1
retries = 0
[render]
templates = "templates"
"""


def forms(password: str) -> list[bytes]:
    """The password as typed and base64-encoded as AUTH PLAIN and AUTH LOGIN send it."""
    blobs = [password, f"\0{USER}\0{password}", f"{USER}\0{password}"]
    return [password.encode()] + [base64.b64encode(b.encode()) for b in blobs]


def accept(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    """Accept only the coach with the right password."""
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


class Folder:
    """A working folder and every command's output so far."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.outputs: list[str] = []
        quick_templates(root / "templates")

    def configure(self, port: int) -> None:
        """Point the config at the mail server on `port`."""
        (self.root / "cramp-reports.toml").write_text(CONFIG.format(port=port))

    def drop(self, miles: int) -> None:
        """A roster whose first mileage cell is `miles` (a new value means new sheets)."""
        sheets = canonical_sheets()
        sheets["Mileage"][1][2] = miles
        write_workbook(self.root / "inbox" / f"roster-{miles}.xlsx", sheets)

    def env(self, password: str) -> dict[str, str]:
        """The environment with the password exported."""
        return {**os.environ, "CRAMP_REPORTS_SMTP_PASSWORD": password}

    def run(self, password: str, *args: str) -> int:
        """`cramp-reports -v ARGS` with the password exported; output kept."""
        done = subprocess.run(
            [sys.executable, "-m", "reports", "-v", *args],
            cwd=self.root,
            env=self.env(password),
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.outputs.append(done.stdout + done.stderr)
        return done.returncode

    def serve_until_a_pass_fails(self, password: str) -> None:
        """`serve -v` until a pass has failed, then SIGTERM; output kept."""
        server = subprocess.Popen(
            [sys.executable, "-m", "reports", "-v", "serve"],
            cwd=self.root,
            env=self.env(password),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert server.stdout is not None
        stdout = server.stdout
        seen: list[str] = []
        # Read on a thread: a blocking readline on a silent server would outlast any deadline.
        reader = threading.Thread(target=lambda: seen.extend(iter(stdout.readline, "")))
        reader.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("the pass failed" in s for s in seen):
            time.sleep(0.1)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        finally:
            server.kill()  # a no-op once it has exited; never leave it behind
            reader.join()
        assert server.returncode == 0, "".join(seen)
        self.outputs.append("".join(seen))

    def written(self) -> dict[str, bytes]:
        """Every file in the working folder (ledger, manifests, archive, reports…)."""
        return {
            str(p.relative_to(self.root)): p.read_bytes()
            for p in self.root.rglob("*")
            if p.is_file()
        }


def test_the_smtp_password_appears_nowhere(
    tmp_path: Path,
    smtp_server: Callable[..., LocalController],
    scripted_smtp: Callable[[str], ScriptedSmtp],
    reliability: Reliability,
) -> None:
    """Every output, log, traceback and file is searched for the password in all its forms."""
    reliability.case(
        "security",
        "the SMTP password through a good login, servers quoting the credentials back "
        "(PLAIN and LOGIN), a server down, `status`, and a `serve` whose pass fails",
        "the password (plain or base64) is in no output, log line, traceback, error, "
        "ledger, manifest or message",
    )
    folder = Folder(tmp_path)
    box = Mailbox()
    folder.configure(smtp_server(box, authenticator=accept, auth_require_tls=False).port)
    folder.drop(20)
    codes = [folder.run(PASSWORD, "run")]
    folder.drop(21)
    for behaviour in ("echo-plain", "echo-login"):
        folder.configure(scripted_smtp(behaviour).port)
        codes += [folder.run(PASSWORD, "run"), folder.run(WRONG, "run")]
    folder.configure(free_port())
    codes += [folder.run(PASSWORD, "run"), folder.run(PASSWORD, "status")]
    folder.configure(scripted_smtp("echo-plain").port)
    folder.drop(22)
    folder.serve_until_a_pass_fails(PASSWORD)
    settings = load_settings(None, cwd=tmp_path, env=folder.env(PASSWORD))
    texts = [*(o.encode() for o in folder.outputs), repr(settings).encode()]
    texts += [a.content for a in box.arrived]
    files = folder.written()
    secrets = forms(PASSWORD) + forms(WRONG)
    found = [name for name, data in files.items() if any(s in data for s in secrets)]
    found += [f"output {i}" for i, t in enumerate(texts) if any(s in t for s in secrets)]
    refusals = sum("refused the login for 'coach'" in o for o in folder.outputs)
    reliability.observed(
        f"{len(folder.outputs)} command outputs (exit codes {codes} and a serve), "
        f"{len(files)} files incl. the ledger, and {len(box.arrived)} delivered messages "
        f"searched for {len(secrets)} forms of 2 passwords: found in {len(found)}; "
        f"{refusals} outputs name the refused login without its password"
    )
    assert codes == [0, 1, 1, 1, 1, 1, 0] and len(box.arrived) == 3
    assert "the pass failed" in folder.outputs[-1] and "Traceback" in folder.outputs[-1]
    assert refusals >= 5 and found == []
