"""Files that are not rosters, or huge or hostile: each refused fast, in little memory, clearly."""

from __future__ import annotations

import copy
import functools
import io
import re
import struct
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.errors import RosterError
from reports.models import Roster
from reports.roster import read_roster
from reports.settings import LimitSettings

from conftest import canonical_sheets as shared_canonical_sheets
from conftest import write_workbook

MILEAGE_PART = "xl/worksheets/sheet3.xml"  # Team, Athletes, Mileage, Cramps: the third sheet
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SECONDS, MEGABYTES = 5.0, 300


def canonical_sheets() -> dict[str, list[list[object]]]:
    """A private deep copy of the shared canonical roster (its header rows are shared lists)."""
    return copy.deepcopy(shared_canonical_sheets())


@functools.cache
def canonical_bytes() -> bytes:
    """The canonical roster as .xlsx bytes, made once so every use sees the same bytes."""
    with tempfile.TemporaryDirectory() as folder:
        return write_workbook(Path(folder) / "clean.xlsx", canonical_sheets()).read_bytes()


def rezip(
    base: bytes,
    path: Path,
    replace: dict[str, bytes | Callable[[io.BufferedIOBase], None]],
    drop: tuple[str, ...] = (),
    level: int = 6,
) -> Path:
    """A copy of a workbook with some parts replaced (bytes, or a writer streaming them)."""
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst,
    ):
        for info in src.infolist():
            if info.filename in drop:
                continue
            new = replace.get(info.filename, src.read(info))
            if callable(new):
                with dst.open(info.filename, "w") as stream:
                    new(stream)  # type: ignore[arg-type]
            else:
                dst.writestr(info.filename, new)
    return path


def million_rows(stream: io.BufferedIOBase) -> None:
    """A sheet of 1,000,000 rows and no stored dimension, streamed without openpyxl."""
    stream.write(f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
    row = b'<row r="%d"><c r="B%d"><v>1</v></c></row>'
    for start in range(1, 1_000_001, 50_000):
        stream.write(b"".join([row % (r, r) for r in range(start, start + 50_000)]))
    stream.write(b"</sheetData></worksheet>")


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + f']><worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
    "<t>&lol9;</t></is></c></row></sheetData></worksheet>"
).encode()


def zeros(stream: io.BufferedIOBase) -> None:
    """64 MB of zeros: a part that compresses about a thousand times."""
    block = bytes(1 << 20)
    for _ in range(64):
        stream.write(block)


def flag_encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' flag on every entry of a zip's central directory."""
    out = bytearray(data)
    for found in re.finditer(b"PK\x01\x02", data):
        flags = struct.unpack_from("<H", out, found.start() + 8)[0]
        struct.pack_into("<H", out, found.start() + 8, flags | 1)
    return bytes(out)


def cfb(*names: str) -> bytes:
    """The start of an OLE compound file (what Excel writes for encrypted or .xls files)."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(504)
        + b"".join(n.encode("utf-16-le") + bytes(8) for n in names)
    )


def workbook_bytes(
    tmp_path: Path, change: Callable[[dict[str, list[list[object]]]], object]
) -> bytes:
    """The canonical roster changed by `change`, as bytes."""
    sheets = canonical_sheets()
    change(sheets)
    return write_workbook(tmp_path / "base" / "changed.xlsx", sheets).read_bytes()


