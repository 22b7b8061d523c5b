"""Checks before openpyxl sees a file: its kind, its size, its zip directory, and a streamed scan.

Every part is streamed once: DTDs and entity declarations are refused, `<row>` elements
are counted against the row cap, and formula cells with no saved result are noted. The
scan exists because openpyxl's read-only loader parses a whole sheet to size it when the
sheet has no stored dimension, before the first row arrives; here a huge sheet is refused
after reading only as many rows as the cap allows.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from reports.errors import RosterError
from reports.models import Problem
from reports.settings import LimitSettings

CHUNK: Final = 1 << 20
MAX_PARTS: Final = 10_000
MAX_DIRECTORY_BYTES: Final = 4 << 20
UNPACKED_FACTOR: Final = 5  # all parts together may unpack to 5× the file cap
MAX_RATIO: Final = 100  # a part over 1 MB squeezed more than this is a zip bomb
MAX_CARRY: Final = 4 << 20
MAX_UNSAVED: Final = 1000

CFB_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_TYPES: Final = tuple(
    f"application/vnd.{kind}.main+xml"
    for kind in (
        "ms-excel.template.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.template",
        "ms-excel.sheet.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.sheet",
    )
)
RESAVE: Final = (
    "save the roster again from Excel as an Excel Workbook (.xlsx) and drop in the new copy"
)
_NAME: Final = rb"<(?:[A-Za-z_][\w.-]*:)?"
_ROW: Final = re.compile(_NAME + rb"row[\s/>]")
_FORMULA: Final = re.compile(_NAME + rb"f[\s/>]")
_BOUNDARY: Final = re.compile(_NAME + rb"(?:c|row)[\s/>]")
_CELL_END: Final = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
_ANY_VALUE: Final = re.compile(_NAME + rb"v[\s/>]")
_VALUE: Final = re.compile(_NAME + rb"v(?:\s[^>]*)?>[^<]")
_REF: Final = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3}[0-9]{1,7})["']""")
_TEXT_TYPE: Final = re.compile(rb"""\st\s*=\s*["']str["']""")


def refuse(path: Path, message: str, sheet: str | None = None) -> RosterError:
    """A RosterError for a whole-file (or whole-sheet) problem."""
    problem = Problem("error", message, sheet)
    where = f"{sheet}: " if sheet else ""
    return RosterError(f"{path.name}: {where}{message}", [problem])


@dataclass
class PartScan:
    """What the streamed scan learned about one part: its rows and unsaved formulas."""

    rows: int = 0
    unsaved: list[str] = field(default_factory=list)
    more_unsaved: bool = False


def _describe_cfb(path: Path, handle: IO[bytes], limit: int) -> str:
    """Why an OLE compound file is not readable: encrypted, or an old .xls renamed."""
    handle.seek(0)
    data = handle.read(limit)
    if "EncryptedPackage".encode("utf-16-le") in data:
        return (
            "is protected with a password — open it in Excel, remove the password "
            "(File › Info › Protect Workbook › Encrypt with Password, clear it), save, "
            "and drop it in again"
        )
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return (
            f"is an old-format Excel file (.xls) named {path.suffix} — open it in Excel "
            "and save it as an Excel Workbook (.xlsx)"
        )
    return f"is an old Office file, not an Excel workbook — {RESAVE}"


def check_kind(path: Path, handle: IO[bytes], limits: LimitSettings) -> None:
    """Refuse empty, oversized, text, HTML, encrypted and legacy files from their bytes."""
    size = handle.seek(0, 2)
    if size > limits.max_file_bytes:
        raise refuse(
            path,
            f"is {size / 1_048_576:.1f} MB, more than the {limits.max_file_mb:g} MB a roster "
            "may be — remove pictures and unused sheets, save, and drop it in again",
        )
    handle.seek(0)
    head = handle.read(512)
    if not head:
        raise refuse(path, f"is empty (0 bytes): the copy or download did not finish — {RESAVE}")
    if head.startswith(CFB_MAGIC):
        raise refuse(path, _describe_cfb(path, handle, limits.max_file_bytes))
    if head.startswith(b"PK\x03\x04"):
        return
    if head.startswith(b"PK\x05\x06"):
        raise refuse(path, f"is an empty zip archive, not an Excel workbook — {RESAVE}")
    if b"<html" in head.lower() or b"<!doctype html" in head.lower():
        raise refuse(
            path,
            "is a web page, not an Excel workbook (perhaps a download link was saved "
            f"instead of the file) — {RESAVE}",
        )
    raise refuse(
        path, f"is not an Excel workbook (it holds text or another kind of file) — {RESAVE}"
    )


