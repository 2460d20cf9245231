"""Certificates: what the case records of one, and whether it may sign for this person.

Split out of the former ``services/esign.py``: certificate facts are shared by the PKCS#12
backend, the BSrE backend (which checks the certificate BSrE signed with) and validation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from desktop_perizinan.errors import ValidationError


@dataclass(frozen=True)
class CertificateInfo:
    """What a person needs to recognise a certificate, and what the case records of it."""

    subject: str  # RFC 4514, e.g. "CN=...,O=...,C=ID"
    common_name: str
    subject_serial: str  # the subject's serialNumber attribute (BSrE: NIK or NIP), or ""
    serial: str  # the certificate's serial number, hex
    fingerprint: str  # SHA-256 of the DER, hex
    issuer: str
    not_before: datetime  # UTC
    not_after: datetime  # UTC

    @classmethod
    def of(cls, cert: x509.Certificate) -> CertificateInfo:
        return cls(
            subject=cert.subject.rfc4514_string(_NAMES),
            common_name=_name_attr(cert.subject, NameOID.COMMON_NAME),
            subject_serial=_name_attr(cert.subject, NameOID.SERIAL_NUMBER),
            serial=f"{cert.serial_number:X}",
            fingerprint=cert.fingerprint(_sha256()).hex(),
            issuer=cert.issuer.rfc4514_string(_NAMES),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )

    def as_record(self) -> dict[str, str]:
        """The JSON kept in a step's data: identifies the certificate, reveals nothing secret."""
        return {
            "subjek": self.subject,
            "serial": self.serial,
            "sidik_jari_sha256": self.fingerprint,
            "penerbit": self.issuer,
            "berlaku_sampai": self.not_after.date().isoformat(),
        }


#: Readable names for subject attributes RFC 4514 prints as numbers (BSrE puts NIK/NIP there).
_NAMES = {NameOID.SERIAL_NUMBER: "serialNumber", NameOID.EMAIL_ADDRESS: "emailAddress"}


def _sha256() -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from PEM (one or more) or DER bytes; a clear message for anything else."""
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise ValidationError(
            "Berkas bukan sertifikat X.509 (PEM atau DER, misalnya .cer/.crt/.pem)."
        ) from None
    if not certs:
        raise ValidationError("Berkas tidak memuat sertifikat.")
    return certs


def _aware(moment: datetime) -> datetime:
    """Office times are naive local times; certificates speak UTC."""
    return moment.astimezone(UTC) if moment.tzinfo is None else moment


def check_validity(info: CertificateInfo, at: datetime) -> None:
    """Refuse a certificate that has expired or is not valid yet at ``at``."""
    from desktop_perizinan.documents.dates import format_date

    moment = _aware(at)
    if moment > info.not_after:
        raise ValidationError(
            f"Sertifikat elektronik atas nama {info.common_name or info.subject} sudah kedaluwarsa "
            f"sejak {format_date(info.not_after.date())}. Perpanjang sertifikat pada penerbitnya "
            "(misalnya BSrE), atau gunakan tanda tangan basah.",
            "p12",
        )
    if moment < info.not_before:
        raise ValidationError(
            f"Sertifikat elektronik atas nama {info.common_name or info.subject} belum berlaku; "
            f"berlaku mulai {format_date(info.not_before.date())}.",
            "p12",
        )


def check_usage(cert: x509.Certificate) -> None:
    """Refuse a certificate whose key usage excludes signing (an encryption-only certificate)."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise ValidationError(
            "Sertifikat ini tidak diterbitkan untuk tanda tangan (penggunaan kuncinya bukan "
            "tanda tangan digital).",
            "p12",
        )


#: Academic and religious titles written before a name ("Drs.", "Ir.", "Hj.").
_PREFIX_TITLE = re.compile(r"^(?:[A-Za-z]{1,4}\.)+$")


def core_name(name: str) -> str:
    """A name without titles, case, accents or punctuation, for comparing people.

    Indonesian usage writes post-nominal titles after a comma ("Marisi Sianturi, M.Si") and
    pre-nominal ones as abbreviations with a dot ("Drs."); a certificate usually has the bare
    name in capitals. "Drs. Marisi Sianturi, M.Si" and "MARISI SIANTURI" are the same person.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.split(",")[0]
    words = [w for w in text.split() if not _PREFIX_TITLE.match(w)]
    return " ".join(re.sub(r"[^a-z0-9']", "", w.lower()) for w in words if w).strip()


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def belongs_to(info: CertificateInfo, *, full_name: str, nip: str) -> bool:
    """Whether the certificate names this person: the NIP (in serialNumber or anywhere in the
    subject), or the name in CN once titles are set aside."""
    nip_digits = _digits(nip)
    if len(nip_digits) >= 8 and (
        _digits(info.subject_serial) == nip_digits or nip_digits in _digits(info.subject)
    ):
        return True
    wanted = core_name(full_name)
    return bool(wanted) and wanted in (core_name(info.common_name), core_name(info.subject_serial))


def check_belongs_to(info: CertificateInfo, *, full_name: str, nip: str) -> None:
    """Refuse a certificate that does not name the signer of the step."""
    if not belongs_to(info, full_name=full_name, nip=nip):
        who = f"{full_name}" + (f" (NIP {nip})" if nip else "")
        raise ValidationError(
            f"Sertifikat ini milik {info.common_name or info.subject}, bukan milik {who} yang "
            "menandatangani langkah ini. Gunakan sertifikat elektronik Anda sendiri.",
            "p12",
        )
