"""What each kind of step does when it is recorded: one handler per action, run in the
order the SOP row writes them (a composite row runs several), each after asking
``workflow.lifecycle`` whether the document allows it now.

Called by :meth:`CaseWorkService.act` (``services.casework``) inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import Case, Document, ExpeditionEntry, Fee, StepRecord
from desktop_perizinan.errors import (
    ValidationError,
)
from desktop_perizinan.services import acting_head as acting
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.document_parts import DocumentRef
from desktop_perizinan.workflow import lifecycle
from desktop_perizinan.workflow.definition import (
    HEAD_ROLE,
    Action,
    DocumentKind,
    PermitType,
    Step,
)

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.casework import ActRequest

SIGN_MODES = ("basah", "elektronik")
DELIVERY_WAYS = ("Diambil di loket", "Dikirim melalui pos", "Dikirim melalui surel")


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


def run_actions(ctx: StepContext) -> None:
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
