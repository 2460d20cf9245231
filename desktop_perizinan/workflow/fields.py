"""What a permit-type file may say about the applicant's own fields and the letters' fixed
sentences, with the defaults that keep the shipped types printing as before.

Pure data (imported by ``definition``); ``type_applicant`` reads it from the file. Why these
are per type: an SOP prints its own labels on the form ("Nama Pemohon sesuai SK", "Alamat
Lengkap — tidak boleh disingkat") and a revocation letter cannot close with "Demikian surat
izin ini diberikan…".
"""

from __future__ import annotations

from dataclasses import dataclass

#: What a "date or lifetime" field stores and prints when the permit never expires.
LIFETIME_DEFAULT = "Seumur Hidup"

#: The closing sentences of the letters when the file does not give its own.
DEFAULT_PERMIT_CLOSING = (
    "Demikian surat izin ini diberikan untuk dipergunakan sebagaimana mestinya."
)
DEFAULT_REJECTION_CLOSING = (
    "Demikian kami sampaikan, atas perhatian Saudara diucapkan terima kasih."
)


@dataclass(frozen=True)
class ApplicantField:
    """The applicant's name or address as the type's form and documents show it.

    ``label`` is what the counter's form shows; ``print_label`` is the row label in the
    permit's data table (the form's label can be an instruction, "sesuai SK", which a letter
    does not repeat)."""

    label: str
    required: bool
    help: str = ""
    print_label: str = ""
    #: True when the file said anything about this field (the permit then prints its row).
    declared: bool = False


@dataclass(frozen=True)
class ApplicantForm:
    """``[applicant]`` of a permit-type file."""

    name: ApplicantField = ApplicantField("Nama", True, "sesuai KTP", "Nama pemohon")
    address: ApplicantField = ApplicantField("Alamat", False, "", "Alamat")


DEFAULT_APPLICANT = ApplicantForm()
