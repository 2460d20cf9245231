"""``run_demo`` on a folder of permit types it has never seen (issue 11): every type end to
end, both branches where a type has them, one user per declared role, scenarios only where the
steps exist, and each final checked by the verification service (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_perizinan.db.models import User
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import SteppingClock, demo_clock, run_demo
from desktop_perizinan.services.demo_plan import INCOMPLETE_FILE, RETURNED_PARAF
from desktop_perizinan.services.esign.errors import SigningError
from desktop_perizinan.services.verification import verify_pdf
from desktop_perizinan.workflow.definition import CaseStatus

OWN_FORMS = Path(__file__).resolve().parents[1] / "forms_demo"
LIFECYCLE_FORMS = Path(__file__).resolve().parents[1] / "forms_lifecycle"


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


def test_every_type_of_a_new_office_runs_with_its_own_roles(own_services, own_clock):
    summary = run_demo(own_services, own_clock)

    runs = {(r.form_code, r.branch): r for r in summary.runs}
    assert set(runs) == {
        ("UJI-DENGAN-KELENGKAPAN", "izin"),
        ("UJI-PENCABUTAN", "izin"),
        ("UJI-TANPA-KELENGKAPAN", "izin"),
        ("UJI-TANPA-KELENGKAPAN", "penolakan"),
    }
    assert summary.ok, [r.problem for r in summary.runs]
    # The scenarios go where the steps are: the type without a completeness check never gets
    # the incomplete file (the old demo crashed on it), the one without paraf no returned paraf.
    assert runs["UJI-DENGAN-KELENGKAPAN", "izin"].scenarios == (INCOMPLETE_FILE,)
    assert runs["UJI-TANPA-KELENGKAPAN", "izin"].scenarios == (RETURNED_PARAF,)
    assert runs["UJI-TANPA-KELENGKAPAN", "penolakan"].status is CaseStatus.REJECTED
    assert runs["UJI-TANPA-KELENGKAPAN", "penolakan"].number == "800/001/UJI/2026"
    assert runs["UJI-TANPA-KELENGKAPAN", "izin"].number == "503/001/IU/2026"

    # One user per role of the office file (the applicant has none), named by its title.
    with own_services.db.reading() as session:
        titles = {u.username: u.title for u in session.scalars(select(User))}
    assert titles["staf_backoffice"] == "Staf Backoffice"
    assert titles["arsiparis"] == "Arsiparis"
    assert set(titles) == {
        "admin",
        "petugas_loket",
        "staf_backoffice",
        "kasi_pelayanan",
        "kepala_kantor",
        "arsiparis",
    }


def test_the_final_letters_verify_and_the_incomplete_file_left_a_klarifikasi(
    own_services, own_clock
):
    summary = run_demo(own_services, own_clock)
    for run in summary.runs:
        view = own_services.queries.case(run.case_id)
        final = next(d for d in view.documents if d.number == run.number)
        assert verify_pdf(own_services, own_services.documents.pdf(final.id)).valid
    incomplete = next(r for r in summary.runs if INCOMPLETE_FILE in r.scenarios)
    kinds = [d.kind for d in own_services.queries.case(incomplete.case_id).documents]
    assert "klarifikasi" in kinds and "resi" in kinds


def test_a_run_that_fails_is_reported_and_the_other_types_still_run(own_services, own_clock):
    def refusing_backend(services, actor):
        raise SigningError("Sertifikat penanda tangan tidak dapat dipakai.")

    summary = run_demo(own_services, own_clock, signing=refusing_backend)

    assert not summary.ok
    assert len(summary.runs) == 4
    assert {r.problem for r in summary.runs} == {"Sertifikat penanda tangan tidak dapat dipakai."}
    assert all(r.status is CaseStatus.RUNNING and r.number is None for r in summary.runs)


@pytest.mark.skipif(
    not (LIFECYCLE_FORMS / "_kantor.toml").is_file(), reason="tests/forms_lifecycle not written yet"
)
def test_the_lifecycle_test_types_run_end_to_end(db_url):
    clock = demo_clock()
    services = Services.open(db_url, LIFECYCLE_FORMS, clock=clock)
    try:
        summary = run_demo(services, clock)
    finally:
        services.close()
    assert summary.runs
    assert summary.ok, [(r.form_code, r.branch, r.problem) for r in summary.runs]
