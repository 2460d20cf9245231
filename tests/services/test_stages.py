"""PP 28/2025 stage deadlines (issue 13.5): the file's [stages], a case's stages on the office
calendar, and the Beranda flag for cases close to or past a stage deadline (fiktif positif)."""

from __future__ import annotations

import pytest

from desktop_perizinan.services.demo import DEMO_APPLICANTS
from desktop_perizinan.services.stages import describe
from desktop_perizinan.workflow.form_problems import FormFileError
from desktop_perizinan.workflow.loader import parse_permit_type
from desktop_perizinan.workflow.stages import NEAR, ON_TIME, OVERDUE, stages_of
from tests.services.conftest import FORMS

DAIRI = "DAIRI-LKS-ASING"


def test_stages_read_from_the_permit_file(services):
    pt = services.permit_type(DAIRI)
    stages = {s.code: s for s in stages_of(pt)}
    assert list(stages) == ["pendaftaran", "penilaian_dokumen", "verifikasi", "penerbitan"]
    assert stages["verifikasi"].deadline.days == 5
    # Without a deadline: the sum of its steps' times (verifikasi = "2 Jam").
    assert not stages["penilaian_dokumen"].declared
    assert stages["penilaian_dokumen"].deadline.minutes == 120


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[stages.pendaftarn]\nsteps = ["ajukan"]', 'tahap "pendaftarn" tidak dikenal'),
        ('[stages.pendaftaran]\nsteps = ["tidak_ada"]', 'langkah "tidak_ada" tidak ada'),
        (
            '[stages.pendaftaran]\nsteps = ["ajukan"]\n[stages.verifikasi]\nsteps = ["ajukan"]',
            "sudah masuk tahap",
        ),
        ('[stages.verifikasi]\nsteps = ["koordinasi"]\ndeadline = "lima hari"', "deadline"),
    ],
)
def test_a_wrong_stages_table_is_a_clear_problem(services, table, message):
    path = FORMS / "dairi-izin-teknis-lks-asing.toml"
    text = path.read_text(encoding="utf-8").split("\n[stages.pendaftaran]")[0]
    with pytest.raises(FormFileError) as exc:
        parse_permit_type(f"{text}\n{table}\n", path.name, services.office)
    assert message in str(exc.value)


def test_case_stages_and_the_beranda_flag(services, driver, clock):
    result = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    case_id = result.case_id
    stages = {s.code: s for s in services.stages.case_stages(case_id)}
    assert stages["pendaftaran"].state in (ON_TIME, NEAR)
    assert stages["verifikasi"].started_at is None
    assert "belum dimulai" in describe(stages["verifikasi"], str)
    assert services.stages.at_risk() == []

    driver.run(case_id, stop_at="koordinasi")  # registration and assessment done
    stages = {s.code: s for s in services.stages.case_stages(case_id)}
    assert stages["pendaftaran"].state.startswith("selesai")
    assert stages["penilaian_dokumen"].state.startswith("selesai")
    assert stages["verifikasi"].state == ON_TIME

    clock.advance(60 * 24 * 6)  # 4+ working days later: close to the 5-day deadline
    risks = services.stages.at_risk()
    assert [r.stage for r in risks] == ["Verifikasi"]
    assert risks[0].state == NEAR and not risks[0].fiktif_positif

    clock.advance(60 * 24 * 3)  # past it: fiktif positif risk
    risk = services.stages.at_risk()[0]
    assert risk.state == OVERDUE and risk.fiktif_positif and risk.remaining_minutes < 0
    line = describe(
        services.stages.case_stages(case_id)[2], services.calendar.format_working_minutes
    )
    assert "LEWAT BATAS" in line and "fiktif positif" in line
    from desktop_perizinan.services.dashboard import DashboardService

    board = DashboardService(services).snapshot()
    assert [r.case_id for r in board.stage_risks] == [case_id]
