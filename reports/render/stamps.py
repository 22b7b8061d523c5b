"""Lay out a repeated block once per process and reuse the laid-out block on every later sheet.

Most of a sheet is the same for every athlete of a team: the mid-run box, the everyday
habits, the advice for each rule, the disclaimer. A template marks such a block with
`{% filter stamp %}…{% endfilter %}`. The first sheet that shows a block lays it out as
usual; its laid-out boxes are kept, keyed by the block's exact HTML. Every later sheet with
the same HTML gets, instead of the block, an empty placeholder with the block's measured
height and margins, so the page flows exactly as before, and after layout the kept boxes
are moved to the placeholder's place and drawn there. Layout is most of what a sheet
costs, and these blocks are most of a sheet.

This reaches into WeasyPrint's laid-out boxes (`Document.pages[i]._page_box`), which are
not a public API: `SUPPORTED_WEASYPRINT` names the versions it was checked against (the
test suite compares stamped and plain PDFs byte for byte), and any other version, or any
surprise, turns stamping off and lays every block out in full.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from reports.render import replay

logger = logging.getLogger(__name__)

SUPPORTED_WEASYPRINT = ("70.",)
# A team's sheets share a few dozen blocks. A block is kept only once a second sheet shows
# the same HTML, so a block that differs per athlete is never kept; these bound what the
# book remembers whatever a custom template does.
MAX_STAMPS = 128
MAX_REMEMBERED = 4096
LEARN = "data-stamp-learn"
USE = "data-stamp"
_FIRST_TAG = re.compile(r"\A(\s*<[a-zA-Z][a-zA-Z0-9-]*)(?=[\s>])")
# A CSS length WeasyPrint reads back to the same float: plain decimal, no exponent.
_PLAIN_NUMBER = re.compile(r"\A-?\d+(\.\d+)?\Z")


@dataclass
class Stamp:
    """One laid-out block and the space it takes in the flow (CSS px)."""

    box: Any
    margin_top: float
    margin_right: float
    margin_bottom: float
    margin_left: float
    height: float
    painted: tuple[Any, ...] = ()  # the boxes in it with a background to place
    break_before: str = "auto"  # what its first boxes ask of a page break before it
    break_after: str = "auto"

    def rule(self, number: int) -> str | None:
        """The CSS that makes placeholder `number` take exactly this block's place, if writable.

        A shared, pre-parsed stylesheet (`StampBook.css`) rather than a `style` attribute:
        WeasyPrint parses every `style` attribute of every sheet again.
        """
        values = [
            self.margin_top,
            self.margin_right,
            self.margin_bottom,
            self.margin_left,
            self.height,
        ]
        texts = [repr(float(v)) for v in values]
        if not all(_PLAIN_NUMBER.match(t) for t in texts):
            return None
        top, right, bottom, left, height = texts
        breaks = "".join(
            f"; break-{side}: {value}"
            for side, value in (("before", self.break_before), ("after", self.break_after))
            if value != "auto"
        )
        declarations = (
            f"margin: {top}px {right}px {bottom}px {left}px; height: {height}px; padding: 0; "
            f"border: 0; break-inside: avoid{breaks}"
        ).replace(";", " !important;")
        return f".{USE}-{number} {{ {declarations} !important }}"


def placeholder(number: int) -> Markup:
    """The empty block that stands for kept block `number` (its rule gives it its place)."""
    return Markup(f'<div {USE}="{number}" class="{USE}-{number}"></div>')


class StampsFailed(Exception):
    """Reusing laid-out blocks went wrong: the caller lays the sheet out again in full.

    Reuse stays on (`StampBook.enabled`) when only one block was at fault: it is forgotten.
    """


class _Misfit(Exception):
    """A kept block's placeholder landed in a box of another width than the block's."""

    def __init__(self, number: int, width: float, kept: float) -> None:
        super().__init__(f"block {number} was kept {kept:.2f}px wide but placed {width:.2f}px wide")
        self.number = number


class StampBook:
    """The blocks one process has laid out, and the bookkeeping of the sheet being rendered."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.active = False  # only inside `sheet()`: any other HTML stays plain
        self._stamps: list[Stamp] = []
        self._numbers: dict[str, int] = {}
        self._learning: list[str] = []
        self._placed: set[int] = set()  # kept blocks this sheet shows, by number
        self._seen: set[int] = set()  # hashes of blocks shown once, not kept yet
        self._failed: set[str] = set()  # blocks that can never be kept
        self.reused = 0  # blocks grafted instead of laid out, over the book's life
        self.css = ""  # the placeholders' rules: a stylesheet for every sheet's layout

    def __len__(self) -> int:
        return len(self._stamps)

    @contextmanager
    def sheet(self) -> Iterator[None]:
        """While a sheet's HTML is rendered, the `stamp` filter swaps known blocks for placeholders."""
        self.active, self._learning, self._placed = self.enabled, [], set()
        try:
            yield
        finally:
            self.active = False

    def mark(self, fragment: str) -> Markup:
        """The `stamp` template filter: a placeholder for a known block, else the block, marked."""
        html = Markup(fragment)
        if not self.active:
            return html
        number = self._numbers.get(html)
        if number is not None:
            if number in self._placed:
                return html  # one laid-out block can stand in one place per sheet only
            self._placed.add(number)
            return placeholder(number)
        if html in self._failed or len(self._stamps) >= MAX_STAMPS:
            return html
        if hash(html) not in self._seen:
            _remember(self._seen, hash(html))
            return html  # first sighting: keep it only if another sheet shows it too
        marked, found = _FIRST_TAG.subn(rf'\1 {LEARN}="{len(self._learning)}"', str(html), count=1)
        if not found:
            return html
        self._learning.append(str(html))
        return Markup(marked)

    def apply(self, document: Any) -> None:
        """Put kept blocks into their placeholders and keep the blocks this sheet laid out."""
        if not (self._placed or self._learning):
            return
        try:
            self._apply(document)
        except _Misfit as misfit:
            self._forget(misfit.number)
            raise StampsFailed(str(misfit)) from misfit
        except Exception as err:  # internals of another WeasyPrint, or a bug: never a bad PDF
            self.enabled = False
            raise StampsFailed(str(err)) from err

    def _apply(self, document: Any) -> None:
        """`apply`, unguarded."""
        grafted = False
        learnt: dict[int, list[Any]] = {}
        for page in document.pages:
            for box in _outermost(page._page_box, (USE, LEARN)):
                number = box.element.get(USE)
                if number is not None:
                    stamp = self._stamps[int(number)]
                    width, kept = box.border_width(), stamp.box.border_width()
                    if abs(width - kept) > 1e-6:  # same HTML, narrower or wider place
                        raise _Misfit(int(number), width, kept)
                    _graft(stamp, box, page._page_box)
                    grafted = True
                    self.reused += 1
                else:
                    learnt.setdefault(int(box.element.get(LEARN)), []).append(box)
        for index, found in learnt.items():
            self._keep(self._learning[index], found)
        if grafted:
            _gather_anchors_again(document)

    def _forget(self, number: int) -> None:
        """Never use a kept block again: its HTML is laid out in full from now on."""
        html = next(h for h, n in self._numbers.items() if n == number)
        del self._numbers[html]
        _remember(self._failed, html)

    def _keep(self, html: str, found: list[Any]) -> None:
        """Keep a block laid out in full, if one unbreakable placeholder can stand for it."""
        if html in self._numbers or html in self._failed or len(self._stamps) >= MAX_STAMPS:
            return
        (box, *more) = found
        if more or box.style["break_inside"] not in ("avoid", "avoid-page") or not _plain(box):
            # Split across pages, or free to split (a placeholder never splits), or images.
            _remember(self._failed, html)
            return
        top, bottom = _collapsed(box, "top"), _collapsed(box, "bottom")
        if top is None or bottom is None:
            return  # at the top or foot of a page: learn it from a later sheet
        stamp = Stamp(
            box=box,
            margin_top=top,
            margin_right=box.margin_right,
            margin_bottom=bottom,
            margin_left=box.margin_left,
            height=box.border_height(),
            painted=tuple(b for b in _subtree(box) if b.background is not None),
            break_before=_break_between(box, "before"),
            break_after=_break_between(box, "after"),
        )
        rule = stamp.rule(len(self._stamps))
        if rule is None:
            _remember(self._failed, html)
            return
        _pin_text(box)
        self._numbers[html] = len(self._stamps)
        self._stamps.append(stamp)
        self.css += rule + "\n"


