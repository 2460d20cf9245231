"""The back office's use cases: every step after the counter, through one ``act`` call.

``act`` locks the case, refuses a step already taken ("sudah ditangani oleh X pukul 10:42")
or one the user's roles may not take, lets the step's action record its data and documents,
asks the engine for the transition, and writes it all with the audit entry in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import Case, Document, ExpeditionEntry, Fee, StepRecord, User
from desktop_perizinan.errors import (
    AlreadyHandled,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from desktop_perizinan.services import acting_head as acting
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.services.attachments import AttachmentIn, store_attachment
from desktop_perizinan.services.steps import close_step, lock_case, open_step, state_of
from desktop_perizinan.workflow import engine, lifecycle
from desktop_perizinan.workflow.definition import (
    HEAD_ROLE,
    Action,
    CaseStatus,
    DocumentKind,
    PermitType,
    Step,
)

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

SIGN_MODES = ("basah", "elektronik")
DELIVERY_WAYS = ("Diambil di loket", "Dikirim melalui pos", "Dikirim melalui surel")


@dataclass(frozen=True)
class ActRequest:
    """What the user decided at a step. ``data`` holds the step's own fields (see handlers)."""

    step_record_id: int
    outcome: str
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[AttachmentIn, ...] = ()


@dataclass(frozen=True)
class DocumentRef:
    document_id: int
    title: str
    number: str | None
    version: int


@dataclass(frozen=True)
class ActResult:
    case_id: int
    status: CaseStatus
    next_step: str | None
    next_role: str | None
    documents: tuple[DocumentRef, ...]


@dataclass
class StepContext:
    session: Session
    services: Services
    actor: Actor
    case: Case
    pt: PermitType
    step: Step
    record: StepRecord
    request: ActRequest
    now: datetime
    produced: list[DocumentRef] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        return self.request.data

    def text(self, key: str, label: str, *, required: bool = True, limit: int = 2000) -> str:
        value = str(self.data.get(key) or "").strip()
        if required and not value:
            raise ValidationError(f"{label} wajib diisi.", key)
        if len(value) > limit:
            raise ValidationError(f"{label} terlalu panjang (maksimal {limit} karakter).", key)
        return value

    def document(self, action: Action | None = None) -> Document:
        """The step's document, after asking the lifecycle whether ``action`` may run on it
        now (the same rule ``forms check`` applied to the file)."""
        kind = self.step.document
        assert kind is not None
        doc = self.services.documents.current_document(self.session, self.case.id, kind.value)
        why = lifecycle.refusal(
            action or self.step.action, kind, document_events(self.session, doc)
        )
        if why is not None:
            raise ValidationError(why)
        assert doc is not None
        return doc


def document_events(session: Session, doc: Document | None) -> frozenset[lifecycle.Event]:
    """What has happened to a document, read from its row (see ``workflow.lifecycle``)."""
    if doc is None or not doc.versions:
        return frozenset()
    done = {lifecycle.Event.DRAFTED}
    if doc.signed_at is not None:
        done.add(lifecycle.Event.SIGNED)
    if doc.number is not None:
        done.add(lifecycle.Event.NUMBERED)
    sent = session.scalars(
        select(ExpeditionEntry.id).where(ExpeditionEntry.document_id == doc.id)
    ).first()
    if sent is not None:
        done.add(lifecycle.Event.DELIVERED)
    return frozenset(done)


