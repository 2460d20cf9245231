"""Electronic signatures: the PKCS#12 refusals, sign → validate → tamper, the Dairi flow with
electronic signing (one number, taken at signing), and importing a PDF signed elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pdftext import pdf_text, squash
from pki import KADIS_NAME, KADIS_NIP, PASSPHRASE, kadis_pkcs12, make_ca

from desktop_perizinan.errors import PermissionDenied, ValidationError
from desktop_perizinan.services import esign
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import DEMO_APPLICANTS
from desktop_perizinan.services.verification import Verdict, verify_pdf
from desktop_perizinan.workflow.definition import CaseStatus

DAIRI = "DAIRI-LKS-ASING"


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def kadis_p12(ca) -> bytes:
    return kadis_pkcs12(ca)


@pytest.fixture(scope="module")
def identity(kadis_p12):
    return esign.open_pkcs12(kadis_p12, PASSPHRASE)


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    from desktop_perizinan.documents import samples
    from desktop_perizinan.documents.pdf import render

    return render(samples.sample_permit())


# ----------------------------------------------------------------------------- the certificate


def test_a_wrong_passphrase_is_a_message_not_a_traceback(kadis_p12):
    with pytest.raises(ValidationError) as caught:
        esign.open_pkcs12(kadis_p12, "bukan-sandinya")
    assert "Kata sandi" in caught.value.message and caught.value.field == "passphrase"
    with pytest.raises(ValidationError) as caught:
        esign.open_pkcs12(kadis_p12, "")
    assert "kata sandi" in caught.value.message


@pytest.mark.parametrize(
    "data",
    [b"", b"bukan sertifikat", b"%PDF-1.4\n%%EOF\n", b"\x30\x03\x02\x01\x03"],
    ids=["kosong", "teks", "pdf", "der-lain"],
)
def test_a_file_that_is_not_pkcs12_is_refused_in_words(data):
    with pytest.raises(ValidationError) as caught:
        esign.open_pkcs12(data, PASSPHRASE)
    assert caught.value.field == "p12"
    assert ".p12" in caught.value.message


def test_a_pem_certificate_is_not_a_pkcs12(ca):
    with pytest.raises(ValidationError, match="bukan sertifikat elektronik PKCS#12"):
        esign.open_pkcs12(ca.pem, PASSPHRASE)


def test_expired_and_not_yet_valid_certificates_are_refused(ca):
    expired = esign.open_pkcs12(
        ca.pkcs12(
            KADIS_NAME,
            serial_number=KADIS_NIP,
            not_before=datetime(2020, 1, 1, tzinfo=UTC),
            not_after=datetime(2021, 1, 1, tzinfo=UTC),
        ),
        PASSPHRASE,
    )
    with pytest.raises(ValidationError) as caught:
        esign.check_validity(expired.info, datetime(2026, 11, 2, 9, 0))
    assert "kedaluwarsa" in caught.value.message and "2021" in caught.value.message
    future = esign.open_pkcs12(
        ca.pkcs12(
            KADIS_NAME,
            serial_number=KADIS_NIP,
            not_before=datetime(2030, 1, 1, tzinfo=UTC),
            not_after=datetime(2031, 1, 1, tzinfo=UTC),
        ),
        PASSPHRASE,
    )
    with pytest.raises(ValidationError, match="belum berlaku"):
        esign.check_validity(future.info, datetime(2026, 11, 2, 9, 0))


def test_the_certificate_must_name_the_signer(ca, identity):
    info = identity.info
    assert esign.belongs_to(info, full_name="Drs. Marisi Sianturi, M.Si", nip="")
    assert esign.belongs_to(info, full_name="Marisi Sianturi", nip="")
    assert esign.belongs_to(info, full_name="Orang Lain", nip="19651115 198602 1 002")
    # Only the name in capitals, no NIP: still the same person.
    plain = esign.open_pkcs12(ca.pkcs12("MARISI SIANTURI"), PASSPHRASE).info
    assert esign.belongs_to(plain, full_name="Drs. Marisi Sianturi, M.Si", nip="")
    with pytest.raises(ValidationError) as caught:
        esign.check_belongs_to(info, full_name="Jonner Tamba, S.H.", nip="197303031997031004")
    message = caught.value.message
    assert "bukan milik Jonner Tamba" in message and "Marisi Sianturi" in message


def test_the_opened_identity_is_never_serialised(identity):
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(identity)
    assert "PRIVATE" not in repr(identity)


def test_core_name_ignores_titles_case_and_accents():
    assert esign.core_name("Dr. Ir. H. Bonar Situmorang, S.Sos., M.Si") == "bonar situmorang"
    assert esign.core_name("NI LUH PUTU AYU") == esign.core_name("Ni Luh Putu Ayu")
    assert esign.core_name("José O'Brien") == "jose o'brien"


# ----------------------------------------------------------------------------- sign, validate


def test_sign_validate_tamper(identity, ca, sample_pdf):
    signed = esign.sign_pdf(identity, sample_pdf, reason="Uji", location="Sidikalang")
    assert signed.startswith(sample_pdf)  # an incremental update: the page is untouched
    (report,) = esign.validate_signatures(signed, [ca.certificate])
    assert report.intact and report.covers_document and report.trusted and report.ok
    assert report.signer is not None and report.signer.common_name == KADIS_NAME
    assert report.signer.subject_serial == KADIS_NIP
    assert report.signing_time is not None
    assert report.level == esign.LEVEL_B_B
    assert any("Tanpa cap waktu" in m for m in report.messages)

    # Without the office's trust roots: intact, but trust cannot be judged (and says so).
    (untrusted,) = esign.validate_signatures(signed, [])
    assert untrusted.intact and not untrusted.trusted and not untrusted.ok
    assert any("belum ada sertifikat CA terpercaya" in m for m in untrusted.messages)

    # One byte of the signed page changed: the signature no longer holds.
    tampered = bytearray(signed)
    position = sample_pdf.index(b"stream") + 40
    tampered[position] ^= 0x01
    (broken,) = esign.validate_signatures(bytes(tampered), [ca.certificate])
    assert not broken.intact and not broken.ok
    assert any("TIDAK SAH" in m for m in broken.messages)


def _append_text_to_page(signed: bytes) -> bytes:
    """An incremental update after the signature that adds "PALSU" to the page."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    extra = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 100 Td (PALSU) Tj ET")
    )
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = generic.ArrayObject([page["/Contents"], extra])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_change_appended_after_signing_is_reported(identity, ca, sample_pdf):
    signed = esign.sign_pdf(identity, sample_pdf)
    (report,) = esign.validate_signatures(_append_text_to_page(signed), [ca.certificate])
    assert report.intact and not report.covers_document and not report.ok
    assert any("diubah setelah ditandatangani" in m for m in report.messages)


