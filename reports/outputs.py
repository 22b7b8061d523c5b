"""The output folder: safe file names, atomic writes, and the manifest beside the PDFs."""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from reports.errors import OutputError
from reports.files import write_atomic as _write_file

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SUMMARY = "team-summary.pdf"

# Names Windows refuses as file names, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}
_MAX_SLUG = 60
# The temporary names this program writes before a rename: `.<final name>.<8 random>.tmp`,
# `.<8 random>.tmp` (tempfile.mkstemp) and `.<name>.<8 random>.part` (a staged copy).
_TEMPORARY = re.compile(r"^\.(?:.+\.)?[a-z0-9_]{8}\.(?:tmp|part)$")


def slugify(text: str, fallback: str = "athlete") -> str:
    """A lowercase ASCII file-name part that is valid on Windows shares and never escapes a folder."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:_MAX_SLUG].strip("-")
    if not slug:
        slug = fallback
    if slug in _RESERVED or slug == SUMMARY.removesuffix(".pdf"):
        slug = f"{slug}-{fallback}"
    return slug


def unique_slugs(names: list[tuple[str, str]]) -> dict[str, str]:
    """Map each (key, name) to a slug, numbering repeats so two athletes never share a file."""
    taken: set[str] = set()
    slugs: dict[str, str] = {}
    for key, name in names:
        base = slugify(name)
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs[key] = slug
    return slugs


def batch_folder(out_root: Path, team: str, report_date: str) -> Path:
    """`out/<team-slug>/<report-date>/`, created if missing."""
    folder = out_root / slugify(team, fallback="team") / report_date
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{folder}: cannot create the output folder ({err.strerror})") from err
    return folder


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, then rename, so no reader sees half a file."""
    try:
        _write_file(path, data, mode=0o644)  # 0644: the coach's share must read the sheets
    except OSError as err:
        raise OutputError(
            f"{path}: could not be written ({err.strerror or err}) — free some disk space or "
            "check the folder's permissions, then run again"
        ) from err


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write `manifest.json` atomically and return its path."""
    path = folder / MANIFEST
    write_atomic(path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    return path


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest a previous run left in `folder`, or None if absent or unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def remove_temporaries(folder: Path) -> int:
    """Delete the temporary files a killed pass left under `folder`; returns how many.

    Call it only with the folder lock held, when no other pass can be writing.
    """
    removed = 0
    for parent, _dirs, files in os.walk(folder):
        for name in files:
            if _TEMPORARY.match(name):
                try:
                    os.unlink(os.path.join(parent, name))
                except OSError as err:
                    log.warning("could not remove %s (%s)", name, err.strerror or err)
                    continue
                removed += 1
    if removed:
        log.info(
            "removed %d temporary file(s) left under %s by an interrupted pass", removed, folder
        )
    return removed
