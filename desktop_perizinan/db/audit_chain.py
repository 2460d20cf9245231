"""The audit log's proofs: hashing schemes, keyed MACs, and the walk that judges a log.

Here rather than in ``services.audit`` because the backups (``db.backup_*``) verify the chain
of every copy they make, and ``db`` never imports ``services``. Appending lives in
``services.audit``.

Schemes
    1. The first release: ``sha256(prev_hash + json([id, at, username, action, case_id,
       detail]))``. ``user_id`` was not covered, nor was any key. Old entries keep it and still
       verify; the first append after migration 0003 adds a *seal* entry (``audit.segel``)
       whose detail holds a digest of every column of every scheme-1 row, so from then on even
       their ``user_id`` is fixed.
    2. Every column: ``sha256(prev_hash + json([2, id, at, user_id, username, action, case_id,
       detail, key_id]))``, plus ``mac = HMAC(office key, hash)`` (``audit_key``). The head row
       carries ``HMAC(key, "head|last_id|last_hash")``.

What the walk can tell apart (each problem names the first entry concerned):
row content changed (hash no longer matches), rows deleted from the middle (ids missing),
chain broken or rows swapped (prev_hash), a rewritten chain with recomputed hashes or a forged
entry (hash right, MAC wrong), a tail cut off (head or an anchor further than the log), the
head deleted or moved by hand (missing, MAC wrong), an emptied log on a database with cases.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import AuditEntry, AuditHead, Case

if TYPE_CHECKING:
    from desktop_perizinan.audit_key import Keyring
    from desktop_perizinan.db.audit_anchor import Anchor

GENESIS = "0" * 64
SCHEME_LEGACY = 1
SCHEME_KEYED = 2
CURRENT_SCHEME = SCHEME_KEYED
#: The entry that fixes every column of the scheme-1 entries before it.
SEAL_ACTION = "audit.segel"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def hash_v1(
    prev_hash: str,
    entry_id: int,
    at: datetime,
    username: str,
    action: str,
    case_id: int | None,
    detail: str,
) -> str:
    """Scheme 1 (the first release), kept so old logs still verify."""
    payload = canonical([entry_id, at.isoformat(), username, action, case_id, detail])
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def hash_v2(
    prev_hash: str,
    entry_id: int,
    at: datetime,
    user_id: int | None,
    username: str,
    action: str,
    case_id: int | None,
    detail: str,
    key_id: str | None,
) -> str:
    """Scheme 2: every column of the row (``mac`` is over this hash)."""
    payload = canonical(
        [SCHEME_KEYED, entry_id, at.isoformat(), user_id, username, action, case_id, detail, key_id]
    )
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def digest_of(entry: AuditEntry) -> str | None:
    """The hash the row's own columns give under its scheme (None: unknown scheme)."""
    scheme = entry.scheme or SCHEME_LEGACY
    if scheme == SCHEME_LEGACY:
        return hash_v1(
            entry.prev_hash,
            entry.id,
            entry.at,
            entry.username,
            entry.action,
            entry.case_id,
            entry.detail,
        )
    if scheme == SCHEME_KEYED:
        return hash_v2(
            entry.prev_hash,
            entry.id,
            entry.at,
            entry.user_id,
            entry.username,
            entry.action,
            entry.case_id,
            entry.detail,
            entry.key_id,
        )
    return None


def head_message(last_id: int, last_hash: str) -> str:
    return f"head|{last_id}|{last_hash}"


def legacy_row_text(entry: AuditEntry) -> str:
    """Every column of a scheme-1 row, for the seal's digest."""
    return (
        canonical(
            [
                entry.id,
                entry.at.isoformat(),
                entry.user_id,
                entry.username,
                entry.action,
                entry.case_id,
                entry.detail,
                entry.prev_hash,
                entry.hash,
            ]
        )
        + "\n"
    )


def legacy_seal(session: Session) -> dict[str, Any]:
    """The detail of the seal entry: how many scheme-1 rows there are and their digest."""
    digest = hashlib.sha256()
    count = 0
    rows = select(AuditEntry).where(AuditEntry.scheme == SCHEME_LEGACY).order_by(AuditEntry.id)
    for entry in session.scalars(rows).yield_per(2000):
        digest.update(legacy_row_text(entry).encode())
        count += 1
    return {"entri_skema1": count, "sidik": digest.hexdigest()}


# ============================================================================ the report


