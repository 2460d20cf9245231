"""Issue 16: tampered copies of a database, each given to ``perizinan audit verify``.

Each test builds one tampering from the issue's table (and the ones the first release already
caught) on SQLite and PostgreSQL, as the attacker would: drop the guard triggers first (the
owner of the file or of the tables can), then change rows with plain SQL. The verdict must
fail with a sentence that says what was found; an honest database verifies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, create_engine, select, text

from desktop_perizinan.audit_key import load_or_create
from desktop_perizinan.cli import main
from desktop_perizinan.db import audit_guard
from desktop_perizinan.db.audit_chain import hash_v2, head_message
from desktop_perizinan.db.models import AuditEntry
from desktop_perizinan.services.demo import DEMO_APPLICANTS

DAIRI = "DAIRI-LKS-ASING"


@pytest.fixture
def honest(services, driver, db_url) -> str:
    """A database with two cases and a few dozen audit entries."""
    for applicant in DEMO_APPLICANTS[:2]:
        driver.submit(DAIRI, applicant)
    return db_url


def verify(url: str, capsys, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["audit", "verify", "--db", url, *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def tamper(url: str, change: Callable[[Connection], None]) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            audit_guard.remove(connection)
            change(connection)
    finally:
        engine.dispose()


def rows(connection: Connection) -> list[dict]:
    table = AuditEntry.__table__  # typed columns: datetimes come back as datetimes
    result = connection.execute(select(table).order_by(table.c.id))
    return [dict(r._mapping) for r in result]


def last_id(connection: Connection) -> int:
    return int(connection.execute(text("SELECT max(id) FROM audit_log")).scalar_one())


def set_head(connection: Connection, entry_id: int, digest: str) -> None:
    connection.execute(
        text("UPDATE audit_head SET last_id = :i, last_hash = :h"), {"i": entry_id, "h": digest}
    )


def rehash(row: dict, prev: str) -> str:
    return hash_v2(
        prev,
        row["id"],
        row["at"],
        row["user_id"],
        row["username"],
        row["action"],
        row["case_id"],
        row["detail"],
        row["key_id"],
    )


def user_id_changed(c: Connection) -> None:
    c.execute(text("UPDATE audit_log SET user_id = 999 WHERE id = 3"))


def head_deleted(c: Connection) -> None:
    c.execute(text("DELETE FROM audit_head"))


def last_deleted_head_adjusted(c: Connection) -> None:
    n = last_id(c)
    c.execute(text("DELETE FROM audit_log WHERE id = :n"), {"n": n})
    prev = c.execute(text("SELECT hash FROM audit_log WHERE id = :n"), {"n": n - 1}).scalar_one()
    set_head(c, n - 1, prev)


def forged_appended(c: Connection) -> None:
    last = rows(c)[-1]
    forged = dict(
        last,
        id=last["id"] + 1,
        at=last["at"] + timedelta(minutes=5),
        action="permohonan.tarik",
        detail='{"alasan":"palsu"}',
        prev_hash=last["hash"],
    )
    forged["hash"] = rehash(forged, last["hash"])
    forged["mac"] = "0" * 64  # the forger has no key; copying another MAC fails the same way
    c.execute(
        text(
            "INSERT INTO audit_log (id, at, user_id, username, action, case_id, detail, "
            "prev_hash, hash, scheme, key_id, mac) VALUES (:id, :at, :user_id, :username, "
            ":action, :case_id, :detail, :prev_hash, :hash, :scheme, :key_id, :mac)"
        ),
        forged,
    )
    set_head(c, forged["id"], forged["hash"])


def chain_recomputed(c: Connection) -> None:
    prev = "0" * 64
    for row in rows(c):
        if row["id"] == 1:
            row["detail"] = '{"catatan":"diubah"}'
        digest = rehash(row, prev)
        c.execute(
            text("UPDATE audit_log SET detail = :d, prev_hash = :p, hash = :h WHERE id = :i"),
            {"d": row["detail"], "p": prev, "h": digest, "i": row["id"]},
        )
        prev = digest
    set_head(c, row["id"], prev)


def everything_deleted(c: Connection) -> None:
    c.execute(text("DELETE FROM audit_log"))
    c.execute(text("DELETE FROM audit_head"))


def detail_changed(c: Connection) -> None:
    c.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = 4"))


def action_changed(c: Connection) -> None:
    c.execute(text("UPDATE audit_log SET action = 'pengguna.masuk' WHERE id = 4"))


def time_changed(c: Connection) -> None:
    c.execute(text("UPDATE audit_log SET at = :t WHERE id = 4"), {"t": datetime(2020, 1, 1)})


def case_changed(c: Connection) -> None:
    c.execute(text("UPDATE audit_log SET case_id = 2 WHERE case_id = 1"))


def middle_deleted(c: Connection) -> None:
    c.execute(text("DELETE FROM audit_log WHERE id = 5"))


def last_deleted(c: Connection) -> None:
    c.execute(text("DELETE FROM audit_log WHERE id = :n"), {"n": last_id(c)})


def swapped(c: Connection) -> None:
    c.execute(text("UPDATE audit_log SET id = -1 WHERE id = 4"))
    c.execute(text("UPDATE audit_log SET id = 4 WHERE id = 5"))
    c.execute(text("UPDATE audit_log SET id = 5 WHERE id = -1"))


def head_mac_removed(c: Connection) -> None:
    c.execute(text("UPDATE audit_head SET mac = NULL"))


CASES = [
    (user_id_changed, "Entri 3", "telah diubah"),
    (head_deleted, "Kepala log audit", "hilang"),
    (last_deleted_head_adjusted, "Kepala log audit", "diubah tanpa kunci kantor"),
    (forged_appended, "tidak bertanda kunci kantor", "entri palsu ditambahkan"),
    (chain_recomputed, "Mulai entri 1", "dihitung ulang tanpa kunci"),
    (everything_deleted, "Log audit kosong", "2 permohonan"),
    (detail_changed, "Entri 4", "telah diubah"),
    (action_changed, "Entri 4", "telah diubah"),
    (time_changed, "Entri 4", "telah diubah"),
    (case_changed, "telah diubah", "tidak cocok lagi"),
    (middle_deleted, "Entri 5", "hilang"),
    (last_deleted, "di akhir log terhapus", "Kepala log audit"),
    (swapped, "rantai terputus", "ditukar"),
    (head_mac_removed, "Kepala log audit tidak bertanda", "dibuat ulang"),
]


def test_an_honest_database_verifies(honest, capsys):
    code, out = verify(honest, capsys)
    assert code == 0, out
    assert "Log audit utuh" in out and "bertanda kunci kantor" in out


@pytest.mark.parametrize(("change", "first", "second"), CASES, ids=[c[0].__name__ for c in CASES])
def test_each_tampering_fails_with_a_sentence(honest, capsys, change, first, second):
    tamper(honest, change)
    code, out = verify(honest, capsys)
    assert code == 1, out
    assert "Log audit RUSAK" in out and "yang pertama:" in out
    assert first in out and second in out, out


def test_the_database_refuses_to_rewrite_the_log(honest):
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(honest)
    try:
        for statement in (
            "UPDATE audit_log SET detail = '{}' WHERE id = 2",
            "DELETE FROM audit_log WHERE id = 2",
            "DELETE FROM audit_head",
            "UPDATE audit_head SET last_id = last_id - 1",
        ):
            with pytest.raises(DBAPIError, match="log audit"), engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def test_a_rewrite_with_the_key_itself_is_caught_by_an_anchor(honest, services, capsys, tmp_path):
    """The person who can read this PC's key: only a copy of the head kept elsewhere helps."""
    from desktop_perizinan.db.audit_anchor import current_anchor

    with services.db.reading() as session:
        anchor = current_anchor(session)
    closing = tmp_path / "penutupan-20261206.txt"
    closing.write_text(f"Penutupan harian 06-12-2026 oleh admin. {anchor.line()}\n")
    keyring = load_or_create()

    def rewrite_with_key(c: Connection) -> None:
        prev = "0" * 64
        for row in rows(c):
            if row["id"] == 2:
                row["detail"] = '{"catatan":"ditulis ulang"}'
            digest = rehash(row, prev)
            c.execute(
                text(
                    "UPDATE audit_log SET detail = :d, prev_hash = :p, hash = :h, mac = :m "
                    "WHERE id = :i"
                ),
                {
                    "d": row["detail"],
                    "p": prev,
                    "h": digest,
                    "m": keyring.mac(row["key_id"], digest),
                    "i": row["id"],
                },
            )
            prev = digest
        c.execute(
            text("UPDATE audit_head SET last_hash = :h, mac = :m"),
            {"h": prev, "m": keyring.mac(keyring.current, head_message(row["id"], prev))},
        )

    assert verify(honest, capsys, "--anchor", str(closing))[0] == 0
    tamper(honest, rewrite_with_key)
    assert verify(honest, capsys)[0] == 0  # perfect forgery as far as the database goes
    code, out = verify(honest, capsys, "--anchor", str(tmp_path))
    assert code == 1
    assert f"Entri {anchor.last_id} tidak sama dengan jangkar {closing.name}" in out
    assert "ditulis ulang" in out


