"""The audit log: append-only, hash-chained and keyed, so a changed, deleted or forged row is
detectable even by someone who could write to the database.

Each entry's hash covers every column and the previous entry's hash (scheme 2, see
``db.audit_chain``); its HMAC is made with the office key of this PC (``audit_key``), which is
never in the database. The chain head (one row) is locked while appending, so entries from
eight PCs at once still form one line, and carries its own HMAC so it cannot be moved back
after the tail is deleted. Triggers (SQLite, PostgreSQL) and, on PostgreSQL, the application
role's INSERT/SELECT-only rights refuse UPDATE and DELETE (migration 0003, ``db.roles``).

Appending costs one locked row read, one SHA-256 and two HMAC over a few hundred bytes, and two
row writes; ``bench/bench_audit.py`` measures it beside a plain insert.

Keep personal data out of ``detail``: audit rows are never updated, so what goes in stays
(the PDP erasure of issue 13 cannot reach it). Refer to an applicant by id; a NIK only masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, insert, select, update
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
    "append_many",
    "entry_hash",
    "keyring_for",
    "verify_chain",
]

#: ``session.info`` key through which a caller may hand its own keyring to :func:`append`
#: (tests, a tool signing for another PC); otherwise this PC's keyring is used.
KEYRING_INFO = "audit_keyring"

#: ``session.info`` key: (transaction, last id, last hash) of the head this transaction holds
#: locked, so that its next entry need not lock and read the head again.
HEAD_INFO = "audit_head_held"

#: Scheme 1, under its old name (callers and old tests computed hashes with it).
entry_hash = hash_v1
_canonical = canonical
_ENTRY = AuditEntry.__table__
_HEAD = AuditHead.__table__

#: Who wrote the entries the application makes by itself (the seal of an old log).
SYSTEM_USER = "sistem"

# Built once, so every append reuses them and their compiled form (issue 14).
_LOCK_HEAD = (
    select(_HEAD.c.last_id, _HEAD.c.last_hash, _HEAD.c.mac).where(_HEAD.c.id == 1).with_for_update()
)
_INSERT_ENTRY = insert(_ENTRY)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(
        last_id=bindparam("new_last_id"),
        last_hash=bindparam("new_last_hash"),
        mac=bindparam("new_mac"),
    )
)


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
    """Append one entry inside the caller's transaction (signature unchanged since release 1).

    Written with Core statements on the session's connection, not through the unit of work:
    three statements per entry, no identity-map bookkeeping (``bench/bench_audit.py``). The
    returned entry is a plain, detached record of what was written.
    """
    return append_many(session, actor, [(action, case_id, detail)], at=at)[0]


def append_many(
    session: Session,
    actor: Actor,
    entries: Sequence[tuple[str, int | None, dict[str, Any]]],
    *,
    at: datetime,
) -> list[AuditEntry]:
    """Append several entries (action, case id, detail) of one use case, in this order.

    One INSERT for all the entries, then the head moved entry by entry (its trigger allows
    one step per update). The head is locked and read once per transaction: a later append
    in the same transaction (outside a savepoint) continues from what this one wrote.
    Each entry is chained and keyed exactly as :func:`append` would have written it.
    """
    keyring = keyring_for(session)
    connection = session.connection()
    transaction = connection.get_transaction()
    nested = connection.in_nested_transaction()
    known = session.info.get(HEAD_INFO)
    rows: list[dict[str, Any]] = []
    if known is not None and known[0] is transaction and not nested:
        # This transaction locked the head with an earlier entry and has moved it since;
        # nobody else can have (issue 14: intake locked and read it once per entry).
        last_id, last_hash = known[1], known[2]
    else:
        last_id, last_hash, seal = _lock_head(session, connection, keyring, at)
        rows.extend(seal)
    for action, case_id, detail in entries:
        row = _entry(
            keyring,
            last_id,
            last_hash,
            actor.id or None,
            actor.username,
            action,
            at,
            case_id,
            detail,
        )
        rows.append(row)
        last_id, last_hash = row["id"], row["hash"]
    if not rows:
        return []
    # The entries go first: the head's trigger checks that the row it points to exists. It
    # also lets the head move one entry per update only: one row of the executemany each.
    connection.execute(_INSERT_ENTRY, rows)
    connection.execute(
        _MOVE_HEAD,
        [
            {
                "new_last_id": row["id"],
                "new_last_hash": row["hash"],
                "new_mac": keyring.mac(row["key_id"], head_message(row["id"], row["hash"])),
            }
            for row in rows
        ],
    )
    if nested:  # a savepoint may still be rolled back: read the head again next time
        session.info.pop(HEAD_INFO, None)
    else:
        session.info[HEAD_INFO] = (transaction, last_id, last_hash)
    written = [AuditEntry(**row) for row in rows]
    return written[len(written) - len(entries) :]


def _lock_head(
    session: Session, connection: Connection, keyring: Keyring, at: datetime
) -> tuple[int, str, list[dict[str, Any]]]:
    """Lock the head row (made on first use): its last id and hash, and the keyed seal of a
    first-release log when it needs one (then the seal is the entry to chain after)."""
    head = connection.execute(_LOCK_HEAD).first()
    if head is None:
        connection.execute(insert(_HEAD).values(id=1, last_id=0, last_hash=GENESIS))
        return 0, GENESIS, []
    if head.mac is None and head.last_id > 0:
        # A log of the first release: fix every column of its entries with a keyed seal.
        seal = _entry(
            keyring,
            head.last_id,
            head.last_hash,
            None,
            SYSTEM_USER,
            SEAL_ACTION,
            at,
            None,
            legacy_seal(session),
        )
        return seal["id"], seal["hash"], [seal]
    return head.last_id, head.last_hash, []


def _entry(
    keyring: Keyring,
    last_id: int,
    last_hash: str,
    user_id: int | None,
    username: str,
    action: str,
    at: datetime,
    case_id: int | None,
    detail: dict[str, Any],
) -> dict[str, Any]:
    """The columns of the entry that follows (last_id, last_hash), hashed and keyed."""
    detail_text = canonical(detail)
    entry_id = last_id + 1
    key_id = keyring.current
    digest = hash_v2(
        last_hash, entry_id, at, user_id, username, action, case_id, detail_text, key_id
    )
    return {
        "id": entry_id,
        "at": at,
        "user_id": user_id,
        "username": username,
        "action": action,
        "case_id": case_id,
        "detail": detail_text,
        "prev_hash": last_hash,
        "hash": digest,
        "scheme": CURRENT_SCHEME,
        "key_id": key_id,
        "mac": keyring.mac(key_id, digest),
    }


def verify(session: Session, anchors: Any = ()) -> ChainReport:
    """Verify with this PC's keyring (without creating one: verifying writes nothing)."""
    return verify_chain(session, anchors=anchors)
