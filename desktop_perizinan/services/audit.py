"""The audit log: append-only and hash-chained, so a changed or deleted row is detectable.

Each entry's hash covers its own content and the previous entry's hash. The chain head (one
row) is locked while appending, so entries from eight PCs at once still form one line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import AuditEntry, AuditHead
from desktop_perizinan.services.actor import Actor

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(
    prev_hash: str,
    entry_id: int,
    at: datetime,
    username: str,
    action: str,
    case_id: int | None,
    detail: str,
) -> str:
    payload = _canonical([entry_id, at.isoformat(), username, action, case_id, detail])
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def append(
    session: Session,
    actor: Actor,
    action: str,
    *,
    at: datetime,
    case_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Append one entry inside the caller's transaction."""
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    detail_text = _canonical(detail)
    entry_id = head.last_id + 1
    digest = entry_hash(head.last_hash, entry_id, at, actor.username, action, case_id, detail_text)
    entry = AuditEntry(
        id=entry_id,
        at=at,
        user_id=actor.id or None,
        username=actor.username,
        action=action,
        case_id=case_id,
        detail=detail_text,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(entry)
    head.last_id = entry_id
    head.last_hash = digest
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole chain; report changed rows, deleted rows and a cut tail."""
    problems: list[str] = []
    prev = GENESIS
    expected_id = 1
    count = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(2000):
        count += 1
        if entry.id != expected_id:
            problems.append(f"Entri {expected_id}–{entry.id - 1} hilang (terhapus).")
            prev = entry.prev_hash
        if entry.prev_hash != prev:
            problems.append(f"Entri {entry.id}: rantai terputus (hash sebelumnya tidak cocok).")
        digest = entry_hash(
            entry.prev_hash,
            entry.id,
            entry.at,
            entry.username,
            entry.action,
            entry.case_id,
            entry.detail,
        )
        if digest != entry.hash:
            problems.append(f"Entri {entry.id} ({entry.action}) telah diubah.")
        prev = entry.hash
        expected_id = entry.id + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id != expected_id - 1 or head.last_hash != prev):
        problems.append(
            f"Entri terakhir tercatat nomor {head.last_id}, tetapi log berakhir di "
            f"{expected_id - 1}: entri di akhir log terhapus atau diubah."
        )
    return ChainReport(count, tuple(problems))
