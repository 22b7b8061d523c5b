"""WeasyPrint's floor, in an interpreter that imports nothing else: `python -m bench.floor N`.

A one-line document rendered with a default call (`HTML(string=...).write_pdf()`: a fresh
font configuration and the default stylesheet each time), N times; prints ms per document.
"""

from __future__ import annotations

import json
import sys
import time

from weasyprint import HTML


def floor(count: int) -> dict[str, float]:
    """ms per one-line document, after one warm-up document."""
    HTML(string="<p>warm-up</p>").write_pdf()
    started = time.perf_counter()
    for i in range(count):
        HTML(string=f"<p>One line of text, document {i}.</p>").write_pdf()
    return {"ms_per_doc": (time.perf_counter() - started) / count * 1000, "docs": count}


if __name__ == "__main__":
    print(json.dumps(floor(int(sys.argv[1]))))
