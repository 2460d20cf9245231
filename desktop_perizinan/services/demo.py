"""The demonstration office: users for every role and a scenario that runs every shipped
permit type end to end through the services (the same calls the screens make).

Used by ``perizinan demo``, by the screenshots, by the tests and by the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop_perizinan.services.actor import SYSTEM, Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.attachments import AttachmentIn
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.intake import IntakeRequest, IntakeResult
from desktop_perizinan.services.settings import DEFAULT_PROFILE
from desktop_perizinan.workflow.definition import (
    TARGET_APPLICANT,
    Action,
    CaseStatus,
    FieldType,
    PermitType,
)

DEMO_PASSWORD = "rahasia123"

#: (username, full name, roles, NIP, rank, title)
DEMO_USERS: tuple[tuple[str, str, frozenset[str], str, str, str], ...] = (
    ("admin", "Administrator Sistem", frozenset({"admin"}), "", "", "Administrator"),
    (
        "loket",
        "Rina Simanjuntak",
        frozenset({"front_office"}),
        "199003152015032004",
        "Pengatur (II/c)",
        "Petugas Front Office",
    ),
    (
        "seksi",
        "Hotman Sitorus, S.E.",
        frozenset({"backoffice"}),
        "198205122009011003",
        "Penata (III/c)",
        "Kepala Seksi Pelayanan II",
    ),
    (
        "teknis",
        "Ir. Lestari Boangmanalu",
        frozenset({"tim_teknis"}),
        "197911042006042008",
        "Penata Tingkat I (III/d)",
        "Ketua Tim Teknis",
    ),
    (
        "kabid",
        "Dra. Marlina Sinaga",
        frozenset({"kabid"}),
        "197507191998032005",
        "Pembina (IV/a)",
        "Kepala Bidang Pelayanan",
    ),
    (
        "sekretaris",
        "Jonner Tamba, S.H.",
        frozenset({"sekretaris"}),
        "197303031997031004",
        "Pembina Tingkat I (IV/b)",
        "Sekretaris",
    ),
    (
        "kadis",
        "Drs. Marisi Sianturi, M.Si",
        frozenset({"kadis"}),
        "196511151986021002",
        "Pembina Utama Muda (IV/c)",
        "Kepala Dinas",
    ),
    (
        "umum",
        "Tiurma Pasaribu",
        frozenset({"ksb_umum"}),
        "198408082010012011",
        "Penata Muda Tingkat I (III/b)",
        "Kasubbag Umum",
    ),
)

DEMO_PROFILE = replace(
    DEFAULT_PROFILE,
    head_name="Drs. MARISI SIANTURI, M.Si",
    head_rank="Pembina Utama Muda",
    head_nip="19651115 198602 1 002",
)


class SteppingClock:
    """A clock the scenario moves forward, so step times and lateness are realistic."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, minutes: int) -> None:
        self.current += timedelta(minutes=minutes)


def create_demo_users(services: Services) -> dict[str, Actor]:
    """One user per role; returns the actors by role code."""
    by_role: dict[str, Actor] = {}
    for username, name, roles, nip, rank, title in DEMO_USERS:
        actor = services.users.create(
            SYSTEM,
            username=username,
            full_name=name,
            password=DEMO_PASSWORD,
            roles=roles,
            nip=nip,
            rank=rank,
            title=title,
        )
        for role in roles:
            by_role[role] = actor
    services.settings.save_office_profile(by_role["admin"], DEMO_PROFILE)
    return by_role


# A tiny valid PDF and PNG: what a scanner would give, checked by content.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def sample_field_values(pt: PermitType, seed: int = 0) -> dict[str, str]:
    """Plausible values for every field of a permit type."""
    values: dict[str, str] = {}
    for spec in pt.fields:
        match spec.type:
            case FieldType.CHOICE:
                values[spec.key] = spec.choices[seed % len(spec.choices)]
            case FieldType.NUMBER:
                values[spec.key] = str(12 + seed)
            case FieldType.DATE:
                values[spec.key] = "2026-01-15"
            case FieldType.NPWP:
                values[spec.key] = "01.234.567.8-912.000"
            case FieldType.NIB:
                values[spec.key] = "9120001234567"
            case FieldType.PHONE:
                values[spec.key] = "0627 21345"
            case FieldType.NIK:
                values[spec.key] = "1211034508900003"
            case FieldType.ADDRESS:
                values[spec.key] = f"Jl. Pahlawan No. {10 + seed}, Sidikalang"
            case _:
                values[spec.key] = _TEXT_SAMPLES.get(spec.key, f"{spec.label} contoh {seed + 1}")
    return values


_TEXT_SAMPLES = {
    "nama_lembaga": "Yayasan Kasih Anak Nusantara (Stichting Kinderhulp)",
    "negara_asal": "Belanda",
    "mitra_lokal": "Yayasan Pelita Dairi",
    "nama_kelompok": "Sanggar Tari Bunga Tanjung",
    "nama_organisasi": "Yayasan Peduli Sesama Internasional",
}