def _remember(memory: set[Any], item: Any) -> None:
    """Add to a bounded memory, forgetting everything once it is full (it is only a cache)."""
    if len(memory) >= MAX_REMEMBERED:
        memory.clear()
    memory.add(item)


def _outermost(box: Any, attributes: tuple[str, ...]) -> Iterator[Any]:
    """Boxes whose element carries one of `attributes`, not looking inside them."""
    stack = [box]
    while stack:
        current = stack.pop()
        element = getattr(current, "element", None)
        if element is not None and any(element.get(a) is not None for a in attributes):
            yield current
            continue
        children = getattr(current, "all_children", None)
        if children is not None:
            stack.extend(reversed(list(children())))


def _subtree(box: Any) -> Iterator[Any]:
    """A box and every box inside it."""
    stack = [box]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(getattr(current, "all_children", list)())


def _collapsed(box: Any, side: str) -> float | None:
    """A block's margin on one side once collapsed with its first (last) child's, per CSS 2."""
    positive, negative = 0.0, 0.0
    current = box
    while current is not None:
        margin = current.margin_top if side == "top" else current.margin_bottom
        declared = current.style[f"margin_{side}"]
        if getattr(declared, "unit", None) != "px" or declared.value != margin:
            # Truncated at a page break, or relative to something: not this block's own.
            return None
        positive, negative = max(positive, margin), min(negative, margin)
        collapses = (
            current.top_margin_collapses if side == "top" else current.bottom_margin_collapses
        )
        if side == "bottom" and current.style["height"] != "auto":
            break
        children = [c for c in getattr(current, "children", ()) if c.is_in_normal_flow()]
        child = (children[0] if side == "top" else children[-1]) if children else None
        if child is None or not collapses() or not _is_block(child):
            break
        current = child
    return positive + negative


