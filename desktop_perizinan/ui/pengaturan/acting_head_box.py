"""Pengaturan → Profil kantor: who is Plt./Plh. head while the head is away, and when.

Saved on its own (not with the letterhead): the administrator records it the day the
assignment letter arrives. While the dates run, the acting official may take the head's steps
and the letters they sign read "Plt. Kepala Dinas ..."; outside them the setting does nothing,
so nobody has to remember to undo it. The service checks the role and the dates.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.documents.dates import format_date
from desktop_perizinan.errors import UserError
from desktop_perizinan.services.acting_head import FORMS
from desktop_perizinan.ui.pengaturan.common import make_banner
from desktop_perizinan.ui.widgets.messages import report_error

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ActingHeadBox(QGroupBox):
    """The Plt./Plh. setting: user, form, from, until; save or clear."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__("Pejabat pelaksana kepala (Plt./Plh.) saat kepala berhalangan", parent)
        self.setObjectName("actingHeadBox")
        self._s = services
        self._actor = actor
        self.user = QComboBox(self)
        self.user.setObjectName("actingUser")
        self.form = QComboBox(self)
        self.form.addItems(list(FORMS))
        today = _qdate(services.now().date())
        self.start = QDateEdit(today, self)
        self.end = QDateEdit(today.addDays(7), self)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd-MM-yyyy")
        self.status = QLabel(self)
        self.status.setObjectName("actingStatus")
        self.status.setWordWrap(True)
        self.banner = make_banner(self, "actingBanner")
        self.save_button = QPushButton("Simpan &Plt./Plh.", self)
        self.save_button.setObjectName("saveActing")
        self.clear_button = QPushButton("&Hapus penunjukan", self)
        for button in (self.save_button, self.clear_button):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.clear)

        fields = QFormLayout()
        fields.addRow("&Pejabat:", self.user)
        fields.addRow("&Bentuk:", self.form)
        fields.addRow("&Mulai:", self.start)
        fields.addRow("&Sampai:", self.end)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(fields)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)
        self.load()

    def load(self) -> None:
        try:
            users = [u for u in self._s.users.list_users() if u.roles]
            setting = self._s.work.acting_head()
        except Exception as exc:
            report_error(self, exc)
            return
        self.user.clear()
        for user in sorted(users, key=lambda u: u.full_name):
            self.user.addItem(f"{user.full_name} ({user.title or user.username})", user.id)
        if setting is None:
            self.status.setText("Belum ada Plt./Plh.: surat ditandatangani kepala kantor.")
            return
        index = self.user.findData(setting.user_id)
        if index >= 0:
            self.user.setCurrentIndex(index)
        self.form.setCurrentText(setting.form)
        self.start.setDate(_qdate(setting.start))
        self.end.setDate(_qdate(setting.end))
        name = self.user.currentText().split(" (")[0]
        self.status.setText(
            f"{setting.form} kepala: {name}, {format_date(setting.start)} s.d. "
            f"{format_date(setting.end)}."
        )

    def save(self) -> bool:
        user_id = self.user.currentData()
        if not isinstance(user_id, int):
            self.banner.show_error("Pilih pejabat pelaksana.")
            return False
        try:
            self._s.work.set_acting_head(
                self._actor,
                user_id,
                self.form.currentText(),
                _pydate(self.start.date()),
                _pydate(self.end.date()),
            )
        except UserError as exc:
            self.banner.show_error(exc.message)
            return False
        except Exception as exc:
            report_error(self, exc)
            return False
        self.load()
        self.banner.show_ok(
            "Penunjukan disimpan. Selama tanggal itu pejabat ini mengerjakan langkah kepala; "
            f"surat yang ditandatanganinya memakai sebutan {self.form.currentText()} kepala"
        )
        return True

    def clear(self) -> None:
        try:
            self._s.work.set_acting_head(self._actor, None)
        except UserError as exc:
            self.banner.show_error(exc.message)
            return
        self.load()
        self.banner.show_ok("Penunjukan Plt./Plh. dihapus.")
