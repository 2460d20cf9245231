"""Every shipped permit type from intake to delivery, through the services, on both databases."""

from __future__ import annotations

import pytest
from pdftext import pdf_text, squash

from desktop_perizinan.errors import AlreadyHandled, PermissionDenied, ValidationError
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import DEMO_APPLICANTS
from desktop_perizinan.workflow.definition import CaseStatus

DAIRI = "DAIRI-LKS-ASING"


def test_dairi_permit_branch_with_one_paraf_returned(services, users, driver):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    status = driver.run(intake.case_id, {"paraf_izin_kabid": ["kembalikan", "paraf"]})
    assert status is CaseStatus.ISSUED
    view = services.queries.case(intake.case_id)
    assert view.permit_number == "503/0001/IT-LKSA/DPMPTSPK/2026"
    permit = next(d for d in view.documents if d.kind == "izin")
    # v1 drafted and returned, v2 redrafted and initialled, v3 the numbered final.
    assert permit.versions == 3 and permit.number == view.permit_number
    assert [(p.version, p.role, p.action) for p in permit.paraf] == [
        (1, "Backoffice / Ka Seksi Pelayanan II", "paraf"),
        (1, "Kabid Pelayanan", "kembalikan"),
        (2, "Backoffice / Ka Seksi Pelayanan II", "paraf"),
        (2, "Kabid Pelayanan", "paraf"),
        (2, "Sekretaris", "paraf"),
    ]
    returned = next(p for p in permit.paraf if p.action == "kembalikan")
    assert returned.note
    # The final carries the number, the applicant and no DRAF mark; the draft has DRAF.
    final_text = squash(pdf_text(services.documents.pdf(permit.id)))
    assert view.permit_number in final_text
    assert "Yayasan Kasih Anak Nusantara" in final_text
    assert "DRAF" not in final_text
    assert "{" not in final_text
    draft_text = pdf_text(services.documents.pdf(permit.id, 2))
    assert "DRAF" in draft_text
    # 23 steps, one of them (18) twice, plus 17 redone: 25 records, all done.
    assert [t.step_no for t in view.timeline] == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        16,
        17,
        18,
        17,
        18,
        19,
        20,
        21,
        22,
        23,
    ]
    assert all(t.done_at is not None for t in view.timeline)
    # The permit book holds the number; the expedition book the delivery with the recipient.
    book = services.books.agenda("izin_lks_asing", 2026)
    assert [(r.number, r.reg_number) for r in book] == [(view.permit_number, view.reg_number)]
    expedition = services.books.expedition(2026)
    assert [(e.number, e.recipient_name) for e in expedition] == [
        (view.permit_number, DEMO_APPLICANTS[0].name)
    ]


def test_dairi_rejection_branch(services, users, driver):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[1], seed=1)
    status = driver.run(intake.case_id, {"rekomendasi": ["tolak"]})
    assert status is CaseStatus.REJECTED
    view = services.queries.case(intake.case_id)
    letter = next(d for d in view.documents if d.kind == "penolakan")
    assert letter.number is not None and letter.number.startswith("503/")
    text = squash(pdf_text(services.documents.pdf(letter.id)))
    assert letter.number in text
    assert "belum memiliki mitra kerja lokal" in text  # the reason given at step 8
    assert DEMO_APPLICANTS[1].name in text
    assert [t.step_no for t in view.timeline][-7:] == [9, 10, 11, 12, 13, 14, 15]
    outgoing = [r.number for r in services.books.agenda("surat_keluar", 2026)]
    assert letter.number in outgoing
    assert view.permit_number is None


@pytest.mark.parametrize("code", ["PASURUAN-STP-LKS-ASING", "PASURUAN-NIK-KESENIAN"])
def test_pasuruan_types_end_to_end(services, users, driver, code):
    intake = driver.submit(code, DEMO_APPLICANTS[2])
    assert driver.run(intake.case_id) is CaseStatus.ISSUED
    view = services.queries.case(intake.case_id)
    assert view.permit_number
    assert view.permit_number in pdf_text(
        services.documents.pdf(next(d.id for d in view.documents if d.kind == "izin"))
    )


def test_every_shipped_type_reaches_issue(services, users, driver):
    for index, code in enumerate(sorted(services.forms.types)):
        intake = driver.submit(code, DEMO_APPLICANTS[index % len(DEMO_APPLICANTS)], seed=index)
        assert driver.run(intake.case_id) is CaseStatus.ISSUED, code
    assert len(services.forms.types) == 3


