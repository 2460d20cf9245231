"""Issue 16: the head copied out of the database — into a backup's manifest, a printed book's
footer, a daily closing — and read back by ``perizinan audit verify --anchor``. On SQLite and
PostgreSQL. The attacker here even holds this PC's key: only the anchors can tell."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import create_engine, text

from desktop_perizinan.audit_key import load_or_create
from desktop_perizinan.cli import main
from desktop_perizinan.db import audit_guard
from desktop_perizinan.db.audit_anchor import read_anchors
from desktop_perizinan.db.audit_chain import head_message
from desktop_perizinan.documents.closing_sheet import hash_groups
from desktop_perizinan.services.backup import create_backup
from desktop_perizinan.services.book_export import BookExportService
from desktop_perizinan.services.daily_closing import close_day_as
from desktop_perizinan.services.demo import DEMO_APPLICANTS, DEMO_PASSWORD

DAIRI = "DAIRI-LKS-ASING"


def verify(url: str, capsys, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["audit", "verify", "--db", url, *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def cut_tail_with_the_key(url: str, keep: int) -> None:
    """Delete every entry after ``keep`` and move the head back, MAC and all."""
    keyring = load_or_create()
    engine = create_engine(url)
    try:
        with engine.begin() as c:
            audit_guard.remove(c)
            c.execute(text("DELETE FROM audit_log WHERE id > :n"), {"n": keep})
            digest = c.execute(
                text("SELECT hash FROM audit_log WHERE id = :n"), {"n": keep}
            ).scalar_one()
            c.execute(
                text("UPDATE audit_head SET last_id = :i, last_hash = :h, mac = :m"),
                {
                    "i": keep,
                    "h": digest,
                    "m": keyring.mac(keyring.current, head_message(keep, digest)),
                },
            )
    finally:
        engine.dispose()


def test_backup_manifest_book_footer_and_closing_anchor_the_head(
    services, driver, db_url, tmp_path, capsys
):
    driver.submit(DAIRI, DEMO_APPLICANTS[0])
    backup = create_backup(db_url, directory=tmp_path / "cadangan")
    manifest = json.loads(Path(f"{backup.path}.json").read_text(encoding="utf-8"))
    head = manifest["audit_head"]
    assert head["last_id"] == backup.verification.audit_last_id > 0
    assert head["last_hash"] == backup.verification.audit_last_hash

    book = tmp_path / "buku-registrasi.xlsx"
    with book.open("wb") as handle:
        BookExportService(services).export_agenda("registrasi", 2026, handle)
    [footer] = read_anchors(book)
    assert footer.source == book.name and footer.last_id >= head["last_id"]

    driver.submit(DAIRI, DEMO_APPLICANTS[1])
    closing = close_day_as(services, tmp_path / "penutupan")
    assert closing.path.read_text(encoding="utf-8").strip() == closing.line
    assert closing.anchor.last_id > footer.last_id

    for anchor_file in (tmp_path / "cadangan", book, closing.path):
        code, out = verify(db_url, capsys, "--anchor", str(anchor_file))
        assert code == 0, out
        assert "Jangkar terakhir: entri" in out

    # Cut back to just before the backup's head: every anchor sees it, even with the key.
    cut_tail_with_the_key(db_url, head["last_id"] - 1)
    assert verify(db_url, capsys)[0] == 0  # the database alone cannot tell
    for anchor_file, name in (
        (tmp_path / "cadangan", Path(f"{backup.path}.json").name),
        (book, book.name),
        (closing.path, closing.path.name),
    ):
        code, out = verify(db_url, capsys, "--anchor", str(anchor_file))
        assert code == 1, out
        assert f"Log berakhir di entri {head['last_id'] - 1}, padahal jangkar {name}" in out
        assert "di akhir log terhapus" in out


def test_an_anchor_file_without_anchors_is_a_clear_error(db_url, tmp_path, capsys):
    empty = tmp_path / "catatan.txt"
    empty.write_text("bukan jangkar\n")
    code, out = verify(db_url, capsys, "--anchor", str(empty))
    assert code == 2 and "tidak berisi jangkar audit" in out
    code, out = verify(db_url, capsys, "--anchor", str(tmp_path / "tidak-ada.txt"))
    assert code == 2 and "tidak ditemukan" in out


def test_tutup_hari_writes_the_page_to_print_and_sign(
    services, users, db_url, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("PERIZINAN_CLOSING_DIR", str(tmp_path / "penutupan"))
    sheet = tmp_path / "penutupan-hari-ini.pdf"
    assert main(["audit", "tutup-hari", "--db", db_url, "--pdf", str(sheet)]) == 0
    out = capsys.readouterr().out
    line = out.splitlines()[0]
    anchor = read_anchors(next((tmp_path / "penutupan").rglob("*.txt")))[-1]
    assert anchor.line() in line
    printed = " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(sheet).pages
    )
    assert hash_groups(anchor.last_hash) in printed
    assert f"entri={anchor.last_id}" in printed
    assert str(sheet) in out
    assert "oleh Sistem" in line
    # A named administrator closes the day in their own name.
    monkeypatch.setenv("PERIZINAN_PASSWORD", DEMO_PASSWORD)
    assert main(["audit", "tutup-hari", "--db", db_url, "--pengguna", "admin"]) == 0
    assert "oleh Administrator Sistem" in capsys.readouterr().out
    # A folder that does not exist: refused before the day is closed.
    code = main(["audit", "tutup-hari", "--db", db_url, "--pdf", str(tmp_path / "x" / "y.pdf")])
    assert code == 2 and "tidak ada" in capsys.readouterr().err
