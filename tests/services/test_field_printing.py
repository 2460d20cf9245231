"""Fields as documents print them (issue 11): a date field reads "15 Januari 2026" in the
permit's wording and in its data table, never the stored ISO form; SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_perizinan.db.models import Case
from desktop_perizinan.documents.field_text import display_value
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import SteppingClock, demo_clock, run_demo
from desktop_perizinan.workflow.definition import FieldType, FormField
from tests.services.pdftext import pdf_text, squash

OWN_FORMS = Path(__file__).resolve().parents[1] / "forms_demo"


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


def test_a_date_field_prints_in_indonesian_long_form(own_services, own_clock):
    summary = run_demo(own_services, own_clock)
    run = next(
        r for r in summary.runs if (r.form_code, r.branch) == ("UJI-TANPA-KELENGKAPAN", "izin")
    )
    view = own_services.queries.case(run.case_id)
    # Stored as ISO (it sorts), shown on screen as the letters print it.
    with own_services.db.reading() as session:
        stored = session.get(Case, run.case_id).field_values
    assert "2026-01-15" in stored.values()
    assert ("Tanggal mulai kegiatan", "15 Januari 2026") in view.fields
    permit = next(d for d in view.documents if d.number == run.number)
    text = squash(pdf_text(own_services.documents.pdf(permit.id)))
    assert "mulai 15 Januari 2026." in text  # the wording's {tanggal_mulai}
    assert "Tanggal mulai kegiatan : 15 Januari 2026" in text  # the permit's data table
    assert "2026-01-15" not in text


def test_display_value_keeps_what_it_cannot_read():
    spec = FormField("mulai", "Mulai", FieldType.DATE)
    assert display_value(spec, "2024-03-15") == "15 Maret 2024"
    assert display_value(spec, "") == ""
    assert display_value(spec, "kemarin") == "kemarin"
    text = FormField("nama", "Nama", FieldType.TEXT)
    assert display_value(text, "2024-03-15") == "2024-03-15"


def test_the_personal_data_report_prints_dates_long_too(own_services, own_clock):
    summary = run_demo(own_services, own_clock)
    run = next(r for r in summary.runs if r.form_code == "UJI-TANPA-KELENGKAPAN")
    nik = own_services.queries.case(run.case_id).applicant_nik
    admin = next(a for a in own_services.users.list_users() if "admin" in a.roles)
    report = own_services.pdp_report.make(admin, nik)
    text = squash(pdf_text(report.pdf))
    assert "15 Januari 2026" in text
    assert "2026-01-15" not in text
