"""The life of the permit and the rejection letter: draft, paraf, signature, number, final,
in whichever order the permit-type file sets (``workflow.lifecycle``; issue 11).

A mixin of :class:`DocumentService` (``services.documents``), which provides the storage
helpers (``_new_document``, ``_add_version``, ``_code``, ``current_document``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from desktop_perizinan.db.models import (
    AgendaEntry,
    Case,
    Document,
    DocumentVersion,
    Paraf,
    User,
)
from desktop_perizinan.documents import contexts as c
from desktop_perizinan.documents.dates import format_date
from desktop_perizinan.documents.field_text import display_value, display_values
from desktop_perizinan.errors import ValidationError
from desktop_perizinan.services import number_reservation
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.document_parts import DocumentRef
from desktop_perizinan.workflow.definition import (
    DocumentKind,
    PermitType,
    Step,
)
from desktop_perizinan.workflow.placeholders import fill

if TYPE_CHECKING:
    from desktop_perizinan.services.numbering import TakenNumber

from desktop_perizinan.services.document_parts import (
    case_reference,
    qr_payload,
    render,
)
from desktop_perizinan.services.document_parts import (
    ref as _ref,
)
from desktop_perizinan.services.document_parts import (
    with_payload as _with_payload,
)
from desktop_perizinan.services.letter_signers import SignerBlocks, printed_signatory


class LetterLifecycle(SignerBlocks):
    """The letter's life as use-case steps; see the module docstring."""

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
        the PDF that is signed, so it is given to the letter now from ``data["book"]`` (the
        book of the following penomoran step): the line kept for it, taken apart
        (``services.number_reservation``), so the counter is not locked while the PDF is
        rendered and signed. Electronic, number-then-sign: the
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
        """The number from ``book``; the payload of the version that will show it.

        Usually the line kept for this document (taken apart just before, see
        ``services.number_reservation``, or at an earlier attempt that failed): claimed here,
        so the counter is not locked while the letter is rendered and signed. The letter then
        carries the line's moment and clerk, as the book does. Without one, a step run by
        ``act`` asks for it (:class:`NumberNeeded`); otherwise (a letter drafted in this same
        step) the number is taken here.
        """
        if doc.number is not None:
            raise ValidationError(f"Dokumen ini sudah bernomor {doc.number}.")
        entry: AgendaEntry | TakenNumber | None = number_reservation.claim(session, doc.id, book)
        if entry is None:
            if session.info.get(number_reservation.APART):
                # Taken in a short transaction of its own, then this step runs again.
                raise number_reservation.NumberNeeded(doc.id, case.id, book)
            entry = number_reservation.take_for_letter(session, book, case, doc, when=now, by=actor)
        doc.number = entry.number
        doc.numbered_by, doc.numbered_at = entry.taken_by or actor.id, entry.taken_at
        payload = dict(doc.versions[-1].body)
        payload["numbered_at"] = entry.taken_at.isoformat()
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