def test_another_ca_is_not_trusted(identity, sample_pdf):
    other = make_ca("CA Lain", key_slot=5)
    signed = esign.sign_pdf(identity, sample_pdf)
    (report,) = esign.validate_signatures(signed, [other.certificate])
    assert report.intact and not report.trusted
    assert any("tidak berantai" in m for m in report.messages)


def test_a_file_that_is_not_a_pdf_cannot_be_validated():
    with pytest.raises(esign.UnreadablePdf):
        esign.validate_signatures(b"bukan pdf sama sekali")
    assert esign.validate_signatures(_unsigned_pdf()) == []


def _unsigned_pdf() -> bytes:
    from desktop_perizinan.documents import samples
    from desktop_perizinan.documents.pdf import render

    return render(samples.sample_rejection())


# ----------------------------------------------------------------------------- trust roots


def test_trust_roots_are_kept_in_the_settings_by_an_administrator(services, users, ca):
    with pytest.raises(PermissionDenied):
        esign.add_trust_root(services, users["kadis"], ca.pem)
    added = esign.add_trust_root(services, users["admin"], ca.pem)
    assert [a.common_name for a in added] == ["CA Uji Perizinan"]
    assert esign.add_trust_root(services, users["admin"], ca.pem) == []  # no duplicate
    assert [r.fingerprint for r in esign.list_trust_roots(services)] == [added[0].fingerprint]
    with pytest.raises(ValidationError, match=r"bukan sertifikat X\.509"):
        esign.add_trust_root(services, users["admin"], b"sampah")
    esign.remove_trust_root(services, users["admin"], added[0].fingerprint)
    assert esign.list_trust_roots(services) == []