@dataclass
class DemoApplicant:
    nik: str
    name: str
    address: str
    phone: str


DEMO_APPLICANTS = (
    DemoApplicant(
        "1211034508900003",
        "Ni Luh Putu Ayu Saraswati Dewi-Hernández O'Brien",
        "Jl. Sisingamangaraja No. 45, Sidikalang",
        "081234567890",
    ),
    DemoApplicant(
        "1211031203850001", "Benget Tua Simamora", "Desa Bintang Hulu, Sidikalang", "082167788990"
    ),
    DemoApplicant(
        "3514022011800002", "Yohanes Kristiawan", "Jl. Raya Raci Km. 9, Pasuruan", "081331234567"
    ),
    DemoApplicant(
        "3514024407920004", "Siti Maimunah", "Dusun Krajan, Bangil, Pasuruan", "085233445566"
    ),
)


@dataclass
class ScenarioSummary:
    cases: int = 0
    issued: int = 0
    rejected: int = 0
    numbers: list[str] = field(default_factory=list)
    late_steps: int = 0
    documents: int = 0


def default_data(action: Action, now: datetime, actor: Actor) -> dict[str, Any]:
    """What a user of each step would typically fill in."""
    match action:
        case Action.DISPOSITION:
            return {
                "instructions": ["Proses lebih lanjut", "Koordinasikan/konfirmasikan"],
                "sifat": "Segera",
                "catatan": "Mohon diverifikasi sesuai standar pelayanan.",
            }
        case Action.INSPECTION:
            return {
                "tanggal": now.date().isoformat(),
                "lokasi": "Kantor lembaga, Jl. Pahlawan No. 10, Sidikalang",
                "tim": [
                    {"name": actor.full_name, "role": "Ketua", "title": actor.title},
                    {"name": "Bonar Situmorang, S.Sos", "role": "Anggota", "title": "Dinas Sosial"},
                ],
                "temuan": [
                    "Kantor lembaga tersedia dan sesuai dengan alamat pada permohonan.",
                    "Program kerja tahunan sesuai dengan proposal yang diajukan.",
                ],
                "kesimpulan": "Lembaga memenuhi persyaratan teknis.",
            }
        case Action.PAYMENT:
            return {"bukti": "STS-0001/2026"}
        case Action.DELIVERY:
            return {"cara": "Diambil di loket"}
        case _:
            return {}


class CaseDriver:
    """Moves a case through its SOP with the right user at each step (demo, tests, bench)."""

    def __init__(self, services: Services, users: dict[str, Actor], clock: SteppingClock | None):
        self.s = services
        self.users = users
        self.clock = clock

    def actor_for(self, role: str) -> Actor:
        return self.users[role]

    def submit(
        self,
        form_code: str,
        applicant: DemoApplicant,
        *,
        present: frozenset[str] | None = None,
        seed: int = 0,
        channel: str | None = None,
    ) -> IntakeResult:
        pt = self.s.permit_type(form_code)
        if present is None:
            present = frozenset(r.code for r in pt.requirements_for(False))
        counter = self.users[self.s.office.applicant_recorded_by]
        return self.s.intake.submit(
            counter,
            IntakeRequest(
                form_code=form_code,
                nik=applicant.nik,
                name=applicant.name,
                address=applicant.address,
                phone=applicant.phone,
                channel=channel or pt.channels[0],
                fields=sample_field_values(pt, seed),
                present=present,
                attachments=(AttachmentIn("ktp.pdf", SAMPLE_PDF, "ktp"),),
            ),
        )

    def run(
        self,
        case_id: int,
        choices: dict[str, list[str]] | None = None,
        *,
        minutes_per_step: int = 50,
        stop_at: str | None = None,
    ) -> CaseStatus:
        """Act on each open step until the case closes (or reaches ``stop_at``).

        ``choices`` maps a step id to the outcomes to take on successive visits (e.g. a paraf
        step returned once, then initialled); otherwise the first forward outcome is taken.
        """
        remaining = {k: list(v) for k, v in (choices or {}).items()}
        for _ in range(200):
            view = self.s.queries.case(case_id)
            if view.status is not CaseStatus.RUNNING or view.open_step is None:
                return view.status
            step = view.open_step
            if stop_at == step.step_id:
                return view.status
            pt = self.s.permit_type(view.permit_code)
            role = sorted(self.s.office.roles_acting_for(pt.step(step.step_id).actor))[0]
            actor = self.users[role]
            queue = remaining.get(step.step_id)
            if queue:
                outcome = queue.pop(0)
            else:
                outcome = next(o.code for o in step.outcomes if not o.needs_note)
            note = None
            if any(o.code == outcome and o.needs_note for o in step.outcomes):
                note = _NOTES.get(outcome, "Mohon diperbaiki sesuai catatan.")
            data = default_data(step.action, self.s.now(), actor)
            if step.action is Action.HANDOVER:
                data = {"penerima": view.applicant_name}
            if step.action is Action.PAYMENT and not any(d.kind == "skrd" for d in view.documents):
                self.s.work.issue_skrd(self.users.get("backoffice", actor), case_id)
            if self.clock is not None:
                self.clock.advance(minutes_per_step)
            self.s.work.act(actor, ActRequest(step.step_record_id, outcome, note, data))
        raise RuntimeError("case did not close within 200 steps")


