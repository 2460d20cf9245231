"""Buku dialogs for numbers from outside the app (issue 13.6): "Catat nomor manual",
"Pesan nomor" and "Laporan celah".

Every check lives in ``services.outside_numbers``; a refusal (a number already in the book, a
closed year) is shown in the dialog's banner and nothing is changed.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.books import BookInfo
from desktop_perizinan.services.outside_numbers import GapLine
from desktop_perizinan.ui.laporan.tables import Col, SpecTableModel, SpecTableView
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.formatting import short_date
from desktop_perizinan.ui.widgets.messages import Banner


def _date_edit(services: Services, name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd-MM-yyyy")
    today = services.now().date()
    edit.setDate(QDate(today.year, today.month, today.day))
    return edit


def _line(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    return edit


class _BookDialog(QDialog):
    """Title, explanation, banner, a form and OK/Tutup: what the three dialogs share."""

    done_text = Signal(str)  # what the Buku screen's banner says afterwards

    def __init__(
        self,
        services: Services,
        actor: Actor,
        book: BookInfo,
        title: str,
        explain: str,
        ok: str,
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._s, self._actor, self.book = services, actor, book
        heading = QLabel(f"{title} — {book.title}")
        set_role(heading, "title")
        text = QLabel(explain)
        text.setWordWrap(True)
        set_role(text, "hint")
        self.banner = Banner(self)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox()
        self.ok_button: QPushButton = self.buttons.addButton(
            ok, QDialogButtonBox.ButtonRole.AcceptRole
        )
        close = self.buttons.addButton("Tutup", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def _save(self) -> None:
        try:
            message = self.save()
        except UserError as exc:  # shown here; a bug propagates and is reported as a bug
            self.banner.show_error(exc.message)
            return
        self.done_text.emit(message)
        self.accept()

    def save(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class ManualNumberDialog(_BookDialog):
    """Record a number already written by hand on a letter (an outage, a letter typed away)."""

    def __init__(
        self, services: Services, actor: Actor, book: BookInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            actor,
            book,
            "Catat Nomor Manual",
            "Untuk surat yang nomornya ditulis tangan di luar aplikasi (misalnya saat listrik "
            "atau server padam). Nomor harus nomor berikutnya di buku ini agar buku tidak "
            "bercelah.",
            "Catat Nomor",
            parent,
        )
        self.setObjectName("manualNumberDialog")
        self.letter_date = _date_edit(services, "manualDate")
        self.number = _line("manualNumber", "nomor urut atau nomor lengkap")
        self.next_hint = QLabel()
        set_role(self.next_hint, "hint")
        self.subject = _line("manualSubject", "perihal surat")
        self.addressee = _line("manualAddressee", "tujuan surat (boleh kosong)")
        self.issued_by = _line("manualIssuedBy", "nama pejabat/petugas yang memberi nomor")
        self.reason = _line("manualReason", "misalnya: server padam 2 jam, surat mendesak")
        self.form.addRow("&Tanggal surat:", self.letter_date)
        self.form.addRow("&Nomor:", self.number)
        self.form.addRow("", self.next_hint)
        self.form.addRow("&Perihal:", self.subject)
        self.form.addRow("&Kepada:", self.addressee)
        self.form.addRow("&Diterbitkan oleh:", self.issued_by)
        self.form.addRow("&Alasan:", self.reason)
        self.ok_button.setObjectName("confirmManual")
        self.letter_date.dateChanged.connect(lambda _d: self._show_next())
        self._show_next()
        self.resize(560, self.sizeHint().height())

    def _show_next(self) -> None:
        try:
            seq, number = self._s.outside_numbers.next_number(
                self.book.code, self.letter_date.date().toPython()
            )
        except UserError as exc:
            self.next_hint.setText(exc.message)
            return
        self.next_hint.setText(f"Nomor berikutnya: {number} (urut {seq})")

    def save(self) -> str:
        line = self._s.outside_numbers.record_manual(
            self._actor,
            self.book.code,
            number=self.number.text(),
            letter_date=self.letter_date.date().toPython(),
            subject=self.subject.text(),
            addressee=self.addressee.text(),
            issued_by=self.issued_by.text(),
            reason=self.reason.text(),
        )
        return f"Nomor manual {line.number} dicatat di buku."


class ReserveNumberDialog(_BookDialog):
    """Take the next number now for a letter being written elsewhere."""

    def __init__(
        self, services: Services, actor: Actor, book: BookInfo, parent: QWidget | None = None
    ) -> None:
        hours = services.outside_numbers.reservation_hours()
        super().__init__(
            services,
            actor,
            book,
            "Pesan Nomor",
            f"Nomor berikutnya diambil sekarang untuk surat yang dibuat di luar aplikasi. Bila "
            f"tidak dipakai dalam {hours} jam, nomor dibatalkan otomatis dengan alasannya dan "
            "tetap tercatat di buku.",
            "Pesan Nomor",
            parent,
        )
        self.setObjectName("reserveNumberDialog")
        self.letter_date = _date_edit(services, "reserveDate")
        self.purpose = _line("reservePurpose", "misalnya: surat edaran Kadis tentang jam kerja")
        self.requested_by = _line("reserveRequestedBy", "nama yang memesan")
        self.form.addRow("&Tanggal surat:", self.letter_date)
        self.form.addRow("&Keperluan:", self.purpose)
        self.form.addRow("&Pemesan:", self.requested_by)
        self.ok_button.setObjectName("confirmReserve")
        self.resize(560, self.sizeHint().height())

    def save(self) -> str:
        line = self._s.outside_numbers.reserve(
            self._actor,
            self.book.code,
            purpose=self.purpose.text(),
            requested_by=self.requested_by.text(),
            letter_date=self.letter_date.date().toPython(),
        )
        assert line.reserved_until is not None
        return (
            f"Nomor {line.number} dipesan sampai {line.reserved_until:%d-%m-%Y %H:%M}; "
            "catat perihalnya setelah surat dibuat."
        )


class UseReservationDialog(_BookDialog):
    """The letter for a reserved number was written: give the number its subject."""

    def __init__(
        self, services: Services, actor: Actor, book: BookInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            actor,
            book,
            "Pakai Nomor Pesanan",
            "Pilih nomor pesanan yang sudah dipakai suratnya, lalu catat perihal surat itu. "
            "Nomor pesanan yang tidak dipakai sampai batas waktunya dibatalkan otomatis.",
            "Pakai Nomor",
            parent,
        )
        self.setObjectName("useReservationDialog")
        self.reservation = QComboBox()
        self.reservation.setObjectName("useReservationNumber")
        for line in services.outside_numbers.open_reservations(book.code):
            until = f"{line.reserved_until:%d-%m-%Y %H:%M}" if line.reserved_until else "-"
            self.reservation.addItem(f"{line.number} (sampai {until})", line.id)
        self.subject = _line("useReservationSubject", "perihal surat")
        self.addressee = _line("useReservationAddressee", "tujuan surat (boleh kosong)")
        self.form.addRow("&Nomor pesanan:", self.reservation)
        self.form.addRow("&Perihal:", self.subject)
        self.form.addRow("&Kepada:", self.addressee)
        self.ok_button.setObjectName("confirmUseReservation")
        if self.reservation.count() == 0:
            self.banner.show_error("Tidak ada nomor pesanan yang menunggu di buku ini.")
            self.ok_button.setEnabled(False)
        self.resize(560, self.sizeHint().height())

    def save(self) -> str:
        number = self._s.outside_numbers.use_reservation(
            self._actor,
            int(self.reservation.currentData()),
            subject=self.subject.text(),
            addressee=self.addressee.text(),
        )
        return f"Nomor pesanan {number} dipakai."


def gap_columns() -> list[Col[GapLine]]:
    return [
        Col("No. Urut", lambda g: str(g.seq), 70, align_right=True),
        Col("Nomor", lambda g: g.number or "-", 190, fit=True),
        Col("Jenis", lambda g: g.kind, 120),
        Col("Tanggal", lambda g: short_date(g.taken_at.date()) if g.taken_at else "-", 95),
        Col("Perihal", lambda g: g.subject, 200, stretch=True),
        Col("Oleh", lambda g: g.who, 140),
        Col("Keterangan", lambda g: g.note, 240, stretch=True, tooltip=lambda g: g.note),
    ]


class GapReportDialog(QDialog):
    """Every voided, reserved and hand-issued number of a book's year, and any true gap."""

    def __init__(
        self, services: Services, book: BookInfo, year: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("gapReportDialog")
        self.setWindowTitle("Laporan Celah Nomor")
        self.report = services.outside_numbers.gap_report(book.code, year)
        heading = QLabel("Laporan Celah Nomor")
        set_role(heading, "title")
        self.summary = QLabel(self.report.summary())
        self.summary.setObjectName("gapSummary")
        self.summary.setWordWrap(True)
        verdict = (
            "Buku utuh: setiap nomor dari 1 sampai nomor terakhir ada di buku."
            if self.report.gaps == 0
            else "Ada nomor yang hilang dari buku: periksa basis data (kemungkinan diubah di luar "
            "aplikasi)."
        )
        self.verdict = QLabel(verdict)
        set_role(self.verdict, "hint")
        self.model: SpecTableModel[GapLine] = SpecTableModel(gap_columns(), self)
        self.model.set_rows(self.report.lines)
        self.table = SpecTableView(self.model, self)
        self.table.setObjectName("gapTable")
        buttons = QDialogButtonBox()
        buttons.addButton("Tutup", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(1100, 480)
