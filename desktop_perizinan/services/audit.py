"""The audit log: append-only, hash-chained and keyed, so a changed, deleted or forged row is
detectable even by someone who could write to the database.

Each entry's hash covers every column and the previous entry's hash (scheme 2, see
``db.audit_chain``); its HMAC is made with the office key of this PC (``audit_key``), which is
never in the database. The chain head (one row) is locked while appending, so entries from
eight PCs at once still form one line, and carries its own HMAC so it cannot be moved back
after the tail is deleted. Triggers (SQLite, PostgreSQL) and, on PostgreSQL, the application
role's INSERT/SELECT-only rights refuse UPDATE and DELETE (migration 0003, ``db.roles``).

Appending costs one locked row read, two SHA-256 and two HMAC over a few hundred bytes, and two
row writes; ``bench/bench_audit.py`` measures it beside a plain insert.

Keep personal data out of ``detail``: audit rows are never updated, so what goes in stays
(the PDP erasure of issue 13 cannot reach it). Refer to an applicant by id; a NIK only masked.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan import audit_key
from desktop_perizinan.db.audit_chain import (
    CURRENT_SCHEME,
    GENESIS,
    SEAL_ACTION,
    ChainReport,
    Finding,
    canonical,
    hash_v1,
    hash_v2,
    head_message,
    legacy_seal,
    verify_chain,
)
from desktop_perizinan.db.models import AuditEntry, AuditHead
from desktop_perizinan.services.actor import Actor

if TYPE_CHECKING:
    from desktop_perizinan.audit_key import Keyring

__all__ = [
    "CURRENT_SCHEME",
    "GENESIS",
    "ChainReport",
    "Finding",
    "append",
    "entry_hash",
    "keyring_for",
    "verify_chain",
]

#: ``session.info`` key through which a caller may hand its own keyring to :func:`append`
#: (tests, a tool signing for another PC); otherwise this PC's keyring is used.
KEYRING_INFO = "audit_keyring"

#: Scheme 1, under its old name (callers and old tests computed hashes with it).
entry_hash = hash_v1
_canonical = canonical
#: Who wrote the entries the application makes by itself (the seal of an old log).
SYSTEM_USER = "sistem"


def keyring_for(session: Session | None = None) -> Keyring:
    """The keyring that signs: one handed in through ``session.info``, else this PC's (made
    on first use; see ``audit_key`` for where it lives and why)."""
    if session is not None:
        given = session.info.get(KEYRING_INFO)
        if given is not None:
            return given  # type: ignore[no-any-return]
    return audit_key.load_or_create()


def append(
    session: Session,
    actor: Actor,
    action: str,
    *,
    at: datetime,
    case_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Append one entry inside the caller's transaction (signature unchanged since release 1)."""
    keyring = keyring_for(session)
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    elif head.mac is None and head.last_id > 0:
        # A log of the first release: fix every column of its entries with a keyed seal.
        _write(
            session, head, keyring, None, SYSTEM_USER, SEAL_ACTION, at, None, legacy_seal(session)
        )
    return _write(
        session, head, keyring, actor.id or None, actor.username, action, at, case_id, detail
    )


def _write(
    session: Session,
    head: AuditHead,
    keyring: Keyring,
    user_id: int | None,
    username: str,
    action: str,
    at: datetime,
    case_id: int | None,
    detail: dict[str, Any],
) -> AuditEntry:
    detail_text = canonical(detail)
    entry_id = head.last_id + 1
    key_id = keyring.current
    digest = hash_v2(
        head.last_hash, entry_id, at, user_id, username, action, case_id, detail_text, key_id
    )
    entry = AuditEntry(
        id=entry_id,
        at=at,
        user_id=user_id,
        username=username,
        action=action,
        case_id=case_id,
        detail=detail_text,
        prev_hash=head.last_hash,
        hash=digest,
        scheme=CURRENT_SCHEME,
        key_id=key_id,
        mac=keyring.mac(key_id, digest),
    )
    session.add(entry)
    # The entry goes first: the head's trigger checks that the row it points to exists.
    session.flush()
    head.last_id = entry_id
    head.last_hash = digest
    head.mac = keyring.mac(key_id, head_message(entry_id, digest))
    session.flush()
    return entry


def verify(session: Session, anchors: Any = ()) -> ChainReport:
    """Verify with this PC's keyring (without creating one: verifying writes nothing)."""
    return verify_chain(session, anchors=anchors)