class CaseWorkService:
    def __init__(self, services: Services) -> None:
        self._s = services

    # ------------------------------------------------------------------ the generic step

    def act(self, actor: Actor, request: ActRequest) -> ActResult:
        now = self._s.now()
        with self._s.db.transaction() as session:
            record = session.get(StepRecord, request.step_record_id)
            if record is None:
                raise NotFound("Langkah tidak ditemukan.")
            case = lock_case(session, record.case_id)
            session.refresh(record)
            if record.done_at is not None:
                raise _already_handled(session, record)
            pt = self._s.definition_for(session, case)
            if case.status != CaseStatus.RUNNING.value or case.current_step != record.step_id:
                raise ValidationError("Langkah ini tidak lagi terbuka; muat ulang daftar tugas.")
            step = pt.step(record.step_id)
            roles = actor.roles | acting_roles(session, actor, now)
            if not engine.may_act(pt, self._s.office, state_of(case), roles):
                raise PermissionDenied(
                    f"Langkah '{step.name}' dikerjakan oleh "
                    f"{self._s.office.role_name(record.role)}; Anda tidak berwenang."
                )
            if step.outcome(request.outcome) is None:
                # Let the engine phrase the refusal the same way everywhere.
                engine.apply_outcome(pt, state_of(case), request.outcome, request.note)
            ctx = StepContext(session, self._s, actor, case, pt, step, record, request, now)
            for item in request.attachments:
                store_attachment(
                    session,
                    item,
                    case_id=case.id,
                    user_id=actor.id,
                    when=now,
                    step_record_id=record.id,
                    max_bytes=self._s.settings.attachment_limit_bytes(),
                )
            _run_actions(ctx)
            transition = close_step(
                session,
                case,
                record,
                pt,
                request.outcome,
                note=request.note,
                user_id=actor.id,
                office=self._s.office,
                calendar=self._s.calendar,
                now=now,
            )
            audit.append(
                session,
                actor,
                f"langkah.{step.action.value}",
                at=now,
                case_id=case.id,
                langkah=step.no,
                hasil=request.outcome,
                catatan=request.note or "",
            )
            next_step = transition.next_step
            return ActResult(
                case_id=case.id,
                status=transition.after.status,
                next_step=next_step.name if next_step else None,
                next_role=self._s.office.role_name(next_step.actor) if next_step else None,
                documents=tuple(ctx.produced),
            )

    # ------------------------------------------------------------------ outside the SOP

    def withdraw(self, actor: Actor, case_id: int, reason: str) -> None:
        """The applicant withdraws: the case stops where it is, with the reason."""
        self._require_counter_or_admin(actor, "menarik permohonan")
        reason = _reason(reason, "Alasan penarikan")
        now = self._s.now()
        with self._s.db.transaction() as session:
            case = lock_case(session, case_id)
            state = engine.withdraw(state_of(case))
            for record in _open_records(session, case.id):
                record.done_at, record.done_by = now, actor.id
                record.outcome, record.note = "ditarik", reason
                record.late_minutes = self._s.calendar.late_minutes(record.due_at, now)
            case.status = state.status.value
            case.closed_at = now
            audit.append(session, actor, "permohonan.tarik", at=now, case_id=case.id, alasan=reason)

    def reopen(self, actor: Actor, case_id: int, reason: str) -> None:
        """Reopen a withdrawn case at the step where it stopped."""
        self._require_counter_or_admin(actor, "membuka kembali permohonan")
        reason = _reason(reason, "Alasan membuka kembali")
        now = self._s.now()
        with self._s.db.transaction() as session:
            case = lock_case(session, case_id)
            pt = self._s.definition_for(session, case)
            state = engine.reopen(pt, state_of(case))
            case.status = state.status.value
            case.closed_at = None
            record = open_step(
                session,
                case,
                pt.step(state.step_id),
                office=self._s.office,
                calendar=self._s.calendar,
                now=now,
            )
            record.note = f"Dibuka kembali: {reason}"
            audit.append(session, actor, "permohonan.buka", at=now, case_id=case.id, alasan=reason)

    def void_number(self, actor: Actor, entry_id: int, reason: str) -> None:
        """Void a spoiled number: it stays in the book with its reason, never reused."""
        from desktop_perizinan.db.models import AgendaEntry
        from desktop_perizinan.services.numbering import void_entry

        actor.require("ksb_umum", ADMIN_ROLE, what="membatalkan nomor agenda")
        now = self._s.now()
        with self._s.db.transaction() as session:
            entry = session.get(AgendaEntry, entry_id)
            if entry is None:
                raise NotFound("Nomor agenda tidak ditemukan.")
            void_entry(session, entry, reason=reason, when=now, by=actor.id)
            audit.append(
                session,
                actor,
                "agenda.batal",
                at=now,
                case_id=entry.case_id,
                nomor=entry.number,
                alasan=reason.strip(),
            )

    def issue_skrd(self, actor: Actor, case_id: int) -> DocumentRef:
        """Issue the SKRD of a case whose permit type has a fee."""
        actor.require("backoffice", ADMIN_ROLE, what="menerbitkan SKRD")
        now = self._s.now()
        with self._s.db.transaction() as session:
            case = lock_case(session, case_id)
            pt = self._s.definition_for(session, case)
            if pt.is_free:
                raise ValidationError(f"{pt.name} gratis; tidak ada SKRD.")
            if session.scalars(select(Fee).where(Fee.case_id == case.id)).first():
                raise ValidationError("SKRD untuk permohonan ini sudah diterbitkan.")
            ref = self._s.documents.issue_skrd(session, actor, case, pt, now)
            audit.append(session, actor, "skrd.terbit", at=now, case_id=case.id, nomor=ref.number)
            return ref

    # ------------------------------------------------------------------ acting head

    def acting_head(self) -> acting.ActingHead | None:
        with self._s.db.reading() as session:
            return acting.current(session)

    def set_acting_head(
        self,
        actor: Actor,
        user_id: int | None,
        form: str = "Plt.",
        start: date | None = None,
        end: date | None = None,
    ) -> None:
        """Record (or, with ``user_id=None``, clear) who is Plt./Plh. head, and when."""
        actor.require(ADMIN_ROLE, what="menetapkan Plt./Plh. kepala")
        now = self._s.now()
        with self._s.db.transaction() as session:
            if user_id is None:
                acting.store(session, None)
                audit.append(session, actor, "pengaturan.plt_hapus", at=now)
                return
            if start is None or end is None:
                raise ValidationError("Tanggal mulai dan selesai wajib diisi.", "start")
            setting = acting.validate(session, user_id, form, start, end)
            acting.store(session, setting)
            audit.append(
                session,
                actor,
                "pengaturan.plt",
                at=now,
                pengguna=user_id,
                bentuk=form,
                mulai=start.isoformat(),
                selesai=end.isoformat(),
            )

    def _require_counter_or_admin(self, actor: Actor, what: str) -> None:
        actor.require(self._s.office.applicant_recorded_by, "backoffice", ADMIN_ROLE, what=what)


