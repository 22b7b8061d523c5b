"""A pass end to end on real workbooks, PDFs, .eml files and a real SQLite ledger."""

from __future__ import annotations

import email
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reports import outputs
from reports.config import load_settings
from reports.ledger import Ledger
from reports.pipeline import render_roster, run_pass
from reports.pipeline.deliveries import _attachment_name
from reports.settings import Settings

from conftest import (
    Sheets,
    canonical_sheets,
    day_first_km_sheets,
    told_day_first_miles_sheets,
    write_workbook,
)

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
MANIFEST_KEYS = {"roster", "sha256", "team", "report_date", "athletes", "warnings"}
ATHLETE_KEYS = {"id", "name", "email", "pdf", "risk", "findings", "since", "delivery"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Defaults rooted in a fresh working folder (outbox delivery, no config file)."""
    return load_settings(None, cwd=tmp_path, env={})


def drop(settings: Settings, sheets: Sheets | None = None, name: str = "harbor.xlsx") -> Path:
    """Put a workbook into the inbox as if a coach copied it there a minute ago."""
    path = write_workbook(settings.paths.inbox / name, sheets or canonical_sheets())
    old = NOW.timestamp() - 60
    os.utime(path, (old, old))
    return path


def outbox_messages(settings: Settings) -> list[EmailMessage]:
    """Every .eml in the outbox, parsed."""
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for p in sorted(settings.paths.outbox.glob("*.eml"))
    ]


def pdf_text(path: Path) -> str:
    """All text of a PDF, whitespace folded."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def manifest_of(settings: Settings) -> dict[str, Any]:
    """The one manifest the pass wrote."""
    (path,) = settings.paths.out.glob("*/*/manifest.json")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def test_a_pass_renders_delivers_to_the_outbox_and_archives(settings: Settings) -> None:
    """Each athlete gets a PDF; each with an email gets one .eml with that PDF attached."""
    drop(settings)
    result = run_pass(settings, now=NOW)
    folder = settings.paths.out / "harbor-harriers" / "2026-11-22"
    assert sorted(p.name for p in folder.iterdir()) == [
        "leo-park.pdf",
        "manifest.json",
        "maya-chen.pdf",
        "sam-ortiz.pdf",
        "team-summary.pdf",
    ]
    messages = outbox_messages(settings)
    coach = [m for m in messages if "Team summary" in str(m["Subject"])]
    assert [m["To"].addresses[0].addr_spec for m in coach] == ["dana@example.org"]
    coach_text = coach[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Sent to: Maya Chen, Leo Park" in coach_text
    assert "Sam Ortiz (skipped)" in coach_text
    athlete_messages = [m for m in messages if "Team summary" not in str(m["Subject"])]
    assert sorted(m["To"].addresses[0].addr_spec for m in athlete_messages) == [
        "leo@example.org",
        "maya@example.org",
    ]
    for message in athlete_messages:
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        name = message["To"].addresses[0].display_name
        pdf = folder / f"{name.lower().replace(' ', '-')}.pdf"
        assert attachment.get_content() == pdf.read_bytes()
        assert (
            str(message["Subject"]) == "Your cramp-prevention sheet — Harbor Harriers — 2026-11-22"
        )
    assert not list(settings.paths.inbox.iterdir())
    assert (settings.paths.archive / "2026-11-23" / "harbor.xlsx").is_file()
    assert not result.failed


def test_manifest_has_exactly_the_contract_keys(settings: Settings) -> None:
    """Top-level and per-athlete keys are DESIGN.md's, plus the documented sheet keys."""
    drop(settings)
    run_pass(settings, now=NOW)
    manifest = manifest_of(settings)
    assert set(manifest) - {"summary_key"} == MANIFEST_KEYS
    assert manifest["roster"] == "harbor.xlsx"
    assert manifest["report_date"] == "2026-11-22"
    assert manifest["team"] == "Harbor Harriers"
    for athlete in manifest["athletes"]:
        assert set(athlete) - {"sheet_key"} == ATHLETE_KEYS
        assert set(athlete["delivery"]) == {"status", "detail"}
        for finding in athlete["findings"]:
            assert set(finding) == {"rule", "level", "evidence"}
    by_name = {a["name"]: a for a in manifest["athletes"]}
    assert by_name["Sam Ortiz"]["email"] is None
    assert by_name["Sam Ortiz"]["delivery"]["status"] == "skipped"
    assert by_name["Maya Chen"]["delivery"]["status"] == "outbox"
    assert by_name["Maya Chen"]["pdf"] == "maya-chen.pdf"


def test_each_pdf_names_its_athlete_and_the_advice_for_each_finding(settings: Settings) -> None:
    """The sheet carries the athlete's name and every finding's evidence sentence."""
    drop(settings)
    run_pass(settings, now=NOW)
    manifest = manifest_of(settings)
    folder = next(settings.paths.out.glob("*/*"))
    leo = next(a for a in manifest["athletes"] if a["name"] == "Leo Park")
    assert {f["rule"] for f in leo["findings"]} >= {"hydration", "cramp-response"}
    text = pdf_text(folder / leo["pdf"])
    assert "Leo Park" in text
    for finding in leo["findings"]:
        assert " ".join(finding["evidence"].split()) in text


def test_a_coachs_subject_templates_reword_the_sent_subjects(tmp_path: Path) -> None:
    """Reworded subject files in `[render] templates` change the subject of each email sent."""
    email_templates = tmp_path / "templates" / "email"
    email_templates.mkdir(parents=True)
    (email_templates / "athlete-subject.txt").write_text(
        "{{ athlete.name }}: your sheet from {{ team.name }} ({{ report_date|longdate }})\n"
    )
    (email_templates / "coach-subject.txt").write_text("Sheets are out for {{ team.name }}\n")
    (tmp_path / "cramp-reports.toml").write_text('[render]\ntemplates = "templates"\n')
    settings = load_settings(None, cwd=tmp_path, env={})
    drop(settings)
    run_pass(settings, now=NOW)
    subjects = {
        m["To"].addresses[0].addr_spec: str(m["Subject"]) for m in outbox_messages(settings)
    }
    assert subjects == {
        "maya@example.org": "Maya Chen: your sheet from Harbor Harriers (November 22, 2026)",
        "leo@example.org": "Leo Park: your sheet from Harbor Harriers (November 22, 2026)",
        "dana@example.org": "Sheets are out for Harbor Harriers",
    }


def test_the_coach_summary_keeps_its_default_subject(settings: Settings) -> None:
    """Without a coach's templates the summary's subject is the built-in wording."""
    drop(settings)
    run_pass(settings, now=NOW)
    subjects = {
        m["To"].addresses[0].addr_spec: str(m["Subject"]) for m in outbox_messages(settings)
    }
    assert subjects["dana@example.org"] == "Team summary — Harbor Harriers — 2026-11-22"


def test_redropping_the_same_workbook_sends_nothing(settings: Settings) -> None:
    """The ledger remembers every sheet sent: an identical re-drop sends no message."""
    drop(settings)
    run_pass(settings, now=NOW)
    before = sorted(p.name for p in settings.paths.outbox.iterdir())
    drop(settings)
    result = run_pass(settings, now=NOW + timedelta(hours=1))
    assert sorted(p.name for p in settings.paths.outbox.iterdir()) == before
    statuses = {a["name"]: a["delivery"]["status"] for a in manifest_of(settings)["athletes"]}
    assert statuses == {"Maya Chen": "unchanged", "Leo Park": "unchanged", "Sam Ortiz": "skipped"}
    assert result.workbooks[0].rendered == 0
    assert len(list((settings.paths.archive / "2026-11-23").iterdir())) == 2


def renamed(sheets: Sheets, names: dict[str, str]) -> Sheets:
    """`sheets` with athletes renamed on every sheet."""
    return {
        title: [[names.get(c, c) if isinstance(c, str) else c for c in row] for row in rows]
        for title, rows in sheets.items()
    }


def accent_dropping_slug(text: str, fallback: str = "athlete") -> str:
    """File names as they were before names were transliterated: letters without an ASCII base dropped."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or fallback


def test_a_roster_sent_under_the_old_file_names_is_not_sent_again(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sheets sent when 王芳's file was athlete.pdf are not re-sent now that it is wang-fang.pdf."""
    sheets = renamed(canonical_sheets(), {"Maya Chen": "王芳", "Leo Park": "Øyvind Søren"})
    monkeypatch.setattr(outputs, "slugify", accent_dropping_slug)
    drop(settings, sheets)
    run_pass(settings, now=NOW)
    folder = settings.paths.out / "harbor-harriers" / "2026-11-22"
    assert {"athlete.pdf", "yvind-sren.pdf"} <= {p.name for p in folder.iterdir()}
    sent = sorted(p.name for p in settings.paths.outbox.iterdir())
    assert len(sent) == 3  # two athletes and the coach
    monkeypatch.undo()
    drop(settings, sheets)
    result = run_pass(settings, now=NOW + timedelta(hours=1))
    assert sorted(p.name for p in settings.paths.outbox.iterdir()) == sent
    athletes = manifest_of(settings)["athletes"]
    assert [(a["pdf"], a["delivery"]["status"]) for a in athletes] == [
        ("wang-fang.pdf", "unchanged"),
        ("oyvind-soren.pdf", "unchanged"),
        ("sam-ortiz.pdf", "skipped"),
    ]
    assert sorted(p.name for p in folder.glob("*.pdf")) == [
        "oyvind-soren.pdf", "sam-ortiz.pdf", "team-summary.pdf", "wang-fang.pdf"
    ]  # fmt: skip
    assert "王芳" in pdf_text(folder / "wang-fang.pdf")
    assert result.workbooks[0].rendered == 2  # the renamed two; Sam's sheet is reused
    with Ledger(settings.paths.ledger) as ledger:
        assert [b.sent for b in ledger.recent_batches(2)] == [0, 2]  # newest first


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Maya Chen", "Maya Chen"),
        ("प्रिया शर्मा", "प्रिया शर्मा"),
        ("สมชาย ใจดี", "สมชาย ใจดี"),
        ("Nguye\u0302\u0303n", "Nguyễn"),
        ("王芳", "王芳"),
        ("../Maya/Chen:*?", "MayaChen"),
        ("///", "athlete"),
    ],
)
def test_attachment_names_keep_the_athletes_own_script(name: str, shown: str) -> None:
    """Vowel signs and accents stay; path and shell characters go."""
    assert (
        _attachment_name(name, "2026-11-22") == f"{shown} - cramp-prevention sheet 2026-11-22.pdf"
    )