def damaged(path: Path) -> RosterError:
    """The error for a file that is cut short or corrupted."""
    return refuse(
        path, f"is damaged or incomplete (perhaps the copy or download was cut short) — {RESAVE}"
    )


def check_directory(path: Path, handle: IO[bytes]) -> None:
    """Refuse a zip whose central directory is missing or too large to be a roster's."""
    size = handle.seek(0, 2)
    tail_size = min(size, 65_536 + 22)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise damaged(path)
    entries, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        locator = tail[at - 20 : at] if at >= 20 else b""
        if not locator.startswith(b"PK\x06\x07"):
            raise damaged(path)
        handle.seek(struct.unpack("<Q", locator[8:16])[0])
        record = handle.read(56)
        if not record.startswith(b"PK\x06\x06"):
            raise damaged(path)
        entries, directory = struct.unpack("<QQ", record[32:48])
    if entries > MAX_PARTS or directory > MAX_DIRECTORY_BYTES:
        raise refuse(path, f"holds {entries:,} parts, far more than a roster has — {RESAVE}")


def check_parts(path: Path, archive: zipfile.ZipFile, limits: LimitSettings) -> None:
    """Refuse zip bombs and encrypted parts from the sizes the zip directory declares."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise refuse(path, f"holds {len(infos):,} parts, far more than a roster has — {RESAVE}")
    total_cap = UNPACKED_FACTOR * limits.max_file_bytes
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise refuse(
                path,
                "is protected with a password — remove the password in Excel, save, "
                "and drop it in again",
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > total_cap or (info.file_size > 1_048_576 and ratio > MAX_RATIO):
            raise refuse(
                path,
                f"unpacks to far more than a roster holds ({info.filename} alone is "
                f"{info.file_size / 1_048_576:,.0f} MB) — it is damaged or not a real roster; "
                f"{RESAVE}",
            )
    if "[Content_Types].xml" not in archive.namelist():
        raise refuse(path, f"is a zip archive but not an Excel workbook — {RESAVE}")


def _parse(path: Path, archive: zipfile.ZipFile, name: str, limits: LimitSettings) -> Element:
    """One small XML part, parsed with defusedxml."""
    info = archive.getinfo(name)
    if info.file_size > limits.max_file_bytes:
        raise refuse(path, f"has an oversized part {name} — {RESAVE}")
    try:
        root: Element = safe_xml.fromstring(archive.read(info))
    except DefusedXmlException as err:
        raise crafted(path) from err
    except ParseError as err:
        raise damaged(path) from err
    return root


def _local(tag: str) -> str:
    """An XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _targets(
    path: Path, archive: zipfile.ZipFile, rels: str, limits: LimitSettings
) -> dict[str, str]:
    """Relationship id → part name, resolved the way openpyxl resolves them."""
    if rels not in archive.namelist():
        return {}
    parent = posixpath.split(posixpath.dirname(rels))[0]
    found: dict[str, str] = {}
    for node in _parse(path, archive, rels, limits).iter():
        target, ident = node.get("Target"), node.get("Id")
        if _local(node.tag) != "Relationship" or not target or not ident:
            continue
        if node.get("TargetMode") == "External":
            continue
        found[ident] = (
            target[1:]
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(parent, target))
        )
    return found


def sheet_parts(path: Path, archive: zipfile.ZipFile, limits: LimitSettings) -> dict[str, str]:
    """Sheet title → worksheet part name, found as openpyxl finds them."""
    overrides = {
        node.get("ContentType"): (node.get("PartName") or "").lstrip("/")
        for node in _parse(path, archive, "[Content_Types].xml", limits).iter()
        if _local(node.tag) == "Override"
    }
    book = next((overrides[t] for t in WORKBOOK_TYPES if t in overrides), None)
    if book is None or book not in archive.namelist():
        raise refuse(path, f"is a zip archive but not an Excel workbook — {RESAVE}")
    folder, base = posixpath.split(book)
    rels = _targets(path, archive, posixpath.join(folder, "_rels", f"{base}.rels"), limits)
    titles: dict[str, str] = {}
    for node in _parse(path, archive, book, limits).iter():
        ident = next((v for k, v in node.attrib.items() if _local(k) == "id"), None)
        if _local(node.tag) == "sheet" and ident in rels and node.get("name"):
            titles[str(node.get("name"))] = rels[ident]
    return titles


