"""The life of a letter of a case, as data: what each kind of step does to the document and
what must already be true of it.

One table serves two readers. The loader walks every path of a permit type with it and
refuses a file whose order cannot run (a paraf before any draft, a delivery before the
number); the services ask it, at run time, whether the document in the database allows the
step's action now, and get the same rule in the same words. No service keeps its own copy.

The order between signature and number is not fixed here: the permit-type file says it by
the order of its steps. Sign-then-number and number-then-sign both run; see
:func:`signature_follows`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from desktop_perizinan.workflow.definition import (
    TARGET_ISSUED,
    Action,
    DocumentKind,
    PermitType,
    Step,
)

#: An outcome that sends the document back: the step's actions do not happen.
RETURN_OUTCOME = "kembalikan"


class Event(StrEnum):
    """What has happened to one document so far."""

    DRAFTED = "draf"
    SIGNED = "ditandatangani"
    NUMBERED = "bernomor"
    DELIVERED = "disampaikan"
    ARCHIVED = "diarsipkan"


#: The event each action leaves on its document.
PRODUCES: dict[Action, Event] = {
    Action.DRAFT: Event.DRAFTED,
    Action.SIGN: Event.SIGNED,
    Action.NUMBER: Event.NUMBERED,
    Action.DELIVERY: Event.DELIVERED,
    Action.ARCHIVE: Event.ARCHIVED,
}

#: Events a (re)draft undoes: a new text must be signed (and numbered, delivered) again.
DRAFT_RESETS = frozenset({Event.SIGNED, Event.NUMBERED, Event.DELIVERED, Event.ARCHIVED})


@dataclass(frozen=True)
class Rule:
    """One order rule: ``action`` needs ``event`` (or, with ``forbidden``, must not follow it).

    ``refusal`` is what the services say at run time (Indonesian, to the clerk); ``problem``
    and ``fix`` are what the loader says to the editor of the file (``{doc}`` and ``{step}``
    are filled in).
    """

    action: Action
    event: Event
    refusal: str
    problem: str
    fix: str
    forbidden: bool = False


RULES: tuple[Rule, ...] = tuple(
    [
        *(
            Rule(
                action,
                Event.DRAFTED,
                "Belum ada draf {doc} untuk permohonan ini; langkah draf belum dikerjakan.",
                'langkah "{step}" ({verb}) mengerjakan dokumen "{doc}" sebelum ada drafnya: '
                "ada jalur dari langkah pertama yang sampai ke sini tanpa langkah draf",
                'letakkan langkah action = "draf" dengan document = "{doc}" sebelum langkah ini '
                "pada setiap jalur",
            )
            for action in (
                Action.PARAF,
                Action.SIGN,
                Action.NUMBER,
                Action.DELIVERY,
                Action.HANDOVER,
                Action.ARCHIVE,
            )
        ),
        Rule(
            Action.PARAF,
            Event.SIGNED,
            "Dokumen sudah ditandatangani; paraf tidak dapat ditambahkan.",
            'langkah "{step}" memaraf dokumen "{doc}" yang (pada salah satu jalur) sudah '
            "ditandatangani",
            "paraf diberikan sebelum tanda tangan: pindahkan langkah paraf sebelum langkah "
            '"tanda_tangan", atau arahkan pengembalian ke langkah draf',
            forbidden=True,
        ),
        Rule(
            Action.DELIVERY,
            Event.NUMBERED,
            "Dokumen belum bernomor; tidak dapat diserahkan.",
            'langkah "{step}" menyerahkan dokumen "{doc}" yang (pada salah satu jalur) belum '
            "diberi nomor",
            'tambahkan langkah (atau tindakan) "penomoran" dokumen "{doc}" sebelum langkah ini',
        ),
        Rule(
            Action.DELIVERY,
            Event.SIGNED,
            "Dokumen belum ditandatangani; tidak dapat diserahkan.",
            'langkah "{step}" menyerahkan dokumen "{doc}" yang (pada salah satu jalur) belum '
            "ditandatangani",
            'tambahkan langkah (atau tindakan) "tanda_tangan" dokumen "{doc}" sebelum langkah ini',
        ),
        Rule(
            Action.HANDOVER,
            Event.DELIVERED,
            "Dokumen belum tercatat di buku ekspedisi (langkah penyampaian).",
            'langkah "{step}" mencatat penerimaan dokumen "{doc}" yang (pada salah satu jalur) '
            "belum diserahkan",
            'tambahkan langkah (atau tindakan) "penyerahan" dokumen "{doc}" sebelum langkah ini',
        ),
        Rule(
            Action.ARCHIVE,
            Event.NUMBERED,
            "Dokumen belum bernomor; berkas belum dapat diarsipkan.",
            'langkah "{step}" mengarsipkan dokumen "{doc}" yang (pada salah satu jalur) belum '
            "diberi nomor",
            'tambahkan tindakan "penomoran" sebelum "arsip"',
        ),
    ]
)


def rules_for(action: Action) -> tuple[Rule, ...]:
    return tuple(r for r in RULES if r.action is action)


def refusal(action: Action, doc: DocumentKind, done: Iterable[Event]) -> str | None:
    """Why ``action`` cannot run now on a document that has ``done``; ``None`` when it can."""
    have = set(done)
    for rule in rules_for(action):
        if (rule.event in have) == rule.forbidden:
            return rule.refusal.format(doc=doc.value)
    return None


def apply(done: frozenset[Event], action: Action) -> frozenset[Event]:
    """The events after ``action`` has run on a document that had ``done``."""
    if action is Action.DRAFT:
        return (done - DRAFT_RESETS) | {Event.DRAFTED}
    event = PRODUCES.get(action)
    return done | {event} if event is not None else done


def effects(step: Step, outcome_code: str) -> tuple[Action, ...]:
    """The actions a step performs on its document when closed with ``outcome_code``."""
    if step.document is None or outcome_code == RETURN_OUTCOME:
        return ()
    return step.actions


# ---------------------------------------------------------------------- static analysis

#: Per step id: per document, the events known before the step runs.
Facts = dict[str, dict[DocumentKind, frozenset[Event]]]


def _propagate(steps: Sequence[Step], *, must: bool) -> Facts:
    """Events before each step: on every path (``must``) or on some path (may).

    A plain forward data-flow fixpoint over the whole graph, loops included: "must" starts
    every step but the first at "everything" and intersects, "may" starts at nothing and
    unites. Composite steps apply their actions in their written order.
    """
    by_id = {s.id: s for s in steps}
    docs = tuple(DocumentKind)
    everything = frozenset(Event)
    start = steps[0].id
    facts: dict[str, dict[DocumentKind, frozenset[Event]] | None] = {s.id: None for s in steps}
    facts[start] = {d: frozenset() for d in docs}
    changed = True
    while changed:
        changed = False
        incoming: dict[str, list[dict[DocumentKind, frozenset[Event]]]] = {s.id: [] for s in steps}
        for step in steps:
            before = facts[step.id]
            if before is None:
                continue
            for outcome in step.outcomes:
                target = by_id.get(outcome.target)
                if target is None:
                    continue
                after = dict(before)
                if step.document is not None:
                    state = after[step.document]
                    for action in effects(step, outcome.code):
                        state = apply(state, action)
                    after[step.document] = state
                incoming[target.id].append(after)
        for step in steps:
            if step.id == start or not incoming[step.id]:
                continue
            merged: dict[DocumentKind, frozenset[Event]] = {}
            for doc in docs:
                values = [item[doc] for item in incoming[step.id]]
                seed = everything if must else frozenset()
                total = seed
                for value in values:
                    total = total & value if must else total | value
                merged[doc] = total
            if facts[step.id] != merged:
                facts[step.id] = merged
                changed = True
    return {sid: value for sid, value in facts.items() if value is not None}


def known_before(steps: Sequence[Step], step_id: str, doc: DocumentKind) -> frozenset[Event]:
    """What has certainly happened to ``doc`` when ``step_id`` starts, on every path."""
    return _propagate(steps, must=True).get(step_id, {}).get(doc, frozenset())


@dataclass(frozen=True)
class OrderProblem:
    """A place where the file's order cannot run: the step, the action and the broken rule."""

    step: Step
    action: Action
    message: str
    fix: str


