"""Documents of a case: build the plain context from the database, render, store the version.

Rendering itself lives in ``desktop_perizinan.documents`` (pure, no SQL). Here the number is
always fixed first (taken in the same transaction) and only then is the PDF or QR that shows
it rendered. A final document gets a verification code bound to its content (an HMAC with the
office's secret), printed in its QR code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import (
    Case,
    Document,
    DocumentVersion,
    Fee,
)
from desktop_perizinan.documents import contexts as c
from desktop_perizinan.documents.dates import format_date
from desktop_perizinan.errors import NotFound
from desktop_perizinan.privacy import mask_nik
from desktop_perizinan.services import numbering
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.document_parts import DocumentRef
from desktop_perizinan.services.settings import verification_secret
from desktop_perizinan.workflow.definition import (
    PermitType,
)

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

from desktop_perizinan.services.document_parts import (
    QR_PREFIX,
    case_reference,
    parse_qr_payload,
    qr_payload,
    render,
)
from desktop_perizinan.services.document_parts import (
    applicant_of as _applicant,
)
from desktop_perizinan.services.document_parts import (
    first_role as _first_role,
)
from desktop_perizinan.services.document_parts import (
    ref as _ref,
)
from desktop_perizinan.services.document_parts import (
    with_payload as _with_payload,
)
from desktop_perizinan.services.letter_lifecycle import LetterLifecycle
from desktop_perizinan.services.letter_signers import printed_signatory

LATE_PLACEHOLDERS = ("nomor", "tanggal")
TITLES = {
    "resi": "Resi Penerimaan Berkas",
    "klarifikasi": "Klarifikasi Berkas",
    "disposisi": "Lembar Disposisi",
    "permintaan_rekomendasi": "Surat Permintaan Rekomendasi",
    "berita_acara": "Berita Acara Peninjauan Lapangan",
    "izin": "Surat Izin",
    "penolakan": "Surat Penolakan",
    "tanda_terima": "Tanda Terima Dokumen",
    "skrd": "Surat Ketetapan Retribusi Daerah",
}


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    kind: str
    title: str
    number: str | None
    status: str
    versions: int


class DocumentService(LetterLifecycle):
    """Every document of a case; the letter's life and signature blocks come from the mixins
    (``letter_lifecycle``, ``letter_signers``)."""

    def __init__(self, services: Services) -> None:
        self._s = services

    # ------------------------------------------------------------------ reading

    def pdf(self, document_id: int, version: int | None = None) -> bytes:
        with self._s.db.reading() as session:
            query = select(DocumentVersion).where(DocumentVersion.document_id == document_id)
            if version is not None:
                query = query.where(DocumentVersion.version == version)
            row = session.scalars(query.order_by(DocumentVersion.version.desc())).first()
            if row is None:
                raise NotFound("Dokumen tidak ditemukan.")
            return row.pdf

    def current_document(self, session: Session, case_id: int, kind: str) -> Document | None:
        return session.scalars(
            select(Document)
            .where(Document.case_id == case_id, Document.kind == kind)
            .order_by(Document.id.desc())
        ).first()

    def latest_version(self, session: Session, case_id: int, kind: str) -> DocumentVersion:
        doc = self.current_document(session, case_id, kind)
        if doc is None or not doc.versions:
            raise NotFound(f"Dokumen {kind} belum ada.")
        return doc.versions[-1]

    # ------------------------------------------------------------------ counter documents

    def issue_resi(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        now: datetime,
        *,
        present: frozenset[str] | None = None,
    ) -> DocumentVersion:
        """The receipt, final at once. ``present``: the requirement codes ticked, when the
        caller has them at hand (intake wrote the checks itself; no reload).

        The document and its one version are added for the caller's next flush, complete:
        one INSERT each (issue 14: an INSERT and two UPDATEs of the document, a
        ``max(version)``, and a reload of the versions with their PDF).
        """
        assert case.reg_number is not None
        if present is None:
            present = frozenset(chk.code for chk in case.requirement_checks if chk.present)
        code = self._code(session, case.reg_number, "resi", case.id, {})
        doc = Document(
            case_id=case.id,
            kind="resi",
            title=TITLES["resi"],
            number=case.reg_number,
            status="final",
            verification_code=code,
            created_at=now,
        )
        ctx = c.ResiContext(
            office=self.office(session),
            registration_number=case.reg_number,
            permit_type=pt.name,
            applicant=_applicant(case, pt),
            received_at=case.received_at,
            due_at=case.due_at,
            checklist=tuple((r.name, r.code in present) for r in pt.requirements_for(case.renewal)),
            fee_text=pt.fee_text,
            clerk=actor.full_name,
            channel="Daring" if case.channel == "daring" else "Loket",
            qr_payload=qr_payload(case.reg_number, code),
        )
        pdf = _with_payload(render(ctx), ctx.qr_payload or "")
        return self._first_version(session, doc, actor, pdf, {"kind": "resi"}, now)

    def issue_klarifikasi(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        missing: list[Any],
        note: str,
        now: datetime,
    ) -> DocumentVersion:
        doc = Document(
            case_id=case.id,
            kind="klarifikasi",
            title=TITLES["klarifikasi"],
            status="final",
            created_at=now,
        )
        present = [chk.name for chk in case.requirement_checks if chk.present]
        ctx = c.KlarifikasiContext(
            office=self.office(session),
            case_reference=case_reference(case),
            applicant=_applicant(case, pt),
            permit_type=pt.name,
            missing=tuple(r.name for r in missing),
            clerk=actor.full_name,
            date=now,
            note=note,
            received=tuple(present),
        )
        body = {"kind": "klarifikasi", "missing": [r.code for r in missing]}
        return self._first_version(session, doc, actor, render(ctx), body, now)

    # ------------------------------------------------------------------ back-office documents

    def issue_disposisi(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        *,
        to: tuple[str, ...],
        instructions: tuple[str, ...],
        sifat: str,
        notes: str,
        now: datetime,
    ) -> DocumentRef:
        doc = self._new_document(session, case, "disposisi", TITLES["disposisi"], now)
        doc.status = "final"
        ctx = c.DisposisiContext(
            office=self.office(session),
            letter_from=case.applicant.name,
            letter_number=case.reg_number or case_reference(case),
            letter_date=case.received_at.date(),
            received_date=case.received_at.date(),
            agenda_number=case.reg_number or case_reference(case),
            sifat=sifat,
            hal=f"Permohonan {pt.name}",
            to=to,
            instructions=instructions,
            disposer_name=actor.full_name,
            disposer_title=actor.title or self._s.office.role_name(_first_role(actor)),
            date=now.date(),
            notes=notes,
        )
        body = {"to": list(to), "instructions": list(instructions), "sifat": sifat, "notes": notes}
        version = self._add_version(session, doc, actor, render(ctx), body, True, now)
        return _ref(doc, version)

    def issue_recommendation_request(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        *,
        addressee: str,
        notes: str,
        now: datetime,
    ) -> DocumentRef:
        kind = "permintaan_rekomendasi"
        doc = self._new_document(session, case, kind, TITLES[kind], now)
        entry = numbering.take_number(
            session,
            "surat_keluar",
            when=now,
            taken_by=actor.id,
            case_id=case.id,
            document_id=doc.id,
            subject=f"Permohonan rekomendasi teknis {pt.name}",
            addressee=addressee,
        )
        due = self._s.calendar.add(now, pt.step(case.current_step).time)
        body = (
            f"Bersama ini kami sampaikan permohonan {pt.name} atas nama "
            f"{case.field_values.get('nama_lembaga') or case.applicant.name} yang diajukan oleh "
            f"{case.applicant.name} (NIK {mask_nik(case.applicant.nik)}) dengan nomor registrasi "
            f"{case.reg_number}.\n\nSehubungan dengan hal tersebut, kami mohon Tim Teknis "
            f"melakukan peninjauan lapangan dan memberikan rekomendasi teknis paling lambat "
            f"{format_date(due.date())}, sesuai standar pelayanan."
        )
        if notes:
            body += f"\n\n{notes}"
        body += "\n\nDemikian disampaikan, atas perhatian dan kerja samanya diucapkan terima kasih."
        doc.number = entry.number
        doc.status = "final"
        doc.verification_code = self._code(session, entry.number, kind, case.id, {"body": body})
        ctx = c.LetterContext(
            office=self.office(session),
            kind=c.LetterKind.RECOMMENDATION_REQUEST,
            number=entry.number,
            place=self.office(session).city,
            date=now.date(),
            title="",
            body=body,
            signatory=self._head_signatory(session),
            hal="Permohonan Rekomendasi Teknis",
            sifat="Segera",
            addressee=(f"Yth. {addressee}", "di Tempat"),
            table=self._field_table(case, pt),
            qr_payload=qr_payload(entry.number, doc.verification_code),
            closing="",
        )
        pdf = _with_payload(render(ctx), ctx.qr_payload or "")
        version = self._add_version(session, doc, actor, pdf, {"body": body}, True, now)
        return _ref(doc, version)

    def issue_berita_acara(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        data: dict[str, Any],
        now: datetime,
    ) -> DocumentRef:
        doc = self._new_document(session, case, "berita_acara", TITLES["berita_acara"], now)
        doc.status = "final"
        ctx = c.BeritaAcaraContext(
            office=self.office(session),
            number=None,
            date=date.fromisoformat(data["tanggal"]),
            location=data["lokasi"],
            case_reference=case.reg_number or case_reference(case),
            permit_type=pt.name,
            applicant=_applicant(case),
            team=tuple(
                c.TeamMember(
                    name=str(m.get("name", "")),
                    role=str(m.get("role", "Anggota")),
                    title=str(m.get("title", "")),
                    nip=str(m.get("nip", "")),
                )
                for m in data["tim"]
            ),
            findings=tuple(data["temuan"]),
            conclusion=data["kesimpulan"],
            subject=str(case.field_values.get("nama_lembaga") or case.applicant.name),
        )
        version = self._add_version(session, doc, actor, render(ctx), dict(data), True, now)
        return _ref(doc, version)

    def issue_tanda_terima(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        delivered: Document,
        recipient: str,
        note: str,
        now: datetime,
    ) -> DocumentRef:
        assert delivered.number is not None
        doc = self._new_document(session, case, "tanda_terima", TITLES["tanda_terima"], now)
        doc.number = delivered.number
        doc.status = "final"
        ctx = c.TandaTerimaContext(
            office=self.office(session),
            document_number=delivered.number,
            document_title=delivered.title,
            recipient_name=recipient,
            date=now,
            officer=actor.full_name,
            registration_number=case.reg_number or "",
            recipient_note=note,
        )
        body = {"penerima": recipient, "dokumen": delivered.id}
        version = self._add_version(session, doc, actor, render(ctx), body, True, now)
        return _ref(doc, version)

    def issue_skrd(
        self, session: Session, actor: Actor, case: Case, pt: PermitType, now: datetime
    ) -> DocumentRef:
        doc = self._new_document(session, case, "skrd", TITLES["skrd"], now)
        entry = numbering.take_number(
            session,
            "surat_keluar",
            when=now,
            taken_by=actor.id,
            case_id=case.id,
            document_id=doc.id,
            subject=f"SKRD {pt.name}",
            addressee=case.applicant.name,
        )
        due = now.date() + timedelta(days=30)
        session.add(
            Fee(
                case_id=case.id,
                amount=pt.fee,
                skrd_number=entry.number,
                issued_at=now,
                due_at=datetime.combine(due, datetime.min.time()),
            )
        )
        doc.number = entry.number
        doc.status = "final"
        doc.verification_code = self._code(session, entry.number, "skrd", case.id, {"fee": pt.fee})
        ctx = c.SkrdContext(
            office=self.office(session),
            number=entry.number,
            date=now.date(),
            due_date=due,
            applicant=_applicant(case),
            retribution=f"Retribusi {pt.name}",
            items=((pt.product, pt.fee),),
            signatory=self._head_signatory(session),
            registration_number=case.reg_number or "",
            period=str(now.year),
            qr_payload=qr_payload(entry.number, doc.verification_code),
        )
        pdf = _with_payload(render(ctx), ctx.qr_payload or "")
        version = self._add_version(session, doc, actor, pdf, {"fee": pt.fee}, True, now)
        return _ref(doc, version)

    # ------------------------------------------------------------------ internals

    def _new_document(
        self, session: Session, case: Case, kind: str, title: str, now: datetime
    ) -> Document:
        doc = Document(case_id=case.id, kind=kind, title=title, status="draf", created_at=now)
        session.add(doc)
        session.flush()
        return doc

    def _add_version(
        self,
        session: Session,
        doc: Document,
        actor: Actor,
        pdf: bytes,
        body: dict[str, Any],
        final: bool,
        now: datetime,
    ) -> DocumentVersion:
        number = (
            session.scalar(
                select(func.max(DocumentVersion.version)).where(
                    DocumentVersion.document_id == doc.id
                )
            )
            or 0
        ) + 1
        version = DocumentVersion(
            document_id=doc.id,
            version=number,
            body=body,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            final=final,
            created_at=now,
            created_by=actor.id,
        )
        session.add(version)
        session.flush()
        session.refresh(doc, ["versions"])
        return version

    def _first_version(
        self,
        session: Session,
        doc: Document,
        actor: Actor,
        pdf: bytes,
        body: dict[str, Any],
        now: datetime,
    ) -> DocumentVersion:
        """A new document with its first, final version: one INSERT … RETURNING id each.

        Written with Core (issue 14: the unit of work cost more than the two statements);
        the objects handed back stay outside the session, complete as written: the caller
        reads ``document_id``, ``document`` and ``pdf`` without SQL.
        """
        version = DocumentVersion(
            document=doc,
            version=1,
            body=body,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            final=True,
            created_at=now,
            created_by=actor.id,
        )
        doc.id = _insert_returning_id(session, doc)
        version.document_id = doc.id
        version.id = _insert_returning_id(session, version)
        return version

    def _code(
        self, session: Session, number: str, kind: str, case_id: int, content: dict[str, Any]
    ) -> str:
        message = json.dumps([number, kind, case_id, content], sort_keys=True, default=str)
        digest = hmac.new(verification_secret(session), message.encode(), hashlib.sha256)
        raw = digest.hexdigest()[:16].upper()
        return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _insert_returning_id(session: Session, obj: Document | DocumentVersion) -> int:
    """INSERT the columns set on a transient ``obj`` (defaults for the rest); its new id."""
    table = type(obj).__table__
    given = {
        c.key: obj.__dict__[c.key] for c in table.columns if c.key != "id" and c.key in obj.__dict__
    }
    statement = _INSERTS.get(table.name)
    if statement is None:
        statement = _INSERTS[table.name] = insert(table).returning(table.c.id)
    return int(session.connection().execute(statement, given).scalar_one())


#: table name -> INSERT … RETURNING id, built once (run with each call's own values).
_INSERTS: dict[str, Any] = {}


__all__ = [
    "QR_PREFIX",
    "TITLES",
    "DocumentInfo",
    "DocumentService",
    "case_reference",
    "parse_qr_payload",
    "printed_signatory",
    "qr_payload",
    "render",
]
