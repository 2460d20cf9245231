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
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sqlalchemy import func, or_, select

from desktop_perizinan.db.models import Applicant, Case, StepRecord
from desktop_perizinan.services.documents import case_reference
from desktop_perizinan.workflow.definition import TARGET_REJECTED, CaseStatus
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.paths import format_duration, path_totals, service_total

if TYPE_CHECKING:
    from desktop_perizinan.documents.xlsx_reports import ReportWorkbook
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.workflow.definition import PermitType

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS_SHORT = (
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
)  # fmt: skip

#: Outcome recorded on the steps a withdrawal closes (see CaseWorkService.withdraw).
WITHDRAWN_OUTCOME = "ditarik"

OPEN_STATUSES = (CaseStatus.RUNNING.value, CaseStatus.WAITING_APPLICANT.value)


# ---------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """``[start, end)``: a month or a year."""

    year: int
    month: int | None = None

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month or 1, 1)

    @property
    def end(self) -> datetime:
        if self.month is None or self.month == 12:
            return datetime(self.year + 1, 1, 1)
        return datetime(self.year, self.month + 1, 1)

    @property
    def label(self) -> str:
        return f"{MONTHS[self.month - 1]} {self.year}" if self.month else f"Tahun {self.year}"

    def previous(self) -> Period:
        if self.month is None:
            return Period(self.year - 1)
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)


# ---------------------------------------------------------------------- plain results


@dataclass(frozen=True)
class RecapRow:
    form_code: str
    permit_name: str
    received: int = 0
    issued: int = 0
    rejected: int = 0
    withdrawn: int = 0
    in_progress: int = 0

    @property
    def closed(self) -> int:
        return self.issued + self.rejected + self.withdrawn


@dataclass(frozen=True)
class Recap:
    period: Period
    rows: tuple[RecapRow, ...]
    total: RecapRow


@dataclass(frozen=True)
class MonthFigures:
    """One month of the whole office (every permit type together)."""

    year: int
    month: int
    received: int
    issued: int
    rejected: int
    withdrawn: int
    in_progress: int

    @property
    def label(self) -> str:
        return f"{MONTHS_SHORT[self.month - 1]} {self.year}"


@dataclass(frozen=True)
class StepCompliance:
    form_code: str
    permit_name: str
    step_id: str
    step_no: int
    step_name: str
    role: str
    role_name: str
    standard: str  # the SOP's text, "2 Jam"
    standard_minutes: int  # the same in working minutes (a day = the standard working day)
    done: int
    on_time: int
    median_minutes: int | None

    @property
    def share(self) -> float | None:
        return self.on_time / self.done if self.done else None


@dataclass(frozen=True)
class RoleCompliance:
    role: str
    role_name: str
    done: int
    on_time: int
    median_minutes: int | None
    median_standard_minutes: int | None

    @property
    def share(self) -> float | None:
        return self.on_time / self.done if self.done else None


@dataclass(frozen=True)
class TotalTime:
    """The SOP's stated total beside the real one, for the cases that ended one way."""

    form_code: str
    permit_name: str
    ending: str  # "terbit" or "ditolak"
    stated: str  # "8 Hari 1 Jam 30 Menit"
    stated_minutes: int
    closed: int
    within: int
    median_minutes: int | None
    longest_minutes: int | None

    @property
    def share(self) -> float | None:
        return self.within / self.closed if self.closed else None


@dataclass(frozen=True)
class OverdueRow:
    case_id: int
    reference: str
    applicant_name: str
    permit_name: str
    step_no: int
    step_name: str
    role: str
    role_name: str
    started_at: datetime
    due_at: datetime
    late_minutes: int


@dataclass(frozen=True)
class Compliance:
    period: Period
    steps: tuple[StepCompliance, ...]
    roles: tuple[RoleCompliance, ...]
    totals: tuple[TotalTime, ...]


@dataclass(frozen=True)
class ReportBundle:
    """Everything the Laporan screen shows and the workbook holds, for one period."""

    period: Period
    generated_at: datetime
    office_name: str
    day_minutes: int
    recap: Recap
    months: tuple[MonthFigures, ...]  # the months of the period's year up to the period's end
    compliance: Compliance
    overdue: tuple[OverdueRow, ...]

    def minutes_text(self, minutes: int | None) -> str:
        from desktop_perizinan.workflow.calendar import format_working_minutes

        return "-" if minutes is None else format_working_minutes(minutes, self.day_minutes)


