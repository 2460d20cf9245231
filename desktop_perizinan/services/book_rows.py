"""The rows of the agenda and expedition books as every reader sees them (screens, exports,
demo). Apart from ``books`` and ``book_export`` so that both can use them without importing
each other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class BookInfo:
    code: str
    title: str
    pattern: str
    yearly: bool


@dataclass(frozen=True)
class AgendaRow:
    id: int
    seq: int
    number: str
    taken_at: datetime
    subject: str
    addressee: str
    reg_number: str | None
    taken_by: str
    voided: bool
    void_reason: str | None


@dataclass(frozen=True)
class ExpeditionRow:
    id: int
    number: str
    title: str
    sent_at: datetime
    sent_by: str
    way: str
    recipient_name: str | None
    received_at: datetime | None
    reg_number: str | None
