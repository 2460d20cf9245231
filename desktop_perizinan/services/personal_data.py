"""Personal data (UU 27/2022): who saw an applicant's data, and who may see the NIK in full.

Every view of a case's applicant data, every attachment opened, every document opened and
every export that carries NIKs goes through this service, which writes one ``data_pribadi.*``
entry into the audit chain: who (the user), when, which applicant, what, and from which PC
(its host name). Being entries of the one chain, they are covered by ``perizinan audit
verify`` like every other action, and the Ps 32 report reads them back.

The entry never holds the NIK or the name, only the applicant's internal id (and the case):
erasing an applicant's data after the retention period then needs no change to the chain,
which stays valid.

The data is read in a reading session first and the entry written in its own short write
transaction afterwards: on SQLite a write transaction locks the file, and a case view must not
hold that lock while it assembles the timeline and the documents. If writing the entry fails,
the data is not returned (nothing shown that is not logged).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from desktop_perizinan.db.models import Attachment, AttachmentBlob, Case, Document, DocumentVersion
from desktop_perizinan.errors import NotFound, PermissionDenied, UserError
from desktop_perizinan.privacy import (
    DEFAULT_FULL_NIK_ROLES,
    may_see_full_nik,
    shown_nik,
)
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import Actor

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.queries import CaseView

#: Audit actions of the access log (one family, so the Audit tab filters ``data_pribadi.*``).
VIEW = "data_pribadi.lihat"
ATTACHMENT = "data_pribadi.lampiran"
DOCUMENT = "data_pribadi.dokumen"
EXPORT = "data_pribadi.ekspor"
REPORT = "data_pribadi.laporan"
ERASE = "data_pribadi.hapus"
PRINT = "data_pribadi.cetak"
ACCESS_ACTIONS = (VIEW, ATTACHMENT, DOCUMENT, EXPORT, REPORT, ERASE, PRINT)
#: The ones that only read: no other PC needs to refresh for them (``live_updates``; migration
#: 0004 keeps its own copy for the PostgreSQL trigger). An erasure changes cases.
READ_ACTIONS = (VIEW, ATTACHMENT, DOCUMENT, EXPORT, REPORT, PRINT)

#: What the Ps 32 report and the Audit tab call each access.
ACTION_LABELS = {
    VIEW: "Melihat data pemohon",
    ATTACHMENT: "Membuka lampiran",
    DOCUMENT: "Membuka dokumen",
    EXPORT: "Mengekspor",
    REPORT: "Membuat laporan data pribadi",
    ERASE: "Menghapus data pribadi",
    PRINT: "Mencetak / menyimpan",
}

#: Documents that print the NIK in full (see README, "Data pribadi"): the ones handed to the
#: applicant (their receipt, request to complete the file, hand-over receipt) and the letters
#: whose subject is the person (permit, rejection). The others mask it.
FULL_NIK_DOCUMENTS = frozenset({"resi", "klarifikasi", "tanda_terima", "izin", "penolakan"})


@lru_cache(maxsize=1)
def workstation() -> str:
    """The PC's host name, as the access log records it ("from which PC")."""
    return (platform.node() or "tidak-diketahui")[:60]


@dataclass(frozen=True)
class OpenedFile:
    file_name: str
    mime: str
    data: bytes


