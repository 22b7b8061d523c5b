"""A rejected workbook's errors reach a person: its coach and the club's admin, once."""

from __future__ import annotations

import copy
import dataclasses
import email
import os
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from reports.config import load_settings
from reports.pipeline import run_pass
from reports.settings import Settings

from conftest import Mailbox, Sheets, canonical_sheets, write_workbook

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Outbox delivery with a club admin who gets every rejection."""
    base = load_settings(None, cwd=tmp_path, env={})
    return dataclasses.replace(
        base, delivery=dataclasses.replace(base.delivery, admin="Club <club@example.org>")
    )


def broken_roster(distance: object = "twelve") -> Sheets:
    """A roster whose Mileage sheet has no Week column: an error naming the sheet."""
    sheets = copy.deepcopy(canonical_sheets())
    sheets["Mileage"] = [["Name", "Miles"], ["Maya Chen", distance]]
    return sheets


def drop(settings: Settings, sheets: Sheets, name: str = "harbor.xlsx") -> None:
    """Put a workbook in the inbox as if copied there a minute ago."""
    path = write_workbook(settings.paths.inbox / name, sheets)
    os.utime(path, (NOW.timestamp() - 60, NOW.timestamp() - 60))


def outbox(settings: Settings) -> list[EmailMessage]:
    """Every .eml in the outbox, parsed."""
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for p in sorted(settings.paths.outbox.glob("*.eml"))
    ]


def body(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_rejected_workbook_errors_go_to_coach_and_admin_naming_file_and_cells(
    settings: Settings,
) -> None:
    """Both the workbook's Coach email and [delivery] admin get the errors.txt lines."""
    drop(settings, broken_roster())
    result = run_pass(settings, now=NOW)
    assert [w.outcome for w in result.workbooks] == ["rejected"]
    report = (settings.paths.rejected / "harbor.xlsx.errors.txt").read_text().splitlines()
    messages = outbox(settings)
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == [
        "club@example.org",
        "dana@example.org",
    ]
    for message in messages:
        assert "harbor.xlsx" in str(message["Subject"])
        text = body(message)
        assert "Mileage" in text
        for line in report:
            assert line in text


def test_the_same_rejected_file_dropped_again_is_not_emailed_again(settings: Settings) -> None:
    """Once per file content: the same bytes again are rejected silently; new bytes are emailed."""
    drop(settings, broken_roster())
    run_pass(settings, now=NOW)
    first = len(outbox(settings))
    (settings.paths.rejected / "harbor.xlsx").replace(settings.paths.inbox / "harbor.xlsx")
    run_pass(settings, now=NOW)
    assert len(outbox(settings)) == first == 2
    drop(settings, broken_roster(distance=15), name="harbor-fixed.xlsx")
    run_pass(settings, now=NOW)
    assert len(outbox(settings)) == 4


def test_a_rejected_workbook_reaches_admin_by_smtp_once(
    settings: Settings, smtp_server: Any
) -> None:
    """Through the configured SMTP server, the admin gets exactly one message for the file."""
    mailbox = Mailbox()
    controller = smtp_server(mailbox)
    smtp = dataclasses.replace(
        settings.smtp, host="127.0.0.1", port=controller.port, security="none"
    )
    settings = dataclasses.replace(
        settings, smtp=smtp, delivery=dataclasses.replace(settings.delivery, mode="smtp")
    )
    sheets = broken_roster()
    sheets["Team"] = [row for row in sheets["Team"] if row[0] != "Coach email"]
    drop(settings, sheets)
    run_pass(settings, now=NOW)
    (settings.paths.rejected / "harbor.xlsx").replace(settings.paths.inbox / "harbor.xlsx")
    run_pass(settings, now=NOW)
    assert mailbox.recipients() == {"club@example.org": 1}
    assert b"harbor.xlsx" in mailbox.arrived[0].content


def test_a_coachs_rejected_subject_template_rewords_the_rejection_subject(
    tmp_path: Path,
) -> None:
    """`email/rejected-subject.txt` in `[render] templates` sets the rejection's subject."""
    folder = tmp_path / "templates" / "email"
    folder.mkdir(parents=True)
    (folder / "rejected-subject.txt").write_text("Please fix {{ file }}\n")
    (tmp_path / "cramp-reports.toml").write_text('[render]\ntemplates = "templates"\n')
    settings = load_settings(None, cwd=tmp_path, env={})
    drop(settings, broken_roster())
    run_pass(settings, now=NOW)
    assert [str(m["Subject"]) for m in outbox(settings)] == ["Please fix harbor.xlsx"]


def test_a_rejection_carries_the_club_domain_in_its_message_id(settings: Settings) -> None:
    """The rejection's Message-ID ends in the domain of `[delivery] from`, like every email."""
    club = dataclasses.replace(
        settings, delivery=dataclasses.replace(settings.delivery, sender="Club <c@club.example>")
    )
    drop(club, broken_roster())
    run_pass(club, now=NOW)
    ids = [str(m["Message-ID"]) for m in outbox(club)]
    assert ids and all(i.endswith("@club.example>") for i in ids)