def test_the_book_of_the_following_penomoran_step(services):
    pt = services.permit_type(DAIRI)
    assert esign.following_number_book(pt, pt.step("ttd_izin")) == "izin_lks_asing"
    assert esign.following_number_book(pt, pt.step("ttd_penolakan")) == "surat_keluar"


# ----------------------------------------------------------------------------- the flow


def _sign_step(services, users, driver, case_id: int, step_id: str, data: dict) -> None:
    assert driver.run(case_id, stop_at=step_id) is CaseStatus.RUNNING
    step = services.queries.case(case_id).open_step
    assert step is not None and step.step_id == step_id
    services.work.act(
        users["kadis"],
        ActRequest(step.step_record_id, "ditandatangani", data={"mode": "elektronik", **data}),
    )


def test_dairi_permit_signed_electronically_has_one_number_and_validates(
    services, users, driver, ca, kadis_p12
):
    esign.add_trust_root(services, users["admin"], ca.pem)
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    assert driver.run(intake.case_id, stop_at="ttd_izin") is CaseStatus.RUNNING
    outgoing_before = len(services.books.agenda("surat_keluar", 2026))
    _sign_step(
        services,
        users,
        driver,
        intake.case_id,
        "ttd_izin",
        {"p12": kadis_p12, "passphrase": PASSPHRASE},
    )
    # The number is taken at signing, before the penomoran step.
    signed_view = services.queries.case(intake.case_id)
    assert signed_view.open_step is not None and signed_view.open_step.step_id == "nomor_izin"
    assert signed_view.permit_number == "503/0001/IT-LKSA/DPMPTSPK/2026"
    assert driver.run(intake.case_id) is CaseStatus.ISSUED

    view = services.queries.case(intake.case_id)
    assert view.permit_number == "503/0001/IT-LKSA/DPMPTSPK/2026"
    book = services.books.agenda("izin_lks_asing", 2026)
    assert [r.number for r in book] == [view.permit_number]  # exactly one number
    assert len(services.books.agenda("surat_keluar", 2026)) == outgoing_before

    permit = next(d for d in view.documents if d.kind == "izin")
    final = services.documents.pdf(permit.id)
    text = squash(pdf_text(final))
    assert "Ditandatangani secara elektronik" in text and "Marisi Sianturi" in text
    assert view.permit_number in text and "DRAF" not in text
    (report,) = esign.validate_signatures(final, [ca.certificate])
    assert report.ok and report.signer.common_name == KADIS_NAME

    # The verification of the stored file: valid, its signature shown.
    result = verify_pdf(services, final)
    assert result.verdict is Verdict.VALID and result.source == "metadata"
    assert result.signatures and result.signatures[0].ok

    # Only the certificate's identity is recorded; the penomoran step confirmed the number.
    from desktop_perizinan.db.models import StepRecord

    with services.db.reading() as session:
        records = {
            r.step_id: r.data
            for r in session.query(StepRecord).filter(StepRecord.case_id == intake.case_id)
        }
    signed = records["ttd_izin"]
    assert signed["mode"] == "elektronik" and signed["nomor"] == view.permit_number
    assert signed["sertifikat"]["serial"] and signed["sertifikat"]["sidik_jari_sha256"]
    assert "p12" not in str(records) and PASSPHRASE not in str(records)
    assert records["nomor_izin"] == {
        "document_id": permit.id,
        "nomor": view.permit_number,
        "dikonfirmasi": True,
    }


