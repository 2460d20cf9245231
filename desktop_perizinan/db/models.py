"""The database schema, as SQLAlchemy 2 declarative models.

Times are naive datetimes in office local time (the calendar reasons in office hours).
Structured payloads that only the application reads (field values, step data) are JSON.
The schema is changed only through Alembic migrations (``db/migrations``).

No ``from __future__ import annotations`` here: SQLAlchemy would then ``eval`` each of the
~240 ``Mapped[...]`` strings while the classes are built, ~17 ms of every start-up (issue 14).
Relationships name their class as a string (some are defined further down).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Setting(Base):
    """Office profile and preferences, one JSON value per key (editable in Pengaturan)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class SignerSetting(Base):
    """How one signer signs electronically (issue 12, migration 0006): PKCS#12 or BSrE.

    Never a passphrase or TOTP: those are asked at each signing and kept in memory only.
    """

    __tablename__ = "signer_setting"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    backend: Mapped[str] = mapped_column(String(12), default="pkcs12")  # pkcs12 | bsre
    gateway_url: Mapped[str] = mapped_column(String(300), default="")
    api_version: Mapped[str] = mapped_column(String(4), default="v1")  # v1 | v2
    nik: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    gateway_user: Mapped[str] = mapped_column(String(100), default="")  # HTTP Basic user
    secret_kind: Mapped[str] = mapped_column(String(12), default="passphrase")  # | totp
    appearance: Mapped[str] = mapped_column(String(10), default="invisible")  # tampilan
    placement: Mapped[str] = mapped_column(String(10), default="koordinat")  # | penanda
    page: Mapped[int] = mapped_column(Integer, default=1)
    x_axis: Mapped[int] = mapped_column(Integer, default=0)
    y_axis: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    marker: Mapped[str] = mapped_column(String(4), default="")  # tag_koordinat
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(Integer)


class DeferredTte(Base):
    """A document signed wet because the TTE gateway was down; its TTE follows on the same
    number (issue 12, migration 0008). ``attached_at`` is None while it is still waiting."""

    __tablename__ = "deferred_tte"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("permohonan.id"), index=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    signed_wet_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    attached_at: Mapped[datetime | None] = mapped_column(DateTime)
    attached_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    attached_version: Mapped[int | None] = mapped_column(Integer)
    attached_sha256: Mapped[str | None] = mapped_column(String(64))


class SigningBatch(Base):
    """One "sign all waiting drafts" action (issue 12, migration 0008); no secret in it."""

    __tablename__ = "signing_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    backend: Mapped[str] = mapped_column(String(12), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)
    signed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class SigningBatchItem(Base):
    """One case's result in a batch: ditandatangani / gagal / dibatalkan / tidak_dikirim."""

    __tablename__ = "signing_batch_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("signing_batch.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("permohonan.id"), index=True)
    step_record_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    number: Mapped[str | None] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str] = mapped_column(String(30), default="")
    rank: Mapped[str] = mapped_column(String(80), default="")  # pangkat/golongan
    title: Mapped[str] = mapped_column(String(200), default="")  # jabatan
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_codes(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    user: Mapped["User"] = relationship(back_populates="roles")


class FormVersion(Base):
    """A snapshot of a permit-type file: a running case keeps the version it started under."""

    __tablename__ = "form_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(200))
    source_text: Mapped[str] = mapped_column(Text)
    office_text: Mapped[str] = mapped_column(Text)  # the _kantor.toml it was validated against
    loaded_at: Mapped[datetime] = mapped_column(DateTime)


class Applicant(Base):
    __tablename__ = "applicant"
    id: Mapped[int] = mapped_column(primary_key=True)
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    #: Set when the personal data was erased after the retention period (UU PDP, migration
    #: 0004): the row stays so the cases and the books keep their numbers, anonymised.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime, default=None, index=True)


class Case(Base):
    """A permohonan: one application of one applicant for one permit type."""

    __tablename__ = "permohonan"
    id: Mapped[int] = mapped_column(primary_key=True)
    reg_number: Mapped[str | None] = mapped_column(String(80), unique=True)
    form_code: Mapped[str] = mapped_column(String(60), index=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="loket")
    renewal: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(30), index=True)
    current_step: Mapped[str] = mapped_column(String(60))
    current_step_no: Mapped[int] = mapped_column(Integer, default=1)
    field_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    permit_number: Mapped[str | None] = mapped_column(String(120), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    search_text: Mapped[str] = mapped_column(Text, default="")  # name, NIK, numbers: for search
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}

    applicant: Mapped["Applicant"] = relationship(lazy="joined")
    form_version: Mapped["FormVersion"] = relationship()
    steps: Mapped[list["StepRecord"]] = relationship(
        back_populates="case", order_by="StepRecord.id", cascade="all, delete-orphan"
    )
    requirement_checks: Mapped[list["RequirementCheck"]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )


class RequirementCheck(Base):
    __tablename__ = "requirement_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("permohonan.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(Text)
    mandatory: Mapped[bool] = mapped_column(Boolean, default=True)
    present: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    checked_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    case: Mapped["Case"] = relationship(back_populates="requirement_checks")
    __table_args__ = (UniqueConstraint("case_id", "code"),)


