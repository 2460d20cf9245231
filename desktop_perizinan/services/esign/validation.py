"""Judging the signatures of a PDF offline (ours, BSrE's, or made elsewhere).

No OCSP/CRL fetching; trust means "chains to a CA certificate the office added in Pengaturan"
(e.g. the BSrE root). pyHanko's exceptions never reach the user as a traceback.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.esign.certificates import CertificateInfo

log = logging.getLogger(__name__)

LEVEL_B_B = "PAdES B-B"
LEVEL_B_T = "PAdES B-T"


@dataclass(frozen=True)
class SignatureReport:
    """One signature of a PDF, judged offline; ``messages`` say it in Indonesian."""

    field_name: str
    signer: CertificateInfo | None
    signing_time: datetime | None  # as the signer claims it (no timestamp: not proven)
    timestamp_time: datetime | None  # from a TSA, when the signature has one (B-T)
    intact: bool  # the signed bytes are unchanged and the signature is cryptographically valid
    covers_document: bool  # no change after signing other than what signatures may add
    trusted: bool  # the certificate chains to a CA the office trusts
    level: str
    messages: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.intact and self.covers_document and self.trusted

    @property
    def signer_name(self) -> str:
        return self.signer.common_name or self.signer.subject if self.signer else "(tidak dikenal)"


class UnreadablePdf(UserError):
    """The bytes are not a PDF pyHanko can read (so no signature can be checked)."""


def _asn1(cert: x509.Certificate) -> Any:
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def has_signatures(data: bytes) -> bool:
    """Cheap test before the heavier validation: a signature dictionary is in the bytes."""
    return b"/ByteRange" in data


def validate_signatures(
    data: bytes, trust_roots: Iterable[x509.Certificate] = ()
) -> list[SignatureReport]:
    """Judge every signature of a PDF, ours or signed elsewhere (e.g. with the BSrE tools).

    Offline: no revocation fetching; "trusted" means the certificate chains to one of
    ``trust_roots``. Raises :class:`UnreadablePdf` when the file cannot be read at all.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [_asn1(c) for c in trust_roots]
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises PdfReadError, ValueError, KeyError... on junk
        raise UnreadablePdf(f"Berkas PDF tidak dapat dibaca: {exc}") from None
    reports: list[SignatureReport] = []
    for sig in embedded:
        context = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
        )
        try:
            status = validate_pdf_signature(sig, context)
        except Exception:  # a malformed CMS blob, an unsupported algorithm
            log.info("signature %s could not be validated", sig.field_name, exc_info=True)
            reports.append(
                SignatureReport(
                    field_name=str(sig.field_name),
                    signer=None,
                    signing_time=None,
                    timestamp_time=None,
                    intact=False,
                    covers_document=False,
                    trusted=False,
                    level="",
                    messages=(f"Tanda tangan '{sig.field_name}' rusak dan tidak dapat diperiksa.",),
                )
            )
            continue
        reports.append(_report(sig.field_name, status, bool(roots)))
    return reports


def _report(field_name: str, status: Any, have_roots: bool) -> SignatureReport:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    from desktop_perizinan.documents.dates import format_date

    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    info = CertificateInfo.of(cert)
    intact = bool(status.intact and status.valid)
    coverage = status.coverage
    level = status.modification_level
    covers = coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and level is not None
        and level <= ModificationLevel.FORM_FILLING
    )
    trusted = bool(status.trusted)
    ts = status.timestamp_validity
    messages: list[str] = []
    who = info.common_name or info.subject
    if intact:
        messages.append(f"Tanda tangan {who} utuh: isi yang ditandatangani tidak berubah.")
    else:
        messages.append(
            f"Tanda tangan {who} TIDAK SAH: isi berkas telah berubah setelah ditandatangani "
            "atau tanda tangannya rusak."
        )
    if intact and not covers:
        messages.append(
            "Berkas diubah setelah ditandatangani (ada tambahan di luar bagian yang "
            "ditandatangani)."
        )
    if trusted:
        messages.append("Sertifikat berantai ke CA terpercaya yang terdaftar di Pengaturan.")
    elif not have_roots:
        messages.append(
            "Keterpercayaan sertifikat belum dapat dinilai: belum ada sertifikat CA terpercaya "
            "di Pengaturan (misalnya sertifikat akar BSrE)."
        )
    elif status.revoked:
        messages.append("Sertifikat penanda tangan telah dicabut.")
    else:
        messages.append(
            f"Sertifikat {who} (diterbitkan oleh {_issuer_cn(info)}) tidak berantai ke CA "
            "terpercaya di Pengaturan, atau tidak berlaku pada saat pemeriksaan."
        )
    signing_time = status.signer_reported_dt
    if ts is not None:
        messages.append(f"Cap waktu dari TSA: {format_date(ts.timestamp.date())}.")
    else:
        messages.append(
            "Tanpa cap waktu (PAdES B-B): waktu tanda tangan adalah waktu komputer penanda tangan."
        )
    return SignatureReport(
        field_name=str(field_name),
        signer=info,
        signing_time=signing_time,
        timestamp_time=ts.timestamp if ts is not None else None,
        intact=intact,
        covers_document=covers,
        trusted=trusted,
        level=LEVEL_B_T if ts is not None else LEVEL_B_B,
        messages=tuple(messages),
    )


def _issuer_cn(info: CertificateInfo) -> str:
    match = re.search(r"CN=([^,]+)", info.issuer)
    return match.group(1) if match else info.issuer
