"""The text of a PDF, for checks that read what a person reads (number, marker character).

Kept here rather than borrowed from ``services.verification`` so that signing does not import
verification (which imports signing): no import cycle.
"""

from __future__ import annotations

import io
import logging

log = logging.getLogger(__name__)


def pdf_text_lines(data: bytes) -> list[str]:
    """The text of a PDF as non-empty, whitespace-normalised lines (empty if unreadable)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        lines: list[str] = []
        for page in reader.pages:
            for line in (page.extract_text() or "").splitlines():
                text = " ".join(line.split())
                if text:
                    lines.append(text)
        return lines
    except Exception:  # pypdf raises many kinds on a broken file; empty text is the answer
        log.debug("text unreadable", exc_info=True)
        return []


def page_texts(data: bytes) -> list[str]:
    """The raw extracted text of each page (empty strings if unreadable)."""
    from pypdf import PdfReader

    try:
        return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except Exception:  # see above
        log.debug("text unreadable", exc_info=True)
        return []
