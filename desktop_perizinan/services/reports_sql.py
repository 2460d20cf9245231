"""The SQL pieces and running tallies of :mod:`services.reports`: the conditions each report
counts by, the flow recap as SQL sums, and the integer tallies the compliance report folds its
streamed step records into. Apart so the report service stays one readable page."""

from __future__ import annotations

from array import array
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy import case as sql_case

from desktop_perizinan.db.models import Case, StepRecord
from desktop_perizinan.services.report_rows import WITHDRAWN_OUTCOME
from desktop_perizinan.workflow.definition import CaseStatus

#: Rows fetched at a time when a report streams its records (on PostgreSQL a server-side
#: cursor): a year's quarter of a million step records never sit in memory together.
STREAM_CHUNK = 1000


class TimeTally:
    """Done, done on time, and each one's working minutes for the median (machine integers:
    8 bytes a step instead of a row of Python objects)."""

    __slots__ = ("actual", "done", "on_time")

    def __init__(self) -> None:
        self.done = 0
        self.on_time = 0
        self.actual = array("q")

    def add(self, actual: int, on_time: bool) -> None:
        self.done += 1
        self.on_time += on_time
        self.actual.append(actual)


class StepTally(TimeTally):
    """One SOP step; ``latest`` is its newest record's (no, label, name, role, standard, minutes)."""

    __slots__ = ("latest",)

    latest: tuple[int, str | None, str, str, str, int]


class RoleTally(TimeTally):
    """One role; ``standard`` holds each step's time standard for the median standard."""

    __slots__ = ("standard",)

    def __init__(self) -> None:
        super().__init__()
        self.standard = array("q")


#: The five figures of a flow recap, in the order of :class:`RecapRow`'s counts.
TALLY_FIELDS = ("received", "issued", "rejected", "withdrawn", "in_progress")


def tally_columns(start: datetime, end: datetime) -> list[ColumnElement[Any]]:
    """The five figures of ``[start, end)`` as SQL sums, counted by the database (no case
    loaded): received in it, closed in it (by ending), still open at its end."""
    closed_here = and_(Case.closed_at >= start, Case.closed_at < end)

    def count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)

    return [
        count(and_(Case.received_at >= start, Case.received_at < end)),
        count(and_(closed_here, Case.status == CaseStatus.ISSUED.value)),
        count(and_(closed_here, Case.status == CaseStatus.REJECTED.value)),
        count(and_(closed_here, Case.status == CaseStatus.WITHDRAWN.value)),
        count(and_(Case.received_at < end, or_(Case.closed_at.is_(None), Case.closed_at >= end))),
    ]


def alive_in(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """The cases a recap of ``[start, end)`` looks at: received before its end, not closed
    before its start."""
    return [Case.received_at < end, or_(Case.closed_at.is_(None), Case.closed_at >= start)]


def steps_done_in(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """The step records the compliance report counts: done in ``[start, end)``, not closed by
    a withdrawal (nobody worked them)."""
    return [
        StepRecord.done_at.is_not(None),
        StepRecord.done_at >= start,
        StepRecord.done_at < end,
        or_(StepRecord.outcome.is_(None), StepRecord.outcome != WITHDRAWN_OUTCOME),
    ]


def overdue_now(now: datetime) -> list[ColumnElement[bool]]:
    """Open steps of running cases past their due time."""
    return [
        StepRecord.done_at.is_(None),
        StepRecord.due_at < now,
        Case.status == CaseStatus.RUNNING.value,
    ]
