"""What the reports hand to the screens and the workbook: the period and the plain result rows.

Apart from :mod:`services.reports` (the queries) and :mod:`services.report_workbook` (the Excel
context) so both, and the Beranda, use one definition of each figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from desktop_perizinan.workflow.definition import CaseStatus

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
class ReportSummary:
    """What the Laporan screen shows first (the Rekap tab and its status line), counted by the
    database in a fraction of a second, while the compliance medians (a calendar reckoning per
    step record) are still being computed for the other tabs."""

    period: Period
    generated_at: datetime
    recap: Recap
    months: tuple[MonthFigures, ...]
    steps_done: int  # the sum of ``StepCompliance.done`` over the period's steps
    steps_on_time: int  # and of ``StepCompliance.on_time``
    overdue_count: int  # ``len(ReportService.overdue())``


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
