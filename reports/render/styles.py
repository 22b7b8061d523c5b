"""Share computed styles between sheets laid out with the same fonts and stylesheets.

WeasyPrint computes each element's style lazily, property by property, and shares one style
between elements of a document that have the same parent style and match the same rules.
It starts afresh for every document, so every sheet pays again for the same few hundred
styles: about a tenth of a sheet. A computed style depends only on the parent's style, the
rules matched (from stylesheets parsed once per process) and the element's own attributes,
so a process keeps them between documents, keyed the way WeasyPrint keys them within one.
The root's and body's styles, which WeasyPrint changes while it builds a document's boxes
(their overflow moves to the page), are handed out as a fresh copy per document. This
replaces `StyleFor.__init__`, internal to WeasyPrint: it is installed only for the versions
stamping is checked against, and applies only to documents laid out with a registered
`FontConfiguration`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from itertools import count
from math import inf
from typing import Any

MAX_STYLES = 5_000  # a roster's sheets have a few hundred distinct styles; past this, start again
PER_DOCUMENT = ("html", "body")  # their overflow is moved to the page (set_viewport_overflow)


class SharedStyles:
    """Computed styles by (parent's entry, own declarations, rules matched), and their serials."""

    def __init__(self, max_styles: int = MAX_STYLES) -> None:
        self.max_styles = max_styles
        self.hits = 0
        self.entries: dict[tuple[Any, ...], tuple[int, Any, bool]] = {}
        self._serials = count(1)
        self._sheets: set[int] = set()

    def use_sheets(self, sheets: list[Any]) -> None:
        """Forget the styles that matched rules of a stylesheet this document no longer uses."""
        current = {id(sheet) for sheet in sheets}
        if current != self._sheets:
            # The kept blocks' placeholder rules are parsed again each time a block is kept.
            self.entries = {
                key: entry
                for key, entry in self.entries.items()
                if all(id(matched[0]) in current for matched in key[2])
            }
            self._sheets = current

    def add(self, key: tuple[Any, ...], style: Any, fresh_each_time: bool) -> int:
        """Keep `style` (a pristine copy of it when documents change it); its serial."""
        if len(self.entries) >= self.max_styles:
            self.entries.clear()  # keys hold stylesheets that may be gone: start again
        serial = next(self._serials)
        self.entries[key] = (serial, style.copy() if fresh_each_time else style, fresh_each_time)
        return serial


_SHARED: weakref.WeakKeyDictionary[Any, SharedStyles] = weakref.WeakKeyDictionary()


def share(font_config: Any) -> SharedStyles:
    """Share computed styles between documents laid out with `font_config`."""
    install()
    return _SHARED.setdefault(font_config, SharedStyles())


def unshare(font_config: Any) -> None:
    """Compute styles afresh for every document laid out with `font_config`, as WeasyPrint does."""
    _SHARED.pop(font_config, None)


def install() -> None:
    """Route WeasyPrint's style computation through the shared styles (once per process)."""
    from weasyprint.css import StyleFor

    if getattr(StyleFor.__init__, "shared", False):
        return
    StyleFor.__init__ = _sharing(StyleFor.__init__)


def _sharing(original: Callable[..., None]) -> Callable[..., None]:
    """`StyleFor.__init__`, reusing computed styles kept from earlier documents."""

    def init(
        self: Any,
        html: Any,
        sheets: Any,
        presentational_hints: bool,
        font_config: Any,
        target_collector: Any,
    ) -> None:
        shared = _SHARED.get(font_config)
        if shared is None:
            original(self, html, sheets, presentational_hints, font_config, target_collector)
            return
        _compute(self, shared, html, sheets, presentational_hints, font_config, target_collector)

    init.shared = True  # type: ignore[attr-defined]
    return init


def _compute(
    self: Any,
    shared: SharedStyles,
    html: Any,
    sheets: Any,
    presentational_hints: bool,
    font_config: Any,
    target_collector: Any,
) -> None:
    """WeasyPrint 70's `StyleFor.__init__`, its per-document style cache made `shared`."""
    from weasyprint.css import (
        PROGRESS_LOGGER,
        declaration_precedence,
        find_style_attributes,
        preprocess_declarations,
    )

    cascaded_styles: dict[tuple[Any, str | None], dict[str, Any]] = {}
    computed_styles: dict[tuple[Any, str | None], Any] = {}
    self._cascaded_styles, self._computed_styles = cascaded_styles, computed_styles
    self.initial_page_sizes = {"box": None, "area": None}
    self._sheets = sheets
    self.font_config = font_config

    PROGRESS_LOGGER.info("Step 3 - Applying CSS")
    layer_order = inf
    # An element's own declarations (style, lang and id attributes) are parsed afresh for
    # each document: the key holds their text, which is the same from one sheet to the next.
    own_text: dict[Any, tuple[str, ...]] = {}
    for specificity, element, declarations, base_url in find_style_attributes(
        html.etree_element, presentational_hints, html.base_url
    ):
        style = cascaded_styles.setdefault((element, None), {})
        own_text[element] = tuple(declaration.serialize() for declaration in declarations)
        for name, values, importance in preprocess_declarations(base_url, declarations):
            weight = (declaration_precedence("author", importance), layer_order, specificity)
            _declare(style, name, values, weight)

    shared.use_sheets([sheet for sheet, _, _ in sheets])
    entries = shared.entries
    serials: dict[Any, int] = {}  # element -> serial of its shared style
    in_document: dict[tuple[Any, ...], tuple[Any, int]] = {}  # shared within one document
    # Rules each pseudo-element matched: its key, and what to cascade if it is not kept.
    pseudo_matches: dict[tuple[Any, str], list[tuple[Any, ...]]] = {}
    for element in html.wrapper_element.iter_subtree():
        etree_element = element.etree_element
        parent = element.parent.etree_element if element.parent else None
        matches = []
        for sheet, origin, sheet_specificity in sheets:
            for selector in sheet.matcher.match(element):
                specificity, _order, pseudo_type, (declarations, layer) = selector
                layer_order = inf if layer is None else sheet.layers.index(layer)
                # The sheet itself, not its id: the key keeps it alive, so no id is reused.
                match = (
                    sheet,
                    specificity,
                    id(declarations),
                    layer_order,
                    origin,
                    declarations,
                    sheet_specificity,
                )
                if pseudo_type is None:
                    matches.append(match)
                else:
                    pseudo_matches.setdefault((etree_element, pseudo_type), []).append(match)
        key = (
            serials[parent] if parent is not None else None,
            own_text.get(etree_element),
            tuple(match[:4] for match in matches),
        )
        if key in in_document:
            computed_styles[etree_element, None], serials[etree_element] = in_document[key]
            continue
        entry = entries.get(key)
        if entry is None:
            # Cascade only what is computed here: a kept style carries its own cascade.
            _cascade(cascaded_styles.setdefault((etree_element, None), {}), matches)
            self.set_computed_styles(
                etree_element,
                root=html.etree_element,
                parent=parent,
                base_url=html.base_url,
                target_collector=target_collector,
            )
            computed = computed_styles[etree_element, None]
            serial = shared.add(key, computed, _changed_per_document(etree_element))
        else:
            shared.hits += 1
            serial, kept, changed = entry
            computed = kept.copy() if changed else kept
            computed_styles[etree_element, None] = computed
            if target_collector and computed["anchor"]:
                target_collector.collect_anchor(computed["anchor"])
        serials[etree_element] = serial
        in_document[key] = (computed, serial)

    # Pseudo-elements (every element has a ::marker in the default stylesheet) inherit from
    # their element: keyed by its style and the rules they match.
    for (element, pseudo_type), matches in pseudo_matches.items():
        pseudo_key = (serials[element], pseudo_type, tuple(match[:4] for match in matches))
        entry = entries.get(pseudo_key)
        if entry is not None:
            shared.hits += 1
            computed_styles[element, pseudo_type] = entry[1]
            continue
        _cascade(cascaded_styles.setdefault((element, pseudo_type), {}), matches)
        self.set_computed_styles(
            element,
            pseudo_type=pseudo_type,
            root=html.etree_element,
            parent=element,
            base_url=html.base_url,
            target_collector=target_collector,
        )
        shared.add(pseudo_key, computed_styles[element, pseudo_type], False)
    self._cascaded_styles.clear()


def _cascade(style: dict[str, Any], matches: list[tuple[Any, ...]]) -> None:
    """Add the matched rules' declarations to an element's cascaded style, as WeasyPrint does."""
    from weasyprint.css import declaration_precedence

    for _, specificity, _, layer_order, origin, declarations, sheet_specificity in matches:
        specificity = sheet_specificity or specificity
        for name, values, importance in declarations:
            weight = (declaration_precedence(origin, importance), layer_order, specificity)
            _declare(style, name, values, weight)


def _declare(style: dict[str, Any], name: str, values: Any, weight: tuple[Any, ...]) -> None:
    """Give a cascaded property these values unless it holds heavier ones (WeasyPrint's rule)."""
    old_weight = style.get(name, (None, None))[1]
    if old_weight is None or old_weight <= weight:
        style[name] = values, weight


def _changed_per_document(element: Any) -> bool:
    """Whether WeasyPrint changes this element's style while building a document's boxes."""
    return isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1].lower() in PER_DOCUMENT
