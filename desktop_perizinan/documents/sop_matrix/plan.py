"""What the SOP matrix shows, before any geometry: columns, symbol kinds, notes, connectors.

Kept apart from the drawing so the tests can check that the matrix equals the SOP's table
(its actors, decisions and branches) without rendering a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_perizinan.workflow.definition import (
    APPLICANT_ROLE,
    TARGET_APPLICANT,
    TARGET_ISSUED,
    TARGET_REJECTED,
    OfficeConfig,
    PermitType,
    Step,
)

#: Outcomes read as "yes" / "no" when a decision has exactly one of each.
POSITIVE = frozenset(
    {"lengkap", "benar", "setuju", "paraf", "ditandatangani", "selesai", "diterima", "dinomori"}
)
NEGATIVE = frozenset({"tidak_lengkap", "tidak_benar", "tolak", "kembalikan"})

TERMINATOR, PROCESS, DECISION = "terminator", "process", "decision"


@dataclass(frozen=True)
class Edge:
    """A connector: from step ``source`` to step ``target`` (indexes), with its branch label."""

    source: int
    target: int
    label: str  # "" when the step has a single outcome


@dataclass(frozen=True)
class MatrixPlan:
    """What the matrix shows, before any geometry: tested without drawing."""

    actors: tuple[str, ...]  # column headings, in order of first appearance
    column_of: tuple[int, ...]  # per step: its actor column
    kinds: tuple[str, ...]  # per step: terminator, process or decision
    notes: tuple[str, ...]  # per step: the keterangan text
    edges: tuple[Edge, ...]


def label_key(label: str) -> frozenset[str]:
    """ "Pemohon / SIAPMASLAHAT" and "SIAPMASLAHAT / Pemohon" are the same actor."""
    return frozenset(part.strip().lower() for part in label.split("/") if part.strip())


def plan_matrix(pt: PermitType, office: OfficeConfig) -> MatrixPlan:
    """Columns, symbols, connectors and notes of the matrix.

    An actor is the SOP's own name for who acts (``actor_label``); a step without one takes
    the label its role has elsewhere in the file, else the office's name for the role, so that
    "Backoffice / Ka Seksi Pel II" is one column however often the file names it.
    """
    role_label: dict[str, str] = {}
    for step in pt.steps:
        if step.actor_label and step.actor not in role_label:
            role_label[step.actor] = step.actor_label
    actors: list[str] = []
    keys: list[frozenset[str]] = []
    column_of: list[int] = []
    for step in pt.steps:
        label = step.actor_label or role_label.get(step.actor) or office.role_name(step.actor)
        key = label_key(label)
        if key not in keys:
            keys.append(key)
            actors.append(label)
        column_of.append(keys.index(key))

    index = {s.id: i for i, s in enumerate(pt.steps)}
    applicant_step = next((i for i, s in enumerate(pt.steps) if s.actor == APPLICANT_ROLE), None)
    kinds: list[str] = []
    notes: list[str] = []
    edges: list[Edge] = []
    for i, step in enumerate(pt.steps):
        ending = all(o.target in (TARGET_ISSUED, TARGET_REJECTED) for o in step.outcomes)
        if len(step.outcomes) > 1:
            kinds.append(DECISION)
        elif i == 0 or ending:
            kinds.append(TERMINATOR)
        else:
            kinds.append(PROCESS)
        labels = _branch_labels(step)
        parts: list[str] = []
        for outcome in step.outcomes:
            label = labels[outcome.code]
            if outcome.target in index:
                target = index[outcome.target]
                if target != i:
                    edges.append(Edge(i, target, label))
                where = f"ke langkah {pt.steps[target].no}"
                if len(step.outcomes) == 1 and target == i + 1:
                    continue
            elif outcome.target == TARGET_APPLICANT:
                if applicant_step is not None and applicant_step != i:
                    edges.append(Edge(i, applicant_step, label))
                where = "berkas dikembalikan kepada pemohon"
            elif outcome.target == TARGET_ISSUED:
                where = "selesai, izin terbit"
            elif outcome.target == TARGET_REJECTED:
                where = "selesai, permohonan ditolak"
            else:  # pragma: no cover - the loader refuses unknown targets
                continue
            if len(step.outcomes) == 1:
                parts.append(where[0].upper() + where[1:])
            else:
                name = outcome.label
                head = label if label == name else f"{label} ({name.lower()})"
                parts.append(f"{head}: {where}")
        notes.append("; ".join(parts) + ("." if parts else ""))
    return MatrixPlan(tuple(actors), tuple(column_of), tuple(kinds), tuple(notes), tuple(edges))


def _branch_labels(step: Step) -> dict[str, str]:
    codes = [o.code for o in step.outcomes]
    if len(codes) == 2:
        yes = [c for c in codes if c in POSITIVE]
        no = [c for c in codes if c in NEGATIVE]
        if len(yes) == 1 and len(no) == 1:
            return {yes[0]: "Ya", no[0]: "Tidak"}
    if len(codes) == 1:
        return {codes[0]: ""}
    return {o.code: o.label for o in step.outcomes}
