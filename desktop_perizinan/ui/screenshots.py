"""``perizinan screenshots --out DIR``: every main screen, filled with demo data, as PNG.

Runs on a throwaway SQLite database filled by the demo scenario (the same service calls the
screens make), plus a few files left at interesting points (one waiting for the applicant, one
to forward, some in the back office), always offscreen at a fixed size and in the light
palette, so the pictures in the README are the same on every machine. QSettings go to the
temporary folder too: the user's own window state is neither read nor changed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from desktop_perizinan.errors import UserError

SIZE = (1280, 800)


def render_screenshots(out: Path, forms_dir: Path) -> list[Path]:
    """Write the PNGs into ``out``; returns their paths in the order a clerk meets them."""
    if "PySide6.QtWidgets" not in sys.modules:
        # Same pictures everywhere, with or without a desktop session.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perizinan-screenshots-") as tmp:
        return _Shooter(out, forms_dir, Path(tmp)).run()


class _Shooter:
    def __init__(self, out: Path, forms_dir: Path, tmp: Path) -> None:
        from PySide6.QtCore import QSettings, qInstallMessageHandler
        from PySide6.QtWidgets import QApplication

        from desktop_perizinan.ui.launch import create_application
        from desktop_perizinan.ui.theme import apply_theme

        qInstallMessageHandler(_quiet_offscreen)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "qt"))
        self.app = create_application()
        # The style's light palette whatever the desktop runs, so the README pictures agree;
        # the stylesheet is applied again for that palette's colours.
        QApplication.setPalette(self.app.style().standardPalette())
        apply_theme(self.app)
        self.out = out
        self.forms_dir = forms_dir
        self.tmp = tmp
        self.written: list[Path] = []

    # ---------------------------------------------------------------- helpers

    def settle(self, msecs: int = 250) -> None:
        """Let queued work (layouts, the PDF view's rendering, worker results) finish."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(msecs, loop.quit)
        loop.exec()

    def wait_for(self, condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
        for _ in range(int(seconds * 20)):
            if condition():
                return
            self.settle(50)
        raise UserError(f"Tangkapan layar gagal: {what} tidak muncul.")

    def shoot(self, widget, name: str) -> Path:  # type: ignore[no-untyped-def]
        self.settle()
        # A first paint asks QPdfView (and friends) to render in the background; the picture
        # is taken once that has come back.
        widget.grab()
        self.settle(400)
        path = self.out / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise UserError(f"Gambar {path} tidak dapat ditulis.")
        self.written.append(path)
        return path

    # ---------------------------------------------------------------- the scenario

    def run(self) -> list[Path]:
        from desktop_perizinan.services.app import Services
        from desktop_perizinan.services.demo import demo_clock, run_demo
        from desktop_perizinan.ui.worker import wait_for_all

        clock = demo_clock()
        services = Services.open(
            f"sqlite:///{self.tmp / 'demo.sqlite3'}", self.forms_dir, clock=clock
        )
        try:
            run_demo(services, clock)
            self._more_cases(services, clock)
            self._login(services)
            self._counter(services)
            self._other_screens(services)
        finally:
            wait_for_all()
            services.close()
        return self.written

    def _users(self, services):  # type: ignore[no-untyped-def]
        from desktop_perizinan.services.demo import DEMO_PASSWORD

        actors = {}
        for username in (
            "admin",
            "loket",
            "seksi",
            "teknis",
            "kabid",
            "sekretaris",
            "kadis",
            "umum",
        ):
            actor = services.users.login(username, DEMO_PASSWORD)
            for role in actor.roles:
                actors[role] = actor
        return actors

    def _more_cases(self, services, clock) -> None:  # type: ignore[no-untyped-def]
        """Files at the points the screens are about: to forward, waiting, in progress."""
        from desktop_perizinan.services.demo import DEMO_APPLICANTS, CaseDriver, DemoApplicant

        users = self._users(services)
        driver = CaseDriver(services, users, clock)
        # The next working morning: the counter opens at half past seven.
        clock.current = _next_morning(clock.current, services)
        codes = sorted(services.forms.types)
        dairi = next((c for c in codes if c.startswith("DAIRI")), codes[0])
        others = [c for c in codes if c != dairi] or [dairi]
        extra = (
            DemoApplicant(
                "1211036007880002",
                "Romauli Br. Situmorang",
                "Jl. Pakpak No. 7, Sidikalang",
                "081370112233",
            ),
            DemoApplicant(
                "3514021508750003",
                "Agus Salim Wibowo",
                "Jl. Raya Bangil No. 21, Pasuruan",
                "081234001122",
            ),
            DemoApplicant(
                "3514025903990001",
                "Dewi Anggraini",
                "Perum Pesona Raci Blok C-4, Pasuruan",
                "085736660011",
            ),
        )
        clock.advance(60)
        in_backoffice = driver.submit(dairi, extra[0], seed=2)
        driver.run(in_backoffice.case_id, stop_at="peninjauan")
        clock.advance(45)
        at_verification = driver.submit(others[0], extra[1], seed=1)
        driver.run(at_verification.case_id, stop_at="verifikasi_ba")
        clock.advance(30)
        pt = services.permit_type(others[-1])
        mandatory = [r.code for r in pt.requirements_for(False) if r.mandatory]
        driver.submit(others[-1], extra[2], present=frozenset(mandatory[2:]), seed=2)
        clock.advance(20)
        driver.submit(dairi, DEMO_APPLICANTS[1], seed=3)
        clock.advance(15)

    # ---------------------------------------------------------------- shots

    def _login(self, services) -> None:  # type: ignore[no-untyped-def]
        from desktop_perizinan.ui.login import LoginDialog

        dialog = LoginDialog(services)
        dialog.username.setText("loket")
        dialog.password.setText("rahasia123")
        dialog.resize(460, dialog.sizeHint().height())
        dialog.show()
        self.shoot(dialog, "01-masuk")
        dialog.close()

    def _window(self, services, username: str, key: str):  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt

        from desktop_perizinan.services.demo import DEMO_PASSWORD
        from desktop_perizinan.ui.app_window import MainWindow

        window = MainWindow(services, services.users.login(username, DEMO_PASSWORD))
        # Not maximised on the small offscreen screen: the pictures have a fixed size.
        window.setWindowState(Qt.WindowState.WindowNoState)
        window.resize(*SIZE)
        window.show()
        window.show_screen(key)
        self.wait_for(lambda: window.connected is not None, "status koneksi")
        return window

    def _counter(self, services) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
        from PySide6.QtGui import QColor, QImage, QPainter

        from desktop_perizinan.services.demo import SAMPLE_PDF, sample_field_values
        from desktop_perizinan.ui.loket import LoketScreen

        window = self._window(services, "loket", "loket")
        screen = window.screens["loket"]
        assert isinstance(screen, LoketScreen)
        self.shoot(window, "02-loket")

        # F2, filled in as the clerk would, with two scanned attachments.
        codes = sorted(services.forms.types)
        code = next((c for c in codes if "KESENIAN" in c), codes[0])
        pt = services.permit_type(code)
        dialog = screen.new_application()
        dialog.resize(1180, 780)
        dialog.nik.setText("3514024506950002")
        dialog._check_nik()
        dialog.sex.setCurrentIndex(2)
        dialog.name.setText("Sri Wahyuni Ningsih")
        dialog.address.setText("Dusun Sumberejo RT 02 RW 05, Purwosari, Pasuruan")
        dialog.phone.setText("0813 3055 7788")
        dialog.type_edit.setText(pt.code)
        dialog._check_type()
        values = sample_field_values(pt, seed=4)
        values.update(
            {
                "nama_kelompok": "Paguyuban Reog Singo Mudho",
                "nama_ketua": "Sri Wahyuni Ningsih",
                "alamat_sekretariat": "Dusun Sumberejo RT 02 RW 05, Purwosari",
                "jumlah_anggota": "24",
                "tahun_berdiri": "2009",
                "nomor_induk_lama": "",
                "telepon_kelompok": "0813 3055 7788",
            }
        )
        for key, field in dialog._fields.items():
            field.set_value(values.get(key, ""))
        dialog.tick_all()
        scans = self.tmp / "pindaian"
        scans.mkdir(exist_ok=True)
        first_requirement = pt.requirements_for(False)[0].code
        pdf = scans / f"{first_requirement}.pdf"
        pdf.write_bytes(_sample_scan_pdf() or SAMPLE_PDF)
        image = QImage(420, 560, QImage.Format.Format_RGB32)
        image.fill(QColor("#fbfaf5"))
        painter = QPainter(image)
        painter.setPen(QColor("#333333"))
        painter.drawRect(30, 30, 360, 500)
        painter.drawText(
            image.rect().adjusted(40, 60, -40, -40),
            int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter),
            "SUSUNAN PENGURUS\nPaguyuban Reog Singo Mudho\n\nKetua: Sri Wahyuni Ningsih\n"
            "Sekretaris: Bambang Irawan\nBendahara: Siti Khotimah",
        )
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        png = scans / "susunan_pengurus.png"
        png.write_bytes(bytes(data.data()))
        dialog.attachments.add_files([pdf, png])
        dialog.note.setText("Berkas asli diperlihatkan.")
        dialog.attachments.add_button.setFocus()
        self.shoot(dialog, "03-permohonan-baru")

        dialog.submit()
        self.wait_for(lambda: screen.preview is not None and screen.preview.isVisible(), "resi")
        preview = screen.preview
        assert preview is not None
        self.settle(1200)
        self.shoot(preview, "04-resi")
        preview.close()
        self.shoot(window, "05-loket-setelah-menyimpan")

        # An incomplete file: the klarifikasi slip.
        dialog = screen.new_application()
        dialog.resize(1180, 780)
        dialog.nik.setText("3514021212800005")
        dialog._check_nik()
        dialog.name.setText("Mochammad Hasan")
        dialog.address.setText("Jl. Pahlawan No. 3, Bangil")
        dialog.type_edit.setText(pt.code)
        dialog._check_type()
        for key, field in dialog._fields.items():
            field.set_value(sample_field_values(pt, seed=5).get(key, ""))
        first = next(iter(dialog._checks.values()))
        first.setChecked(True)
        dialog.submit()
        self.wait_for(
            lambda: (
                screen.preview is not None
                and screen.preview is not preview
                and screen.preview.isVisible()
            ),
            "klarifikasi",
        )
        klarifikasi = screen.preview
        assert klarifikasi is not None
        self.settle(1200)
        self.shoot(klarifikasi, "06-klarifikasi")
        klarifikasi.close()

        # The applicant comes back: "Kelengkapan datang".
        screen.refresh()
        completion = screen.complete_return()
        if completion is not None:
            for box in list(completion.checks.values())[:1]:
                box.setChecked(True)
            completion.resize(760, 620)
            self.shoot(completion, "07-kelengkapan-datang")
            completion.close()

        # Forward to the back office.
        screen.refresh()
        forward = screen.forward_selected()
        if forward is not None:
            forward.sifat.setCurrentIndex(1)
            forward.instructions["Koordinasikan/konfirmasikan"].setChecked(True)
            forward.note.setText("Mohon diverifikasi sesuai standar pelayanan.")
            self.shoot(forward, "08-teruskan")
            forward.submit()
            self.wait_for(
                lambda: (
                    screen.preview is not None
                    and screen.preview.isVisible()
                    and screen.preview.windowTitle().startswith("Lembar")
                ),
                "lembar disposisi",
            )
            sheet = screen.preview
            assert sheet is not None
            self.settle(1200)
            self.shoot(sheet, "09-lembar-disposisi")
            sheet.close()

        # Quick find and the case it opens.
        finder = window.quick_find()
        finder.edit.setText("benget")
        finder.find()
        if not finder.isVisible():  # a single match opened at once: search something wider
            finder = window.quick_find()
            finder.edit.setText("2026")
            finder.find()
        finder.resize(900, 360)
        self.shoot(finder, "10-cari")
        finder.close()
        first_case = services.queries.search("", limit=1000)[-1]
        case_window = window.open_case(first_case.id)
        if case_window is not None:
            self.settle(400)
            self.shoot(case_window, "11-permohonan")
            case_window.close()
        window.close()

    def _other_screens(self, services) -> None:  # type: ignore[no-untyped-def]
        from desktop_perizinan.ui.navigation import ENTRIES

        who = {
            "beranda": "kadis",
            "tugas": "seksi",
            "permohonan": "loket",
            "buku": "umum",
            "laporan": "kadis",
            "pengaturan": "admin",
            "verifikasi": "loket",
        }
        number = 12
        for entry in ENTRIES:
            if entry.key == "loket" or not entry.available() or entry.key not in who:
                continue
            window = self._window(services, who[entry.key], entry.key)
            if window.current_screen() is None or window.entry(entry.key) is None:
                window.close()
                continue
            self.settle(500)
            self.shoot(window, f"{number:02d}-{entry.key}")
            number += 1
            window.close()


def _next_morning(now, services):  # type: ignore[no-untyped-def]
    """08:00 of the next working day after ``now`` (the demo ends late in the evening)."""
    from datetime import datetime, time, timedelta

    day = now.date() + timedelta(days=1)
    while (
        services.calendar.working_minutes_between(
            datetime.combine(day, time(0, 0)), datetime.combine(day, time(23, 59))
        )
        == 0
    ):
        day += timedelta(days=1)
    return datetime.combine(day, time(8, 0))


def _quiet_offscreen(_kind, _context, message: str) -> None:  # type: ignore[no-untyped-def]
    """Drop the offscreen platform's "does not support ..." chatter; print anything else."""
    if not message.startswith("This plugin does not support"):
        print(message, file=sys.stderr)


def _sample_scan_pdf() -> bytes | None:
    """A one-page PDF that looks like a scanned KTP copy (drawn with Qt, no reportlab)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A5),
            QPageLayout.Orientation.Landscape,
            QMarginsF(10, 10, 10, 10),
        )
    )
    writer.setResolution(96)
    painter = QPainter(writer)
    card = QRectF(40, 40, 520, 320)
    painter.fillRect(card, QColor("#dfeaf6"))
    painter.setPen(QColor("#20406a"))
    painter.drawRect(card)
    font = QFont(painter.font())
    font.setPointSize(14)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(
        card.adjusted(0, 14, 0, 0),
        int(Qt.AlignmentFlag.AlignHCenter),
        "PROVINSI JAWA TIMUR\nKABUPATEN PASURUAN",
    )
    font.setPointSize(10)
    font.setBold(False)
    painter.setFont(font)
    painter.drawText(
        card.adjusted(24, 90, -180, 0),
        int(Qt.AlignmentFlag.AlignLeft),
        "NIK        : 3514024506950002\nNama       : SRI WAHYUNI NINGSIH\n"
        "Tempat/Tgl : PASURUAN, 05-06-1995\nAlamat     : DSN SUMBEREJO\n"
        "Agama      : ISLAM\nPekerjaan  : SENIMAN",
    )
    painter.fillRect(QRectF(420, 110, 110, 140), QColor("#b8c7d9"))
    painter.end()
    buffer.close()
    return bytes(data.data()) or None