@dataclass(frozen=True)
class Finding:
    """One thing wrong, with the first entry it concerns (None: the log as a whole)."""

    entry_id: int | None
    kind: str  # a short Indonesian name of the kind of tampering
    text: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    problems: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    last_id: int = 0
    last_hash: str = GENESIS
    legacy_entries: int = 0
    anchors_checked: tuple[Anchor, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Finding | None:
        """The first bad entry (the lowest id), else the first problem of the whole log."""
        numbered = [f for f in self.findings if f.entry_id is not None]
        if numbered:
            return min(numbered, key=lambda f: f.entry_id or 0)
        return self.findings[0] if self.findings else None

    @property
    def latest_anchor(self) -> Anchor | None:
        """The verified anchor furthest along the log."""
        if not self.anchors_checked:
            return None
        return max(self.anchors_checked, key=lambda a: (a.last_id, a.at))

    def summary(self) -> str:
        """One sentence: intact, or the first bad entry and what it looks like."""
        if self.ok:
            keyed = self.entries - self.legacy_entries
            old = f", {self.legacy_entries} entri lama skema 1" if self.legacy_entries else ""
            anchored = (
                f"; cocok dengan {len(self.anchors_checked)} jangkar di luar basis data"
                if self.anchors_checked
                else ""
            )
            return (
                f"Log audit utuh: {self.entries} entri ({keyed} bertanda kunci kantor{old}), "
                f"rantai hash cocok{anchored}."
            )
        first = self.first
        assert first is not None
        return f"Log audit RUSAK ({len(self.problems)} masalah); yang pertama: {first.text}"


class _Walk:
    """State of one pass over the log."""

    def __init__(self, keyring: Keyring | None, anchor_ids: set[int]) -> None:
        self.keyring = keyring
        self.anchor_ids = anchor_ids
        self.hash_at: dict[int, str] = {}
        self.findings: list[Finding] = []
        self.bad_macs: list[AuditEntry] = []
        self.unknown_keys: dict[str | None, list[int]] = {}
        self.legacy = hashlib.sha256()
        self.legacy_count = 0
        self.keyed_seen = False
        self.count = 0
        self.last: AuditEntry | None = None

    def add(self, entry_id: int | None, kind: str, text: str) -> None:
        self.findings.append(Finding(entry_id, kind, text))

    def entry(self, entry: AuditEntry, prev: str, expected: int) -> str:
        self.count += 1
        if entry.id != expected:
            gap = f"{expected}" if entry.id - 1 == expected else f"{expected}–{entry.id - 1}"
            self.add(expected, "entri dihapus", f"Entri {gap} hilang: terhapus dari tengah log.")
            prev = entry.prev_hash
        if entry.prev_hash != prev:
            self.add(
                entry.id,
                "rantai terputus",
                f"Entri {entry.id}: rantai terputus (hash entri sebelumnya tidak cocok): entri "
                "sebelumnya diubah, dihapus atau urutannya ditukar.",
            )
        scheme = entry.scheme or SCHEME_LEGACY
        digest = digest_of(entry)
        if digest is None:
            self.add(
                entry.id, "skema tidak dikenal", f"Entri {entry.id}: skema {scheme} tidak dikenal."
            )
        elif digest != entry.hash:
            self.add(
                entry.id,
                "isi diubah",
                f"Entri {entry.id} ({entry.action}, {entry.at:%d-%m-%Y %H:%M}) telah diubah: "
                "isinya (waktu, pengguna, tindakan, permohonan atau rincian) tidak cocok lagi "
                "dengan hashnya.",
            )
        elif scheme == SCHEME_KEYED:
            self._mac(entry)
        if scheme == SCHEME_LEGACY:
            if self.keyed_seen:
                self.add(
                    entry.id,
                    "entri disisipkan",
                    f"Entri {entry.id} memakai skema lama tanpa kunci sesudah entri bertanda "
                    "kunci: entri itu disisipkan atau dipalsukan.",
                )
            self.legacy.update(legacy_row_text(entry).encode())
            self.legacy_count += 1
        else:
            self.keyed_seen = True
        if entry.action == SEAL_ACTION and digest == entry.hash:
            self._seal(entry)
        if entry.id in self.anchor_ids:
            self.hash_at[entry.id] = entry.hash
        self.last = entry
        return entry.hash

    def _mac(self, entry: AuditEntry) -> None:
        keyring = self.keyring
        if keyring is None or not keyring.has(entry.key_id):
            self.unknown_keys.setdefault(entry.key_id, []).append(entry.id)
            return
        expected = keyring.mac(str(entry.key_id), entry.hash) or ""
        if not hmac.compare_digest(expected, entry.mac or ""):
            self.bad_macs.append(entry)

    def _seal(self, entry: AuditEntry) -> None:
        try:
            detail = json.loads(entry.detail)
        except ValueError:
            detail = {}
        if (
            not isinstance(detail, dict)
            or detail.get("entri_skema1") != self.legacy_count
            or detail.get("sidik") != self.legacy.hexdigest()
        ):
            self.add(
                entry.id,
                "entri lama diubah",
                f"Entri lama (skema 1) sebelum segel di entri {entry.id} diubah atau dihapus "
                "sesudah disegel (misalnya user_id, yang tidak tercakup hash lama).",
            )

    def mac_findings(self, last_id: int) -> None:
        if self.bad_macs:
            first = self.bad_macs[0]
            n = len(self.bad_macs)
            tail = self.bad_macs[-1].id == last_id and n == last_id - first.id + 1
            if tail and n == 1:
                text = (
                    f"Entri {first.id} ({first.action}) tidak bertanda kunci kantor yang sah: "
                    "entri palsu ditambahkan di akhir log (hash dan kepala log dihitung ulang "
                    "tanpa kunci)."
                )
                kind = "entri palsu ditambahkan"
            elif tail:
                text = (
                    f"Mulai entri {first.id} ({first.action}) tanda kunci kantor tidak cocok pada "
                    f"{n} entri sampai akhir log: log ditulis ulang dan rantai hashnya dihitung "
                    "ulang tanpa kunci kantor."
                )
                kind = "rantai dihitung ulang"
            else:
                text = (
                    f"Entri {first.id} ({first.action}) tidak bertanda kunci kantor yang sah "
                    f"({n} entri): diubah lalu hashnya dihitung ulang tanpa kunci kantor."
                )
                kind = "entri dipalsukan"
            self.add(first.id, kind, text)
        for key_id, ids in self.unknown_keys.items():
            name = f"kunci audit {key_id}" if key_id else "kunci audit (tanpa nama)"
            more = f" dan {len(ids) - 1} entri lain" if len(ids) > 1 else ""
            self.add(
                ids[0],
                "kunci tidak dikenal",
                f"Entri {ids[0]}{more} ditandai dengan {name} yang tidak ada di PC ini: keasliannya "
                "tidak dapat dipastikan. Impor kunci audit kantor (perizinan audit kunci impor) "
                "lalu periksa lagi.",
            )


#: Default of :func:`verify_chain`: this PC's keyring (read, never created, by verifying).
THIS_PC: Any = object()


def verify_chain(
    session: Session,
    keyring: Keyring | None = THIS_PC,
    anchors: Iterable[Anchor] = (),
    *,
    case_count: int | None = None,
) -> ChainReport:
    """Walk the whole log; judge the rows, the keyed MACs, the head and the ``anchors``.

    ``keyring`` None checks no MAC (every keyed entry is then reported as unverifiable).
    ``case_count`` stands in for counting the cases when the session holds only the audit
    tables (the scratch copy of a PostgreSQL dump).
    """
    if keyring is THIS_PC:
        from desktop_perizinan import audit_key

        keyring = audit_key.load()
    anchors = tuple(anchors)
    walk = _Walk(keyring, {a.last_id for a in anchors})
    prev, expected = GENESIS, 1
    for entry in _entries(session):
        prev = walk.entry(entry, prev, expected)
        expected = entry.id + 1
    last = walk.last
    last_id = last.id if last else 0
    walk.mac_findings(last_id)
    _check_head(session, walk, keyring, case_count)
    checked = _check_anchors(walk, anchors, last_id)
    findings = sorted(walk.findings, key=lambda f: (f.entry_id is None, f.entry_id or 0))
    return ChainReport(
        entries=walk.count,
        problems=tuple(f.text for f in findings),
        findings=tuple(findings),
        last_id=last_id,
        last_hash=last.hash if last else GENESIS,
        legacy_entries=walk.legacy_count,
        anchors_checked=checked,
    )


_KEYED_COLUMNS = ("scheme", "key_id", "mac")


def _columns(session: Session, table: str) -> set[str]:
    """The columns ``table`` really has: a database (or a backup) from before migration 0003
    has no keyed columns and is read as scheme 1 throughout."""
    from sqlalchemy import inspect

    from desktop_perizinan.errors import DatabaseError

    inspector = inspect(session.connection())
    if not inspector.has_table(table):
        raise DatabaseError(
            f"Basis data ini bukan basis data Perizinan atau tidak lengkap: tabel {table} tidak ada."
        )
    return {column["name"] for column in inspector.get_columns(table)}


def _entries(session: Session) -> Iterable[Any]:
    table = AuditEntry.__table__
    present = _columns(session, "audit_log")
    columns = [c for c in table.c if c.name in present]
    rows = session.execute(select(*columns).order_by(table.c.id).execution_options(yield_per=2000))
    missing = {name: None for name in _KEYED_COLUMNS if name not in present}
    if "scheme" in missing:
        missing["scheme"] = SCHEME_LEGACY
    for row in rows:
        yield SimpleNamespace(**row._mapping, **missing)


def _head(session: Session) -> Any:
    table = AuditHead.__table__
    present = _columns(session, "audit_head")
    columns = [c for c in table.c if c.name in present]
    row = session.execute(select(*columns).where(table.c.id == 1)).first()
    if row is None:
        return None
    return SimpleNamespace(**row._mapping, **({} if "mac" in present else {"mac": None}))


def _check_head(
    session: Session, walk: _Walk, keyring: Keyring | None, case_count: int | None
) -> None:
    head = _head(session)
    last = walk.last
    if last is None:
        cases = (
            case_count
            if case_count is not None
            else int(session.scalar(select(func.count(Case.id))) or 0)
        )
        if cases:
            walk.add(
                None,
                "log dikosongkan",
                f"Log audit kosong padahal basis data berisi {cases} permohonan: seluruh entri "
                "audit (dan kepalanya) dihapus.",
            )
        if head is not None and head.last_id:
            walk.add(
                None,
                "log dikosongkan",
                f"Kepala log audit mencatat entri {head.last_id}, tetapi log kosong: semua "
                "entri dihapus.",
            )
        return
    if head is None:
        walk.add(
            None,
            "kepala dihapus",
            f"Kepala log audit (tabel audit_head) hilang padahal log berisi {walk.count} entri: "
            "ujung log tidak dapat dipastikan, entri di akhir mungkin terhapus.",
        )
        return
    if head.last_id > last.id:
        walk.add(
            last.id + 1,
            "ujung log terhapus",
            f"Kepala log audit mencatat entri {head.last_id}, tetapi log berakhir di entri "
            f"{last.id}: entri {last.id + 1}–{head.last_id} di akhir log terhapus.",
        )
    elif head.last_id != last.id or head.last_hash != last.hash:
        walk.add(
            min(head.last_id, last.id) or None,
            "kepala tidak cocok",
            f"Kepala log audit (entri {head.last_id}) tidak cocok dengan entri terakhir "
            f"({last.id}): entri terakhir diubah atau ditambahkan tanpa melalui aplikasi.",
        )
    if head.mac is None:
        if (last.scheme or SCHEME_LEGACY) == SCHEME_KEYED:
            walk.add(
                None,
                "kepala dibuat ulang",
                "Kepala log audit tidak bertanda kunci kantor padahal entrinya bertanda: kepala "
                "dibuat ulang atau diubah tanpa kunci.",
            )
        return
    if (last.scheme or SCHEME_LEGACY) != SCHEME_KEYED:
        walk.add(
            last.id,
            "entri disisipkan",
            f"Entri terakhir ({last.id}) tanpa kunci padahal kepala log bertanda kunci: entri "
            "diturunkan ke skema lama atau dipalsukan.",
        )
        return
    if keyring is None or not keyring.has(last.key_id):
        return  # already reported as an unknown key
    expected = keyring.mac(str(last.key_id), head_message(head.last_id, head.last_hash)) or ""
    if not hmac.compare_digest(expected, head.mac):
        walk.add(
            None,
            "kepala diubah",
            f"Kepala log audit (entri {head.last_id}) diubah tanpa kunci kantor: misalnya "
            "disesuaikan setelah entri terakhir dihapus, atau setelah entri palsu ditambahkan.",
        )


def _check_anchors(walk: _Walk, anchors: tuple[Anchor, ...], last_id: int) -> tuple[Anchor, ...]:
    checked = []
    for anchor in anchors:
        where = f"jangkar {anchor.source} ({anchor.when_text})"
        if anchor.last_id > last_id:
            walk.add(
                last_id + 1,
                "log dipotong",
                f"Log berakhir di entri {last_id}, padahal {where} mencatat entri "
                f"{anchor.last_id}: entri {last_id + 1}–{anchor.last_id} di akhir log terhapus.",
            )
        elif anchor.last_id == 0:
            checked.append(anchor)
        elif anchor.last_id not in walk.hash_at:
            walk.add(
                anchor.last_id,
                "entri dihapus",
                f"Entri {anchor.last_id} yang dicatat {where} tidak ada lagi di log.",
            )
        elif walk.hash_at[anchor.last_id] != anchor.last_hash:
            walk.add(
                anchor.last_id,
                "log ditulis ulang",
                f"Entri {anchor.last_id} tidak sama dengan {where}: log ditulis ulang pada atau "
                f"sebelum entri {anchor.last_id}.",
            )
        else:
            checked.append(anchor)
    return tuple(checked)
