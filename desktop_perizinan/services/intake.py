"""Intake at the counter: the applicant by NIK, the permit type's fields, the checklist, the
attachments, and either a resi with a registration number or a klarifikasi slip.

One use case, one transaction: the applicant, the case, its checks, its attachments, the
counter's leading steps, the registration number and the receipt are written together or not
at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import Applicant, Case, StepRecord
from desktop_perizinan.db.upsert import insert_if_absent
from desktop_perizinan.errors import FieldErrors, PermissionDenied, ValidationError
from desktop_perizinan.privacy import mask_nik
from desktop_perizinan.services import audit, numbering, settings
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.attachments import AttachmentIn, check_attachment, store_attachment
from desktop_perizinan.services.intake_writes import (
    INSERT_CHECKS,
    insert_steps,
    number_case,
    upsert_applicant,
)
from desktop_perizinan.services.steps import close_step, lock_case, open_step, state_of
from desktop_perizinan.workflow import engine
from desktop_perizinan.workflow.definition import (
    TARGET_APPLICANT,
    Action,
    CaseStatus,
    PermitType,
    Requirement,
)
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.paths import service_total
from desktop_perizinan.workflow.validators import (
    LINE_BREAKS,
    clean_address,
    clean_email,
    clean_field,
    clean_name,
    clean_phone,
    has_control_characters,
    parse_nik,
)

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

#: The actions the counter performs while the applicant stands at the window.
COUNTER_ACTIONS = frozenset({Action.SUBMISSION, Action.COMPLETENESS, Action.RECEIPT})
CHANNELS = {"loket": "Loket", "daring": "Daring"}


@dataclass(frozen=True)
class IntakeRequest:
    form_code: str
    nik: str
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    channel: str = "loket"
    renewal: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    present: frozenset[str] = frozenset()
    attachments: tuple[AttachmentIn, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class IntakeResult:
    case_id: int
    reg_number: str | None
    status: CaseStatus
    complete: bool
    missing: tuple[str, ...]
    due_at: datetime | None
    document_id: int
    document_title: str
    pdf: bytes


@dataclass(frozen=True)
class ApplicantInfo:
    nik: str
    name: str
    address: str
    phone: str
    email: str
    cases: int


def missing_requirements(
    pt: PermitType, renewal: bool, present: frozenset[str]
) -> list[Requirement]:
    return [r for r in pt.requirements_for(renewal) if r.mandatory and r.code not in present]


def search_text(*parts: str | None) -> str:
    return " ".join(p.lower() for p in parts if p)


def check_note(note: str) -> None:
    """The counter's note is printed on the resi or the klarifikasi and stored with the step:
    refuse control characters (PostgreSQL refuses a NUL with a raw error at save time)."""
    if has_control_characters(note, LINE_BREAKS):
        raise ValidationError("Catatan berisi karakter yang tidak dapat dicetak.", "catatan")


class IntakeService:
    def __init__(self, services: Services) -> None:
        self._s = services

    # ------------------------------------------------------------------ look-ups

    def find_applicant(self, nik: str) -> ApplicantInfo | None:
        """A returning applicant, so the counter fills in at once."""
        with self._s.db.reading() as session:
            applicant = session.scalars(
                select(Applicant).where(Applicant.nik == nik.strip())
            ).first()
            if applicant is None:
                return None
            count = len(
                session.scalars(select(Case.id).where(Case.applicant_id == applicant.id)).all()
            )
            return ApplicantInfo(
                applicant.nik,
                applicant.name,
                applicant.address,
                applicant.phone,
                applicant.email,
                count,
            )

    # ------------------------------------------------------------------ validation

    def validate(
        self, request: IntakeRequest, *, attachment_limit: int | None = None
    ) -> tuple[PermitType, dict[str, str]]:
        """Check everything before anything is written; all field messages at once."""
        pt = self._s.permit_type(request.form_code)
        errors: dict[str, str] = {}
        cleaned: dict[str, str] = {}
        try:
            parse_nik(request.nik)
        except ValidationError as exc:
            errors["nik"] = exc.message
        form = pt.applicant  # the SOP's own labels and mandatory flags ([applicant])
        try:
            clean_name(request.name)
        except ValidationError as exc:
            errors["nama"] = exc.message.replace("Nama", form.name.label, 1)
        try:
            if form.address.required and not request.address.strip():
                raise ValidationError(f"{form.address.label} wajib diisi.", "alamat")
            clean_address(request.address)
        except ValidationError as exc:
            errors["alamat"] = exc.message
        try:
            clean_phone(request.phone)
        except ValidationError as exc:
            errors["telepon"] = exc.message
        try:
            clean_email(request.email)
        except ValidationError as exc:
            errors["email"] = exc.message
        try:
            check_note(request.note)
        except ValidationError as exc:
            errors["catatan"] = exc.message
        if request.channel not in CHANNELS:
            errors["kanal"] = "Kanal harus loket atau daring."
        elif request.channel not in pt.channels:
            errors["kanal"] = (
                f"{pt.name} tidak menerima permohonan melalui kanal {request.channel}."
            )
        for spec in pt.fields:
            try:
                cleaned[spec.key] = clean_field(spec, request.fields.get(spec.key, ""))
            except ValidationError as exc:
                errors[spec.key] = exc.message
        unknown = set(request.fields) - {f.key for f in pt.fields}
        if unknown:
            errors["fields"] = f"Isian tidak dikenal: {', '.join(sorted(unknown))}."
        limit = attachment_limit or self._s.settings.attachment_limit_bytes()
        for item in request.attachments:
            try:
                check_attachment(item, limit)
            except ValidationError as exc:
                errors.setdefault("lampiran", exc.message)
        if errors:
            raise FieldErrors(errors)
        return pt, cleaned

    # ------------------------------------------------------------------ use cases

    def submit(self, actor: Actor, request: IntakeRequest) -> IntakeResult:
        """Take in an application; complete → registration number + resi, else klarifikasi.

        The settings it needs are read once, inside the transaction (one statement); the
        counter steps are walked in memory and the rows written with Core statements
        (``intake_writes``; issue 14: 44 statements and 11 flushes per intake before).
        """
        now = self._s.now()
        office = self._s.office
        with self._s.db.transaction() as session:
            settings.prefetch(session, *settings.INTAKE_KEYS)
            limit = settings.attachment_limit(session)
            pt, values = self.validate(request, attachment_limit=limit)
            first = pt.first_step
            if not engine.may_act(pt, office, engine.start_state(pt), actor.roles):
                raise PermissionDenied(
                    f"Anda tidak berwenang menerima permohonan {pt.name} "
                    f"(langkah '{first.name}' milik {office.role_name(first.actor)})."
                )
            applicant = self._upsert_applicant(session, request, now)
            case = Case(
                form_code=pt.code,
                form_version_id=self._s.form_version_id(pt.code),
                applicant_id=applicant.id,
                channel=request.channel,
                renewal=request.renewal,
                status=CaseStatus.RUNNING.value,
                current_step=first.id,
                current_step_no=first.no,
                field_values=values,
                received_at=now,
                created_by=actor.id,
                search_text=search_text(applicant.name, applicant.nik),
            )
            case.applicant = applicant  # not added yet: insert_steps writes it
            present = frozenset(
                r.code for r in pt.requirements_for(request.renewal) if r.code in request.present
            )
            # The counter steps are walked before the case is written: it goes in once, at
            # the step where the counter leaves it, and its step rows in one statement.
            record = open_step(
                session, case, first, office=office, calendar=self._s.calendar, now=now
            )
            walked = self._walk_counter_steps(
                session, actor, case, pt, present, request.note, now, record
            )
            insert_steps(session, case, walked.records)
            # One executemany instead of one INSERT … RETURNING per requirement (issue 14).
            checks = [
                {
                    "case_id": case.id,
                    "code": requirement.code,
                    "name": requirement.name,
                    "mandatory": requirement.mandatory,
                    "present": requirement.code in request.present,
                    "checked_at": now,
                    "checked_by": actor.id,
                }
                for requirement in pt.requirements_for(request.renewal)
            ]
            if checks:
                session.connection().execute(INSERT_CHECKS, checks)
            for item in request.attachments:
                store_attachment(
                    session, item, case_id=case.id, user_id=actor.id, when=now, max_bytes=limit
                )
            audit.append(
                session,
                actor,
                "permohonan.terima",
                at=now,
                case_id=case.id,
                jenis=pt.code,
                # Masked: the chain cannot be changed when the data is erased (UU PDP).
                nik=mask_nik(applicant.nik),
                pemohon=applicant.id,
                kanal=request.channel,
            )
            return self._finish(session, actor, case, pt, present, now, request.note, walked)

    def complete_return(
        self,
        actor: Actor,
        case_id: int,
        brought: frozenset[str],
        *,
        attachments: tuple[AttachmentIn, ...] = (),
        note: str = "",
    ) -> IntakeResult:
        """The applicant came back with what was missing: tick it, and continue the file."""
        now = self._s.now()
        check_note(note)
        with self._s.db.transaction() as session:
            settings.prefetch(session, *settings.INTAKE_KEYS)
            limit = settings.attachment_limit(session)
            for item in attachments:
                check_attachment(item, limit)
            case = lock_case(session, case_id)
            pt = self._s.definition_for(session, case)
            if case.status != CaseStatus.WAITING_APPLICANT.value:
                raise ValidationError(
                    f"Permohonan ini tidak sedang menunggu kelengkapan "
                    f"(status: {CaseStatus(case.status).label})."
                )
            step = pt.step(case.current_step)
            if not engine.may_act(pt, self._s.office, state_of(case), actor.roles) and not (
                actor.roles & self._s.office.roles_acting_for("pemohon")
            ):
                raise PermissionDenied("Anda tidak berwenang menerima kelengkapan berkas.")
            checks = {c.code: c for c in case.requirement_checks}
            for code in brought:
                if code in checks:
                    checks[code].present = True
                    checks[code].checked_at = now
                    checks[code].checked_by = actor.id
            for item in attachments:
                store_attachment(
                    session, item, case_id=case.id, user_id=actor.id, when=now, max_bytes=limit
                )
            state = engine.applicant_returned(pt, state_of(case))
            case.status = state.status.value
            record = open_step(
                session, case, step, office=self._s.office, calendar=self._s.calendar, now=now
            )
            present = frozenset(c.code for c in case.requirement_checks if c.present)
            walked = self._walk_counter_steps(session, actor, case, pt, present, note, now, record)
            insert_steps(session, case, walked.records)
            audit.append(
                session,
                actor,
                "permohonan.kelengkapan_kembali",
                at=now,
                case_id=case.id,
                dibawa=sorted(brought),
            )
            return self._finish(session, actor, case, pt, present, now, note, walked)

    # ------------------------------------------------------------------ internals

    def _upsert_applicant(
        self, session: Session, request: IntakeRequest, now: datetime
    ) -> Applicant:
        nik = parse_nik(request.nik).nik
        name = clean_name(request.name)
        phone = clean_phone(request.phone)
        address = clean_address(request.address)
        email = clean_email(request.email)
        values = {
            "nik": nik,
            "name": name,
            "address": address or "",
            "phone": phone or "",
            "email": email or "",
            "created_at": now,
            "updated_at": now,
        }
        if session.get_bind().dialect.insert_returning:
            # Two counters may take in the same applicant at once: one upsert, race-free, that
            # locks the row and hands it back (issue 14: an insert, a locked select, a flush).
            return upsert_applicant(session, values)
        insert_if_absent(session, Applicant, values, ["nik"])  # SQLite < 3.35
        applicant = session.scalars(
            select(Applicant).where(Applicant.nik == nik).with_for_update()
        ).one()
        applicant.name = name
        applicant.address = address or applicant.address or ""
        applicant.phone = phone or applicant.phone or ""
        applicant.email = email or applicant.email or ""
        applicant.updated_at = now
        session.flush()
        return applicant

    def _walk_counter_steps(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        present: frozenset[str],
        note: str,
        now: datetime,
        record: StepRecord,
    ) -> _Walk:
        """Walk the leading counter steps (submission, completeness, receipt) in one go, in
        memory: ``record`` is the open step just added; every step row stays pending."""
        missing = missing_requirements(pt, case.renewal, present)
        records = [record]
        steps_closed = 0
        while case.status == CaseStatus.RUNNING.value:
            step = pt.step(case.current_step)
            if step.action not in COUNTER_ACTIONS:
                break
            if not engine.may_act(pt, self._s.office, state_of(case), actor.roles):
                break
            if step.action is Action.COMPLETENESS:
                back = next((o for o in step.outcomes if o.target == TARGET_APPLICANT), None)
                onward = next((o for o in step.outcomes if o.target != TARGET_APPLICANT), None)
                if missing and back is not None:
                    outcome = back.code
                    step_note = "Belum lengkap: " + "; ".join(r.name for r in missing)
                else:
                    outcome = (onward or step.outcomes[0]).code
                    step_note = note or None
            else:
                outcome, step_note = step.outcomes[0].code, None
            close_step(
                session,
                case,
                records[-1],
                pt,
                outcome,
                note=step_note,
                user_id=actor.id,
                office=self._s.office,
                calendar=self._s.calendar,
                now=now,
                flush=False,
            )
            steps_closed += 1
            opened = _newly_opened(session, records)
            if opened is None:
                break
            records.append(opened)
        return _Walk(steps_closed, missing, records)

    def _finish(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        pt: PermitType,
        present: frozenset[str],
        now: datetime,
        note: str,
        walked: _Walk,
    ) -> IntakeResult:
        """After the counter steps: the klarifikasi, or the number and the resi, with their
        audit entry (the head is already locked by this use case's first entry)."""
        missing = walked.missing
        docs = self._s.documents
        if case.status == CaseStatus.WAITING_APPLICANT.value:
            version = docs.issue_klarifikasi(session, actor, case, pt, missing, note, now)
            audit.append(
                session,
                actor,
                "permohonan.klarifikasi",
                at=now,
                case_id=case.id,
                kurang=[r.code for r in missing],
            )
            complete = False
        elif walked.steps_closed == 0 and case.reg_number is not None:
            # The file went back from the back office and resumes there: reprint the receipt.
            version = docs.latest_version(session, case.id, "resi")
            complete = True
        else:
            if case.reg_number is None:
                entry = numbering.take_number(  # flushes what is pending first
                    session,
                    self._s.office.registration_book,
                    when=now,
                    taken_by=actor.id,
                    case_id=case.id,
                    subject=f"Permohonan {pt.name}",
                    addressee=case.applicant.name,
                )
                number_case(
                    session,
                    case,
                    reg_number=entry.number,
                    search_text=search_text(case.applicant.name, case.applicant.nik, entry.number),
                    due_at=self._s.calendar.add(now, _service_total(pt)),
                )
            version = docs.issue_resi(session, actor, case, pt, now, present=present)
            audit.append(
                session, actor, "permohonan.resi", at=now, case_id=case.id, nomor=case.reg_number
            )
            complete = True
        session.flush()
        return IntakeResult(
            case_id=case.id,
            reg_number=case.reg_number,
            status=CaseStatus(case.status),
            complete=complete,
            missing=tuple(r.name for r in missing),
            due_at=case.due_at,
            document_id=version.document_id,
            document_title=version.document.title,
            pdf=version.pdf,
        )


#: id(permit type) -> (the type, its service total): the SOP's paths walked once per type
#: (issue 14: 0.3 ms per intake). The type is kept with its figure so the id stays its own.
_TOTALS: dict[int, tuple[PermitType, Duration]] = {}


def _service_total(pt: PermitType) -> Duration:
    known = _TOTALS.get(id(pt))
    if known is None or known[0] is not pt:
        known = _TOTALS[id(pt)] = (pt, service_total(pt))
    return known[1]


@dataclass(frozen=True)
class _Walk:
    """What the counter's walk did: steps closed, requirements missing, the step rows (in
    the order they were opened, the last one still open)."""

    steps_closed: int
    missing: list[Requirement]
    records: list[StepRecord]


def _newly_opened(session: Session, known: list[StepRecord]) -> StepRecord | None:
    """The step row ``close_step`` has just added (pending), or None when it opened none."""
    for obj in session.new:
        if isinstance(obj, StepRecord) and obj.done_at is None and obj not in known:
            return obj
    return None
