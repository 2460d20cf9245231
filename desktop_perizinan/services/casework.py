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

from desktop_perizinan.db.models import Fee, StepRecord, User
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
from desktop_perizinan.services.document_parts import DocumentRef
from desktop_perizinan.services.number_reservation import APART, NumberNeeded, reserve_needed
from desktop_perizinan.services.steps import close_step, lock_case, open_step, state_of
from desktop_perizinan.workflow import engine
from desktop_perizinan.workflow.definition import (
    CaseStatus,
)

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services
from desktop_perizinan.services.step_actions import (
    DELIVERY_WAYS,
    SIGN_MODES,
    StepContext,
    acting_roles,
    document_events,
    run_actions,
)


@dataclass(frozen=True)
class ActRequest:
    """What the user decided at a step. ``data`` holds the step's own fields (see handlers)."""

    step_record_id: int
    outcome: str
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[AttachmentIn, ...] = ()


@dataclass(frozen=True)
class ActResult:
    case_id: int
    status: CaseStatus
    next_step: str | None
    next_role: str | None
    documents: tuple[DocumentRef, ...]


class CaseWorkService:
    def __init__(self, services: Services) -> None:
        self._s = services

    # ------------------------------------------------------------------ the generic step

    def act(self, actor: Actor, request: ActRequest) -> ActResult:
        now = self._s.now()
        apart = True
        for _attempt in range(3):
            try:
                return self._act(actor, request, now, numbers_apart=apart)
            except NumberNeeded as need:
                # Everything the step checks before its number passed, and nothing of the
                # attempt was kept. The number is taken in a short transaction of its own,
                # so that the book's counter is not locked while the letter is rendered and
                # signed (BSrE: seconds); then the step runs again and claims it.
                with self._s.db.transaction() as session:
                    apart = reserve_needed(session, actor, need, when=now)
        raise AssertionError("langkah tetap meminta nomor sesudah nomornya diambil")

    def _act(
        self, actor: Actor, request: ActRequest, now: datetime, *, numbers_apart: bool
    ) -> ActResult:
        """The step's transaction (see ``act``); ``numbers_apart``: a letter's number is asked
        for (``NumberNeeded``) rather than taken inside (``services.number_reservation``)."""
        with self._s.db.transaction() as session:
            session.info[APART] = numbers_apart
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
            run_actions(ctx)
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


__all__ = [
    "DELIVERY_WAYS",
    "SIGN_MODES",
    "ActRequest",
    "ActResult",
    "CaseWorkService",
    "DocumentRef",
    "StepContext",
    "document_events",
]
