"""The figures a Kadis reports upward, as plain dataclasses (no Qt, no openpyxl).

Four reports, each a pure read of the database for one period:

* **Rekap** per permit type: received, issued, rejected, withdrawn, in progress. A *flow*
  recap, as the offices' own monthly reports count: what came in during the period (received),
  what went out during it (issued / rejected / withdrawn, by the day the case closed, whenever it
  was received), and what was still on the desk when the period ended (in progress, including
  files waiting for the applicant). So ``in progress at the end = in progress at the start +
  received - closed``, which a reader can check by hand.
* **Kepatuhan** (compliance) with the SOP's *mutu baku*: for each step and each role, the share
  of steps done within their time standard (done no later than the due time the calendar gave
  them) and the median actual time in working minutes beside the standard. Steps closed by a
  withdrawal are left out: nobody worked them.
* **Waktu total**: the SOP's stated total (``total`` in the permit file, else the sum of the
  steps) beside the real total from reception to closing in working time, per permit type and
  ending (issued; rejected against the rejection path's total).
* **Terlambat**: the open steps past their due time, the latest first.

Times are working time (office hours, weekends and holidays left out) from
:class:`~desktop_perizinan.workflow.calendar.WorkCalendar`, the same reckoning as the due dates.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from desktop_perizinan.db.models import Applicant, Case, StepRecord
from desktop_perizinan.services.documents import case_reference
from desktop_perizinan.workflow.definition import TARGET_REJECTED, CaseStatus, StepNo
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.paths import format_duration, path_totals, service_total

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.workflow.definition import PermitType
from desktop_perizinan.services.report_rows import (
    MONTHS,
    MONTHS_SHORT,
    Compliance,
    MonthFigures,
    OverdueRow,
    Period,
    Recap,
    RecapRow,
    ReportBundle,
    ReportSummary,
    RoleCompliance,
    StepCompliance,
    TotalTime,
)
from desktop_perizinan.services.report_workbook import report_workbook
from desktop_perizinan.services.reports_sql import (
    STREAM_CHUNK,
    TALLY_FIELDS,
    RoleTally,
    StepTally,
    TimeTally,
    alive_in,
    overdue_now,
    steps_done_in,
    tally_columns,
)

__all__ = [
    "MONTHS",
    "MONTHS_SHORT",
    "Compliance",
    "MonthFigures",
    "OverdueRow",
    "Period",
    "Recap",
    "RecapRow",
    "ReportBundle",
    "ReportService",
    "ReportSummary",
    "RoleCompliance",
    "StepCompliance",
    "TotalTime",
    "report_workbook",
]


# ---------------------------------------------------------------------- helpers


def _median(values: Sequence[int]) -> int | None:
    return round(statistics.median(values)) if values else None


def duration_minutes(duration: Duration, day_minutes: int) -> int:
    """A time standard in working minutes, one day being the office's standard day."""
    return duration.days * day_minutes + duration.minutes


def stated_total(pt: PermitType) -> Duration:
    """What the SOP promises until the permit is issued: its own stated total when it has one
    (the loader checked it equals the sum of the steps), else that sum."""
    return pt.declared_total if pt.declared_total is not None else service_total(pt)


def _standard_minutes(text: str, day_minutes: int) -> int:
    """A step's standard ("2 Jam") in working minutes; 0 for a text that cannot be read."""
    try:
        return duration_minutes(Duration.parse(text), day_minutes)
    except ValueError:
        return 0


# ---------------------------------------------------------------------- the service


