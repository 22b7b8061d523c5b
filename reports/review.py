"""The review folders: a batch's sheets laid out for the coach, and the folders the coach approves.

`review/<name>/` holds copies of the sheets waiting to be sent, the team summary and a
HOW-TO-SEND.txt. The coach approves by moving the folder into `approved/`, perhaps by a
drag and drop on a shared folder that copies file by file: a folder is taken only once
nothing in it has changed for `min_age_seconds`, as in the inbox. A folder is published
whole: it is filled under a hidden name and renamed into place, so the coach never sees
half of one, and a newer one replaces the old in two renames.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import shutil
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from reports.errors import OutputError
from reports.files import file_sha256, sync_folder

log = logging.getLogger(__name__)

HOW_TO = "HOW-TO-SEND.txt"
# `.<name>.<8 hex>.tmp` is a folder being filled; `.<name>.<8 hex>.old` one being replaced.
_STAGED = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{8}\.(?P<kind>tmp|old)$")


def publish(review_root: Path, name: str, files: Sequence[Path], how_to: str) -> Path:
    """Make `review/<name>/` hold copies of `files` and HOW-TO-SEND.txt, replacing a folder there."""
    target = review_root / name
    staged = review_root / f".{name}.{secrets.token_hex(4)}.tmp"
    try:
        review_root.mkdir(parents=True, exist_ok=True)
        staged.mkdir(mode=0o755)
        for source in files:
            _copy(source, staged / source.name)
        # CRLF: the coach may open it in an old Windows Notepad.
        _write(staged / HOW_TO, how_to.replace("\r\n", "\n").replace("\n", "\r\n").encode())
        sync_folder(staged)
        if os.path.lexists(target):
            old = review_root / f".{name}.{secrets.token_hex(4)}.old"
            os.rename(target, old)
            os.rename(staged, target)
            sync_folder(review_root)
            shutil.rmtree(old)
        else:
            os.rename(staged, target)
            sync_folder(review_root)
    except OSError as err:
        shutil.rmtree(staged, ignore_errors=True)
        raise OutputError(
            f"{target}: the review folder could not be written ({err.strerror or err}) — free "
            "some disk space or check the folder's permissions, then run again"
        ) from err
    return target


def restore_replaced_folders(review_root: Path) -> None:
    """Finish what a killed pass left: put a replaced folder back if its successor never arrived."""
    try:
        entries = sorted(os.scandir(review_root), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        match = _STAGED.match(entry.name)
        if not match or not entry.is_dir(follow_symlinks=False):
            continue
        path, final = Path(entry.path), review_root / match["name"]
        try:
            if match["kind"] == "old" and not os.path.lexists(final):
                os.rename(path, final)
                log.info("put %s back: the folder replacing it was never finished", final)
            else:
                shutil.rmtree(path)
        except OSError as err:
            log.warning("could not tidy %s (%s)", path, err.strerror or err)


def holds(root: Path, name: str) -> bool:
    """True when `root` has a folder called `name` (a link to one does not count)."""
    path = root / name
    return path.is_dir() and not path.is_symlink()


def place(review_root: Path, approved_root: Path, name: str) -> str | None:
    """Where a review folder is now: "review", "approved", or None when the coach deleted it."""
    if holds(review_root, name):
        return "review"
    if holds(approved_root, name):
        return "approved"
    return None


def roots_present(*roots: Path) -> bool:
    """True when every folder exists: a share that is not mounted must not look emptied."""
    return all(root.is_dir() for root in roots)


def ready(approved_root: Path, *, min_age_seconds: float, now: float) -> list[Path]:
    """The folders in `approved/` that have stopped changing, by name (links and files left alone)."""
    try:
        entries = sorted(os.scandir(approved_root), key=lambda e: e.name)
    except OSError:
        return []
    found = []
    for entry in entries:
        if entry.name.startswith((".", "~")):
            continue
        if not entry.is_dir(follow_symlinks=False):
            log.info("%s is not a review folder; only whole folders are approved", entry.path)
            continue
        newest = _newest_change(Path(entry.path))
        if newest <= now - min_age_seconds:
            found.append(Path(entry.path))
        else:
            log.info("%s changed %.0f s ago; waiting for it to settle", entry.path, now - newest)
    return found


def contents(folder: Path) -> dict[str, str | None]:
    """Each name in `folder` with its SHA-256, or None for what is not a readable regular file."""
    found: dict[str, str | None] = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        try:
            found[entry.name] = file_sha256(Path(entry.path))
        except OSError:
            found[entry.name] = None
    return found


def archive_folder(folder: Path, archive_root: Path, day: date) -> Path:
    """Move an approved folder to `archive/<day>/review-<name>`, never over an earlier one."""
    parent = archive_root / day.isoformat()
    try:
        parent.mkdir(parents=True, exist_ok=True)
        target = next(
            candidate
            for number in range(1, 10_000)
            if not os.path.lexists(
                candidate := parent
                / (f"review-{folder.name}" + (f" ({number})" if number > 1 else ""))
            )
        )
        try:
            os.rename(folder, target)  # the folder lock keeps `target` free meanwhile
        except OSError as err:
            if err.errno != errno.EXDEV:
                raise
            staged = parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
            shutil.copytree(folder, staged, symlinks=True)
            os.rename(staged, target)
            shutil.rmtree(folder)
        sync_folder(parent)
        sync_folder(folder.parent)
    except OSError as err:
        raise OutputError(
            f"cannot move {folder} to {parent} ({err.strerror or err}) — check that the "
            "archive folder is writable and has free space"
        ) from err
    log.info("moved %s to %s", folder, target)
    return target


def _newest_change(folder: Path) -> float:
    """The latest modification time of the folder or anything in it."""
    newest = 0.0
    for parent, dirs, files in os.walk(folder):
        for name in [".", *dirs, *files]:
            try:
                newest = max(newest, os.lstat(os.path.join(parent, name)).st_mtime)
            except OSError:
                continue  # removed while looking: the folder's own time shows the change
    return newest


def _copy(source: Path, target: Path) -> None:
    """Copy a file's bytes and sync them, readable by everyone on the share."""
    shutil.copyfile(source, target, follow_symlinks=False)
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fchmod(fd, 0o644)
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(target: Path, data: bytes) -> None:
    """Write a new file and sync it."""
    with open(target, "xb") as out:
        os.fchmod(out.fileno(), 0o644)
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
