"""The permit type as data: what a file in ``forms/`` describes, once parsed and validated.

These classes are plain frozen dataclasses so that the engine, the services, the documents and
the screens can share them without any of them knowing how the file was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.fields import (
    DEFAULT_APPLICANT,
    DEFAULT_PERMIT_CLOSING,
    DEFAULT_REJECTION_CLOSING,
    LIFETIME_DEFAULT,
    ApplicantForm,
)

#: Targets of an outcome that are not a step.
TARGET_ISSUED = "@terbit"
TARGET_REJECTED = "@ditolak"
TARGET_APPLICANT = "@pemohon"
SPECIAL_TARGETS = (TARGET_ISSUED, TARGET_REJECTED, TARGET_APPLICANT)

#: The role of the applicant; applicant steps are recorded by a counter role (see OfficeConfig).
APPLICANT_ROLE = "pemohon"


class Action(StrEnum):
    """What a step does, which decides the data it records and the screen that serves it."""

    SUBMISSION = "pengajuan"  # applicant hands in the application
    COMPLETENESS = "kelengkapan"  # counter checks the requirements
    RECEIPT = "resi"  # receipt to the applicant
    DISPOSITION = "disposisi"  # forwarded with a lembar disposisi
    VERIFICATION = "verifikasi"
    RECOMMENDATION_REQUEST = "permintaan_rekomendasi"
    INSPECTION = "peninjauan"  # field inspection, berita acara
    RECOMMENDATION = "rekomendasi"  # setuju / tolak
    DRAFT = "draf"
    PARAF = "paraf"
    SIGN = "tanda_tangan"
    NUMBER = "penomoran"
    PAYMENT = "pembayaran"  # SKRD
    DELIVERY = "penyerahan"
    HANDOVER = "penerimaan"  # applicant receives, expedition book
    ARCHIVE = "arsip"  # the file set aside for the archive (needs the number)
    PROCESS = "proses"  # any other step: done with an optional note


#: Actions that work on one document of the case and so must name it.
DOCUMENT_ACTIONS = frozenset(
    {
        Action.DRAFT,
        Action.PARAF,
        Action.SIGN,
        Action.NUMBER,
        Action.DELIVERY,
        Action.HANDOVER,
        Action.ARCHIVE,
    }
)

#: Which action of a composite step decides its screen (the one with the most to fill in).
FORM_PRIORITY = (
    Action.SIGN,
    Action.DELIVERY,
    Action.HANDOVER,
    Action.NUMBER,
    Action.DRAFT,
    Action.PARAF,
    Action.ARCHIVE,
)

#: Forms of signing authority (Tata Naskah Dinas): own name, atas nama, untuk beliau,
#: pelaksana tugas, pelaksana harian.
AUTHORITY_DIRECT = "langsung"
AUTHORITIES = (AUTHORITY_DIRECT, "a.n.", "u.b.", "Plt.", "Plh.")
#: The role whose steps an acting head (Plt./Plh., office setting) may take.
HEAD_ROLE = "kadis"


class StepNo(int):
    """A step's place in the SOP: an integer for ordering, printed as the SOP's own label.

    The SOP numbers its rows "1, 2, 3a, 3b, 10" (gaps kept); the database and sorting keep
    an integer, every printed place (f-strings, ``str``) shows the label unchanged.
    """

    label: str

    def __new__(cls, value: int, label: str | None = None) -> StepNo:
        obj = super().__new__(cls, value)
        obj.label = label if label is not None else str(int(value))
        return obj

    def __str__(self) -> str:
        return self.label

    def __format__(self, spec: str) -> str:
        return self.label if not spec else format(int(self), spec)

    def __repr__(self) -> str:
        return f"StepNo({int(self)}, {self.label!r})"


class DocumentKind(StrEnum):
    """The letters that end a case."""

    PERMIT = "izin"
    REJECTION = "penolakan"


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    #: A date, or the field's lifetime wording ("Seumur Hidup") when the permit never expires.
    DATE_OR_LIFETIME = "date_or_lifetime"
    CHOICE = "choice"
    NIK = "nik"
    NPWP = "npwp"
    NIB = "nib"
    PHONE = "phone"
    ADDRESS = "address"


class CaseStatus(StrEnum):
    RUNNING = "berjalan"
    WAITING_APPLICANT = "menunggu_pemohon"
    ISSUED = "terbit"
    REJECTED = "ditolak"
    WITHDRAWN = "ditarik"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_closed(self) -> bool:
        return self in (CaseStatus.ISSUED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN)


_STATUS_LABELS = {
    CaseStatus.RUNNING: "Dalam proses",
    CaseStatus.WAITING_APPLICANT: "Menunggu kelengkapan pemohon",
    CaseStatus.ISSUED: "Izin terbit",
    CaseStatus.REJECTED: "Ditolak",
    CaseStatus.WITHDRAWN: "Ditarik",
}

#: Outcomes with a known label; an outcome not listed here is shown with its code humanised.
OUTCOME_LABELS = {
    "selesai": "Selesai",
    "diterima": "Diterima",
    "lengkap": "Lengkap",
    "tidak_lengkap": "Tidak lengkap",
    "benar": "Lengkap dan benar",
    "tidak_benar": "Tidak lengkap / tidak benar",
    "setuju": "Setuju",
    "tolak": "Tolak",
    "paraf": "Paraf",
    "kembalikan": "Kembalikan dengan catatan",
    "ditandatangani": "Ditandatangani",
    "dinomori": "Diberi nomor",
    "dibayar": "Dibayar",
    "diserahkan": "Diserahkan",
    "dikirim": "Dikirim",
}

#: Outcomes that always need a note (a reason the applicant or the drafter will read).
OUTCOMES_NEEDING_NOTE = frozenset({"tidak_lengkap", "tidak_benar", "tolak", "kembalikan"})


@dataclass(frozen=True)
class Outcome:
    code: str
    target: str  # a step id or one of SPECIAL_TARGETS
    #: Where the outcome is written in its file; not part of equality (moving text around
    #: does not change the SOP).
    line: int = field(default=0, compare=False)

    @property
    def label(self) -> str:
        return OUTCOME_LABELS.get(self.code, self.code.replace("_", " ").capitalize())

    @property
    def needs_note(self) -> bool:
        """A reason is owed to whoever the outcome sends the file back to (or refuses).

        Reaching "@ditolak" alone needs none: the rejection letter has already been sent when
        the applicant signs for it.
        """
        return self.code in OUTCOMES_NEEDING_NOTE or self.target == TARGET_APPLICANT


@dataclass(frozen=True)
class Step:
    id: str
    no: int  # a StepNo after construction: orders as an int, prints as the SOP label
    name: str
    actor: str  # role code
    action: Action
    time: Duration
    time_text: str
    outcomes: tuple[Outcome, ...]
    inputs: str = ""
    output: str = ""
    actor_label: str = ""  # the SOP's own name for the actor, e.g. "Sub Koordinator PTSP II"
    document: DocumentKind | None = None
    book: str | None = None  # numbering book for a penomoran step (default: the permit's)
    line: int = field(default=0, compare=False)  # the [[steps]] header in the file
    #: Every action of the SOP row, in order (a composite row does several); ``action`` is
    #: the one whose screen serves the step. Empty means ``(action,)``.
    actions: tuple[Action, ...] = ()
    authority: str = AUTHORITY_DIRECT  # how a signing step signs (a.n., u.b., Plt., Plh.)
    on_behalf_of: str = ""  # the role signed for, when not signing in one's own name

    def __post_init__(self) -> None:
        if not self.actions:
            object.__setattr__(self, "actions", (self.action,))
        if not isinstance(self.no, StepNo):
            object.__setattr__(self, "no", StepNo(self.no))

    @property
    def label(self) -> str:
        """The SOP's own number of this row, as printed ("3a", "10")."""
        return str(self.no)

    def does(self, action: Action) -> bool:
        return action in self.actions

    def outcome(self, code: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.code == code), None)


