"""Where signing meets the flow: the book a signed number comes from, and importing a PDF
signed outside the app (e.g. with the BSrE tools) as a document's final."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from desktop_perizinan.errors import NotFound, ValidationError
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.services.esign.pdftext import pdf_text_lines
from desktop_perizinan.services.esign.trust import trust_roots
from desktop_perizinan.services.esign.validation import (
    SignatureReport,
    UnreadablePdf,
    validate_signatures,
)

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services


def following_number_book(pt: Any, step: Any) -> str:
    """The book of the penomoran step that follows a tanda_tangan step for the same document.

    The order is the permit-type file's (``workflow.lifecycle.numbering_after``); without a
    penomoran after the signature, the permit's book for "izin" and "surat_keluar" for any
    other letter, as the penomoran step itself would choose.
    """
    from dataclasses import replace

    from desktop_perizinan.workflow.lifecycle import numbering_after

    later = numbering_after(pt.steps, step)
    if later is not None:
        return pt.number_book(later)
    # The signing step names no book of its own; the same rule as a numbering step's.
    return pt.number_book(replace(step, book=None))


@dataclass(frozen=True)
class ImportResult:
    document_id: int
    version: int
    number: str
    signatures: tuple[SignatureReport, ...]
    messages: tuple[str, ...]


#: Roles that may bring a document signed elsewhere back into its case.
IMPORT_ROLES = ("backoffice", "ksb_umum", "kadis", ADMIN_ROLE)


def import_signed(services: Services, actor: Actor, document_id: int, data: bytes) -> ImportResult:
    """Store a PDF signed outside the app (e.g. with the BSrE tools) as the document's final.

    Decided about trust: the file is accepted only when every signature is intact, the last
    one covers the whole file, at least one signature chains to a CA the office trusts
    (Pengaturan), and the text carries the document's number. An untrusted signature is refused
    rather than stored with a warning: the stored final is what the verification screen and
    ``perizinan verify`` vouch for afterwards, so it must not rest on a certificate nobody
    checked. With no trust roots configured the refusal says so, and the administrator adds
    the issuer's CA certificate (e.g. the BSrE root) first.
    """
    from desktop_perizinan.db.models import Document, DocumentVersion
    from desktop_perizinan.services.steps import lock_case

    actor.require(*IMPORT_ROLES, what="mengimpor dokumen bertanda tangan elektronik")
    if not data.startswith(b"%PDF"):
        raise ValidationError("Berkas yang dipilih bukan PDF.")
    now = services.now()
    with services.db.transaction() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound("Dokumen tidak ditemukan.")
        lock_case(session, doc.case_id)
        if doc.number is None or doc.status != "final":
            raise ValidationError(
                "Dokumen ini belum bernomor dan belum final; hanya dokumen final yang dapat "
                "diganti dengan versi bertanda tangan elektronik."
            )
        roots = trust_roots(session)
        try:
            reports = validate_signatures(data, roots)
        except UnreadablePdf as exc:
            raise ValidationError(exc.message) from None
        if not reports:
            raise ValidationError("Berkas ini tidak memuat tanda tangan elektronik.")
        broken = [r for r in reports if not r.intact]
        if broken:
            raise ValidationError(
                "Tanda tangan pada berkas tidak utuh: "
                + "; ".join(f"{r.field_name} ({r.signer_name})" for r in broken)
                + ". Berkas tidak disimpan."
            )
        if not reports[-1].covers_document:
            raise ValidationError(
                "Berkas diubah setelah tanda tangan terakhir; berkas tidak disimpan."
            )
        if not roots:
            raise ValidationError(
                "Belum ada sertifikat CA terpercaya di Pengaturan, sehingga tanda tangan tidak "
                "dapat dinilai. Minta administrator menambahkan sertifikat akar penerbit "
                "(misalnya BSrE), lalu impor lagi."
            )
        if not any(r.trusted for r in reports):
            raise ValidationError(
                "Sertifikat penanda tangan tidak berantai ke CA terpercaya di Pengaturan: "
                + "; ".join(f"{r.signer_name}" for r in reports)
                + ". Berkas tidak disimpan."
            )
        text = " ".join(" ".join(pdf_text_lines(data)).split())
        if doc.number not in text:
            raise ValidationError(
                f"Nomor dokumen {doc.number} tidak ditemukan dalam teks berkas; berkas ini "
                "bukan dokumen tersebut."
            )
        last = session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == doc.id)
            .order_by(DocumentVersion.version.desc())
        ).first()
        assert last is not None
        version = DocumentVersion(
            document_id=doc.id,
            version=last.version + 1,
            body={
                **dict(last.body),
                "impor_tte": [
                    {
                        "penanda_tangan": r.signer.as_record() if r.signer else None,
                        "terpercaya": r.trusted,
                    }
                    for r in reports
                ],
            },
            pdf=data,
            sha256=hashlib.sha256(data).hexdigest(),
            final=True,
            created_at=now,
            created_by=actor.id,
        )
        session.add(version)
        doc.sign_mode = "elektronik"
        session.flush()
        audit.append(
            session,
            actor,
            "dokumen.impor_tte",
            at=now,
            case_id=doc.case_id,
            nomor=doc.number,
            versi=version.version,
            sha256=version.sha256,
            penanda_tangan=[r.signer_name for r in reports],
        )
        messages = [m for r in reports for m in r.messages]
        messages.append(f"Disimpan sebagai versi final ke-{version.version} dokumen {doc.number}.")
        return ImportResult(
            document_id=doc.id,
            version=version.version,
            number=doc.number,
            signatures=tuple(reports),
            messages=tuple(messages),
        )
