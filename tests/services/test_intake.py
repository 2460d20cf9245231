"""Intake at the counter, through the services, on both databases."""

from __future__ import annotations

import pytest
from pdftext import pdf_text, squash

from desktop_perizinan.documents.dates import format_date
from desktop_perizinan.errors import FieldErrors, PermissionDenied, ValidationError
from desktop_perizinan.services.attachments import AttachmentIn
from desktop_perizinan.services.demo import DEMO_APPLICANTS, SAMPLE_PDF, sample_field_values
from desktop_perizinan.services.intake import IntakeRequest
from desktop_perizinan.workflow.definition import CaseStatus

DAIRI = "DAIRI-LKS-ASING"


def request_for(services, code=DAIRI, **changes) -> IntakeRequest:
    pt = services.permit_type(code)
    applicant = DEMO_APPLICANTS[0]
    values = dict(
        form_code=code,
        nik=applicant.nik,
        name=applicant.name,
        address=applicant.address,
        phone=applicant.phone,
        channel=pt.channels[0],
        fields=sample_field_values(pt),
        present=frozenset(r.code for r in pt.requirements_for(False)),
    )
    values.update(changes)
    return IntakeRequest(**values)


def test_complete_file_gets_number_and_resi(services, users):
    result = services.intake.submit(users["front_office"], request_for(services))
    assert result.complete
    assert result.reg_number == "REG/2026/00001"
    assert result.status is CaseStatus.RUNNING
    text = squash(pdf_text(result.pdf))
    assert result.reg_number in text
    assert "Ni Luh Putu Ayu Saraswati Dewi-Hernández O'Brien" in text
    assert format_date(result.due_at.date()) in text
    assert "Gratis" in text
    assert "Rina Simanjuntak" in text  # the clerk
    # The case now waits at step 4 (forward to the back office) for the counter.
    tasks = services.queries.tasks(users["front_office"])
    assert [(t.reg_number, t.step_no) for t in tasks] == [(result.reg_number, 4)]


def test_incomplete_file_gets_klarifikasi_then_resi_on_return(services, users, clock):
    pt = services.permit_type(DAIRI)
    present = frozenset(r.code for r in pt.requirements_for(False)) - {"izin_prinsip"}
    result = services.intake.submit(users["front_office"], request_for(services, present=present))
    assert not result.complete
    assert result.reg_number is None
    assert result.status is CaseStatus.WAITING_APPLICANT
    assert result.missing == ("Surat izin prinsip dari Menteri Luar Negeri",)
    assert "Surat izin prinsip dari Menteri Luar Negeri" in squash(pdf_text(result.pdf))
    assert [c.id for c in services.queries.waiting_for_applicant()] == [result.case_id]

    clock.advance(24 * 60)
    again = services.intake.complete_return(
        users["front_office"], result.case_id, frozenset({"izin_prinsip"})
    )
    assert again.complete and again.reg_number == "REG/2026/00001"
    assert again.reg_number in pdf_text(again.pdf)
    view = services.queries.case(result.case_id)
    assert all(present for _code, _name, present in view.requirements)
    # Step 2 was done twice: once "tidak lengkap", once "lengkap".
    outcomes = [(t.step_no, t.outcome) for t in view.timeline if t.step_no == 2]
    assert outcomes == [(2, "tidak_lengkap"), (2, "lengkap")]


def test_returning_applicant_is_found_by_nik(services, users):
    services.intake.submit(users["front_office"], request_for(services))
    found = services.intake.find_applicant(DEMO_APPLICANTS[0].nik)
    assert found is not None and found.name == DEMO_APPLICANTS[0].name and found.cases == 1
    assert services.intake.find_applicant("1211039999990001") is None


@pytest.mark.parametrize(
    ("nik", "fragment"),
    [
        ("12110345089", "16 angka"),
        ("1211033213900003", "Tanggal lahir"),  # day 32
        ("12110345x8900003", "16 angka"),
    ],
)
def test_wrong_nik_is_refused_with_a_message_and_nothing_is_saved(services, users, nik, fragment):
    with pytest.raises(FieldErrors) as caught:
        services.intake.submit(users["front_office"], request_for(services, nik=nik))
    assert fragment in caught.value.errors["nik"]
    assert services.queries.search("") == []


def test_field_errors_are_reported_together(services, users):
    pt = services.permit_type(DAIRI)
    fields = sample_field_values(pt)
    fields["bidang_kegiatan"] = "Pertambangan"
    fields["nama_lembaga"] = ""
    with pytest.raises(FieldErrors) as caught:
        services.intake.submit(
            users["front_office"], request_for(services, fields=fields, phone="abc")
        )
    assert set(caught.value.errors) == {"bidang_kegiatan", "nama_lembaga", "telepon"}


@pytest.mark.parametrize(
    ("email", "fragment"),
    [
        ("a" * 190 + "@contoh.go.id", "paling banyak 200"),  # 203 characters: the column is 200
        ("bukan surel", "tidak valid"),
        ("nama@contoh\x00.go.id", "tidak valid"),
    ],
)
def test_wrong_email_is_refused_with_a_message_and_nothing_is_saved(
    services, users, email, fragment
):
    with pytest.raises(FieldErrors) as caught:
        services.intake.submit(users["front_office"], request_for(services, email=email))
    assert fragment in caught.value.errors["email"]
    assert services.queries.search("") == []


def test_attachment_checked_by_content_and_size(services, users):
    png_named_pdf = AttachmentIn("ktp.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    with pytest.raises(FieldErrors) as caught:
        services.intake.submit(
            users["front_office"], request_for(services, attachments=(png_named_pdf,))
        )
    assert "isinya PNG" in caught.value.errors["lampiran"]
    too_big = AttachmentIn("scan.pdf", SAMPLE_PDF + b"0" * (11 * 1024 * 1024))
    with pytest.raises(FieldErrors) as caught:
        services.intake.submit(users["front_office"], request_for(services, attachments=(too_big,)))
    assert "terlalu besar" in caught.value.errors["lampiran"]
    exe = AttachmentIn("surat.pdf", b"MZ\x90\x00" + b"0" * 100)
    with pytest.raises(FieldErrors) as caught:
        services.intake.submit(users["front_office"], request_for(services, attachments=(exe,)))
    assert "bukan PDF, JPG atau PNG" in caught.value.errors["lampiran"]
    ok = services.intake.submit(
        users["front_office"],
        request_for(services, attachments=(AttachmentIn("ktp.pdf", SAMPLE_PDF, "ktp"),)),
    )
    view = services.queries.case(ok.case_id)
    assert [(a.file_name, a.mime) for a in view.attachments] == [("ktp.pdf", "application/pdf")]


def test_only_the_counter_takes_in_applications(services, users):
    with pytest.raises(PermissionDenied):
        services.intake.submit(users["kadis"], request_for(services))


def test_channel_must_be_offered_by_the_permit_type(services, users):
    with pytest.raises(FieldErrors) as caught:
        services.intake.submit(users["front_office"], request_for(services, channel="daring"))
    assert "kanal" in caught.value.errors


def test_complete_return_refused_when_not_waiting(services, users):
    result = services.intake.submit(users["front_office"], request_for(services))
    with pytest.raises(ValidationError):
        services.intake.complete_return(users["front_office"], result.case_id, frozenset())