@dataclass(frozen=True)
class Requirement:
    code: str
    name: str
    mandatory: bool = True
    renewal_only: bool = False

    def applies(self, renewal: bool) -> bool:
        return renewal or not self.renewal_only


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    type: FieldType
    required: bool = True
    choices: tuple[str, ...] = ()
    help: str = ""
    #: For ``date_or_lifetime``: the wording stored and printed instead of a date.
    lifetime: str = LIFETIME_DEFAULT


@dataclass(frozen=True)
class Numbering:
    book: str
    title: str
    pattern: str
    yearly: bool = True


@dataclass(frozen=True)
class Wording:
    """The text of the permit and of the rejection letter, with ``{placeholders}``."""

    permit_title: str
    permit_body: str
    rejection_subject: str
    rejection_body: str
    #: The letters' closing sentences ("Demikian ..."), from the file or today's text.
    permit_closing: str = DEFAULT_PERMIT_CLOSING
    rejection_closing: str = DEFAULT_REJECTION_CLOSING
    #: "Menimbang" of the permit, and the "Tembusan" lists of both letters (none by default).
    permit_considerations: tuple[str, ...] = ()
    permit_tembusan: tuple[str, ...] = ()
    rejection_tembusan: tuple[str, ...] = ()


@dataclass(frozen=True)
class PermitType:
    code: str
    name: str
    sop_number: str
    product: str
    legal_basis: tuple[str, ...]
    fee: int
    requirements: tuple[Requirement, ...]
    fields: tuple[FormField, ...]
    steps: tuple[Step, ...]
    numbering: Numbering
    wording: Wording
    declared_total: Duration | None = None
    channels: tuple[str, ...] = ("loket",)
    source_file: str = ""
    source_hash: str = ""
    source_text: str = field(default="", repr=False)
    warnings: tuple[str, ...] = ()
    # The identity block of the SOP (Permendagri 52/2011), printed on the SOP matrix so the
    # printed SOP says all the paper one says; the workflow itself does not use them.
    qualifications: tuple[str, ...] = ()  # Kualifikasi pelaksana
    related: tuple[str, ...] = ()  # Keterkaitan (related SOPs and documents)
    equipment: tuple[str, ...] = ()  # Peralatan/Perlengkapan
    #: Peringatan: the SOP's own cautions; not ``warnings``, which are the loader's notes.
    warnings_text: tuple[str, ...] = ()
    records: tuple[str, ...] = ()  # Pencatatan dan pendataan
    #: ``[applicant]``: the labels and mandatory flags of the applicant's name and address.
    applicant: ApplicantForm = DEFAULT_APPLICANT
    #: ``[stages]`` (PP 28/2025, issue 13.5; see workflow/stages.py): (stage code, declared
    #: deadline or None = the sum of its steps' times, step ids), in the regulation's order.
    stages: tuple[tuple[str, Duration | None, tuple[str, ...]], ...] = ()

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def number_book(self, step: Step) -> str:
        """The agenda book a numbering step (or the signing step before it) takes its number
        from: the step's own ``book``, else the permit's book for "izin" and the office's
        outgoing-letter book for any other letter."""
        if step.book:
            return step.book
        return self.numbering.book if step.document is DocumentKind.PERMIT else "surat_keluar"

    def requirements_for(self, renewal: bool) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.applies(renewal))

    @property
    def is_free(self) -> bool:
        return self.fee == 0

    @property
    def fee_text(self) -> str:
        return "Gratis" if self.fee == 0 else "Rp " + f"{self.fee:,}".replace(",", ".")


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    rank: int = 0  # paraf order: lower initials first


