"""Reading the audit log for the Audit tab: filtered, newest first, one page at a time.

The log grows with every action of every clerk (tens of thousands of rows a year), so the screen
never loads it whole: it asks for one page and the total that matches. Reading it is for the
administrator only, like changing users: it shows who did what to whose application.

Filters combine: a user (exact), an action (exact, or a family such as ``pengguna.*``), an
application (its registration number, or part of it, or its internal number) and a period
(whole days, both ends included).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select

from desktop_perizinan.db.audit_anchor import Anchor, backup_anchors, read_anchors
from desktop_perizinan.db.models import AuditEntry, Case
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.services.audit import ChainReport, verify_chain
from desktop_perizinan.services.daily_closing import DailyClosing, DailyClosingService

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

PAGE_SIZE = 100
#: Suffix that makes an action filter match a family of actions (``pengguna.*``).
FAMILY = ".*"


@dataclass(frozen=True)
class AuditQuery:
    username: str = ""
    action: str = ""
    case: str = ""
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    action: str
    case_id: int | None
    case_reference: str
    detail: str  # readable "key: value; ..." text

    @property
    def family(self) -> str:
        return self.action.split(".", 1)[0]


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    total: int
    page: int  # 0-based
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first(self) -> int:
        """1-based number of the first row shown (0 when nothing matches)."""
        return self.page * self.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.page * self.page_size + len(self.rows)


@dataclass(frozen=True)
class AuditChoices:
    """What the filter lists offer: users and actions that occur in the log."""

    usernames: tuple[str, ...]
    actions: tuple[str, ...]

    @property
    def families(self) -> tuple[str, ...]:
        """``pengguna.*`` and the like, for families with more than one action."""
        counts: dict[str, int] = {}
        for action in self.actions:
            if "." in action:
                family = action.split(".", 1)[0]
                counts[family] = counts.get(family, 0) + 1
        return tuple(f"{f}{FAMILY}" for f, n in sorted(counts.items()) if n > 1)


def detail_text(raw: str) -> str:
    """The canonical JSON of an entry as a line a person reads: ``roles: admin, kabid``.

    A row changed by hand may not be JSON any more; it is then shown as it is (the chain check
    says it was changed).
    """
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(data, dict):
        return raw
    return "; ".join(
        f"{key}: {_value_text(value)}" for key, value in data.items() if value not in ("", None, [])
    )


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value_text(v)}" for k, v in value.items())
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return str(value)


def _escape(text: str) -> str:
    """``text`` for a LIKE pattern with ``\\`` as the escape character."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(text: str) -> str:
    return f"%{_escape(text)}%"


class AuditLogService:
    def __init__(self, services: Services) -> None:
        self._s = services

    def page(
        self, actor: Actor, query: AuditQuery, page: int = 0, page_size: int = PAGE_SIZE
    ) -> AuditPage:
        """One page of the entries matching ``query``, newest first.

        A page past the end (the log was filtered down meanwhile) gives the last page.
        """
        actor.require(ADMIN_ROLE, what="melihat log audit")
        page_size = max(1, page_size)
        with self._s.db.reading() as session:
            statement = self._filtered(
                select(AuditEntry, Case.reg_number).outerjoin(Case, Case.id == AuditEntry.case_id),
                query,
            )
            total = int(
                session.scalar(
                    self._filtered(select(func.count(AuditEntry.id)).select_from(AuditEntry), query)
                )
                or 0
            )
            pages = max(1, -(-total // page_size))
            page = min(max(0, page), pages - 1)
            result = session.execute(
                statement.order_by(AuditEntry.id.desc()).offset(page * page_size).limit(page_size)
            )
            rows = tuple(
                AuditRow(
                    id=entry.id,
                    at=entry.at,
                    username=entry.username,
                    action=entry.action,
                    case_id=entry.case_id,
                    case_reference=reg or (f"#{entry.case_id}" if entry.case_id else ""),
                    detail=detail_text(entry.detail),
                )
                for entry, reg in result
            )
        return AuditPage(rows, total, page, page_size)

    def choices(self, actor: Actor) -> AuditChoices:
        actor.require(ADMIN_ROLE, what="melihat log audit")
        with self._s.db.reading() as session:
            usernames = session.scalars(
                select(AuditEntry.username).distinct().order_by(AuditEntry.username)
            ).all()
            actions = session.scalars(
                select(AuditEntry.action).distinct().order_by(AuditEntry.action)
            ).all()
        return AuditChoices(tuple(usernames), tuple(actions))

    def anchors(self) -> list[Anchor]:
        """The copies of the head kept outside the database for this database: the manifests
        of its backups (the backups folder) and its daily closings."""
        from desktop_perizinan.db.backup_files import default_backup_dir
        from desktop_perizinan.db.errors import describe_url
        from desktop_perizinan.services.daily_closing import closings_of

        url = self._s.db.url
        found = backup_anchors(default_backup_dir(), describe_url(url))
        closings = closings_of(url)
        if closings.is_dir():
            found.extend(read_anchors(closings))
        return found

    def verify(self, actor: Actor) -> ChainReport:
        """Walk the whole hash chain, check every keyed MAC and every anchor outside the
        database (slow on a big log: call it off the GUI thread)."""
        actor.require(ADMIN_ROLE, what="memeriksa log audit")
        anchors = self.anchors()
        with self._s.db.reading() as session:
            return verify_chain(session, anchors=anchors)

    def export_key(self, actor: Actor, target: Path) -> str:
        """Copy this PC's office audit key to ``target`` (the administrator's safekeeping, or
        the next PC of the office); returns the key's id. Never logged, never audited in full:
        the audit entry records only the id and that it was exported."""
        from desktop_perizinan import audit_key
        from desktop_perizinan.services import audit

        actor.require(ADMIN_ROLE, what="mengekspor kunci audit kantor")
        keyring = audit_key.export_to(target)
        with self._s.db.transaction() as session:
            audit.append(
                session, actor, "audit.kunci_ekspor", at=self._s.now(), kunci=keyring.current
            )
        return keyring.current

    def close_day(self, actor: Actor) -> DailyClosing:
        """Penutupan harian (see ``services.daily_closing``)."""
        return DailyClosingService(self._s).close(actor)

    def closing_sheet(self, actor: Actor, closing: DailyClosing) -> bytes:
        """The closing's page to print, sign and file (PDF; admin only)."""
        return DailyClosingService(self._s).sheet(actor, closing)

    def _filtered(self, statement: Select[Any], query: AuditQuery) -> Select[Any]:
        if query.username:
            statement = statement.where(AuditEntry.username == query.username)
        if query.action:
            if query.action.endswith(FAMILY):
                prefix = query.action[: -len(FAMILY)]
                statement = statement.where(
                    AuditEntry.action.like(_escape(prefix) + ".%", escape="\\")
                )
            else:
                statement = statement.where(AuditEntry.action == query.action)
        case_text = query.case.strip()
        if case_text:
            matching = select(Case.id).where(
                or_(
                    Case.reg_number.ilike(_like(case_text), escape="\\"),
                    Case.permit_number.ilike(_like(case_text), escape="\\"),
                )
            )
            condition = AuditEntry.case_id.in_(matching)
            number = case_text.lstrip("#")
            if number.isdigit() and len(number) < 10:
                condition = or_(condition, AuditEntry.case_id == int(number))
            statement = statement.where(condition)
        if query.start is not None:
            statement = statement.where(AuditEntry.at >= datetime.combine(query.start, time()))
        if query.end is not None:
            end = datetime.combine(query.end + timedelta(days=1), time())
            statement = statement.where(AuditEntry.at < end)
        return statement
