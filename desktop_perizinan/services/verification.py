"""Is this document ours, and is it the one in the book? Offline, from a file or a scanned QR.

Every final document carries ``PRZ|<number>|<code>`` (the code is an HMAC of its content with
the office's secret, see ``services.documents``): in its QR code, and, for the letters
numbered in the flow, also in the PDF's document information under
:data:`METADATA_KEY`, so that a file can be verified without decoding an image. The
metadata is written before the bytes are stored, so the stored SHA-256 covers it.

How a file is judged (:func:`verify_pdf`):

1. find the payload: the metadata (pypdf, then a raw search that still works on a damaged
   file), else the QR code on the pages (``pdftoppm`` + ``zbarimg`` when installed), else the
   file's SHA-256 among the stored finals;
2. look the number up in the book and compare the code (unknown number, code mismatch);
3. compare the file's SHA-256 with every stored final version of that document; when none
   matches the file was changed, and the text of the stored final and of the file are compared
   line by line (difflib) to show what;
4. check any embedded signature (intact, trusted) with the office's trust roots;
5. a voided number is never valid, whatever the file.

A scanned QR (:func:`verify_payload`) answers steps 2 and 5: the number and code are in the
book; the person then compares the paper with the stored document the screen shows.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from desktop_perizinan.db.models import AgendaEntry, Case, Document, DocumentVersion, User
from desktop_perizinan.documents.dates import format_date, format_datetime
from desktop_perizinan.services.pdf_payload import (
    METADATA_KEY,
    embed_payload,
    find_payload,
    payload_from_metadata,
    payload_from_qr,
    pdf_text_lines,
    qr_tools_available,
    text_differences,
)
from desktop_perizinan.services.qr_codes import QR_PREFIX, parse_qr_payload
from desktop_perizinan.workflow.definition import CaseStatus

#: Reading and writing the payload moved to ``pdf_payload``; its names stay importable here.
__all__ = [
    "METADATA_KEY",
    "SOURCE_LABELS",
    "Verdict",
    "VerificationResult",
    "embed_payload",
    "find_payload",
    "payload_from_metadata",
    "payload_from_qr",
    "pdf_text_lines",
    "qr_tools_available",
    "text_differences",
    "verify_payload",
    "verify_pdf",
]

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.esign import SignatureReport

log = logging.getLogger(__name__)


class Verdict(StrEnum):
    VALID = "sah"
    UNKNOWN_NUMBER = "nomor_tidak_dikenal"
    CODE_MISMATCH = "kode_tidak_cocok"
    CHANGED = "berkas_berubah"
    SIGNATURE_INVALID = "tanda_tangan_tidak_sah"
    VOIDED = "nomor_dibatalkan"
    NO_CODE = "tanpa_kode"
    NOT_A_CODE = "bukan_kode"

    @property
    def headline(self) -> str:
        return _HEADLINES[self]


_HEADLINES = {
    Verdict.VALID: "SAH — dokumen sesuai dengan buku agenda",
    Verdict.UNKNOWN_NUMBER: "TIDAK SAH — nomor tidak terdaftar",
    Verdict.CODE_MISMATCH: "TIDAK SAH — kode verifikasi tidak cocok",
    Verdict.CHANGED: "TIDAK SAH — berkas telah diubah",
    Verdict.SIGNATURE_INVALID: "TIDAK SAH — tanda tangan elektronik tidak sah",
    Verdict.VOIDED: "TIDAK SAH — nomor telah dibatalkan",
    Verdict.NO_CODE: "TIDAK DAPAT DIPERIKSA — tidak ada kode verifikasi",
    Verdict.NOT_A_CODE: "TIDAK DAPAT DIPERIKSA — bukan kode verifikasi",
}


@dataclass(frozen=True)
class VerificationResult:
    """The verdict and everything a clerk needs to explain it to whoever brought the paper."""

    verdict: Verdict
    #: label → value: number, book, date, applicant, permit type, status...
    details: tuple[tuple[str, str], ...] = ()
    #: Sentences explaining the verdict (why not valid, warnings such as an untrusted CA).
    notes: tuple[str, ...] = ()
    #: Changed lines: "- " in the stored final only, "+ " in the given file only.
    differences: tuple[str, ...] = ()
    signatures: tuple[SignatureReport, ...] = ()
    payload: str | None = None
    #: Where the payload came from: "metadata", "qr", "pindaian", "sidik_jari" or "".
    source: str = ""
    document_id: int | None = None
    #: The stored version the file equals (a file check), else the latest final version.
    version: int | None = None
    number: str | None = None
    title: str = ""

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID

    @property
    def headline(self) -> str:
        return self.verdict.headline

    @property
    def in_book(self) -> bool:
        """The number and code were found in the book (the stored document can be shown)."""
        return self.document_id is not None

    def lines(self) -> list[str]:
        """The verdict as plain text lines (the command line prints these)."""
        out = [self.headline]
        width = max((len(label) for label, _ in self.details), default=0)
        out += [f"  {label.ljust(width)} : {value}" for label, value in self.details]
        if self.notes:
            out.append("Keterangan:")
            out += [f"  - {note}" for note in self.notes]
        if self.signatures:
            out.append("Tanda tangan elektronik:")
            for report in self.signatures:
                state = "SAH" if report.ok else ("UTUH" if report.intact else "TIDAK SAH")
                out.append(f"  * {report.signer_name} [{state}, {report.level}]")
                out += [f"      {message}" for message in report.messages]
        if self.differences:
            out.append("Perbedaan teks ('-' di arsip, '+' di berkas ini):")
            out += [f"  {line}" for line in self.differences]
        return out


# ------------------------------------------------------------------------------ the book


@dataclass(frozen=True)
class _Found:
    doc: Document
    finals: list[DocumentVersion]
    details: list[tuple[str, str]]
    notes: list[str]
    voided: bool


def _lookup(session: Session, services: Services, doc: Document) -> _Found:
    """What the book says about a document: the rows of the verdict, voided or not."""
    case = session.get(Case, doc.case_id)
    assert case is not None
    pt_name = case.form_code
    try:
        pt_name = services.definition_for(session, case).name
    except Exception:  # a form file that no longer parses: the code is still meaningful
        log.warning("permit type of case %s unreadable", case.id, exc_info=True)
    entry = session.scalars(
        select(AgendaEntry)
        .where(
            AgendaEntry.number == doc.number,
            or_(AgendaEntry.document_id == doc.id, AgendaEntry.case_id == doc.case_id),
        )
        .order_by(AgendaEntry.id)
    ).first()
    finals = [v for v in doc.versions if v.final]
    details: list[tuple[str, str]] = [("Nomor", str(doc.number)), ("Dokumen", doc.title)]
    notes: list[str] = []
    if entry is not None:
        details.append(("Buku agenda", entry.book.title))
        details.append(("Tanggal", format_date(entry.taken_at.date())))
    elif finals:
        details.append(("Tanggal", format_date(finals[-1].created_at.date())))
    details.append(("Pemohon", case.applicant.name))
    details.append(("Jenis izin", pt_name))
    try:
        status = CaseStatus(case.status).label
    except ValueError:
        status = case.status
    details.append(("Status permohonan", status))
    if doc.sign_mode:
        signer = session.get(User, doc.signed_by) if doc.signed_by else None
        way = "elektronik" if doc.sign_mode == "elektronik" else "basah"
        who = f" oleh {signer.full_name}" if signer else ""
        when = f", {format_datetime(doc.signed_at)}" if doc.signed_at else ""
        details.append(("Tanda tangan", f"{way}{who}{when}"))
    voided = bool(entry is not None and entry.voided)
    if entry is not None and entry.voided:
        when = format_date(entry.voided_at.date()) if entry.voided_at else "-"
        details.append(("Pembatalan", f"DIBATALKAN {when}: {entry.void_reason or '-'}"))
        notes.append(
            f"Nomor {doc.number} telah dibatalkan di buku agenda pada {when} "
            f"(alasan: {entry.void_reason or '-'}); dokumen dengan nomor ini tidak berlaku."
        )
    return _Found(doc, finals, details, notes, voided)


def _find_document(session: Session, number: str, code: str) -> tuple[Document | None, bool]:
    """(the document with this number and code, whether the number exists at all)."""
    docs = session.scalars(
        select(Document).where(Document.number == number).order_by(Document.id)
    ).all()
    for doc in docs:
        if doc.verification_code and hmac.compare_digest(
            doc.verification_code.upper(), code.strip().upper()
        ):
            return doc, True
    known = bool(docs) or (
        session.scalars(select(AgendaEntry.id).where(AgendaEntry.number == number)).first()
        is not None
    )
    return None, known


def _not_found(payload: str, number: str, known: bool, source: str) -> VerificationResult:
    if known:
        return VerificationResult(
            Verdict.CODE_MISMATCH,
            details=(("Nomor", number),),
            notes=(
                f"Nomor {number} ada di buku agenda, tetapi kode verifikasinya tidak cocok "
                "dengan dokumen yang diterbitkan dengan nomor itu. Dokumen ini kemungkinan "
                "dipalsukan, atau kodenya salah ketik.",
            ),
            payload=payload,
            source=source,
            number=number,
        )
    return VerificationResult(
        Verdict.UNKNOWN_NUMBER,
        details=(("Nomor", number),),
        notes=(
            f"Nomor {number} tidak terdaftar di buku agenda kantor ini. Dokumen ini tidak "
            "diterbitkan oleh kantor ini, atau nomornya diubah.",
        ),
        payload=payload,
        source=source,
        number=number,
    )


def verify_payload(services: Services, text: str) -> VerificationResult:
    """A scanned QR code (the scanner types the payload and Enter): is it in the book?"""
    text = (text or "").strip()
    parsed = parse_qr_payload(text)
    if parsed is None:
        return VerificationResult(
            Verdict.NOT_A_CODE,
            notes=(
                "Teks ini bukan kode verifikasi dokumen kantor ini. Kode verifikasi berbentuk "
                f"{QR_PREFIX}|nomor|kode, terbaca dari kode QR di kaki dokumen.",
            ),
            payload=text,
            source="pindaian",
        )
    number, code = parsed
    with services.db.reading() as session:
        doc, known = _find_document(session, number, code)
        if doc is None:
            return _not_found(text, number, known, "pindaian")
        found = _lookup(session, services, doc)
        notes = list(found.notes)
        verdict = Verdict.VOIDED if found.voided else Verdict.VALID
        if verdict is Verdict.VALID:
            notes.append(
                "Nomor dan kode verifikasi cocok dengan buku agenda. Cocokkan isi kertas dengan "
                "dokumen di arsip yang ditampilkan."
            )
        return VerificationResult(
            verdict,
            details=tuple(found.details),
            notes=tuple(notes),
            payload=text,
            source="pindaian",
            document_id=doc.id,
            version=found.finals[-1].version if found.finals else None,
            number=doc.number,
            title=doc.title,
        )


def verify_pdf(services: Services, data: bytes) -> VerificationResult:
    """Judge a PDF file against the book (see the module docstring for the steps)."""
    from desktop_perizinan.services import esign

    digest = hashlib.sha256(data).hexdigest()
    with services.db.reading() as session:
        located = _locate(session, data, digest)
        if isinstance(located, VerificationResult):
            return located
        doc, payload, source, notes = located
        found = _lookup(session, services, doc)
        notes = found.notes + notes
        matched = next((v for v in found.finals if v.sha256 == digest), None)
        differences: list[str] = []
        if matched is None:
            notes.append(
                "Berkas ini berbeda dari dokumen final yang tersimpan di arsip (sidik jari "
                "SHA-256 tidak sama dengan versi final mana pun): berkas telah diubah setelah "
                "diterbitkan."
            )
            if found.finals:
                differences = text_differences(found.finals[-1].pdf, data)
                if not differences:
                    notes.append(
                        "Teks yang terbaca sama dengan arsip; perubahan ada pada bagian lain "
                        "berkas (gambar, tata letak, atau data tersembunyi), atau berkas rusak."
                    )
        elif found.finals and matched is not found.finals[-1]:
            notes.append(
                f"Berkas ini sama dengan versi final ke-{matched.version}; arsip memiliki versi "
                f"yang lebih baru (versi ke-{found.finals[-1].version})."
            )
        signatures: list[SignatureReport] = []
        if esign.has_signatures(data):
            try:
                signatures = esign.validate_signatures(data, esign.trust_roots(session))
            except esign.UnreadablePdf:
                notes.append("Tanda tangan elektronik pada berkas tidak dapat dibaca.")
        broken = [s for s in signatures if not s.intact]
        if found.voided:
            verdict = Verdict.VOIDED
        elif matched is None:
            verdict = Verdict.CHANGED
        elif broken:
            verdict = Verdict.SIGNATURE_INVALID
        else:
            verdict = Verdict.VALID
        if broken:
            notes.append(
                "Tanda tangan elektronik tidak utuh: "
                + ", ".join(s.signer_name for s in broken)
                + "."
            )
        if verdict is Verdict.VALID:
            notes.insert(
                0,
                "Berkas sama persis dengan dokumen final di arsip, dan nomor serta kode "
                "verifikasinya cocok dengan buku agenda.",
            )
            untrusted = [s for s in signatures if s.intact and not s.trusted]
            if untrusted:
                notes.append(
                    "Catatan: sertifikat penanda tangan belum berantai ke CA terpercaya di "
                    "Pengaturan; keaslian berkas dijamin oleh arsip kantor."
                )
        return VerificationResult(
            verdict,
            details=tuple(found.details),
            notes=tuple(notes),
            differences=tuple(differences),
            signatures=tuple(signatures),
            payload=payload,
            source=source,
            document_id=doc.id,
            version=(matched or (found.finals[-1] if found.finals else None)).version
            if (matched or found.finals)
            else None,
            number=doc.number,
            title=doc.title,
        )


def _locate(
    session: Session, data: bytes, digest: str
) -> tuple[Document, str, str, list[str]] | VerificationResult:
    """Which document the file claims to be: (document, payload, source, notes), or the
    verdict when it names none of ours.

    The metadata is read first; when it does not name a document of the book (it may be
    the part that was changed), the QR code on the page is tried; a file with neither is
    looked up by its fingerprint among the stored finals.
    """
    tried: list[tuple[str, str, tuple[str, str] | None]] = []  # payload, source, parsed
    for source, read in (("metadata", payload_from_metadata), ("qr", payload_from_qr)):
        payload = read(data)
        if not payload:
            continue
        parsed = parse_qr_payload(payload)
        tried.append((payload, source, parsed))
        if parsed is None:
            continue
        doc, _known = _find_document(session, *parsed)
        if doc is not None:
            notes: list[str] = []
            first = tried[0]
            if first[1] != source:
                notes.append(
                    f"Kode verifikasi di metadata berkas ({first[0]}) tidak sama dengan kode "
                    "QR pada halaman: berkas telah diubah."
                )
            return doc, payload, source, notes
    doc = _document_by_digest(session, digest)
    if doc is not None:
        return doc, f"{QR_PREFIX}|{doc.number}|{doc.verification_code}", "sidik_jari", []
    for payload, source, parsed in tried:
        if parsed is not None:
            known = _find_document(session, *parsed)[1]
            return _not_found(payload, parsed[0], known, source)
    if tried:
        return VerificationResult(
            Verdict.NOT_A_CODE,
            notes=("Kode verifikasi pada berkas tidak dapat dibaca.",),
            payload=tried[0][0],
            source=tried[0][1],
        )
    missing_tools = (
        ""
        if qr_tools_available()
        else " Pembaca kode QR (pdftoppm dan zbarimg) tidak terpasang di komputer ini; pindai "
        "kode QR pada kertasnya."
    )
    return VerificationResult(
        Verdict.NO_CODE,
        notes=(
            "Berkas ini tidak memuat kode verifikasi (metadata maupun kode QR yang terbaca) dan "
            "tidak sama dengan dokumen mana pun di arsip." + missing_tools,
        ),
    )


def _document_by_digest(session: Session, digest: str) -> Document | None:
    """The document whose stored final has exactly these bytes (a file without any code)."""
    document_id = session.scalars(
        select(DocumentVersion.document_id).where(
            DocumentVersion.sha256 == digest, DocumentVersion.final.is_(True)
        )
    ).first()
    if document_id is None:
        return None
    doc = session.get(Document, document_id)
    if doc is None or not doc.number or not doc.verification_code:
        return None
    return doc


SOURCE_LABELS = {
    "metadata": "metadata berkas PDF",
    "qr": "kode QR pada halaman",
    "pindaian": "kode QR yang dipindai",
    "sidik_jari": "sidik jari berkas di arsip",
}