def test_second_user_on_a_taken_step_is_told_who_took_it(services, users, driver, clock):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    task = services.queries.tasks(users["front_office"])[0]
    second_clerk = services.users.create(
        users["admin"],
        username="loket2",
        full_name="Maruli Hutapea",
        password="rahasia123",
        roles={"front_office"},
    )
    clock.advance(10)
    services.work.act(users["front_office"], ActRequest(task.step_record_id, "selesai"))
    before = services.queries.case(intake.case_id)
    with pytest.raises(AlreadyHandled) as caught:
        services.work.act(second_clerk, ActRequest(task.step_record_id, "selesai"))
    assert "Rina Simanjuntak" in caught.value.message
    assert f"{clock():%H:%M}" in caught.value.message
    after = services.queries.case(intake.case_id)
    assert after.timeline == before.timeline and after.documents == before.documents


def test_a_role_that_may_not_act_is_refused_by_the_service(services, users, driver):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    driver.run(intake.case_id, stop_at="verifikasi")
    view = services.queries.case(intake.case_id, users["front_office"])
    assert view.open_step is not None and not view.open_step.may_act
    with pytest.raises(PermissionDenied):
        services.work.act(users["front_office"], ActRequest(view.open_step.step_record_id, "benar"))
    assert services.queries.case(intake.case_id, users["backoffice"]).open_step.may_act


def test_outcomes_needing_a_note_are_refused_without_one(services, users, driver):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    driver.run(intake.case_id, stop_at="verifikasi")
    step = services.queries.case(intake.case_id).open_step
    with pytest.raises(ValidationError):
        services.work.act(users["backoffice"], ActRequest(step.step_record_id, "tidak_benar"))
    services.work.act(
        users["backoffice"],
        ActRequest(step.step_record_id, "tidak_benar", "Alamat lembaga tidak sesuai akta."),
    )
    view = services.queries.case(intake.case_id)
    assert view.status is CaseStatus.WAITING_APPLICANT
    # The applicant brings the correction; the verification step opens again.
    again = services.intake.complete_return(users["front_office"], intake.case_id, frozenset())
    assert again.reg_number == view.reg_number
    assert services.queries.case(intake.case_id).open_step.step_id == "verifikasi"


def test_withdraw_and_reopen_with_reasons(services, users, driver):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    with pytest.raises(ValidationError):
        services.work.withdraw(users["front_office"], intake.case_id, "")
    services.work.withdraw(users["front_office"], intake.case_id, "Pemohon membatalkan rencana.")
    assert services.queries.case(intake.case_id).status is CaseStatus.WITHDRAWN
    assert services.queries.tasks(users["front_office"]) == []
    services.work.reopen(users["front_office"], intake.case_id, "Pemohon melanjutkan kembali.")
    view = services.queries.case(intake.case_id)
    assert view.status is CaseStatus.RUNNING and view.open_step.step_id == "entri"


def test_void_number_keeps_it_in_the_book(services, users, driver):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    entry = services.books.agenda("registrasi", 2026)[0]
    with pytest.raises(PermissionDenied):
        services.work.void_number(users["front_office"], entry.id, "Salah cetak resi")
    services.work.void_number(users["ksb_umum"], entry.id, "Salah cetak resi")
    row = services.books.agenda("registrasi", 2026)[0]
    assert row.voided and row.void_reason == "Salah cetak resi" and row.number == intake.reg_number
    second = driver.submit(DAIRI, DEMO_APPLICANTS[1])
    assert second.reg_number == "REG/2026/00002"  # never reused


def test_audit_chain_records_every_action_and_detects_tampering(services, users, driver):
    from sqlalchemy import text

    from desktop_perizinan.db import audit_guard
    from desktop_perizinan.services.audit import verify_chain

    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    driver.run(intake.case_id)
    with services.db.reading() as session:
        report = verify_chain(session)
    assert report.ok and report.entries > 20
    with services.db.transaction() as session:
        audit_guard.remove(session.connection())  # what an attacker with the file does first
        session.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = 5"))
    with services.db.reading() as session:
        report = verify_chain(session)
    assert not report.ok and any("Entri 5" in p for p in report.problems)
    with services.db.transaction() as session:
        session.execute(text("DELETE FROM audit_log WHERE id = 9"))
    with services.db.reading() as session:
        assert any("hilang" in p for p in verify_chain(session).problems)
