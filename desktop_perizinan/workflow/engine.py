"""The SOP engine: where a case stands and where each outcome takes it.

Pure functions over a :class:`~desktop_perizinan.workflow.definition.PermitType` and a small
immutable :class:`CaseState`. No database and no Qt: the services load a case, ask the engine for
the transition, then record it (with the audit entry, the paraf row, the number...) in one
transaction. Keeping the rules here means the counter screen, the command line and the tests all
move a case the same way, and a case keeps moving under the definition version it started with.

A state is ``(status, step_id)``:

* ``RUNNING``: ``step_id`` is the open step, waiting for one of its outcomes;
* ``WAITING_APPLICANT``: the file went back to the applicant ("@pemohon"); ``step_id`` is the
  step that sent it and that resumes when the applicant returns (the completeness check is done
  again on the completed file);
* ``ISSUED`` / ``REJECTED``: closed by "@terbit" / "@ditolak"; ``step_id`` is the last step;
* ``WITHDRAWN``: the applicant withdrew; ``step_id`` is kept so that a reopened case continues
  where it stopped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from desktop_perizinan.errors import UserError, ValidationError
from desktop_perizinan.workflow.definition import (
    OUTCOMES_NEEDING_NOTE,
    TARGET_APPLICANT,
    TARGET_ISSUED,
    TARGET_REJECTED,
    Action,
    CaseStatus,
    OfficeConfig,
    Outcome,
    PermitType,
    Step,
)

__all__ = [
    "CaseClosed",
    "CaseState",
    "EngineError",
    "NotWaitingForApplicant",
    "NotWithdrawn",
    "NoteRequired",
    "OutcomeNotAllowed",
    "Transition",
    "UnknownStep",
    "WaitingForApplicant",
    "allowed_outcomes",
    "applicant_returned",
    "apply_outcome",
    "current_step",
    "draft_step_for",
    "is_forward",
    "may_act",
    "note_required",
    "paraf_chain",
    "reopen",
    "roles_for_step",
    "start_state",
    "terminal_reachable",
    "withdraw",
]


# ---------------------------------------------------------------------------------- errors


class EngineError(UserError):
    """A move the SOP does not allow; the message says why, in words a clerk understands."""


class UnknownStep(EngineError):
    """The state names a step the definition does not have (a broken or changed definition)."""


class CaseClosed(EngineError):
    """The case is issued, rejected or withdrawn: nothing can be recorded on it."""


class WaitingForApplicant(EngineError):
    """The file is with the applicant; their return must be recorded first."""


class NotWaitingForApplicant(EngineError):
    """An applicant's return was recorded for a case that was not waiting for it."""


class NotWithdrawn(EngineError):
    """Only a withdrawn case can be reopened."""


class OutcomeNotAllowed(EngineError):
    """The outcome is not one of the open step's outcomes."""


class NoteRequired(EngineError, ValidationError):
    """The outcome needs a note (the reason the applicant or the drafter will read).

    Also a :class:`ValidationError` with ``field == "note"`` so that a form can point at the note
    box instead of showing a dialog.
    """

    def __init__(self, message: str) -> None:
        ValidationError.__init__(self, message, field="note")


# ---------------------------------------------------------------------------------- state


@dataclass(frozen=True)
class CaseState:
    """Where a case stands; see the module docstring for what ``step_id`` means per status."""

    status: CaseStatus
    step_id: str


@dataclass(frozen=True)
class Transition:
    """The result of one outcome: the services record exactly this."""

    before: CaseState
    after: CaseState
    step: Step
    outcome: Outcome
    note: str | None
    #: the step opened, ``None`` when the case closed or waits on the applicant
    next_step: Step | None
    #: the outcome targets "@pemohon": the file goes back to the applicant
    returned_to_applicant: bool
    #: a backward edge to a ``draf`` step (kembalikan): the paraf chain restarts on a new version
    returned_to_drafter: bool
    closed: bool


_CLOSING_TARGETS = {TARGET_ISSUED: CaseStatus.ISSUED, TARGET_REJECTED: CaseStatus.REJECTED}


def start_state(pt: PermitType) -> CaseState:
    """A new case: running at the first step of the SOP."""
    return CaseState(CaseStatus.RUNNING, pt.first_step.id)


def current_step(pt: PermitType, state: CaseState) -> Step:
    """The step ``state.step_id`` names, or :class:`UnknownStep` in Indonesian."""
    return _step(pt, state.step_id)


def _step(pt: PermitType, step_id: str) -> Step:
    try:
        return pt.step(step_id)
    except KeyError:
        raise UnknownStep(
            f"Langkah '{step_id}' tidak ada dalam jenis izin '{pt.name}'. "
            "Periksa berkas definisi jenis izin ini."
        ) from None


