"""``[applicant]`` of a permit-type file: the labels, help and mandatory flags of the
applicant's name and address, as the SOP writes them (see ``workflow.fields``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from desktop_perizinan.workflow.fields import DEFAULT_APPLICANT, ApplicantField, ApplicantForm
from desktop_perizinan.workflow.form_reader import Reader

APPLICANT_KEYS = (
    "name_label",
    "name_help",
    "name_print_label",
    "address_label",
    "address_help",
    "address_print_label",
    "address_required",
)
_EXAMPLE = '[applicant]\nname_label = "Nama Pemohon sesuai SK"\naddress_required = true'


def read_applicant(r: Reader, data: Mapping[str, Any]) -> ApplicantForm | None:
    """The type's ``[applicant]`` (optional: the defaults print as before); None on a problem.

    The name is always mandatory (every document is addressed to it); the address may be made
    mandatory. A label given without a print label prints as given, less any instruction after
    a dash ("Alamat Lengkap — tidak boleh disingkat" prints "Alamat Lengkap")."""
    table = r.table(data, (), "applicant", required=False, example=_EXAMPLE)
    if table is None:
        return None if "applicant" in data else DEFAULT_APPLICANT
    where = ("applicant",)
    r.unknown_keys(table, where, APPLICANT_KEYS, "[applicant]")
    name = _read(r, table, "name", DEFAULT_APPLICANT.name, required=True)
    address = _read(r, table, "address", DEFAULT_APPLICANT.address, required=None)
    if name is None or address is None:
        return None
    return ApplicantForm(name=name, address=address)


def _read(
    r: Reader,
    table: Mapping[str, Any],
    prefix: str,
    default: ApplicantField,
    *,
    required: bool | None,
) -> ApplicantField | None:
    where = ("applicant",)
    what = "[applicant]"
    label = r.text(table, where, f"{prefix}_label", required=False, default="", what=what)
    help_text = r.text(table, where, f"{prefix}_help", required=False, default="", what=what)
    printed = r.text(table, where, f"{prefix}_print_label", required=False, default="", what=what)
    flag = (
        r.flag(table, where, f"{prefix}_required", default=default.required)
        if required is None
        else required
    )
    if None in (label, help_text, printed, flag):
        return None
    assert label is not None and help_text is not None and printed is not None
    declared = any(key.startswith(f"{prefix}_") for key in table)
    label = " ".join(label.split())
    if label and not printed:
        printed = _without_instruction(label)
    return replace(
        default,
        label=label or default.label,
        help=help_text.strip() or (default.help if not label else ""),
        print_label=" ".join(printed.split()) or default.print_label,
        required=bool(flag),
        declared=declared,
    )


def _without_instruction(label: str) -> str:
    """ "Alamat Lengkap — tidak boleh disingkat" → "Alamat Lengkap" (em dash, en dash or " - ")."""
    for dash in (" — ", " – ", " - "):
        if dash in label:
            return label.split(dash, 1)[0].strip()
    return label
