"""Passes that send through a real SMTP server on 127.0.0.1, and survive it being down."""

from __future__ import annotations

import dataclasses
import email
import json
import os
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from reports.config import load_settings
from reports.pipeline import read_status, run_pass
from reports.settings import Settings, SmtpSettings

from conftest import canonical_sheets, write_workbook

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


class Collector:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port() -> int:
    """The port the test's mail server uses (or would use)."""
    return free_port()


@pytest.fixture
def settings(tmp_path: Path, port: int) -> Settings:
    """SMTP delivery to 127.0.0.1:port, plain (a local relay), quick retries."""
    base = load_settings(None, cwd=tmp_path, env={})
    smtp = SmtpSettings(
        host="127.0.0.1",
        port=port,
        security="none",
        retries=1,
        retry_backoff_seconds=0.01,
        timeout_seconds=5,
    )
    delivery = dataclasses.replace(base.delivery, mode="smtp", sender="Dana <dana@example.org>")
    return dataclasses.replace(base, smtp=smtp, delivery=delivery)


@pytest.fixture
def mail_server(port: int) -> Iterator[Collector]:
    """A real aiosmtpd server on 127.0.0.1:port."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector
    controller.stop()


def drop(settings: Settings) -> Path:
    """A canonical roster in the inbox, old enough to be taken."""
    path = write_workbook(settings.paths.inbox / "harbor.xlsx", canonical_sheets())
    os.utime(path, (NOW.timestamp() - 60, NOW.timestamp() - 60))
    return path


def test_a_pass_sends_each_athlete_their_sheet_over_smtp(
    settings: Settings, mail_server: Collector
) -> None:
    """Right recipient, subject, text and HTML bodies, and the PDF byte for byte."""
    drop(settings)
    result = run_pass(settings, now=NOW)
    assert not result.failed
    folder = settings.paths.out / "harbor-harriers" / "2026-11-22"
    by_recipient = {rcpt[0]: msg for rcpt, msg in mail_server.messages}
    assert set(by_recipient) == {"maya@example.org", "leo@example.org", "dana@example.org"}
    maya = by_recipient["maya@example.org"]
    assert str(maya["Subject"]) == "Your cramp-prevention sheet — Harbor Harriers — 2026-11-22"
    assert str(maya["From"]) == "Dana <dana@example.org>"
    assert maya.get_body(("plain",)) is not None and maya.get_body(("html",)) is not None
    (attachment,) = list(maya.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == (folder / "maya-chen.pdf").read_bytes()
    statuses = {a["name"]: a["delivery"]["status"] for a in _manifest(folder)["athletes"]}
    assert statuses == {"Maya Chen": "sent", "Leo Park": "sent", "Sam Ortiz": "skipped"}


def test_with_the_server_down_messages_wait_and_a_later_pass_sends_each_once(
    settings: Settings, port: int
) -> None:
    """An outage leaves messages pending (and visible in status); the next pass delivers each once."""
    drop(settings)
    first = run_pass(settings, now=NOW)
    assert first.failed
    assert any((settings.paths.archive).rglob("harbor.xlsx")), (
        "the workbook is filed, its mail is queued"
    )
    pending = read_status(settings).problems
    assert sorted(m.email for m in pending) == [
        "dana@example.org",
        "leo@example.org",
        "maya@example.org",
    ]
    assert {m.status for m in pending} == {"pending"}
    (manifest_file,) = settings.paths.out.rglob("manifest.json")
    before = {
        a["email"]: a["delivery"]["status"] for a in _manifest(manifest_file.parent)["athletes"]
    }
    assert before["maya@example.org"] != "sent"

    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        second = run_pass(settings, now=NOW + timedelta(minutes=15))
        third = run_pass(settings, now=NOW + timedelta(minutes=30))
    finally:
        controller.stop()
    assert second.resent == 3 and third.resent == 0
    counts = Counter(rcpt[0] for rcpt, _ in collector.messages)
    assert counts == {"maya@example.org": 1, "leo@example.org": 1, "dana@example.org": 1}
    assert read_status(settings).problems == []
    after = {a["email"]: a["delivery"] for a in _manifest(manifest_file.parent)["athletes"]}
    assert after["maya@example.org"]["status"] == "sent"
    assert after["leo@example.org"]["status"] == "sent", "the manifest says what became of them"


def _manifest(folder: Path) -> dict[str, Any]:
    """The manifest in `folder`."""
    return json.loads((folder / "manifest.json").read_text())  # type: ignore[no-any-return]


def test_a_message_queued_by_an_outage_goes_once_after_the_sender_domain_changes(
    settings: Settings, port: int
) -> None:
    """Queued under one `from`, re-dropped under another: each goes once, with its first Message-ID."""
    drop(settings)
    run_pass(settings, now=NOW)
    queued = {m.email: m.msg_id for m in read_status(settings).problems}
    club = dataclasses.replace(settings.delivery, sender="Club <coach@club.example>")
    settings = dataclasses.replace(settings, delivery=club)
    drop(settings)
    run_pass(settings, now=NOW + timedelta(minutes=15))  # the server is still down
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        run_pass(settings, now=NOW + timedelta(minutes=30))
    finally:
        controller.stop()
    sent = Counter(rcpt[0] for rcpt, _ in collector.messages)
    ids = {rcpt[0]: str(msg["Message-ID"]) for rcpt, msg in collector.messages}
    assert sent == dict.fromkeys(queued, 1) and ids == queued
    assert all(msg_id.endswith("@example.org>") for msg_id in ids.values())
