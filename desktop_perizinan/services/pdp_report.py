"""The applicant's report (UU 27/2022 Ps 32): one PDF of everything held about a person.

Found by the NIK the person shows (their KTP): the applicant record, every case with the values
given in it, the attachments by name, the documents issued, and the processing history read
from the audit chain: every entry about one of their cases (taken in, steps, documents, views,
exports) and the entries about the person that name no case (an earlier report). Making the
report is itself logged (``data_pribadi.laporan``), so the next report lists it too.

Who may make one: the counter, the back office and the administrator (the person asks at the
counter; the office's data protection officer works with the administrator's account).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import (
    Applicant,
    Attachment,
    AuditEntry,
    Case,
    Document,
    User,
)
from desktop_perizinan.documents.field_text import display_value
from desktop_perizinan.documents.pdp_report import (
    PdpApplicant,
    PdpAttachment,
    PdpCase,
    PdpDocument,
    PdpEvent,
    PdpReportContext,
)
from desktop_perizinan.errors import NotFound
from desktop_perizinan.privacy import check_nik_input, is_erased_nik
from desktop_perizinan.services import personal_data as pd
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.services.audit_view import detail_text
from desktop_perizinan.services.documents import case_reference
from desktop_perizinan.services.retention import retention_years
from desktop_perizinan.workflow.definition import CaseStatus

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

#: Roles that may make the report (the service refuses the others).
REPORT_ROLES = ("front_office", "backoffice", ADMIN_ROLE)

#: Readable names of the audit actions a person's history holds (others print their code).
ACTIVITIES = {
    **pd.ACTION_LABELS,
    "permohonan.terima": "Permohonan diterima, data dicatat",
    "permohonan.klarifikasi": "Klarifikasi kelengkapan",
    "permohonan.kelengkapan_kembali": "Kelengkapan dibawa kembali",
    "permohonan.resi": "Resi diterbitkan",
    "permohonan.tarik": "Permohonan ditarik",
    "permohonan.buka": "Permohonan dibuka kembali",
    "skrd.terbit": "SKRD diterbitkan",
    "dokumen.impor_tte": "Dokumen bertanda tangan elektronik diimpor",
    "agenda.batal": "Nomor agenda dibatalkan",
}
#: Keys of an access entry's detail that the report shows in their own column or not at all.
_HIDDEN_KEYS = ("pemohon", "pc", "apa")


@dataclass(frozen=True)
class PdpReport:
    applicant_id: int
    name: str
    pdf: bytes
    events: int


def _activity(action: str) -> str:
    if action in ACTIVITIES:
        return ACTIVITIES[action]
    if action.startswith("langkah."):
        return "Langkah dikerjakan (" + action.split(".", 1)[1] + ")"
    return action


def _event_detail(action: str, raw: str) -> tuple[str, str]:
    """(what, pc) of an entry, for the report's columns."""
    try:
        data = json.loads(raw)
    except ValueError:
        return detail_text(raw), "-"
    if not isinstance(data, dict):
        return detail_text(raw), "-"
    pc = str(data.get("pc") or "-")
    what = str(data.get("apa") or "")
    rest = {k: v for k, v in data.items() if k not in _HIDDEN_KEYS}
    if "nik_lengkap" in rest:
        rest["nik_lengkap"] = bool(rest["nik_lengkap"])  # "nik_lengkap: ya / tidak"
    rest_text = detail_text(json.dumps(rest)) if rest else ""
    text = "; ".join(t for t in (what, rest_text) if t)
    return text, pc


