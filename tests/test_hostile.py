"""Hostile files in the hot folder: each gets a clear outcome, and nothing leaves the folder.

The corpus is generated here (no binaries are committed). Every file goes into one inbox
next to a good roster and one real `cramp-reports run` takes them all, so each case also
shows that the other workbooks of the same pass are unaffected.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from test_roster_limits import build_corpus

from reports import inbox
from reports.errors import RosterError
from reports.roster import read_roster

from conftest import Reliability, Sheets, canonical_sheets

pytestmark = pytest.mark.slow

WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
EVIL_URL = "http://evil.example/"


def mini(team: str, name: str = "Maya Chen", **athlete: Any) -> Sheets:
    """A one-athlete roster for `team`; `name` replaces Maya Chen on every sheet."""
    sheets = copy.deepcopy(canonical_sheets())
    sheets["Team"][1][1] = team
    sheets["Athletes"] = [sheets["Athletes"][0], sheets["Athletes"][1]]
    sheets["Mileage"] = [r for r in sheets["Mileage"] if r[0] in ("Name", "Maya Chen")]
    sheets["Cramps"] = [sheets["Cramps"][0]]
    sheets["Athletes"][1][0] = name
    for row in sheets["Mileage"][1:]:
        row[0] = name
    columns = {"email": 1, "group": 3, "note": 10}
    for key, value in athlete.items():
        sheets["Athletes"][1][columns[key]] = value
    return sheets


def save(path: Path, sheets: Sheets, text_formulas: bool = False) -> Path:
    """Write `sheets` with openpyxl; with `text_formulas`, `=…` strings stay typed text."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
            if text_formulas:
                for cell in sheet[sheet.max_row]:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        cell.data_type = "s"
    book.save(path)
    return path