# ---------------------------------------------------------------------- step handlers


def _disposition(ctx: StepContext) -> None:
    from desktop_perizinan.documents.contexts import SIFAT_CHOICES

    to = ctx.data.get("to") or []
    if isinstance(to, str):
        to = [to]
    if not to:
        next_steps = [o.target for o in ctx.step.outcomes if not o.target.startswith("@")]
        to = [ctx.services.office.role_name(ctx.pt.step(t).actor) for t in next_steps[:1]]
    instructions = [str(i) for i in ctx.data.get("instructions") or ["Proses lebih lanjut"]]
    sifat = str(ctx.data.get("sifat") or "Biasa")
    if sifat not in SIFAT_CHOICES:
        raise ValidationError(f"Sifat harus salah satu dari: {', '.join(SIFAT_CHOICES)}.", "sifat")
    ctx.record.data = {"to": list(to), "instructions": instructions, "sifat": sifat}
    ref = ctx.services.documents.issue_disposisi(
        ctx.session,
        ctx.actor,
        ctx.case,
        ctx.pt,
        to=tuple(to),
        instructions=tuple(instructions),
        sifat=sifat,
        notes=ctx.text("catatan", "Catatan", required=False),
        now=ctx.now,
    )
    ctx.produced.append(ref)


def _recommendation_request(ctx: StepContext) -> None:
    addressee = ctx.text("kepada", "Tujuan surat", required=False) or "Ketua Tim Teknis"
    ctx.record.data = {"kepada": addressee}
    ref = ctx.services.documents.issue_recommendation_request(
        ctx.session,
        ctx.actor,
        ctx.case,
        ctx.pt,
        addressee=addressee,
        notes=ctx.text("catatan", "Catatan", required=False),
        now=ctx.now,
    )
    ctx.produced.append(ref)


