"""Penutupan harian: at the end of the day the head of the audit log is copied out of the
database, as one line a person can print, sign and file, and as a small file per day.

The line carries the anchor (``JANGKAR-AUDIT v1 entri=N hash=H waktu=T``): weeks later,
``perizinan audit verify --anchor penutupan-20261206.txt`` (or the folder of closings) proves
that the first N entries are still the ones that existed that evening — whoever rewrote or cut
the log since would need the paper too. The closing itself is an audit entry, so the log also
records who closed which day.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from desktop_perizinan.db.audit_anchor import Anchor, current_anchor, database_key
from desktop_perizinan.db.models import AuditEntry
from desktop_perizinan.errors import UserError
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, SYSTEM, Actor

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

ENV_CLOSING_DIR = "PERIZINAN_CLOSING_DIR"
ACTION = "audit.penutupan_harian"


@dataclass(frozen=True)
class DailyClosing:
    day: date
    anchor: Anchor
    entries_today: int
    line: str
    path: Path
    closed_at: datetime | None = None
    closed_by: str = ""


def closing_dir() -> Path:
    """``PERIZINAN_CLOSING_DIR``, else ``penutupan`` in this PC's data folder."""
    override = os.environ.get(ENV_CLOSING_DIR)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("perizinan", "DPMPTSP")) / "penutupan"


def closings_of(url: str) -> Path:
    """The folder of one database's closings (see ``db.audit_anchor.database_key``)."""
    return closing_dir() / database_key(url)


def closing_line(day: date, who: str, entries_today: int, anchor: Anchor) -> str:
    return (
        f"Penutupan harian {day:%d-%m-%Y} oleh {who}: {entries_today} entri audit hari ini. "
        f"{anchor.line()}"
    )


class DailyClosingService:
    def __init__(self, services: Services) -> None:
        self._s = services

    def close(self, actor: Actor, directory: Path | None = None) -> DailyClosing:
        """Record the closing of today: an audit entry, then the anchor line in a file."""
        actor.require(ADMIN_ROLE, what="melakukan penutupan harian")
        now = self._s.now()
        day = now.date()
        start = datetime.combine(day, time())
        with self._s.db.transaction() as session:
            today = int(
                session.scalar(
                    select(func.count(AuditEntry.id)).where(
                        AuditEntry.at >= start, AuditEntry.at < start + timedelta(days=1)
                    )
                )
                or 0
            )
            audit.append(session, actor, ACTION, at=now, tanggal=day.isoformat(), entri=today)
            anchor = current_anchor(session, now)
        who = actor.full_name or actor.username
        line = closing_line(day, who, today, anchor)
        folder = directory or closings_of(self._s.db.url)
        path = folder / f"penutupan-{day:%Y%m%d}.txt"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise UserError(
                f"Penutupan harian tercatat di log audit, tetapi barisnya tidak dapat disimpan "
                f"di {folder}: {exc.strerror or exc}. Catat baris ini di buku: {line}"
            ) from exc
        return DailyClosing(day, anchor, today, line, path, now, who)

    def sheet(self, actor: Actor, closing: DailyClosing) -> bytes:
        """The closing as a page to print, sign and file away from the PC (PDF)."""
        from desktop_perizinan.db.errors import describe_url
        from desktop_perizinan.documents.closing_sheet import (
            ClosingSheetContext,
            render_closing_sheet,
        )

        actor.require(ADMIN_ROLE, what="mencetak penutupan harian")
        context = ClosingSheetContext(
            office=self._s.settings.office_profile(),
            day=closing.day,
            closed_at=closing.closed_at or self._s.now(),
            closed_by=closing.closed_by or actor.full_name or actor.username,
            entries_today=closing.entries_today,
            last_id=closing.anchor.last_id,
            last_hash=closing.anchor.last_hash,
            anchor_line=closing.anchor.line(),
            database=describe_url(self._s.db.url),
            file=str(closing.path),
        )
        return render_closing_sheet(context)


def close_day_as(
    services: Services, directory: Path | None = None, *, actor: Actor = SYSTEM
) -> DailyClosing:
    """The command line's closing (``perizinan audit tutup-hari``), by the system actor
    unless a user logged in (``--pengguna``)."""
    return DailyClosingService(services).close(actor, directory)


def closing_sheet_as(services: Services, closing: DailyClosing, *, actor: Actor = SYSTEM) -> bytes:
    """The command line's page of a closing (``perizinan audit tutup-hari --pdf FILE``)."""
    return DailyClosingService(services).sheet(actor, closing)