def patch_part(path: Path, part: str, edit: Callable[[str], str]) -> None:
    """Rewrite one XML part of a workbook in place."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, edit(data.decode()).encode() if info.filename == part else data)


ATHLETES_PART = "xl/worksheets/sheet2.xml"  # Team, Athletes, Mileage, Cramps


def words(characters: int) -> str:
    """Text that compresses like prose, not like one repeated letter (no zip-bomb ratio)."""
    rng = random.Random(characters)
    vocabulary = ["tempo", "strides", "hills", "recovery", "long", "easy", "fartlek", "track"]
    count = characters // 6 + 1  # every word is at least 6 characters with its space
    text = " ".join(f"{rng.choice(vocabulary)}{rng.randrange(100_000)}" for _ in range(count))
    return text[:characters]


Builder = Callable[[Path, Path], str]  # (inbox, outside) → the name dropped into the inbox


def workbook(name: str, sheets: Sheets, text_formulas: bool = False) -> Builder:
    """A builder that saves `sheets` as `name` in the inbox."""

    def build(box: Path, outside: Path) -> str:
        save(box / name, sheets, text_formulas)
        return name

    return build


def long_cell(name: str, team: str, characters: int) -> Builder:
    """A roster whose coach note holds `characters` characters (past openpyxl's own cap)."""

    def build(box: Path, outside: Path) -> str:
        path = save(box / name, mini(team, note="PLACEHOLDER"))
        patch_part(path, ATHLETES_PART, lambda xml: xml.replace("PLACEHOLDER", words(characters)))
        return name

    return build


def from_corpus(case: str, name: str) -> Builder:
    """A bad file of the roster issue's corpus (tests/test_roster_limits.py), renamed."""

    def build(box: Path, outside: Path) -> str:
        with tempfile.TemporaryDirectory() as folder:
            shutil.move(build_corpus(Path(folder), case), box / name)
        return name

    return build


def raw_file(name: str, data: bytes) -> Builder:
    """A file of exactly these bytes."""

    def build(box: Path, outside: Path) -> str:
        (box / name).write_bytes(data)
        return name

    return build


def zip_of(name: str, parts: dict[str, str]) -> Builder:
    """A zip archive of these parts, named like a workbook."""

    def build(box: Path, outside: Path) -> str:
        with zipfile.ZipFile(box / name, "w") as archive:
            for part, text in parts.items():
                archive.writestr(part, text)
        return name

    return build


def oversized(box: Path, outside: Path) -> str:
    """A 21 MB file (sparse: quick to make) that starts like a zip."""
    with (box / "huge.xlsx").open("wb") as file:
        file.write(b"PK\x03\x04")
        file.truncate(21 * 1024 * 1024)
    return "huge.xlsx"


def two_hundred_sheets(box: Path, outside: Path) -> str:
    """A roster with 196 extra sheets beside its four."""
    sheets = mini("Hostile many sheets")
    sheets.update({f"Sheet {i}": [["nothing", i]] for i in range(196)})
    save(box / "many-sheets.xlsx", sheets)
    return "many-sheets.xlsx"


def cached_formula(box: Path, outside: Path) -> str:
    """A name cell holding =HYPERLINK(…) with its saved result, as Excel writes it."""
    path = save(box / "cached-formula.xlsx", mini("Hostile cached formula"))
    cell = f'<c r="A2" t="str"><f>HYPERLINK("{EVIL_URL}","Maya Chen")</f><v>Maya Chen</v></c>'
    patch_part(path, ATHLETES_PART, lambda xml: re.sub(r'<c r="A2".*?</c>', cell, xml, count=1))
    return "cached-formula.xlsx"


def zip_slip(box: Path, outside: Path) -> str:
    """A good roster with extra zip entries whose names climb out of any folder."""
    path = save(box / "zip-slip.xlsx", mini("Hostile zip slip"))
    with zipfile.ZipFile(path, "a") as archive:
        for entry in ("../../../escaped.txt", "xl/../../escaped-too.txt", "/tmp/escaped-abs.txt"):
            archive.writestr(zipfile.ZipInfo(entry), "should never be written anywhere")
    return "zip-slip.xlsx"


def wide_row(box: Path, outside: Path) -> str:
    """A roster whose athlete row runs to column XFD, Excel's last (16,384 cells)."""
    sheets = mini("Hostile wide row")
    sheets["Athletes"][1] += ["x"] * (16_384 - len(sheets["Athletes"][1]))
    save(box / "wide-row.xlsx", sheets)
    return "wide-row.xlsx"


def control_file_name(box: Path, outside: Path) -> str:
    """A good roster whose file name holds a line break and a terminal escape."""
    name = "forged\n\x1b[31mline.xlsx"
    save(box / name, mini("Hostile file name"))
    return name


def link_outside(box: Path, outside: Path) -> str:
    """A link in the inbox to a real roster outside the working folder."""
    (box / "linked.xlsx").symlink_to(outside / "secret.xlsx")
    return "linked.xlsx"


def link_passwd(box: Path, outside: Path) -> str:
    """A link in the inbox, named like a workbook, to /etc/passwd."""
    (box / "passwd.xlsx").symlink_to("/etc/passwd")
    return "passwd.xlsx"


def folder_named_xlsx(box: Path, outside: Path) -> str:
    """A folder named like a workbook, with a roster inside."""
    (box / "folder.xlsx").mkdir()
    save(box / "folder.xlsx" / "inner.xlsx", mini("Hostile folder"))
    return "folder.xlsx"


def named_pipe(box: Path, outside: Path) -> str:
    """A FIFO named like a workbook: reading it would wait forever."""
    os.mkfifo(box / "pipe.xlsx")
    return "pipe.xlsx"


@dataclass(frozen=True)
class Hostile:
    """One hostile input, how to make it, and what must become of it."""

    id: str
    what: str
    outcome: str  # rejected | processed | left alone
    says: str  # a phrase its report, warning or log line must hold ("" when none is due)
    build: Builder
    checks: tuple[Callable[[Pass, str], str], ...] = field(default=())

    @property
    def expected(self) -> str:
        """The outcome the reliability report promises, in words."""
        said = f': "{self.says}"' if self.says else ""
        return {
            "rejected": f"moved to rejected/ with a report{said}",
            "processed": f"processed, with a warning{said}" if self.says else "processed",
            "left alone": f"left in the inbox, never read or moved{said}",
        }[self.outcome]


DOCX_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
EMAIL_BCC = "maya@example.org\nBcc: everyone@example.org"
MARKUP = (
    f'<img src="file:///etc/passwd"><a href="{EVIL_URL}">click</a> {{{{ 7 * 7 }}}} '
    "{% include 'base.html' %}"
)


@dataclass
class Pass:
    """The working folder after one `run` took the whole corpus, and what it printed."""

    work: Path
    outside: Path
    output: str
    code: int
    names: dict[str, str]  # case id → name dropped
    outside_before: dict[str, str]

    def manifest(self, name: str) -> dict[str, Any]:
        """The manifest of the roster dropped as `name`."""
        for path in (self.work / "out").glob("*/*/manifest.json"):
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if data["roster"] == name:
                data["folder"] = path.parent
                return data
        raise AssertionError(f"no manifest for {name!r}")

    def messages(self) -> list[bytes]:
        """Every .eml in the outbox."""
        return [p.read_bytes() for p in (self.work / "outbox").glob("*.eml")]


def pdf_text(path: Path) -> str:
    """All text of a PDF, whitespace folded."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def link_targets(path: Path) -> list[str]:
    """Every URI a PDF links to."""
    uris = []
    for page in PdfReader(path).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def no_mail_to_bcc(run: Pass, name: str) -> str:
    """No message anywhere names the smuggled Bcc address or carries a Bcc header."""
    for raw in run.messages():
        assert b"everyone@example.org" not in raw
        assert message_from_bytes(raw, policy=policy.default)["Bcc"] is None
    return "no message names the smuggled address or has a Bcc header"


def athlete_not_emailed(run: Pass, name: str) -> str:
    """The athlete with the broken address got a PDF but no email."""
    (athlete,) = run.manifest(name)["athletes"]
    assert athlete["email"] is None and athlete["delivery"]["status"] == "skipped"
    assert (run.manifest(name)["folder"] / athlete["pdf"]).is_file()
    return "the athlete's PDF was made, no email sent"


def no_coach_summary(run: Pass, name: str) -> str:
    """The coach address with a line break gets no summary at all."""
    assert not any(b"Hostile coach bcc" in raw for raw in run.messages() if b"Team summary" in raw)
    return "no coach summary sent"


def shown_as_text(run: Pass, name: str) -> str:
    """Formula-looking text reaches the manifest and the PDF verbatim, and links nowhere."""
    manifest = run.manifest(name)
    (athlete,) = manifest["athletes"]
    assert athlete["name"] == f'=HYPERLINK("{EVIL_URL}","Maya")'
    pdf = manifest["folder"] / athlete["pdf"]
    assert "=HYPERLINK(" in pdf_text(pdf) and "cmd|" in pdf_text(pdf)
    assert link_targets(pdf) == []
    return "shown verbatim in the manifest and the PDF; the PDF links nowhere"


def markup_shown_as_text(run: Pass, name: str) -> str:
    """Markup and template syntax in cells are printed, never interpreted or fetched."""
    manifest = run.manifest(name)
    (athlete,) = manifest["athletes"]
    text = pdf_text(manifest["folder"] / athlete["pdf"])
    assert "{{ 7 * 7 }}" in text and "<img src=" in text and "49" not in text
    assert link_targets(manifest["folder"] / athlete["pdf"]) == []
    return "printed as text in the PDF: no tag, link or template evaluated"


def cached_value_used(run: Pass, name: str) -> str:
    """The saved result is the name; the formula's link target appears in no output."""
    manifest = run.manifest(name)
    assert [a["name"] for a in manifest["athletes"]] == ["Maya Chen"]
    for path in manifest["folder"].iterdir():
        assert b"evil.example" not in path.read_bytes()
        if path.suffix == ".pdf":
            assert link_targets(path) == []
    return 'the saved result "Maya Chen" was read; the link target is in no output'


def file_named(expected: str) -> Callable[[Pass, str], str]:
    """The athlete's PDF has exactly this safe name."""

    def check(run: Pass, name: str) -> str:
        manifest = run.manifest(name)
        (athlete,) = manifest["athletes"]
        assert athlete["pdf"] == expected
        assert manifest["folder"].resolve().is_relative_to((run.work / "out").resolve())
        return f"sheet written as {manifest['folder'].relative_to(run.work).as_posix()}/{expected}"

    return check


def short_names(run: Pass, name: str) -> str:
    """A 300-character name gives file and folder names far below any file system's limit."""
    manifest = run.manifest(name)
    (athlete,) = manifest["athletes"]
    assert len(athlete["name"]) == 300
    assert len(athlete["pdf"]) <= 64 and len(manifest["folder"].parent.name) <= 60
    return f"file names cut to {len(athlete['pdf'])} and {len(manifest['folder'].parent.name)} characters"


def invisible_removed(run: Pass, name: str) -> str:
    """The name is cleaned to what a reader sees, and still matches its Mileage rows."""
    (athlete,) = run.manifest(name)["athletes"]
    assert athlete["name"] == "Maya Chen" and athlete["pdf"] == "maya-chen.pdf"
    assert not any("not on the Athletes sheet" in w for w in run.manifest(name)["warnings"])
    return 'read as "Maya Chen", still matched to its Mileage rows'


def printed_on_one_line(run: Pass, name: str) -> str:
    """The file name is printed with its control characters as `?`, never raw."""
    assert "\x1b" not in run.output
    assert any(line.startswith("forged??[31mline.xlsx: ") for line in run.output.splitlines())
    return 'printed as "forged??[31mline.xlsx" on one line'


def outside_untouched(run: Pass, name: str) -> str:
    """The link and what it points to stay exactly as they were."""
    assert (run.work / "inbox" / name).is_symlink()
    assert snapshot(run.outside) == run.outside_before
    return "the link and its target are unchanged"


CASES = [
    # The roster issue's bad files, and their relatives.
    Hostile("not-a-zip", "random binary bytes named .xlsx", "rejected", "is not an Excel workbook",
            raw_file("binary.xlsx", bytes(random.Random(7).randrange(256) for _ in range(4096)))),
    Hostile("text-named-xlsx", "a text file named .xlsx", "rejected",
            "is not an Excel workbook (it holds text", from_corpus("text-named-xlsx", "text.xlsx")),
    Hostile("web-page", "a saved web page named .xlsx", "rejected", "is a web page",
            from_corpus("web-page", "download.xlsx")),
    Hostile("empty", "an empty file (0 bytes)", "rejected", "is empty (0 bytes)",
            from_corpus("empty", "empty.xlsx")),
    Hostile("truncated", "a workbook cut off halfway", "rejected", "is damaged or incomplete",
            from_corpus("truncated", "truncated.xlsx")),
    Hostile("legacy-xls", "a legacy .xls workbook", "rejected", "save it as .xlsx",
            from_corpus("legacy-xls", "legacy.xls")),
    Hostile("xls-renamed", "a legacy .xls renamed .xlsx", "rejected",
            "old-format Excel file (.xls) named .xlsx", from_corpus("xls-renamed", "renamed.xlsx")),
    Hostile("password", "a password-protected (encrypted) workbook", "rejected",
            "is protected with a password", from_corpus("password", "locked.xlsx")),
    Hostile("zip-encrypted", "a workbook whose zip parts are encrypted", "rejected",
            "is protected with a password", from_corpus("zip-encrypted-parts", "zipcrypt.xlsx")),
    Hostile("csv", "a CSV file", "rejected", "only from .xlsx or .xlsm",
            from_corpus("csv", "roster.csv")),
    Hostile("missing-mileage", "a workbook with no Mileage sheet", "rejected", "no Mileage sheet",
            from_corpus("missing-mileage", "no-mileage.xlsx")),
    Hostile("missing-name", "an Athletes sheet with no Name column", "rejected",
            "no header row with a Name column", from_corpus("missing-name-column", "no-name.xlsx")),
    Hostile("duplicate-names", "two athletes with the same name and no IDs", "rejected",
            "is on the Athletes sheet twice", from_corpus("duplicate-names", "twins.xlsx")),
    Hostile("million-rows", "a sheet of 1,000,000 rows with no stored dimension", "rejected",
            "has more than 20,000 rows", from_corpus("million-rows", "million.xlsx")),
    Hostile("entity-bomb-sheet", "an XML entity-expansion bomb in a sheet", "rejected",
            "DOCTYPE or ENTITY", from_corpus("entity-bomb-sheet", "lol-sheet.xlsx")),
    Hostile("entity-bomb-workbook", "an XML entity-expansion bomb in workbook.xml", "rejected",
            "DOCTYPE or ENTITY", from_corpus("entity-bomb-workbook", "lol-book.xlsx")),
    Hostile("entity-bomb-properties", "an XML entity bomb in the document properties",
            "rejected", "DOCTYPE or ENTITY",
            from_corpus("entity-bomb-properties", "lol-props.xlsx")),
    Hostile("zip-bomb", "a zip bomb (64 MB of zeros in a sheet)", "rejected",
            "unpacks to far more than a roster holds", from_corpus("zip-bomb", "bomb.xlsx")),
    Hostile("oversized", "a 21 MB file, over the 20 MB cap", "rejected",
            "more than the 20 MB a roster may be", oversized),
    Hostile("zip-of-text", "an .xlsx that is really a zip of text files", "rejected",
            "is a zip archive but not an Excel workbook",
            zip_of("zipped.xlsx", {"notes.txt": "hello", "more/notes.txt": "again"})),
    Hostile("word-document", "a Word document renamed .xlsx", "rejected",
            "is a zip archive but not an Excel workbook",
            zip_of("memo.xlsx", {"[Content_Types].xml": DOCX_TYPES, "word/document.xml": "<w/>"})),
    Hostile("five-mb-cell", "a 5 MB string in one cell", "rejected",
            "holds a single cell or row of more than 4 MB",
            long_cell("five-mb.xlsx", "Hostile five mb", 5 * 1024 * 1024)),
    # Workbooks that are usable, with something hostile inside.
    Hostile("long-cell", "a 100,000-character coach note", "processed",
            "only the first 2,000 were read",
            long_cell("long-note.xlsx", "Hostile long note", 100_000)),
    Hostile("many-sheets", "a workbook with 200 sheets", "processed", "", two_hundred_sheets),
    Hostile("control-characters", "control characters (C0, C1, DEL, NEL) in a name",
            "processed", "held invisible control or text-direction characters",
            workbook("controls.xlsx", mini("Hostile controls", "Maya\x9b\x7f Chen\x85\x90")),
            (invisible_removed,)),
    Hostile("right-to-left", "right-to-left override and marks in a name", "processed",
            "held invisible control or text-direction characters",
            workbook("rtl.xlsx", mini("Hostile rtl", "\u202eMaya\u200f Chen\u202c")),
            (invisible_removed,)),
    Hostile("path-traversal-name", "a team and an athlete named ../../etc/passwd", "processed",
            "", workbook("passwd-name.xlsx", mini("../../etc/passwd", "../../etc/passwd")),
            (file_named("etc-passwd.pdf"),)),
    Hostile("windows-reserved-name", "a team and an athlete named CON", "processed", "",
            workbook("con.xlsx", mini("CON", "CON")), (file_named("con-athlete.pdf"),)),
    Hostile("long-name", "a 300-character team and athlete name", "processed", "",
            workbook("long-name.xlsx", mini("T" * 300, "M" * 300)), (short_names,)),
    Hostile("formula-unsaved", "formula cells (=HYPERLINK, =cmd|…) with no saved result",
            "processed", "holds a formula whose result was never saved",
            workbook("formulas.xlsx", mini("Hostile formulas", group=f'=HYPERLINK("{EVIL_URL}")',
                                           note="=cmd|' /C calc'!A0"))),
    Hostile("formula-text", "formula-looking text (=HYPERLINK, =cmd|…) typed in cells",
            "processed", "",
            workbook("formula-text.xlsx", mini("Hostile formula text",
                                               f'=HYPERLINK("{EVIL_URL}","Maya")',
                                               note="=cmd|' /C calc'!A0"), text_formulas=True),
            (shown_as_text,)),
    Hostile("formula-cached", "=HYPERLINK(…) with a saved result in a name cell", "processed",
            "", cached_formula, (cached_value_used,)),
    Hostile("markup-in-cells", "HTML and template syntax in a coach note", "processed", "",
            workbook("markup.xlsx", mini("Hostile markup", note=MARKUP)),
            (markup_shown_as_text,)),
    Hostile("email-bcc-injection", "an email cell with a line break and Bcc:", "processed",
            "holds more than one line",
            workbook("bcc.xlsx", mini("Hostile bcc", email=EMAIL_BCC)),
            (no_mail_to_bcc, athlete_not_emailed)),
    Hostile("coach-bcc-injection", "a coach email with a line break and Bcc:", "processed",
            "holds more than one line",
            workbook("coach-bcc.xlsx", {**mini("Hostile coach bcc"),
                                        "Team": [["Key", "Value"], ["Team", "Hostile coach bcc"],
                                                 ["Coach email", "dana@example.org\r\n"
                                                  "Bcc: everyone@example.org"]]}),
            (no_mail_to_bcc, no_coach_summary)),
    Hostile("zip-slip", "zip entries named ../../escaped.txt and /tmp/…", "processed", "",
            zip_slip),
    Hostile("wide-row", "a row 16,384 cells wide", "processed", "", wide_row),
    Hostile("control-file-name", "a file name with a line break and a terminal escape",
            "processed", "", control_file_name, (printed_on_one_line,)),
    # Things in the inbox that are not files to read.
    Hostile("symlink-outside", "a link in the inbox to a roster outside it", "left alone",
            "is a symbolic link; links are not followed", link_outside, (outside_untouched,)),
    Hostile("symlink-passwd", "a link named .xlsx to /etc/passwd", "left alone",
            "is a symbolic link; links are not followed", link_passwd, (outside_untouched,)),
    Hostile("folder", "a folder named roster.xlsx", "left alone", "is not a regular file",
            folder_named_xlsx),
    Hostile("named-pipe", "a named pipe (FIFO) named .xlsx", "left alone",
            "is not a regular file", named_pipe),
]  # fmt: skip


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (links not followed) with a hash of its bytes or target."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(folder))] = "link:" + os.readlink(path)
        elif path.is_file():
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


GOOD = "good.xlsx"


@pytest.fixture(scope="module")
def corpus_pass(tmp_path_factory: pytest.TempPathFactory) -> Pass:
    """Drop every hostile file and one good roster into an inbox; run one real pass."""
    root = tmp_path_factory.mktemp("hostile")
    work, outside = root / "work", root / "outside"
    for part in ("inbox", "archive", "rejected", "out", "outbox"):
        (work / part).mkdir(parents=True)
    outside.mkdir()
    save(outside / "secret.xlsx", mini("Outside team", "Secret Runner"))
    (work / "cramp-reports.toml").write_text("[inbox]\nmin_age_seconds = 0\n")
    save(work / "inbox" / GOOD, canonical_sheets())
    names = {case.id: case.build(work / "inbox", outside) for case in CASES}
    before = snapshot(outside)
    done = subprocess.run(
        [sys.executable, "-m", "reports", "run"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=240,
    )
    return Pass(work, outside, done.stdout + done.stderr, done.returncode, names, before)


def observe(run: Pass, case: Hostile, name: str) -> tuple[str, str]:
    """(where the file went, what was said about it) after the pass."""
    work = run.work
    report = work / "rejected" / f"{name}.errors.txt"
    if report.is_file():
        return "rejected", report.read_text(encoding="utf-8").splitlines()[0]
    if any(p.name == name for p in (work / "archive").rglob("*")):
        manifest = run.manifest(name)
        counts: dict[str, int] = {}
        for athlete in manifest["athletes"]:
            status = athlete["delivery"]["status"]
            counts[status] = counts.get(status, 0) + 1
        said = next((w for w in manifest["warnings"] if case.says and case.says in w), "")
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        athletes = f"{len(manifest['athletes'])} athlete(s): {summary}"
        return "processed", "; ".join(filter(None, [athletes, said]))
    if os.path.lexists(work / "inbox" / name):
        lines = [line for line in run.output.splitlines() if f"inbox/{name}" in line]
        return "left alone", lines[0].replace(f"{work}/", "") if lines else ""
    return "lost", ""


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_hostile_input_gets_a_clear_outcome(
    case: Hostile, corpus_pass: Pass, reliability: Reliability
) -> None:
    """Each hostile input is rejected with a report, processed with warnings, or left alone."""
    reliability.case("hostile", case.what, case.expected)
    name = corpus_pass.names[case.id]
    where, said = observe(corpus_pass, case, name)
    reliability.observed(f"{where}: {said}")
    assert where == case.outcome, corpus_pass.output
    assert case.says in said
    assert "could not read this workbook (" not in said  # the internal-error path is a bug
    details = [check(corpus_pass, name) for check in case.checks]
    reliability.observed("; ".join([f"{where}: {said}", *details]))


def test_the_good_roster_in_the_same_pass_is_unaffected(
    corpus_pass: Pass, reliability: Reliability
) -> None:
    """Next to every hostile file, a good roster is read, rendered, delivered and archived."""
    reliability.case(
        "hostile",
        f"a good roster in the same pass as all {len(CASES)} hostile inputs",
        "processed as if alone: every sheet rendered and emailed, the roster archived",
    )
    manifest = corpus_pass.manifest(GOOD)
    statuses = sorted(a["delivery"]["status"] for a in manifest["athletes"])
    reliability.observed(f"processed: {len(statuses)} athletes, {statuses.count('outbox')} emailed")
    assert statuses == ["outbox", "outbox", "skipped"]
    assert manifest["warnings"] == []
    assert sorted(p.name for p in manifest["folder"].glob("*.pdf")) == [
        "leo-park.pdf",
        "maya-chen.pdf",
        "sam-ortiz.pdf",
        "team-summary.pdf",
    ]


def test_the_pass_prints_no_traceback(corpus_pass: Pass, reliability: Reliability) -> None:
    """The whole corpus gives one line per file and exit 1 (rejections), never a traceback."""
    reliability.case(
        "hostile",
        "the whole corpus in one `cramp-reports run`",
        "exit code 1 (rosters rejected), no traceback, no raw control characters printed",
    )
    printable = all(c.isprintable() or c in "\n\r" for c in corpus_pass.output)
    reliability.observed(
        f"exit code {corpus_pass.code}; traceback printed: "
        f"{'yes' if 'Traceback' in corpus_pass.output else 'no'}; "
        f"raw control characters: {'no' if printable else 'yes'}"
    )
    assert corpus_pass.code == 1, corpus_pass.output
    assert "Traceback" not in corpus_pass.output and "ERROR:" not in corpus_pass.output
    assert printable


def test_nothing_is_written_outside_the_working_folder(
    corpus_pass: Pass, reliability: Reliability
) -> None:
    """Outputs stay under out/, outbox/, archive/ and rejected/; the outside folder is untouched."""
    reliability.case(
        "security",
        "every output of the hostile pass",
        "inside the working folder; nothing outside it created or changed",
    )
    root = corpus_pass.work.parent
    strays = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if not p.is_relative_to(corpus_pass.work) and not p.is_relative_to(corpus_pass.outside)
    )
    for leaked in ("escaped.txt", "escaped-too.txt"):
        strays += [str(p) for p in root.parent.rglob(leaked)]
    strays += [p for p in ("/tmp/escaped-abs.txt",) if os.path.lexists(p)]
    outputs = [p for part in ("out", "outbox") for p in (corpus_pass.work / part).rglob("*")]
    escaping = [p for p in outputs if not p.resolve().is_relative_to(corpus_pass.work.resolve())]
    reliability.observed(
        f"{len(outputs)} output files, all inside the working folder; "
        f"{len(strays)} files outside it; outside folder "
        f"{'unchanged' if snapshot(corpus_pass.outside) == corpus_pass.outside_before else 'CHANGED'}"
    )
    assert strays == [] and escaping == []
    assert snapshot(corpus_pass.outside) == corpus_pass.outside_before


def test_output_names_are_valid_on_windows_shares(
    corpus_pass: Pass, reliability: Reliability
) -> None:
    """No output file or folder name is reserved, too long or holds a character Windows refuses."""
    reliability.case(
        "security",
        "file and folder names under out/ and outbox/ after the hostile pass",
        "valid on a Windows share: no reserved name (CON, NUL…), no character Windows "
        "forbids, no control character, no trailing dot or space, short",
    )
    names = [p.name for part in ("out", "outbox") for p in (corpus_pass.work / part).rglob("*")]
    bad = [
        n
        for n in names
        if WINDOWS_RESERVED.match(n)
        or WINDOWS_FORBIDDEN.search(n)
        or n.endswith((" ", "."))
        or len(n) > 120
    ]
    reliability.observed(f"{len(names)} names checked, {len(bad)} invalid")
    assert bad == []


def test_a_file_swapped_for_a_link_after_the_scan_is_not_followed(
    tmp_path: Path, reliability: Reliability
) -> None:
    """Reading and filing refuse to go through a link, even one that appeared after the scan."""
    reliability.case(
        "security",
        "an inbox file replaced by a link to an outside roster between the scan and the read",
        "the link is neither read nor hashed; filing it moves the link, never the outside file",
    )
    outside = save(tmp_path / "secret.xlsx", mini("Outside team"))
    box = tmp_path / "inbox"
    box.mkdir()
    link = box / "team.xlsx"
    link.symlink_to(outside)
    with pytest.raises(RosterError, match="is a symbolic link") as refused:
        read_roster(link, follow_links=False)
    with pytest.raises(Exception, match="cannot read"):
        inbox.sha256_of(link)
    moved = inbox.reject(link, tmp_path / "rejected", [str(refused.value)])
    reliability.observed(
        f"read refused ({refused.value.problems[0].message.split(' —')[0]}); filed as a link: "
        f"{moved.is_symlink()}; outside roster still in place: {outside.is_file()}"
    )
    assert moved.is_symlink() and os.readlink(moved) == str(outside)
    assert outside.is_file() and outside.stat().st_nlink == 1