class PersonalDataService:
    """Reading applicant data with an access entry; the office's full-NIK rule."""

    def __init__(self, services: Services) -> None:
        self._s = services

    # ------------------------------------------------------------------ who sees what

    def full_nik_roles(self) -> tuple[str, ...]:
        """The roles that see a NIK in full (``[data_pribadi] nik_lengkap`` in _kantor.toml)."""
        roles = getattr(self._s.office, "full_nik_roles", None)
        return tuple(roles) if roles is not None else DEFAULT_FULL_NIK_ROLES

    def may_see_full_nik(self, actor: Actor) -> bool:
        return may_see_full_nik(actor.roles, self.full_nik_roles())

    def shown_nik(self, actor: Actor, nik: str) -> str:
        return shown_nik(nik, actor.roles, self.full_nik_roles())

    # ------------------------------------------------------------------ logged reads

    def view_case(self, actor: Actor, case_id: int) -> CaseView:
        """A case with its applicant data (NIK masked unless the actor's role needs it in
        full), after one ``data_pribadi.lihat`` entry. The screens call this when a case is
        opened; reloading the open case (after an action, a change on another PC) reads
        ``queries.case`` and logs nothing more: it is the same view."""
        view = self._s.queries.case(case_id, actor)
        with self._s.db.transaction() as session:
            applicant_id = session.scalar(select(Case.applicant_id).where(Case.id == case_id))
            self.log(
                session,
                actor,
                VIEW,
                applicant_id=applicant_id,
                case_id=case_id,
                what="data pemohon",
                nik_lengkap=view.applicant_nik.isdigit(),  # masked or erased: False
            )
        return view

    def open_attachment(self, actor: Actor, attachment_id: int) -> OpenedFile:
        """An attachment's content, after a ``data_pribadi.lampiran`` entry."""
        with self._s.db.reading() as session:
            row = session.execute(
                select(
                    Attachment.file_name,
                    Attachment.mime,
                    Attachment.case_id,
                    Case.applicant_id,
                    AttachmentBlob.data,
                )
                .join(AttachmentBlob, AttachmentBlob.id == Attachment.blob_id)
                .join(Case, Case.id == Attachment.case_id)
                .where(Attachment.id == attachment_id)
            ).first()
            if row is None:
                raise NotFound("Lampiran tidak ditemukan (mungkin telah dihapus).")
            opened = OpenedFile(row.file_name, row.mime, bytes(row.data))
        with self._s.db.transaction() as session:
            self.log(
                session,
                actor,
                ATTACHMENT,
                applicant_id=row.applicant_id,
                case_id=row.case_id,
                what=f"lampiran {row.file_name}",
            )
        return opened

    def open_document(self, actor: Actor, document_id: int, version: int | None = None) -> bytes:
        """A document's PDF (a version, or the newest), after a ``data_pribadi.dokumen`` entry
        saying whether that document prints the NIK in full."""
        with self._s.db.reading() as session:
            doc = session.get(Document, document_id)
            if doc is None:
                raise NotFound("Dokumen tidak ditemukan.")
            query = select(DocumentVersion).where(DocumentVersion.document_id == document_id)
            if version is not None:
                query = query.where(DocumentVersion.version == version)
            found = session.scalars(query.order_by(DocumentVersion.version.desc())).first()
            if found is None:
                raise NotFound("Dokumen tidak ditemukan.")
            pdf = bytes(found.pdf)
            case_id, kind, title, number = doc.case_id, doc.kind, doc.title, doc.number
            applicant_id = session.scalar(select(Case.applicant_id).where(Case.id == case_id))
        if not pdf:
            raise UserError(
                f"Isi {title} telah dihapus bersama data pribadi pemohon (masa retensi "
                "habis); nomor dan riwayatnya tetap tercatat."
            )
        with self._s.db.transaction() as session:
            self.log(
                session,
                actor,
                DOCUMENT,
                applicant_id=applicant_id,
                case_id=case_id,
                what=f"{title} {number or ''}".strip()
                + (f" versi {version}" if version is not None else ""),
                nik_lengkap=kind in FULL_NIK_DOCUMENTS,
            )
        return pdf

    def log_output(
        self,
        actor: Actor,
        *,
        how: str,
        document_id: int | None = None,
        attachment_id: int | None = None,
    ) -> None:
        """A document or attachment opened on screen and then printed or saved to a file
        (``how``: "dicetak" or "disimpan ke <file>"): it left the screen, so it is logged."""
        with self._s.db.transaction() as session:
            if document_id is not None:
                doc = session.get(Document, document_id)
                if doc is None:
                    raise NotFound("Dokumen tidak ditemukan.")
                case_id, what = doc.case_id, f"{doc.title} {doc.number or ''}".strip()
                full = doc.kind in FULL_NIK_DOCUMENTS
            else:
                found = session.get(Attachment, attachment_id)
                if found is None:
                    raise NotFound("Lampiran tidak ditemukan.")
                case_id, what, full = found.case_id, f"lampiran {found.file_name}", True
            applicant_id = session.scalar(select(Case.applicant_id).where(Case.id == case_id))
            self.log(
                session,
                actor,
                PRINT,
                applicant_id=applicant_id,
                case_id=case_id,
                what=f"{what} {how}"[:300],
                nik_lengkap=full,
            )

    # ------------------------------------------------------------------ exports with NIKs

    def check_export_with_nik(self, actor: Actor | None) -> Actor:
        """A book exported with the applicants' NIKs: only for a role that sees them."""
        if actor is None or not self.may_see_full_nik(actor):
            roles = ", ".join(self._s.office.role_name(r) for r in self.full_nik_roles())
            raise PermissionDenied(
                f"Ekspor dengan NIK pemohon hanya untuk {roles}; ekspor tanpa NIK tetap bisa."
            )
        return actor

    def log_export(
        self, actor: Actor, *, book_code: str, year: int | None, title: str, rows: int
    ) -> None:
        """The entry of a book exported with NIKs: which book and year (the Ps 32 report
        lists it for every applicant with a line in that book and year)."""
        with self._s.db.transaction() as session:
            self.log(
                session,
                actor,
                EXPORT,
                applicant_id=None,
                what=f"{title}{f' {year}' if year else ''} ke Excel dengan NIK ({rows} baris)",
                buku=book_code,
                tahun=year,
            )

    # ------------------------------------------------------------------ the entry itself

    def log(
        self,
        session: Any,
        actor: Actor,
        action: str,
        *,
        applicant_id: int | None,
        case_id: int | None = None,
        what: str,
        **extra: Any,
    ) -> None:
        """Append one access entry inside the caller's transaction (exports log their own
        entry in the transaction that writes the file's rows)."""
        audit.append(
            session,
            actor,
            action,
            at=self._s.now(),
            case_id=case_id,
            pemohon=applicant_id,
            apa=what,
            pc=workstation(),
            **extra,
        )


