"""The Athletes columns that bring parents in and let an athlete opt out of sheets."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from reports.roster import read_roster

from conftest import Sheets, canonical_sheets, write_workbook


def with_columns(parent: str, send: str, values: dict[str, tuple[object, object]]) -> Sheets:
    """The canonical roster with a parent column and a send column headed as given."""
    sheets = copy.deepcopy(canonical_sheets())
    header, *rows = sheets["Athletes"]
    sheets["Athletes"] = [[*header, parent, send]]
    for row in rows:
        sheets["Athletes"].append([*row, *values.get(str(row[0]), (None, None))])
    return sheets


@pytest.mark.parametrize("heading", ["Parent email", "Guardian email", "Parent/guardian email"])
def test_parent_email_is_read_under_each_heading(tmp_path: Path, heading: str) -> None:
    """Each accepted heading gives the parent's address for that athlete only."""
    sheets = with_columns(heading, "Send sheet", {"Leo Park": ("Kim Park <kim@example.org>", None)})
    roster = read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))
    parents = {a.name: a.parent_email for a in roster.athletes}
    assert parents == {"Maya Chen": None, "Leo Park": "kim@example.org", "Sam Ortiz": None}
    assert roster.warnings == ()


@pytest.mark.parametrize(
    "value", ["kim@example.org\nBcc: everyone@example.org", "kim at example dot org"]
)
def test_bad_or_multiline_parent_email_is_warned_with_its_cell_and_left_out(
    tmp_path: Path, value: str
) -> None:
    """A parent address that could add mail headers, or is no address, is dropped with a warning."""
    sheets = with_columns("Parent email", "Send sheet", {"Leo Park": (value, None)})
    roster = read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))
    leo = next(a for a in roster.athletes if a.name == "Leo Park")
    assert leo.parent_email is None
    assert leo.email == "leo@example.org"  # the athlete still gets the sheet
    (warning,) = roster.warnings
    assert warning.location == "Athletes!L3"
    assert "parent is not copied" in warning.message


@pytest.mark.parametrize(
    ("value", "sent"), [(None, True), ("Y", True), ("yes", True), ("N", False), ("no", False)]
)
def test_send_sheet_defaults_to_yes_and_n_opts_out(
    tmp_path: Path, value: object, sent: bool
) -> None:
    """An empty Send sheet sends; N (in any spelling) opts the athlete out."""
    sheets = with_columns("Parent email", "Send sheet", {"Maya Chen": (None, value)})
    roster = read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))
    assert {a.name: a.send_sheet for a in roster.athletes}["Maya Chen"] is sent
    assert roster.warnings == ()


def test_unreadable_send_sheet_holds_the_sheet_back_with_a_warning(tmp_path: Path) -> None:
    """When unsure whether the athlete opted out, the sheet is not emailed and the cell is named."""
    sheets = with_columns("Parent email", "Send sheet", {"Maya Chen": (None, "maybe")})
    roster = read_roster(write_workbook(tmp_path / "harbor.xlsx", sheets))
    assert {a.name: a.send_sheet for a in roster.athletes}["Maya Chen"] is False
    (warning,) = roster.warnings
    assert warning.location == "Athletes!M2"
    assert "not emailed" in warning.message