_NOTES = {
    "tolak": "Lembaga belum memiliki mitra kerja lokal yang terdaftar di Dinas Sosial "
    "Kabupaten Dairi, dan program kerja tahunan tidak sesuai dengan kebutuhan daerah.",
    "kembalikan": "Perbaiki penulisan nama lembaga dan lengkapi dasar hukum.",
    "tidak_lengkap": "Berkas belum lengkap.",
    "tidak_benar": "Isian alamat tidak sesuai dengan dokumen.",
}


def run_demo(services: Services, clock: SteppingClock) -> ScenarioSummary:
    """Every shipped permit type end to end; both Dairi branches; one incomplete file."""
    users = create_demo_users(services)
    driver = CaseDriver(services, users, clock)
    summary = ScenarioSummary()
    dairi = next((c for c in services.forms.types if c.startswith("DAIRI")), None)
    results: list[int] = []
    if dairi is not None:
        # 1. Permit branch, with the Kabid returning the first draft once.
        first = driver.submit(dairi, DEMO_APPLICANTS[0])
        kabid_paraf = _first_step(services.permit_type(dairi), Action.PARAF, "izin")
        driver.run(first.case_id, {kabid_paraf: ["kembalikan", "paraf"]} if kabid_paraf else {})
        results.append(first.case_id)
        # 2. Rejection branch.
        clock.advance(60)
        second = driver.submit(dairi, DEMO_APPLICANTS[1], seed=1)
        rec = _first_step(services.permit_type(dairi), Action.RECOMMENDATION)
        driver.run(second.case_id, {rec: ["tolak"]} if rec else {})
        results.append(second.case_id)
    for index, code in enumerate(c for c in services.forms.types if c != dairi):
        clock.advance(90)
        pt = services.permit_type(code)
        applicant = DEMO_APPLICANTS[2 + index % 2]
        if index == 0:
            # 3. An incomplete file: klarifikasi, the applicant returns, the resi follows.
            mandatory = [r.code for r in pt.requirements_for(False) if r.mandatory]
            result = driver.submit(code, applicant, present=frozenset(mandatory[1:]), seed=index)
            clock.advance(24 * 60)
            counter = users[services.office.applicant_recorded_by]
            services.intake.complete_return(counter, result.case_id, frozenset(mandatory[:1]))
        else:
            result = driver.submit(code, applicant, seed=index)
        driver.run(result.case_id)
        results.append(result.case_id)
    for case_id in results:
        view = services.queries.case(case_id)
        summary.cases += 1
        summary.issued += view.status is CaseStatus.ISSUED
        summary.rejected += view.status is CaseStatus.REJECTED
        summary.late_steps += sum(1 for t in view.timeline if (t.late_minutes or 0) > 0)
        summary.documents += sum(d.versions for d in view.documents)
    for book in services.books.books():
        summary.numbers += [row.number for row in services.books.agenda(book.code, None)]
    return summary


def _first_step(pt: PermitType, action: Action, document: str | None = None) -> str | None:
    for step in pt.steps:
        if step.action is action and (
            document is None or (step.document and step.document.value == document)
        ):
            return step.id
    return None


def write_outputs(services: Services, out: Path) -> list[Path]:
    """Every document version as PDF, the agenda books and the expedition book as XLSX."""
    written: list[Path] = []
    docs_dir = out / "dokumen"
    books_dir = out / "buku"
    docs_dir.mkdir(parents=True, exist_ok=True)
    books_dir.mkdir(parents=True, exist_ok=True)
    for row in services.queries.search("", limit=10_000):
        view = services.queries.case(row.id)
        folder = docs_dir / _safe(view.reference)
        folder.mkdir(exist_ok=True)
        for doc in view.documents:
            for version in range(1, doc.versions + 1):
                path = folder / f"{doc.id:03d}-{doc.kind}-v{version}.pdf"
                path.write_bytes(services.documents.pdf(doc.id, version))
                written.append(path)
    year = services.now().year
    for book in services.books.books():
        path = books_dir / f"buku-agenda-{book.code}-{year}.xlsx"
        services.books.export_agenda(book.code, year, path)
        written.append(path)
    path = books_dir / f"buku-ekspedisi-{year}.xlsx"
    services.books.export_expedition(year, path)
    written.append(path)
    return written


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)


DEMO_START = datetime(2026, 11, 2, 7, 45)  # a Monday morning


def demo_clock(start: date | None = None) -> SteppingClock:
    return SteppingClock(
        DEMO_START if start is None else datetime.combine(start, DEMO_START.time())
    )


__all__ = [
    "DEMO_PASSWORD",
    "TARGET_APPLICANT",
    "CaseDriver",
    "ScenarioSummary",
    "SteppingClock",
    "create_demo_users",
    "run_demo",
    "write_outputs",
]
