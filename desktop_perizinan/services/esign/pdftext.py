"""The text of a PDF, for checks that read what a person reads (number, marker character).

The lines come from ``services.pdf_payload`` (a leaf module: signing may use it without
importing verification, which imports signing); the pages' raw text is read here.
"""

from __future__ import annotations

import io
import logging

from desktop_perizinan.services.pdf_payload import pdf_text_lines

__all__ = ["page_texts", "pdf_text_lines"]

log = logging.getLogger(__name__)


def page_texts(data: bytes) -> list[str]:
    """The raw extracted text of each page (empty strings if unreadable)."""
    from pypdf import PdfReader

    try:
        return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except Exception:  # see above
        log.debug("text unreadable", exc_info=True)
        return []
