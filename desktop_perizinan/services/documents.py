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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import (
    Case,
    Document,
    DocumentVersion,
    Fee,
    Paraf,
    User,
    UserRole,
)
from desktop_perizinan.documents import contexts as c
from desktop_perizinan.documents.dates import format_date
from desktop_perizinan.documents.field_text import display_value, display_values
from desktop_perizinan.errors import NotFound, ValidationError
from desktop_perizinan.privacy import mask_nik
from desktop_perizinan.services import acting_head, numbering
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.casework import DocumentRef
from desktop_perizinan.services.settings import verification_secret
from desktop_perizinan.workflow import lifecycle
from desktop_perizinan.workflow.definition import (
    AUTHORITY_DIRECT,
    HEAD_ROLE,
    DocumentKind,
    PermitType,
    Step,
)
from desktop_perizinan.workflow.placeholders import fill

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

QR_PREFIX = "PRZ"
#: Placeholders left in a draft's text until the letter is numbered and dated.
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


def render(ctx: c.DocumentContext) -> bytes:
    """Render any context with its renderer (reportlab is imported only here, lazily)."""
    from desktop_perizinan.documents import pdf

    return pdf.render(ctx)


def qr_payload(number: str, code: str) -> str:
    return f"{QR_PREFIX}|{number}|{code}"


def parse_qr_payload(text: str) -> tuple[str, str] | None:
    parts = text.strip().split("|")
    if len(parts) != 3 or parts[0] != QR_PREFIX:
        return None
    return parts[1], parts[2]


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    kind: str
    title: str
    number: str | None
    status: str
    versions: int