def _index(pt: PermitType, step_id: str) -> int:
    for position, step in enumerate(pt.steps):
        if step.id == step_id:
            return position
    raise KeyError(step_id)


def is_forward(pt: PermitType, step: Step, outcome: Outcome) -> bool:
    """Whether ``outcome`` moves the file on: a closing target or a step later in the SOP.

    "@pemohon" and edges back to an earlier step (kembalikan) are not forward.
    """
    if outcome.target in _CLOSING_TARGETS:
        return True
    if outcome.target == TARGET_APPLICANT:
        return False
    try:
        return _index(pt, outcome.target) > _index(pt, step.id)
    except KeyError:
        return False


def note_required(outcome: Outcome) -> bool:
    """Whether recording ``outcome`` needs a note.

    The shared list (tidak lengkap, tidak benar, tolak, kembalikan) plus any outcome that sends
    the file back to the applicant: they are owed a reason.
    """
    return outcome.code in OUTCOMES_NEEDING_NOTE or outcome.needs_note


def _closed_message(state: CaseState) -> str:
    return f"Permohonan sudah selesai ({state.status.label}); tidak ada lagi yang dapat dicatat."


# ---------------------------------------------------------------------------------- who and what


def allowed_outcomes(pt: PermitType, state: CaseState) -> tuple[Outcome, ...]:
    """The outcomes that can be recorded now: the open step's, or none unless running."""
    if state.status is not CaseStatus.RUNNING:
        return ()
    return _step(pt, state.step_id).outcomes


def roles_for_step(pt: PermitType, office: OfficeConfig, step: Step) -> frozenset[str]:
    """The roles that may record ``step``.

    Resolved by the office (an applicant's step is recorded by the counter role). The
    administrator is deliberately not implied: recording a paraf is a legal act of the official,
    so an admin who must act needs the role itself. ``pt`` is taken so that a permit type may one
    day delegate a step differently without changing every caller.
    """
    del pt
    return office.roles_acting_for(step.actor)


def may_act(pt: PermitType, office: OfficeConfig, state: CaseState, roles: Iterable[str]) -> bool:
    """Whether a user with ``roles`` may record an outcome on the case now."""
    if state.status is not CaseStatus.RUNNING:
        return False
    allowed = roles_for_step(pt, office, _step(pt, state.step_id))
    return not allowed.isdisjoint(roles)


# ---------------------------------------------------------------------------------- moves


def apply_outcome(
    pt: PermitType, state: CaseState, outcome_code: str, note: str | None = None
) -> Transition:
    """Record ``outcome_code`` on the open step and say where the case goes.

    The note is stripped; a blank note counts as none. Targets: a step id opens that step;
    "@terbit" closes the case as issued, "@ditolak" as rejected (``step_id`` stays the last
    step); "@pemohon" waits for the applicant and the same step resumes on their return.
    Raises :class:`EngineError` subclasses with the reason in Indonesian.
    """
    if state.status.is_closed:
        raise CaseClosed(_closed_message(state))
    step = _step(pt, state.step_id)
    if state.status is CaseStatus.WAITING_APPLICANT:
        raise WaitingForApplicant(
            "Berkas sedang dikembalikan kepada pemohon. Catat dulu bahwa pemohon sudah "
            f"melengkapi berkas, lalu lanjutkan langkah '{step.name}'."
        )
    outcome = step.outcome(outcome_code)
    if outcome is None:
        choices = ", ".join(f"'{o.code}' ({o.label})" for o in step.outcomes)
        raise OutcomeNotAllowed(
            f"Hasil '{outcome_code}' tidak tersedia pada langkah '{step.name}'. Pilihan: {choices}."
        )
    cleaned = note.strip() if note is not None else ""
    if note_required(outcome) and not cleaned:
        raise NoteRequired(
            f"Hasil '{outcome.label}' pada langkah '{step.name}' memerlukan catatan: "
            "tuliskan alasannya."
        )

    target = outcome.target
    next_step: Step | None = None
    returned_to_drafter = False
    if target in _CLOSING_TARGETS:
        after = CaseState(_CLOSING_TARGETS[target], step.id)
    elif target == TARGET_APPLICANT:
        after = CaseState(CaseStatus.WAITING_APPLICANT, step.id)
    else:
        next_step = _step(pt, target)
        after = CaseState(CaseStatus.RUNNING, next_step.id)
        returned_to_drafter = next_step.does(Action.DRAFT) and not is_forward(pt, step, outcome)
    return Transition(
        before=state,
        after=after,
        step=step,
        outcome=outcome,
        note=cleaned or None,
        next_step=next_step,
        returned_to_applicant=target == TARGET_APPLICANT,
        returned_to_drafter=returned_to_drafter,
        closed=after.status.is_closed,
    )


