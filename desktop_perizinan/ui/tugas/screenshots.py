"""Screenshots of the back-office desk and the Permohonan table, with demo data.

``save_screenshots(services, out)`` fills a fresh database with a few demo cases at different
steps (through the services, as the demo does) and saves each screen as PNG: the task list (also
in a dark palette, to check the overdue red stays readable), the case window's tabs, one dialog
per kind of step, and the Permohonan table. Used for the README and by ``perizinan
screenshots``; needs a QApplication (offscreen is fine).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from desktop_perizinan.services.app import Services
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
    SteppingClock,
    create_demo_users,
)
from desktop_perizinan.ui.worker import wait_for_all

DAIRI = "DAIRI-LKS-ASING"


def _settle() -> None:
    app = QApplication.instance()
    assert app is not None
    for _ in range(3):
        wait_for_all()
        app.processEvents()


def _save(widget: QWidget, path: Path, written: list[Path]) -> None:
    _settle()
    widget.grab().save(str(path))
    written.append(path)


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, value in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1f1f1f"),
        (QPalette.ColorRole.AlternateBase, "#2a2a2a"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#353535"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#3d6fb4"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.PlaceholderText, "#9a9a9a"),
    ):
        palette.setColor(role, QColor(value))
    return palette


def save_screenshots(services: Services, clock: SteppingClock, out: Path) -> list[Path]:
    """Demo cases, then one PNG per screen and step dialog into ``out``; returns the files."""
    from desktop_perizinan.ui.permohonan import CasesScreen
    from desktop_perizinan.ui.tugas import CaseDialog, TasksScreen

    out.mkdir(parents=True, exist_ok=True)
    users = create_demo_users(services)
    driver = CaseDriver(services, users, clock)
    returned = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    driver.run(returned.case_id, stop_at="paraf_izin_kabid")
    paraf = services.queries.case(returned.case_id).open_step
    assert paraf is not None
    clock.advance(40)
    services.work.act(
        users["kabid"],
        ActRequest(
            paraf.step_record_id,
            "kembalikan",
            "Perbaiki penulisan nama lembaga dan lengkapi dasar hukum.",
        ),
    )
    inspection = driver.submit(DAIRI, DEMO_APPLICANTS[1], seed=1)
    driver.run(inspection.case_id, stop_at="peninjauan")
    rejected = driver.submit(DAIRI, DEMO_APPLICANTS[2], seed=2)
    driver.run(rejected.case_id, {"rekomendasi": ["tolak"]}, stop_at="nomor_penolakan")
    kesenian = driver.submit("PASURUAN-NIK-KESENIAN", DEMO_APPLICANTS[3])
    fresh = driver.submit(DAIRI, DEMO_APPLICANTS[3], seed=3)
    del fresh
    clock.advance(8 * 60)  # some steps are overdue by now
    written: list[Path] = []

    def login(role: str):  # type: ignore[no-untyped-def]
        return users[role]

    # The task list, light and dark.
    tasks = TasksScreen(services, login("backoffice"))
    tasks.resize(1240, 420)
    tasks.show()
    _save(tasks, out / "tugas-daftar.png", written)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light = app.palette()
    app.setPalette(dark_palette())
    from desktop_perizinan.ui.theme import stylesheet

    app.setStyleSheet(stylesheet())
    tasks.reload()
    _save(tasks, out / "tugas-daftar-gelap.png", written)
    app.setPalette(light)
    app.setStyleSheet(stylesheet())
    tasks.reload()

    # The case window, each tab.
    case = CaseDialog(services, login("backoffice"), returned.case_id)
    case.resize(1180, 700)
    case.show()
    for index, name in enumerate(("pemohon", "berkas", "riwayat", "dokumen")):
        case.case_view.tabs.setCurrentIndex(index)
        _save(case, out / f"tugas-permohonan-{name}.png", written)
    case.close()

    def step(role: str, case_id: int, name: str, prepare=None) -> None:  # type: ignore[no-untyped-def]
        screen = TasksScreen(services, login(role))
        if not screen.select_case(case_id):
            raise RuntimeError(f"case {case_id} is not in the task list of {role}")
        dialog = screen.act()
        assert dialog is not None
        dialog.resize(760, 680)
        if prepare is not None:
            prepare(dialog)
        _save(dialog, out / f"tugas-langkah-{name}.png", written)
        dialog.close()
        screen.close()

    step("backoffice", returned.case_id, "draf-dikembalikan")
    step("backoffice", kesenian.case_id, "verifikasi")
    step("tim_teknis", inspection.case_id, "peninjauan")
    step("ksb_umum", rejected.case_id, "penomoran")

    fresh_case = driver.submit(DAIRI, DEMO_APPLICANTS[1], seed=4)
    step("front_office", fresh_case.case_id, "disposisi")
    driver.run(fresh_case.case_id, stop_at="paraf_izin_kabid")

    def return_with_note(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.choose_outcome("kembalikan")
        dialog.note.setPlainText("Perbaiki penulisan nama lembaga dan lengkapi dasar hukum.")

    step("kabid", fresh_case.case_id, "paraf", return_with_note)
    driver.run(fresh_case.case_id, stop_at="ttd_izin")
    step("kadis", fresh_case.case_id, "tanda-tangan")

    # Permohonan: everything, and a search as typed.
    cases = CasesScreen(services, login("kadis"))
    cases.resize(1280, 460)
    cases.show()
    _save(cases, out / "permohonan-daftar.png", written)
    cases.search_box.setText("sim")
    cases.apply_filters()
    _save(cases, out / "permohonan-cari.png", written)
    cases.search_box.clear()
    cases.overdue_filter.setChecked(True)
    _save(cases, out / "permohonan-terlambat.png", written)
    cases.close()
    tasks.close()
    _ = Qt
    return written
