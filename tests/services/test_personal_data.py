"""UU PDP (issue 13): the access log, least exposure, the Ps 32 report, retention and erasure,
on SQLite and PostgreSQL, through the services and the command line."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from desktop_perizinan.cli import main
from desktop_perizinan.db.models import (
    AgendaEntry,
    Applicant,
    Attachment,
    AuditEntry,
    Case,
    Document,
    DocumentVersion,
)
from desktop_perizinan.errors import NotFound, PermissionDenied, UserError, ValidationError
from desktop_perizinan.privacy import ERASED_TEXT, mask_nik
from desktop_perizinan.services import personal_data as pd
from desktop_perizinan.services.audit import verify_chain
from desktop_perizinan.services.case_search import CaseFilters, CaseSearch
from desktop_perizinan.services.demo import DEMO_APPLICANTS, DEMO_PASSWORD
from tests.services.pdftext import pdf_text, squash

KESENIAN = "PASURUAN-NIK-KESENIAN"
FORMS = Path(__file__).resolve().parents[2] / "forms"
DAIRI = "DAIRI-LKS-ASING"
SIX_YEARS = 6 * 366 * 24 * 60  # minutes


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    username: str
    action: str
    case_id: int | None
    detail: str


def _entries(services, action: str | None = None) -> list[Entry]:
    """The audit entries (plain copies: the reading session is rolled back)."""
    with services.db.reading() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return [
            Entry(e.id, e.at, e.username, e.action, e.case_id, e.detail)
            for e in session.scalars(query)
        ]


def _unguard(session) -> None:
    """What a person with the database file does before changing a row (issue 16's guard)."""
    try:
        from desktop_perizinan.db import audit_guard
    except ImportError:
        return
    audit_guard.remove(session.connection())


# ----------------------------------------------------------------------------- access log


def test_viewing_a_case_as_kasi_adds_exactly_one_access_entry(services, users, driver):
    intake = driver.submit(KESENIAN, DEMO_APPLICANTS[2])
    kasi = users["backoffice"]
    before = _entries(services)

    view = services.personal_data.view_case(kasi, intake.case_id)

    after = _entries(services)
    assert len(after) == len(before) + 1
    entry = after[-1]
    assert entry.action == pd.VIEW and entry.username == kasi.username
    assert entry.case_id == intake.case_id and entry.at == services.now()
    detail = json.loads(entry.detail)
    with services.db.reading() as session:
        applicant_id = session.scalar(select(Case.applicant_id).where(Case.id == intake.case_id))
    assert detail["pemohon"] == applicant_id
    assert detail["pc"] == pd.workstation() and detail["pc"]
    assert detail["nik_lengkap"] is True and view.applicant_nik == DEMO_APPLICANTS[2].nik
    # The entry names the applicant by id only: erasure never needs to touch the chain.
    assert DEMO_APPLICANTS[2].nik not in entry.detail
    assert DEMO_APPLICANTS[2].name not in entry.detail
    # Reading the case again (a reload of the open view) logs nothing more.
    services.queries.case(intake.case_id, kasi)
    assert len(_entries(services)) == len(after)


def test_roles_that_do_not_need_it_see_the_nik_masked(services, users, driver):
    applicant = DEMO_APPLICANTS[2]
    intake = driver.submit(KESENIAN, applicant)
    masked = mask_nik(applicant.nik)
    assert masked == applicant.nik[:4] + "••••••••" + applicant.nik[-4:]
    for role in ("kabid", "kadis", "tim_teknis", "ksb_umum"):
        view = services.personal_data.view_case(users[role], intake.case_id)
        assert view.applicant_nik == masked, role
    assert json.loads(_entries(services, pd.VIEW)[-1].detail)["nik_lengkap"] is False
    for role in ("front_office", "backoffice"):
        assert services.personal_data.view_case(users[role], intake.case_id).applicant_nik == (
            applicant.nik
        )
    # Lists never show it in full, whoever asks; search by the full NIK still finds the case.
    rows = CaseSearch(services).search_page(CaseFilters(text=applicant.nik), 0, 10)
    assert [r.id for r in rows] == [intake.case_id]
    assert rows[0].applicant_nik == masked


def test_attachments_and_documents_opened_are_logged(services, users, driver):
    intake = driver.submit(KESENIAN, DEMO_APPLICANTS[3])
    kabid = users["kabid"]
    view = services.queries.case(intake.case_id)
    opened = services.personal_data.open_attachment(kabid, view.attachments[0].id)
    assert opened.data.startswith(b"%PDF-") and opened.file_name == "ktp.pdf"
    resi = next(d for d in view.documents if d.kind == "resi")
    pdf = services.personal_data.open_document(kabid, resi.id)
    assert pdf.startswith(b"%PDF-")
    attachment_entry = _entries(services, pd.ATTACHMENT)[-1]
    document_entry = _entries(services, pd.DOCUMENT)[-1]
    assert attachment_entry.username == document_entry.username == kabid.username
    assert "ktp.pdf" in json.loads(attachment_entry.detail)["apa"]
    assert json.loads(document_entry.detail)["nik_lengkap"] is True  # the resi prints it
    with pytest.raises(NotFound):
        services.personal_data.open_attachment(kabid, 999_999)


def test_a_changed_access_entry_is_detected_by_audit_verify(services, users, driver, db_url):
    intake = driver.submit(KESENIAN, DEMO_APPLICANTS[2])
    services.personal_data.view_case(users["backoffice"], intake.case_id)
    entry = _entries(services, pd.VIEW)[-1]
    assert main(["--db", db_url, "audit", "verify"]) == 0
    # Someone with the database removes the trace of who looked.
    with services.db.transaction() as session:
        _unguard(session)
        session.execute(
            text("UPDATE audit_log SET username = 'front' WHERE id = :id"), {"id": entry.id}
        )
    with services.db.reading() as session:
        report = verify_chain(session)
    assert not report.ok
    assert any(f"Entri {entry.id}" in p for p in report.problems)
    assert main(["--db", db_url, "audit", "verify"]) == 1


# ----------------------------------------------------------------------------- Ps 32 report


def test_the_report_of_a_demo_applicant_lists_the_views_made(services, users, driver):
    applicant = DEMO_APPLICANTS[3]
    intake = driver.submit(KESENIAN, applicant)
    driver.run(intake.case_id)
    services.personal_data.view_case(users["backoffice"], intake.case_id)
    services.personal_data.view_case(users["kadis"], intake.case_id)
    view = services.queries.case(intake.case_id)
    services.personal_data.open_attachment(users["kabid"], view.attachments[0].id)

    report = services.pdp_report.make(users["front_office"], applicant.nik)

    shown = squash(pdf_text(report.pdf))
    assert "LAPORAN DATA PRIBADI" in shown and "Pasal 32" in shown
    assert applicant.name in shown and applicant.nik in shown and applicant.address in shown
    assert view.reg_number in shown and view.permit_number in shown
    assert "ktp.pdf" in shown
    assert shown.count("Melihat data pemohon") == 2
    assert "Membuka lampiran" in shown
    for role in ("backoffice", "kadis", "kabid"):
        assert users[role].full_name in shown, role
    assert "Permohonan diterima" in shown  # the whole processing history, not only views
    # Making the report is itself logged, so the next report shows it.
    made = _entries(services, pd.REPORT)[-1]
    assert made.username == users["front_office"].username
    again = squash(pdf_text(services.pdp_report.make(users["front_office"], applicant.nik).pdf))
    assert "Membuat laporan data pribadi" in again


def test_a_nik_with_letters_gets_a_clear_message_and_changes_nothing(services, users, driver):
    driver.submit(KESENIAN, DEMO_APPLICANTS[2])
    before = _entries(services)
    for bad in ("3514O22011800002", "3514ABCD11800002"):
        with pytest.raises(ValidationError) as caught:
            services.pdp_report.make(users["front_office"], bad)
        assert "huruf" in caught.value.message and caught.value.field == "nik"
        with pytest.raises(ValidationError):
            services.retention.erase_by_nik(users["admin"], bad, "Masa retensi habis")
    with pytest.raises(ValidationError, match="16 angka"):
        services.pdp_report.make(users["front_office"], "3514")
    with pytest.raises(NotFound):
        services.pdp_report.make(users["front_office"], "3514022011800009")
    with pytest.raises(PermissionDenied):
        services.pdp_report.make(users["kadis"], DEMO_APPLICANTS[2].nik)
    assert len(_entries(services)) == len(before)


# ----------------------------------------------------------------------------- retention


def _gapless(services) -> dict[tuple[int, int], list[int]]:
    books: dict[tuple[int, int], list[int]] = defaultdict(list)
    with services.db.reading() as session:
        for entry in session.scalars(select(AgendaEntry).order_by(AgendaEntry.seq)):
            books[(entry.book_id, entry.year)].append(entry.seq)
    for seqs in books.values():
        assert seqs == list(range(1, len(seqs) + 1))
    return books


def test_erasure_keeps_the_books_gapless_and_the_chain_valid(services, users, driver, clock):
    gone, stays = DEMO_APPLICANTS[0], DEMO_APPLICANTS[1]
    first = driver.submit(DAIRI, gone)
    driver.run(first.case_id)
    other = driver.submit(DAIRI, stays)
    view = services.queries.case(first.case_id)
    services.personal_data.view_case(users["backoffice"], first.case_id)
    # Least exposure on paper: the Tim Teknis' berita acara masks the NIK, the resi keeps it.
    ba = next(d for d in view.documents if d.kind == "berita_acara")
    ba_text = pdf_text(services.documents.pdf(ba.id))
    assert mask_nik(gone.nik) in ba_text and gone.nik not in ba_text
    resi = next(d for d in view.documents if d.kind == "resi")
    assert gone.nik in pdf_text(services.documents.pdf(resi.id))
    books_before = _gapless(services)
    with services.db.reading() as session:
        numbers_before = session.scalars(select(AgendaEntry.number).order_by(AgendaEntry.id)).all()
    admin = users["admin"]
    assert services.retention.due(admin) == []  # the second case is still running anyway

    # Not yet due: refused, nothing changed.
    with services.db.reading() as session:
        gone_id = session.scalar(select(Applicant.id).where(Applicant.nik == gone.nik))
    with pytest.raises(UserError, match="belum habis"):
        services.retention.erase(admin, gone_id, "Masa retensi habis")
    with pytest.raises(PermissionDenied):
        services.retention.erase(users["backoffice"], gone_id, "Masa retensi habis")
    with pytest.raises(ValidationError, match="tidak dapat dicetak"):
        services.retention.erase(admin, gone_id, "Masa retensi\x00 habis")

    clock.advance(SIX_YEARS)
    due = services.retention.due(admin)
    assert [d.id for d in due] == [gone_id]  # the other applicant's case is still running
    assert due[0].nik_masked == mask_nik(gone.nik) and due[0].cases == 1
    result = services.retention.erase(admin, gone_id, "Masa retensi 5 tahun habis")
    assert result.cases == 1 and result.attachments == 1 and result.documents >= 5

    with services.db.reading() as session:
        assert verify_chain(session).ok
        erased = session.get(Applicant, gone_id)
        assert erased.name == ERASED_TEXT and erased.erased_at == services.now()
        assert not erased.nik.isdigit() and erased.address == erased.phone == ""
        case = session.get(Case, first.case_id)
        assert case.reg_number == view.reg_number and case.permit_number == view.permit_number
        assert case.field_values == {} and gone.name.lower() not in case.search_text
        assert (
            session.scalar(select(func.count(Attachment.id)).where(Attachment.case_id == case.id))
            == 0
        )
        pdfs = session.scalars(
            select(DocumentVersion.pdf)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(Document.case_id == case.id)
        ).all()
        assert pdfs and all(p == b"" for p in pdfs)
        lines = session.scalars(select(AgendaEntry).where(AgendaEntry.case_id == case.id)).all()
        assert lines and all(gone.name not in (e.addressee + e.subject) for e in lines)
        numbers_after = session.scalars(select(AgendaEntry.number).order_by(AgendaEntry.id)).all()
        # The applicant still in progress is untouched.
        assert session.get(Case, other.case_id).applicant.name == stays.name
    assert numbers_after == numbers_before
    assert _gapless(services) == books_before
    erase_entry = _entries(services, pd.ERASE)[-1]
    assert erase_entry.username == admin.username and gone.name not in erase_entry.detail
    # The case stays in the lists, anonymised, for every role.
    for role in ("backoffice", "kabid"):
        shown = services.personal_data.view_case(users[role], first.case_id)
        assert shown.applicant_nik == shown.applicant_name == ERASED_TEXT
    listed = CaseSearch(services).search_page(CaseFilters(text=view.reg_number), 0, 10)
    assert [(r.applicant_name, r.applicant_nik) for r in listed] == [(ERASED_TEXT, ERASED_TEXT)]
    # The person is gone from search, from the report, from the retention list.
    assert CaseSearch(services).search_page(CaseFilters(text=gone.nik), 0, 10) == []
    with pytest.raises(NotFound):
        services.pdp_report.make(admin, gone.nik)
    assert services.retention.due(admin) == []
    with pytest.raises(UserError, match="sudah dihapus"):
        services.retention.erase(admin, gone_id, "Masa retensi habis")
    # Opening an erased document says why instead of failing.
    with pytest.raises(UserError, match="telah dihapus"):
        services.personal_data.open_document(admin, resi.id)
    # The same person may apply again: a new record, the old number stays the old case's.
    again = driver.submit(KESENIAN, gone)
    assert services.queries.case(again.case_id).applicant_nik == gone.nik


# ----------------------------------------------------------------------------- command line


def test_command_line_report_retention_and_erasure(
    services, users, driver, clock, db_url, tmp_path, capsys
):
    applicant = DEMO_APPLICANTS[3]
    intake = driver.submit(KESENIAN, applicant)
    driver.run(intake.case_id)
    services.personal_data.view_case(users["kabid"], intake.case_id)
    out = tmp_path / "laporan.pdf"
    assert main(["--db", db_url, "data-pribadi", applicant.nik, "--out", str(out)]) == 0
    shown = squash(pdf_text(out.read_bytes()))
    assert applicant.name in shown and users["kabid"].full_name in shown
    assert "Melihat data pemohon" in shown
    capsys.readouterr()

    count = len(_entries(services))
    bad = "3514O24407920004"
    assert main(["--db", db_url, "data-pribadi", bad, "--out", str(tmp_path / "x.pdf")]) == 2
    assert "huruf" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists() and len(_entries(services)) == count

    assert main(["--db", db_url, "data-pribadi", "retensi"]) == 0
    assert "Tidak ada pemohon" in capsys.readouterr().out
    assert main(["--db", db_url, "data-pribadi", "hapus", applicant.nik, "--alasan", "uji"]) == 2
    assert "minimal 5" in capsys.readouterr().err
    # The command line's own clock is the real one: the demo's 2026 case is due in 2031.
    with services.db.transaction() as session:
        session.execute(
            text("UPDATE permohonan SET received_at = :t, closed_at = :t"),
            {"t": clock().replace(year=2015)},
        )
        session.execute(
            text("UPDATE applicant SET updated_at = :t"), {"t": clock().replace(year=2015)}
        )
    assert main(["--db", db_url, "data-pribadi", "retensi"]) == 0
    listed = capsys.readouterr().out
    assert mask_nik(applicant.nik) in listed and applicant.nik not in listed
    args = ["--db", db_url, "data-pribadi", "hapus", applicant.nik, "--alasan", "Retensi habis"]
    assert main(args) == 0
    assert "dihapus" in capsys.readouterr().out
    with services.db.reading() as session:
        assert verify_chain(session).ok
        assert session.scalar(select(Applicant.name)) == ERASED_TEXT


# ----------------------------------------------------------------------------- book exports


def _cells(path) -> list[list[str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True).active
    return [[str(c) for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]


def test_books_are_exported_without_nik_unless_asked_and_then_logged(
    services, users, driver, clock, tmp_path
):
    from desktop_perizinan.services.book_export import BookExportService

    applicant = DEMO_APPLICANTS[3]
    driver.submit(KESENIAN, applicant)
    books = BookExportService(services)
    year = services.now().year
    plain = books.export("registrasi", year, tmp_path / "plain.xlsx")
    text_plain = " ".join(" ".join(r) for r in _cells(plain.path))
    assert plain.rows == 1 and applicant.nik not in text_plain and "NIK" not in text_plain
    assert _entries(services, pd.EXPORT) == []

    with pytest.raises(PermissionDenied):
        books.export(
            "registrasi", year, tmp_path / "x.xlsx", with_nik=True, actor=users["ksb_umum"]
        )
    assert not (tmp_path / "x.xlsx").exists()

    kasi = users["backoffice"]
    full = books.export("registrasi", year, tmp_path / "nik.xlsx", with_nik=True, actor=kasi)
    rows = _cells(full.path)
    assert any("NIK Pemohon" in r for r in rows) and any(applicant.nik in r for r in rows)
    logged = _entries(services, pd.EXPORT)
    assert len(logged) == 1 and logged[0].username == kasi.username
    assert json.loads(logged[0].detail)["buku"] == "registrasi"
    report = squash(pdf_text(services.pdp_report.make(kasi, applicant.nik).pdf))
    assert "Mengekspor" in report and "dengan NIK" in report
    # An applicant whose line came after the export, or in another book, is not in it.
    other = DEMO_APPLICANTS[2]
    clock.advance(5)
    driver.submit(KESENIAN, other)
    books.export("surat_keluar", year, tmp_path / "sk.xlsx", with_nik=True, actor=kasi)
    assert "Mengekspor" not in squash(pdf_text(services.pdp_report.make(kasi, other.nik).pdf))
    # A later export of the book that holds their line is in it.
    books.export("registrasi", year, tmp_path / "again.xlsx", with_nik=True, actor=kasi)
    assert "Mengekspor" in squash(pdf_text(services.pdp_report.make(kasi, other.nik).pdf))


def test_a_backup_says_it_holds_personal_data(services, users, driver, db_url, tmp_path):
    from desktop_perizinan.services.backup import create_backup, read_manifest

    driver.submit(KESENIAN, DEMO_APPLICANTS[2])
    result = create_backup(db_url, directory=tmp_path)
    contents = read_manifest(result.path)["isi"]
    assert "NIK" in contents["data_pribadi"] and "UU 27/2022" in contents["data_pribadi"]
    assert contents["jumlah"]["pemohon"] == 1 and contents["jumlah"]["lampiran"] == 1
    assert contents["jumlah"]["pemohon_dihapus"] == 0


def test_the_office_file_decides_retention_and_who_sees_the_nik(db_url, tmp_path, clock):
    import shutil

    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import CaseDriver, create_demo_users

    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    office = forms / "_kantor.toml"
    text_ = office.read_text("utf-8")
    office.write_text(
        text_.replace("retensi_tahun = 5", "retensi_tahun = 1").replace(
            'nik_lengkap = ["front_office", "backoffice"]', 'nik_lengkap = ["front_office"]'
        ),
        "utf-8",
    )
    services = Services.open(db_url, forms, clock=clock)
    try:
        users = create_demo_users(services)
        driver = CaseDriver(services, users, clock)
        applicant = DEMO_APPLICANTS[3]
        intake = driver.submit(KESENIAN, applicant)
        driver.run(intake.case_id)
        kasi = users["backoffice"]
        assert services.personal_data.view_case(kasi, intake.case_id).applicant_nik == (
            mask_nik(applicant.nik)
        )
        assert services.retention.years() == 1
        clock.advance(367 * 24 * 60)
        assert [d.name for d in services.retention.due(users["admin"])] == [applicant.name]
    finally:
        services.close()


def test_a_case_viewed_does_not_wake_the_other_pcs_but_a_change_does(
    services, users, driver, clock
):
    import queue

    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.casework import ActRequest
    from desktop_perizinan.services.live_updates import change_marker, watcher_for

    intake = driver.submit(KESENIAN, DEMO_APPLICANTS[2])
    other_pc = Services.open(services.db.url, FORMS, clock=clock)
    received: queue.Queue[int | None] = queue.Queue()
    watcher = watcher_for(other_pc.db)
    try:
        watcher.start(received.put)
        if watcher.pushes:
            assert watcher.listening.wait(10)
        marker = change_marker(services.db)
        services.personal_data.view_case(users["backoffice"], intake.case_id)
        assert change_marker(services.db) == marker  # a read is not a change
        if watcher.pushes:
            with pytest.raises(queue.Empty):
                received.get(timeout=1.5)
        task = services.queries.tasks(users["backoffice"])[0]
        services.work.act(users["backoffice"], ActRequest(task.step_record_id, "benar"))
        assert change_marker(services.db) > marker
        if watcher.pushes:
            assert received.get(timeout=10) == intake.case_id
        else:
            assert watcher.poll() is True
    finally:
        watcher.stop()
        other_pc.close()


def test_command_line_acts_as_a_named_user_after_a_login(
    services, users, driver, db_url, tmp_path, capsys, monkeypatch
):
    """``--pengguna``: the audit names the person, not the system, and their roles apply."""
    clerk = users["front_office"].username
    applicant = DEMO_APPLICANTS[2]
    driver.submit(KESENIAN, applicant)
    out = tmp_path / "laporan.pdf"
    args = ["--db", db_url, "data-pribadi", applicant.nik, "--out", str(out), "--pengguna"]
    monkeypatch.setenv("PERIZINAN_PASSWORD", "salah-sandi")
    assert main([*args, clerk]) == 2
    assert "salah" in capsys.readouterr().err and not out.exists()

    monkeypatch.setenv("PERIZINAN_PASSWORD", DEMO_PASSWORD)
    assert main([*args, clerk]) == 0
    capsys.readouterr()
    report = _entries(services, pd.REPORT)[-1]
    assert report.username == clerk

    # Erasure is the administrator's: the clerk's login does not lend them the system's rights.
    erase = ["--db", db_url, "data-pribadi", "hapus", applicant.nik, "--alasan", "Retensi habis"]
    assert main([*erase, "--pengguna", clerk]) == 2
    assert "tidak berwenang untuk menghapus data pribadi" in capsys.readouterr().err