class ReportService:
    """Read-only reports. Each method opens its own short reading session."""

    def __init__(self, services: Services) -> None:
        self._s = services

    # ------------------------------------------------------------------ names

    def permit_name(self, code: str) -> str:
        pt = self._s.forms.types.get(code)
        return pt.name if pt is not None else code

    def role_name(self, role: str) -> str:
        return self._s.office.role_name(role)

    def years(self) -> list[int]:
        """Years with applications, newest first (the current year always offered)."""
        with self._s.db.reading() as session:
            first = session.scalar(select(func.min(Case.received_at)))
        this_year = self._s.now().year
        start = min(first.year, this_year) if first is not None else this_year
        return list(range(this_year, start - 1, -1))

    # ------------------------------------------------------------------ recap

    def _figures(self, windows: list[tuple[datetime, datetime]]) -> list[dict[str, int]]:
        """The office's five figures for each window, in one query over the cases alive in
        any of them."""
        columns = [c for start, end in windows for c in tally_columns(start, end)]
        with self._s.db.reading() as session:
            row = session.execute(
                select(*columns).where(*alive_in(windows[0][0], windows[-1][1]))
            ).one()
        n = len(TALLY_FIELDS)
        return [
            dict(zip(TALLY_FIELDS, (int(v) for v in row[i * n : (i + 1) * n]), strict=True))
            for i in range(len(windows))
        ]

    def recap(self, period: Period) -> Recap:
        """Per permit type (every loaded type, even with nothing to count), and the total."""
        start, end = period.start, period.end
        tallies: dict[str, dict[str, int]] = {
            code: dict.fromkeys(TALLY_FIELDS, 0) for code in self._s.forms.types
        }
        with self._s.db.reading() as session:
            for code, *figures in session.execute(
                select(Case.form_code, *tally_columns(start, end))
                .where(*alive_in(start, end))
                .group_by(Case.form_code)
            ):
                tallies[code] = dict(zip(TALLY_FIELDS, map(int, figures), strict=True))
        rows = tuple(
            RecapRow(code, self.permit_name(code), **t)
            for code, t in sorted(tallies.items(), key=lambda item: self.permit_name(item[0]))
        )
        total = RecapRow(
            "",
            "Jumlah",
            sum(r.received for r in rows),
            sum(r.issued for r in rows),
            sum(r.rejected for r in rows),
            sum(r.withdrawn for r in rows),
            sum(r.in_progress for r in rows),
        )
        return Recap(period, rows, total)

    def months(self, year: int, *, until: int = 12) -> tuple[MonthFigures, ...]:
        """The office's figures month by month, January to ``until``."""
        periods = [Period(year, m) for m in range(1, until + 1)]
        figures = self._figures([(p.start, p.end) for p in periods])
        return tuple(
            MonthFigures(year, p.month or 1, **f) for p, f in zip(periods, figures, strict=True)
        )

    def month_figures(self, period: Period, *, until: datetime | None = None) -> MonthFigures:
        """One month of the whole office; ``until`` cuts it short (month to date)."""
        end = min(period.end, until) if until is not None else period.end
        (figures,) = self._figures([(period.start, end)])
        return MonthFigures(period.year, period.month or 1, **figures)

    # ------------------------------------------------------------------ compliance

    def compliance(self, period: Period) -> Compliance:
        """Steps done and cases closed within the period, against their standards.

        A year of a busy office is a quarter of a million step records: they are streamed in
        chunks and folded into one tally per step and per role as they come (counts and the
        working minutes the medians need, as machine integers), so the memory is that of the
        tallies, not of the records (it was 360 MB at 200,000 cases)."""
        cal = self._s.calendar
        day = cal.standard_day_minutes
        start, end = period.start, period.end
        by_step: dict[tuple[str, str], StepTally] = {}
        by_role: dict[str, RoleTally] = {}
        actors: dict[tuple[str, str, str], str] = {}
        standards: dict[str, int] = {}
        minutes_between = cal.working_minutes_between
        with self._s.db.reading() as session:
            records = session.execute(
                select(
                    Case.form_code,
                    StepRecord.step_id,
                    StepRecord.step_no,
                    StepRecord.step_label,
                    StepRecord.name,
                    StepRecord.role,
                    StepRecord.standard,
                    StepRecord.started_at,
                    StepRecord.due_at,
                    StepRecord.done_at,
                )
                .join(Case, Case.id == StepRecord.case_id)
                .where(*steps_done_in(start, end))
                .order_by(StepRecord.id)
                .execution_options(yield_per=STREAM_CHUNK)
            )
            for (
                code,
                step_id,
                number,
                label,
                name,
                recorded,
                standard,
                started,
                due,
                done,
            ) in records:
                # The SOP's actor, not the role that recorded it: the applicant's own steps
                # are recorded at the counter but are the applicant's time.
                key = (code, step_id, recorded)
                role = actors.get(key)
                if role is None:
                    role = actors[key] = self._sop_actor(code, step_id, recorded)
                standard_minutes = standards.get(standard)
                if standard_minutes is None:
                    standard_minutes = standards[standard] = _standard_minutes(standard, day)
                actual = minutes_between(started, done)
                on_time = done <= due
                step = by_step.get((code, step_id))
                if step is None:
                    step = by_step[(code, step_id)] = StepTally()
                # The latest record names the step as it is now (records come in id order).
                step.latest = (number, label, name, role, standard, standard_minutes)
                step.add(actual, on_time)
                tally = by_role.get(role)
                if tally is None:
                    tally = by_role[role] = RoleTally()
                tally.add(actual, on_time)
                tally.standard.append(standard_minutes)
            cases = session.execute(
                select(Case.form_code, Case.status, Case.received_at, Case.closed_at)
                .where(
                    Case.closed_at.is_not(None),
                    Case.closed_at >= start,
                    Case.closed_at < end,
                    Case.status.in_((CaseStatus.ISSUED.value, CaseStatus.REJECTED.value)),
                )
                .execution_options(yield_per=STREAM_CHUNK)
            )
            totals = self._totals(cases, day)

        steps = []
        for (code, step_id), step in by_step.items():
            number, label, name, role, standard, standard_minutes = step.latest
            steps.append(
                StepCompliance(
                    form_code=code,
                    permit_name=self.permit_name(code),
                    step_id=step_id,
                    step_no=StepNo(number, label),  # printed as the SOP's own label ("3a")
                    step_name=name,
                    role=role,
                    role_name=self.role_name(role),
                    standard=standard,
                    standard_minutes=standard_minutes,
                    done=step.done,
                    on_time=step.on_time,
                    median_minutes=_median(step.actual),
                )
            )
        steps.sort(key=lambda s: (s.permit_name, s.step_no, s.step_id))
        roles = [
            RoleCompliance(
                role=role,
                role_name=self.role_name(role),
                done=tally.done,
                on_time=tally.on_time,
                median_minutes=_median(tally.actual),
                median_standard_minutes=_median(tally.standard),
            )
            for role, tally in by_role.items()
        ]
        roles.sort(key=lambda r: self._role_rank(r.role))
        return Compliance(period, tuple(steps), tuple(roles), totals)

    def _sop_actor(self, code: str, step_id: str, recorded_role: str) -> str:
        pt = self._s.forms.types.get(code)
        if pt is None:
            return recorded_role
        try:
            return pt.step(step_id).actor
        except KeyError:
            return recorded_role

    def _role_rank(self, role: str) -> tuple[int, str]:
        order = list(self._s.office.roles)
        return (order.index(role) if role in order else len(order), role)

    def _totals(
        self,
        cases: Iterable[tuple[str, str, datetime, datetime | None]],
        day: int,
    ) -> tuple[TotalTime, ...]:
        cal = self._s.calendar
        groups: dict[tuple[str, str], TimeTally] = {}
        # The SOP total of an ending is a walk over the permit type's paths: once per
        # (type, ending), not once per case (it was half of the report's time at 200,000).
        standards: dict[tuple[str, str], Duration | None] = {}
        for code, status, received, closed in cases:
            assert closed is not None
            key = (code, status)
            if key not in standards:
                pt = self._s.forms.types.get(code)
                standards[key] = None if pt is None else self._ending_total(pt, status)
            standard = standards[key]
            if standard is None:
                continue
            group = groups.get(key)
            if group is None:
                group = groups[key] = TimeTally()
            actual = cal.working_minutes_between(received, closed)
            group.add(actual, closed <= cal.add(received, standard))
        rows = []
        for code, pt in sorted(self._s.forms.types.items(), key=lambda kv: kv[1].name):
            for status in (CaseStatus.ISSUED.value, CaseStatus.REJECTED.value):
                group = groups.get((code, status), TimeTally())
                if not group.done and status == CaseStatus.REJECTED.value:
                    continue  # a rejection row only when there was a rejection
                standard = self._ending_total(pt, status)
                rows.append(
                    TotalTime(
                        form_code=code,
                        permit_name=pt.name,
                        ending="terbit" if status == CaseStatus.ISSUED.value else "ditolak",
                        stated=format_duration(standard),
                        stated_minutes=duration_minutes(standard, day),
                        closed=group.done,
                        within=group.on_time,
                        median_minutes=_median(group.actual),
                        longest_minutes=max(group.actual) if group.actual else None,
                    )
                )
        return tuple(rows)

    @staticmethod
    def _ending_total(pt: PermitType, status: str) -> Duration:
        """The SOP time of the way a case ended: the rejection path has its own sum."""
        if status == CaseStatus.REJECTED.value:
            return path_totals(pt).get(TARGET_REJECTED, stated_total(pt))
        return stated_total(pt)

    # ------------------------------------------------------------------ overdue

    def overdue(self, *, limit: int | None = None) -> list[OverdueRow]:
        """Open steps of running cases past their due time, the latest first."""
        now = self._s.now()
        cal = self._s.calendar
        with self._s.db.reading() as session:
            found = session.execute(
                select(StepRecord, Case, Applicant.name)
                .join(Case, Case.id == StepRecord.case_id)
                .join(Applicant, Applicant.id == Case.applicant_id)
                .where(*overdue_now(now))
                .order_by(StepRecord.due_at, StepRecord.id)
            ).all()
            rows = [
                OverdueRow(
                    case_id=case.id,
                    reference=case.reg_number or case_reference(case),
                    applicant_name=name,
                    permit_name=self._s.definition_for(session, case).name,
                    step_no=StepNo(record.step_no, record.step_label),  # the SOP label
                    step_name=record.name,
                    role=record.role,
                    role_name=self.role_name(record.role),
                    started_at=record.started_at,
                    due_at=record.due_at,
                    late_minutes=max(1, cal.working_minutes_between(record.due_at, now)),
                )
                for record, case, name in found
            ]
        rows.sort(key=lambda r: (-r.late_minutes, r.due_at))
        return rows if limit is None else rows[:limit]

    # ------------------------------------------------------------------ one period in full

    def summary(self, period: Period) -> ReportSummary:
        """The Rekap, the months, and the counts of the status line and the Terlambat tab's
        title: all counted by SQL (no step record read into Python), so the screen can show
        them at once and fill the compliance tabs when :meth:`compliance` is done."""
        start, end = period.start, period.end
        now = self._s.now()
        on_time = sql_case((StepRecord.done_at <= StepRecord.due_at, 1), else_=0)
        with self._s.db.reading() as session:
            done, in_time = session.execute(
                select(func.count(), func.coalesce(func.sum(on_time), 0))
                .select_from(StepRecord)
                .join(Case, Case.id == StepRecord.case_id)
                .where(*steps_done_in(start, end))
            ).one()
            late = session.scalar(
                select(func.count())
                .select_from(StepRecord)
                .join(Case, Case.id == StepRecord.case_id)
                .join(Applicant, Applicant.id == Case.applicant_id)
                .where(*overdue_now(now))
            )
        return ReportSummary(
            period=period,
            generated_at=now,
            recap=self.recap(period),
            months=self.months(period.year, until=period.month or 12),
            steps_done=int(done),
            steps_on_time=int(in_time),
            overdue_count=int(late or 0),
        )

    def bundle(
        self,
        period: Period,
        *,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ReportBundle:
        """All four reports for a period (progress in steps of 25 %; cancellable between)."""
        from desktop_perizinan.documents.xlsx_books import Cancelled

        def step(done: int) -> None:
            if cancelled is not None and cancelled():
                raise Cancelled(0)
            if progress is not None:
                progress(done)

        step(0)
        recap = self.recap(period)
        step(25)
        until = period.month or 12
        months = self.months(period.year, until=until)
        step(50)
        compliance = self.compliance(period)
        step(75)
        overdue = tuple(self.overdue())
        step(100)
        return ReportBundle(
            period=period,
            generated_at=self._s.now(),
            office_name=self._s.settings.office_profile().office_name,
            day_minutes=self._s.calendar.standard_day_minutes,
            recap=recap,
            months=months,
            compliance=compliance,
            overdue=overdue,
        )

    def complete(self, summary: ReportSummary) -> ReportBundle:
        """The summary's period in full: its compliance and the late steps added (the slow
        part of :meth:`bundle`, run after the screen has shown the summary)."""
        period = summary.period
        return ReportBundle(
            period=period,
            generated_at=summary.generated_at,
            office_name=self._s.settings.office_profile().office_name,
            day_minutes=self._s.calendar.standard_day_minutes,
            recap=summary.recap,
            months=summary.months,
            compliance=self.compliance(period),
            overdue=tuple(self.overdue()),
        )

    def export_xlsx(
        self,
        period: Period,
        dest: Path | IO[bytes],
        *,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ReportBundle:
        """The four reports in one workbook with native Excel charts (progress 0..100)."""
        from desktop_perizinan.documents.xlsx_reports import write_report_xlsx

        def part(low: int, high: int) -> Callable[[int], None] | None:
            if progress is None:
                return None
            return lambda pct: progress(low + (high - low) * pct // 100)

        bundle = self.bundle(period, progress=part(0, 60), cancelled=cancelled)
        paper = self._s.settings.office_profile().paper
        write_report_xlsx(
            dest,
            report_workbook(bundle),
            paper=paper,
            progress=part(60, 100),
            cancelled=cancelled,
        )
        return bundle
