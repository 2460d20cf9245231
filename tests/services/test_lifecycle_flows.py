"""The test permit types of tests/forms_lifecycle run end to end through the services, on
SQLite and PostgreSQL: number before a wet and before an electronic signature, a Kabid
signing a.n. Kepala Dinas, composite rows, a rejection in one step, "0 Hari", SOP labels, and
a Plt. Kepala Dinas set in the office settings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from pdftext import pdf_text, squash
from pki import PASSPHRASE, make_ca
from sqlalchemy import select

from desktop_perizinan.db.models import AgendaEntry, Document, StepRecord
from desktop_perizinan.errors import PermissionDenied, ValidationError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
    SteppingClock,
    create_demo_users,
    demo_clock,
)
from desktop_perizinan.services.verification import Verdict, verify_pdf
from desktop_perizinan.workflow.definition import CaseStatus

FORMS = Path(__file__).resolve().parents[1] / "forms_lifecycle"
WET = "UJI-NOMOR-BASAH"
TTE = "UJI-NOMOR-TTE"
COMPOSITE = "UJI-LOKET-KOMPOSIT"


@pytest.fixture
def clock() -> SteppingClock:
    return demo_clock()


@pytest.fixture
def services(db_url: str, clock: SteppingClock) -> Iterator[Services]:
    s = Services.open(db_url, FORMS, clock=clock)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def users(services: Services) -> dict[str, Actor]:
    return create_demo_users(services)


@pytest.fixture
def driver(services: Services, users: dict[str, Actor], clock: SteppingClock) -> CaseDriver:
    return CaseDriver(services, users, clock)


def _agenda_line(services: Services, number: str) -> AgendaEntry:
    with services.db.reading() as session:
        entry = session.scalars(select(AgendaEntry).where(AgendaEntry.number == number)).one()
        session.expunge(entry)
        return entry


def _document(services: Services, document_id: int) -> Document:
    with services.db.reading() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        session.expunge(doc)
        return doc


def test_number_before_a_wet_signature(services, users, driver):
    intake = driver.submit(WET, DEMO_APPLICANTS[0])
    assert driver.run(intake.case_id, stop_at="ttd") is CaseStatus.RUNNING
    view = services.queries.case(intake.case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    # Numbered, not yet final: the letter printed for the Kadis's pen shows its number.
    assert permit.number == "503/0001/UJI-B/2026" and permit.status != "final"
    assert "503/0001/UJI-B/2026" in squash(pdf_text(services.documents.pdf(permit.id)))
    # The agenda book credits the numbering officer, at the numbering step.
    entry = _agenda_line(services, permit.number)
    assert entry.taken_by == users["pengadministrasi"].id
    assert driver.run(intake.case_id) is CaseStatus.ISSUED
    view = services.queries.case(intake.case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    assert permit.status == "final" and view.permit_number == "503/0001/UJI-B/2026"
    text = squash(pdf_text(services.documents.pdf(permit.id)))
    assert "DRAF" not in text and view.permit_number in text
    assert users["kadis"].full_name in text
    doc = _document(services, permit.id)
    assert doc.numbered_by == users["pengadministrasi"].id and doc.signed_by == users["kadis"].id
    assert doc.numbered_at is not None and doc.signed_at is not None
    assert doc.numbered_at < doc.signed_at
    assert verify_pdf(services, services.documents.pdf(permit.id)).verdict is Verdict.VALID
    # The SOP's own labels, gaps kept, in the case history.
    assert [str(t.step_no) for t in view.timeline] == [
        "1",
        "2",
        "3",
        "3a",
        "5",
        "7",
        "8",
        "10",
        "11",
    ]


def test_zero_day_steps_are_due_at_that_days_closing(services, driver):
    intake = driver.submit(WET, DEMO_APPLICANTS[0])
    driver.run(intake.case_id, stop_at="ttd")
    with services.db.reading() as session:
        records = session.scalars(
            select(StepRecord).where(StepRecord.case_id == intake.case_id)
        ).all()
        zero = [r for r in records if r.standard == "0 Hari"]
        assert zero
        for record in zero:
            start = services.calendar.next_opening(record.started_at)
            closing = services.calendar.hours_on(start.date())[1]
            assert record.due_at == datetime.combine(start.date(), time()) + timedelta(
                minutes=closing
            )
            assert not record.late_minutes
        assert {r.step_label for r in records} >= {"3a", "7"}


def test_a_rejection_drafted_signed_and_numbered_in_one_step(services, users, driver):
    intake = driver.submit(WET, DEMO_APPLICANTS[1], seed=1)
    status = driver.run(intake.case_id, {"verifikasi": ["tolak"]})
    assert status is CaseStatus.REJECTED
    view = services.queries.case(intake.case_id)
    letter = next(d for d in view.documents if d.kind == "penolakan")
    outgoing = [r.number for r in services.books.agenda("surat_keluar", 2026)]
    assert letter.status == "final" and outgoing.count(letter.number) == 1
    text = squash(pdf_text(services.documents.pdf(letter.id)))
    assert letter.number in text and "DRAF" not in text
    assert "mitra kerja lokal" in text  # the reason written at the refusal
    assert [str(t.step_no) for t in view.timeline] == ["1", "2", "3", "3b", "3c"]
    entry = _agenda_line(services, letter.number)
    assert entry.taken_by == users["kabid"].id


def test_number_before_an_electronic_signature_by_the_kabid_an_kepala(services, users, driver):
    ca = make_ca()
    kabid = users["kabid"]
    p12 = ca.pkcs12(kabid.full_name, serial_number=kabid.nip, passphrase=PASSPHRASE)
    intake = driver.submit(TTE, DEMO_APPLICANTS[0])
    assert driver.run(intake.case_id, stop_at="tte") is CaseStatus.RUNNING
    view = services.queries.case(intake.case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    assert permit.number == "503/0001/UJI-E/2026"
    services.work.act(
        kabid,
        ActRequest(
            view.open_step.step_record_id,
            "ditandatangani",
            data={"mode": "elektronik", "p12": p12, "passphrase": PASSPHRASE},
        ),
    )
    assert driver.run(intake.case_id) is CaseStatus.ISSUED
    view = services.queries.case(intake.case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    assert permit.number == view.permit_number == "503/0001/UJI-E/2026"
    pdf = services.documents.pdf(permit.id)
    text = squash(pdf_text(pdf))
    assert "a.n. Kepala Dinas" in text and "Kepala Bidang Perizinan" in text
    assert kabid.full_name in text and "Ditandatangani secara elektronik" in text
    # One number only, taken by the numbering officer before the signature.
    book = services.books.agenda("izin_uji_tte", 2026)
    assert [r.number for r in book] == [permit.number]
    # The agenda book: who took the number, and "ditandatangani oleh" as the letter prints it.
    assert book[0].taken_by == users["pengadministrasi"].full_name
    assert (
        book[0].signed_by.startswith("a.n. Kepala Dinas") and kabid.full_name in book[0].signed_by
    )
    assert _agenda_line(services, permit.number).taken_by == users["pengadministrasi"].id
    doc = _document(services, permit.id)
    assert doc.signed_as is not None and doc.signed_as.startswith("a.n. Kepala Dinas")
    assert kabid.full_name in doc.signed_as
    assert verify_pdf(services, pdf).verdict is Verdict.VALID


def test_composite_rows_number_archive_and_deliver_in_one_step(services, users, driver):
    intake = driver.submit(COMPOSITE, DEMO_APPLICANTS[0])
    assert driver.run(intake.case_id) is CaseStatus.ISSUED
    view = services.queries.case(intake.case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    assert permit.status == "final" and permit.number == "503/0001/UJI-G/2026"
    # The composite counter row took the number (sign-then-number, wet) and recorded all of it.
    assert _agenda_line(services, permit.number).taken_by == users["front_office"].id
    with services.db.reading() as session:
        record = session.scalars(
            select(StepRecord).where(
                StepRecord.case_id == intake.case_id, StepRecord.step_id == "serah"
            )
        ).one()
        assert record.data["tindakan"] == ["penomoran", "arsip", "penyerahan"]
        assert record.data["nomor"] == permit.number and record.data["diarsipkan"] is True
        assert record.data["cara"] == "Diambil di loket"
        forwarded = session.scalars(
            select(StepRecord).where(
                StepRecord.case_id == intake.case_id, StepRecord.step_id == "teruskan"
            )
        ).one()
        assert forwarded.data["tindakan"] == ["verifikasi", "disposisi"]
    assert any(d.kind == "disposisi" for d in view.documents)
    assert [e.number for e in services.books.expedition(2026)] == [permit.number]


def test_composite_rejection_signed_an_kepala_by_the_kabid(services, users, driver):
    intake = driver.submit(COMPOSITE, DEMO_APPLICANTS[1], seed=1)
    assert driver.run(intake.case_id, {"teruskan": ["tolak"]}) is CaseStatus.REJECTED
    view = services.queries.case(intake.case_id)
    letter = next(d for d in view.documents if d.kind == "penolakan")
    text = squash(pdf_text(services.documents.pdf(letter.id)))
    assert "a.n. Kepala Dinas" in text and users["kabid"].full_name in text
    assert letter.number in [r.number for r in services.books.agenda("surat_keluar", 2026)]
    assert [str(t.step_no) for t in view.timeline] == ["1", "2", "4", "4a", "4b"]


def test_a_plt_kepala_signs_while_the_head_is_away(services, users, driver, clock):
    kabid = users["kabid"]
    intake = driver.submit(COMPOSITE, DEMO_APPLICANTS[0])
    driver.run(intake.case_id, stop_at="ttd")
    step = services.queries.case(intake.case_id).open_step
    with pytest.raises(PermissionDenied):
        services.work.act(kabid, ActRequest(step.step_record_id, "ditandatangani"))
    with pytest.raises(PermissionDenied):
        services.work.set_acting_head(kabid, kabid.id, "Plt.", clock().date(), clock().date())
    with pytest.raises(ValidationError, match="Tanggal selesai"):
        services.work.set_acting_head(
            users["admin"], kabid.id, "Plt.", clock().date(), clock().date() - timedelta(days=1)
        )
    today = clock().date()
    services.work.set_acting_head(
        users["admin"], kabid.id, "Plt.", today - timedelta(days=1), today + timedelta(days=7)
    )
    assert services.work.acting_head().user_id == kabid.id
    services.work.act(kabid, ActRequest(step.step_record_id, "ditandatangani"))
    assert driver.run(intake.case_id) is CaseStatus.ISSUED
    view = services.queries.case(intake.case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    text = squash(pdf_text(services.documents.pdf(permit.id)))
    assert "Plt. Kepala Dinas" in text and kabid.full_name in text
    assert _document(services, permit.id).signed_as.startswith("Plt. Kepala Dinas")
    # Outside the dates the setting does not apply: the Kadis signs in his own name again.
    services.work.set_acting_head(
        users["admin"], kabid.id, "Plh.", today - timedelta(days=9), today - timedelta(days=2)
    )
    second = driver.submit(COMPOSITE, DEMO_APPLICANTS[1], seed=1)
    driver.run(second.case_id, stop_at="ttd")
    step = services.queries.case(second.case_id).open_step
    with pytest.raises(PermissionDenied):
        services.work.act(kabid, ActRequest(step.step_record_id, "ditandatangani"))


def test_sop_labels_in_the_case_list_the_dashboard_and_the_compliance_report(
    services, users, driver
):
    """Where a step is printed outside the case itself (the Permohonan list, Beranda's open
    files per step, the compliance report), it carries the SOP's own label, not its place."""
    from desktop_perizinan.services.case_search import CaseFilters, CaseSearch
    from desktop_perizinan.services.dashboard import DashboardService
    from desktop_perizinan.services.reports import Period, ReportService

    waiting = driver.submit(WET, DEMO_APPLICANTS[0])
    assert driver.run(waiting.case_id, stop_at="draf") is CaseStatus.RUNNING
    done = driver.submit(WET, DEMO_APPLICANTS[1])
    assert driver.run(done.case_id) is CaseStatus.ISSUED

    rows = CaseSearch(services).search_page(CaseFilters(), 0, 10)
    assert {str(r.step_no) for r in rows if r.id == waiting.case_id} == {"3a"}
    loads = DashboardService(services).snapshot().open_by_step
    assert "3a" in {str(load.step_no) for load in loads if load.form_code == WET}
    report = ReportService(services).compliance(Period(services.now().year))
    labels = {str(s.step_no) for s in report.steps if s.form_code == WET}
    assert {"3a", "10", "11"} <= labels