def crafted(path: Path) -> RosterError:
    """The error for XML that declares a DTD or entities, which Excel never writes."""
    return refuse(
        path,
        "holds XML declarations (DOCTYPE or ENTITY) that Excel never writes — it is damaged "
        f"or was made to attack spreadsheet readers; {RESAVE}",
    )


def _boundary(buffer: bytes) -> int:
    """Where to cut a chunk so no row or cell is split: the start of the last one."""
    start = max(0, len(buffer) - 65_536)
    last = deque(_BOUNDARY.finditer(buffer, start), maxlen=1)
    if last:
        return last[0].start()
    cut = buffer.rfind(b"<")
    return len(buffer) if cut < 0 else cut


def _note_formulas(region: bytes, scan: PartScan) -> None:
    """Record cells whose formula has no saved result (the file was never opened in Excel)."""
    for found in _FORMULA.finditer(region):
        start = region.rfind(b"<", 0, found.start())
        end = _CELL_END.search(region, found.end())
        stop = end.start() if end else len(region)
        if _VALUE.search(region, found.end(), stop):
            continue
        if _ANY_VALUE.search(region, found.end(), stop) and _TEXT_TYPE.search(
            region, start, found.start()
        ):
            continue  # a formula whose saved result is empty text, e.g. =IF(A1="","",A1)
        ref = _REF.search(region, start, found.start())
        if ref is None:
            continue
        if len(scan.unsaved) >= MAX_UNSAVED:
            scan.more_unsaved = True
            return
        scan.unsaved.append(ref.group(1).decode("ascii").upper())


def scan_part(
    path: Path, archive: zipfile.ZipFile, name: str, sheet: str | None, limits: LimitSettings
) -> PartScan:
    """Stream one part: refuse DTDs, count rows against the cap, note unsaved formulas."""
    scan = PartScan()
    carry = b""
    with archive.open(name) as stream:
        while True:
            chunk = stream.read(CHUNK)
            buffer = carry + chunk
            cut = _boundary(buffer) if chunk else len(buffer)
            region, carry = buffer[:cut], buffer[cut:]
            if len(carry) > MAX_CARRY:
                raise refuse(
                    path,
                    f"holds a single cell or row of more than {MAX_CARRY >> 20} MB, far more than "
                    "Excel writes (a cell holds at most 32,767 characters) — it is damaged or was "
                    f"not made by Excel; {RESAVE}",
                    sheet,
                )
            if b"<!DOCTYPE" in region or b"<!ENTITY" in region:
                raise crafted(path)
            scan.rows += len(_ROW.findall(region))
            if scan.rows > limits.max_rows_per_sheet:
                cap = limits.max_rows_per_sheet
                raise refuse(
                    path,
                    f"has more than {cap:,} rows, the most a roster sheet may have — delete the "
                    "unused rows below your data (or split the team), save, and drop it in again",
                    sheet or name,
                )
            if sheet is not None and not scan.more_unsaved:
                _note_formulas(region, scan)
            if not chunk:
                return scan


def prescan(path: Path, handle: IO[bytes], limits: LimitSettings) -> dict[str, PartScan]:
    """Check the zip and stream every part; sheet title → what its scan found."""
    check_directory(path, handle)
    handle.seek(0)
    with zipfile.ZipFile(handle) as archive:
        check_parts(path, archive, limits)
        titles = sheet_parts(path, archive, limits)
        by_part = {part: title for title, part in titles.items()}
        scans: dict[str, PartScan] = {}
        for info in archive.infolist():
            if info.is_dir():
                continue
            title = by_part.get(info.filename)
            scan = scan_part(path, archive, info.filename, title, limits)
            if title is not None:
                scans[title] = scan
    return scans