def _inspection(ctx: StepContext) -> None:
    raw_date = ctx.text("tanggal", "Tanggal peninjauan")
    try:
        day = date.fromisoformat(raw_date)
    except ValueError:
        raise ValidationError("Tanggal peninjauan tidak valid.", "tanggal") from None
    if day > ctx.now.date():
        raise ValidationError("Tanggal peninjauan tidak boleh di masa depan.", "tanggal")
    location = ctx.text("lokasi", "Lokasi peninjauan")
    team = [m for m in ctx.data.get("tim") or [] if str(m.get("name", "")).strip()]
    if not team:
        raise ValidationError("Tuliskan paling sedikit satu anggota tim teknis.", "tim")
    findings = [str(f).strip() for f in ctx.data.get("temuan") or [] if str(f).strip()]
    if not findings:
        raise ValidationError("Tuliskan hasil peninjauan (temuan).", "temuan")
    conclusion = ctx.text("kesimpulan", "Kesimpulan")
    ctx.record.data = {
        "tanggal": day.isoformat(),
        "lokasi": location,
        "tim": team,
        "temuan": findings,
        "kesimpulan": conclusion,
    }
    ref = ctx.services.documents.issue_berita_acara(
        ctx.session, ctx.actor, ctx.case, ctx.pt, ctx.record.data, ctx.now
    )
    ctx.produced.append(ref)


def _recommendation(ctx: StepContext) -> None:
    reasons = (ctx.request.note or "").strip()
    ctx.record.data = {"keputusan": ctx.request.outcome, "alasan": reasons}
    values = dict(ctx.case.field_values)
    values["_rekomendasi"] = ctx.request.outcome
    values["_alasan"] = reasons
    ctx.case.field_values = values


def _draft(ctx: StepContext) -> None:
    kind = ctx.step.document
    assert kind is not None
    body = ctx.text("body", "Isi surat", required=False, limit=20000) or None
    ref = ctx.services.documents.draft_letter(
        ctx.session, ctx.actor, ctx.case, ctx.pt, DocumentKind(kind), body, ctx.now, ctx.step
    )
    ctx.record.data = {"document_id": ref.document_id, "version": ref.version}
    ctx.produced.append(ref)


def _paraf(ctx: StepContext) -> None:
    doc = ctx.document(Action.PARAF)
    action = "kembalikan" if ctx.request.outcome == "kembalikan" else "paraf"
    ref = ctx.services.documents.record_paraf(
        ctx.session, ctx.actor, doc, ctx.step, action, ctx.request.note, ctx.now
    )
    ctx.record.data = {"document_id": doc.id, "version": ref.version, "aksi": action}
    ctx.produced.append(ref)