class AttachmentBlob(Base):
    """File content, stored once per hash inside the database so every PC of a LAN sees it."""

    __tablename__ = "attachment_blob"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(Base):
    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("permohonan.id"), index=True)
    step_record_id: Mapped[int | None] = mapped_column(ForeignKey("step_record.id"))
    requirement_code: Mapped[str | None] = mapped_column(String(60))
    file_name: Mapped[str] = mapped_column(String(300))
    mime: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    blob_id: Mapped[int] = mapped_column(ForeignKey("attachment_blob.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))


class StepRecord(Base):
    """One step of one case: opened, due, done, by whom, with what outcome."""

    __tablename__ = "step_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("permohonan.id"))
    step_id: Mapped[str] = mapped_column(String(60))
    step_no: Mapped[int] = mapped_column(Integer)
    step_label: Mapped[str | None] = mapped_column(String(16))  # the SOP's "3a" (0007)
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40))
    standard: Mapped[str] = mapped_column(String(40))  # the SOP's time text, e.g. "2 Jam"
    started_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    outcome: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    late_minutes: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case: Mapped["Case"] = relationship(back_populates="steps")
    done_by_user: Mapped["User | None"] = relationship()

    __table_args__ = (
        Index("ix_step_record_case", "case_id", "id"),
        Index("ix_step_record_open", "role", "done_at", "due_at"),
    )


class Document(Base):
    """A document of a case (resi, disposisi, izin...), with its versions."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("permohonan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="draf")  # draf, final
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sign_mode: Mapped[str | None] = mapped_column(String(20))  # basah, elektronik
    # Issue 11 (migration 0007): the printed signature heading, and who took the number when.
    signed_as: Mapped[str | None] = mapped_column(String(400))
    numbered_by: Mapped[int | None] = mapped_column(Integer)
    numbered_at: Mapped[datetime | None] = mapped_column(DateTime)
    verification_code: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    versions: Mapped[list["DocumentVersion"]] = relationship(
        back_populates="document", order_by="DocumentVersion.version"
    )


class DocumentVersion(Base):
    __tablename__ = "document_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # editable text, context
    # Deferred: listing a document's versions must not pull every PDF over the network.
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    document: Mapped["Document"] = relationship(back_populates="versions")
    __table_args__ = (UniqueConstraint("document_id", "version"),)


class Paraf(Base):
    """An initial (or a return with a note) on one exact draft version."""

    __tablename__ = "paraf"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20))  # paraf, kembalikan
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped["User"] = relationship(lazy="joined")


class NumberBook(Base):
    __tablename__ = "number_book"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    pattern: Mapped[str] = mapped_column(String(200))
    yearly: Mapped[bool] = mapped_column(Boolean, default=True)


class NumberCounter(Base):
    """The last number taken in a book for a year (year 0 for books not counted per year)."""

    __tablename__ = "number_counter"
    book_id: Mapped[int] = mapped_column(ForeignKey("number_book.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class AgendaEntry(Base):
    """A line of a buku agenda: every number ever taken, voided ones included."""

    __tablename__ = "agenda_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("number_book.id"))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(120))
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    taken_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("permohonan.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    subject: Mapped[str] = mapped_column(Text, default="")
    addressee: Mapped[str] = mapped_column(Text, default="")
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime)
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Issue 13.6 (migration 0005): where the number came from. "app" = taken by a use case;
    # "manual" = issued by hand outside the app (an outage) and recorded afterwards;
    # "reserved" = held for a letter written elsewhere until ``reserved_until``, then used
    # (``used_at``) or voided by the expiry sweep.
    origin: Mapped[str] = mapped_column(String(10), default="app", server_default="app")
    note: Mapped[str | None] = mapped_column(Text)  # why by hand / what the reservation is for
    issued_by_name: Mapped[str | None] = mapped_column(String(200))  # who issued it by hand
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    reserved_until: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    book: Mapped["NumberBook"] = relationship(lazy="joined")
    __table_args__ = (
        UniqueConstraint("book_id", "year", "seq", name="uq_agenda_entry_seq"),
        UniqueConstraint("book_id", "number", name="uq_agenda_entry_number"),
    )


class ExpeditionEntry(Base):
    """A line of the buku ekspedisi: a document handed over, to whom, when."""

    __tablename__ = "expedition_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("permohonan.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    number: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    sent_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recipient_name: Mapped[str | None] = mapped_column(String(300))
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)


class Fee(Base):
    """Retribution: the SKRD issued for a case and its payment."""

    __tablename__ = "fee"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("permohonan.id"), unique=True)
    amount: Mapped[int] = mapped_column(Integer)
    skrd_number: Mapped[str | None] = mapped_column(String(120))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    payment_ref: Mapped[str | None] = mapped_column(String(120))


class AuditHead(Base):
    """One row: the hash at the end of the audit chain, locked to append in order."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    # HMAC of (last_id, last_hash) with the office key (issue 16): a head moved back by hand
    # after deleting the tail no longer matches. None on a log not yet keyed (scheme 1).
    mac: Mapped[str | None] = mapped_column(String(64))


class AuditEntry(Base):
    """Append-only, hash-chained log of every action."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Issue 16: which hashing scheme covers the row (1: the first release, without user_id;
    # 2: every column), the id of the office key (never the key) and the HMAC made with it.
    scheme: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    key_id: Mapped[str | None] = mapped_column(String(16))
    mac: Mapped[str | None] = mapped_column(String(64))
