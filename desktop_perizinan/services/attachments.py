"""Attachments: type checked by content (not by name), size-limited, hashed, stored once.

The bytes live in the database so that every PC of a LAN install reaches them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import Attachment, AttachmentBlob
from desktop_perizinan.errors import ValidationError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

#: magic bytes -> (mime, label, extensions the name may carry)
_SIGNATURES: tuple[tuple[bytes, str, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", "PDF", (".pdf",)),
    (b"\xff\xd8\xff", "image/jpeg", "JPG", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG", (".png",)),
)


@dataclass(frozen=True)
class AttachmentIn:
    file_name: str
    data: bytes
    requirement_code: str | None = None


def sniff(data: bytes) -> tuple[str, str, tuple[str, ...]] | None:
    """(mime, label, extensions) judged from the first bytes, or None when not accepted."""
    head = data[:1024]
    for magic, mime, label, extensions in _SIGNATURES:
        if head.startswith(magic) or (mime == "application/pdf" and magic in head):
            return mime, label, extensions
    return None


def check_attachment(item: AttachmentIn, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return the mime type, or raise a clear Indonesian message."""
    name = PurePath(item.file_name).name or "lampiran"
    if not item.data:
        raise ValidationError(f"Berkas '{name}' kosong.", "lampiran")
    if len(item.data) > max_bytes:
        raise ValidationError(
            f"Berkas '{name}' terlalu besar ({len(item.data) / 1048576:.1f} MB); "
            f"batasnya {max_bytes / 1048576:.0f} MB. Pindai ulang dengan resolusi lebih rendah.",
            "lampiran",
        )
    found = sniff(item.data)
    if found is None:
        raise ValidationError(
            f"Berkas '{name}' bukan PDF, JPG atau PNG (isi berkas diperiksa, bukan namanya).",
            "lampiran",
        )
    mime, label, extensions = found
    suffix = PurePath(name).suffix.lower()
    if suffix and suffix not in extensions:
        raise ValidationError(
            f"Berkas '{name}' bernama {suffix.lstrip('.').upper()} tetapi isinya {label}. "
            "Periksa kembali berkas yang dipilih.",
            "lampiran",
        )
    return mime


def store_attachment(
    session: Session,
    item: AttachmentIn,
    *,
    case_id: int,
    user_id: int,
    when,  # datetime
    step_record_id: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Attachment:
    mime = check_attachment(item, max_bytes)
    digest = hashlib.sha256(item.data).hexdigest()
    blob = session.scalars(select(AttachmentBlob).where(AttachmentBlob.sha256 == digest)).first()
    if blob is None:
        blob = AttachmentBlob(sha256=digest, data=item.data)
        session.add(blob)
        session.flush()
    attachment = Attachment(
        case_id=case_id,
        step_record_id=step_record_id,
        requirement_code=item.requirement_code,
        file_name=PurePath(item.file_name).name[:300],
        mime=mime,
        size=len(item.data),
        sha256=digest,
        blob_id=blob.id,
        uploaded_at=when,
        uploaded_by=user_id,
    )
    session.add(attachment)
    return attachment