def build_corpus(tmp_path: Path, case: str) -> Path:
    """Write one bad file of the corpus into tmp_path and return its path."""
    base = canonical_bytes()
    plain: dict[str, tuple[str, bytes]] = {
        "text-named-xlsx": ("roster.xlsx", b"Name,Miles\nMaya Chen,12\n"),
        "web-page": ("roster.xlsx", b"<!DOCTYPE html><html><body>Sign in</body></html>"),
        "empty": ("roster.xlsx", b""),
        "truncated": ("roster.xlsx", base[: len(base) // 2]),
        "legacy-xls": ("roster.xls", cfb("Workbook")),
        "xls-renamed": ("roster.xlsx", cfb("Workbook", "SummaryInformation")),
        "password": ("roster.xlsx", cfb("EncryptionInfo", "EncryptedPackage")),
        "csv": ("roster.csv", b"Name,Miles\n"),
        "zip-encrypted-parts": ("roster.xlsx", flag_encrypted(base)),
    }
    if case in plain:
        name, data = plain[case]
        path = tmp_path / name
        path.write_bytes(data)
        return path
    if case == "zip-not-workbook":
        path = tmp_path / "roster.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "hello")
        return path
    if case == "missing-mileage":
        (tmp_path / "roster.xlsx").write_bytes(workbook_bytes(tmp_path, lambda s: s.pop("Mileage")))
        return tmp_path / "roster.xlsx"
    if case == "missing-name-column":
        data = workbook_bytes(tmp_path, lambda s: s["Athletes"][0].__setitem__(0, "Who"))
        (tmp_path / "roster.xlsx").write_bytes(data)
        return tmp_path / "roster.xlsx"
    if case == "duplicate-names":
        data = workbook_bytes(tmp_path, lambda s: s["Athletes"].append(["Leo Park"]))
        (tmp_path / "roster.xlsx").write_bytes(data)
        return tmp_path / "roster.xlsx"
    replacements: dict[str, dict[str, bytes | Callable[[io.BufferedIOBase], None]]] = {
        "million-rows": {MILEAGE_PART: million_rows},
        "entity-bomb-sheet": {MILEAGE_PART: LAUGHS},
        "entity-bomb-properties": {"docProps/core.xml": LAUGHS},
        "entity-bomb-workbook": {"xl/workbook.xml": LAUGHS},
        "zip-bomb": {MILEAGE_PART: zeros},
    }
    return rezip(base, tmp_path / "roster.xlsx", replacements[case], level=1)


CORPUS = [
    ("text-named-xlsx", "is not an Excel workbook (it holds text"),
    ("web-page", "is a web page"),
    ("empty", "is empty (0 bytes)"),
    ("truncated", "is damaged or incomplete"),
    ("legacy-xls", "save it as .xlsx"),
    ("xls-renamed", "old-format Excel file (.xls) named .xlsx"),
    ("password", "is protected with a password"),
    ("csv", "only from .xlsx or .xlsm"),
    ("zip-encrypted-parts", "is protected with a password"),
    ("zip-not-workbook", "is a zip archive but not an Excel workbook"),
    ("missing-mileage", "no Mileage sheet"),
    ("missing-name-column", "Athletes: no header row with a Name column"),
    ("duplicate-names", '"Leo Park" is on the Athletes sheet twice (rows 3 and 5)'),
    ("million-rows", "Mileage: has more than 20,000 rows"),
    ("entity-bomb-sheet", "DOCTYPE or ENTITY"),
    ("entity-bomb-properties", "DOCTYPE or ENTITY"),
    ("entity-bomb-workbook", "DOCTYPE or ENTITY"),
    ("zip-bomb", "unpacks to far more than a roster holds"),
]


def refused(path: Path, limits: LimitSettings | None = None) -> RosterError:
    """Read `path`, which must fail with RosterError within the time and memory bounds."""
    limits = limits or LimitSettings()
    tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(RosterError) as caught:
            read_roster(path, limits)
        elapsed = time.monotonic() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert peak < MEGABYTES * 1_048_576, f"peaked at {peak / 1_048_576:.0f} MB"
    return caught.value


@pytest.mark.parametrize(("case", "says"), CORPUS, ids=[c for c, _ in CORPUS])
def test_bad_file_is_refused_quickly_with_a_clear_message(
    tmp_path: Path, case: str, says: str
) -> None:
    """Each bad file is a one-line RosterError naming the file, in seconds, in little memory."""
    path = build_corpus(tmp_path, case)
    error = refused(path)
    message = str(error)
    assert says in message
    assert message.startswith(f"{path.name}: ") and "\n" not in message
    assert " — " in message
    assert any(p.severity == "error" for p in error.problems)


def test_file_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    """A file larger than the configured cap is refused before it is opened as a zip."""
    path = write_workbook(tmp_path / "harbor.xlsx", canonical_sheets())
    error = refused(path, LimitSettings(max_file_mb=0.001))
    assert "more than the 0.001 MB a roster may be" in str(error)


def test_row_cap_is_configurable(tmp_path: Path) -> None:
    """A lower row cap refuses a sheet the default would accept, naming the sheet."""
    path = write_workbook(tmp_path / "harbor.xlsx", canonical_sheets())
    error = refused(path, LimitSettings(max_rows_per_sheet=10))
    assert str(error).startswith("harbor.xlsx: Mileage: has more than 10 rows")
    assert error.problems[0].location == "Mileage"


def set_dimension(xml: str, ref: str) -> str:
    """A sheet's XML with its stored dimension replaced."""
    return re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)


@pytest.mark.parametrize("ref", ["A1:B2", "A1:XFD1048576", None])
def test_wrong_or_missing_stored_dimension_is_ignored(tmp_path: Path, ref: str | None) -> None:
    """A too-small, too-large or missing stored dimension changes nothing: all rows read, fast."""
    base = canonical_bytes()
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        xml = archive.read(MILEAGE_PART).decode()
    xml = set_dimension(xml, ref) if ref else re.sub(r"<dimension [^>]*/>", "", xml)
    path = rezip(base, tmp_path / "harbor.xlsx", {MILEAGE_PART: xml.encode()})
    start = time.monotonic()
    roster = read_roster(path)
    assert time.monotonic() - start < SECONDS
    assert [len(a.weeks) for a in roster.athletes] == [8, 8, 8]
    assert roster.athletes[2].weeks[-1].miles == 16


def test_openpyxl_parses_with_defusedxml() -> None:
    """openpyxl picked up defusedxml, so an entity bomb would be refused even past our own scan."""
    from defusedxml import DefusedXmlException
    from openpyxl.xml import DEFUSEDXML
    from openpyxl.xml.functions import fromstring

    assert DEFUSEDXML
    with pytest.raises(DefusedXmlException):
        fromstring(LAUGHS)


# --- fuzzing: whatever the cells, a Roster or a RosterError, nothing else ---------------------

HEADINGS = [
    "Name",
    "Athlete",
    "ID",
    "Email",
    "Week of",
    "Week",
    "Miles",
    "Km",
    "Distance",
    "Unit",
    "Date",
    "When",
    "Pace",
    "Severity",
    "Urine",
    "Total",
    "Temperature (C)",
    "Fluid before (ml)",
    "2026-09-07",
    "Week of 9/14/2026",
    "13/45/2026",
    None,
    "Notes",
]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(date(1990, 1, 1), date(2040, 1, 1)),
    st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1)),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["Y", "n", "km", "12 mi", "-3", "2026-09-07", "9/14/2026", "=SUM(A1:A3)",
                     "#DIV/0!", "twelve", "during", "mild", "a@b.co", "Maya Chen", "maya chen"]),
)  # fmt: skip
SHEET_NAMES = st.sampled_from(["Athletes", "Mileage", "Cramps", "Team", "Roster", "Sheet1",
                               "Instructions", "Weekly Miles (km)"])  # fmt: skip
