"""The first, short transaction of a step that numbers a letter (see
``services.number_reservation`` for why the number is taken apart from the step).

:func:`reserve_for_step` runs before :meth:`CaseWorkService.act`'s transaction. It works out,
from the same rules the step's handlers follow (``services.step_actions``), whether the step
will take a number for its document now, and from which book: a penomoran, or an electronic
signature that comes before the penomoran (sign-then-number). If so it takes the number in a
transaction of its own, with the case locked, and commits; the step's transaction claims it.

Everything that refuses a step *before* a number would be taken is checked first, so that a
refusal still takes no number: the case state, the user's roles, the document's lifecycle,
and for an electronic signature the signer's backend (an own PKCS#12 opened and its
certificate checked, a BSrE secret present). That backend is handed on in the request's data,
so the step does not open it again. What can only fail later (BSrE's answer) leaves the
reserved line for the same document, claimed by the next attempt.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING

from desktop_perizinan.db.models import Case, Document, StepRecord
from desktop_perizinan.services import audit, number_reservation
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.step_actions import acting_roles, document_events
from desktop_perizinan.services.steps import lock_case, state_of
from desktop_perizinan.workflow import engine, lifecycle
from desktop_perizinan.workflow.definition import Action, CaseStatus, PermitType, Step

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.casework import ActRequest


def reserve_for_step(
    services: Services, actor: Actor, request: ActRequest, now: datetime
) -> ActRequest:
    """Take the step's number beforehand when it will take one; the request to act with
    (with the electronic signer's backend ready in its data)."""
    with services.db.reading() as session:
        # Most steps number nothing: found out by reading, without any lock.
        if _numbering_action(session, services, request) is None:
            return request
    with services.db.transaction() as session:
        record = session.get(StepRecord, request.step_record_id)
        if record is None:
            return request
        case = lock_case(session, record.case_id)
        session.refresh(record)
        if record.done_at is not None or case.status != CaseStatus.RUNNING.value:
            return request  # the step's own transaction says why
        if case.current_step != record.step_id:
            return request
        pt = services.definition_for(session, case)
        step = pt.step(record.step_id)
        roles = actor.roles | acting_roles(session, actor, now)
        if not engine.may_act(pt, services.office, state_of(case), roles):
            return request
        found = _numbering_action(session, services, request, case=case, pt=pt, step=step)
        if found is None:
            return request
        action, doc, book = found
        if action is Action.SIGN:
            from desktop_perizinan.services import esign

            backend = esign.backend_for(session, actor, request.data)
            if isinstance(backend, esign.Pkcs12Backend):
                backend.check(now)  # a refused certificate takes no number
            request = dataclasses.replace(request, data={**request.data, "backend": backend})
        line = number_reservation.reserve(session, book, case, doc, when=now, by=actor.id)
        if line is not None:
            # The audit log knows of every number taken, also one whose step then fails
            # (BSrE refuses): the book's line is not left without its entry. Appended after
            # the number, as every use case that numbers does (counter, then audit head).
            audit.append(
                session,
                actor,
                "nomor.untuk_surat",
                at=now,
                case_id=case.id,
                buku=book,
                nomor=line.number,
                dokumen=doc.title,
            )
    return request


def _numbering_action(
    session: Session,
    services: Services,
    request: ActRequest,
    *,
    case: Case | None = None,
    pt: PermitType | None = None,
    step: Step | None = None,
) -> tuple[Action, Document, str] | None:
    """(the action that takes the number, the document, the book) when the step will take
    a number for an existing document now; None otherwise (also when the step will refuse)."""
    if case is None:
        record = session.get(StepRecord, request.step_record_id)
        if record is None or record.done_at is not None:
            return None
        case = session.get(Case, record.case_id)
        if case is None or case.current_step != record.step_id:
            return None
        pt = services.definition_for(session, case)
        step = pt.step(record.step_id)
    assert pt is not None and step is not None
    if request.outcome == lifecycle.RETURN_OUTCOME or step.outcome(request.outcome) is None:
        return None
    if step.document is None:
        return None
    action = _first_numbering(step, request)
    if action is None:
        return None
    doc = services.documents.current_document(session, case.id, step.document.value)
    if doc is None or doc.status == "final" or doc.number is not None or not doc.versions:
        return None  # a draft in this same step makes a new letter: numbered in the step
    if lifecycle.refusal(action, step.document, document_events(session, doc)) is not None:
        return None
    if action is Action.NUMBER and doc.signed_at is None:
        signed_here = Action.SIGN in step.actions[: step.actions.index(Action.NUMBER)]
        if not signed_here and lifecycle.signature_follows(pt.steps, step) is None:
            return None  # refused by the step: no signature before or after this number
    if action is Action.SIGN:
        later = lifecycle.numbering_after(pt.steps, step)
        return action, doc, pt.number_book(later if later is not None else step)
    return action, doc, pt.number_book(step)


def _first_numbering(step: Step, request: ActRequest) -> Action | None:
    """The first of the step's actions that takes a number, as ``step_actions`` runs them:
    an electronic signature (sign-then-number: the number shows in the signed PDF) or a
    penomoran. A wet signature takes none."""
    for action in step.actions:
        if action is Action.SIGN and str(request.data.get("mode") or "basah") == "elektronik":
            return action
        if action is Action.NUMBER:
            return action
    return None