class PdpReportService:
    def __init__(self, services: Services) -> None:
        self._s = services

    def make(self, actor: Actor, nik_text: str) -> PdpReport:
        """Build the report of the applicant with this NIK, log it, and return the PDF."""
        actor.require(*REPORT_ROLES, what="membuat laporan data pribadi (Pasal 32 UU PDP)")
        nik = check_nik_input(nik_text)
        with self._s.db.reading() as session:
            applicant = session.scalars(select(Applicant).where(Applicant.nik == nik)).first()
            if applicant is None or is_erased_nik(applicant.nik):
                raise NotFound(f"Tidak ada data pemohon dengan NIK {nik} di kantor ini.")
            ctx = self._context(session, actor, applicant)
            applicant_id, name = applicant.id, applicant.name
        from desktop_perizinan.documents.pdp_report import render_pdp_report

        pdf = render_pdp_report(ctx)
        with self._s.db.transaction() as session:
            self._s.personal_data.log(
                session,
                actor,
                pd.REPORT,
                applicant_id=applicant_id,
                what=f"laporan Pasal 32 ({len(ctx.cases)} permohonan)",
            )
        return PdpReport(applicant_id, name, pdf, len(ctx.events))

    def make_for_case(self, actor: Actor, case_id: int) -> PdpReport:
        """The report of the applicant of a case (the button in the case view)."""
        actor.require(*REPORT_ROLES, what="membuat laporan data pribadi (Pasal 32 UU PDP)")
        with self._s.db.reading() as session:
            nik = session.scalar(
                select(Applicant.nik)
                .join(Case, Case.applicant_id == Applicant.id)
                .where(Case.id == case_id)
            )
        if nik is None:
            raise NotFound(f"Permohonan {case_id} tidak ditemukan.")
        if is_erased_nik(nik):
            raise NotFound("Data pribadi pemohon ini telah dihapus (masa retensi habis).")
        return self.make(actor, nik)

    # ------------------------------------------------------------------ the context

    def _context(self, session: Session, actor: Actor, applicant: Applicant) -> PdpReportContext:
        cases = session.scalars(
            select(Case).where(Case.applicant_id == applicant.id).order_by(Case.received_at)
        ).all()
        refs = {c.id: c.reg_number or case_reference(c) for c in cases}
        case_rows = []
        for case in cases:
            pt = self._s.definition_for(session, case)
            values = case.field_values
            case_rows.append(
                PdpCase(
                    reference=refs[case.id],
                    permit_name=pt.name,
                    status=CaseStatus(case.status).label,
                    received_at=case.received_at,
                    closed_at=case.closed_at,
                    permit_number=case.permit_number,
                    fields=tuple(
                        (f.label, display_value(f, values.get(f.key)))
                        for f in pt.fields
                        if values.get(f.key)
                    ),
                )
            )
        ids = list(refs)
        kinds = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}
        attachments = tuple(
            PdpAttachment(refs[a.case_id], a.file_name, kinds.get(a.mime, a.mime), a.uploaded_at)
            for a in session.scalars(
                select(Attachment).where(Attachment.case_id.in_(ids)).order_by(Attachment.id)
            )
        )
        documents = tuple(
            PdpDocument(refs[d.case_id], d.title, d.number, d.status, d.created_at)
            for d in session.scalars(
                select(Document).where(Document.case_id.in_(ids)).order_by(Document.id)
            )
        )
        names = {u: n for u, n in session.execute(select(User.username, User.full_name))}
        mention = AuditEntry.detail.like(f'%"pemohon":{applicant.id},%') | AuditEntry.detail.like(
            f'%"pemohon":{applicant.id}}}%'
        )
        entries = session.scalars(
            select(AuditEntry)
            .where(or_(AuditEntry.case_id.in_(ids), mention, AuditEntry.action == pd.EXPORT))
            .order_by(AuditEntry.id)
        )
        books = _books_of(session, ids)
        events = []
        for entry in entries:
            if entry.action == pd.EXPORT and entry.case_id is None and not _covers(entry, books):
                continue  # a book exported with NIKs, but none of this person's lines
            what, pc = _event_detail(entry.action, entry.detail)
            events.append(
                PdpEvent(
                    at=entry.at,
                    who=names.get(entry.username, entry.username),
                    activity=_activity(entry.action),
                    case_reference=refs.get(entry.case_id, "") if entry.case_id else "",
                    detail=what,
                    pc=pc,
                )
            )
        years = retention_years(self._s.office)
        retention = (
            f"{years} tahun setelah permohonan terakhir selesai, lalu dihapus"
            if years
            else "sesuai jadwal retensi arsip kantor"
        )
        return PdpReportContext(
            office=self._s.settings.office_profile(session),
            made_at=self._s.now(),
            made_by=f"{actor.full_name} ({actor.username})",
            applicant=PdpApplicant(
                name=applicant.name,
                nik=applicant.nik,
                address=applicant.address,
                phone=applicant.phone,
                email=applicant.email,
                created_at=applicant.created_at,
                updated_at=applicant.updated_at,
            ),
            cases=tuple(case_rows),
            attachments=attachments,
            documents=documents,
            events=tuple(events),
            retention_text=retention,
        )


def _books_of(session: Session, case_ids: list[int]) -> dict[tuple[str, int], datetime]:
    """(book code, year) -> when the first line of these cases went into it (agenda and
    expedition): an export made before that did not hold this person's data."""
    from desktop_perizinan.db.models import AgendaEntry, ExpeditionEntry, NumberBook
    from desktop_perizinan.services.book_export import EXPEDITION

    found: dict[tuple[str, int], datetime] = {}

    def add(key: tuple[str, int], at: datetime) -> None:
        if key not in found or at < found[key]:
            found[key] = at

    for code, year, at in session.execute(
        select(NumberBook.code, AgendaEntry.year, AgendaEntry.taken_at)
        .join(NumberBook, NumberBook.id == AgendaEntry.book_id)
        .where(AgendaEntry.case_id.in_(case_ids))
    ):
        add((code, int(year)), at)
    for sent in session.scalars(
        select(ExpeditionEntry.sent_at).where(ExpeditionEntry.case_id.in_(case_ids))
    ):
        add((EXPEDITION, sent.year), sent)
    return found


def _covers(entry: AuditEntry, books: dict[tuple[str, int], datetime]) -> bool:
    """Whether an export entry (``buku``, ``tahun``) included one of these book lines."""
    try:
        data = json.loads(entry.detail)
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    book, year = data.get("buku"), data.get("tahun")
    return any(
        code == book and (year is None or y == year) and first <= entry.at
        for (code, y), first in books.items()
    )
