"""The text in a document's QR code: ``PRZ|<number>|<verification code>``.

A leaf module: documents write it, verification reads it, and neither imports the other
for it.
"""

from __future__ import annotations

QR_PREFIX = "PRZ"


def qr_payload(number: str, code: str) -> str:
    return f"{QR_PREFIX}|{number}|{code}"


def parse_qr_payload(text: str) -> tuple[str, str] | None:
    parts = text.strip().split("|")
    if len(parts) != 3 or parts[0] != QR_PREFIX:
        return None
    return parts[1], parts[2]