def _sign(ctx: StepContext) -> None:
    doc = ctx.document(Action.SIGN)
    if ctx.request.outcome == lifecycle.RETURN_OUTCOME:
        ref = ctx.services.documents.record_paraf(
            ctx.session, ctx.actor, doc, ctx.step, "kembalikan", ctx.request.note, ctx.now
        )
        ctx.produced.append(ref)
        return
    mode = str(ctx.data.get("mode") or "basah")
    if mode not in SIGN_MODES:
        raise ValidationError("Cara tanda tangan harus basah atau elektronik.", "mode")
    if mode == "basah":
        # Numbered before (number-then-sign): this signature makes the letter final.
        ref = ctx.services.documents.sign(
            ctx.session, ctx.actor, ctx.case, ctx.pt, doc, mode, ctx.data, ctx.now, ctx.step
        )
        ctx.record.data = {"document_id": doc.id, "mode": mode}
        if ctx.data.get("tte_menyusul"):
            # Outage mode (issue 12): the gateway is down; the TTE follows on the same number.
            from desktop_perizinan.services.tte_deferred import record_wet_signature

            reason = str(ctx.data.get("alasan") or "")
            record_wet_signature(ctx.session, ctx.actor, doc, reason, ctx.now)
            ctx.record.data["tte_menyusul"] = True
        ctx.produced.append(ref)
        return
    # Electronic: the number must show in the signed PDF, so it is taken now, from the book
    # of the penomoran step that follows. Only the certificate's identity is recorded, never
    # the PKCS#12 or its passphrase.
    from desktop_perizinan.services import esign

    # The backend (own PKCS#12 or BSrE, per the signer's Pengaturan) holds the secret for
    # this call only; the record keeps the certificate's identity and the backend, no secret.
    backend = esign.backend_for(ctx.session, ctx.actor, ctx.data)
    # Sign-then-number: the number shows in the signed PDF, taken now from the book of the
    # penomoran that follows. Number-then-sign: the document already has its number.
    later = lifecycle.numbering_after(ctx.pt.steps, ctx.step)
    book = ctx.pt.number_book(later) if later is not None else ctx.pt.number_book(ctx.step)
    handed: dict[str, Any] = {"backend": backend, "book": book}
    ref = ctx.services.documents.sign(
        ctx.session, ctx.actor, ctx.case, ctx.pt, doc, mode, handed, ctx.now, ctx.step
    )
    signed: esign.SignedPdf = handed["hasil_tte"]
    ctx.record.data = {
        "document_id": doc.id,
        "mode": mode,
        "nomor": ref.number,
        "buku": book,
        **signed.as_record(),
    }
    ctx.produced.append(ref)


def _number(ctx: StepContext) -> None:
    doc = ctx.document(Action.NUMBER)
    if doc.number is not None:
        # Taken already: at an electronic signature (sign-then-number), or before a return
        # and redraft of a letter numbered first; this step confirms it.
        ref = DocumentRef(doc.id, doc.title, doc.number, doc.versions[-1].version)
        ctx.record.data = {"document_id": doc.id, "nomor": doc.number, "dikonfirmasi": True}
        ctx.produced.append(ref)
        return
    book = ctx.pt.number_book(ctx.step)
    documents = ctx.services.documents
    if doc.signed_at is None and lifecycle.signature_follows(ctx.pt.steps, ctx.step):
        # Number-then-sign, as the file orders it: the signature makes the letter final.
        ref = documents.assign_number(ctx.session, ctx.actor, ctx.case, ctx.pt, doc, book, ctx.now)
    else:
        ref = documents.finalize_with_number(
            ctx.session, ctx.actor, ctx.case, ctx.pt, doc, book, ctx.now
        )
    ctx.record.data = {"document_id": doc.id, "nomor": ref.number, "buku": book}
    ctx.produced.append(ref)


def _archive(ctx: StepContext) -> None:
    """The file set aside for the archive: recorded on the step (who, when, which number)."""
    doc = ctx.document(Action.ARCHIVE)
    ctx.record.data = {"document_id": doc.id, "diarsipkan": True, "nomor": doc.number}


def _payment(ctx: StepContext) -> None:
    fee = ctx.session.scalars(select(Fee).where(Fee.case_id == ctx.case.id)).first()
    if fee is None:
        raise ValidationError("SKRD belum diterbitkan; terbitkan SKRD lebih dulu.")
    reference = ctx.text("bukti", "Nomor bukti pembayaran", limit=120)
    fee.paid_at = ctx.now
    fee.payment_ref = reference
    ctx.record.data = {"bukti": reference, "jumlah": fee.amount}


def _delivery(ctx: StepContext) -> None:
    doc = ctx.document(Action.DELIVERY)
    way = str(ctx.data.get("cara") or DELIVERY_WAYS[0])
    if way not in DELIVERY_WAYS:
        raise ValidationError(f"Cara penyerahan harus salah satu dari: {', '.join(DELIVERY_WAYS)}.")
    entry = ExpeditionEntry(
        case_id=ctx.case.id,
        document_id=doc.id,
        number=doc.number,
        title=doc.title,
        sent_at=ctx.now,
        sent_by=ctx.actor.id,
        note=way,
    )
    ctx.session.add(entry)
    ctx.record.data = {"document_id": doc.id, "cara": way}


