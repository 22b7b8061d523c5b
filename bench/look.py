"""Do the sheets look the same? Render the sample rosters at two revisions, compare the pages as PNG.

Run from the project root (about a minute; needs `pdftoppm` from poppler-utils):

    .venv/bin/python -m bench.look              # against the sheets as they were before
    .venv/bin/python -m bench.look REVISION     # against any other commit

Each revision renders every sample roster with its own code and templates (exported with
`git archive` into a temporary folder), every page of every PDF becomes a PNG at `--dpi`, and pages are compared
pixel by pixel. Prints one line per page that differs and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[1]
# The sheets before they became plain templates on WeasyPrint's public API (laid out by
# the block-reusing renderer, whose pages matched plain layout at 05cbda9 pixel for pixel).
BEFORE = "59136e7"


def render_samples(code: Path, out: Path) -> list[Path]:
    """Every sample roster rendered by the package in `code`; the PDFs, sorted."""
    for roster in sorted((ROOT / "sample_rosters").glob("*.xlsx")):
        command = [sys.executable, "-m", "reports", "-q", "render", str(roster), "--out", str(out)]
        subprocess.run(command, cwd=code, check=True, capture_output=True)
    return sorted(out.rglob("*.pdf"))


def pages(pdf: Path, folder: Path, dpi: int) -> list[Path]:
    """The PDF's pages as PNG files."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def differing_area(first: Path, second: Path) -> tuple[int, int, int, int] | None:
    """The box around every pixel that differs, or None when the pages are identical."""
    with Image.open(first) as a, Image.open(second) as b:
        if a.size != b.size:
            return (0, 0, *a.size)
        box = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox()
        return None if box is None else (box[0], box[1], box[2], box[3])


def main(argv: list[str] | None = None) -> int:
    """Render both sides, compare every page, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", nargs="?", default=BEFORE)
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="copy the pages (PNG) of both sides here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cramp-look-") as tmp:
        work = Path(tmp)
        old = work / "code"
        old.mkdir()
        archive = subprocess.run(
            ["git", "archive", args.revision], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        before = render_samples(old, work / "before")
        after = render_samples(ROOT, work / "after")
        names = [p.relative_to(work / "before") for p in before]
        if names != [p.relative_to(work / "after") for p in after]:
            print("the two revisions wrote different files")
            return 1
        same = different = 0
        for name in names:
            old_pages = pages(work / "before" / name, work / "png-before" / name, args.dpi)
            new_pages = pages(work / "after" / name, work / "png-after" / name, args.dpi)
            if len(old_pages) != len(new_pages):
                print(f"{name}: {len(old_pages)} page(s) before, {len(new_pages)} after")
                different += 1
                continue
            for number, (a, b) in enumerate(zip(old_pages, new_pages, strict=True), 1):
                area = differing_area(a, b)
                if area is None:
                    same += 1
                else:
                    different += 1
                    print(f"{name} page {number}: pixels differ within {area}")
        if args.keep:
            for side in ("png-before", "png-after"):
                shutil.copytree(work / side, args.keep / side, dirs_exist_ok=True)
        print(
            f"{len(names)} PDFs of the sample rosters, {same + different} pages at {args.dpi} dpi "
            f"against {args.revision}: {same} identical, {different} different"
        )
        return 1 if different else 0


if __name__ == "__main__":
    raise SystemExit(main())