def test_a_rejection_signed_electronically_takes_an_outgoing_number(
    services, users, driver, kadis_p12
):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[1], seed=1)
    assert driver.run(intake.case_id, {"rekomendasi": ["tolak"]}, stop_at="ttd_penolakan")
    step = services.queries.case(intake.case_id).open_step
    services.work.act(
        users["kadis"],
        ActRequest(
            step.step_record_id,
            "ditandatangani",
            data={"mode": "elektronik", "p12": kadis_p12, "passphrase": PASSPHRASE},
        ),
    )
    assert driver.run(intake.case_id) is CaseStatus.REJECTED
    view = services.queries.case(intake.case_id)
    letter = next(d for d in view.documents if d.kind == "penolakan")
    outgoing = [r.number for r in services.books.agenda("surat_keluar", 2026)]
    assert outgoing.count(letter.number) == 1
    assert "Ditandatangani secara elektronik" in squash(pdf_text(services.documents.pdf(letter.id)))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda ca: (kadis_pkcs12(ca), "sandi-salah"), "Kata sandi"),
        (lambda ca: (b"ini bukan sertifikat", PASSPHRASE), "bukan sertifikat elektronik"),
        (
            lambda ca: (
                ca.pkcs12(
                    KADIS_NAME,
                    serial_number=KADIS_NIP,
                    not_after=datetime(2025, 12, 31, tzinfo=UTC),
                ),
                PASSPHRASE,
            ),
            "kedaluwarsa",
        ),
        (
            lambda ca: (
                ca.pkcs12("Jonner Tamba", serial_number="197303031997031004"),
                PASSPHRASE,
            ),
            "bukan milik Drs. Marisi Sianturi",
        ),
    ],
    ids=["sandi-salah", "bukan-p12", "kedaluwarsa", "milik-orang-lain"],
)
def test_a_refused_certificate_changes_nothing(services, users, driver, ca, make, expected):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    driver.run(intake.case_id, stop_at="ttd_izin")
    before = services.queries.case(intake.case_id)
    p12, passphrase = make(ca)
    with pytest.raises(ValidationError) as caught:
        services.work.act(
            users["kadis"],
            ActRequest(
                before.open_step.step_record_id,
                "ditandatangani",
                data={"mode": "elektronik", "p12": p12, "passphrase": passphrase},
            ),
        )
    assert expected in caught.value.message
    after = services.queries.case(intake.case_id)
    assert after.timeline == before.timeline and after.documents == before.documents
    assert after.permit_number is None
    assert services.books.agenda("izin_lks_asing", 2026) == []


# ----------------------------------------------------------------------------- import


def _issued_wet(services, driver) -> tuple[int, str, bytes]:
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    assert driver.run(intake.case_id) is CaseStatus.ISSUED
    view = services.queries.case(intake.case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    return permit.id, permit.number, services.documents.pdf(permit.id)


def test_import_a_permit_signed_elsewhere(services, users, driver, ca, identity):
    document_id, number, final = _issued_wet(services, driver)
    signed_elsewhere = esign.sign_pdf(identity, final, field_name="BSrE")

    # No trust root yet: refused, and the message says what to do.
    with pytest.raises(ValidationError, match="Belum ada sertifikat CA terpercaya"):
        esign.import_signed(services, users["backoffice"], document_id, signed_elsewhere)
    esign.add_trust_root(services, users["admin"], ca.pem)

    result = esign.import_signed(services, users["backoffice"], document_id, signed_elsewhere)
    assert result.number == number and result.signatures[0].ok
    assert services.documents.pdf(document_id) == signed_elsewhere
    verdict = verify_pdf(services, signed_elsewhere)
    assert verdict.verdict is Verdict.VALID and verdict.version == result.version
    # The wet final stays a valid, older version.
    older = verify_pdf(services, final)
    assert older.valid and any("versi yang lebih baru" in n for n in older.notes)


def test_import_refuses_tampered_untrusted_and_foreign_files(services, users, driver, ca, identity):
    document_id, _number, final = _issued_wet(services, driver)
    esign.add_trust_root(services, users["admin"], ca.pem)
    signed = esign.sign_pdf(identity, final)

    tampered = bytearray(signed)
    tampered[final.index(b"stream") + 40] ^= 0x01
    with pytest.raises(ValidationError, match="tidak utuh"):
        esign.import_signed(services, users["backoffice"], document_id, bytes(tampered))

    other = make_ca("CA Lain", key_slot=5)
    stranger = esign.open_pkcs12(other.pkcs12(KADIS_NAME, key_slot=6), PASSPHRASE)
    with pytest.raises(ValidationError, match="tidak berantai"):
        esign.import_signed(
            services, users["backoffice"], document_id, esign.sign_pdf(stranger, final)
        )

    with pytest.raises(ValidationError, match="tidak ditemukan dalam teks"):
        esign.import_signed(
            services, users["backoffice"], document_id, esign.sign_pdf(identity, _unsigned_pdf())
        )
    with pytest.raises(ValidationError, match="tidak memuat tanda tangan"):
        esign.import_signed(services, users["backoffice"], document_id, final)
    with pytest.raises(PermissionDenied):
        esign.import_signed(services, users["front_office"], document_id, signed)
    # Nothing was stored by any refusal.
    assert services.documents.pdf(document_id) == final