def applicant_returned(pt: PermitType, state: CaseState) -> CaseState:
    """The applicant brought the file back: the step that sent it runs again."""
    if state.status is not CaseStatus.WAITING_APPLICANT:
        if state.status.is_closed:
            raise CaseClosed(_closed_message(state))
        raise NotWaitingForApplicant(
            f"Permohonan tidak sedang menunggu pemohon (status: {state.status.label})."
        )
    _step(pt, state.step_id)
    return CaseState(CaseStatus.RUNNING, state.step_id)


def withdraw(state: CaseState) -> CaseState:
    """The applicant withdraws a running or waiting case; the step is kept for a reopen."""
    if state.status.is_closed:
        raise CaseClosed(
            f"Permohonan sudah selesai ({state.status.label}) dan tidak dapat ditarik."
        )
    return CaseState(CaseStatus.WITHDRAWN, state.step_id)


def reopen(pt: PermitType, state: CaseState) -> CaseState:
    """A withdrawn case continues at the step where it stopped.

    A case withdrawn while waiting for the applicant reopens running at the step that sent the
    file back, which is what happens when the applicant returns.
    """
    if state.status is not CaseStatus.WITHDRAWN:
        raise NotWithdrawn(
            "Hanya permohonan yang ditarik yang dapat dibuka kembali; "
            f"status permohonan ini: {state.status.label}."
        )
    _step(pt, state.step_id)
    return CaseState(CaseStatus.RUNNING, state.step_id)


# ---------------------------------------------------------------------------------- graph


def terminal_reachable(pt: PermitType, state: CaseState) -> bool:
    """Whether the SOP can still end the case as issued or rejected from ``state``.

    A closed case is at its end (True). A waiting case is judged from its step, which resumes on
    the applicant's return. Withdrawing is always possible and does not count: this asks whether
    the definition has a way out, which the loader can check for every step.
    """
    if state.status.is_closed:
        return True
    seen: set[str] = set()
    queue = deque([state.step_id])
    while queue:
        step_id = queue.popleft()
        if step_id in seen:
            continue
        seen.add(step_id)
        try:
            step = pt.step(step_id)
        except KeyError:
            continue
        for outcome in step.outcomes:
            if outcome.target in _CLOSING_TARGETS:
                return True
            if outcome.target != TARGET_APPLICANT:
                queue.append(outcome.target)
    return False


def _predecessors(pt: PermitType) -> dict[str, list[Step]]:
    result: dict[str, list[Step]] = {step.id: [] for step in pt.steps}
    for step in pt.steps:
        for outcome in step.outcomes:
            if outcome.target in result:
                result[outcome.target].append(step)
    return result


def draft_step_for(pt: PermitType, step: Step) -> Step | None:
    """The ``draf`` step that drafted the document ``step`` works on, or ``None``.

    The nearest ``draf`` step of the same document before ``step`` on the SOP's paths (searched
    backwards along the outcomes, nearest first, ties to the earlier step in the file). A ``draf``
    step is its own drafter. ``None`` when ``step`` names no document or no draft precedes it
    (an SOP may sign a document drafted outside the app).
    """
    if step.document is None:
        return None
    if step.does(Action.DRAFT):
        return step
    predecessors = _predecessors(pt)
    seen = {step.id}
    frontier = [step]
    while frontier:
        following: list[Step] = []
        for current in frontier:
            for previous in predecessors.get(current.id, ()):
                if previous.id not in seen:
                    seen.add(previous.id)
                    following.append(previous)
        drafts = [s for s in following if s.does(Action.DRAFT) and s.document == step.document]
        if drafts:
            return min(drafts, key=lambda s: _index(pt, s.id))
        frontier = following
    return None


def paraf_chain(pt: PermitType, draft_step: Step) -> tuple[Step, ...]:
    """The paraf steps of ``draft_step``'s document after it, in the order they initial.

    Follows the forward outcomes from the draft through the steps of the same document (a
    ``kembalikan`` edge is backward and is not followed) and stops at a step of another document
    or at a new draft of the same one.
    """
    if not draft_step.does(Action.DRAFT):
        raise ValueError(f"langkah '{draft_step.id}' bukan langkah draf")
    chain: list[Step] = []
    seen = {draft_step.id}
    current = draft_step
    while True:
        following = [
            pt.step(o.target)
            for o in current.outcomes
            if o.target not in _CLOSING_TARGETS
            and o.target != TARGET_APPLICANT
            and is_forward(pt, current, o)
        ]
        following = [
            s for s in following if s.document == draft_step.document and not s.does(Action.DRAFT)
        ]
        if not following:
            break
        current = min(following, key=lambda s: _index(pt, s.id))
        if current.id in seen:
            break
        seen.add(current.id)
        if current.does(Action.PARAF):
            chain.append(current)
    return tuple(chain)