class DocumentService:
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

    def office(self, session: Session) -> c.OfficeProfile:
        return self._s.settings.office_profile(session)

    # ------------------------------------------------------------------ counter documents

    def issue_resi(
        self, session: Session, actor: Actor, case: Case, pt: PermitType, now: datetime
    ) -> DocumentVersion:
        assert case.reg_number is not None
        checks = {chk.code: chk.present for chk in case.requirement_checks}
        doc = self._new_document(session, case, "resi", TITLES["resi"], now)
        doc.number = case.reg_number
        doc.status = "final"
        doc.verification_code = self._code(session, case.reg_number, "resi", case.id, {})
        ctx = c.ResiContext(
            office=self.office(session),
            registration_number=case.reg_number,
            permit_type=pt.name,
            applicant=_applicant(case),
            received_at=case.received_at,
            due_at=case.due_at,
            checklist=tuple(
                (r.name, checks.get(r.code, False)) for r in pt.requirements_for(case.renewal)
            ),
            fee_text=pt.fee_text,
            clerk=actor.full_name,
            channel="Daring" if case.channel == "daring" else "Loket",
            qr_payload=qr_payload(case.reg_number, doc.verification_code),
        )
        pdf = _with_payload(render(ctx), ctx.qr_payload or "")
        return self._add_version(session, doc, actor, pdf, {"kind": "resi"}, True, now)

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
        doc = self._new_document(session, case, "klarifikasi", TITLES["klarifikasi"], now)
        doc.status = "final"
        present = [chk.name for chk in case.requirement_checks if chk.present]
        ctx = c.KlarifikasiContext(
            office=self.office(session),
            case_reference=case_reference(case),
            applicant=_applicant(case),
            permit_type=pt.name,
            missing=tuple(r.name for r in missing),
            clerk=actor.full_name,
            date=now,
            note=note,
            received=tuple(present),
        )
        body = {"kind": "klarifikasi", "missing": [r.code for r in missing]}
        return self._add_version(session, doc, actor, render(ctx), body, True, now)

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

    # ------------------------------------------------------------------ the letter's life

    def draft_letter(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        kind: DocumentKind,
        body: str | None,
        now: datetime,
        step: Step,
    ) -> DocumentRef:
        """Draft (or redraft after a return) the permit or the rejection letter."""
        doc = self.current_document(session, case.id, kind.value)
        if doc is None or doc.status == "final":
            title = (
                pt.wording.permit_title
                if kind is DocumentKind.PERMIT
                else (pt.wording.rejection_subject)
            )
            doc = self._new_document(session, case, kind.value, title, now)
        else:
            # A new text must be signed again (workflow.lifecycle.DRAFT_RESETS); a number
            # taken before the signature (number-then-sign) stays with the letter.
            doc.signed_by = doc.signed_at = doc.sign_mode = doc.signed_as = None
        template = (
            pt.wording.permit_body if kind is DocumentKind.PERMIT else pt.wording.rejection_body
        )
        values = self._wording_values(session, case, pt)
        text = body if body is not None else fill(template, values).strip("\n")
        if "{" in fill(text, {**values, "nomor": "", "tanggal": ""}):
            raise ValidationError(
                "Isi surat masih memuat isian yang tidak dikenal dalam kurung kurawal { }.", "body"
            )
        payload = {"kind": kind.value, "body": text}
        version = self._add_version(session, doc, actor, b"", payload, False, now)
        # The drafter initials first when the role is part of the paraf chain (rank > 0).
        role = step.actor
        if self._s.office.roles.get(role) and self._s.office.roles[role].rank > 0:
            session.add(
                Paraf(
                    document_version_id=version.id,
                    user_id=actor.id,
                    role=role,
                    action="paraf",
                    at=now,
                )
            )
            session.flush()
        version.pdf = render(self._letter_context(session, case, pt, doc, version, draft=True))
        version.sha256 = hashlib.sha256(version.pdf).hexdigest()
        return _ref(doc, version)

    def record_paraf(
        self,
        session: Session,
        actor: Actor,
        doc: Document,
        step: Step,
        action: str,
        note: str | None,
        now: datetime,
    ) -> DocumentRef:
        version = doc.versions[-1]
        if version.final:
            raise ValidationError("Dokumen sudah final; paraf tidak dapat ditambahkan.")
        session.add(
            Paraf(
                document_version_id=version.id,
                user_id=actor.id,
                role=step.actor,
                action=action,
                note=(note or "").strip() or None,
                at=now,
            )
        )
        session.flush()
        case = session.get(Case, doc.case_id)
        assert case is not None
        pt = self._s.definition_for(session, case)
        version.pdf = render(self._letter_context(session, case, pt, doc, version, draft=True))
        version.sha256 = hashlib.sha256(version.pdf).hexdigest()
        return _ref(doc, version)

    def sign(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        doc: Document,
        mode: str,
        data: dict[str, Any],
        now: datetime,
        step: Step | None = None,
    ) -> DocumentRef:
        """Record the signature of the signing ``step`` (its role and form of authority).

        Wet, sign-then-number: only recorded here; the final is rendered after numbering,
        printed and signed by hand. Wet, number-then-sign: the numbered letter was printed for
        signature; this makes it final. Electronic, sign-then-number: the number must show in
        the PDF that is signed, so it is taken now, in this transaction, from ``data["book"]``
        (the book of the following penomoran step). Electronic, number-then-sign: the
        numbered letter is rendered final and signed. The PDF is signed (PAdES, invisible
        field) through the signer's backend; no secret is stored.
        """
        doc.signed_as = printed_signatory(self._signatory(session, doc, step, actor, now))
        if mode == "elektronik":
            return self._sign_electronic(session, actor, case, pt, doc, data, now)
        version = doc.versions[-1]
        doc.signed_by = actor.id
        doc.signed_at = now
        doc.sign_mode = mode
        if doc.number is not None:
            return self._finalize(session, actor, case, pt, doc, now)
        return _ref(doc, version)

    def _sign_electronic(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        doc: Document,
        data: dict[str, Any],
        now: datetime,
    ) -> DocumentRef:
        from desktop_perizinan.services import esign

        numbered_first = doc.number is not None
        # The signer's backend (Pengaturan): own PKCS#12 or BSrE. A PKCS#12 certificate is
        # checked before a number is taken; BSrE's answer is validated after (esign.preflight).
        backend = esign.backend_for(session, actor, data)
        if isinstance(backend, esign.Pkcs12Backend):
            backend.check(now)
        permit = doc.kind == DocumentKind.PERMIT.value
        book = str(data.get("book") or (pt.numbering.book if permit else "surat_keluar"))
        doc.signed_by = actor.id
        doc.signed_at = now
        doc.sign_mode = "elektronik"
        if numbered_first:
            ref = self._finalize(session, actor, case, pt, doc, now)
        else:
            ref = self.finalize_with_number(session, actor, case, pt, doc, book, now)
        final = doc.versions[-1]
        assert doc.number is not None and doc.verification_code is not None
        signed = backend.sign(
            esign.SignRequest(
                pdf=final.pdf,
                reason=f"{doc.title} nomor {doc.number}",
                location=self.office(session).city,
                label=doc.number,
                link_qr=qr_payload(doc.number, doc.verification_code),
                printed=(doc.number,),
                embedded=(doc.verification_code,),
            ),
            now,
        )
        final.pdf = signed.pdf
        final.sha256 = hashlib.sha256(final.pdf).hexdigest()
        data["hasil_tte"] = signed  # read back by the step (casework) for its record
        return ref

    def finalize_with_number(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        doc: Document,
        book: str,
        now: datetime,
    ) -> DocumentRef:
        """Take the number, then render the final (no DRAF, no paraf box, with the QR).

        The QR payload also goes into the PDF's metadata before the bytes are stored (so the
        stored SHA-256 covers it): a file can then be verified without decoding the image.
        """
        if doc.signed_at is None:
            # Reached only when the file's order (validated by the loader) has no signature
            # after this numbering; see workflow.lifecycle.signature_follows.
            raise ValidationError("Dokumen belum ditandatangani; penomoran menunggu tanda tangan.")
        payload = self._take_number(session, actor, case, doc, book, now)
        return self._finalize(session, actor, case, pt, doc, now, payload)

    def assign_number(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        doc: Document,
        book: str,
        now: datetime,
    ) -> DocumentRef:
        """Number-then-sign: take the number now (the agenda book records this officer and
        this time) and render the numbered, dated letter that goes to the signer. It is not
        final: the signature (wet or electronic) makes it so."""
        payload = self._take_number(session, actor, case, doc, book, now)
        version = self._add_version(session, doc, actor, b"", payload, False, now)
        assert doc.number is not None and doc.verification_code is not None
        version.pdf = _with_payload(
            render(self._letter_context(session, case, pt, doc, version, draft=False)),
            qr_payload(doc.number, doc.verification_code),
        )
        version.sha256 = hashlib.sha256(version.pdf).hexdigest()
        return _ref(doc, version)

    def _take_number(
        self, session: Session, actor: Actor, case: Case, doc: Document, book: str, now: datetime
    ) -> dict[str, Any]:
        """Take the number from ``book``; the payload of the version that will show it."""
        if doc.number is not None:
            raise ValidationError(f"Dokumen ini sudah bernomor {doc.number}.")
        entry = numbering.take_number(
            session,
            book,
            when=now,
            taken_by=actor.id,
            case_id=case.id,
            document_id=doc.id,
            subject=doc.title,
            addressee=case.applicant.name,
        )
        doc.number = entry.number
        doc.numbered_by, doc.numbered_at = actor.id, now
        payload = dict(doc.versions[-1].body)
        payload["numbered_at"] = now.isoformat()
        doc.verification_code = self._code(session, entry.number, doc.kind, case.id, payload)
        if doc.kind == DocumentKind.PERMIT.value:
            case.permit_number = entry.number
            case.search_text = f"{case.search_text} {entry.number.lower()}"
        return payload

    def _finalize(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        doc: Document,
        now: datetime,
        payload: dict[str, Any] | None = None,
    ) -> DocumentRef:
        """The final: numbered and signed, no DRAF, no paraf box, with the QR.

        The QR payload also goes into the PDF's metadata before the bytes are stored (so the
        stored SHA-256 covers it): a file can then be verified without decoding the image.
        """
        assert doc.number is not None and doc.verification_code is not None
        payload = dict(payload if payload is not None else doc.versions[-1].body)
        doc.status = "final"
        final = self._add_version(session, doc, actor, b"", payload, True, now)
        final.pdf = _with_payload(
            render(self._letter_context(session, case, pt, doc, final, draft=False)),
            qr_payload(doc.number, doc.verification_code),
        )
        final.sha256 = hashlib.sha256(final.pdf).hexdigest()
        return _ref(doc, final)

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

    def _code(
        self, session: Session, number: str, kind: str, case_id: int, content: dict[str, Any]
    ) -> str:
        message = json.dumps([number, kind, case_id, content], sort_keys=True, default=str)
        digest = hmac.new(verification_secret(session), message.encode(), hashlib.sha256)
        raw = digest.hexdigest()[:16].upper()
        return "-".join(raw[i : i + 4] for i in range(0, 16, 4))

    def _wording_values(self, session: Session, case: Case, pt: PermitType) -> dict[str, Any]:
        office = self.office(session)
        # Printed form: a date field as "15 Maret 2024", never the stored ISO.
        values: dict[str, Any] = dict(display_values(pt.fields, case.field_values))
        values.update(
            nama_pemohon=case.applicant.name,
            nik_pemohon=case.applicant.nik,
            alamat_pemohon=case.applicant.address or "-",
            telepon_pemohon=case.applicant.phone or "-",
            nomor_registrasi=case.reg_number or case_reference(case),
            tanggal_permohonan=format_date(case.received_at.date()),
            jenis_izin=pt.name,
            nama_kantor=office.office_name.title(),
            kabupaten=office.regency.title(),
            alasan=case.field_values.get("_alasan") or "-",
        )
        return values

    def _field_table(self, case: Case, pt: PermitType) -> tuple[tuple[str, str], ...]:
        form = pt.applicant
        rows = [(form.name.print_label, case.applicant.name), ("NIK", case.applicant.nik)]
        if form.address.declared:  # the SOP asks for the address: the permit prints it
            rows.append((form.address.print_label, case.applicant.address or "-"))
        rows += [
            (f.label, display_value(f, case.field_values.get(f.key)) or "-")
            for f in pt.fields
            if case.field_values.get(f.key)
        ]
        return tuple(rows)

    def _paraf_marks(self, session: Session, version: DocumentVersion) -> tuple[c.ParafMark, ...]:
        rows = session.scalars(
            select(Paraf)
            .where(Paraf.document_version_id == version.id, Paraf.action == "paraf")
            .order_by(Paraf.at, Paraf.id)
        ).all()
        office = self._s.office
        ordered = sorted(
            rows, key=lambda p: office.roles[p.role].rank if p.role in office.roles else 0
        )
        return tuple(
            c.ParafMark(role=office.role_name(p.role), name=p.user.full_name, at=p.at)
            for p in ordered[: c.MAX_PARAF]
        )

    def _head_signatory(self, session: Session, signer: User | None = None) -> c.Signatory:
        office = self.office(session)
        if signer is None and not office.head_name:
            signer = session.scalars(
                select(User).join(UserRole).where(UserRole.role == "kadis", User.active.is_(True))
            ).first()
        if signer is not None:
            return c.Signatory(
                name=signer.full_name,
                title=office.head_title,
                rank=signer.rank,
                nip=signer.nip,
            )
        return office.head_signatory()

    def _signatory(
        self,
        session: Session,
        doc: Document,
        step: Step | None,
        signer: Actor | User | None,
        when: datetime,
    ) -> c.Signatory:
        """The signature block as the permit-type file and the office setting say.

        The signing step names the role that signs and the form (langsung, a.n., u.b., Plt.,
        Plh.); a head's step signed while a Plt./Plh. is set (Pengaturan) prints that form.
        Before the signature the block shows who will sign (the first active user of the
        role).
        """
        case = session.get(Case, doc.case_id)
        assert case is not None
        pt = self._s.definition_for(session, case)
        kind = DocumentKind(doc.kind) if doc.kind in set(DocumentKind) else None
        step = step or (lifecycle.signing_step(pt, kind) if kind is not None else None)
        acting = acting_head.acting_on(session, when.date())
        user = session.get(User, signer.id) if isinstance(signer, Actor) else signer
        role = step.actor if step is not None else HEAD_ROLE
        if user is None and acting is not None and role == HEAD_ROLE:
            user = session.get(User, acting.user_id)
        if user is None and role != HEAD_ROLE:
            user = session.scalars(
                select(User).join(UserRole).where(UserRole.role == role, User.active.is_(True))
            ).first()
        authority = step.authority if step is not None else AUTHORITY_DIRECT
        if role == HEAD_ROLE and authority == AUTHORITY_DIRECT:
            if acting is not None and user is not None and user.id == acting.user_id:
                office = self.office(session)
                return c.Signatory(
                    name=user.full_name,
                    title=office.head_title,
                    rank=user.rank,
                    nip=user.nip,
                    on_behalf=acting.form,  # type: ignore[arg-type]
                )
            return self._head_signatory(session, user)
        name = user.full_name if user is not None else ""
        rank, nip = (user.rank, user.nip) if user is not None else ("", "")
        own = self._role_title(session, role)
        if authority == AUTHORITY_DIRECT:
            return c.Signatory(name=name, title=own, rank=rank, nip=nip)
        assert step is not None
        principal = self._role_title(session, step.on_behalf_of)
        if authority in ("Plt.", "Plh."):
            return c.Signatory(name=name, title=principal, rank=rank, nip=nip, on_behalf=authority)
        return c.Signatory(
            name=name,
            title=own,
            rank=rank,
            nip=nip,
            on_behalf=authority,  # type: ignore[arg-type]
            principal_title=principal,
        )

    def _role_title(self, session: Session, role: str) -> str:
        """The printed title of a role: the office head's from the profile, else its name."""
        if role == HEAD_ROLE:
            return self.office(session).head_title
        return self._s.office.role_name(role)

    def _letter_context(
        self,
        session: Session,
        case: Case,
        pt: PermitType,
        doc: Document,
        version: DocumentVersion,
        *,
        draft: bool,
    ) -> c.LetterContext:
        office = self.office(session)
        # A letter is dated the day it is numbered (number-then-sign: not the signing day).
        numbered = version.body.get("numbered_at")
        day = datetime.fromisoformat(numbered).date() if numbered else version.created_at.date()
        late = {
            "nomor": doc.number if not draft and doc.number else ".....",
            "tanggal": format_date(day) if not draft else ".....",
        }
        body = fill(str(version.body.get("body", "")), late)
        signer = session.get(User, doc.signed_by) if doc.signed_by else None
        permit = doc.kind == DocumentKind.PERMIT.value
        qr = (
            qr_payload(doc.number, doc.verification_code)
            if (not draft and doc.number and doc.verification_code)
            else None
        )
        e_signed = None
        marker = ""
        if not draft and doc.sign_mode == "elektronik" and signer is not None:
            e_signed = signer.full_name
            from desktop_perizinan.services.esign.signer_config import config_for

            setting = config_for(session, signer.id)
            if setting.is_bsre and setting.appearance == "visible":
                marker = setting.marker if setting.placement == "penanda" else ""
        return c.LetterContext(
            office=office,
            kind=c.LetterKind.PERMIT if permit else c.LetterKind.REJECTION,
            number=None if draft else doc.number,
            place=office.city,
            date=None if draft else day,
            title=pt.wording.permit_title if permit else "",
            body=body,
            signatory=self._signatory(
                session, doc, None, signer, doc.signed_at or version.created_at
            ),
            hal="" if permit else pt.wording.rejection_subject,
            sifat="Biasa",
            lampiran="-",
            addressee=()
            if permit
            else (f"Yth. Sdr. {case.applicant.name}", case.applicant.address or "di Tempat"),
            table=self._field_table(case, pt) if permit else (),
            legal_basis=pt.legal_basis if permit else (),
            paraf=self._paraf_marks(session, version) if draft else (),
            draft=draft,
            qr_payload=qr,
            e_signed_by=e_signed,
            tte_marker=marker,
            considerations=pt.wording.permit_considerations if permit else (),
            tembusan=pt.wording.permit_tembusan if permit else pt.wording.rejection_tembusan,
            # The file's closing sentence (a pencabutan letter does not "give" a permit).
            closing=fill(
                pt.wording.permit_closing if permit else pt.wording.rejection_closing,
                {**self._wording_values(session, case, pt), **late},
            ),
        )


def _with_payload(pdf: bytes, payload: str) -> bytes:
    """The PDF with its verification payload in the document information (see verification)."""
    from desktop_perizinan.services.verification import embed_payload

    return embed_payload(pdf, payload)


def printed_signatory(signatory: c.Signatory) -> str:
    """The signature heading and name on one line, for the agenda book ("ditandatangani
    oleh"): "a.n. Kepala Dinas ... / Kepala Bidang Perizinan: Ir. Budi"."""
    heading = " / ".join(line.rstrip(",") for line in signatory.heading_lines())
    return f"{heading}: {signatory.name}" if signatory.name.strip() else heading


def case_reference(case: Case) -> str:
    """The reference of a case before it has a registration number (klarifikasi slip)."""
    return f"K-{case.received_at:%Y}-{case.id:06d}"


def _applicant(case: Case) -> c.Applicant:
    a = case.applicant
    return c.Applicant(name=a.name, nik=a.nik, address=a.address, phone=a.phone)


def _first_role(actor: Actor) -> str:
    return sorted(actor.roles)[0] if actor.roles else ""


def _ref(doc: Document, version: DocumentVersion) -> DocumentRef:
    return DocumentRef(doc.id, doc.title, doc.number, version.version)
