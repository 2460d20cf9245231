"""The SOP's applicant labels and mandatory address, date-or-lifetime fields and the file's
closing sentence, through the services on SQLite and PostgreSQL (issue 11)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_perizinan.db.models import Case
from desktop_perizinan.errors import FieldErrors
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
    SteppingClock,
    create_demo_users,
    demo_clock,
)
from tests.services.pdftext import pdf_text, squash

OWN_FORMS = Path(__file__).resolve().parents[1] / "forms_demo"
CODE = "UJI-PENCABUTAN"


@pytest.fixture
def own_clock() -> SteppingClock:
    return demo_clock()


@pytest.fixture
def own_services(db_url: str, own_clock: SteppingClock) -> Iterator[Services]:
    s = Services.open(db_url, OWN_FORMS, clock=own_clock)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def own_driver(own_services, own_clock) -> CaseDriver:
    return CaseDriver(own_services, create_demo_users(own_services), own_clock)


def _cases(services: Services) -> int:
    with services.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def test_the_mandatory_address_is_refused_under_the_sops_label(own_services, own_driver):
    nameless = replace(DEMO_APPLICANTS[1], address="  ", name="")
    with pytest.raises(FieldErrors) as caught:
        own_driver.submit(CODE, nameless)
    assert caught.value.errors["alamat"] == "Alamat Lengkap — tidak boleh disingkat wajib diisi."
    assert caught.value.errors["nama"] == "Nama Pemohon sesuai SK wajib diisi."
    assert _cases(own_services) == 0  # nothing written


def test_an_address_is_optional_where_the_sop_does_not_ask(own_services, own_driver):
    result = own_driver.submit("UJI-TANPA-KELENGKAPAN", replace(DEMO_APPLICANTS[1], address=""))
    assert result.reg_number


def _final_text(services: Services, driver: CaseDriver, seed: int) -> str:
    result = driver.submit(CODE, DEMO_APPLICANTS[0], seed=seed)
    driver.run(result.case_id)
    view = services.queries.case(result.case_id)
    permit = next(d for d in view.documents if d.kind == "izin" and d.number)
    return squash(pdf_text(services.documents.pdf(permit.id)))


def test_the_letter_prints_the_sops_labels_lifetime_and_closing(own_services, own_driver):
    text = _final_text(own_services, own_driver, seed=0)  # seed 0: "Seumur Hidup"
    assert f"Nama pemegang izin : {DEMO_APPLICANTS[0].name}" in text
    assert f"Alamat Lengkap : {DEMO_APPLICANTS[0].address}" in text
    assert "yang berlaku Seumur Hidup dinyatakan dicabut" in text
    assert "Masa berlaku izin yang dicabut : Seumur Hidup" in text
    assert "tanggal 15 Januari 2026" in text
    assert (
        "Demikian keputusan pencabutan izin ini dibuat untuk dilaksanakan sebagaimana mestinya."
        in text
    )
    assert "Demikian surat izin ini diberikan" not in text
    # Menimbang and Tembusan from the file.
    assert "Menimbang : 1. bahwa pemegang izin mengajukan permohonan pencabutan" in text
    assert "Tembusan: 1. Bupati Uji (sebagai laporan) 2. Camat setempat" in text


def test_a_dated_lifetime_field_prints_the_long_date(own_services, own_driver):
    text = _final_text(own_services, own_driver, seed=1)  # seed 1: 2031-12-31
    assert "yang berlaku 31 Desember 2031 dinyatakan dicabut" in text
    assert "2031-12-31" not in text


def test_a_type_without_closing_keeps_todays_sentence(own_services, own_driver):
    result = own_driver.submit("UJI-TANPA-KELENGKAPAN", DEMO_APPLICANTS[2])
    own_driver.run(result.case_id)
    view = own_services.queries.case(result.case_id)
    permit = next(d for d in view.documents if d.kind == "izin" and d.number)
    text = squash(pdf_text(own_services.documents.pdf(permit.id)))
    assert "Demikian surat izin ini diberikan untuk dipergunakan sebagaimana mestinya." in text
    assert "Nama pemohon :" in text  # the default print label
    assert "Alamat :" not in text  # the SOP does not ask for it: no row


def test_the_resi_prints_the_sops_labels_too(own_services, own_driver):
    """The receipt the applicant takes home names the fields as the permit will."""
    result = own_driver.submit(CODE, DEMO_APPLICANTS[0], seed=0)
    text = squash(pdf_text(result.pdf))
    assert f"Nama pemegang izin {DEMO_APPLICANTS[0].name}" in text or (
        f"Nama pemegang izin : {DEMO_APPLICANTS[0].name}" in text
    )
    assert "Alamat Lengkap" in text
    assert "Nama pemohon" not in text
