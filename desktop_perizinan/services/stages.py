"""PP 28/2025 stage deadlines of cases (issue 13.5), for the case view, Tugas, Laporan and the
Kabid's and Kadis's Beranda.

The stages and their deadlines come from the permit-type file (``workflow/stages.py``); the
clock is the office's working calendar, as for the step deadlines. A running stage close to its
deadline, or past it (*fiktif positif* risk: the application counts as approved), is flagged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import Case, StepRecord
from desktop_perizinan.workflow.definition import CaseStatus, PermitType
from desktop_perizinan.workflow.stages import (
    NEAR,
    ON_TIME,
    OVERDUE,
    StageStatus,
    case_stages,
    stages_of,
)

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

#: Roles whose Beranda shows the stage flags.
HEADS = frozenset({"kabid", "kadis"})


@dataclass(frozen=True)
class StageRisk:
    """A running stage of a running case (on Beranda: one close to or past its deadline)."""

    case_id: int
    reference: str
    permit_name: str
    stage: str
    due_at: datetime
    state: str
    remaining_minutes: int

    @property
    def fiktif_positif(self) -> bool:
        return self.state == OVERDUE

    @property
    def at_risk(self) -> bool:
        return self.state in (NEAR, OVERDUE)


class StageService:
    def __init__(self, services: Services) -> None:
        self._s = services

    def _permit(self, session: Session, case: Case) -> PermitType | None:
        return self._s.forms.types.get(case.form_code) or self._s.definition_for(session, case)

    def _statuses(
        self, pt: PermitType, case: Case, records: list[StepRecord], now: datetime
    ) -> list[StageStatus]:
        calendar = self._s.calendar
        closed = case.closed_at if case.status not in _RUNNING else None
        return case_stages(
            stages_of(pt),
            records,
            now=now,
            closed_at=closed,
            add=calendar.add,
            working_minutes=calendar.working_minutes_between,
            day_minutes=calendar.standard_day_minutes,
        )

    def for_case(self, session: Session, case: Case) -> list[StageStatus]:
        """The stages of one case (empty when its permit type declares none)."""
        pt = self._permit(session, case)
        if pt is None or not pt.stages:
            return []
        records = list(session.scalars(select(StepRecord).where(StepRecord.case_id == case.id)))
        return self._statuses(pt, case, records, self._s.now())

    def case_stages(self, case_id: int) -> list[StageStatus]:
        with self._s.db.reading() as session:
            case = session.get(Case, case_id)
            return [] if case is None else self.for_case(session, case)

    def at_risk(self, session: Session | None = None) -> list[StageRisk]:
        """Every running case with a stage close to or past its deadline, most urgent first."""
        return [r for r in self.running(session) if r.state in (NEAR, OVERDUE)]

    def current(self, case_ids: Iterable[int]) -> dict[int, StageRisk]:
        """The running stage of each of these cases (the most urgent, if several)."""
        wanted = set(case_ids)
        out: dict[int, StageRisk] = {}
        if not wanted:
            return out
        for row in self.running(case_ids=wanted):
            out.setdefault(row.case_id, row)  # running() is most urgent first
        return out

    def running(
        self, session: Session | None = None, *, case_ids: set[int] | None = None
    ) -> list[StageRisk]:
        """Every running stage of the running cases, most urgent first (Laporan lists them)."""
        if session is None:
            with self._s.db.reading() as own:
                return self.running(own, case_ids=case_ids)
        codes = [code for code, pt in self._s.forms.types.items() if pt.stages]
        if not codes:
            return []
        now = self._s.now()
        where = [Case.form_code.in_(codes), Case.status == CaseStatus.RUNNING.value]
        if case_ids is not None:
            where.append(Case.id.in_(case_ids))
        cases = {c.id: c for c in session.scalars(select(Case).where(*where))}
        records: dict[int, list[StepRecord]] = defaultdict(list)
        if cases:
            for record in session.scalars(
                select(StepRecord).join(Case, Case.id == StepRecord.case_id).where(*where)
            ):
                records[record.case_id].append(record)
        rows = []
        for case in cases.values():
            pt = self._s.forms.types[case.form_code]
            for status in self._statuses(pt, case, records[case.id], now):
                if status.state in (ON_TIME, NEAR, OVERDUE):
                    assert status.due_at is not None and status.remaining_minutes is not None
                    rows.append(
                        StageRisk(
                            case.id,
                            case.reg_number or f"#{case.id}",
                            pt.name,
                            status.label,
                            status.due_at,
                            status.state,
                            status.remaining_minutes,
                        )
                    )
        rows.sort(key=lambda r: (r.remaining_minutes, r.reference))
        return rows


_RUNNING = frozenset({CaseStatus.RUNNING.value, CaseStatus.WAITING_APPLICANT.value})


def describe(status: StageStatus, format_minutes) -> str:  # type: ignore[no-untyped-def]
    """One line for a stage, in Indonesian, as the case view and Laporan print it."""
    if status.started_at is None:
        return f"{status.label}: belum dimulai"
    assert status.due_at is not None
    due = f"batas {status.due_at:%d-%m-%Y %H:%M}"
    if status.finished_at is not None:
        return f"{status.label}: {status.state} {status.finished_at:%d-%m-%Y %H:%M} ({due})"
    assert status.remaining_minutes is not None
    if status.remaining_minutes < 0:
        late = format_minutes(-status.remaining_minutes)
        return f"{status.label}: LEWAT BATAS {late} ({due}) — risiko fiktif positif"
    return (
        f"{status.label}: {status.state}, sisa {format_minutes(status.remaining_minutes)} ({due})"
    )
