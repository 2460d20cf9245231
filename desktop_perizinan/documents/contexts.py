"""The data every document is drawn from: plain frozen dataclasses, no SQL, no ORM, no reportlab.

Documents are made in two stages (STYLE.md 11). The services read the database and build one of
these contexts; a renderer in :mod:`desktop_perizinan.documents.pdf` turns it into PDF bytes.
Keeping the contexts plain means they can be built and checked in a test without a database,
and the renderers can be tested without one too. Importing this module is cheap: it must not pull
in reportlab, because the services import it on every use case.

Conventions:
- texts are printed as given (the renderer escapes them), in Bahasa Indonesia;
- sequences are tuples so the contexts stay hashable and immutable;
- a document is *final* when it has a number and is not a draft; only a final document carries
  the QR code (``qr_payload``), only a draft carries the "DRAF" watermark and the paraf box.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from desktop_perizinan.documents.terbilang import format_rupiah, rupiah_words
from desktop_perizinan.errors import UserError

Paper = Literal["F4", "A4"]
ResiFormat = Literal["half", "thermal"]
OnBehalf = Literal["", "a.n.", "u.b.", "Plt.", "Plh."]

PAPERS: tuple[str, ...] = ("F4", "A4")
RESI_FORMATS: tuple[str, ...] = ("half", "thermal")
ON_BEHALF: tuple[str, ...] = ("", "a.n.", "u.b.", "Plt.", "Plh.")

#: The sifat (urgency) of a letter or a disposition, in the order the form prints them.
SIFAT_CHOICES: tuple[str, ...] = ("Biasa", "Segera", "Sangat Segera", "Rahasia")

#: The standard instructions printed with a tick box on a lembar disposisi.
STANDARD_INSTRUCTIONS: tuple[str, ...] = (
    "Tanggapan dan saran",
    "Proses lebih lanjut",
    "Koordinasikan/konfirmasikan",
    "Untuk diketahui",
    "Untuk ditindaklanjuti",
    "Siapkan jawaban",
    "Teliti dan pendapat",
    "Untuk dibantu",
    "Edarkan",
    "Arsipkan",
)

#: How many initials fit in the paraf box of a draft.
MAX_PARAF = 3


class LetterKind(StrEnum):
    """The letters drawn by ``render_letter``; the first two match ``workflow.DocumentKind``."""

    PERMIT = "izin"
    REJECTION = "penolakan"
    RECOMMENDATION_REQUEST = "permintaan_rekomendasi"


class WordingError(UserError):
    """The wording of a permit type names a placeholder the application cannot fill.

    A user error, not a bug: the wording lives in a ``forms/`` file the office edits, so the
    administrator must be told which placeholder is unknown and which ones are available.
    """

    def __init__(self, message: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def wording_placeholders(template: str) -> tuple[str, ...]:
    """The ``{placeholders}`` a wording uses, in order of first use (``{{`` is a literal brace).

    Raises :class:`WordingError` for anything but a plain name: ``{a.b}`` or ``{a[0]}`` in a
    file the office edits would let the text reach into Python objects.
    """
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise WordingError(
            f"Teks surat tidak dapat dibaca: kurung kurawal tidak seimbang ({exc}). "
            "Tulis {{ atau }} untuk kurung kurawal biasa."
        ) from exc
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not _PLAIN_NAME.match(name) or spec or conversion:
            raise WordingError(
                f"Isian {{{name}}} pada teks surat tidak sah: pakai nama sederhana seperti "
                "{nama_pemohon}, tanpa titik, kurung siku atau format."
            )
        if name not in names:
            names.append(name)
    return tuple(names)


def fill_wording(template: str, values: dict[str, object]) -> str:
    """Fill a wording's ``{placeholders}``; raise :class:`WordingError` if any has no value.

    Every missing name is reported at once, with the names that are available, so that the
    administrator fixes the ``forms/`` file in one go. Values are turned into text with
    ``str()``; a value of ``None`` counts as missing (an empty field must be said, not printed
    as "None"). Leading and trailing blank lines of the template are dropped.
    """
    names = wording_placeholders(template)
    missing = tuple(n for n in names if values.get(n) is None)
    if missing:
        listed = ", ".join("{" + n + "}" for n in missing)
        available = ", ".join("{" + k + "}" for k in sorted(values)) or "(tidak ada)"
        raise WordingError(
            f"Teks surat memakai isian yang tidak tersedia: {listed}. Isian yang tersedia: "
            f"{available}.",
            missing,
        )
    text = template.format_map({n: str(values[n]) for n in names})
    return text.strip("\n")


@dataclass(frozen=True)
class OfficeProfile:
    """The issuing office, as the administrator sets it up: the kop surat and the defaults.

    ``regency`` is the region without "PEMERINTAH" ("KABUPATEN DAIRI"); the kop prints
    :attr:`government_line`. ``emblem`` is the office's own emblem (PNG or JPEG bytes); ``None``
    uses the neutral default shield in ``resources/emblem.png``.
    """

    regency: str
    office_name: str
    address: str
    city: str
    phone: str = ""
    website: str = ""
    email: str = ""
    postal_code: str = ""
    head_title: str = "Kepala Dinas"
    head_name: str = ""
    head_rank: str = ""
    head_nip: str = ""
    emblem: bytes | None = field(default=None, repr=False)
    paper: Paper = "F4"
    resi_format: ResiFormat = "half"
    #: Printed after clock times: WIB, WITA or WIT.
    time_zone: str = "WIB"

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise ValueError(f"paper must be one of {PAPERS}, not {self.paper!r}")
        if self.resi_format not in RESI_FORMATS:
            raise ValueError(f"resi_format must be one of {RESI_FORMATS}")

    @property
    def government_line(self) -> str:
        """The first kop line: "PEMERINTAH KABUPATEN DAIRI"."""
        regency = self.regency.strip().upper()
        return regency if regency.startswith("PEMERINTAH") else f"PEMERINTAH {regency}"

    @property
    def contact_line(self) -> str:
        """The kop's address line: address, postal code, telephone, website, e-mail."""
        parts = [self.address.strip()]
        if self.postal_code:
            parts[0] = f"{parts[0]} Kode Pos {self.postal_code}"
        if self.phone:
            parts.append(f"Telepon {self.phone}")
        if self.website:
            parts.append(f"Laman {self.website}")
        if self.email:
            parts.append(f"Pos-el {self.email}")
        return ", ".join(p for p in parts if p)

    def head_signatory(self, on_behalf: OnBehalf = "") -> Signatory:
        """The head of office as the signer (the usual case for permits)."""
        return Signatory(
            name=self.head_name,
            rank=self.head_rank,
            nip=self.head_nip,
            title=self.head_title,
            on_behalf=on_behalf,
        )


@dataclass(frozen=True)
class Signatory:
    """Who signs, and in whose name (Tata Naskah Dinas).

    - ``on_behalf=""``: the signer signs in their own office: ``title`` is printed.
    - ``"a.n."`` (atas nama): ``principal_title`` (e.g. "Kepala Dinas ...") is printed after
      "a.n.", then the signer's own ``title`` (e.g. "Sekretaris").
    - ``"Plt."`` / ``"Plh."``: the signer holds the office temporarily; ``title`` is the office
      held ("Kepala Dinas ...") and is printed after the prefix.
    """

    name: str
    title: str
    rank: str = ""
    nip: str = ""
    on_behalf: OnBehalf = ""
    principal_title: str = ""

    def __post_init__(self) -> None:
        if self.on_behalf not in ON_BEHALF:
            raise ValueError(f"on_behalf must be one of {ON_BEHALF}, not {self.on_behalf!r}")
        if self.on_behalf in ("a.n.", "u.b.") and not self.principal_title:
            raise ValueError(f"a signatory {self.on_behalf!r} needs principal_title")

    def heading_lines(self) -> tuple[str, ...]:
        """The lines above the signature space; the last one ends with a comma."""
        if self.on_behalf == "a.n.":
            return (f"a.n. {self.principal_title}", f"{self.title},")
        if self.on_behalf == "u.b.":  # untuk beliau: for the official named after a.n.
            return (f"a.n. {self.principal_title}", "u.b.", f"{self.title},")
        if self.on_behalf:
            return (f"{self.on_behalf} {self.title},",)
        return (f"{self.title},",)


@dataclass(frozen=True)
class ParafMark:
    """One initial on a draft: who (role title and name) and when."""

    role: str
    name: str
    at: datetime

    @property
    def initials(self) -> str:
        """Up to three initials of the name: "Ni Luh Putu Ayu" -> "NLP"."""
        letters = [w[0] for w in re.findall(r"[^\W\d_]+", self.name)]
        return "".join(letters[:3]).upper()


@dataclass(frozen=True)
class Applicant:
    """The applicant as printed on receipts and letters."""

    name: str
    nik: str = ""
    address: str = ""
    phone: str = ""
    #: The SOP's own labels (``[applicant]`` of the permit-type file), e.g. "Nama Pemohon
    #: sesuai SK"; the resi and the klarifikasi print them as the permit does.
    name_label: str = "Nama pemohon"
    address_label: str = "Alamat"


@dataclass(frozen=True)
class ResiContext:
    """Tanda terima berkas (resi): what the applicant takes home from the counter."""

    office: OfficeProfile
    registration_number: str
    permit_type: str
    applicant: Applicant
    received_at: datetime
    due_at: datetime | None
    #: (requirement name, received?) in the order of the permit type.
    checklist: tuple[tuple[str, bool], ...]
    fee_text: str
    clerk: str
    channel: str = "Loket"
    qr_payload: str | None = None
    note: str = ""

    @property
    def is_final(self) -> bool:
        """A receipt always has its registration number: it is final from the start."""
        return bool(self.registration_number)


@dataclass(frozen=True)
class KlarifikasiContext:
    """Klarifikasi berkas: the counter tells the applicant what is missing or wrong."""

    office: OfficeProfile
    case_reference: str
    applicant: Applicant
    permit_type: str
    missing: tuple[str, ...]
    clerk: str
    date: datetime
    note: str = ""
    #: Requirements already handed in (printed for the record; may be empty).
    received: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisposisiContext:
    """Lembar disposisi (half folio): the file forwarded with the head's instructions.

    ``instructions`` are ticked on the printed standard list (``STANDARD_INSTRUCTIONS``); any
    instruction not on that list is printed after it, ticked.
    """

    office: OfficeProfile
    letter_from: str
    letter_number: str
    letter_date: date
    received_date: date
    agenda_number: str
    sifat: str
    hal: str
    to: tuple[str, ...]
    instructions: tuple[str, ...]
    disposer_name: str
    disposer_title: str
    date: date
    notes: str = ""
    qr_payload: str | None = None

    def __post_init__(self) -> None:
        if self.sifat not in SIFAT_CHOICES:
            raise ValueError(f"sifat must be one of {SIFAT_CHOICES}, not {self.sifat!r}")


@dataclass(frozen=True)
class LetterContext:
    """A surat izin, a surat penolakan or a surat permintaan rekomendasi.

    ``body`` is already filled (see :func:`fill_wording`); blank lines separate paragraphs.
    ``number=None`` prints "Nomor : ....." (a draft before the agenda book gives it a number).
    ``table`` is an optional list of (label, value) rows printed after the body, e.g. the
    permit's data. ``legal_basis`` is printed as "Dasar" and ``considerations`` as "Menimbang".
    ``closing=None`` uses the standard closing sentence of the kind; ``""`` prints none.
    ``e_signed_by`` draws a "Ditandatangani secara elektronik oleh ..." block in the signature
    space (into the page content, because QtPdf does not draw signature widgets).
    """

    office: OfficeProfile
    kind: LetterKind
    number: str | None
    place: str
    date: date | None
    title: str
    body: str
    signatory: Signatory
    hal: str = ""
    sifat: str = "Biasa"
    lampiran: str = "-"
    addressee: tuple[str, ...] = ()
    table: tuple[tuple[str, str], ...] = ()
    legal_basis: tuple[str, ...] = ()
    considerations: tuple[str, ...] = ()
    paraf: tuple[ParafMark, ...] = ()
    draft: bool = False
    qr_payload: str | None = None
    e_signed_by: str | None = None
    #: BSrE's tag_koordinat character, printed once in the e-signature note (issue 12).
    tte_marker: str = ""
    tembusan: tuple[str, ...] = ()
    closing: str | None = None

    def __post_init__(self) -> None:
        if len(self.paraf) > MAX_PARAF:
            raise ValueError(f"at most {MAX_PARAF} paraf marks fit in the paraf box")

    @property
    def is_final(self) -> bool:
        return self.number is not None and not self.draft


@dataclass(frozen=True)
class TeamMember:
    """A member of the technical team on a berita acara."""

    name: str
    role: str  # "Ketua", "Anggota", ...
    title: str = ""  # jabatan / instansi, e.g. "Dinas Sosial"
    nip: str = ""


@dataclass(frozen=True)
class BeritaAcaraContext:
    """Berita acara peninjauan lapangan: the technical team's field inspection report."""

    office: OfficeProfile
    number: str | None
    date: date
    location: str
    case_reference: str
    permit_type: str
    applicant: Applicant
    team: tuple[TeamMember, ...]
    findings: tuple[str, ...]
    conclusion: str
    place: str = ""  # where it is signed; "" = the office's city
    subject: str = ""  # what was inspected, e.g. the institution's name
    draft: bool = False
    qr_payload: str | None = None

    @property
    def is_final(self) -> bool:
        return self.number is not None and not self.draft


@dataclass(frozen=True)
class SkrdContext:
    """Surat Ketetapan Retribusi Daerah: the retribution the applicant must pay before issue."""

    office: OfficeProfile
    number: str | None
    date: date
    due_date: date
    applicant: Applicant
    retribution: str  # jenis retribusi
    #: (description, amount in rupiah); the total is their sum.
    items: tuple[tuple[str, int], ...]
    signatory: Signatory
    registration_number: str = ""
    account_code: str = ""  # kode rekening
    npwrd: str = ""
    period: str = ""  # masa retribusi, e.g. "2026"
    payment_note: str = ""  # where and how to pay
    draft: bool = False
    qr_payload: str | None = None

    @property
    def amount(self) -> int:
        return sum(amount for _label, amount in self.items)

    @property
    def amount_text(self) -> str:
        """ "Rp 150.000"."""
        return format_rupiah(self.amount)

    @property
    def amount_in_words(self) -> str:
        """ "Seratus lima puluh ribu rupiah"."""
        return rupiah_words(self.amount)

    @property
    def is_final(self) -> bool:
        return self.number is not None and not self.draft


@dataclass(frozen=True)
class TandaTerimaContext:
    """Tanda terima dokumen: proof that the applicant received the permit or the letter."""

    office: OfficeProfile
    document_number: str
    document_title: str
    recipient_name: str
    date: datetime
    officer: str
    registration_number: str = ""
    recipient_note: str = ""  # e.g. "Kuasa dari ..." or the NIK
    qr_payload: str | None = None

    @property
    def is_final(self) -> bool:
        return bool(self.document_number)


#: Every context a renderer accepts, for ``render()`` and type hints.
DocumentContext = (
    ResiContext
    | KlarifikasiContext
    | DisposisiContext
    | LetterContext
    | BeritaAcaraContext
    | SkrdContext
    | TandaTerimaContext
)
