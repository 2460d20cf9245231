"""Checks of what a clerk types: NIK, NPWP, NIB, phone, dates, numbers.

Pure functions returning a cleaned value or raising :class:`ValidationError` with a sentence in
Bahasa Indonesia that the screen shows beside the field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from desktop_perizinan.errors import ValidationError
from desktop_perizinan.workflow.definition import FieldType, FormField

_DIGITS = re.compile(r"\D", re.ASCII)

#: The longest address accepted: two or three lines of a letter's addressee block. Without a
#: limit a pasted document ends in the Text column and then breaks the resi's layout.
MAX_ADDRESS = 500

#: Whitespace that may stand in free text (an address or a field pasted from several lines).
LINE_BREAKS = "\t\n\r"


#: Unicode categories of control characters (C0, DEL, C1) and of lone surrogates.
_CONTROL = ("Cc", "Cs")


def has_control_characters(text: str, allowed: str = "") -> bool:
    """True when ``text`` holds a control character (C0, DEL, C1) or a lone surrogate that is
    not in ``allowed``.

    They come from a broken paste or a misconfigured barcode scanner, are invisible on screen
    and paper, and PostgreSQL refuses NUL in text outright (a raw error at save time; a lone
    surrogate cannot even be encoded), so every free-text value is checked with this before
    it is stored.
    """
    return any(unicodedata.category(c) in _CONTROL and c not in allowed for c in text)


def drop_control_characters(text: str) -> str:
    """``text`` without the characters :func:`has_control_characters` finds: for input that
    is only looked up, never stored (a search box), where refusing would help nobody."""
    return "".join(c for c in text if unicodedata.category(c) not in _CONTROL)


def ascii_digits(text: str) -> str:
    """``text`` with every Unicode decimal digit (Arabic-Indic, fullwidth, ...) as its ASCII
    digit; other characters unchanged.

    ``str.isdigit``, ``int`` and the regex ``\\d`` take any script's digits, so a NIK typed
    with a fullwidth or Arabic-Indic keyboard layout would otherwise be stored in those digits
    and never match the same NIK typed in ASCII.
    """
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


@dataclass(frozen=True)
class NikInfo:
    """What a valid NIK tells: the region code, the birth date and the sex (+40 = female)."""

    nik: str
    province: str
    birth_date: date
    female: bool


def parse_nik(text: str) -> NikInfo:
    """Validate a NIK: 16 digits, a real date in positions 7–12 (day + 40 for women).

    Digits of other scripts are read as their ASCII digits, so the stored NIK is always 16
    ASCII digits; anything else that ``isdigit`` accepts (superscripts, circled digits) is
    refused.
    """
    nik = ascii_digits(text.strip().replace(" ", "").replace(".", ""))
    if not nik:
        raise ValidationError("NIK wajib diisi.", "nik")
    if not (nik.isascii() and nik.isdigit()) or len(nik) != 16:
        raise ValidationError(f"NIK harus 16 angka (sekarang {len(nik)} karakter).", "nik")
    if nik[:2] in ("00",) or int(nik[:2]) < 11:
        raise ValidationError("Kode provinsi pada NIK (2 angka pertama) tidak dikenal.", "nik")
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    if female:
        day -= 40
    today = date.today()
    century = 2000 if 2000 + year2 <= today.year else 1900
    try:
        birth = date(century + year2, month, day)
    except ValueError:
        raise ValidationError(
            "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak valid.", "nik"
        ) from None
    if nik[12:] == "0000":
        raise ValidationError("Nomor urut pada NIK (4 angka terakhir) tidak boleh 0000.", "nik")
    return NikInfo(nik, nik[:2], birth, female)


def sex_mismatch_warning(info: NikInfo, female: bool | None) -> str | None:
    """A warning (not an error) when the declared sex does not match the NIK's date part."""
    if female is None or female == info.female:
        return None
    expected = "perempuan" if info.female else "laki-laki"
    return f"Menurut NIK, pemohon {expected}. Periksa kembali NIK atau jenis kelamin."


