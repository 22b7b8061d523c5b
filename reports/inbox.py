"""The hot folder: which dropped files are ready, moving them on, and the folder lock.

A file is taken once it has stopped changing: its modification time is at least
`min_age_seconds` before the time of the scan. A file still being copied keeps getting a
fresh modification time and so waits for a later pass; a file that was already old when it
arrived is taken on the first pass. Only regular files directly in the inbox count: folders
and symbolic links are left alone (a link is never followed), and so are lock, hidden and
temporary files, which are never read, moved or rejected.

Moves never overwrite and never lose a workbook: the file is linked (or copied and synced)
to its new name first and removed from the inbox only after; a name already taken gets
" (2)", " (3)"… before its extension.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Self

from reports.errors import BusyError, ConfigError, CrampReportsError, OutputError
from reports.files import file_sha256, replace_atomically, sync_folder

log = logging.getLogger(__name__)

_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "icon\r"})
_TEMP_SUFFIXES = (".tmp", ".temp", "~", ".crdownload", ".part", ".partial", ".download")
# A hard link failing with one of these means "not here": copy instead.
_NO_LINK = frozenset({errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS})


def is_ignored(path: Path) -> bool:
    """True for files that are not rosters: Office lock files, hidden, temporary, OS clutter."""
    name = path.name
    lowered = name.lower()
    return (
        name.startswith((".", "~"))  # hidden; "~$team.xlsx" Office locks; "~WRL0001.tmp"
        or lowered in _IGNORED_NAMES
        or lowered.endswith(_TEMP_SUFFIXES)
    )


def scan(inbox: Path, *, min_age_seconds: float, now: float) -> list[Path]:
    """The files in `inbox` ready to process, by name: regular, not ignored, and settled."""
    ready = []
    try:
        entries = sorted(os.scandir(inbox), key=lambda e: e.name)
    except OSError as err:
        raise ConfigError(
            f"cannot read the inbox {inbox} ({err.strerror or err}) — create it "
            "(cramp-reports init) or set [paths] inbox in cramp-reports.toml"
        ) from err
    for entry in entries:
        path = Path(entry.path)
        if is_ignored(path):
            continue
        if entry.is_symlink():
            log.warning("%s is a symbolic link; links are not followed — copy the file in", path)
            continue
        if not entry.is_file(follow_symlinks=False):
            log.info("%s is not a regular file; left alone", path)
            continue
        try:
            modified = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue  # taken away (or made unreadable) between listing and looking
        if modified <= now - min_age_seconds:
            ready.append(path)
        else:
            log.info("%s changed %.0f s ago; waiting for it to settle", path, now - modified)
    return ready


def archive(path: Path, archive_root: Path, day: date) -> Path:
    """Move a processed file to `archive/<YYYY-MM-DD>/`, keeping any earlier file of that name."""
    return _move(path, archive_root / day.isoformat(), taken=_exists)


def reject(path: Path, rejected: Path, lines: Sequence[str]) -> Path:
    """Move a file to `rejected/` and write `<name>.errors.txt` beside it, one problem a line."""

    def taken(candidate: Path) -> bool:
        return _exists(candidate) or _exists(_errors_path(candidate))

    moved = _move(path, rejected, taken=taken)
    text = "".join(" ".join(line.splitlines()) + "\n" for line in lines)
    try:
        replace_atomically(_errors_path(moved), text.encode("utf-8"))
    except OSError as err:
        raise OutputError(
            f"moved {path.name} to {moved} but could not write its error report "
            f"({err.strerror or err}) — check that {rejected} is writable"
        ) from err
    return moved


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's contents, as hex."""
    try:  # never through a link: an inbox file swapped for one after the scan is not read
        return file_sha256(path)
    except OSError as err:
        raise CrampReportsError(f"cannot read {path} ({err.strerror or err})") from err


