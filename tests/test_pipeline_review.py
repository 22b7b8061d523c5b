"""The coach's review: with `[delivery] review = true` no athlete gets a sheet until the coach approves."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from reports.cli import main
from reports.config import load_settings
from reports.pipeline import read_status, run_pass
from reports.settings import Settings

from conftest import FIRST_WEEK, LocalController, Mailbox, canonical_sheets, write_workbook

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
COACH = "dana@example.org"
WEEK_1, WEEK_2 = "harbor-harriers-2026-11-22", "harbor-harriers-2026-11-29"


def roster(weeks: int = 8) -> dict[str, list[list[Any]]]:
    """The canonical team with Maya a minor (15) and her parent, Leo's swollen calf (see a
    doctor), Rosa, and Kai opted out."""
    sheets = canonical_sheets()
    header, maya, leo, sam = sheets["Athletes"]
    blank = [None] * (len(header) - 2)
    sheets["Athletes"] = [
        [*header, "Parent email", "Send sheet", "Age"],
        [*maya, "Lin Chen <lin@example.org>", None, 15],
        [*leo, None, None, None],
        [*sam, None, None, None],
        ["Rosa Diaz", "rosa@example.org", *blank, None, None, None],
        ["Kai Lee", "kai@example.org", *blank, None, "N", None],
    ]
    for name in ("Rosa Diaz", "Kai Lee"):
        for week in range(8):
            sheets["Mileage"].append([name, FIRST_WEEK + timedelta(weeks=week), 18, 6])
    for name in ("Maya Chen", "Leo Park", "Sam Ortiz", "Rosa Diaz", "Kai Lee"):
        for week in range(8, weeks):
            sheets["Mileage"].append([name, FIRST_WEEK + timedelta(weeks=week), 20, 7])
    cramp: list[Any] = [None] * 16
    cramp[:4] = ["Leo Park", date(2026, 11, 20), "during", "calf"]
    cramp[13:15] = [15, "swelling"]
    sheets["Cramps"].append(cramp)
    return sheets


def first_named(text: str) -> str:
    """The athlete an email names first."""
    names = ("Maya Chen", "Leo Park", "Sam Ortiz", "Rosa Diaz", "Kai Lee")
    return min((text.index(name), name) for name in names if name in text)[1]


@dataclass(frozen=True)
class Mail:
    """One message as it left: everyone it went to, and the message."""

    recipients: frozenset[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        """The plain-text body."""
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())


def outbox_mail(folder: Path) -> list[Mail]:
    """Every .eml in the outbox, with its To and Cc addresses."""
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        people = [*message["To"].addresses, *(message["Cc"].addresses if message["Cc"] else ())]
        found.append(Mail(frozenset(a.addr_spec for a in people), message))
    return found


class Club:
    """A working folder with review on, delivering to the outbox or to aiosmtpd on 127.0.0.1."""

    def __init__(self, folder: Path, mode: str, mailbox: Mailbox | None, port: int = 0) -> None:
        self.folder, self.mode, self.mailbox = folder, mode, mailbox
        smtp = f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        (folder / "cramp-reports.toml").write_text(
            f'[delivery]\nmode = "{mode}"\nfrom = "Dana Brooks <{COACH}>"\nreview = true\n'
            + (smtp if mode == "smtp" else "")
        )
        self.settings = load_settings(None, cwd=folder, env={})

    def drop(self, weeks: int = 8) -> None:
        """The coach drops this week's roster into the inbox."""
        write_workbook(self.settings.paths.inbox / "harbor.xlsx", roster(weeks))

    def run(self, capsys: pytest.CaptureFixture[str]) -> str:
        """`cramp-reports run` in the folder; returns what it printed."""
        code = main(["--config", str(self.folder / "cramp-reports.toml"), "-q", "run", "--min-age", "0"])  # fmt: skip
        out, err = capsys.readouterr()
        assert code == 0, out + err
        return out

    def mail(self) -> list[Mail]:
        """Every message that left so far."""
        if self.mailbox is None:
            return outbox_mail(self.settings.paths.outbox)
        return [
            Mail(
                frozenset(a.rcpt_tos),
                message_from_bytes(a.content, policy=policy.default),
            )
            for a in self.mailbox.arrived
        ]

    def athlete_mail(self) -> Counter[str]:
        """How many messages each athlete's address got (the coach's left out)."""
        return Counter(
            to for m in self.mail() for to in m.recipients if to not in (COACH, "lin@example.org")
        )

    def manifest(self, report_date: str) -> dict[str, dict[str, str]]:
        """Each athlete's delivery in the manifest, by name."""
        path = self.settings.paths.out / "harbor-harriers" / report_date / "manifest.json"
        data = json.loads(path.read_text())
        return {a["name"]: a["delivery"] for a in data["athletes"]}

    def approve(self, name: str) -> None:
        """The coach drags the review folder into approved/."""
        os.rename(self.settings.paths.review / name, self.settings.paths.approved / name)