@dataclass(frozen=True)
class Book:
    code: str
    title: str
    pattern: str
    yearly: bool = True


@dataclass(frozen=True)
class OfficeConfig:
    """What ``forms/_kantor.toml`` holds: roles, working hours, books. Shared by all types."""

    roles: dict[str, Role]
    #: weekday (0 = Monday) -> (opening, closing) as minutes after midnight, or None = closed
    hours: dict[int, tuple[int, int] | None]
    days_off: tuple[str, ...]  # ISO dates of the office's own days off
    books: dict[str, Book]
    registration_book: str = "registrasi"
    applicant_recorded_by: str = "front_office"
    #: ISO dates the office works although the holiday package lists them (estimated dates)
    extra_workdays: tuple[str, ...] = ()
    #: UU PDP (``[data_pribadi]``): years an applicant's data is kept after their last
    #: activity, and the roles that see a NIK in full; None = the services' defaults.
    retention_years: int | None = None
    full_nik_roles: tuple[str, ...] | None = None

    def roles_acting_for(self, step_actor: str) -> frozenset[str]:
        """The roles that may record a step whose SOP actor is ``step_actor``."""
        if step_actor == APPLICANT_ROLE:
            return frozenset({self.applicant_recorded_by})
        return frozenset({step_actor})

    def role_name(self, code: str) -> str:
        role = self.roles.get(code)
        return role.name if role else code