def test_changing_one_athletes_mileage_sends_exactly_one_message(settings: Settings) -> None:
    """Only the athlete whose data changed gets a new sheet and a new email."""
    drop(settings)
    run_pass(settings, now=NOW)
    before = set(settings.paths.outbox.iterdir())
    sheets = canonical_sheets()
    row = next(r for r in sheets["Mileage"] if r[0] == "Maya Chen" and r[1] == date(2026, 11, 16))
    row[2] = 25
    drop(settings, sheets)
    result = run_pass(settings, now=NOW + timedelta(hours=1))
    new = set(settings.paths.outbox.iterdir()) - before
    assert len(new) == 2  # Maya's sheet, and the coach's summary of the batch
    athlete_mail = [p for p in new if b"Team summary" not in p.read_bytes()]
    assert len(athlete_mail) == 1 and b"maya@example.org" in athlete_mail[0].read_bytes()
    assert result.workbooks[0].rendered == 1


def test_a_bad_workbook_is_rejected_with_a_report_and_the_others_still_run(
    settings: Settings,
) -> None:
    """One unusable file never stops the rest of the pass."""
    sheets = canonical_sheets()
    del sheets["Mileage"]
    drop(settings, sheets, "broken.xlsx")
    drop(settings)
    notes = settings.paths.inbox / "notes.txt"
    notes.write_text("not a roster")
    os.utime(notes, (NOW.timestamp() - 60, NOW.timestamp() - 60))
    result = run_pass(settings, now=NOW)
    report = (settings.paths.rejected / "broken.xlsx.errors.txt").read_text()
    assert "Mileage" in report
    assert (settings.paths.rejected / "notes.txt.errors.txt").is_file()
    assert (settings.paths.archive / "2026-11-23" / "harbor.xlsx").is_file()
    assert result.failed
    assert {w.file: w.outcome for w in result.workbooks} == {
        "broken.xlsx": "rejected",
        "harbor.xlsx": "processed",
        "notes.txt": "rejected",
    }