def _break_between(box: Any, side: str) -> str:
    """The break value a block and its first (last) descendants ask for on one side.

    WeasyPrint reads these down the chain of first (last) children when it weighs a break
    between siblings; an empty placeholder has no children, so it carries the result.
    """
    from weasyprint.layout.block import block_level_page_break

    # With no sibling on the other side, WeasyPrint's own weighing gives this side's value.
    pair = (None, box) if side == "before" else (box, None)
    return str(block_level_page_break(*pair))


def _is_block(box: Any) -> bool:
    """Whether a box is a block whose margins can collapse with its parent's."""
    from weasyprint.formatting_structure import boxes

    return isinstance(box, boxes.BlockBox)


def _pin_text(box: Any) -> None:
    """Keep each line's shaped text alive between sheets instead of shaping it at every draw."""
    from weasyprint.text.line_break import Layout

    pinned = _pinned_layout_class()
    replay.install(is_pinned)
    for current in _subtree(box):
        layout = getattr(current, "pango_layout", None)
        if type(layout) is Layout:
            layout.__class__ = pinned


def is_pinned(layout: Any) -> bool:
    """Whether a line's layout belongs to a kept block (and so draws the same every time)."""
    return type(layout) is _pinned_layout_class()


@functools.cache
def _pinned_layout_class() -> type:
    """WeasyPrint's line layout, activated once by drawing and never released."""
    from weasyprint.text.line_break import Layout

    class Pinned(Layout):  # type: ignore[misc]
        def deactivate(self) -> None:
            pass

        def reactivate(self, style: Any) -> None:
            if not hasattr(self, "layout"):
                super().reactivate(style)

    return Pinned


def _graft(stamp: Stamp, placeholder: Any, page_box: Any) -> None:
    """Move the kept block onto the placeholder and hang it there to be drawn."""
    from weasyprint.layout.background import layout_box_backgrounds

    box = stamp.box
    box.translate(
        placeholder.border_box_x() - box.border_box_x(),
        placeholder.border_box_y() - box.border_box_y(),
    )
    # Backgrounds are placed in page coordinates after layout: place them again.
    for painted in stamp.painted:
        layout_box_backgrounds(page_box, painted, _no_images, layout_children=False)
    placeholder.children = [box]


def _no_images(**_: Any) -> None:
    """Blocks with images are never kept (see `_plain`), so nothing is ever fetched here."""
    raise AssertionError("a kept block asked for an image")


def _plain(box: Any) -> bool:
    """Whether a block draws without fetched images and sets nothing outside itself."""
    for current in _subtree(box):
        style = current.style
        if (
            any(kind == "url" for kind, _ in style["background_image"])
            or style["border_image_source"][0] == "url"
            or style["mask_border_source"][0] == "url"
            or type(current).__name__.endswith("ReplacedBox")
            or style["page"] not in ("auto", "")
            or style["string_set"] != "none"  # running headers and footers read these
        ):
            return False
    return True


def _gather_anchors_again(document: Any) -> None:
    """Recollect each page's bookmarks and links: grafted blocks carry headings too."""
    from weasyprint.anchors import gather_anchors

    for page in document.pages:
        page.anchors, page.links, page.bookmarks, page.forms = {}, [], [], {None: []}
        gather_anchors(page._page_box, page.anchors, page.links, page.bookmarks, page.forms)


def weasyprint_supported(version: str) -> bool:
    """Whether stamping was checked against this WeasyPrint version."""
    return version.startswith(SUPPORTED_WEASYPRINT)
