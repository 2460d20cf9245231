"""Which paths and scenarios the demo runs for a permit type, read from its definition alone.

The demo must run any office's permit types, not only the shipped ones, so nothing here knows
a step id: the permit path is the walk that takes each step's first forward outcome; the
rejection path leaves that walk at the first outcome from which the same walk ends in
"@ditolak"; an incomplete file is only staged where the counter's leading steps include a
completeness check that can send the file back; a returned paraf only where a paraf step on
the way can send the draft back to an earlier step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop_perizinan.workflow.definition import (
    TARGET_APPLICANT,
    TARGET_ISSUED,
    TARGET_REJECTED,
    Action,
    Outcome,
    PermitType,
    Step,
)

#: The leading steps the counter records in one go at intake (see ``services.intake``).
COUNTER_ACTIONS = frozenset({Action.SUBMISSION, Action.COMPLETENESS, Action.RECEIPT})
#: Scenario names, as the summary prints them.
INCOMPLETE_FILE = "berkas tidak lengkap"
RETURNED_PARAF = "paraf dikembalikan"


def forward_outcome(step: Step) -> Outcome:
    """What a user normally picks: the first outcome that owes nobody a reason."""
    return next((o for o in step.outcomes if not o.needs_note), step.outcomes[0])


def walk(
    pt: PermitType, start: str, overrides: dict[str, str] | None = None
) -> tuple[list[str], str | None]:
    """The step ids visited from ``start`` taking forward outcomes (or ``overrides``, step id →
    outcome code, once each), and the terminal reached; ``None`` for "@pemohon" or a loop."""
    ids = {s.id for s in pt.steps}
    pending = dict(overrides or {})
    path: list[str] = []
    target = start
    while target in ids:
        if target in path and target not in pending:
            return path, None
        path.append(target)
        step = pt.step(target)
        code = pending.pop(target, None)
        outcome = next((o for o in step.outcomes if o.code == code), None) or forward_outcome(step)
        target = outcome.target
    return path, target if target in (TARGET_ISSUED, TARGET_REJECTED) else None


@dataclass(frozen=True)
class Branch:
    """One end-to-end run: the outcomes to take (step id → codes on successive visits)."""

    name: str  # "izin" or "penolakan"
    expected: str  # TARGET_ISSUED or TARGET_REJECTED
    choices: dict[str, list[str]] = field(default_factory=dict)
    incomplete: bool = False

    @property
    def scenarios(self) -> tuple[str, ...]:
        found = [INCOMPLETE_FILE] if self.incomplete else []
        if any(len(codes) > 1 for codes in self.choices.values()):
            found.append(RETURNED_PARAF)
        return tuple(found)


def rejection_choice(pt: PermitType) -> tuple[str, str] | None:
    """(step id, outcome code) where the permit path can turn into a rejection, if anywhere."""
    path, _end = walk(pt, pt.first_step.id)
    for step_id in path:
        step = pt.step(step_id)
        forward = forward_outcome(step)
        for outcome in step.outcomes:
            if outcome.code == forward.code:
                continue
            if outcome.target == TARGET_REJECTED or walk(pt, outcome.target)[1] == TARGET_REJECTED:
                return step_id, outcome.code
    return None


def returned_paraf_choice(pt: PermitType) -> tuple[str, str, str] | None:
    """(step id, return code, forward code) of the first paraf on the permit path that can send
    the draft back to an earlier step on that path."""
    path, _end = walk(pt, pt.first_step.id)
    for position, step_id in enumerate(path):
        step = pt.step(step_id)
        if step.action is not Action.PARAF:
            continue
        for outcome in step.outcomes:
            if outcome.target in path[:position]:
                return step_id, outcome.code, forward_outcome(step).code
    return None


def can_stage_incomplete_file(pt: PermitType) -> bool:
    """The counter's leading steps check completeness and can send the file back, and there is
    a mandatory requirement to leave out."""
    if not any(r.mandatory for r in pt.requirements_for(False)):
        return False
    step: Step | None = pt.first_step
    while step is not None and step.action in COUNTER_ACTIONS:
        if step.action is Action.COMPLETENESS:
            return any(o.target == TARGET_APPLICANT for o in step.outcomes)
        onward = forward_outcome(step).target
        step = next((s for s in pt.steps if s.id == onward), None)
    return False


def plan_branches(
    types: list[PermitType],
) -> dict[str, list[Branch]]:
    """Per permit type code, the runs to make: the permit path, then the rejection path where
    the type has one. Each scenario is staged once, on the first type that has the steps for
    it, a type not already carrying the other scenario preferred (so a scenario's steps do not
    hide each other's)."""
    paraf_type = next((pt.code for pt in types if returned_paraf_choice(pt)), None)
    able = [pt.code for pt in types if can_stage_incomplete_file(pt)]
    incomplete_type = next((c for c in able if c != paraf_type), able[0] if able else None)
    plans: dict[str, list[Branch]] = {}
    for pt in types:
        choices: dict[str, list[str]] = {}
        if pt.code == paraf_type:
            paraf = returned_paraf_choice(pt)
            assert paraf is not None
            choices[paraf[0]] = [paraf[1], paraf[2]]
        branches = [Branch("izin", TARGET_ISSUED, choices, pt.code == incomplete_type)]
        rejection = rejection_choice(pt)
        if rejection is not None:
            branches.append(Branch("penolakan", TARGET_REJECTED, {rejection[0]: [rejection[1]]}))
        plans[pt.code] = branches
    return plans