def test_lock_files_and_fresh_files_are_left_alone(settings: Settings) -> None:
    """Excel's `~$` lock file is never touched; a file still being copied waits for the next pass."""
    drop(settings)
    lock = settings.paths.inbox / "~$harbor.xlsx"
    lock.write_bytes(b"owner")
    fresh = write_workbook(settings.paths.inbox / "fresh.xlsx", canonical_sheets())
    run_pass(settings, now=datetime.fromtimestamp(time.time(), tz=UTC))
    assert lock.exists() and fresh.exists()
    assert not (settings.paths.rejected / "~$harbor.xlsx.errors.txt").exists()


def test_render_writes_exactly_the_contract_files_and_moves_nothing(
    settings: Settings, workbook: Callable[..., Path], tmp_path: Path
) -> None:
    """`render` writes the athlete PDFs, the team summary and the manifest, and nothing else."""
    path = workbook()
    result = render_roster(path, tmp_path / "rendered", settings)
    folder = tmp_path / "rendered" / "harbor-harriers" / "2026-11-22"
    assert result.folder == folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "leo-park.pdf",
        "manifest.json",
        "maya-chen.pdf",
        "sam-ortiz.pdf",
        "team-summary.pdf",
    ]
    assert path.exists()
    again = render_roster(path, tmp_path / "rendered", settings)
    assert again.rendered == 0


