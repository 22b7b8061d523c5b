"""The PDF engine: WeasyPrint through its documented API, and the URL fetcher that locks it in.

WeasyPrint is imported when the first engine is built, not before: a process that only
hands sheets to workers, writes emails or checks keys never loads it (about 40 MB and a
second of start-up). What one process shares between its PDFs is what the public API
offers for it: one `FontConfiguration` and the stylesheet parsed once as a `CSS` object.
"""

from __future__ import annotations

import ctypes.util
import importlib.metadata
import logging
import mimetypes
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

logger = logging.getLogger(__name__)

# Tagged PDF/UA-1: structure, language, title and alternative text for screen readers.
PDF_VARIANT = "pdf/ua-1"


def harfbuzz_subset_available() -> bool:
    """Whether the system has libharfbuzz-subset, which WeasyPrint subsets fonts with (fast)."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


def weasyprint_version() -> str:
    """The installed WeasyPrint's version, read without importing it."""
    try:
        return importlib.metadata.version("weasyprint")
    except importlib.metadata.PackageNotFoundError:  # e.g. vendored: fall back to the module
        import weasyprint

        return str(weasyprint.__version__)


class LockedFetcher:
    """Serves files inside the template folders and refuses every other URL."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: Any = None) -> Any:
        """Return the file behind a `file://` URL inside a root; refuse anything else."""
        from weasyprint.urls import URLFetcherResponse

        path = self.allowed_path(url)
        if path is None:
            logger.warning(
                "refused to fetch %s: templates may only use files inside their folder", url[:300]
            )
            raise ValueError(f"refused to fetch {url[:300]}")
        mime, _ = mimetypes.guess_type(path.name)
        headers_out = {"Content-Type": mime or "application/octet-stream"}
        return URLFetcherResponse(url, path.read_bytes(), headers_out)

    def allowed_path(self, url: str) -> Path | None:
        """The local file a URL names when it is a regular file inside a root, else None."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()  # resolve() defeats symlinks and ..
        if not path.is_file():
            return None
        return path if any(path.is_relative_to(root) for root in self.roots) else None

    def for_weasyprint(self) -> Any:
        """This fetcher in the shape WeasyPrint calls (a `URLFetcher` with file:// only)."""
        from weasyprint.urls import URLFetcher

        locked = self

        class Fetcher(URLFetcher):  # type: ignore[misc]
            def fetch(self, url: str, headers: Any = None) -> Any:
                return locked.fetch(url, headers)

        return Fetcher(timeout=1, allowed_protocols=("file",))


class PdfEngine:
    """HTML to PDF with one font configuration and one parsed stylesheet for every document.

    Raises whatever WeasyPrint raises: the caller knows which template to name.
    """

    def __init__(
        self, fetcher: LockedFetcher, base: Path, stylesheet: Path, page_size: str
    ) -> None:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        self._html = HTML
        self.base_url = f"{base}{os.sep}"
        self.fetcher = fetcher.for_weasyprint()
        self.font_config = FontConfiguration()
        text = stylesheet.read_text(encoding="utf-8")
        self.css = CSS(
            string=f"{text}\n@page {{ size: {page_size}; }}\n",
            base_url=f"{stylesheet.parent}{os.sep}",
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )

    def pdf(self, html: str) -> bytes:
        """Lay out one HTML document with the shared fonts and stylesheet."""
        source = self._html(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
        return bytes(
            source.write_pdf(
                stylesheets=[self.css], font_config=self.font_config, pdf_variant=PDF_VARIANT
            )
        )
