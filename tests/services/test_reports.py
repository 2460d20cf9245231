"""The reports against figures worked out by hand, on SQLite and PostgreSQL.

The fixture office works Monday–Thursday 07:30–16:00 (510 working minutes) and Friday
07:30–16:30; 30 June and 6–10 July 2026 are ordinary working days (checked below). Five cases,
moved by a ``SteppingClock`` so every step's start and end are known:

====  =====================  ==================================  ==========================
case  permit type            what happens                        times
====  =====================  ==================================  ==========================
E     Nomor Induk Kesenian   received Tue 30 Jun 08:00; steps    steps 3–6 each 60 min after
                             1–3 that day; kabid's step waits    the previous; step 4 done
                             over the weekend; issued 6 Jul      Mon 6 Jul 09:00, closed 11:00
A     Nomor Induk Kesenian   received Mon 6 Jul 09:00, issued    every step 60 min, closed
                             the same morning                    13:00
B     Izin Teknis LKS Asing  received Tue 7 Jul 08:00, rejected  every step 20 min, closed
                             at the recommendation               12:00
C     STP LKS Asing          received Wed 8 Jul 08:00,           withdrawn 08:30
                             withdrawn at verification
D     Nomor Induk Kesenian   received Wed 8 Jul 10:00, left at   verification due Thu 9 Jul
                             verification                        10:00; "now" Fri 10 Jul 10:00
====  =====================  ==================================  ==========================

The intake records the applicant's step and the completeness check at the moment of
reception (0 minutes); the driver advances the clock before each later step.
"""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pytest

from desktop_perizinan.documents.xlsx_books import Cancelled
from desktop_perizinan.services.demo import DEMO_APPLICANTS, SteppingClock
from desktop_perizinan.services.reports import (
    Period,
    ReportService,
    duration_minutes,
    report_workbook,
)
from desktop_perizinan.workflow.durations import Duration

NIK = "PASURUAN-NIK-KESENIAN"
STP = "PASURUAN-STP-LKS-ASING"
DAIRI = "DAIRI-LKS-ASING"
NOW = datetime(2026, 7, 10, 10, 0)


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(datetime(2026, 6, 30, 8, 0))


@pytest.fixture
def office(services, users, driver, clock):  # type: ignore[no-untyped-def]
    """The five cases of the module docstring; returns their ids by letter."""
    cal = services.calendar
    for day in [date(2026, 6, 30), *(date(2026, 7, d) for d in range(1, 11))]:
        if day.weekday() < 5:
            assert cal.is_working_day(day), day  # the hand counts assume no holiday
    ids = {}
    e = driver.submit(NIK, DEMO_APPLICANTS[2])
    driver.run(e.case_id, minutes_per_step=60, stop_at="verifikasi_ba")
    clock.current = datetime(2026, 7, 6, 8, 0)
    driver.run(e.case_id, minutes_per_step=60)
    ids["E"] = e.case_id
    clock.current = datetime(2026, 7, 6, 9, 0)
    ids["A"] = driver.submit(NIK, DEMO_APPLICANTS[3]).case_id
    driver.run(ids["A"], minutes_per_step=60)
    clock.current = datetime(2026, 7, 7, 8, 0)
    ids["B"] = driver.submit(DAIRI, DEMO_APPLICANTS[1]).case_id
    driver.run(ids["B"], {"rekomendasi": ["tolak"]}, minutes_per_step=20)
    clock.current = datetime(2026, 7, 8, 8, 0)
    ids["C"] = driver.submit(STP, DEMO_APPLICANTS[0]).case_id
    driver.run(ids["C"], minutes_per_step=30, stop_at="verifikasi")
    clock.advance(30)
    services.work.withdraw(users["front_office"], ids["C"], "Pemohon menarik berkas")
    clock.current = datetime(2026, 7, 8, 10, 0)
    ids["D"] = driver.submit(NIK, DEMO_APPLICANTS[2], seed=1).case_id
    driver.run(ids["D"], minutes_per_step=60, stop_at="verifikasi")
    clock.current = NOW
    return ids


def _row(recap, code):  # type: ignore[no-untyped-def]
    return next(r for r in recap.rows if r.form_code == code)


def test_monthly_recap_counts_flow(services, office):
    recap = ReportService(services).recap(Period(2026, 7))
    # Received in July: A, D (NIK), B (Dairi), C (STP). Closed in July: E and A issued (E was
    # received in June), B rejected, C withdrawn. Open at the end of July: D.
    nik, dairi, stp = _row(recap, NIK), _row(recap, DAIRI), _row(recap, STP)
    assert (nik.received, nik.issued, nik.rejected, nik.withdrawn, nik.in_progress) == (
        2, 2, 0, 0, 1,
    )  # fmt: skip
    assert (dairi.received, dairi.rejected, dairi.in_progress) == (1, 1, 0)
    assert (stp.received, stp.withdrawn, stp.in_progress) == (1, 1, 0)
    total = recap.total
    assert (total.received, total.issued, total.rejected, total.withdrawn, total.in_progress) == (
        4, 2, 1, 1, 1,
    )  # fmt: skip
    # Every loaded permit type has a row, even with nothing to count.
    assert {r.form_code for r in recap.rows} == set(services.forms.types)