def order_problems(steps: Sequence[Step]) -> list[OrderProblem]:
    """Every rule of :data:`RULES` broken on some path, at most one problem per step."""
    if not steps:
        return []
    must = _propagate(steps, must=True)
    may = _propagate(steps, must=False)
    problems: list[OrderProblem] = []
    for step in steps:
        if step.document is None or step.id not in must:
            continue
        doc = step.document
        sure, maybe = must[step.id][doc], may[step.id][doc]
        found = None
        for action in step.actions:
            for rule in rules_for(action):
                broken = rule.event in maybe if rule.forbidden else rule.event not in sure
                if broken:
                    found = OrderProblem(
                        step,
                        action,
                        rule.problem.format(step=step.id, doc=doc.value, verb=action.value),
                        rule.fix.format(doc=doc.value),
                    )
                    break
            if found is not None:
                break
            sure, maybe = apply(sure, action), apply(maybe, action)
        if found is not None:
            problems.append(found)
    return problems


def issue_problems(steps: Sequence[Step]) -> list[tuple[Step, str]]:
    """Outcomes that issue the permit ("@terbit") where it may be unsigned on some path.

    (The number is checked by the loader's own walk.) Returns (step, outcome code) pairs.
    """
    if not steps:
        return []
    must = _propagate(steps, must=True)
    found: list[tuple[Step, str]] = []
    for step in steps:
        if step.id not in must:
            continue
        for outcome in step.outcomes:
            if outcome.target != TARGET_ISSUED:
                continue
            state = must[step.id][DocumentKind.PERMIT]
            if step.document is DocumentKind.PERMIT:
                for action in effects(step, outcome.code):
                    state = apply(state, action)
            if Event.SIGNED not in state:
                found.append((step, outcome.code))
    return found