class FolderLock:
    """An exclusive lock on a working folder: two passes or serves never work it at once.

    A `run` may wait up to `wait_seconds` for another `run` to finish (two cron jobs that
    overlap a little both succeed, one after the other); it never waits for a `serve`,
    which holds the folder for as long as it runs.
    """

    # flock, not lockf: a second open in the same process is refused too, and the kernel
    # drops the lock when its holder dies, so a crash never leaves the folder locked.

    def __init__(
        self,
        path: Path,
        *,
        role: str = "run",
        wait_seconds: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.role = role
        self.wait_seconds = wait_seconds
        self._sleep = sleep
        self._clock = clock
        self._fd: int | None = None

    def __enter__(self) -> Self:
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this FolderLock")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise OutputError(
                f"cannot create the lock file {self.path} ({err.strerror or err}) — check "
                "that the working folder exists and is writable"
            ) from err
        try:
            self._acquire(fd)
        except BaseException:
            os.close(fd)
            raise
        try:  # who holds the lock only serves the message a second process shows
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {self.role}\n".encode())
        except OSError:
            log.warning("could not write the pid into %s", self.path)
        self._fd = fd
        return self

    def _acquire(self, fd: int) -> None:
        """Take the lock, waiting for another `run` up to `wait_seconds`; BusyError if not."""
        deadline = self._clock() + self.wait_seconds
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as err:
                if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise CrampReportsError(f"cannot lock {self.path} ({err})") from err
            pid, role = _read_holder(fd)
            left = deadline - self._clock()
            if role == "serve" or left <= 0:
                raise BusyError(self._busy(pid, role)) from None
            if not announced:
                log.info(
                    "another cramp-reports (pid %s) is working in %s; waiting up to %.0f s",
                    pid or "unknown",
                    self.path.parent,
                    left,
                )
                announced = True
            self._sleep(min(0.1, left))

    def _busy(self, pid: str, role: str) -> str:
        """Why the folder cannot be had, and what to do."""
        who = f"pid {pid or 'unknown'}"
        if role == "serve":
            return (
                f"another cramp-reports is already working in {self.path.parent} ({who}, "
                "`cramp-reports serve`): it runs the passes on its schedule, so leave it to "
                "serve, or stop it (Ctrl-C or SIGTERM) before running a pass by hand"
            )
        waited = f", still after waiting {self.wait_seconds:g} s" if self.wait_seconds > 0 else ""
        return (
            f"another cramp-reports is already working in {self.path.parent} ({who}){waited}; "
            "wait for it to finish or stop it"
        )

    def __exit__(self, *exc: object) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)  # explicit: a forked child may share this descriptor
            os.close(fd)


def _read_holder(fd: int) -> tuple[str, str]:
    """The pid and role ("run", "serve") the lock's holder wrote; "" for what is unreadable."""
    try:
        words = os.pread(fd, 64, 0).decode("ascii", "replace").split()
    except OSError:
        return "", ""
    pid = words[0] if words and words[0].isdigit() else ""
    role = words[1] if len(words) > 1 else ""
    return pid, role


def _errors_path(path: Path) -> Path:
    """`team.xlsx` → `team.xlsx.errors.txt`."""
    return path.with_name(f"{path.name}.errors.txt")


def _exists(path: Path) -> bool:
    """True if anything (even a dangling link) has this name."""
    return os.path.lexists(path)


def _candidates(folder: Path, name: str) -> Iterator[Path]:
    """`name`, then `stem (2).ext`, `stem (3).ext`, … in `folder`."""
    yield folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while True:
        yield folder / f"{stem} ({number}){suffix}"
        number += 1


def _move(path: Path, folder: Path, *, taken: Callable[[Path], bool]) -> Path:
    """Move `path` into `folder` under the first free name; the original goes last."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        final = _place(path, folder, taken)
        path.unlink()
        sync_folder(folder)
        sync_folder(path.parent)
    except OSError as err:
        raise OutputError(
            f"cannot move {path} to {folder} ({err.strerror or err}) — check that the folder "
            "is writable and has free space; the file was left where it was"
        ) from err
    log.info("moved %s to %s", path, final)
    return final


def _place(path: Path, folder: Path, taken: Callable[[Path], bool]) -> Path:
    """Give the file a free name in `folder` without removing the original; return the name."""
    try:
        return _link_free(path, folder, path.name, taken)
    except OSError as err:
        if err.errno not in _NO_LINK:
            raise
    staged = _stage_copy(path, folder)  # another disk, or a file system without hard links
    try:
        try:
            return _link_free(staged, folder, path.name, taken)
        except OSError as err:
            if err.errno not in _NO_LINK:
                raise
        final = next(c for c in _candidates(folder, path.name) if not taken(c))
        os.rename(staged, final)  # no links at all here; the folder lock keeps `final` free
        return final
    finally:
        staged.unlink(missing_ok=True)


def _link_free(source: Path, folder: Path, name: str, taken: Callable[[Path], bool]) -> Path:
    """Hard-link `source` to the first free name: atomic, and never replaces a file."""
    for candidate in _candidates(folder, name):
        if taken(candidate):
            continue
        try:
            os.link(source, candidate, follow_symlinks=False)  # a link swapped in moves as a link
        except FileExistsError:
            continue
        return candidate
    raise AssertionError("unreachable: candidate names never run out")


def _stage_copy(path: Path, folder: Path) -> Path:
    """A hidden, synced copy of `path` in `folder`, ready to be given its final name."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        shutil.copy2(path, tmp, follow_symlinks=False)
        with open(tmp, "rb+") as copied:
            os.fsync(copied.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)