# ---------------------------------------------------------------------- a book's NIK column


def nik_column() -> Any:
    """The column a book export adds when the user asks for NIKs (text: 16 digits stay)."""
    from desktop_perizinan.documents.xlsx_books import Column

    return Column("NIK Pemohon", 20, "text")


def niks_by_agenda_line(session: Any, book_id: int, year: int | None) -> dict[int, str]:
    """agenda line id -> the applicant's NIK (one query for the whole book and year)."""
    from desktop_perizinan.db.models import AgendaEntry, Applicant

    query = (
        select(AgendaEntry.id, Applicant.nik)
        .join(Case, Case.id == AgendaEntry.case_id)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(AgendaEntry.book_id == book_id, Applicant.erased_at.is_(None))
    )
    if year is not None:
        query = query.where(AgendaEntry.year == year)
    return {line: nik for line, nik in session.execute(query)}


def niks_by_expedition_line(session: Any) -> dict[int, str]:
    from desktop_perizinan.db.models import Applicant, ExpeditionEntry

    query = (
        select(ExpeditionEntry.id, Applicant.nik)
        .join(Case, Case.id == ExpeditionEntry.case_id)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(Applicant.erased_at.is_(None))
    )
    return {line: nik for line, nik in session.execute(query)}


# ---------------------------------------------------------------------- what a backup holds


def backup_contents(url: str) -> dict[str, Any]:
    """What a backup of the database at ``url`` contains, for its manifest (UU PDP: an
    office must know where personal data is, and a backup holds all of it). Counted on the
    source right after the copy; empty when the database cannot be read (the backup itself is
    already verified, the manifest is a description)."""
    from sqlalchemy import func

    from desktop_perizinan.db.engine import Database
    from desktop_perizinan.db.models import Applicant, AuditEntry

    try:
        db = Database(url)
        try:
            with db.reading() as session:

                def count(*where: Any, model: Any = Applicant) -> int:
                    return int(
                        session.scalar(select(func.count()).select_from(model).where(*where)) or 0
                    )

                counts = {
                    "pemohon": count(Applicant.erased_at.is_(None)),
                    "pemohon_dihapus": count(Applicant.erased_at.is_not(None)),
                    "permohonan": count(model=Case),
                    "lampiran": count(model=Attachment),
                    "dokumen": count(model=Document),
                    "log_audit": count(model=AuditEntry),
                }
        finally:
            db.dispose()
    except Exception:  # a description, never a reason to fail a backup
        return {}
    return {
        "data_pribadi": (
            "Berisi data pribadi pemohon (UU 27/2022): nama, NIK, alamat, telepon, surel, isian "
            "permohonan, lampiran (pindaian KTP dan berkas), dokumen yang mencantumkannya, dan "
            "log akses. Simpan di tempat terkunci atau terenkripsi; akses hanya petugas "
            "berwenang; musnahkan sesuai masa retensi kantor."
        ),
        "jumlah": counts,
    }
