"""The hot folder on real files: what is taken, how files move on, and the folder lock."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from reports.errors import BusyError, ConfigError
from reports.inbox import FolderLock, archive, is_ignored, reject, scan, sha256_of

NOW = 1_795_000_000.0  # a fixed "time.time()" for every scan
DAY = date(2026, 11, 22)


def drop(folder: Path, name: str, age: float = 3600.0, data: bytes = b"PK\x03\x04 roster") -> Path:
    """Put a file in `folder` last modified `age` seconds before NOW."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    os.utime(path, (NOW - age, NOW - age))
    return path


@pytest.mark.parametrize(
    "name",
    [
        "~$harbor.xlsx",  # Excel's lock file while the workbook is open
        ".~lock.harbor.xlsx#",  # LibreOffice's
        ".hidden.xlsx",
        "harbor.xlsx.tmp",
        "~WRL0003.tmp",
        "harbor.xlsx~",
        "harbor.xlsx.crdownload",
        "harbor.xlsx.part",
        "Thumbs.db",
        "desktop.ini",
        ".DS_Store",
    ],
)
def test_lock_hidden_and_temporary_files_are_ignored(name: str) -> None:
    """Files that are not rosters are recognised by name."""
    assert is_ignored(Path("inbox") / name)


@pytest.mark.parametrize("name", ["harbor.xlsx", "harbor (2).xlsm", "old roster.xls", "notes.txt"])
def test_other_files_are_not_ignored(name: str) -> None:
    """Workbooks and anything else a coach might drop are looked at (and maybe rejected)."""
    assert not is_ignored(Path("inbox") / name)


def test_scan_never_takes_ignored_files(tmp_path: Path) -> None:
    """An old lock file or temp file stays in the inbox, untouched."""
    drop(tmp_path, "~$harbor.xlsx")
    drop(tmp_path, "harbor.xlsx.tmp")
    drop(tmp_path, "harbor.xlsx")
    assert scan(tmp_path, min_age_seconds=10, now=NOW) == [tmp_path / "harbor.xlsx"]


def test_a_fresh_file_waits_and_an_old_one_is_taken_at_once(tmp_path: Path) -> None:
    """A file changed within min_age_seconds waits; one older is taken on the first pass."""
    drop(tmp_path, "fresh.xlsx", age=3)
    drop(tmp_path, "old.xlsx", age=11)
    assert scan(tmp_path, min_age_seconds=10, now=NOW) == [tmp_path / "old.xlsx"]


def test_a_growing_file_is_taken_only_once_it_stops_changing(tmp_path: Path) -> None:
    """While a copy keeps appending, each pass sees a fresh mtime and leaves the file alone."""
    path = drop(tmp_path, "harbor.xlsx", age=5)
    assert scan(tmp_path, min_age_seconds=10, now=NOW) == []
    with path.open("ab") as file:
        file.write(b"more bytes")
    os.utime(path, (NOW + 8, NOW + 8))
    assert scan(tmp_path, min_age_seconds=10, now=NOW + 12) == []
    assert scan(tmp_path, min_age_seconds=10, now=NOW + 18) == [path]


def test_links_and_folders_are_never_taken(tmp_path: Path) -> None:
    """A symbolic link is not followed and a folder is not a roster; both stay put."""
    outside = drop(tmp_path / "elsewhere", "secret.xlsx")
    box = tmp_path / "inbox"
    drop(box, "harbor.xlsx")
    (box / "link.xlsx").symlink_to(outside)
    (box / "dangling.xlsx").symlink_to(tmp_path / "missing.xlsx")
    (box / "folder.xlsx").mkdir()
    assert scan(box, min_age_seconds=10, now=NOW) == [box / "harbor.xlsx"]


def test_scan_returns_files_sorted_by_name(tmp_path: Path) -> None:
    """Rosters are processed in a stable order."""
    for name in ("c.xlsx", "a.xlsx", "b.xlsm"):
        drop(tmp_path, name)
    assert [p.name for p in scan(tmp_path, min_age_seconds=0, now=NOW)] == [
        "a.xlsx",
        "b.xlsm",
        "c.xlsx",
    ]


def test_a_missing_inbox_says_how_to_fix_it(tmp_path: Path) -> None:
    """No inbox folder is a configuration problem naming [paths] inbox."""
    with pytest.raises(ConfigError, match=r"\[paths\] inbox"):
        scan(tmp_path / "nope", min_age_seconds=10, now=NOW)


def test_archive_files_by_day_and_never_overwrites(tmp_path: Path) -> None:
    """The same name archived twice on one day keeps both: the second is "harbor (2).xlsx"."""
    root = tmp_path / "archive"
    first = archive(drop(tmp_path / "inbox", "harbor.xlsx", data=b"one"), root, DAY)
    second = archive(drop(tmp_path / "inbox", "harbor.xlsx", data=b"two"), root, DAY)
    day = root / "2026-11-22"
    assert (first, second) == (day / "harbor.xlsx", day / "harbor (2).xlsx")
    assert (first.read_bytes(), second.read_bytes()) == (b"one", b"two")
    assert list((tmp_path / "inbox").iterdir()) == []


def test_reject_writes_one_problem_a_line_beside_the_file(tmp_path: Path) -> None:
    """`team.xlsx` lands in rejected/ with `team.xlsx.errors.txt`, one problem per line."""
    lines = [
        'Mileage!C10: "twelve" is not a distance — type a number of miles, e.g. 12',
        "workbook: the Athletes sheet is missing\n— add it",  # a stray line break is joined
    ]
    moved = reject(drop(tmp_path / "inbox", "team.xlsx"), tmp_path / "rejected", lines)
    assert moved == tmp_path / "rejected" / "team.xlsx"
    report = tmp_path / "rejected" / "team.xlsx.errors.txt"
    assert report.read_text(encoding="utf-8").splitlines() == [
        lines[0],
        "workbook: the Athletes sheet is missing — add it",
    ]
    assert sorted(p.name for p in (tmp_path / "rejected").iterdir()) == [
        "team.xlsx",
        "team.xlsx.errors.txt",
    ]