def _handover(ctx: StepContext) -> None:
    doc = ctx.document(Action.HANDOVER)
    # In a composite counter row ("menyerahkan kepada pemohon") the screen is the delivery's;
    # without another name given, the applicant is the one who receives.
    alone = ctx.step.action is Action.HANDOVER
    recipient = ctx.text("penerima", "Nama penerima", required=alone, limit=300)
    recipient = recipient or ctx.case.applicant.name
    entry = ctx.session.scalars(
        select(ExpeditionEntry)
        .where(ExpeditionEntry.document_id == doc.id)
        .order_by(ExpeditionEntry.id.desc())
    ).first()
    if entry is None:
        raise ValidationError("Dokumen belum tercatat di buku ekspedisi (langkah penyampaian).")
    entry.recipient_name = recipient
    entry.received_at = ctx.now
    note = ctx.text("keterangan", "Keterangan", required=False, limit=300)
    if note:
        entry.note = f"{entry.note or ''}; {note}".strip("; ")
    ref = ctx.services.documents.issue_tanda_terima(
        ctx.session, ctx.actor, ctx.case, doc, recipient, note, ctx.now
    )
    ctx.record.data = {"document_id": doc.id, "penerima": recipient}
    ctx.produced.append(ref)


_HANDLERS = {
    Action.DISPOSITION: _disposition,
    Action.RECOMMENDATION_REQUEST: _recommendation_request,
    Action.INSPECTION: _inspection,
    Action.RECOMMENDATION: _recommendation,
    Action.DRAFT: _draft,
    Action.PARAF: _paraf,
    Action.SIGN: _sign,
    Action.NUMBER: _number,
    Action.PAYMENT: _payment,
    Action.DELIVERY: _delivery,
    Action.HANDOVER: _handover,
    Action.ARCHIVE: _archive,
}


def _run_actions(ctx: StepContext) -> None:
    """Do what the step's SOP row says, action by action, in the order the file writes them.

    A returned document ("kembalikan") only records the return at the paraf or signature.
    Each action's record data is kept (a composite row records all of them).
    """
    actions = ctx.step.actions
    reason = (ctx.request.note or "").strip()
    if ctx.request.outcome == "tolak" and reason and ctx.step.action is not Action.RECOMMENDATION:
        # A refusal decided at any step gives the rejection letter its {alasan}.
        ctx.case.field_values = {**ctx.case.field_values, "_alasan": reason}
    if ctx.request.outcome == lifecycle.RETURN_OUTCOME:
        actions = tuple(a for a in actions if a in (Action.PARAF, Action.SIGN))[:1]
    original = ctx.record.data
    merged: dict[str, Any] = {}
    for action in actions:
        handler = _HANDLERS.get(action)
        if handler is None:
            continue
        ctx.record.data = {}
        handler(ctx)
        merged.update(ctx.record.data or {})
    if len(ctx.step.actions) > 1:
        ctx.record.data = {**merged, "tindakan": [a.value for a in ctx.step.actions]}
    else:
        ctx.record.data = merged or original


def acting_roles(session: Session, actor: Actor, now: datetime) -> frozenset[str]:
    """The head's role for the Plt./Plh. of today (office setting), else nothing extra."""
    setting = acting.acting_on(session, now.date())
    if setting is not None and setting.user_id == actor.id:
        return frozenset({HEAD_ROLE})
    return frozenset()


# ---------------------------------------------------------------------- helpers


def _open_records(session: Session, case_id: int) -> list[StepRecord]:
    return list(
        session.scalars(
            select(StepRecord).where(StepRecord.case_id == case_id, StepRecord.done_at.is_(None))
        )
    )


def _already_handled(session: Session, record: StepRecord) -> AlreadyHandled:
    user = session.get(User, record.done_by) if record.done_by else None
    assert record.done_at is not None
    return AlreadyHandled(user.full_name if user else "pengguna lain", f"{record.done_at:%H:%M}")


def _reason(text: str, label: str) -> str:
    reason = (text or "").strip()
    if len(reason) < 5:
        raise ValidationError(f"{label} wajib diisi (minimal 5 karakter).", "reason")
    return reason
