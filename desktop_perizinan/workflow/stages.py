"""Stage deadlines of PP 28/2025 (issue 13.5): registration, document assessment,
verification, issuance.

PP 28/2025 sets a service-level deadline per *stage* of a permit, and keeps *fiktif positif*:
an application not acted on within its deadline is deemed approved. A permit-type file may say
which of its steps belong to which stage, and each stage's deadline, in an optional table:

    [stages.pendaftaran]
    deadline = "1 Hari"          # optional: default is the sum of the stage's step times
    steps = ["daftar", "cek_kelengkapan"]

    [stages.verifikasi]
    deadline = "5 Hari"
    steps = ["verifikasi", "verifikasi_ba"]

A step belongs to at most one stage; steps in none are not measured by stage. The stage clock
starts when its first step opens and stops when the case leaves its last step (or closes).
Pure functions: the services feed them a case's step records and the working calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from desktop_perizinan.workflow.definition import PermitType
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.form_reader import Reader, join_choices
from desktop_perizinan.workflow.toml_lines import Path as KeyPath

#: The stages of PP 28/2025, in order, with their printed names.
STAGES: dict[str, str] = {
    "pendaftaran": "Pendaftaran",
    "penilaian_dokumen": "Penilaian Dokumen",
    "verifikasi": "Verifikasi",
    "penerbitan": "Penerbitan",
}
#: A running stage with at most this share of its deadline left is "close to its deadline".
NEAR_SHARE = 0.25

ON_TIME, NEAR, OVERDUE, DONE, DONE_LATE = (
    "berjalan",
    "mendekati batas",
    "lewat batas",
    "selesai",
    "selesai terlambat",
)


@dataclass(frozen=True)
class Stage:
    """A stage of a permit type: its steps and its deadline (in working time)."""

    code: str
    deadline: Duration
    steps: tuple[str, ...]
    declared: bool = True  # False: the deadline is the sum of the steps' times

    @property
    def label(self) -> str:
        return STAGES[self.code]


# ------------------------------------------------------------------ reading the file


def read_stages(
    r: Reader, data: Mapping[str, Any], step_ids: Sequence[str]
) -> tuple[tuple[str, Duration | None, tuple[str, ...]], ...]:
    """The optional ``[stages]`` table as (stage, deadline or None, step ids); problems go to
    ``r`` with the line and a fix, as for every other key of the file."""
    table = r.table(data, (), "stages", required=False)
    if not table:
        return ()
    out = []
    owner: dict[str, str] = {}
    for code, body in table.items():
        where: KeyPath = ("stages", code)
        if code not in STAGES:
            r.problem(
                where,
                f'tahap "{code}" tidak dikenal',
                f"gunakan salah satu dari {join_choices(STAGES)} (PP 28/2025)",
            )
            continue
        if not isinstance(body, Mapping):
            r.wrong(("stages",), code, body, "tabel", f'[stages.{code}] steps = ["..."]')
            continue
        r.unknown_keys(body, where, ("deadline", "steps"), f"[stages.{code}]")
        steps = r.text_list(body, where, "steps", required=True) or []
        for step in steps:
            if step not in step_ids:
                r.problem(
                    (*where, "steps"),
                    f'langkah "{step}" tidak ada di [[steps]]',
                    f"gunakan id langkah: {join_choices(step_ids)}",
                )
            elif step in owner:
                r.problem(
                    (*where, "steps"),
                    f'langkah "{step}" sudah masuk tahap "{owner[step]}"',
                    "satu langkah hanya boleh masuk satu tahap",
                )
            else:
                owner[step] = code
        deadline_text = r.text(body, where, "deadline", required=False, default="")
        deadline = None
        if deadline_text:
            try:
                deadline = Duration.parse(deadline_text)
            except ValueError as exc:
                r.problem((*where, "deadline"), str(exc), 'tulis deadline = "3 Hari"')
        out.append((code, deadline, tuple(steps)))
    order = list(STAGES)
    return tuple(sorted(out, key=lambda item: order.index(item[0])))


def stages_of(pt: PermitType) -> tuple[Stage, ...]:
    """The permit type's stages with their deadlines (the declared one, else the steps' sum)."""
    result = []
    for code, deadline, step_ids in pt.stages:
        declared = deadline is not None
        if deadline is None:
            deadline = Duration()
            for step in pt.steps:
                if step.id in step_ids:
                    deadline = deadline + step.time
        result.append(Stage(code, deadline, step_ids, declared))
    return tuple(result)


# ------------------------------------------------------------------ a case's stages


class StepTimes(Protocol):
    """What a step record must offer (the ORM row or a test's stand-in)."""

    step_id: str
    started_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class StageStatus:
    code: str
    label: str
    deadline: Duration
    started_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    state: str  # ON_TIME, NEAR, OVERDUE, DONE, DONE_LATE, or "" (not started)
    remaining_minutes: int | None  # working minutes left (negative: past due); running only

    @property
    def at_risk(self) -> bool:
        """Close to its deadline or past it: the Kabid and Kadis see it on Beranda."""
        return self.state in (NEAR, OVERDUE)


def case_stages(
    stages: Iterable[Stage],
    records: Sequence[StepTimes],
    *,
    now: datetime,
    closed_at: datetime | None,
    add: Callable[[datetime, Duration], datetime],
    working_minutes: Callable[[datetime, datetime], int],
    day_minutes: int,
) -> list[StageStatus]:
    """Each stage of one case: started, due, finished, and how it stands at ``now``.

    ``add`` and ``working_minutes`` are the office calendar's, so a deadline skips nights,
    weekends and holidays exactly as the step deadlines do.
    """
    ordered = sorted(records, key=lambda rec: rec.started_at)
    result = []
    for stage in stages:
        mine = [rec for rec in ordered if rec.step_id in stage.steps]
        if not mine:
            result.append(
                StageStatus(stage.code, stage.label, stage.deadline, None, None, None, "", None)
            )
            continue
        started = mine[0].started_at
        due = add(started, stage.deadline)
        last = mine[-1]
        later = [rec for rec in ordered if rec.started_at > last.started_at and rec not in mine]
        finished: datetime | None = None
        if closed_at is not None:
            finished = last.done_at or closed_at
        elif last.done_at is not None and later:
            finished = last.done_at
        if finished is not None:
            state = DONE_LATE if finished > due else DONE
            result.append(
                StageStatus(
                    stage.code, stage.label, stage.deadline, started, due, finished, state, None
                )
            )
            continue
        if now >= due:
            remaining = -working_minutes(due, now)
            state = OVERDUE
        else:
            remaining = working_minutes(now, due)
            total = stage.deadline.days * day_minutes + stage.deadline.minutes
            state = NEAR if total and remaining <= total * NEAR_SHARE else ON_TIME
        result.append(
            StageStatus(
                stage.code, stage.label, stage.deadline, started, due, None, state, remaining
            )
        )
    return result