def _forward_from(pt_steps: Sequence[Step], step: Step) -> list[Step]:
    """Steps reachable from ``step`` by outcomes that do not return the document."""
    by_id = {s.id: s for s in pt_steps}
    seen: set[str] = {step.id}
    order: list[Step] = []
    queue = [o.target for o in step.outcomes if o.code != RETURN_OUTCOME]
    while queue:
        sid = queue.pop(0)
        nxt = by_id.get(sid)
        if nxt is None or sid in seen:
            continue
        seen.add(sid)
        order.append(nxt)
        queue.extend(o.target for o in nxt.outcomes if o.code != RETURN_OUTCOME)
    return order


def signature_follows(steps: Sequence[Step], step: Step) -> Step | None:
    """The signing step of ``step``'s document that comes after it (number-then-sign), if any.

    Inside a composite step a signature written after the penomoran counts too.
    """
    actions = step.actions
    if Action.NUMBER in actions and Action.SIGN in actions[actions.index(Action.NUMBER) :]:
        return step
    for later in _forward_from(steps, step):
        if later.document == step.document and Action.SIGN in later.actions:
            return later
    return None


def numbering_after(steps: Sequence[Step], step: Step) -> Step | None:
    """The penomoran of ``step``'s document that follows a signature (sign-then-number)."""
    actions = step.actions
    if Action.SIGN in actions and Action.NUMBER in actions[actions.index(Action.SIGN) :]:
        return step
    for later in _forward_from(steps, step):
        if later.document == step.document and Action.NUMBER in later.actions:
            return later
    return None


def signing_step(pt: PermitType, doc: DocumentKind) -> Step | None:
    """The first step of the file that signs ``doc`` (its signer prints on the letter)."""
    return next((s for s in pt.steps if s.document is doc and Action.SIGN in s.actions), None)
