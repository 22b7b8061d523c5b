"""The output folder: safe file names, atomic writes, and the manifest beside the PDFs."""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from anyascii import anyascii

from reports.errors import OutputError
from reports.files import replace_atomically

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SUMMARY = "team-summary.pdf"
# Sheet keys of PDFs written since the last manifest, one `id<TAB>key` line each: a batch
# stopped before its manifest still knows which sheets it finished. Gone once the manifest is.
KEY_JOURNAL = ".sheet-keys"

# Names Windows refuses as file names, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}
_MAX_SLUG = 60
# The temporary names this program writes before a rename: `.<final name>.<8 random>.tmp`,
# `.<8 random>.tmp` (tempfile.mkstemp) and `.<name>.<8 random>.part` (a staged copy).
_TEMPORARY = re.compile(r"^\.(?:.+\.)?[a-z0-9_]{8}\.(?:tmp|part)$")


def slugify(text: str, fallback: str = "athlete") -> str:
    """A lowercase ASCII file-name part that is valid on Windows shares and never escapes a folder."""
    ascii_text = "".join(_latin(ch) for ch in text)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:_MAX_SLUG].strip("-")
    if not slug:
        slug = fallback
    if slug in _RESERVED or slug == SUMMARY.removesuffix(".pdf"):
        slug = f"{slug}-{fallback}"
    return slug


def _latin(char: str) -> str:
    """One character in ASCII letters: its accents dropped, else transliterated (王 → Wang)."""
    # Decomposing first keeps every file name the accent-dropping slugs gave (é → e) as it was;
    # only letters that used to vanish (Ø, Ł, 王, 김, ש…) are now transliterated.
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if plain:
        return plain
    latin = anyascii(char)
    # A caseless character spelled as a capitalised word is a syllable of its own (Chinese,
    # Korean): 王芳 → "Wang Fang", not "WangFang". Spaces become hyphens in the slug.
    if latin[:1].isupper() and char.lower() == char.upper():
        return f" {latin} "
    return latin


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


def batch_path(out_root: Path, team: str, report_date: str) -> Path:
    """`out/<team-slug>/<report-date>/`, whether or not it exists."""
    return out_root / slugify(team, fallback="team") / report_date


def batch_folder(out_root: Path, team: str, report_date: str) -> Path:
    """`out/<team-slug>/<report-date>/`, created if missing."""
    folder = batch_path(out_root, team, report_date)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{folder}: cannot create the output folder ({err.strerror})") from err
    return folder


def write_output(path: Path, data: bytes) -> None:
    """Write an output file whole (readable by the coach's share) or raise OutputError saying how to fix it."""
    try:
        replace_atomically(path, data, mode=0o644)  # 0644: the coach's share must read the sheets
    except OSError as err:
        raise OutputError(
            f"{path}: could not be written ({err.strerror or err}) — free some disk space or "
            "check the folder's permissions, then run again"
        ) from err


def write_manifest_json(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write `manifest.json` atomically and return its path."""
    path = folder / MANIFEST
    write_output(path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    return path


def retire_key_journal(folder: Path) -> None:
    """Remove the key journal once a manifest holding every sheet's key is written."""
    try:
        (folder / KEY_JOURNAL).unlink(missing_ok=True)
    except OSError as err:  # harmless: the manifest's keys are as new as the journal's
        log.warning("could not remove %s (%s)", folder / KEY_JOURNAL, err.strerror or err)


class KeyJournal:
    """Appends the key of each sheet written to the batch folder, as it is written."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / KEY_JOURNAL
        self._file: Any = None

    def record(self, entry: str, key: str) -> None:
        """Note that the sheet of `entry` (an athlete id) with `key` is on disk."""
        if "\n" in entry or "\r" in entry:
            return  # cannot be one line: that sheet is simply rendered again next time
        try:
            if self._file is None:
                self._file = self.path.open("a", encoding="utf-8")
            # One write per line, flushed: a killed process loses at most the line it was on.
            self._file.write(f"{entry}\t{key}\n")
            self._file.flush()
        except OSError as err:
            raise OutputError(
                f"{self.path}: could not be written ({err.strerror or err}) — free some disk "
                "space or check the folder's permissions, then run again"
            ) from err

    def close(self) -> None:
        """Close the journal file (it stays on disk until the manifest replaces it)."""
        if self._file is not None:
            self._file.close()
            self._file = None


def read_key_journal(folder: Path) -> dict[str, str]:
    """Keys the journal holds, the last line for an id winning; torn or odd lines ignored."""
    try:
        text = (folder / KEY_JOURNAL).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    keys: dict[str, str] = {}
    for line in text.splitlines():
        entry, tab, key = line.rpartition("\t")
        if tab and len(key) == 64:  # a whole SHA-256: a line cut short by a kill is skipped
            keys[entry] = key
    return keys


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
