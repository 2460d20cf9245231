# size: one dialog, the counter's whole intake form; its keyboard chain (NIK -> fields -> checklist -> save) reads as one piece.
"""New application (F2): the applicant by NIK, the permit type, its own fields, the checklist,
the attachments, the channel, then one save that returns the resi or the klarifikasi slip.

The form is built from the permit type's file (``PermitType.fields`` and ``requirements``), so
an office that adds a field in ``forms/`` sees it here without a code change. All checking of
substance is the service's (``intake.validate``); the screen checks a field early only to put
the message beside it while the clerk is still there, using the same validators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import FieldErrors, UserError, ValidationError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.intake import CHANNELS, IntakeRequest, IntakeResult
from desktop_perizinan.ui.loket.applicant_form import address_check, apply_applicant_form
from desktop_perizinan.ui.theme import icon, set_role
from desktop_perizinan.ui.widgets.attachments import AttachmentPanel
from desktop_perizinan.ui.widgets.form import (
    EnterNavigator,
    FieldBox,
    WrappingCheck,
    ensure_visible,
    focus_on_show,
)
from desktop_perizinan.ui.widgets.messages import Banner, ask, report_error
from desktop_perizinan.ui.worker import run_in_background
from desktop_perizinan.workflow.definition import FieldType, FormField, PermitType
from desktop_perizinan.workflow.paths import format_duration, service_total
from desktop_perizinan.workflow.validators import (
    clean_field,
    clean_name,
    clean_phone,
    parse_nik,
    sex_mismatch_warning,
)

NO_CHOICE = "— pilih —"
SEXES = ("—", "Laki-laki", "Perempuan")

_PLACEHOLDERS = {
    FieldType.DATE: "HH-BB-TTTT, misalnya 17-08-2026",
    FieldType.DATE_OR_LIFETIME: "HH-BB-TTTT, atau Seumur Hidup",
    FieldType.NIK: "16 angka",
    FieldType.NPWP: "99.999.999.9-999.999",
    FieldType.NIB: "13 angka",
    FieldType.PHONE: "0812 3456 7890",
    FieldType.NUMBER: "angka",
}


def type_label(pt: PermitType) -> str:
    return f"{pt.name} — {pt.code}"


@dataclass
class _Field:
    spec: FormField
    editor: QLineEdit | QComboBox
    box: FieldBox

    def value(self) -> str:
        if isinstance(self.editor, QComboBox):
            text = self.editor.currentText()
            return "" if text == NO_CHOICE else text
        return self.editor.text()

    def set_value(self, value: str) -> None:
        if isinstance(self.editor, QComboBox):
            index = self.editor.findText(value)
            self.editor.setCurrentIndex(max(index, 0))
        else:
            self.editor.setText(value)


class NewApplicationDialog(QDialog):
    """The F2 form. ``saved`` carries the IntakeResult once the service has written it."""

    saved = Signal(object)

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Permohonan baru")
        self.setObjectName("newApplication")
        self._s = services
        self._actor = actor
        self._types = sorted(services.forms.types.values(), key=lambda pt: pt.name)
        self._type: PermitType | None = None
        self._fields: dict[str, _Field] = {}
        self._checks: dict[str, WrappingCheck] = {}
        self._busy = False
        self._autofilled_for = ""
        self.result_value: IntakeResult | None = None
        self.task = None

        self.banner = Banner(self)
        self.navigator = EnterNavigator(self, self.submit, self._leave_check)
        self._build()
        self._rebuild_for_type()
        self.resize(1180, 760)
        focus_on_show(self, self.nik)

    # ================================================================ building

    def _line(self, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(False)
        return edit

    def _build(self) -> None:
        # -- the applicant
        self.nik = self._line("16 angka, dari KTP")
        self.nik.setMaxLength(24)
        self.nik.setObjectName("nik")
        self.sex = QComboBox(self)
        self.sex.addItems(SEXES)
        self.sex.setObjectName("sex")
        self.name = self._line("sesuai KTP")
        self.name.setObjectName("name")
        self.address = self._line()
        self.address.setObjectName("address")
        self.phone = self._line("0812 3456 7890")
        self.phone.setObjectName("phone")
        self.email = self._line("opsional")
        self.email.setObjectName("email")
        self.nik_box = FieldBox(self.nik)
        self.sex_box = FieldBox(self.sex)
        self.name_box = FieldBox(self.name)
        self.address_box = FieldBox(self.address)
        self.phone_box = FieldBox(self.phone)
        self.email_box = FieldBox(self.email)
        applicant = QGroupBox("Pemohon")
        form = QFormLayout(applicant)
        form.addRow(self._label("&NIK *", self.nik), self.nik_box)
        form.addRow(self._label("Jenis &kelamin", self.sex), self.sex_box)
        self.name_label = self._label("Na&ma *", self.name)
        self.address_label = self._label("A&lamat", self.address)
        form.addRow(self.name_label, self.name_box)
        form.addRow(self.address_label, self.address_box)
        form.addRow(self._label("&Telepon", self.phone), self.phone_box)
        form.addRow(self._label("Sur&el", self.email), self.email_box)

        # -- the application
        self.type_edit = self._line("ketik sebagian nama atau kode, lalu Enter")
        self.type_edit.setObjectName("permitType")
        labels = [type_label(pt) for pt in self._types]
        completer = QCompleter(QStringListModel(labels, self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.type_edit.setCompleter(completer)
        completer.activated.connect(self._type_activated)
        self.type_edit.returnPressed.connect(self._type_return)
        self.type_box = FieldBox(self.type_edit)
        self.channel = QComboBox(self)
        self.channel.setObjectName("channel")
        self.channel_box = FieldBox(self.channel)
        self.renewal = QCheckBox("Perpanjangan / pembaruan izin", self)
        self.renewal.setObjectName("renewal")
        self.renewal.toggled.connect(lambda _on: self._rebuild_requirements())
        self.note = self._line("opsional; dicetak pada resi atau klarifikasi")
        self.note.setObjectName("note")
        application = QGroupBox("Permohonan")
        form = QFormLayout(application)
        form.addRow(self._label("&Jenis izin *", self.type_edit), self.type_box)
        form.addRow(self._label("Ka&nal", self.channel), self.channel_box)
        form.addRow("", self.renewal)
        form.addRow(self._label("Cata&tan", self.note), self.note)

        # -- the permit type's own fields
        self.fields_group = QGroupBox("Data permohonan")
        self.fields_form = QFormLayout(self.fields_group)

        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        column.addWidget(applicant)
        column.addWidget(application)
        column.addWidget(self.fields_group)
        column.addStretch(1)

        # -- the checklist and the attachments
        self.requirements_group = QGroupBox("Persyaratan (Spasi mencentang, Ctrl+L semua ada)")
        self.requirements_layout = QVBoxLayout(self.requirements_group)
        self.all_button = QPushButton("Semua ada  (Ctrl+L)", self)
        self.all_button.setAutoDefault(False)
        self.all_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.all_button.clicked.connect(self.tick_all)
        QShortcut(QKeySequence("Ctrl+L"), self, self.tick_all)
        self.attachments = AttachmentPanel(self._s.settings.attachment_limit_bytes(), self)
        self.attachments.requirement_attached.connect(self._tick)
        attachments_group = QGroupBox("Lampiran (pindaian)")
        box = QVBoxLayout(attachments_group)
        box.addWidget(self.attachments)

        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(6, 0, 0, 0)
        column.addWidget(self.requirements_group)
        column.addWidget(attachments_group)
        column.addStretch(1)

        # -- bottom: what will happen, and the buttons
        self.outcome = QLabel(self)
        self.outcome.setObjectName("outcome")
        self.outcome.setWordWrap(True)
        self.cancel_button = QPushButton("Batal  (Esc)", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(icon("cetak"), "", self)
        self.save_button.setObjectName("save")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.submit)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.submit)

        columns = QHBoxLayout()
        columns.addWidget(_scrolling(left), 11)
        columns.addWidget(_scrolling(right), 9)
        bottom = QHBoxLayout()
        bottom.addWidget(self.outcome, 1)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        title = QLabel("Permohonan baru")
        set_role(title, "title")
        hint = QLabel(
            "Enter: isian berikutnya  ·  Enter pada isian terakhir atau Ctrl+S: simpan"
            "  ·  Esc: batal"
        )
        set_role(hint, "hint")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(hint)
        layout.addLayout(heading)
        layout.addWidget(self.banner)
        layout.addLayout(columns, 1)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        layout.addLayout(bottom)

        self.sex.currentIndexChanged.connect(lambda _i: self._check_sex())

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    # ================================================================ the permit type

    @property
    def permit_type(self) -> PermitType | None:
        return self._type

    def resolve_type(self, text: str) -> PermitType | None:
        """The type a clerk means by ``text``: the exact entry, or the only one containing it."""
        needle = " ".join(text.lower().split())
        if not needle:
            return None
        for pt in self._types:
            if needle in (type_label(pt).lower(), pt.code.lower()):
                return pt
        matches = [
            pt for pt in self._types if needle in pt.code.lower() or needle in pt.name.lower()
        ]
        return matches[0] if len(matches) == 1 else None

    def choose_type(self, pt: PermitType) -> None:
        self.type_edit.setText(type_label(pt))
        if pt is self._type:
            return
        self._type = pt
        self._rebuild_for_type()

    def _type_activated(self, text: str) -> None:
        pt = self.resolve_type(text)
        if pt is not None:
            self.choose_type(pt)
            self.type_box.clear_message()
            self._show_type_summary()

    def _type_return(self) -> None:
        # Reached only when the completer popup passed the Enter on (otherwise the navigator
        # takes Enter first): accept the completion and move on. The popup has just closed;
        # make sure the form, not the popup, holds the keyboard (some platforms lag).
        self.activateWindow()
        if self._leave_check(self.type_edit):
            self.navigator.advance(self.type_edit)

    def _check_type(self) -> bool:
        text = self.type_edit.text()
        pt = self.resolve_type(text)
        if pt is None:
            needle = text.strip()
            if not needle:
                self.type_box.show_error("Jenis izin wajib dipilih.")
            else:
                count = sum(
                    1
                    for p in self._types
                    if needle.lower() in p.code.lower() or needle.lower() in p.name.lower()
                )
                self.type_box.show_error(
                    f"'{needle}' cocok dengan {count} jenis izin; ketik lebih lengkap."
                    if count
                    else f"Tidak ada jenis izin yang cocok dengan '{needle}'."
                )
            return False
        self.choose_type(pt)
        self._show_type_summary()
        return True

    def _show_type_summary(self) -> None:
        pt = self._type
        if pt is None:
            return
        total = service_total(pt)
        self.type_box.show_hint(
            f"{pt.product} · biaya {pt.fee_text} · {len(pt.steps)} langkah · "
            f"waktu layanan {format_duration(total)}"
        )

    def _rebuild_for_type(self) -> None:
        """Fields, channels and checklist of the chosen type (values kept by key)."""
        pt = self._type
        applicant = pt.applicant if pt else None  # the SOP's labels for name and address
        rows = (self.name_label, self.name), (self.address_label, self.address)
        apply_applicant_form(applicant, *rows)
        kept = {key: f.value() for key, f in self._fields.items()}
        while self.fields_form.rowCount():
            self.fields_form.removeRow(0)
        self._fields.clear()
        if pt is None:
            hint = QLabel("Pilih jenis izin untuk menampilkan isiannya.")
            set_role(hint, "hint")
            self.fields_form.addRow(hint)
            self.fields_group.setTitle("Data permohonan")
        else:
            self.fields_group.setTitle(f"Data {pt.product}")
            for spec in pt.fields:
                editor = self._editor_for(spec)
                field = _Field(spec, editor, FieldBox(editor))
                if spec.key in kept:
                    field.set_value(kept[spec.key])
                self._fields[spec.key] = field
                label = QLabel(spec.label + (" *" if spec.required else ""))
                label.setBuddy(editor)
                if spec.help:
                    label.setToolTip(spec.help)
                    editor.setToolTip(spec.help)
                self.fields_form.addRow(label, field.box)
                # Shown now, not on the next event loop pass: a scanner's Enter may arrive
                # before that, and focus cannot move to a widget that is not yet visible.
                label.show()
                field.box.show()
        self.channel.clear()
        channels = pt.channels if pt else tuple(CHANNELS)
        for code in channels:
            self.channel.addItem(CHANNELS.get(code, code), code)
        loket = self.channel.findData("loket")
        self.channel.setCurrentIndex(max(loket, 0))
        self.channel.setEnabled(len(channels) > 1)
        self._rebuild_requirements()

    def _editor_for(self, spec: FormField) -> QLineEdit | QComboBox:
        if spec.type is FieldType.CHOICE:
            combo = QComboBox(self)
            combo.addItem(NO_CHOICE)
            combo.addItems(list(spec.choices))
            combo.setObjectName(f"field_{spec.key}")
            combo.currentIndexChanged.connect(lambda _i, key=spec.key: self._clear(key))
            return combo
        hint = _PLACEHOLDERS.get(spec.type, "").replace("Seumur Hidup", spec.lifetime)
        edit = self._line(spec.help or hint)
        edit.setObjectName(f"field_{spec.key}")
        edit.textEdited.connect(lambda _t, key=spec.key: self._clear(key))
        return edit

    def _clear(self, key: str) -> None:
        field = self._fields.get(key)
        if field is not None and field.box.kind == "error":
            field.box.clear_message()

    # ================================================================ the checklist

    def _rebuild_requirements(self) -> None:
        ticked = {code for code, box in self._checks.items() if box.isChecked()}
        while self.requirements_layout.count():
            item = self.requirements_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._checks.clear()
        pt = self._type
        if pt is None:
            hint = QLabel("Daftar persyaratan muncul setelah jenis izin dipilih.")
            set_role(hint, "hint")
            self.requirements_layout.addWidget(hint)
            self.attachments.set_requirements([])
        else:
            for requirement in pt.requirements_for(self.renewal.isChecked()):
                text = requirement.name
                if not requirement.mandatory:
                    text += "  (tidak wajib)"
                if requirement.renewal_only:
                    text += "  (perpanjangan)"
                box = WrappingCheck(text, self)
                box.check.setObjectName(f"req_{requirement.code}")
                box.setChecked(requirement.code in ticked)
                box.check.toggled.connect(lambda _on: self._update_outcome())
                self._checks[requirement.code] = box
                self.requirements_layout.addWidget(box)
                box.show()
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.all_button)
            self.requirements_layout.addLayout(row)
            self.attachments.set_requirements(
                [(r.code, r.name) for r in pt.requirements_for(self.renewal.isChecked())]
            )
        self._update_chain()
        self._update_outcome()

    def tick_all(self) -> None:
        for box in self._checks.values():
            box.setChecked(True)

    def _tick(self, code: str) -> None:
        box = self._checks.get(code)
        if box is not None:
            box.setChecked(True)

    def missing(self) -> list[str]:
        pt = self._type
        if pt is None:
            return []
        return [
            r.name
            for r in pt.requirements_for(self.renewal.isChecked())
            if r.mandatory and not (r.code in self._checks and self._checks[r.code].isChecked())
        ]

    def _update_outcome(self) -> None:
        missing = self.missing()
        if self._type is None:
            self.outcome.setText("")
            self.save_button.setText("&Simpan  (Ctrl+S)")
        elif missing:
            set_role(self.outcome, "warning")
            self.outcome.setText(
                f"Belum lengkap: {len(missing)} persyaratan wajib belum ada. Berkas akan "
                "menunggu pemohon dan slip klarifikasi dicetak."
            )
            self.save_button.setText("&Simpan dan cetak klarifikasi  (Ctrl+S)")
        else:
            set_role(self.outcome, "ok")
            self.outcome.setText("Lengkap: nomor registrasi diambil dan resi dicetak.")
            self.save_button.setText("&Simpan dan cetak resi  (Ctrl+S)")

    # ================================================================ keyboard order

    def _update_chain(self) -> None:
        chain: list[QWidget] = [
            self.nik,
            self.sex,
            self.name,
            self.address,
            self.phone,
            self.email,
            self.type_edit,
            self.channel,
            self.renewal,
            self.note,
        ]
        chain += [f.editor for f in self._fields.values()]
        chain += [box.check for box in self._checks.values()]
        chain.append(self.attachments.add_button)
        self.navigator.set_chain(chain, tail=[self.save_button, self.cancel_button])

    def _leave_check(self, widget: QWidget) -> bool:
        """Enter on a field: check it now, keep the cursor there when it is wrong."""
        if widget is self.nik:
            return self._check_nik()
        if widget is self.name:
            return self._check(self.name_box, lambda: clean_name(self.name.text()))
        if widget is self.phone:
            return self._check(self.phone_box, lambda: clean_phone(self.phone.text()))
        if widget is self.address and self._type:
            return self._check(self.address_box, address_check(self._type, self.address))
        if widget is self.type_edit:
            return self._check_type()
        for field in self._fields.values():
            if widget is field.editor:
                return self._check(field.box, lambda f=field: clean_field(f.spec, f.value()))
        return True

    def _check(self, box: FieldBox, check: Callable[[], object]) -> bool:
        try:
            check()
        except ValidationError as exc:
            box.show_error(exc.message)
            return False
        box.clear_message()
        return True

    def _check_nik(self) -> bool:
        try:
            info = parse_nik(self.nik.text())
        except ValidationError as exc:
            self.nik_box.show_error(exc.message)
            return False
        found = self._s.intake.find_applicant(info.nik)
        if found is not None:
            if self._autofilled_for != info.nik:
                self.name.setText(found.name)
                self.address.setText(found.address)
                self.phone.setText(found.phone)
                self.email.setText(found.email)
                self._autofilled_for = info.nik
            self.nik_box.show_ok(
                f"Pemohon lama ({found.cases} permohonan sebelumnya): data diisi dari arsip."
            )
        else:
            self.nik_box.clear_message()
        self._check_sex()
        return True

    def _check_sex(self) -> None:
        female = {1: False, 2: True}.get(self.sex.currentIndex())
        try:
            info = parse_nik(self.nik.text())
        except ValidationError:
            self.sex_box.clear_message()
            return
        warning = sex_mismatch_warning(info, female)
        if warning:
            self.sex_box.show_warning(warning)
        else:
            self.sex_box.clear_message()

    # ================================================================ saving

    def has_input(self) -> bool:
        texts = (
            self.nik,
            self.name,
            self.address,
            self.phone,
            self.email,
            self.type_edit,
            self.note,
        )
        return (
            any(edit.text().strip() for edit in texts)
            or any(f.value().strip() for f in self._fields.values())
            or any(box.isChecked() for box in self._checks.values())
            or bool(self.attachments.picked())
        )

    def build_request(self) -> IntakeRequest | None:
        stale = self._type is None or self.resolve_type(self.type_edit.text()) is not self._type
        if stale and not self._check_type():
            self.type_edit.setFocus()
            return None
        pt = self._type
        assert pt is not None
        return IntakeRequest(
            form_code=pt.code,
            nik=self.nik.text(),
            name=self.name.text(),
            address=self.address.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            channel=str(self.channel.currentData() or ""),
            renewal=self.renewal.isChecked(),
            fields={key: f.value() for key, f in self._fields.items()},
            present=frozenset(code for code, box in self._checks.items() if box.isChecked()),
            attachments=self.attachments.attachments(),
            note=self.note.text().strip(),
        )

    def submit(self) -> None:
        """Save through the service off the GUI thread; the result closes the dialog."""
        if self._busy:
            return
        request = self.build_request()
        if request is None:
            return
        self.banner.clear_message()
        for box in self._boxes().values():
            if box.kind == "error":
                box.clear_message()
        self._set_busy(True)
        services, actor = self._s, self._actor
        self.task = run_in_background(
            lambda: services.intake.submit(actor, request),
            on_success=self._saved,
            on_failure=self._failed,
            owner=self,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        if busy:
            self.outcome.setText("Menyimpan…")

    def _saved(self, result: IntakeResult) -> None:
        self._set_busy(False)
        self.result_value = result
        self.saved.emit(result)
        self.done(QDialog.DialogCode.Accepted)

    def _boxes(self) -> dict[str, FieldBox]:
        boxes = {
            "nik": self.nik_box,
            "nama": self.name_box,
            "alamat": self.address_box,
            "telepon": self.phone_box,
            "email": self.email_box,
            "kanal": self.channel_box,
            "lampiran": self.attachments.box,
        }
        boxes.update({key: f.box for key, f in self._fields.items()})
        return boxes

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._update_outcome()
        if isinstance(exc, FieldErrors):
            boxes = self._boxes()
            loose = []
            for key, message in exc.errors.items():
                if key in boxes:
                    boxes[key].show_error(message)
                else:
                    loose.append(message)
            self.banner.show_error(
                "Permohonan belum disimpan. Perbaiki isian yang ditandai."
                + ("\n" + "\n".join(loose) if loose else "")
            )
            self._focus_first_error()
        elif isinstance(exc, UserError):
            self.banner.show_error(f"Permohonan belum disimpan: {exc.message}")
        else:
            report_error(self, exc)

    def _focus_first_error(self) -> None:
        errors = {box.editor for box in self._boxes().values() if box.kind == "error"}
        for widget in self.navigator.chain:
            if widget in errors:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                ensure_visible(widget)
                return
        if self.attachments.box.kind == "error":
            self.attachments.add_button.setFocus()

    # ================================================================ cancelling

    def reject(self) -> None:
        """Esc or Batal: ask first when something was typed; never while saving."""
        if self._busy:
            return
        if not self.has_input():
            super().reject()
            return
        ask(
            self,
            "Batalkan permohonan?",
            "Isian yang sudah diketik akan hilang. Batalkan permohonan ini?",
            lambda: QDialog.reject(self),
            yes="Ya, batalkan",
            no="Tidak, lanjutkan mengisi",
        )


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return area