@pytest.fixture(params=["outbox", "smtp"])
def club(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    smtp_server: Callable[..., LocalController],
) -> Club:
    """A review-on club delivering to the outbox, or to a real SMTP server on 127.0.0.1."""
    if request.param == "outbox":
        return Club(tmp_path, "outbox", None)
    mailbox = Mailbox()
    controller = smtp_server(mailbox)
    return Club(tmp_path, "smtp", mailbox, controller.port)


def test_two_weekly_drops_reach_each_athlete_once_and_only_after_the_coach_approves(
    club: Club, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review, delete one PDF, approve; next week approve all; a third pass sends nothing."""
    club.drop()
    club.run(capsys)
    assert club.athlete_mail() == Counter(), "no athlete email before approval"
    (ready,) = club.mail()
    assert ready.recipients == {COACH} and "review" in str(ready.message["Subject"]).lower()
    assert first_named(ready.text) == "Leo Park"  # the athlete who must see a doctor
    assert [p.get_filename() for p in ready.message.iter_attachments()] == [
        "Team summary Harbor Harriers 2026-11-22.pdf"
    ]
    folder = club.settings.paths.review / WEEK_1
    assert sorted(p.name for p in folder.iterdir()) == [
        "HOW-TO-SEND.txt", "leo-park.pdf", "maya-chen.pdf", "rosa-diaz.pdf", "team-summary.pdf",
    ]  # fmt: skip
    assert club.manifest("2026-11-22")["Maya Chen"]["status"] == "awaiting-review"
    assert club.manifest("2026-11-22")["Kai Lee"]["status"] == "opted-out"

    (folder / "rosa-diaz.pdf").unlink()
    club.approve(WEEK_1)
    printed = club.run(capsys)
    assert f"{WEEK_1}: approved" in printed
    assert club.athlete_mail() == Counter({"maya@example.org": 1, "leo@example.org": 1})
    maya = next(m for m in club.mail() if "maya@example.org" in m.recipients)
    assert "lin@example.org" in maya.recipients and "lin@example.org" in str(maya.message["Cc"])
    others = [m for m in club.mail() if "maya@example.org" not in m.recipients]
    assert others and all("lin@example.org" not in m.recipients for m in others)
    (pdf,) = maya.message.iter_attachments()
    out = club.settings.paths.out / "harbor-harriers" / "2026-11-22"
    assert pdf.get_content() == (out / "maya-chen.pdf").read_bytes()
    week_1 = club.manifest("2026-11-22")
    assert week_1["Rosa Diaz"]["status"] == "withheld"
    assert week_1["Maya Chen"]["status"] == ("outbox" if club.mode == "outbox" else "sent")
    assert not (club.settings.paths.approved / WEEK_1).exists()
    assert list(club.settings.paths.archive.glob(f"*/review-{WEEK_1}"))

    club.drop(weeks=9)
    club.run(capsys)
    assert club.athlete_mail() == Counter({"maya@example.org": 1, "leo@example.org": 1})
    club.approve(WEEK_2)
    club.run(capsys)
    expected = {"maya@example.org": 2, "leo@example.org": 2, "rosa@example.org": 1}
    assert club.athlete_mail() == Counter(expected)
    assert club.manifest("2026-11-29")["Kai Lee"]["status"] == "opted-out"

    after = [m for m in club.mail() if "after your review" in str(m.message["Subject"])]
    assert [first_named(m.text) for m in after] == ["Leo Park", "Leo Park"]

    before = len(club.mail())
    club.run(capsys)
    assert len(club.mail()) == before, "a third pass sends nothing"
    coach = [m for m in club.mail() if m.recipients == {COACH}]
    assert len(coach) == 4  # ready for review and sent after review, each week


def review_settings(tmp_path: Path, **delivery: object) -> Settings:
    """Review on, delivering to the outbox, the coach Dana."""
    extra = "".join(f"{key} = {json.dumps(value)}\n" for key, value in delivery.items())
    (tmp_path / "cramp-reports.toml").write_text(
        f'[delivery]\nfrom = "Dana Brooks <{COACH}>"\nreview = true\n{extra}'
    )
    return load_settings(None, cwd=tmp_path, env={})


def drop(settings: Settings, sheets: dict[str, list[list[Any]]] | None = None) -> None:
    """A roster in the inbox, old enough to be taken at NOW."""
    path = write_workbook(settings.paths.inbox / "harbor.xlsx", sheets or roster())
    os.utime(path, (NOW.timestamp() - 60, NOW.timestamp() - 60))


def settle(folder: Path, when: datetime) -> None:
    """Make a folder and everything in it look unchanged since `when`."""
    for path in [folder, *folder.iterdir()]:
        os.utime(path, (when.timestamp(), when.timestamp()), follow_symlinks=False)


def coach_mail(settings: Settings) -> list[Mail]:
    """The messages to the coach, oldest name first."""
    return [m for m in outbox_mail(settings.paths.outbox) if m.recipients == {COACH}]


def test_a_file_changed_or_added_in_the_folder_is_never_sent_and_the_coach_is_told(
    tmp_path: Path,
) -> None:
    """Only the sheet cramp-reports made goes out; a retouched PDF and an extra file are named."""
    settings = review_settings(tmp_path)
    drop(settings)
    run_pass(settings, now=NOW)
    folder = settings.paths.review / WEEK_1
    (folder / "maya-chen.pdf").write_bytes(b"%PDF-1.7 edited by hand")
    (folder / "extra.pdf").write_bytes(b"%PDF-1.7 someone else's sheet")
    shutil.move(folder, settings.paths.approved / WEEK_1)
    settle(settings.paths.approved / WEEK_1, NOW)
    result = run_pass(settings, now=NOW + timedelta(hours=1))
    (approval,) = result.approvals
    assert approval.not_sent == ("maya-chen.pdf", "extra.pdf")
    sent = Counter(to for m in outbox_mail(settings.paths.outbox) for to in m.recipients)
    assert "maya@example.org" not in sent and sent["leo@example.org"] == 1
    after = next(
        m for m in coach_mail(settings) if "after your review" in str(m.message["Subject"])
    )
    assert "NOT sent" in after.text and "maya-chen.pdf" in after.text and "extra.pdf" in after.text


def test_a_deleted_folder_sends_nothing_and_the_manifest_says_withheld(tmp_path: Path) -> None:
    """The coach deletes the review folder: no athlete email, ever; the sheets are withheld."""
    settings = review_settings(tmp_path)
    drop(settings)
    run_pass(settings, now=NOW)
    shutil.rmtree(settings.paths.review / WEEK_1)
    run_pass(settings, now=NOW + timedelta(hours=1))
    run_pass(settings, now=NOW + timedelta(days=5))
    assert [m.recipients for m in outbox_mail(settings.paths.outbox)] == [{COACH}]
    manifest = json.loads(
        (settings.paths.out / "harbor-harriers/2026-11-22/manifest.json").read_text()
    )
    statuses = {a["name"]: a["delivery"]["status"] for a in manifest["athletes"]}
    assert statuses == {
        "Maya Chen": "withheld", "Leo Park": "withheld", "Sam Ortiz": "skipped",
        "Rosa Diaz": "withheld", "Kai Lee": "opted-out",
    }  # fmt: skip
    assert read_status(settings).reviews == []


def test_a_newer_roster_for_the_same_date_replaces_the_folder_still_waiting(tmp_path: Path) -> None:
    """The corrected roster's sheets replace the first one's; approving sends the corrected sheet."""
    settings = review_settings(tmp_path)
    drop(settings)
    run_pass(settings, now=NOW)
    folder = settings.paths.review / WEEK_1
    first = (folder / "leo-park.pdf").read_bytes()
    corrected = roster()
    corrected["Cramps"].pop()  # the swollen calf was typed on the wrong athlete
    drop(settings, corrected)
    run_pass(settings, now=NOW + timedelta(minutes=5))
    assert [p.name for p in settings.paths.review.iterdir()] == [WEEK_1]
    second = (folder / "leo-park.pdf").read_bytes()
    assert second != first
    shutil.move(folder, settings.paths.approved / WEEK_1)
    settle(settings.paths.approved / WEEK_1, NOW)
    run_pass(settings, now=NOW + timedelta(hours=1))
    (leo,) = [m for m in outbox_mail(settings.paths.outbox) if "leo@example.org" in m.recipients]
    (pdf,) = leo.message.iter_attachments()
    assert pdf.get_content() == second


def test_a_folder_still_being_copied_into_approved_waits_for_the_next_pass(tmp_path: Path) -> None:
    """A file in the folder changed a moment ago: nothing is sent until it has settled."""
    settings = review_settings(tmp_path)
    drop(settings)
    run_pass(settings, now=NOW)
    shutil.move(settings.paths.review / WEEK_1, settings.paths.approved / WEEK_1)
    settle(settings.paths.approved / WEEK_1, NOW)
    moment = NOW + timedelta(hours=1)
    arriving = settings.paths.approved / WEEK_1 / "rosa-diaz.pdf"
    os.utime(arriving, (moment.timestamp() - 2, moment.timestamp() - 2))
    assert run_pass(settings, now=moment).approvals == ()
    assert len(outbox_mail(settings.paths.outbox)) == 1
    (approval,) = run_pass(settings, now=moment + timedelta(seconds=30)).approvals
    assert approval.counts == {"outbox": 3}


def test_one_reminder_when_a_batch_has_waited_the_configured_days(tmp_path: Path) -> None:
    """After review_reminder_days the coach gets one reminder, never a second."""
    settings = review_settings(tmp_path, review_reminder_days=2)
    drop(settings)
    run_pass(settings, now=NOW)
    run_pass(settings, now=NOW + timedelta(days=1, hours=23))
    assert len(coach_mail(settings)) == 1
    run_pass(settings, now=NOW + timedelta(days=2))
    run_pass(settings, now=NOW + timedelta(days=6))
    reminders = [m for m in coach_mail(settings) if "Still waiting" in str(m.message["Subject"])]
    assert len(reminders) == 1
    assert f"review/{WEEK_1}/" in reminders[0].text and "Leo Park" in reminders[0].text


def test_status_lists_a_batch_waiting_for_review_with_its_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cramp-reports status` names the waiting folder and how long it has waited."""
    settings = review_settings(tmp_path)
    drop(settings)
    run_pass(settings, now=datetime.now(UTC) - timedelta(days=2, hours=1))
    code = main(["--config", str(tmp_path / "cramp-reports.toml"), "status"])
    out = capsys.readouterr().out
    assert code == 0
    assert "waiting for review" in out and f"{WEEK_1}  waiting 2 days" in out
    assert "in review" in out


def test_with_delivery_off_review_changes_nothing(tmp_path: Path) -> None:
    """Nothing is sent with delivery off, so no review folder is made either."""
    settings = review_settings(tmp_path, mode="off")
    drop(settings)
    (result,) = run_pass(settings, now=NOW).workbooks
    assert result.outcome == "processed" and not settings.paths.review.exists()


def test_a_roster_waits_while_the_approval_of_its_team_and_date_is_still_arriving(
    tmp_path: Path,
) -> None:
    """The approved folder goes out first, all but the sheet the newer roster changed; that one
    is reviewed again with the newer roster, never sent as it was approved."""
    settings = review_settings(tmp_path)
    drop(settings)
    run_pass(settings, now=NOW)
    shutil.move(settings.paths.review / WEEK_1, settings.paths.approved / WEEK_1)
    moment = NOW + timedelta(hours=1)
    settle(settings.paths.approved / WEEK_1, moment - timedelta(seconds=2))
    corrected = roster()
    corrected["Cramps"].pop()  # Leo's sheet changes; the others stay as they were
    drop(settings, corrected)
    waiting = run_pass(settings, now=moment)
    assert waiting.approvals == () and [w.outcome for w in waiting.workbooks] == ["stopped"]
    assert (settings.paths.inbox / "harbor.xlsx").exists()
    later = run_pass(settings, now=moment + timedelta(minutes=1))
    assert [a.counts for a in later.approvals] == [{"outbox": 2, "withheld": 1}]
    sent = Counter(to for m in outbox_mail(settings.paths.outbox) for to in m.recipients)
    assert "leo@example.org" not in sent and sent["maya@example.org"] == 1
    assert [w.outcome for w in later.workbooks] == ["in review"]
    assert sorted(p.name for p in (settings.paths.review / WEEK_1).glob("*.pdf")) == [
        "leo-park.pdf", "team-summary.pdf",
    ]  # fmt: skip
    assert [r.folder for r in read_status(settings).reviews] == [WEEK_1]
