"""Attachments: type checked by content (not by name), size-limited, hashed, stored once.

The bytes live in the database so that every PC of a LAN install reaches them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import Attachment, AttachmentBlob
from desktop_perizinan.errors import ValidationError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: The length of ``Attachment.file_name``.
MAX_NAME = 300
#: A PDF ends with ``%%EOF``; readers look for it in the last KB (junk or a comment after it
#: is common and harmless).
_PDF_TAIL = 1024

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
    """(mime, label, extensions) judged from the content, or None when not accepted.

    The magic bytes must stand at the very start (a Windows program starts with ``MZ`` and
    may carry ``%PDF-`` a few bytes in), and a PDF must also end like one (``%%EOF`` in its
    last KB): a PDF header glued in front of a program or of a truncated download is not a
    document anyone can open.
    """
    for magic, mime, label, extensions in _SIGNATURES:
        if data.startswith(magic):
            if mime == "application/pdf" and b"%%EOF" not in data[-_PDF_TAIL:]:
                return None
            return mime, label, extensions
    return None


def clean_file_name(raw: str) -> str:
    """The name an attachment is stored (and later saved) under: no folders, no control or
    invisible format characters (NUL, direction overrides that disguise an extension), at
    most :data:`MAX_NAME` characters with its extension kept.

    Folders are stripped at both ``/`` and ``\\`` whatever the PC this runs on: the name
    came from another PC and will be saved on Windows, where ``..\\..\\x.pdf`` is a path.
    Leading dots go too (``..``, or a name hidden on Linux). A long name loses the end of
    its stem, not its extension, so it still opens with the right program.
    """
    text = "".join(c for c in raw if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    name = re.split(r"[/\\]", text)[-1].strip().lstrip(".").strip() or "lampiran"
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        if not stem or len(suffix) > 10:  # no extension to keep
            stem, dot, suffix = name, "", ""
        name = stem[: MAX_NAME - len(dot + suffix)].rstrip() + dot + suffix
    return name


def check_attachment(item: AttachmentIn, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return the mime type, or raise a clear Indonesian message."""
    name = clean_file_name(item.file_name)
    if not item.data:
        raise ValidationError(f"Berkas '{name}' kosong.", "lampiran")
    if len(item.data) > max_bytes:
        raise ValidationError(
            f"Berkas '{name}' terlalu besar ({len(item.data) / 1048576:.1f} MB); "
            f"batasnya {max_bytes / 1048576:.0f} MB. Pindai ulang dengan resolusi lebih rendah.",
            "lampiran",
        )
    found = sniff(item.data)
    if found is None and item.data.startswith(b"%PDF-"):
        raise ValidationError(
            f"Berkas '{name}' bukan PDF yang utuh (akhir berkasnya tidak ada). Simpan atau "
            "pindai ulang berkas itu.",
            "lampiran",
        )
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


_INSERT_ATTACHMENT = insert(Attachment.__table__).returning(Attachment.__table__.c.id)
_BLOB = AttachmentBlob.__table__
_BLOB_ID = select(_BLOB.c.id).where(_BLOB.c.sha256 == bindparam("digest"))
#: dialect name -> INSERT … ON CONFLICT (sha256) DO NOTHING, built once.
_INSERT_BLOBS: dict[str, Any] = {}


def _insert_blob(dialect: str) -> Any:
    statement = _INSERT_BLOBS.get(dialect)
    if statement is None:
        # Only the dialect in use is imported (the PostgreSQL one pulls in its drivers).
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        statement = upsert(_BLOB).on_conflict_do_nothing(index_elements=["sha256"])
        _INSERT_BLOBS[dialect] = statement
    return statement


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
    # Stored once per content; two counters scanning the same page at once both succeed.
    # Prebuilt statements on the session's connection; only the id is read back, never the
    # blob itself (megabytes of scan) (issue 14).
    connection = session.connection()
    connection.execute(_insert_blob(connection.dialect.name), {"sha256": digest, "data": item.data})
    blob_id = connection.execute(_BLOB_ID, {"digest": digest}).scalar_one()
    attachment = Attachment(
        case_id=case_id,
        step_record_id=step_record_id,
        requirement_code=item.requirement_code,
        file_name=clean_file_name(item.file_name),
        mime=mime,
        size=len(item.data),
        sha256=digest,
        blob_id=blob_id,
        uploaded_at=when,
        uploaded_by=user_id,
    )
    # One INSERT on the session's connection, not a pending object for the next flush
    # (issue 14); the returned attachment is a plain record of the row, id included.
    table = Attachment.__table__
    given = {
        c.key: attachment.__dict__[c.key] for c in table.columns if c.key in attachment.__dict__
    }
    attachment.id = session.connection().execute(_INSERT_ATTACHMENT, given).scalar_one()
    return attachment
