"""The Profil kantor tab: the letterhead and the head of office, saved for every PC at once.

The profile lives in the database (``services.settings``), so a change made here appears on the
next document printed at any PC of the LAN. Saving is for administrators; the service checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.errors import UserError, ValidationError
from desktop_perizinan.ui.pengaturan.acting_head_box import ActingHeadBox
from desktop_perizinan.ui.pengaturan.common import make_banner
from desktop_perizinan.ui.pengaturan.profile_form import HeadForm, LetterheadForm
from desktop_perizinan.ui.theme import icon
from desktop_perizinan.ui.widgets.messages import report_error

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services


class ProfileTab(QWidget):
    saved = Signal()

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileTab")
        self._s = services
        self._actor = actor
        self.profile: OfficeProfile | None = None
        self.dirty = False

        self.letterhead = LetterheadForm(self)
        self.head = HeadForm(self)
        for form in (self.letterhead, self.head):
            form.changed.connect(self._changed)
        kop_box = QGroupBox("Kop surat", self)
        QVBoxLayout(kop_box).addWidget(self.letterhead)
        head_box = QGroupBox("Kepala kantor (penanda tangan surat izin)", self)
        QVBoxLayout(head_box).addWidget(self.head)

        self.banner = make_banner(self)
        self.save_button = QPushButton(icon("simpan"), "&Simpan profil  (Ctrl+S)", self)
        self.save_button.setObjectName("saveProfile")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("&Batalkan perubahan", self)
        self.revert_button.clicked.connect(self.load)
        for button in (self.save_button, self.revert_button):
            button.setAutoDefault(False)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)

        content = QWidget(self)
        inner = QVBoxLayout(content)
        inner.addWidget(kop_box)
        inner.addWidget(head_box)
        self.acting = ActingHeadBox(services, actor, content)  # issue 11: Plt./Plh.
        inner.addWidget(self.acting)
        inner.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)
        self.load()

    def _changed(self) -> None:
        self.dirty = True
        self.banner.clear_message()
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.revert_button.setEnabled(self.dirty)

    def load(self) -> None:
        try:
            self.profile = self._s.settings.office_profile()
        except Exception as exc:
            report_error(self, exc)
            return
        self.letterhead.load(self.profile)
        self.head.load(self.profile)
        self.dirty = False
        self.banner.clear_message()
        self._update_buttons()

    def refresh(self) -> None:
        """Show what another PC may have saved, unless this one has unsaved changes."""
        if not self.dirty:
            self.load()

    def current(self) -> OfficeProfile:
        assert self.profile is not None
        return self.head.apply(self.letterhead.apply(self.profile))

    def save(self) -> bool:
        ok_letterhead = self.letterhead.check()
        ok_head = self.head.check()
        if not (ok_letterhead and ok_head):
            self.banner.show_error("Periksa isian yang ditandai merah.")
            first = self.letterhead.first_error() or self.head.first_error()
            if first is not None:
                first.setFocus()
            return False
        profile = self.current()
        try:
            self._s.settings.save_office_profile(self._actor, profile)
        except ValidationError as exc:
            if not (self.letterhead.show_error(exc) or self.head.show_error(exc)):
                self.banner.show_error(exc.message)
            return False
        except UserError as exc:
            self.banner.show_error(exc.message)
            return False
        except Exception as exc:
            report_error(self, exc)
            return False
        self.profile = profile
        self.dirty = False
        self._update_buttons()
        self.banner.show_ok(
            "Profil kantor disimpan. Dokumen yang dicetak berikutnya, di PC mana pun, memakai "
            "kop ini."
        )
        self.saved.emit()
        return True
