"""Output files: names safe on any share, writes that never leave half a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reports import outputs
from reports.errors import OutputError
from reports.outputs import (
    batch_folder,
    read_manifest,
    remove_temporaries,
    slugify,
    unique_slugs,
    write_manifest_json,
    write_output,
)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Maya Chen", "maya-chen"),
        ("  Liam O'Connor ", "liam-o-connor"),
        ("José Álvarez", "jose-alvarez"),
        ("../../etc/passwd", "etc-passwd"),
        ("CON", "con-athlete"),
        ("lpt1", "lpt1-athlete"),
        ("team-summary", "team-summary-athlete"),
        ("李雷", "li-lei"),
        ("😀", "grinning"),
        ("\u200f\u2066", "athlete"),
        ("\u202eevil\u0007", "evil"),
        ("", "athlete"),
    ],
)
def test_slug_is_a_safe_file_name(name: str, slug: str) -> None:
    """Slugs are lowercase ASCII, never a path, never a Windows device name."""
    assert slugify(name) == slug


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Øyvind Søren", "oyvind-soren"),
        ("Zoë Łukasz-Şahin", "zoe-lukasz-sahin"),
        ("Straße Ærø", "strasse-aero"),
        ("İlkay Gündoğan", "ilkay-gundogan"),
        ("Nguyễn Thị Minh Khai", "nguyen-thi-minh-khai"),
        ("Đặng Văn Lâm", "dang-van-lam"),
        ("Νίκος Παπαδόπουλος", "nikos-papadopoylos"),
        ("Иван Петров", "ivan-petrov"),
        ("Жанна Щукина", "zhanna-shchukina"),
        ("王芳", "wang-fang"),
        ("李小龙", "li-xiao-long"),
        ("김민준", "gim-min-jun"),
        ("さくら", "sakura"),
        ("サクラ タナカ", "sakura-tanaka"),
        ("محمد علي", "mhmd-ly"),
        ("דוד כהן", "dvd-khhn"),
        ("प्रिया शर्मा", "priya-srma"),
        ("สมชาย ใจดี", "smchay-aichdi"),
        ("Ａｙａ", "aya"),
    ],
)
def test_slug_spells_every_script_in_latin_letters(name: str, slug: str) -> None:
    """Letters without an ASCII base are transliterated, never dropped; a CJK syllable is a word."""
    assert slugify(name) == slug


def test_names_in_other_scripts_get_their_own_files_not_numbered_athletes() -> None:
    """Athletes named in scripts other than Latin no longer share `athlete`, `athlete-2`…"""
    slugs = unique_slugs([("1", "王芳"), ("2", "김민준"), ("3", "דוד כהן"), ("4", "王芳")])
    assert slugs == {"1": "wang-fang", "2": "gim-min-jun", "3": "dvd-khhn", "4": "wang-fang-2"}


def test_very_long_name_gives_a_short_slug() -> None:
    """A 300-character name still gives a file name well under every file-system limit."""
    assert len(slugify("x" * 300)) <= 60


def test_athletes_with_the_same_slug_get_different_files() -> None:
    """Two athletes named alike (with IDs) never overwrite each other's PDF."""
    slugs = unique_slugs([("1", "Sam Lee"), ("2", "Sam Lee"), ("3", "sam-lee")])
    assert slugs == {"1": "sam-lee", "2": "sam-lee-2", "3": "sam-lee-3"}


def test_batch_folder_stays_inside_the_output_root(tmp_path: Path) -> None:
    """A hostile team name cannot place files outside out/."""
    folder = batch_folder(tmp_path, "../../outside", "2026-11-22")
    assert folder.resolve().is_relative_to(tmp_path.resolve())


def test_atomic_write_leaves_only_the_final_file(tmp_path: Path) -> None:
    """No temporary file survives a successful write."""
    target = tmp_path / "a.pdf"
    write_output(target, b"%PDF-1.7 data")
    assert target.read_bytes() == b"%PDF-1.7 data"
    assert os.listdir(tmp_path) == ["a.pdf"]


def test_failed_write_keeps_the_old_file_and_says_what_to_do(tmp_path: Path) -> None:
    """A write that fails (here: the folder vanished) raises OutputError and leaves nothing half-written."""
    target = tmp_path / "gone" / "a.pdf"
    with pytest.raises(OutputError, match="could not be written"):
        write_output(target, b"data")


def test_manifest_round_trips(tmp_path: Path) -> None:
    """The manifest written is the manifest read back; a damaged one reads as absent."""
    write_manifest_json(tmp_path, {"team": "Harbor", "athletes": []})
    assert read_manifest(tmp_path) == {"team": "Harbor", "athletes": []}
    (tmp_path / "manifest.json").write_text("{broken")
    assert read_manifest(tmp_path) is None


def test_remove_temporaries_takes_only_the_names_this_program_writes(tmp_path: Path) -> None:
    """Leftover `.x.pdf.ab12cd34.tmp`, `.ab12cd34.tmp` and `.x.ab12cd34.part` go; all else stays."""
    leftovers = [".maya-chen.pdf.ab12cd_4.tmp", ".k3j9x0aa.tmp", ".team.xlsx.q8w7e6r5.part"]
    kept = ["maya-chen.pdf", ".coach-notes.tmp", "notes.tmp", ".hidden"]
    (tmp_path / "out" / "team").mkdir(parents=True)
    for name in leftovers + kept:
        (tmp_path / "out" / "team" / name).write_bytes(b"x")
    assert remove_temporaries(tmp_path / "out") == 3
    assert sorted(p.name for p in (tmp_path / "out" / "team").iterdir()) == sorted(kept)


def test_key_journal_records_each_written_sheet_until_retired(
    tmp_path: Path,
) -> None:
    """Keys of sheets written before a stop survive it; the manifest then retires them."""
    journal = outputs.KeyJournal(tmp_path)
    journal.record("maya chen", "a" * 64)
    journal.record("leo park", "b" * 64)
    journal.record("maya chen", "c" * 64)
    journal.close()
    assert outputs.read_key_journal(tmp_path) == {"maya chen": "c" * 64, "leo park": "b" * 64}
    outputs.write_manifest_json(tmp_path, {"athletes": []})
    assert outputs.read_key_journal(tmp_path) != {}, "a manifest alone does not retire it"
    outputs.retire_key_journal(tmp_path)
    assert outputs.read_key_journal(tmp_path) == {}
    assert not (tmp_path / outputs.KEY_JOURNAL).exists()


def test_key_journal_skips_a_line_cut_short_by_a_kill(tmp_path: Path) -> None:
    """A torn last line is not a key: that one sheet is rendered again, nothing else."""
    (tmp_path / outputs.KEY_JOURNAL).write_text(f"maya chen\t{'a' * 64}\nleo park\t{'b' * 20}")
    assert outputs.read_key_journal(tmp_path) == {"maya chen": "a" * 64}
