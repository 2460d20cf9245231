"""Outage mode: sign wet while the TTE gateway is down, attach the TTE later on the same number.

Offices report whole days without BSrE's Esign Client Service. Then the signer signs the
printed letter by hand (*tanda tangan basah*) and the case goes on: numbering, delivery and
handover follow the wet path unchanged. The document is remembered in ``deferred_tte``
(migration 0008) so that the agenda book and the reports show "TTE menunggu" until its
electronic signature arrives, on the **same number**: either

- the signer signs the stored final through the gateway once it is back
  (:func:`sign_deferred`, the same backend as the signing step), or
- a PDF signed elsewhere (BSrE's own tools) is attached (:func:`attach_tte`).

Both are validated with ``esign.preflight.check_returned`` before anything is linked: one
intact signature over the whole file, the bytes signed being exactly the stored final (so the
number, QR and text are the app's), the certificate naming the signer and, when the office
configured trust roots, chaining to one of them. The signed file becomes the document's newest
final version and is never changed afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import (
    Case,
    DeferredTte,
    Document,
    DocumentVersion,
    User,
)
from desktop_perizinan.errors import NotFound, PermissionDenied, ValidationError
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.services.tte_deferred import record_wet_signature

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

#: Roles that may attach a TTE signed elsewhere (as for importing a signed PDF).
ATTACH_ROLES = ("backoffice", "ksb_umum", "kadis", ADMIN_ROLE)


@dataclass(frozen=True)
class PendingTte:
    """A document signed wet whose TTE is still to come (or, with ``attached_at``, came)."""

    document_id: int
    case_id: int
    reg_number: str
    applicant: str
    title: str
    number: str | None
    signer: str
    signer_id: int
    signed_wet_at: datetime
    reason: str
    attached_at: datetime | None = None

    @property
    def waiting(self) -> bool:
        return self.attached_at is None

    def days_waiting(self, now: datetime) -> int:
        return max(0, (now.date() - self.signed_wet_at.date()).days)


@dataclass(frozen=True)
class AttachResult:
    document_id: int
    number: str
    version: int
    signer: str
    trusted: bool
    message: str


def pending(services: Services, *, include_attached: bool = False) -> list[PendingTte]:
    """Documents signed wet during an outage, oldest first; by default only those still
    waiting for their TTE (what Laporan and the Buku agenda show)."""
    with services.db.reading() as session:
        query = (
            select(DeferredTte, Document, Case, User)
            .join(Document, Document.id == DeferredTte.document_id)
            .join(Case, Case.id == DeferredTte.case_id)
            .join(User, User.id == DeferredTte.signer_id)
            .order_by(DeferredTte.signed_wet_at, DeferredTte.id)
        )
        if not include_attached:
            query = query.where(DeferredTte.attached_at.is_(None))
        return [
            PendingTte(
                document_id=doc.id,
                case_id=case.id,
                reg_number=case.reg_number,
                applicant=case.applicant.name,
                title=doc.title,
                number=doc.number,
                signer=user.full_name,
                signer_id=user.id,
                signed_wet_at=row.signed_wet_at,
                reason=row.reason,
                attached_at=row.attached_at,
            )
            for row, doc, case, user in session.execute(query)
        ]


def pending_for_document(services: Services, document_id: int) -> PendingTte | None:
    """The outage record of one document, waiting or attached (None when it has none)."""
    for item in pending(services, include_attached=True):
        if item.document_id == document_id:
            return item
    return None


def _open_row(session: Session, document_id: int) -> tuple[DeferredTte, Document]:
    from desktop_perizinan.services.steps import lock_case

    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("Dokumen tidak ditemukan.")
    lock_case(session, doc.case_id)
    row = session.scalars(select(DeferredTte).where(DeferredTte.document_id == doc.id)).first()
    if row is None:
        raise ValidationError(
            "Dokumen ini tidak ditandatangani basah dengan TTE menyusul; tidak ada TTE yang "
            "ditunggu."
        )
    if row.attached_at is not None:
        raise ValidationError(
            f"TTE dokumen {doc.number} sudah dilampirkan pada {row.attached_at:%d-%m-%Y %H:%M}."
        )
    if doc.number is None or doc.status != "final":
        raise ValidationError(
            "Dokumen belum diberi nomor; TTE dilampirkan setelah langkah penomoran, pada nomor "
            "yang sama dengan surat bertanda tangan basah."
        )
    return row, doc


def _final(session: Session, doc: Document) -> DocumentVersion:
    last = session.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == doc.id, DocumentVersion.final.is_(True))
        .order_by(DocumentVersion.version.desc())
    ).first()
    if last is None:
        raise ValidationError("Dokumen belum memiliki versi final.")
    return last


def _expected(session: Session, signer_id: int) -> Any:
    from desktop_perizinan.services import esign

    signer = session.get(User, signer_id)
    assert signer is not None
    config = esign.config_for(session, signer_id)
    return esign.ExpectedSigner(full_name=signer.full_name, nip=signer.nip or "", nik=config.nik)


def _link(
    session: Session,
    actor: Actor,
    row: DeferredTte,
    doc: Document,
    final: DocumentVersion,
    signed_pdf: bytes,
    signer_name: str,
    trusted: bool,
    how: str,
    now: datetime,
) -> AttachResult:
    version = DocumentVersion(
        document_id=doc.id,
        version=final.version + 1,
        body={**dict(final.body), "tte_susulan": {"cara": how, "terpercaya": trusted}},
        pdf=signed_pdf,
        sha256=hashlib.sha256(signed_pdf).hexdigest(),
        final=True,
        created_at=now,
        created_by=actor.id,
    )
    session.add(version)
    session.flush()
    row.attached_at = now
    row.attached_by = actor.id
    row.attached_version = version.version
    row.attached_sha256 = version.sha256
    audit.append(
        session,
        actor,
        "dokumen.tte_susulan",
        at=now,
        case_id=doc.case_id,
        nomor=doc.number,
        versi=version.version,
        sha256=version.sha256,
        cara=how,
        penanda_tangan=signer_name,
    )
    assert doc.number is not None
    return AttachResult(
        document_id=doc.id,
        number=doc.number,
        version=version.version,
        signer=signer_name,
        trusted=trusted,
        message=(
            f"TTE dokumen {doc.number} tersimpan sebagai versi final ke-{version.version}; "
            "surat bertanda tangan basah dengan nomor yang sama kini juga bertanda tangan "
            "elektronik."
        ),
    )


def attach_tte(services: Services, actor: Actor, document_id: int, data: bytes) -> AttachResult:
    """Link a PDF signed elsewhere (e.g. BSrE's own tools) to the wet-signed document.

    The file must be the stored final with one signature of the wet signer appended
    (validated by ``esign.preflight.check_returned``); anything else is refused with the
    reason and nothing changes.
    """
    from desktop_perizinan.services.esign.errors import SigningError
    from desktop_perizinan.services.esign.preflight import check_returned, single_revision
    from desktop_perizinan.services.esign.trust import trust_roots

    actor.require(*ATTACH_ROLES, what="melampirkan TTE susulan")
    if not data.startswith(b"%PDF"):
        raise ValidationError("Berkas yang dipilih bukan PDF.")
    now = services.now()
    with services.db.transaction() as session:
        row, doc = _open_row(session, document_id)
        final = _final(session, doc)
        # The file BSrE signed: the stored final as it is, or as ``pdf_for_tte`` gave it.
        sent = final.pdf if data.startswith(final.pdf) else single_revision(final.pdf)
        try:
            info, trusted = check_returned(
                sent, data, _expected(session, row.signer_id), trust_roots(session)
            )
        except SigningError as exc:
            raise ValidationError(_attach_refusal(exc.message)) from None
        return _link(
            session, actor, row, doc, final, data, info.common_name, trusted, "lampiran", now
        )


def pdf_for_tte(services: Services, actor: Actor, document_id: int) -> bytes:
    """The stored final as one revision: the file to sign with BSrE's own tools and attach.

    BSrE rebuilds PDFs with incremental updates badly ("Rebuild failed"), so this is the
    same rewrite the gateway backend sends (``esign.preflight.single_revision``).
    """
    from desktop_perizinan.services.esign.preflight import single_revision

    actor.require(*ATTACH_ROLES, what="mengunduh dokumen untuk TTE susulan")
    with services.db.reading() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound("Dokumen tidak ditemukan.")
        final = _final(session, doc)
        row = session.scalars(select(DeferredTte).where(DeferredTte.document_id == doc.id)).first()
        if row is not None and row.attached_version == final.version:
            return final.pdf  # already signed: never rewritten
        return single_revision(final.pdf)


def _attach_refusal(message: str) -> str:
    """The validation's sentence, said about an attached file rather than a gateway answer."""
    reason = message.split(": ", 1)[1] if ": " in message else message
    reason = reason.split(". Berkas tidak disimpan")[0].rstrip(".")
    return (
        f"Berkas TTE ditolak: {reason}. Lampirkan PDF final dokumen ini (unduh dari aplikasi) "
        "yang sudah ditandatangani elektronik oleh penanda tangan surat. Tidak ada yang diubah."
    )


def sign_deferred(
    services: Services, actor: Actor, document_id: int, data: dict[str, Any]
) -> AttachResult:
    """The wet signer signs the stored final through their backend now that it works again.

    ``data`` is what the signing step takes (``passphrase`` / ``totp`` / ``secret`` for BSrE,
    ``p12`` + ``passphrase`` or ``identitas`` for PKCS#12), used for this call only.
    """
    from desktop_perizinan.services import esign
    from desktop_perizinan.services.documents import qr_payload

    now = services.now()
    with services.db.transaction() as session:
        row, doc = _open_row(session, document_id)
        if row.signer_id != actor.id:
            signer = session.get(User, row.signer_id)
            raise PermissionDenied(
                f"TTE susulan dokumen {doc.number} dibuat oleh penanda tangan suratnya "
                f"({signer.full_name if signer else 'penanda tangan'}), bukan oleh Anda."
            )
        final = _final(session, doc)
        backend = esign.backend_for(session, actor, data)
        if isinstance(backend, esign.Pkcs12Backend):
            backend.check(now)
        assert doc.number is not None
        signed = backend.sign(
            esign.SignRequest(
                pdf=final.pdf,
                reason=f"{doc.title} nomor {doc.number}",
                location=services.documents.office(session).city,
                label=doc.number,
                link_qr=qr_payload(doc.number, doc.verification_code or ""),
                printed=(doc.number,),
            ),
            now,
        )
        trusted = bool(signed.detail.get("terpercaya", False))
        return _link(
            session,
            actor,
            row,
            doc,
            final,
            signed.pdf,
            signed.certificate.common_name,
            trusted,
            signed.backend,
            now,
        )


__all__ = [
    "ATTACH_ROLES",
    "AttachResult",
    "PendingTte",
    "attach_tte",
    "pdf_for_tte",
    "pending",
    "pending_for_document",
    "record_wet_signature",
    "sign_deferred",
]