def test_june_and_the_year(services, office):
    reports = ReportService(services)
    june = reports.recap(Period(2026, 6)).total
    assert (june.received, june.issued, june.in_progress) == (1, 0, 1)  # E, still open on 1 July
    year = reports.recap(Period(2026)).total
    assert (year.received, year.issued, year.rejected, year.withdrawn, year.in_progress) == (
        5, 2, 1, 1, 1,
    )  # fmt: skip
    months = reports.months(2026, until=7)
    assert [m.received for m in months] == [0, 0, 0, 0, 0, 1, 4]
    assert [m.in_progress for m in months] == [0, 0, 0, 0, 0, 1, 1]
    # The flow adds up: open at the end of June + received - closed in July = open at the end.
    assert months[5].in_progress + months[6].received - (2 + 1 + 1) == months[6].in_progress
    assert reports.years() == [2026]


def test_step_compliance_against_the_standard(services, office):
    comp = ReportService(services).compliance(Period(2026, 7))
    steps = {(s.form_code, s.step_id): s for s in comp.steps}
    # Only steps *done* in July count: E's steps 1–3 were done on 30 June.
    daftar = steps[(NIK, "daftar")]
    assert (daftar.done, daftar.on_time, daftar.median_minutes) == (2, 2, 0)  # A and D, at intake
    verifikasi = steps[(NIK, "verifikasi")]
    assert (verifikasi.done, verifikasi.on_time, verifikasi.median_minutes) == (1, 1, 60)  # A
    # Kabid's verification: A took 60 min; E started Tue 30 Jun 09:00 and was done Mon 6 Jul
    # 09:00: 420 (Tue) + 510 (Wed) + 510 (Thu) + 540 (Fri) + 90 (Mon) = 2070 working minutes,
    # against "1 hari" (510). Median of 60 and 2070 = 1065.
    ba = steps[(NIK, "verifikasi_ba")]
    assert (ba.done, ba.on_time, ba.median_minutes) == (2, 1, 1065)
    assert (ba.standard, ba.standard_minutes, ba.role) == ("1 hari", 510, "kabid")
    # Signing and issuing took 60 minutes each against "30 menit": never on time.
    for step_id in ("tanda_tangan", "terbitkan"):
        s = steps[(NIK, step_id)]
        assert (s.done, s.on_time, s.median_minutes, s.standard_minutes) == (2, 0, 60, 30)
        assert s.share == 0
    # Dairi rejection: 20 min per step; only the applicant's receipt (15 Menit) is late.
    late = [s.step_id for s in comp.steps if s.form_code == DAIRI and s.on_time < s.done]
    assert late == ["terima_penolakan"]
    assert steps[(DAIRI, "koordinasi")].standard_minutes == 3 * 510
    # The withdrawn STP case: its verification was closed by the withdrawal, not worked.
    assert (STP, "verifikasi") not in steps
    assert [s.step_id for s in comp.steps if s.form_code == STP] == ["daftar", "cek_kelengkapan"]


def test_role_compliance(services, office):
    roles = {r.role: r for r in ReportService(services).compliance(Period(2026, 7)).roles}
    # Kepala Dinas: Dairi's signing (20 of 120 min, on time) and two NIK signings (60 of 30).
    kadis = roles["kadis"]
    assert (kadis.done, kadis.on_time, kadis.median_minutes, kadis.median_standard_minutes) == (
        1 + 2, 1, 60, 30,
    )  # fmt: skip
    assert kadis.share == pytest.approx(1 / 3)
    # The applicant's own steps count for "Pemohon" (the SOP's actor), not for the counter that
    # records them: Dairi's submission and receipt, NIK's two submissions, STP's submission.
    pemohon = roles["pemohon"]
    assert (pemohon.done, pemohon.on_time) == (5, 4)
    kabid = roles["kabid"]  # Dairi's paraf (20 min) and NIK's verification of A and E
    assert (kabid.done, kabid.on_time, kabid.median_minutes) == (3, 2, 60)


