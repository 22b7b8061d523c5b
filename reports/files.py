"""File-system steps every adapter needs: write a file whole or not at all, and make it stick.

Not an adapter of its own: it owns no kind of I/O, only the way files are written.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from pathlib import Path


def replace_atomically(target: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write a hidden temp file beside `target`, sync it, rename it into place, sync the folder.

    A crash at any point leaves either the old file or the new one under `target`, never half
    of one. `mode` sets the permissions (default: mkstemp's owner-only 0600). Raises OSError.
    """
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            if mode is not None:
                os.fchmod(out.fileno(), mode)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (renames, links) to disk, so a rename survives a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a regular file's contents, as hex; never read through a link. Raises OSError."""
    digest = hashlib.sha256()
    # O_NONBLOCK: a FIFO swapped in under the name must not block the open.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file")
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
