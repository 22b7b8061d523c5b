"""The review folders on disk: published whole, replaced whole, taken once settled, archived."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from reports import review

NOW = 1_800_000_000.0  # a fixed clock for `ready`


@pytest.fixture
def sheets(tmp_path: Path) -> list[Path]:
    """Two rendered sheets and a team summary in out/."""
    out = tmp_path / "out"
    out.mkdir()
    files = []
    for name in ("maya-chen.pdf", "leo-park.pdf", "team-summary.pdf"):
        (out / name).write_bytes(b"%PDF-1.7 " + name.encode())
        files.append(out / name)
    return files


def aged(folder: Path, seconds: float) -> Path:
    """Make a folder and everything in it look unchanged for `seconds` before NOW."""
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (NOW - seconds, NOW - seconds), follow_symlinks=False)
    return folder


def test_a_published_folder_holds_the_sheets_and_plain_instructions(
    tmp_path: Path, sheets: list[Path]
) -> None:
    """Copies of each file, HOW-TO-SEND.txt with Windows line ends, nothing hidden left over."""
    folder = review.publish(tmp_path / "review", "harbor-2026-11-22", sheets, "Step 1\nStep 2\n")
    assert sorted(p.name for p in (tmp_path / "review").iterdir()) == ["harbor-2026-11-22"]
    assert (folder / "maya-chen.pdf").read_bytes() == sheets[0].read_bytes()
    assert (folder / review.HOW_TO).read_bytes() == b"Step 1\r\nStep 2\r\n"
    assert oct((folder / "leo-park.pdf").stat().st_mode & 0o777) == "0o644"


def test_publishing_again_replaces_the_whole_folder(tmp_path: Path, sheets: list[Path]) -> None:
    """A newer batch's folder leaves nothing of the old one (a PDF the new one lacks is gone)."""
    review.publish(tmp_path / "review", "harbor-2026-11-22", sheets, "old")
    folder = review.publish(tmp_path / "review", "harbor-2026-11-22", sheets[1:], "new")
    assert sorted(p.name for p in folder.iterdir()) == [
        review.HOW_TO, "leo-park.pdf", "team-summary.pdf",
    ]  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "review").iterdir()) == ["harbor-2026-11-22"]


def test_tidy_puts_back_a_folder_whose_replacement_never_arrived(tmp_path: Path) -> None:
    """Killed between the two renames: the old folder returns; a half-filled one is removed."""
    root = tmp_path / "review"
    (root / ".harbor-2026-11-22.0a1b2c3d.old").mkdir(parents=True)
    (root / ".harbor-2026-11-22.0a1b2c3d.old" / "maya-chen.pdf").write_bytes(b"%PDF")
    (root / ".ridge-2026-11-22.99aa88bb.tmp").mkdir()
    review.restore_replaced_folders(root)
    assert sorted(p.name for p in root.iterdir()) == ["harbor-2026-11-22"]
    assert (root / "harbor-2026-11-22" / "maya-chen.pdf").exists()


def test_only_settled_folders_are_ready(tmp_path: Path, sheets: list[Path]) -> None:
    """A file that changed a moment ago holds its folder back; files and links are never folders."""
    approved = tmp_path / "approved"
    settled = review.publish(approved, "harbor-2026-11-22", sheets, "x")
    copying = review.publish(approved, "ridge-2026-11-22", sheets, "x")
    aged(settled, 60)
    aged(copying, 60)
    os.utime(copying / "leo-park.pdf", (NOW - 1, NOW - 1))
    (approved / "loose.pdf").write_bytes(b"%PDF")
    (approved / "link").symlink_to(settled)
    assert review.ready(approved, min_age_seconds=10, now=NOW) == [settled]
    assert review.ready(approved, min_age_seconds=0, now=NOW) == [settled, copying]


def test_contents_hash_regular_files_only(tmp_path: Path) -> None:
    """Each PDF's hash; a link or a folder placed inside has none and is never read."""
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"abc")
    (folder / "b.pdf").symlink_to(folder / "a.pdf")
    (folder / "sub").mkdir()
    found = review.contents(folder)
    assert found == {
        "a.pdf": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "b.pdf": None,
        "sub": None,
    }


def test_archiving_twice_on_one_day_keeps_both(tmp_path: Path, sheets: list[Path]) -> None:
    """The second folder of the same name gets " (2)"; neither replaces the other."""
    day = date(2026, 11, 23)
    first = review.archive_folder(
        review.publish(tmp_path / "approved", "harbor-2026-11-22", sheets, "1"),
        tmp_path / "archive",
        day,
    )
    second = review.archive_folder(
        review.publish(tmp_path / "approved", "harbor-2026-11-22", sheets, "2"),
        tmp_path / "archive",
        day,
    )
    assert first == tmp_path / "archive" / "2026-11-23" / "review-harbor-2026-11-22"
    assert second.name == "review-harbor-2026-11-22 (2)"
    assert (first / review.HOW_TO).read_text() == "1" and (
        second / review.HOW_TO
    ).read_text() == "2"
    assert list((tmp_path / "approved").iterdir()) == []