# ---------------------------------------------------------------------- helpers


def _median(values: list[int]) -> int | None:
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


@dataclass(frozen=True)
class _StepName:
    no: int
    name: str
    role: str
    standard: str
    standard_minutes: int


@dataclass
class _Tally:
    received: int = 0
    issued: int = 0
    rejected: int = 0
    withdrawn: int = 0
    in_progress: int = 0

    def add(
        self,
        status: str,
        received_at: datetime,
        closed_at: datetime | None,
        start: datetime,
        end: datetime,
    ) -> None:
        if start <= received_at < end:
            self.received += 1
        closed_here = closed_at is not None and start <= closed_at < end
        if closed_here and status == CaseStatus.ISSUED.value:
            self.issued += 1
        elif closed_here and status == CaseStatus.REJECTED.value:
            self.rejected += 1
        elif closed_here and status == CaseStatus.WITHDRAWN.value:
            self.withdrawn += 1
        if received_at < end and (closed_at is None or closed_at >= end):
            self.in_progress += 1


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

    def _case_spans(
        self, start: datetime, end: datetime
    ) -> list[tuple[str, str, datetime, datetime | None]]:
        """(form_code, status, received_at, closed_at) of every case alive in ``[start, end)``."""
        with self._s.db.reading() as session:
            return [
                (code, status, received, closed)
                for code, status, received, closed in session.execute(
                    select(Case.form_code, Case.status, Case.received_at, Case.closed_at).where(
                        Case.received_at < end,
                        or_(Case.closed_at.is_(None), Case.closed_at >= start),
                    )
                )
            ]

    def recap(self, period: Period) -> Recap:
        """Per permit type (every loaded type, even with nothing to count), and the total."""
        start, end = period.start, period.end
        tallies: dict[str, _Tally] = {code: _Tally() for code in self._s.forms.types}
        for code, status, received, closed in self._case_spans(start, end):
            tallies.setdefault(code, _Tally()).add(status, received, closed, start, end)
        rows = tuple(
            RecapRow(code, self.permit_name(code), **vars(t))
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
        tallies = [_Tally() for _ in periods]
        spans = self._case_spans(periods[0].start, periods[-1].end)
        for _code, status, received, closed in spans:
            for period, tally in zip(periods, tallies, strict=True):
                tally.add(status, received, closed, period.start, period.end)
        return tuple(
            MonthFigures(year, p.month or 1, **vars(t))
            for p, t in zip(periods, tallies, strict=True)
        )

    def month_figures(self, period: Period, *, until: datetime | None = None) -> MonthFigures:
        """One month of the whole office; ``until`` cuts it short (month to date)."""
        end = min(period.end, until) if until is not None else period.end
        tally = _Tally()
        for _code, status, received, closed in self._case_spans(period.start, end):
            tally.add(status, received, closed, period.start, end)
        return MonthFigures(period.year, period.month or 1, **vars(tally))

    # ------------------------------------------------------------------ compliance

    def compliance(self, period: Period) -> Compliance:
        """Steps done and cases closed within the period, against their standards."""
        cal = self._s.calendar
        day = cal.standard_day_minutes
        start, end = period.start, period.end
        by_step: dict[tuple[str, str], list[tuple[int, bool, _StepName]]] = defaultdict(list)
        by_role: dict[str, list[tuple[int, bool, int]]] = defaultdict(list)
        with self._s.db.reading() as session:
            records = session.execute(
                select(
                    Case.form_code,
                    StepRecord.step_id,
                    StepRecord.step_no,
                    StepRecord.name,
                    StepRecord.role,
                    StepRecord.standard,
                    StepRecord.started_at,
                    StepRecord.due_at,
                    StepRecord.done_at,
                )
                .join(Case, Case.id == StepRecord.case_id)
                .where(
                    StepRecord.done_at.is_not(None),
                    StepRecord.done_at >= start,
                    StepRecord.done_at < end,
                    or_(StepRecord.outcome.is_(None), StepRecord.outcome != WITHDRAWN_OUTCOME),
                )
                .order_by(StepRecord.id)
            ).all()
            cases = session.execute(
                select(Case.form_code, Case.status, Case.received_at, Case.closed_at).where(
                    Case.closed_at.is_not(None),
                    Case.closed_at >= start,
                    Case.closed_at < end,
                    Case.status.in_((CaseStatus.ISSUED.value, CaseStatus.REJECTED.value)),
                )
            ).all()
        for code, step_id, no, name, recorded_role, standard, started, due, done in records:
            # The SOP's actor, not the role that recorded it: the applicant's own steps are
            # recorded at the counter but are the applicant's time.
            role = self._sop_actor(code, step_id, recorded_role)
            actual = cal.working_minutes_between(started, done)
            on_time = done <= due
            standard_minutes = _standard_minutes(standard, day)
            by_step[(code, step_id)].append(
                (actual, on_time, _StepName(no, name, role, standard, standard_minutes))
            )
            by_role[role].append((actual, on_time, standard_minutes))

        steps = []
        for (code, step_id), items in by_step.items():
            named = items[-1][2]  # the latest record names the step as it is now
            steps.append(
                StepCompliance(
                    form_code=code,
                    permit_name=self.permit_name(code),
                    step_id=step_id,
                    step_no=named.no,
                    step_name=named.name,
                    role=named.role,
                    role_name=self.role_name(named.role),
                    standard=named.standard,
                    standard_minutes=named.standard_minutes,
                    done=len(items),
                    on_time=sum(1 for _a, ok, _r in items if ok),
                    median_minutes=_median([a for a, _ok, _r in items]),
                )
            )
        steps.sort(key=lambda s: (s.permit_name, s.step_no, s.step_id))
        roles = [
            RoleCompliance(
                role=role,
                role_name=self.role_name(role),
                done=len(items),
                on_time=sum(1 for _a, ok, _s in items if ok),
                median_minutes=_median([a for a, _ok, _s in items]),
                median_standard_minutes=_median([s for _a, _ok, s in items]),
            )
            for role, items in by_role.items()
        ]
        roles.sort(key=lambda r: self._role_rank(r.role))
        return Compliance(period, tuple(steps), tuple(roles), self._totals(cases, day))

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
        groups: dict[tuple[str, str], list[tuple[int, bool]]] = defaultdict(list)
        for code, status, received, closed in cases:
            assert closed is not None
            pt = self._s.forms.types.get(code)
            if pt is None:
                continue
            standard = self._ending_total(pt, status)
            actual = cal.working_minutes_between(received, closed)
            groups[(code, status)].append((actual, closed <= cal.add(received, standard)))
        rows = []
        for code, pt in sorted(self._s.forms.types.items(), key=lambda kv: kv[1].name):
            for status in (CaseStatus.ISSUED.value, CaseStatus.REJECTED.value):
                items = groups.get((code, status), [])
                if not items and status == CaseStatus.REJECTED.value:
                    continue  # a rejection row only when there was a rejection
                standard = self._ending_total(pt, status)
                actuals = [a for a, _ok in items]
                rows.append(
                    TotalTime(
                        form_code=code,
                        permit_name=pt.name,
                        ending="terbit" if status == CaseStatus.ISSUED.value else "ditolak",
                        stated=format_duration(standard),
                        stated_minutes=duration_minutes(standard, day),
                        closed=len(items),
                        within=sum(1 for _a, ok in items if ok),
                        median_minutes=_median(actuals),
                        longest_minutes=max(actuals) if actuals else None,
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
                .where(
                    StepRecord.done_at.is_(None),
                    StepRecord.due_at < now,
                    Case.status == CaseStatus.RUNNING.value,
                )
                .order_by(StepRecord.due_at, StepRecord.id)
            ).all()
            rows = [
                OverdueRow(
                    case_id=case.id,
                    reference=case.reg_number or case_reference(case),
                    applicant_name=name,
                    permit_name=self._s.definition_for(session, case).name,
                    step_no=record.step_no,
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


# ---------------------------------------------------------------------- workbook context


def _clock_text(minutes: int) -> str:
    """Minutes as hours and minutes of the clock ("8 jam 30 menit"), never as days."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} jam" + (f" {rest} menit" if rest else "")


def _blocks(keys: list[str]) -> list[tuple[str, tuple[int, int]]]:
    """Runs of equal keys as (key, (first, last)) row ranges: one chart per permit type."""
    blocks: list[tuple[str, tuple[int, int]]] = []
    for index, key in enumerate(keys):
        if blocks and blocks[-1][0] == key:
            blocks[-1] = (key, (blocks[-1][1][0], index))
        else:
            blocks.append((key, (index, index)))
    return blocks


def percent(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


def report_workbook(bundle: ReportBundle) -> ReportWorkbook:
    """The plain context of the report workbook: sheets of rows and the charts over them."""
    from desktop_perizinan.documents.xlsx_reports import (
        ChartSpec,
        ReportColumn,
        ReportSheet,
        ReportWorkbook,
    )

    period = bundle.period
    hours = 60

    def as_hours(minutes: int | None) -> float | None:
        return None if minutes is None else round(minutes / hours, 1)

    recap_rows = [
        (r.permit_name, r.received, r.issued, r.rejected, r.withdrawn, r.in_progress)
        for r in bundle.recap.rows
    ]
    t = bundle.recap.total
    recap_sheet = ReportSheet(
        name="Rekap",
        title=f"Rekapitulasi Permohonan per Jenis Izin — {period.label}",
        columns=(
            ReportColumn("Jenis Izin", 48),
            ReportColumn("Diterima", 11, "int"),
            ReportColumn("Terbit", 11, "int"),
            ReportColumn("Ditolak", 11, "int"),
            ReportColumn("Ditarik", 11, "int"),
            ReportColumn("Dalam Proses", 13, "int"),
        ),
        rows=tuple(recap_rows),
        total=("Jumlah", t.received, t.issued, t.rejected, t.withdrawn, t.in_progress),
        notes=(
            "Diterima: permohonan yang masuk dalam periode. Terbit/Ditolak/Ditarik: yang "
            "selesai dalam periode. Dalam proses: yang belum selesai pada akhir periode.",
        ),
        charts=(
            ChartSpec(
                title="Permohonan per jenis izin",
                categories_col=0,
                value_cols=(1, 2, 3),
                y_title="Permohonan",
                horizontal=True,
            ),
        ),
    )
    month_sheet = ReportSheet(
        name="Per Bulan",
        title=f"Permohonan per Bulan — Tahun {period.year}",
        columns=(
            ReportColumn("Bulan", 14),
            ReportColumn("Diterima", 11, "int"),
            ReportColumn("Terbit", 11, "int"),
            ReportColumn("Ditolak", 11, "int"),
            ReportColumn("Ditarik", 11, "int"),
            ReportColumn("Dalam Proses", 13, "int"),
        ),
        rows=tuple(
            (MONTHS[m.month - 1], m.received, m.issued, m.rejected, m.withdrawn, m.in_progress)
            for m in bundle.months
        ),
        charts=(
            ChartSpec(
                title=f"Diterima dan selesai per bulan, {period.year}",
                categories_col=0,
                value_cols=(1, 2, 3),
                y_title="Permohonan",
            ),
        ),
    )
    comp = bundle.compliance
    step_sheet = ReportSheet(
        name="Kepatuhan Langkah",
        title=f"Kepatuhan Waktu terhadap Mutu Baku SOP per Langkah — {period.label}",
        columns=(
            ReportColumn("Jenis Izin", 34),
            ReportColumn("No.", 6, "int"),
            ReportColumn("Langkah", 40),
            ReportColumn("Pelaksana", 26),
            ReportColumn("Mutu Baku", 12),
            ReportColumn("Baku (jam kerja)", 12, "decimal"),
            ReportColumn("Selesai", 9, "int"),
            ReportColumn("Tepat Waktu", 10, "int"),
            ReportColumn("% Tepat Waktu", 11, "percent"),
            ReportColumn("Median Nyata (jam kerja)", 13, "decimal"),
            ReportColumn("Median Nyata", 18),
        ),
        rows=tuple(
            (
                s.permit_name,
                s.step_no,
                s.step_name,
                s.role_name,
                s.standard,
                as_hours(s.standard_minutes),
                s.done,
                s.on_time,
                percent(s.share),
                as_hours(s.median_minutes),
                bundle.minutes_text(s.median_minutes),
            )
            for s in comp.steps
        ),
        notes=(
            "Tepat waktu: langkah selesai paling lambat pada batas waktu yang dihitung dari mutu "
            "baku dalam jam kerja kantor; satu hari kerja = "
            f"{_clock_text(bundle.day_minutes)}."
        ),
        charts=tuple(
            ChartSpec(
                title=f"{name}: mutu baku dan median waktu nyata per langkah (jam kerja)",
                categories_col=2,
                value_cols=(5, 9),
                y_title="Jam kerja",
                horizontal=True,
                rows=block,
            )
            for name, block in _blocks([s.permit_name for s in comp.steps])
        ),
    )
    role_sheet = ReportSheet(
        name="Kepatuhan Pelaksana",
        title=f"Kepatuhan Waktu per Pelaksana — {period.label}",
        columns=(
            ReportColumn("Pelaksana", 36),
            ReportColumn("Selesai", 9, "int"),
            ReportColumn("Tepat Waktu", 10, "int"),
            ReportColumn("% Tepat Waktu", 11, "percent"),
            ReportColumn("Median Baku (jam kerja)", 13, "decimal"),
            ReportColumn("Median Nyata (jam kerja)", 13, "decimal"),
        ),
        rows=tuple(
            (
                r.role_name,
                r.done,
                r.on_time,
                percent(r.share),
                as_hours(r.median_standard_minutes),
                as_hours(r.median_minutes),
            )
            for r in comp.roles
        ),
        charts=(
            ChartSpec(
                title="Persentase langkah tepat waktu per pelaksana",
                categories_col=0,
                value_cols=(3,),
                y_title="% tepat waktu",
                horizontal=True,
                percent=True,
            ),
        ),
    )
    total_sheet = ReportSheet(
        name="Waktu Total",
        title=f"Waktu Pelayanan: Total SOP dan Waktu Nyata — {period.label}",
        columns=(
            ReportColumn("Jenis Izin", 40),
            ReportColumn("Akhir", 9),
            ReportColumn("Total SOP", 20),
            ReportColumn("Total SOP (jam kerja)", 12, "decimal"),
            ReportColumn("Selesai", 9, "int"),
            ReportColumn("Dalam Batas SOP", 11, "int"),
            ReportColumn("% Dalam Batas", 11, "percent"),
            ReportColumn("Median Nyata (jam kerja)", 13, "decimal"),
            ReportColumn("Median Nyata", 20),
            ReportColumn("Terlama (jam kerja)", 12, "decimal"),
        ),
        rows=tuple(
            (
                f"{r.permit_name}",
                r.ending,
                r.stated,
                as_hours(r.stated_minutes),
                r.closed,
                r.within,
                percent(r.share),
                as_hours(r.median_minutes),
                bundle.minutes_text(r.median_minutes),
                as_hours(r.longest_minutes),
            )
            for r in comp.totals
        ),
        notes=("Waktu nyata: dari permohonan diterima sampai selesai, dalam jam kerja.",),
        charts=(
            ChartSpec(
                title="Total SOP dan median waktu nyata (jam kerja)",
                categories_col=0,
                value_cols=(3, 7),
                y_title="Jam kerja",
                horizontal=True,
            ),
        ),
    )
    overdue_sheet = ReportSheet(
        name="Terlambat",
        title=f"Langkah Terlambat per {bundle.generated_at:%d-%m-%Y %H:%M}",
        columns=(
            ReportColumn("No. Registrasi", 20),
            ReportColumn("Pemohon", 32),
            ReportColumn("Jenis Izin", 34),
            ReportColumn("No.", 6, "int"),
            ReportColumn("Langkah", 36),
            ReportColumn("Pelaksana", 26),
            ReportColumn("Batas Waktu", 16, "datetime"),
            ReportColumn("Terlambat", 18),
        ),
        rows=tuple(
            (
                r.reference,
                r.applicant_name,
                r.permit_name,
                r.step_no,
                r.step_name,
                r.role_name,
                r.due_at,
                bundle.minutes_text(r.late_minutes),
            )
            for r in bundle.overdue
        ),
        empty_text="Tidak ada langkah yang terlambat.",
    )
    return ReportWorkbook(
        title="Laporan Pelayanan Perizinan",
        office_name=bundle.office_name,
        period_text=period.label,
        generated_text=f"Dibuat {bundle.generated_at:%d-%m-%Y %H:%M}",
        sheets=(recap_sheet, month_sheet, step_sheet, role_sheet, total_sheet, overdue_sheet),
    )


__all__ = [
    "MONTHS",
    "Compliance",
    "MonthFigures",
    "OverdueRow",
    "Period",
    "Recap",
    "RecapRow",
    "ReportBundle",
    "ReportService",
    "RoleCompliance",
    "StepCompliance",
    "TotalTime",
]