def clean_phone(text: str, field: str = "telepon") -> str:
    """Indonesian phone numbers: 08…, +62…, 62…, or a landline with area code; 9–15 digits."""
    raw = ascii_digits(text.strip())
    if not raw:
        return ""
    if re.search(r"[^0-9\s+()\-.]", raw):
        raise ValidationError("Nomor telepon hanya boleh berisi angka, spasi, +, - dan ( ).", field)
    digits = _DIGITS.sub("", raw)
    if raw.startswith("+"):
        if not digits.startswith("62"):
            raise ValidationError("Nomor telepon luar negeri belum didukung; gunakan +62.", field)
        digits = "0" + digits[2:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    if not digits.startswith("0") or not 9 <= len(digits) <= 15:
        raise ValidationError(
            "Nomor telepon tidak valid; tulis misalnya 0812 3456 7890 atau (0627) 21234.", field
        )
    return digits


#: The applicant's e-mail column holds 200 characters (and RFC 5321 allows 254 in all).
MAX_EMAIL = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_email(text: str, field: str = "email") -> str:
    """An optional e-mail address: empty, or one address that fits the column (a longer one
    would fail at save time on PostgreSQL and be silently kept whole on SQLite)."""
    value = text.strip()
    if not value:
        return ""
    if len(value) > MAX_EMAIL:
        raise ValidationError(f"Alamat surel paling banyak {MAX_EMAIL} karakter.", field)
    if has_control_characters(value) or not _EMAIL.match(value):
        raise ValidationError("Alamat surel tidak valid; tulis misalnya nama@contoh.go.id.", field)
    return value


def clean_npwp(text: str, field: str = "npwp") -> str:
    """NPWP: 15 digits (old format, 99.999.999.9-999.999) or 16 digits (NIK-based)."""
    digits = _DIGITS.sub("", ascii_digits(text))
    if len(digits) not in (15, 16):
        raise ValidationError("NPWP harus 15 atau 16 angka.", field)
    if len(digits) == 15:
        d = digits
        return f"{d[:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:]}"
    return digits


def clean_nib(text: str, field: str = "nib") -> str:
    """NIB from OSS: 13 digits."""
    text = ascii_digits(text)
    digits = _DIGITS.sub("", text)
    if len(digits) != 13 or digits != text.strip().replace(" ", ""):
        raise ValidationError("NIB harus 13 angka.", field)
    return digits


def clean_date(text: str, field: str = "tanggal") -> str:
    """A date typed as DD-MM-YYYY, DD/MM/YYYY or YYYY-MM-DD; stored as ISO."""
    raw = text.strip()
    for fmt in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValidationError("Tanggal tidak valid; tulis HH-BB-TTTT, misalnya 17-08-2026.", field)


def clean_date_or_lifetime(spec: FormField, text: str) -> str:
    """A date (stored as ISO), or the field's lifetime wording ("Seumur Hidup", any case;
    "seumur hidup" and "selamanya" are understood too), stored as the file writes it."""
    folded = " ".join(text.split()).casefold()
    if folded in {spec.lifetime.casefold(), "seumur hidup", "selamanya"}:
        return spec.lifetime
    try:
        return clean_date(text, spec.key)
    except ValidationError:
        raise ValidationError(
            f'{spec.label}: tulis tanggal HH-BB-TTTT (misalnya 17-08-2026) atau "{spec.lifetime}".',
            spec.key,
        ) from None


def clean_field(spec: FormField, value: object) -> str:
    """Check one application field against its type; return the value to store."""
    text = "" if value is None else str(value).strip()
    if not text:
        if spec.required:
            raise ValidationError(f"{spec.label} wajib diisi.", spec.key)
        return ""
    if len(text) > 2000:
        raise ValidationError(f"{spec.label} terlalu panjang (maksimal 2.000 karakter).", spec.key)
    if has_control_characters(text, LINE_BREAKS):
        raise ValidationError(f"{spec.label} berisi karakter yang tidak dapat dicetak.", spec.key)
    match spec.type:
        case FieldType.NUMBER:
            cleaned = ascii_digits(text).replace(".", "").replace(",", "")
            if not cleaned.lstrip("-").isdecimal():
                raise ValidationError(f"{spec.label} harus berupa angka.", spec.key)
            return cleaned
        case FieldType.DATE:
            return clean_date(text, spec.key)
        case FieldType.DATE_OR_LIFETIME:
            return clean_date_or_lifetime(spec, text)
        case FieldType.CHOICE:
            if text not in spec.choices:
                raise ValidationError(
                    f"{spec.label} harus salah satu dari: {', '.join(spec.choices)}.", spec.key
                )
            return text
        case FieldType.NIK:
            try:
                return parse_nik(text).nik
            except ValidationError as exc:
                raise ValidationError(f"{spec.label}: {exc.message}", spec.key) from None
        case FieldType.NPWP:
            return clean_npwp(text, spec.key)
        case FieldType.NIB:
            return clean_nib(text, spec.key)
        case FieldType.PHONE:
            return clean_phone(text, spec.key)
        case _:
            return text


def clean_name(text: str, field: str = "nama") -> str:
    """A person's or institution's name: required, at most 300 characters, no control chars."""
    name = " ".join(text.split())
    if not name:
        raise ValidationError("Nama wajib diisi.", field)
    if len(name) > 300:
        raise ValidationError("Nama terlalu panjang (maksimal 300 karakter).", field)
    if has_control_characters(name):
        raise ValidationError("Nama berisi karakter yang tidak dapat dicetak.", field)
    return name


def clean_address(text: str, field: str = "alamat") -> str:
    """An address: optional, at most :data:`MAX_ADDRESS` characters, no control characters
    (line breaks and tabs are allowed; they are only whitespace on the printed page)."""
    address = text.strip()
    if len(address) > MAX_ADDRESS:
        raise ValidationError(f"Alamat terlalu panjang (maksimal {MAX_ADDRESS} karakter).", field)
    if has_control_characters(address, LINE_BREAKS):
        raise ValidationError("Alamat berisi karakter yang tidak dapat dicetak.", field)
    return address
