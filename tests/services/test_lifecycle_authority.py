"""Each form of signing authority a permit-type file can name (Tata Naskah Dinas: langsung,
a.n., u.b., Plt., Plh.) prints its own signature block on the letter and in the agenda book
(issue 11), on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pdftext import pdf_text, squash

from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
    create_demo_users,
    demo_clock,
)
from desktop_perizinan.workflow.definition import CaseStatus

DIR = Path(__file__).resolve().parents[1] / "forms_lifecycle"
SIGN_STEP = '''name = "Kepala Dinas menandatangani surat izin (basah)"
actor = "kadis"
action = "tanda_tangan"'''


@pytest.mark.parametrize(
    ("authority", "printed"),
    [
        ("", "Kepala Bidang Perizinan,"),
        ('authority = "a.n."', "a.n. Kepala Dinas"),
        ('authority = "u.b."', "u.b. Kepala Bidang Perizinan,"),
        ('authority = "Plh."', "Plh. Kepala Dinas"),
    ],
    ids=["langsung", "an", "ub", "plh"],
)
def test_the_signing_steps_authority_is_printed(
    db_url: str, tmp_path: Path, authority: str, printed: str
) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    shutil.copy(DIR / "_kantor.toml", forms)
    text = (DIR / "uji-nomor-basah.toml").read_text(encoding="utf-8")
    assert SIGN_STEP in text
    lines = SIGN_STEP.replace('actor = "kadis"', 'actor = "kabid"')
    if authority:
        lines += f'\n{authority}\non_behalf_of = "kadis"'
    (forms / "uji.toml").write_text(text.replace(SIGN_STEP, lines), encoding="utf-8")
    clock = demo_clock()
    services = Services.open(db_url, forms, clock=clock)
    try:
        users = create_demo_users(services)
        driver = CaseDriver(services, users, clock)
        case_id = driver.submit("UJI-NOMOR-BASAH", DEMO_APPLICANTS[0]).case_id
        assert driver.run(case_id) is CaseStatus.ISSUED
        view = services.queries.case(case_id)
        permit = next(d for d in view.documents if d.kind == "izin")
        letter = squash(pdf_text(services.documents.pdf(permit.id)))
        assert printed in letter and users["kabid"].full_name in letter
        if authority in ('authority = "a.n."', 'authority = "u.b."'):
            assert "Kepala Bidang Perizinan," in letter  # the signer's own office below
        line = services.books.agenda("izin_uji_basah", 2026)[0]
        assert printed.rstrip(",") in line.signed_by.replace(" / ", " ")
        assert line.signed_by.endswith(users["kabid"].full_name)
    finally:
        services.close()