SHEET = st.tuples(
    SHEET_NAMES,
    st.lists(st.sampled_from(HEADINGS), max_size=6),
    st.lists(st.lists(VALUES, max_size=6), max_size=6),
    st.integers(0, 2),
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sheets=st.lists(SHEET, min_size=1, max_size=4))
def test_any_small_workbook_reads_or_raises_roster_error(
    tmp_path: Path, sheets: list[tuple[str, list[str | None], list[list[object]], int]]
) -> None:
    """Random headings, cells and layouts never raise anything but RosterError."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, headings, rows, blank_rows in sheets:
        sheet = book.create_sheet(title) if title not in book.sheetnames else book[title]
        for _ in range(blank_rows):
            sheet.append([])
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "fuzz.xlsx"
    book.save(path)
    try:
        assert isinstance(read_roster(path), Roster)
    except RosterError as error:
        assert str(error)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_damaged_bytes_read_or_raise_roster_error(tmp_path: Path, data: st.DataObject) -> None:
    """A workbook with random bytes overwritten or cut short raises nothing but RosterError."""
    base = bytearray(canonical_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(base) - 1))
        base[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(base) // 2, len(base)))
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(base[:cut]))
    try:
        assert isinstance(read_roster(path), Roster)
    except RosterError as error:
        assert str(error)
