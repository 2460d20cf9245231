"""Recording step transitions on a case: closing the open step record, opening the next.

Shared by intake (which runs the counter's leading steps in one go) and the back-office
actions, so both time and record every step the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import Case, StepRecord
from desktop_perizinan.errors import NotFound
from desktop_perizinan.workflow import engine
from desktop_perizinan.workflow.calendar import WorkCalendar
from desktop_perizinan.workflow.definition import CaseStatus, OfficeConfig, PermitType, Step


def acting_role(office: OfficeConfig, step: Step) -> str:
    """The role whose task list shows the step (the counter records the applicant's steps)."""
    return sorted(office.roles_acting_for(step.actor))[0]


def open_step(
    session: Session,
    case: Case,
    step: Step,
    *,
    office: OfficeConfig,
    calendar: WorkCalendar,
    now: datetime,
) -> StepRecord:
    record = StepRecord(
        case_id=case.id,
        step_id=step.id,
        step_no=step.no,
        step_label=step.label,
        name=step.name,
        role=acting_role(office, step),
        standard=step.time_text,
        started_at=now,
        due_at=calendar.add(now, step.time),
        data={},
    )
    session.add(record)
    case.current_step = step.id
    case.current_step_no = step.no
    return record


def state_of(case: Case) -> engine.CaseState:
    return engine.CaseState(CaseStatus(case.status), case.current_step)


def close_step(
    session: Session,
    case: Case,
    record: StepRecord,
    pt: PermitType,
    outcome: str,
    *,
    note: str | None,
    user_id: int,
    office: OfficeConfig,
    calendar: WorkCalendar,
    now: datetime,
    flush: bool = True,
) -> engine.Transition:
    """Apply the outcome through the engine, close ``record`` and open what comes next.

    ``flush=False``: leave the rows pending, so that a caller walking several steps in one
    go (intake's counter steps) sends them in one flush instead of one per step.
    """
    transition = engine.apply_outcome(pt, state_of(case), outcome, note)
    record.done_at = now
    record.done_by = user_id
    record.outcome = outcome
    record.note = (note or "").strip() or None
    record.late_minutes = calendar.late_minutes(record.due_at, now)
    case.status = transition.after.status.value
    if transition.next_step is not None:
        open_step(session, case, transition.next_step, office=office, calendar=calendar, now=now)
    else:
        case.current_step = transition.after.step_id
        case.current_step_no = pt.step(transition.after.step_id).no
    if transition.closed:
        case.closed_at = now
    if flush:
        session.flush()
    return transition


def lock_case(session: Session, case_id: int) -> Case:
    """Load a case and lock its row for the rest of the transaction (PostgreSQL); on SQLite
    the transaction already holds the write lock. Reloaded, so a second clerk sees the first
    clerk's committed change."""
    case = session.scalars(
        select(Case)
        .where(Case.id == case_id)
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    ).first()
    if case is None:
        raise NotFound(f"Permohonan {case_id} tidak ditemukan.")
    return case