def test_a_second_rejection_keeps_the_first_file_and_its_report(tmp_path: Path) -> None:
    """Re-dropping a bad file keeps the earlier one; a leftover report also keeps its name."""
    rejected = tmp_path / "rejected"
    reject(drop(tmp_path / "inbox", "team.xlsx", data=b"one"), rejected, ["first"])
    (rejected / "team.xlsx").unlink()  # the coach took the file back but left the report
    moved = reject(drop(tmp_path / "inbox", "team.xlsx", data=b"two"), rejected, ["second"])
    assert moved == rejected / "team (2).xlsx"
    assert (rejected / "team.xlsx.errors.txt").read_text() == "first\n"
    assert (rejected / "team (2).xlsx.errors.txt").read_text() == "second\n"


@pytest.mark.skipif(
    not Path("/dev/shm").is_dir()
    or os.stat("/dev/shm").st_dev == os.stat(tempfile.gettempdir()).st_dev,
    reason="needs a second file system (/dev/shm) to move across",
)
def test_archive_moves_across_file_systems(tmp_path: Path) -> None:
    """From one disk to another the file is copied, then removed from the inbox."""
    other = Path(tempfile.mkdtemp(dir="/dev/shm"))
    try:
        source = drop(tmp_path / "inbox", "harbor.xlsx", data=b"roster bytes")
        moved = archive(source, other / "archive", DAY)
        assert moved.read_bytes() == b"roster bytes" and not source.exists()
        assert [p.name for p in moved.parent.iterdir()] == ["harbor.xlsx"]  # no temp left
    finally:
        shutil.rmtree(other)


def test_moves_work_where_hard_links_are_not_supported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a share without hard links the file is copied under a free name, never overwriting."""

    def no_links(src: object, dst: object, **options: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    root = tmp_path / "archive"
    archive(drop(tmp_path / "inbox", "harbor.xlsx", data=b"one"), root, DAY)
    second = archive(drop(tmp_path / "inbox", "harbor.xlsx", data=b"two"), root, DAY)
    assert second.name == "harbor (2).xlsx" and second.read_bytes() == b"two"
    assert sorted(p.name for p in second.parent.iterdir()) == ["harbor (2).xlsx", "harbor.xlsx"]


def test_sha256_of_is_the_hash_of_the_contents(tmp_path: Path) -> None:
    """The file hash identifies a roster's exact bytes."""
    data = os.urandom(3 * (1 << 20) + 7)  # more than one read block
    path = drop(tmp_path, "harbor.xlsx", data=data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()


def test_the_folder_lock_refuses_a_second_holder_in_the_same_process(tmp_path: Path) -> None:
    """While held, another FolderLock on the same file raises BusyError; after, it works."""
    lock = tmp_path / "cramp-reports.lock"
    with FolderLock(lock), pytest.raises(BusyError, match=f"pid {os.getpid()}"), FolderLock(lock):
        pass
    with FolderLock(lock):
        pass


HOLD = """
import sys
from pathlib import Path
from reports.inbox import FolderLock
with FolderLock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the folder lock until its stdin closes."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "cramp-reports.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline() == "held\n"
        yield proc
        if proc.poll() is None:
            proc.kill()


def test_the_folder_lock_refuses_a_second_process_and_names_its_pid(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    """A pass started while another runs stops with who holds the folder and what to do."""
    lock = tmp_path / "cramp-reports.lock"
    with pytest.raises(BusyError) as caught, FolderLock(lock):
        pass
    text = str(caught.value)
    assert f"pid {holder.pid}" in text and str(tmp_path) in text and "wait for it" in text
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=10) == 0
    with FolderLock(lock):
        pass


def test_a_killed_holder_leaves_the_folder_unlocked(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    """The kernel drops the lock when its holder dies, so a crash never blocks later passes."""
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    with FolderLock(tmp_path / "cramp-reports.lock"):
        pass


def test_a_run_waits_for_another_run_and_takes_the_folder_when_it_is_free(
    tmp_path: Path,
) -> None:
    """With `wait_seconds`, a busy folder is tried again until its holder lets go."""
    lock = tmp_path / "cramp-reports.lock"
    holder = FolderLock(lock)
    holder.__enter__()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            holder.__exit__(None, None, None)

    with FolderLock(lock, wait_seconds=5, sleep=sleep):
        assert lock.read_text().split() == [str(os.getpid()), "run"]
    assert slept == [0.1, 0.1, 0.1]


def test_a_run_never_waits_for_a_serve_and_gives_up_on_a_run_after_its_wait(
    tmp_path: Path,
) -> None:
    """A serve holder refuses at once; a run holder refuses once the wait is spent."""
    lock = tmp_path / "cramp-reports.lock"
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with FolderLock(lock, role="serve"):
        with pytest.raises(BusyError, match="`cramp-reports serve`"):
            FolderLock(lock, wait_seconds=60, sleep=sleep, clock=lambda: now[0]).__enter__()
        assert now[0] == 0.0
    with FolderLock(lock), pytest.raises(BusyError, match="still after waiting 2 s"):
        FolderLock(lock, wait_seconds=2, sleep=sleep, clock=lambda: now[0]).__enter__()
    assert now[0] == pytest.approx(2.0)