def test_total_time_against_the_sop(services, office):
    totals = {
        (t.form_code, t.ending): t
        for t in ReportService(services).compliance(Period(2026, 7)).totals
    }
    nik = totals[(NIK, "terbit")]
    # The SOP states "3 Hari 90 menit" = 3 × 510 + 90 = 1620 working minutes.
    assert (nik.stated_minutes, nik.closed) == (1620, 2)
    # A: 09:00 → 13:00 = 240. E: Tue 30 Jun 08:00 → Mon 6 Jul 11:00 =
    # 480 + 510 + 510 + 540 + 210 = 2250, past its promise (Fri 3 Jul 09:30).
    assert (nik.median_minutes, nik.longest_minutes, nik.within) == ((240 + 2250) // 2, 2250, 1)
    dairi = totals[(DAIRI, "ditolak")]
    assert (dairi.closed, dairi.within, dairi.median_minutes) == (1, 1, 240)  # 08:00 → 12:00
    assert dairi.stated == "9 Hari 13 Jam"  # the rejection path's own sum
    assert totals[(DAIRI, "terbit")].closed == 0
    assert (STP, "ditolak") not in totals  # a rejection row only when there was one


def test_overdue_list(services, office):
    rows = ReportService(services).overdue()
    # D's verification: due Thu 9 Jul 10:00, now Fri 10 Jul 10:00: 360 + 150 working minutes.
    assert [(r.case_id, r.step_no, r.late_minutes) for r in rows] == [(office["D"], 3, 510)]
    assert rows[0].reference.startswith("REG/2026/")
    assert rows[0].applicant_name == DEMO_APPLICANTS[2].name


def test_bundle_and_workbook_with_native_charts(services, office):
    reports = ReportService(services)
    buffer = BytesIO()
    steps: list[int] = []
    bundle = reports.export_xlsx(Period(2026, 7), buffer, progress=steps.append)
    assert steps[-1] == 100 and steps == sorted(steps)
    assert bundle.recap.total.received == 4

    from zipfile import ZipFile

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(buffer.getvalue()))
    assert wb.sheetnames == [
        "Rekap", "Per Bulan", "Kepatuhan Langkah", "Kepatuhan Pelaksana", "Waktu Total",
        "Terlambat",
    ]  # fmt: skip
    recap = wb["Rekap"]
    assert recap["A1"].value == "LAPORAN PELAYANAN PERIZINAN"
    assert recap["A6"].value == "Jenis Izin" and recap.freeze_panes == "A7"
    names = [recap.cell(row=r, column=1).value for r in range(7, 11)]
    assert names[-1] == "Jumlah" and recap["B10"].value == 4
    assert recap.page_setup.orientation == "landscape"
    steps_sheet = wb["Kepatuhan Langkah"]
    header = [c.value for c in steps_sheet[6]]
    assert header[8] == "% Tepat Waktu"
    shares = [steps_sheet.cell(row=r, column=9) for r in range(7, steps_sheet.max_row + 1)]
    assert all(c.number_format == "0%" for c in shares if c.value is not None)
    late = wb["Terlambat"]
    assert late["A7"].value.startswith("REG/2026/") and late["H7"].value == "1 hari"
    # Native Excel charts (openpyxl does not read charts back: look inside the package).
    with ZipFile(BytesIO(buffer.getvalue())) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
        xml = package.read(charts[0]).decode()
    # Rekap 1, Per Bulan 1, one per permit type with steps done (3), Pelaksana 1, Total 1.
    assert len(charts) == 7
    assert "<barChart>" in xml and '<barDir val="bar"/>' in xml and "'Rekap'!$B$7:$B$9" in xml
    assert '<delete val="0"/>' in xml  # axes shown (openpyxl 3.1 hides them otherwise)


def test_report_workbook_context_is_plain(services, office):
    bundle = ReportService(services).bundle(Period(2026, 7))
    book = report_workbook(bundle)
    overdue = next(s for s in book.sheets if s.name == "Terlambat")
    assert len(overdue.rows) == 1 and overdue.rows[0][3] == 3
    step_sheet = next(s for s in book.sheets if s.name == "Kepatuhan Langkah")
    assert [c.rows for c in step_sheet.charts] == [(0, 14), (15, 20), (21, 22)]


def test_export_can_be_cancelled(services, office):
    buffer = BytesIO()
    with pytest.raises(Cancelled):
        ReportService(services).export_xlsx(Period(2026, 7), buffer, cancelled=lambda: True)
    assert buffer.getvalue() == b""


def test_duration_minutes():
    assert duration_minutes(Duration(3, 90), 510) == 1620
    assert duration_minutes(Duration.parse("2 Jam"), 510) == 120


@pytest.mark.parametrize("period", [Period(2026, 7), Period(2026, 6), Period(2026)])
def test_summary_counts_what_the_full_reports_count(services, office, period):
    """The Laporan screen shows the summary's SQL counts first: they must be the figures the
    full bundle gives (status line, Rekap, months, the Terlambat tab's count)."""
    reports = ReportService(services)
    summary = reports.summary(period)
    bundle = reports.bundle(period)
    assert (summary.recap, summary.months) == (bundle.recap, bundle.months)
    steps = bundle.compliance.steps
    assert summary.steps_done == sum(s.done for s in steps) > 0
    assert summary.steps_on_time == sum(s.on_time for s in steps)
    assert summary.overdue_count == len(bundle.overdue)
    completed = reports.complete(summary)
    assert (completed.compliance, completed.overdue) == (bundle.compliance, bundle.overdue)
