"""Read-only views for the screens: task lists, one case in full, look-ups.

Each call opens a short reading session and returns plain dataclasses, so no widget ever
holds a database session or an ORM object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import (
    Applicant,
    Attachment,
    Case,
    Document,
    Paraf,
    StepRecord,
    User,
)
from desktop_perizinan.documents.field_text import display_value
from desktop_perizinan.errors import NotFound
from desktop_perizinan.services.acting_head import acting_on
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.documents import case_reference
from desktop_perizinan.services.steps import state_of
from desktop_perizinan.workflow import engine
from desktop_perizinan.workflow.definition import HEAD_ROLE, Action, CaseStatus, Outcome, StepNo

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.case_search import CaseRow


@dataclass(frozen=True)
class TaskRow:
    step_record_id: int
    case_id: int
    reg_number: str
    applicant_name: str
    permit_name: str
    step_no: int
    step_name: str
    role: str
    standard: str
    started_at: datetime
    due_at: datetime
    remaining_minutes: int  # negative when overdue, in working minutes

    @property
    def overdue(self) -> bool:
        return self.remaining_minutes < 0


@dataclass(frozen=True)
class TimelineRow:
    step_no: int
    name: str
    role: str
    standard: str
    started_at: datetime
    due_at: datetime
    done_at: datetime | None
    done_by: str | None
    outcome: str | None
    note: str | None
    late_minutes: int | None


@dataclass(frozen=True)
class ParafRow:
    version: int
    role: str
    name: str
    action: str
    note: str | None
    at: datetime


@dataclass(frozen=True)
class DocumentRow:
    id: int
    kind: str
    title: str
    number: str | None
    status: str
    versions: int
    sign_mode: str | None
    paraf: tuple[ParafRow, ...]


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    file_name: str
    mime: str
    size: int
    requirement_code: str | None


@dataclass(frozen=True)
class OpenStep:
    """The step a user may act on now, with what the screen needs to offer it."""

    step_record_id: int
    step_id: str
    no: int
    name: str
    action: Action
    document: str | None
    outcomes: tuple[Outcome, ...]
    due_at: datetime
    may_act: bool


@dataclass(frozen=True)
class CaseView:
    id: int
    reference: str
    reg_number: str | None
    permit_code: str
    permit_name: str
    status: CaseStatus
    channel: str
    renewal: bool
    applicant_name: str
    applicant_nik: str
    applicant_address: str
    applicant_phone: str
    fields: tuple[tuple[str, str], ...]  # (label, value)
    requirements: tuple[tuple[str, str, bool], ...]  # (code, name, present)
    attachments: tuple[AttachmentRow, ...]
    timeline: tuple[TimelineRow, ...]
    documents: tuple[DocumentRow, ...]
    received_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    permit_number: str | None
    current_step_name: str
    open_step: OpenStep | None


class CaseQueries:
    def __init__(self, services: Services) -> None:
        self._s = services

    def tasks(self, actor: Actor, *, limit: int = 500) -> list[TaskRow]:
        """The open steps of the actor's roles, most urgent first."""
        now = self._s.now()
        with self._s.db.reading() as session:
            roles = set(actor.roles)
            acting = acting_on(session, now.date())  # a Plt./Plh. also sees the head's steps
            if acting is not None and acting.user_id == actor.id:
                roles.add(HEAD_ROLE)
            rows = session.execute(
                select(StepRecord, Case, Applicant)
                .join(Case, Case.id == StepRecord.case_id)
                .join(Applicant, Applicant.id == Case.applicant_id)
                .where(StepRecord.done_at.is_(None), StepRecord.role.in_(sorted(roles)))
                .order_by(StepRecord.due_at)
                .limit(limit)
            ).all()
            result = []
            for record, case, applicant in rows:
                pt = self._s.definition_for(session, case)
                result.append(
                    TaskRow(
                        step_record_id=record.id,
                        case_id=case.id,
                        reg_number=case.reg_number or case_reference(case),
                        applicant_name=applicant.name,
                        permit_name=pt.name,
                        step_no=StepNo(record.step_no, record.step_label),
                        step_name=record.name,
                        role=record.role,
                        standard=record.standard,
                        started_at=record.started_at,
                        due_at=record.due_at,
                        remaining_minutes=self._remaining(now, record.due_at),
                    )
                )
            return result

    def _remaining(self, now: datetime, due: datetime) -> int:
        cal = self._s.calendar
        if due >= now:
            return cal.working_minutes_between(now, due)
        return -max(1, cal.working_minutes_between(due, now))

    def case(self, case_id: int, actor: Actor | None = None) -> CaseView:
        with self._s.db.reading() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFound(f"Permohonan {case_id} tidak ditemukan.")
            return self._view(session, case, actor)

    def find_by_number(self, number: str) -> int | None:
        """A registration or permit number (typed or scanned) to its case."""
        text = number.strip()
        if not text:
            return None
        with self._s.db.reading() as session:
            return session.scalar(
                select(Case.id).where(or_(Case.reg_number == text, Case.permit_number == text))
            )

    def search(self, text: str, *, limit: int = 200) -> list[CaseRow]:
        """Cases whose applicant name, NIK, registration or permit number contains ``text``,
        newest first (the same indexed search as the Permohonan table)."""
        from desktop_perizinan.services.case_search import CaseFilters, CaseSearch

        return CaseSearch(self._s).search_page(CaseFilters(text=text), 0, limit)

    def waiting_for_applicant(self, *, text: str = "", limit: int = 200) -> list[CaseRow]:
        """Files waiting for the applicant; ``text`` searches name, full NIK and numbers in
        the database (the list shows the NIK masked, so it cannot be filtered on screen)."""
        from desktop_perizinan.services.case_search import CaseFilters, CaseSearch

        filters = CaseFilters(text=text, status=CaseStatus.WAITING_APPLICANT)
        return CaseSearch(self._s).search_page(filters, 0, limit)

    # ------------------------------------------------------------------ internals

    def _view(self, session: Session, case: Case, actor: Actor | None) -> CaseView:
        pt = self._s.definition_for(session, case)
        users = {u.id: u.full_name for u in session.scalars(select(User))}
        records = session.scalars(
            select(StepRecord).where(StepRecord.case_id == case.id).order_by(StepRecord.id)
        ).all()
        timeline = tuple(
            TimelineRow(
                step_no=StepNo(r.step_no, r.step_label),
                name=r.name,
                role=self._s.office.role_name(r.role),
                standard=r.standard,
                started_at=r.started_at,
                due_at=r.due_at,
                done_at=r.done_at,
                done_by=users.get(r.done_by) if r.done_by else None,
                outcome=r.outcome,
                note=r.note,
                late_minutes=r.late_minutes,
            )
            for r in records
        )
        documents = []
        for doc in session.scalars(
            select(Document).where(Document.case_id == case.id).order_by(Document.id)
        ):
            paraf_rows: list[ParafRow] = []
            for version in doc.versions:
                for p in session.scalars(
                    select(Paraf).where(Paraf.document_version_id == version.id).order_by(Paraf.id)
                ):
                    paraf_rows.append(
                        ParafRow(
                            version.version,
                            self._s.office.role_name(p.role),
                            p.user.full_name,
                            p.action,
                            p.note,
                            p.at,
                        )
                    )
            documents.append(
                DocumentRow(
                    doc.id,
                    doc.kind,
                    doc.title,
                    doc.number,
                    doc.status,
                    len(doc.versions),
                    doc.sign_mode,
                    tuple(paraf_rows),
                )
            )
        attachments = tuple(
            AttachmentRow(a.id, a.file_name, a.mime, a.size, a.requirement_code)
            for a in session.scalars(
                select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
            )
        )
        open_step = None
        open_record = next((r for r in reversed(records) if r.done_at is None), None)
        if open_record is not None and case.status == CaseStatus.RUNNING.value:
            step = pt.step(open_record.step_id)
            state = state_of(case)
            open_step = OpenStep(
                step_record_id=open_record.id,
                step_id=step.id,
                no=step.no,
                name=step.name,
                action=step.action,
                document=step.document.value if step.document else None,
                outcomes=engine.allowed_outcomes(pt, state),
                due_at=open_record.due_at,
                may_act=bool(actor)
                and engine.may_act(pt, self._s.office, state, actor.roles if actor else ()),
            )
        values: dict[str, Any] = case.field_values
        return CaseView(
            id=case.id,
            reference=case.reg_number or case_reference(case),
            reg_number=case.reg_number,
            permit_code=pt.code,
            permit_name=pt.name,
            status=CaseStatus(case.status),
            channel=case.channel,
            renewal=case.renewal,
            applicant_name=case.applicant.name,
            # Least exposure (UU PDP): a user's view shows the NIK in full only to the roles
            # the office names; actor None is the core itself (demo, tests, documents).
            applicant_nik=case.applicant.nik
            if actor is None
            else self._s.personal_data.shown_nik(actor, case.applicant.nik),
            applicant_address=case.applicant.address,
            applicant_phone=case.applicant.phone,
            # As the letters print them (a date "15 Januari 2026", never the stored ISO).
            fields=tuple((f.label, display_value(f, values.get(f.key))) for f in pt.fields),
            requirements=tuple(
                (chk.code, chk.name, chk.present) for chk in case.requirement_checks
            ),
            attachments=attachments,
            timeline=timeline,
            documents=tuple(documents),
            received_at=case.received_at,
            due_at=case.due_at,
            closed_at=case.closed_at,
            permit_number=case.permit_number,
            current_step_name=pt.step(case.current_step).name,
            open_step=open_step,
        )
