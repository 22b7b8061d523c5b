"""Opening a roster workbook: the suffix, the safety checks, then openpyxl read-only.

Stored sheet dimensions are never trusted (some tools write wrong ones) nor computed:
rows are streamed as openpyxl finds them, at most `MAX_COLUMNS` wide.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any, Final

import openpyxl
from defusedxml import DefusedXmlException

from reports.errors import RosterError
from reports.roster.headers import NumberedRow
from reports.roster.safety import RESAVE, PartScan, check_kind, crafted, damaged, prescan, refuse
from reports.settings import LimitSettings

logger = logging.getLogger(__name__)

ROSTER_SUFFIXES: Final = (".xlsx", ".xlsm")
MAX_COLUMNS: Final = 400  # columns read per row: eight years of weekly columns

OTHER_SUFFIXES: Final = {
    ".xls": "is an old-format Excel file (.xls) — open it in Excel and save it as .xlsx "
    "(File › Save As › Excel Workbook)",
    ".xlsb": "is an Excel binary workbook (.xlsb) — open it in Excel and save it as .xlsx "
    "(File › Save As › Excel Workbook)",
    ".csv": "is a CSV file — rosters are read only from .xlsx or .xlsm workbooks; "
    "open it in Excel and save it as .xlsx",
    ".ods": "is an OpenDocument spreadsheet — save it as an Excel Workbook (.xlsx)",
}


def check_suffix(path: Path) -> None:
    """Refuse anything but .xlsx/.xlsm by name, naming what to do instead."""
    suffix = path.suffix.casefold()
    if suffix in ROSTER_SUFFIXES:
        return
    message = OTHER_SUFFIXES.get(
        suffix,
        "is not an Excel roster — only .xlsx or .xlsm workbooks are read; "
        "save the roster from Excel as an Excel Workbook (.xlsx)",
    )
    raise refuse(path, message)


class Book:
    """An open workbook: its sheet titles in order, and each sheet's rows streamed."""

    def __init__(self, path: Path, workbook: Any, scans: dict[str, PartScan]) -> None:
        self.path = path
        self._workbook = workbook
        self._scans = scans
        self.titles: tuple[str, ...] = tuple(ws.title for ws in workbook.worksheets)

    def unsaved(self, title: str) -> tuple[frozenset[str], bool]:
        """Cells of a sheet holding a formula with no saved result, and whether there are more."""
        scan = self._scans.get(title, PartScan())
        return frozenset(scan.unsaved), scan.more_unsaved

    def rows(self, title: str) -> Iterator[NumberedRow]:
        """(row number, values) for every row of a sheet, ignoring its stored dimensions."""
        sheet = self._workbook[title]
        sheet.reset_dimensions()  # stored dimensions may be wrong; never scan for them
        rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as err:  # openpyxl raises many kinds on a damaged sheet
                logger.debug("reading sheet %s of %s failed", title, self.path, exc_info=True)
                raise refuse(
                    self.path,
                    f"could not be read to the end (row {number + 1}) — {RESAVE}",
                    title,
                ) from err
            number += 1
            yield number, tuple(values)


def _open_regular(path: Path, follow_links: bool) -> IO[bytes]:
    """Open a regular file for reading; a FIFO or device is refused before it can block."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if err.errno == errno.ELOOP and not follow_links:
            raise refuse(
                path,
                "is a symbolic link, which is never followed — copy the workbook itself into "
                "the inbox",
            ) from err
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise refuse(path, "is not a regular file (a pipe, device or folder) — it was not read")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


@contextmanager
def open_book(path: Path, limits: LimitSettings, *, follow_links: bool = True) -> Iterator[Book]:
    """Open a roster for reading after every safety check; RosterError if it is not one."""
    check_suffix(path)
    with ExitStack() as stack:
        try:
            handle = stack.enter_context(_open_regular(path, follow_links))
            check_kind(path, handle, limits)
            scans = prescan(path, handle, limits)
            handle.seek(0)
            with warnings.catch_warnings(record=True) as noticed:
                warnings.simplefilter("always")
                workbook = openpyxl.load_workbook(
                    handle, read_only=True, data_only=True, keep_links=False, keep_vba=False
                )
            for notice in noticed:  # e.g. "Data Validation extension is not supported"
                logger.debug("openpyxl on %s: %s", path.name, notice.message)
        except RosterError:
            raise
        except FileNotFoundError as err:
            raise refuse(path, "was not found — check the file name and folder") from err
        except IsADirectoryError as err:
            raise refuse(path, "is a folder, not a workbook") from err
        except PermissionError as err:
            raise refuse(
                path,
                "cannot be opened (permission denied) — close it in Excel, or "
                "check the file's permissions",
            ) from err
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as err:
            raise damaged(path) from err
        except DefusedXmlException as err:
            raise crafted(path) from err
        except Exception as err:  # openpyxl raises many kinds on a malformed workbook
            logger.debug("openpyxl could not load %s", path, exc_info=True)
            raise refuse(path, f"could not be read as an Excel workbook — {RESAVE}") from err
        stack.callback(workbook.close)
        yield Book(path, workbook, scans)
