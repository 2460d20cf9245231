"""The Permohonan table's search: filters, text search and paging, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from desktop_perizinan.services.case_search import CaseFilters, CaseSearch, DeskLookups
from desktop_perizinan.services.demo import DEMO_APPLICANTS, DemoApplicant
from desktop_perizinan.workflow.definition import CaseStatus

DAIRI = "DAIRI-LKS-ASING"
KESENIAN = "PASURUAN-NIK-KESENIAN"


@pytest.fixture
def office(services, users, driver, clock):
    """Five cases on three days (2, 4 and 6 November): issued, rejected, running, waiting for the applicant, withdrawn."""
    issued = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    driver.run(issued.case_id)
    clock.current = datetime(2026, 11, 4, 8, 0)
    rejected = driver.submit(DAIRI, DEMO_APPLICANTS[1], seed=1)
    driver.run(rejected.case_id, {"rekomendasi": ["tolak"]})
    clock.current = datetime(2026, 11, 6, 8, 0)
    running = driver.submit(KESENIAN, DEMO_APPLICANTS[2])
    pt = services.permit_type(KESENIAN)
    mandatory = [r.code for r in pt.requirements_for(False) if r.mandatory]
    waiting = driver.submit(KESENIAN, DEMO_APPLICANTS[3], present=frozenset(mandatory[1:]))
    withdrawn = driver.submit(
        DAIRI, DemoApplicant("1211034101950007", "Sarah 100% Lubis_Tobing", "Sidikalang", "")
    )
    services.work.withdraw(users["front_office"], withdrawn.case_id, "Pemohon membatalkan.")
    return {
        "issued": issued.case_id,
        "rejected": rejected.case_id,
        "running": running.case_id,
        "waiting": waiting.case_id,
        "withdrawn": withdrawn.case_id,
    }


def ids(search: CaseSearch, filters: CaseFilters) -> list[int]:
    rows = search.search_page(filters, 0, 100)
    assert search.count(filters) == len(rows), filters
    return [r.id for r in rows]


def test_every_case_newest_first_with_paging(services, office):
    search = CaseSearch(services)
    everything = ids(search, CaseFilters())
    assert len(everything) == 5
    assert everything[0] == office["withdrawn"] and everything[-1] == office["issued"]
    pages = [r.id for o in range(0, 5, 2) for r in search.search_page(CaseFilters(), o, 2)]
    assert pages == everything
    oldest_first = ids(search, CaseFilters(sort="received_asc"))
    assert oldest_first == list(reversed(everything))
    row = search.search_page(CaseFilters(), 4, 1)[0]
    assert row.status is CaseStatus.ISSUED and row.permit_number and row.step_name
    assert row.permit_name.startswith("Izin Teknis") and not row.overdue


def test_filters(services, office, clock):
    search = CaseSearch(services)
    assert ids(search, CaseFilters(status=CaseStatus.ISSUED)) == [office["issued"]]
    assert ids(search, CaseFilters(status=CaseStatus.WAITING_APPLICANT)) == [office["waiting"]]
    assert set(ids(search, CaseFilters(form_code=KESENIAN))) == {
        office["running"],
        office["waiting"],
    }
    running = services.queries.case(office["running"])
    assert ids(search, CaseFilters(step_id=running.open_step.step_id, form_code=KESENIAN)) == [
        office["running"]
    ]
    today = clock().date()
    assert set(ids(search, CaseFilters(received_from=today))) == {
        office["running"],
        office["waiting"],
        office["withdrawn"],
    }
    first_day = date(2026, 11, 2)
    assert ids(search, CaseFilters(received_from=first_day, received_to=first_day)) == [
        office["issued"]
    ]
    assert ids(search, CaseFilters(received_to=today - timedelta(days=1))) == [
        office["rejected"],
        office["issued"],
    ]
    assert ids(search, CaseFilters(received_to=date(2020, 1, 1))) == []
    # Nothing is late yet; a week later the running case's open step is.
    assert ids(search, CaseFilters(overdue=True)) == []
    clock.advance(7 * 24 * 60)
    assert ids(search, CaseFilters(overdue=True)) == [office["running"]]
    late = search.search_page(CaseFilters(overdue=True), 0, 10)[0]
    assert late.overdue and late.step_due_at is not None and late.step_due_at < clock()


def test_text_search_by_name_nik_and_numbers(services, office):
    search = CaseSearch(services)
    assert search.uses_index
    assert ids(search, CaseFilters(text="SIMAMORA")) == [office["rejected"]]
    assert ids(search, CaseFilters(text="  benget   simam ")) == [office["rejected"]]
    assert ids(search, CaseFilters(text="1203850001")) == [office["rejected"]]
    reg = services.queries.case(office["running"]).reg_number
    assert ids(search, CaseFilters(text=reg.lower())) == [office["running"]]
    permit = services.queries.case(office["issued"]).permit_number  # added after intake
    assert ids(search, CaseFilters(text=permit)) == [office["issued"]]
    assert ids(search, CaseFilters(text="0001/it-lksa")) == [office["issued"]]
    # Words shorter than a trigram still filter (LIKE), alone or with longer ones.
    assert ids(search, CaseFilters(text="ni luh")) == [office["issued"]]
    assert ids(search, CaseFilters(text="ni")) == [office["issued"]]
    # LIKE wildcards and FTS syntax in the text are plain characters.
    assert ids(search, CaseFilters(text="100%")) == [office["withdrawn"]]
    assert ids(search, CaseFilters(text="s_l")) == []
    assert ids(search, CaseFilters(text='"lubis_tobing" OR *')) == []
    assert ids(search, CaseFilters(text="lubis_tobing")) == [office["withdrawn"]]
    # Text and filters combine.
    assert ids(search, CaseFilters(text="sidikalang", status=CaseStatus.ISSUED)) == []
    assert ids(search, CaseFilters(text="siti", form_code=KESENIAN)) == [office["waiting"]]


def test_desk_lookups(services, users, driver):
    lookups = DeskLookups(services)
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    view = services.queries.case(intake.case_id)
    data = lookups.attachment(view.attachments[0].id)
    assert data.mime == "application/pdf" and data.data.startswith(b"%PDF")
    text = lookups.draft_text(intake.case_id, "izin")
    assert DEMO_APPLICANTS[0].name in text and "{nama_lembaga}" not in text
    driver.run(intake.case_id, stop_at="nomor_izin")
    preview = lookups.number_preview(intake.case_id)
    assert preview.number == "503/0001/IT-LKSA/DPMPTSPK/2026"
    assert preview.book_code == "izin_lks_asing" and "Izin" in preview.book_title


def test_a_count_can_be_cancelled_before_and_while_it_runs(services, office, monkeypatch):
    """Issue 14: a newer filter stops the background count of an older one. Cancelled
    before it starts, nothing runs; on SQLite a running count is interrupted (the progress
    handler, asked here after every step), and the connection is fine afterwards."""
    from desktop_perizinan.services import case_search

    search = CaseSearch(services)
    assert search.count(CaseFilters(), cap=10, cancelled=lambda: True) is None
    asked: list[bool] = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 1  # not before the start: only while counting

    monkeypatch.setattr(case_search, "_PROGRESS_STEPS", 1)
    result = search.count(CaseFilters(), cap=10, cancelled=cancelled)
    if services.db.is_postgresql:
        assert result == 5  # counted on the server, to its end
    else:
        assert result is None and len(asked) > 1
    assert search.count(CaseFilters(), cap=10, cancelled=lambda: False) == 5
    assert [r.id for r in search.search_page(CaseFilters(), 0, 1)] == [office["withdrawn"]]