def test_a_roster_with_bad_cells_still_gives_every_athlete_a_sheet(settings: Settings) -> None:
    """Warnings (text and negative distances, a bad email, an unknown name) never stop the team."""
    sheets = canonical_sheets()
    sheets["Mileage"][1][2] = "twelve"
    sheets["Mileage"][2][2] = -5
    sheets["Athletes"][1][1] = "maya at example"
    sheets["Mileage"].append(["Zed Unknown", date(2026, 11, 16), 10, 3])
    drop(settings, sheets)
    result = run_pass(settings, now=NOW)
    manifest = manifest_of(settings)
    assert [a["name"] for a in manifest["athletes"]] == ["Maya Chen", "Leo Park", "Sam Ortiz"]
    folder = next(settings.paths.out.glob("*/*"))
    assert all((folder / a["pdf"]).is_file() for a in manifest["athletes"])
    cells = [w.split(":")[0] for w in manifest["warnings"]]
    assert {"Mileage!C2", "Mileage!C3", "Athletes!B2", f"Mileage!A{len(sheets['Mileage'])}"} <= set(
        cells
    )
    maya = next(a for a in manifest["athletes"] if a["name"] == "Maya Chen")
    assert maya["email"] is None and maya["delivery"]["status"] == "skipped"
    assert result.workbooks[0].outcome == "processed"


@pytest.mark.parametrize(("sheets", "cramp_day", "distance"), [
    (day_first_km_sheets, "Nov 15", "53 km"),
    (told_day_first_miles_sheets, "Nov 10", "33 mi"),
])  # fmt: skip
def test_a_roster_with_day_first_text_dates_renders_the_right_days(
    settings: Settings,
    workbook: Callable[..., Path],
    tmp_path: Path,
    sheets: Callable[[], Sheets],
    cramp_day: str,
    distance: str,
) -> None:
    """A km club's 28/09/2026 weeks, or a miles team whose Team sheet says DD/MM, give the
    report date, week dates and cramp day the coach meant on the athlete's sheet."""
    result = render_roster(workbook(sheets()), tmp_path / "rendered", settings)
    assert result.report_date == date(2026, 11, 22)
    text = pdf_text(result.folder / "leo-park.pdf")
    assert "REPORT DATE November 22, 2026" in text
    assert f"your cramp on {cramp_day}" in text
    assert "WEEK OF Sep 28 Oct 5 Oct 12 Oct 19 Oct 26 Nov 2 Nov 9 Nov 16" in text
    assert distance in text
    summary = pdf_text(result.folder / "team-summary.pdf")
    assert "REPORT DATE November 22, 2026 CRAMPS COUNTED Oct 26 – Nov 22" in summary


def test_an_opted_out_athlete_is_rendered_never_sent_and_a_parent_is_copied(
    settings: Settings,
) -> None:
    """Send sheet N: a PDF and `opted-out`, no email; Parent email: Cc on the athlete's email."""
    sheets = canonical_sheets()
    header, maya, leo, sam = sheets["Athletes"]
    sheets["Athletes"] = [
        [*header, "Parent email", "Send sheet"],
        [*maya, None, "N"],
        [*leo, "kim@example.org", None],
        [*sam, None, None],
    ]
    drop(settings, sheets)
    run_pass(settings, now=NOW)
    statuses = {a["name"]: a["delivery"]["status"] for a in manifest_of(settings)["athletes"]}
    assert statuses == {"Maya Chen": "opted-out", "Leo Park": "outbox", "Sam Ortiz": "skipped"}
    assert (settings.paths.out / "harbor-harriers" / "2026-11-22" / "maya-chen.pdf").is_file()
    athlete_mail = [m for m in outbox_messages(settings) if "Team summary" not in str(m["Subject"])]
    assert [(str(m["To"]), str(m["Cc"])) for m in athlete_mail] == [
        ("Leo Park <leo@example.org>", "kim@example.org")
    ]


def test_coach_email_names_the_doctor_list_first_then_what_was_sent_and_held_back(
    settings: Settings,
) -> None:
    """The athlete with a red-flag cramp leads the coach's email; an opted-out one is listed."""
    sheets = canonical_sheets()
    sheets["Cramps"].append(
        ["Maya Chen", date(2026, 11, 20), "during", "calf", 4, 6, 30, "usual", 16, "N", "Y",
         70, "light", 15, "swelling", None]
    )  # fmt: skip
    header, maya, leo, sam = sheets["Athletes"]
    sheets["Athletes"] = [[*header, "Send sheet"], maya, leo, [*sam, "N"]]
    drop(settings, sheets)
    run_pass(settings, now=NOW)
    (coach,) = [m for m in outbox_messages(settings) if "Team summary" in str(m["Subject"])]
    text = coach.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    doctor = text.index("See a doctor (1)")
    assert doctor < text.index("Maya Chen") < text.index("Sent to:")
    assert "Leo Park:" not in text[doctor : text.index("Sent to:")]
    assert "Sam Ortiz (opted-out)" in text
