"""The Kadis's and the Kabid's home screen, as one plain snapshot.

What a head of office asks first thing in the morning: how many came in today, where the open
files are sitting (by step), which are late, and whether this month is going better than the
last. "This month against last" compares like with like: this month so far against the same
days of last month (1st to today's day), with last month's full figures beside them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from desktop_perizinan.db.models import Case, StepRecord
from desktop_perizinan.services.reports import (
    MonthFigures,
    OverdueRow,
    Period,
    ReportService,
)
from desktop_perizinan.services.stages import StageRisk
from desktop_perizinan.workflow.definition import CaseStatus, StepNo

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

#: Overdue steps listed on the dashboard (the Laporan screen lists them all).
OVERDUE_SHOWN = 10


@dataclass(frozen=True)
class StepLoad:
    """Open files sitting at one step of one permit type."""

    form_code: str
    permit_name: str
    step_no: int
    step_name: str
    role_name: str
    open: int
    overdue: int

    @property
    def label(self) -> str:
        return f"{self.step_no}. {self.step_name}"


@dataclass(frozen=True)
class Dashboard:
    now: datetime
    today_intake: int
    today_by_type: tuple[tuple[str, int], ...]  # (permit name, count), most first
    open_cases: int  # running
    waiting_applicant: int
    open_by_step: tuple[StepLoad, ...]  # most files first
    overdue_count: int
    overdue: tuple[OverdueRow, ...]  # the latest first, at most OVERDUE_SHOWN
    this_month: MonthFigures  # 1st of this month to now
    last_month_same_days: MonthFigures  # 1st of last month to the same day and time
    last_month: MonthFigures  # the whole of last month
    #: PP 28/2025 stages close to or past their deadline (fiktif positif risk), most urgent
    #: first (services/stages.py, issue 13.5).
    stage_risks: tuple[StageRisk, ...] = ()


def same_moment_last_month(now: datetime) -> datetime:
    """Today's date and time, one month back (31 March → end of 28/29 February)."""
    first_this = now.replace(day=1)
    last_month_end = first_this - timedelta(days=1)
    day = min(now.day, last_month_end.day)
    if day < now.day:  # the month is shorter: count its whole last day
        return datetime.combine(last_month_end.date() + timedelta(days=1), datetime.min.time())
    return now.replace(year=last_month_end.year, month=last_month_end.month, day=day)


@dataclass
class _Load:
    code: str
    step_id: str
    no: int
    name: str
    role: str
    open: int = 0
    overdue: int = 0


class DashboardService:
    def __init__(self, services: Services) -> None:
        self._s = services
        self._reports = ReportService(services)

    def _sop_actor(self, load: _Load) -> str:
        pt = self._s.forms.types.get(load.code)
        try:
            return pt.step(load.step_id).actor if pt is not None else load.role
        except KeyError:
            return load.role

    def snapshot(self) -> Dashboard:
        now = self._s.now()
        today = now.date()
        reports = self._reports
        with self._s.db.reading() as session:
            start_today = datetime.combine(today, datetime.min.time())
            intake = Counter(
                code
                for code in session.scalars(
                    select(Case.form_code).where(
                        Case.received_at >= start_today,
                        Case.received_at < start_today + timedelta(days=1),
                    )
                )
            )
            statuses = Counter(
                session.scalars(
                    select(Case.status).where(
                        Case.status.in_(
                            (CaseStatus.RUNNING.value, CaseStatus.WAITING_APPLICANT.value)
                        )
                    )
                )
            )
            loads: dict[tuple[str, str], _Load] = {}
            for code, step_id, number, label, name, role, due in session.execute(
                select(
                    Case.form_code,
                    StepRecord.step_id,
                    StepRecord.step_no,
                    StepRecord.step_label,
                    StepRecord.name,
                    StepRecord.role,
                    StepRecord.due_at,
                )
                .join(Case, Case.id == StepRecord.case_id)
                .where(StepRecord.done_at.is_(None), Case.status == CaseStatus.RUNNING.value)
            ):
                no = StepNo(number, label)  # printed as the SOP's own label
                load = loads.setdefault((code, step_id), _Load(code, step_id, no, name, role))
                load.open += 1
                load.overdue += due < now
        by_step = sorted(
            (
                StepLoad(
                    form_code=load.code,
                    permit_name=reports.permit_name(load.code),
                    step_no=load.no,
                    step_name=load.name,
                    role_name=reports.role_name(self._sop_actor(load)),
                    open=load.open,
                    overdue=load.overdue,
                )
                for load in loads.values()
            ),
            key=lambda load: (-load.open, -load.overdue, load.permit_name, load.step_no),
        )
        overdue = reports.overdue()
        stage_risks = tuple(self._s.stages.at_risk())
        this_period = Period.of(today)
        last_period = this_period.previous()
        return Dashboard(
            now=now,
            today_intake=sum(intake.values()),
            today_by_type=tuple(
                sorted(
                    ((reports.permit_name(code), n) for code, n in intake.items()),
                    key=lambda item: (-item[1], item[0]),
                )
            ),
            open_cases=statuses.get(CaseStatus.RUNNING.value, 0),
            waiting_applicant=statuses.get(CaseStatus.WAITING_APPLICANT.value, 0),
            open_by_step=tuple(by_step),
            overdue_count=len(overdue),
            overdue=tuple(overdue[:OVERDUE_SHOWN]),
            this_month=reports.month_figures(this_period, until=now),
            last_month_same_days=reports.month_figures(
                last_period, until=same_moment_last_month(now)
            ),
            last_month=reports.month_figures(last_period),
            stage_risks=stage_risks,
        )
