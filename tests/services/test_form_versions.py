"""A change to a permit-type file never alters a case already running under the old version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import DEMO_APPLICANTS, CaseDriver, create_demo_users

FORMS = Path(__file__).resolve().parents[2] / "forms"
DAIRI_FILE = "dairi-izin-teknis-lks-asing.toml"


def test_running_case_keeps_its_version(db_url, tmp_path, clock):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    first = Services.open(db_url, forms, clock=clock)
    users = create_demo_users(first)
    old_case = CaseDriver(first, users, clock).submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[0])
    first.close()

    # The office lengthens verification from 2 Jam to 4 Jam and renames it.
    path = forms / DAIRI_FILE
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        'name = "Verifikasi berkas dan proses permohonan izin"\n'
        'actor = "backoffice"\n'
        'actor_label = "Backoffice / Ka Seksi Pel II"\n'
        'action = "verifikasi"\n'
        'inputs = "Berkas, Standar Pelayanan, SK Tim Teknis"\n'
        'time = "2 Jam"',
        'name = "Verifikasi berkas (revisi 2027)"\n'
        'actor = "backoffice"\n'
        'actor_label = "Backoffice / Ka Seksi Pel II"\n'
        'action = "verifikasi"\n'
        'inputs = "Berkas, Standar Pelayanan, SK Tim Teknis"\n'
        'time = "4 Jam"',
    )
    assert "revisi 2027" in text
    path.write_text(text, encoding="utf-8")

    second = Services.open(db_url, forms, clock=clock)
    try:
        driver = CaseDriver(second, users, clock)
        new_case = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[1])
        for case_id in (old_case.case_id, new_case.case_id):
            driver.run(case_id, stop_at="koordinasi")
        old = second.queries.case(old_case.case_id)
        new = second.queries.case(new_case.case_id)
        old_step5 = next(t for t in old.timeline if t.step_no == 5)
        new_step5 = next(t for t in new.timeline if t.step_no == 5)
        assert (old_step5.name, old_step5.standard) == (
            "Verifikasi berkas dan proses permohonan izin",
            "2 Jam",
        )
        assert (new_step5.name, new_step5.standard) == ("Verifikasi berkas (revisi 2027)", "4 Jam")
    finally:
        second.close()


def test_reload_forms_uses_new_files_for_new_cases_only(db_url, tmp_path, clock):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    services = Services.open(db_url, forms, clock=clock)
    try:
        users = create_demo_users(services)
        driver = CaseDriver(services, users, clock)
        old_case = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[0])
        path = forms / DAIRI_FILE
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                'name = "Pemberian rekomendasi"', 'name = "Rekomendasi tim teknis (baru)"'
            ),
            encoding="utf-8",
        )
        reloaded = services.reload_forms()
        assert reloaded is services.forms
        new_case = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[1])
        for case_id in (old_case.case_id, new_case.case_id):
            driver.run(case_id, stop_at="draf_izin")
        names = [
            next(t.name for t in services.queries.case(c).timeline if t.step_no == 8)
            for c in (old_case.case_id, new_case.case_id)
        ]
        assert names == ["Pemberian rekomendasi", "Rekomendasi tim teknis (baru)"]
        # A broken office file leaves the running configuration as it was.
        (forms / "_kantor.toml").write_text("[roles\n", encoding="utf-8")
        with pytest.raises(UserError):
            services.reload_forms()
        assert services.forms is reloaded
    finally:
        services.close()
