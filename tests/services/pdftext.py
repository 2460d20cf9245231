"""Reading a PDF back as a user would read it: its text."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def squash(text: str) -> str:
    """Text without line breaks or repeated spaces, for phrases that wrap."""
    return " ".join(text.split())
