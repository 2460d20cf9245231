"""Before a PDF goes to BSrE, and after it comes back.

Before (:func:`check_before_sending`): offices report BSrE refusing generated PDFs ("Rebuild
failed") because of incremental updates or a broken cross-reference, so the file must be one
clean revision: no prior signature, one ``%%EOF``/``startxref``, every font embedded, the QR and
the verification code already drawn (the final is rendered with them before signing, and the
signed file is never changed afterwards), and the ``tag_koordinat`` marker exactly once when
the signer places the stamp by marker.

After (:func:`check_returned`): the PDF that comes back is validated with pyHanko before it is
stored: one signature, intact, covering the whole file; the bytes we sent are exactly the
signed revision's prefix (the gateway appends an incremental update and changes nothing
else); the certificate names the signer (NIK in ``serialNumber``, or the name); and when the
office configured trust roots, it chains to one of them.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from typing import Any

from cryptography import x509

from desktop_perizinan.services.esign.backend import ExpectedSigner
from desktop_perizinan.services.esign.certificates import CertificateInfo, belongs_to
from desktop_perizinan.services.esign.errors import InvalidSignedPdf, PreflightError
from desktop_perizinan.services.esign.pdftext import page_texts
from desktop_perizinan.services.esign.validation import UnreadablePdf, validate_signatures

log = logging.getLogger(__name__)


def _fonts_not_embedded(reader: Any) -> list[str]:
    """Base names of the fonts used by any page that carry no embedded font program."""
    missing: set[str] = set()

    def check(font: Any) -> None:
        font = font.get_object()
        subtype = font.get("/Subtype")
        if subtype == "/Type3":
            return
        if subtype == "/Type0":
            for child in font.get("/DescendantFonts", []):
                check(child)
            return
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else None
        if descriptor is None or not any(
            k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            missing.add(str(font.get("/BaseFont", "?")).lstrip("/"))

    def walk(resources: Any, seen: set[int]) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            check(font)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
                seen.add(id(xobject))
                walk(xobject.get("/Resources"), seen)

    for page in reader.pages:
        walk(page.get("/Resources"), set())
    return sorted(missing)


def single_revision(pdf: bytes) -> bytes:
    """The PDF rewritten as one revision when it carries incremental updates.

    The final gets its verification payload in the document information as an incremental
    update (``verification.embed_payload``); BSrE rebuilds such files badly ("Rebuild
    failed"), so what is sent is the same document written out once (pypdf keeps pages, fonts
    and the information dictionary). An already clean file is sent byte for byte.
    """
    from pypdf import PdfReader, PdfWriter

    if pdf.count(b"%%EOF") == 1 and pdf.count(b"startxref") == 1:
        return pdf
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
        out = io.BytesIO()
        writer.write(out)
    except Exception:  # a broken xref: the pre-flight check says so in words
        log.info("pre-flight: PDF could not be rewritten", exc_info=True)
        return pdf
    return out.getvalue()


def check_before_sending(
    pdf: bytes,
    *,
    marker: str = "",
    required_text: Iterable[str] = (),
    required_metadata: Iterable[str] = (),
) -> None:
    """Refuse, with the reason, a PDF that BSrE would reject or that is not final yet.

    ``required_text``: strings that must already be in the page text (the number);
    ``required_metadata``: strings that must be in the document information (the verification
    code, written there with the QR).
    """
    from pypdf import PdfReader

    if not pdf.startswith(b"%PDF"):
        raise PreflightError("berkas bukan PDF")
    if b"/ByteRange" in pdf or b"/Type /Sig" in pdf or b"/Type/Sig" in pdf:
        raise PreflightError(
            "berkas sudah memuat tanda tangan; BSrE hanya menerima dokumen yang belum "
            "ditandatangani"
        )
    if pdf.count(b"%%EOF") != 1 or pdf.count(b"startxref") != 1:
        raise PreflightError(
            "berkas memuat pembaruan bertahap (incremental update); buat ulang dokumen dari "
            "aplikasi sebelum ditandatangani"
        )
    try:
        reader = PdfReader(io.BytesIO(pdf), strict=True)
        missing = _fonts_not_embedded(reader)
        info = " ".join(str(v) for v in (reader.metadata or {}).values())
    except Exception:  # pypdf raises many kinds on a broken xref
        log.info("pre-flight: unreadable PDF", exc_info=True)
        raise PreflightError("struktur PDF rusak (tabel xref tidak dapat dibaca)") from None
    if missing:
        raise PreflightError("huruf (font) tidak tertanam di PDF: " + ", ".join(missing))
    for needed in required_metadata:
        if needed and needed not in info:
            raise PreflightError(
                "kode verifikasi (isi QR) belum tertanam pada dokumen; QR dan kode verifikasi "
                "harus sudah ada sebelum ditandatangani"
            )
    texts = page_texts(pdf)
    joined = " ".join(" ".join(t.split()) for t in texts)
    for needed in required_text:
        if needed and needed not in joined:
            raise PreflightError(
                f"'{needed}' belum tercetak pada dokumen (nomor dan kode verifikasi/QR harus "
                "sudah ada sebelum ditandatangani)"
            )
    if marker:
        count = sum(t.count(marker) for t in texts)
        if count != 1:
            raise PreflightError(
                f"karakter penanda '{marker}' untuk letak tanda tangan harus ada tepat satu kali "
                f"pada dokumen, ditemukan {count} kali; ubah karakter penanda di Pengaturan"
            )


def check_returned(
    sent: bytes,
    returned: bytes,
    expected: ExpectedSigner,
    roots: Iterable[x509.Certificate] = (),
) -> tuple[CertificateInfo, bool]:
    """Validate the PDF the gateway returned; (signer certificate, trusted) when it passes."""
    roots = list(roots)
    if not returned.startswith(b"%PDF"):
        raise InvalidSignedPdf("jawaban layanan bukan berkas PDF")
    try:
        reports = validate_signatures(returned, roots)
    except UnreadablePdf:
        raise InvalidSignedPdf("berkas PDF rusak dan tidak dapat dibaca") from None
    if len(reports) != 1:
        raise InvalidSignedPdf(f"berkas memuat {len(reports)} tanda tangan, seharusnya satu")
    report = reports[0]
    if not report.intact or report.signer is None:
        raise InvalidSignedPdf("tanda tangan elektronik pada berkas tidak utuh")
    if not report.covers_document:
        raise InvalidSignedPdf("berkas diubah setelah ditandatangani")
    if not returned.startswith(sent) or len(returned) == len(sent):
        raise InvalidSignedPdf("isi yang ditandatangani berbeda dengan dokumen yang dikirim")
    info = report.signer
    digits = "".join(ch for ch in info.subject_serial if ch.isdigit())
    if expected.nik:
        ok = digits == expected.nik or expected.nik in "".join(
            ch for ch in info.subject if ch.isdigit()
        )
    else:
        ok = belongs_to(info, full_name=expected.full_name, nip=expected.nip)
    if not ok:
        who = expected.full_name + (f" (NIK {expected.nik})" if expected.nik else "")
        raise InvalidSignedPdf(
            f"ditandatangani dengan sertifikat {info.common_name or info.subject}, bukan milik {who}"
        )
    if roots and not report.trusted:
        raise InvalidSignedPdf(
            "sertifikat penanda tangan tidak berantai ke CA terpercaya di Pengaturan"
        )
    return info, report.trusted