def test_a_truncated_log_is_caught_by_an_anchor(honest, services, capsys, tmp_path):
    from desktop_perizinan.db.audit_anchor import current_anchor

    with services.db.reading() as session:
        anchor = current_anchor(session)
    (tmp_path / "jangkar.txt").write_text(anchor.line())
    keyring = load_or_create()

    def cut_with_key(c: Connection) -> None:
        n = last_id(c)
        c.execute(text("DELETE FROM audit_log WHERE id >= :n"), {"n": n - 1})
        prev = c.execute(text("SELECT hash FROM audit_log WHERE id = :n"), {"n": n - 2})
        digest = prev.scalar_one()
        c.execute(
            text("UPDATE audit_head SET last_id = :i, last_hash = :h, mac = :m"),
            {
                "i": n - 2,
                "h": digest,
                "m": keyring.mac(keyring.current, head_message(n - 2, digest)),
            },
        )

    tamper(honest, cut_with_key)
    code, out = verify(honest, capsys, "--anchor", str(tmp_path / "jangkar.txt"))
    assert code == 1 and "di akhir log terhapus" in out and "jangkar jangkar.txt" in out


def test_entries_signed_with_a_key_this_pc_lacks_are_not_called_intact(
    honest, capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("PERIZINAN_AUDIT_KEYS", str(tmp_path / "lain.json"))
    load_or_create()  # a replaced PC with a fresh key of its own
    code, out = verify(honest, capsys)
    assert code == 1 and "tidak ada di PC ini" in out and "kunci impor" in out


def test_a_replaced_pc_verifies_again_after_importing_the_key(
    honest, capsys, tmp_path, monkeypatch
):
    exported = tmp_path / "kunci-kantor.json"
    assert main(["audit", "kunci", "ekspor", str(exported)]) == 0
    monkeypatch.setenv("PERIZINAN_AUDIT_KEYS", str(tmp_path / "pc-baru" / "audit-keys.json"))
    assert main(["audit", "kunci", "impor", str(exported)]) == 0
    code, out = verify(honest, capsys)
    assert code == 0, out


def test_verify_opens_another_applications_file_read_only(tmp_path, capsys):
    """Issue 15: verifying a foreign SQLite file used to switch it to WAL."""
    import sqlite3

    foreign = tmp_path / "kas.sqlite3"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE kas (id INTEGER PRIMARY KEY, jumlah INTEGER)")
        connection.execute("INSERT INTO kas (jumlah) VALUES (1000)")
    connection.close()
    before = foreign.read_bytes()
    code, out = verify(f"sqlite:///{foreign}", capsys)
    assert code == 2 and "perizinan:" in out
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kas.sqlite3"]
