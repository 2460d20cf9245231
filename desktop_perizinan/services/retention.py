"""Retention and erasure of personal data (UU 27/2022): keep it as long as the office must,
then remove it without breaking the books or the audit chain.

The office sets how long (``[data_pribadi] retensi_tahun`` in ``forms/_kantor.toml``, after
its jadwal retensi arsip): counted from the applicant's last activity (the newest of their
cases' closing, or reception when never closed). An applicant with a case still running or
waiting is never due.

Erasure keeps every *number*: the cases (registration and permit numbers, dates, status), the
book lines (agenda, expedition) and the documents' rows stay, so every book stays gapless and
a number can still be looked up. What goes: the name, NIK, address, phone and e-mail (the
applicant row keeps a placeholder NIK and "[dihapus]"), the values typed into each case, every
attachment (and its stored bytes when no other case shares them), the content of every
document version (the PDFs print the name and NIK), and the person's name, NIK, address and
phone wherever they were copied into a book line, a step note or step data. The audit chain is
not touched (its entries name applicants by internal id only, see ``services.personal_data``),
so ``perizinan audit verify`` stays valid; the erasure itself is one more entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import case as sql_case
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import (
    AgendaEntry,
    Applicant,
    Attachment,
    AttachmentBlob,
    Case,
    Document,
    DocumentVersion,
    ExpeditionEntry,
    StepRecord,
)
from desktop_perizinan.errors import NotFound, UserError, ValidationError
from desktop_perizinan.privacy import ERASED_TEXT, check_nik_input, erased_nik, mask_nik
from desktop_perizinan.services import personal_data as pd
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.workflow.definition import CaseStatus, OfficeConfig
from desktop_perizinan.workflow.validators import LINE_BREAKS, has_control_characters

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

#: Years kept when the office file does not say (the usual active + inactive period of a
#: permit file in a regency's jadwal retensi arsip; the office sets its own).
DEFAULT_RETENTION_YEARS = 5
#: Roles that may erase (the office's data protection officer works as the administrator).
ERASE_ROLES = (ADMIN_ROLE,)
_OPEN = (CaseStatus.RUNNING.value, CaseStatus.WAITING_APPLICANT.value)


def retention_years(office: OfficeConfig) -> int:
    years = getattr(office, "retention_years", None)
    return int(years) if years else DEFAULT_RETENTION_YEARS


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class DueApplicant:
    """An applicant whose retention period is over (NIK masked: a list)."""

    id: int
    name: str
    nik_masked: str
    cases: int
    last_activity: date
    due_since: date


@dataclass(frozen=True)
class ErasureResult:
    applicant_id: int
    cases: int
    attachments: int
    documents: int
    book_lines: int


class RetentionService:
    def __init__(self, services: Services) -> None:
        self._s = services

    def years(self) -> int:
        return retention_years(self._s.office)

    # ------------------------------------------------------------------ the list

    def due(self, actor: Actor, *, today: date | None = None) -> list[DueApplicant]:
        """Applicants past the retention period, longest overdue first."""
        actor.require(*ERASE_ROLES, what="melihat daftar retensi data pribadi")
        with self._s.db.reading() as session:
            return self._due(session, today or self._s.now().date())

    def _due(self, session: Session, today: date) -> list[DueApplicant]:
        years = self.years()
        last_case = func.max(func.coalesce(Case.closed_at, Case.received_at))
        open_cases = func.sum(sql_case((Case.status.in_(_OPEN), 1), else_=0))
        rows = session.execute(
            select(
                Applicant.id,
                Applicant.name,
                Applicant.nik,
                Applicant.updated_at,
                func.count(Case.id),
                last_case,
                open_cases,
            )
            .outerjoin(Case, Case.applicant_id == Applicant.id)
            .where(Applicant.erased_at.is_(None))
            .group_by(Applicant.id, Applicant.name, Applicant.nik, Applicant.updated_at)
        ).all()
        result = []
        for applicant_id, name, nik, updated, count, last, still_open in rows:
            if still_open:
                continue
            latest = max(d for d in (updated, last) if d is not None).date()
            due_since = add_years(latest, years)
            if due_since <= today:
                result.append(
                    DueApplicant(applicant_id, name, mask_nik(nik), count, latest, due_since)
                )
        result.sort(key=lambda d: (d.due_since, d.id))
        return result

    # ------------------------------------------------------------------ erasure

    def erase(self, actor: Actor, applicant_id: int, reason: str) -> ErasureResult:
        """Erase one applicant's personal data (see the module docstring), in one
        transaction; refused (nothing changed) when the retention period is not over."""
        actor.require(*ERASE_ROLES, what="menghapus data pribadi pemohon")
        reason = reason.strip()
        if len(reason) < 5:
            raise ValidationError("Tuliskan alasan penghapusan (minimal 5 karakter).", "reason")
        if has_control_characters(reason, LINE_BREAKS) or len(reason) > 1000:
            raise ValidationError(
                "Alasan berisi karakter yang tidak dapat dicetak atau terlalu panjang "
                "(paling banyak 1.000 karakter).",
                "reason",
            )
        today = self._s.now().date()
        with self._s.db.transaction() as session:
            applicant = session.scalars(
                select(Applicant).where(Applicant.id == applicant_id).with_for_update()
            ).first()
            if applicant is None:
                raise NotFound("Pemohon tidak ditemukan.")
            if applicant.erased_at is not None:
                raise UserError("Data pribadi pemohon ini sudah dihapus sebelumnya.")
            due = next((d for d in self._due(session, today) if d.id == applicant_id), None)
            if due is None:
                raise UserError(self._not_due_reason(session, applicant, today))
            result = self._erase(session, applicant)
            self._s.personal_data.log(
                session,
                actor,
                pd.ERASE,
                applicant_id=applicant_id,
                what="penghapusan data pribadi setelah masa retensi",
                alasan=reason,
                permohonan=result.cases,
                lampiran=result.attachments,
                dokumen=result.documents,
                baris_buku=result.book_lines,
            )
            return result

    def erase_by_nik(self, actor: Actor, nik_text: str, reason: str) -> ErasureResult:
        actor.require(*ERASE_ROLES, what="menghapus data pribadi pemohon")
        nik = check_nik_input(nik_text)
        with self._s.db.reading() as session:
            applicant_id = session.scalar(select(Applicant.id).where(Applicant.nik == nik))
        if applicant_id is None:
            raise NotFound(f"Tidak ada data pemohon dengan NIK {nik} di kantor ini.")
        return self.erase(actor, applicant_id, reason)

    def _not_due_reason(self, session: Session, applicant: Applicant, today: date) -> str:
        running = session.scalar(
            select(func.count(Case.id)).where(
                Case.applicant_id == applicant.id, Case.status.in_(_OPEN)
            )
        )
        if running:
            return (
                f"Pemohon ini masih punya {running} permohonan yang berjalan; data pribadinya "
                "belum boleh dihapus."
            )
        return (
            f"Masa retensi data pemohon ini ({self.years()} tahun sejak kegiatan terakhir) "
            "belum habis; data belum boleh dihapus."
        )

    def _erase(self, session: Session, applicant: Applicant) -> ErasureResult:
        from desktop_perizinan.services.intake import search_text

        now = self._s.now()
        secrets = [
            s
            for s in (applicant.name, applicant.nik, applicant.address, applicant.phone)
            if s and len(s.strip()) >= 3
        ]
        secrets.sort(key=len, reverse=True)  # the longest first: a name inside an address

        def scrub(text: str | None) -> str | None:
            if not text:
                return text
            for secret in secrets:
                text = text.replace(secret.strip(), ERASED_TEXT)
            return text

        cases = session.scalars(select(Case).where(Case.applicant_id == applicant.id)).all()
        ids = [c.id for c in cases]
        for case in cases:
            case.field_values = {}
            case.search_text = search_text(case.reg_number, case.permit_number)
        for record in session.scalars(select(StepRecord).where(StepRecord.case_id.in_(ids))):
            record.note = scrub(record.note)
            record.data = _scrub_value(record.data, scrub)
        attachments = session.scalars(select(Attachment).where(Attachment.case_id.in_(ids))).all()
        blob_ids = {a.blob_id for a in attachments}
        for attachment in attachments:
            session.delete(attachment)
        session.flush()
        if blob_ids:
            shared = set(
                session.scalars(
                    select(Attachment.blob_id).where(Attachment.blob_id.in_(blob_ids))
                ).all()
            )
            unused = blob_ids - shared
            if unused:
                session.execute(delete(AttachmentBlob).where(AttachmentBlob.id.in_(unused)))
        documents = 0
        for doc in session.scalars(select(Document).where(Document.case_id.in_(ids))):
            doc.title = scrub(doc.title) or doc.title
            for version in session.scalars(
                select(DocumentVersion).where(DocumentVersion.document_id == doc.id)
            ):
                version.pdf = b""
                version.body = {"dihapus": now.isoformat(timespec="seconds")}
            documents += 1
        lines = 0
        for entry in session.scalars(select(AgendaEntry).where(AgendaEntry.case_id.in_(ids))):
            entry.subject = scrub(entry.subject) or ""
            entry.addressee = scrub(entry.addressee) or ""
            lines += 1
        for sent in session.scalars(
            select(ExpeditionEntry).where(ExpeditionEntry.case_id.in_(ids))
        ):
            sent.recipient_name = scrub(sent.recipient_name)
            sent.note = scrub(sent.note)
            lines += 1
        applicant.name = ERASED_TEXT
        applicant.nik = erased_nik(applicant.id)
        applicant.address = ""
        applicant.phone = ""
        applicant.email = ""
        applicant.updated_at = now
        applicant.erased_at = now
        session.flush()
        return ErasureResult(applicant.id, len(cases), len(attachments), documents, lines)


def _scrub_value(value: Any, scrub: Any) -> Any:
    """Step data (JSON) with every string scrubbed, keys and structure kept."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_value(v, scrub) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_value(v, scrub) for k, v in value.items()}
    return value
