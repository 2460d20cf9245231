"""Least exposure of personal data (UU 27/2022): how a NIK is shown where it is not needed.

Kept at the bottom of the layers (no database, no Qt) because the documents, the services and
the screens all mask the same way: the first four digits (province and regency, which a clerk
uses to tell applicants apart at a glance) and the last four, with the middle eight (district
and date of birth, the part that identifies a person) hidden.
"""

from __future__ import annotations

from collections.abc import Iterable

from desktop_perizinan.errors import ValidationError

#: The character that hides a digit. One glyph per digit so a masked NIK keeps its length.
MASK_CHAR = "•"
#: Roles that see a NIK in full when the office file does not say otherwise: the counter
#: (checks the KTP when it takes the file in) and the back-office Kasi (checks the file against
#: the KTP). Everyone else works with the name, the registration number and a masked NIK.
DEFAULT_FULL_NIK_ROLES: tuple[str, ...] = ("front_office", "backoffice")
#: What replaces a name or other text of an applicant whose data was erased.
ERASED_TEXT = "[dihapus]"


def mask_nik(nik: str | None) -> str:
    """``1211034101950002`` -> ``1211••••••••0002``. Anything shorter than 9 characters is
    hidden whole (nothing would be left hidden otherwise); an empty value stays empty."""
    if not nik:
        return ""
    text = nik.strip()
    if is_erased_nik(text):
        return ERASED_TEXT
    if len(text) <= 8:
        return MASK_CHAR * len(text)
    return text[:4] + MASK_CHAR * (len(text) - 8) + text[-4:]


def is_masked(text: str) -> bool:
    return MASK_CHAR in text


def may_see_full_nik(roles: Iterable[str], allowed: Iterable[str]) -> bool:
    """True when one of ``roles`` is among the roles the office lets see a NIK in full."""
    return bool(set(roles) & set(allowed))


def shown_nik(nik: str, roles: Iterable[str], allowed: Iterable[str]) -> str:
    """The NIK as a user with ``roles`` may see it: in full, or masked."""
    if may_see_full_nik(roles, allowed) and not is_erased_nik(nik):
        return nik
    return mask_nik(nik)


def erased_nik(applicant_id: int) -> str:
    """The placeholder stored in ``applicant.nik`` after erasure: unique (the column is), 16
    characters (its width), and never a valid NIK (letters), so no intake can match it."""
    return f"HAPUS{applicant_id:011d}"[-16:]


def is_erased_nik(nik: str) -> bool:
    return nik.startswith("HAPUS")


def check_nik_input(text: str) -> str:
    """The NIK typed or given on the command line, as stored: 16 digits, or a clear refusal
    (a NIK with letters changes nothing and says why)."""
    nik = text.strip().replace(" ", "").replace(".", "")
    if not nik:
        raise ValidationError("NIK wajib diisi.", "nik")
    if any(ch.isalpha() for ch in nik):
        raise ValidationError(
            f"NIK hanya berisi angka; '{text.strip()[:24]}' mengandung huruf. Periksa KTP "
            "pemohon dan ketik ulang 16 angkanya.",
            "nik",
        )
    if not (nik.isascii() and nik.isdigit()) or len(nik) != 16:
        raise ValidationError(f"NIK harus 16 angka (sekarang {len(nik)} karakter).", "nik")
    return nik
