"""The applicant's name and address rows of the intake form, labelled as the permit type's
SOP labels them (``[applicant]``: "Nama Pemohon sesuai SK", "Alamat Lengkap — tidak boleh
disingkat", mandatory or not). Kept out of the dialog so it stays one job."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QLineEdit

from desktop_perizinan.errors import ValidationError
from desktop_perizinan.workflow.definition import PermitType
from desktop_perizinan.workflow.fields import DEFAULT_APPLICANT, ApplicantField, ApplicantForm
from desktop_perizinan.workflow.validators import clean_address


def with_mnemonic(text: str, letter: str) -> str:
    """``text`` with ``&`` before the first ``letter`` (any case), keeping the row's Alt key
    ("Nama Pemohon sesuai SK" with "m" → "Na&ma Pemohon sesuai SK"); "&&" for a literal &."""
    text = text.replace("&", "&&")
    index = text.lower().find(letter.lower())
    return text if index < 0 else text[:index] + "&" + text[index:]


def label_row(label: QLabel, edit: QLineEdit, spec: ApplicantField, letter: str) -> None:
    """Label (with " *" when mandatory), placeholder and tooltip of one row."""
    label.setText(with_mnemonic(spec.label, letter) + (" *" if spec.required else ""))
    edit.setPlaceholderText(spec.help)
    edit.setToolTip(spec.help)
    edit.setAccessibleName(spec.label)


def apply_applicant_form(
    form: ApplicantForm | None,
    name: tuple[QLabel, QLineEdit],
    address: tuple[QLabel, QLineEdit],
) -> None:
    """Label both rows for the chosen permit type (``None``: no type chosen yet)."""
    form = form or DEFAULT_APPLICANT
    label_row(*name, form.name, "m")
    label_row(*address, form.address, "l")


def address_check(pt: PermitType, edit: QLineEdit) -> Callable[[], object]:
    """What Enter on the address checks: the type's mandatory flag, then the service's rule
    (length, printable characters), so the clerk hears it before saving."""

    def check() -> str:
        spec = pt.applicant.address
        if spec.required and not edit.text().strip():
            raise ValidationError(f"{spec.label} wajib diisi.", "alamat")
        return clean_address(edit.text())

    return check
