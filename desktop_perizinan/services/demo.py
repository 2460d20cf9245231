"""The demonstration office: users for every role and a scenario that runs every shipped
permit type end to end through the services (the same calls the screens make).

Used by ``perizinan demo``, by the screenshots, by the tests and by the benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import ADMIN_ROLE, SYSTEM, Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.attachments import AttachmentIn
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo_data import (
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    DEMO_PROFILE,
    DEMO_USERS,
    GENERIC_NAMES,
    SAMPLE_PDF,
    DemoApplicant,
    sample_field_values,
)
from desktop_perizinan.services.demo_plan import plan_branches
from desktop_perizinan.services.intake import IntakeRequest, IntakeResult
from desktop_perizinan.workflow.definition import (
    APPLICANT_ROLE,
    TARGET_APPLICANT,
    TARGET_ISSUED,
    TARGET_REJECTED,
    Action,
    CaseStatus,
    DocumentKind,
    OfficeConfig,
)

if TYPE_CHECKING:
    from desktop_perizinan.services.esign.backend import SigningBackend

#: Builds the backend a signer signs with in the demo (the seam for ``perizinan demo --tte``):
#: called once per signing step with the services and the signer; None signs that one wet.
SigningFactory = Callable[[Services, Actor], "SigningBackend | None"]


class SteppingClock:
    """A clock the scenario moves forward, so step times and lateness are realistic."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, minutes: int) -> None:
        self.current += timedelta(minutes=minutes)


def demo_user_specs(
    office: OfficeConfig,
) -> list[tuple[str, str, frozenset[str], str, str, str]]:
    """One user per role the office file declares (and the administrator); the applicant has
    no user. A role of :data:`DEMO_USERS` keeps its named person, any other role gets a user
    named after the role code with the office's name for the role as title."""
    known = {next(iter(roles)): spec for spec in DEMO_USERS for roles in [spec[2]]}
    specs = [known[ADMIN_ROLE]]
    extra = 0
    for code, role in office.roles.items():
        if code in (APPLICANT_ROLE, ADMIN_ROLE):
            continue
        if code in known:
            specs.append(known[code])
            continue
        name, nip, rank = GENERIC_NAMES[extra % len(GENERIC_NAMES)]
        extra += 1
        username = "".join(ch for ch in code.lower() if ch.isalnum() or ch in "._") or "peran"
        specs.append((username, name, frozenset({code}), nip, rank, role.name))
    return specs


def create_demo_users(services: Services) -> dict[str, Actor]:
    """One user per role declared in the office file; returns the actors by role code."""
    by_role: dict[str, Actor] = {}
    for username, name, roles, nip, rank, title in demo_user_specs(services.office):
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
    services.settings.save_office_profile(by_role[ADMIN_ROLE], DEMO_PROFILE)
    return by_role


@dataclass
class ScenarioSummary:
    cases: int = 0
    issued: int = 0
    rejected: int = 0
    numbers: list[str] = field(default_factory=list)
    late_steps: int = 0
    documents: int = 0
    runs: list[CaseRun] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every planned run reached a numbered final that verifies."""
        return bool(self.runs) and all(run.ok for run in self.runs)


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

    def __init__(
        self,
        services: Services,
        users: dict[str, Actor],
        clock: SteppingClock | None,
        *,
        signing: SigningFactory | None = None,
    ):
        self.s = services
        self.users = users
        self.clock = clock
        #: None: every signature is wet (basah); else the backend each signer signs with.
        self.signing = signing

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
            # A composite SOP row does several actions: what each of them needs, together.
            definition = pt.step(step.step_id)
            data: dict[str, Any] = {}
            for action in definition.actions:
                data.update(default_data(action, self.s.now(), actor))
            if definition.does(Action.HANDOVER):
                data["penerima"] = view.applicant_name
            signs = definition.does(Action.SIGN) and outcome != "kembalikan"
            if signs and self.signing is not None:
                backend = self.signing(self.s, actor)
                if backend is not None:
                    data.update({"mode": "elektronik", "backend": backend})
            paying = definition.does(Action.PAYMENT)
            if paying and not any(d.kind == "skrd" for d in view.documents):
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


@dataclass
class CaseRun:
    """One end-to-end run of a permit type, and whether it reached a verifiable final."""

    form_code: str
    branch: str  # "izin" or "penolakan"
    scenarios: tuple[str, ...] = ()
    case_id: int | None = None
    status: CaseStatus | None = None
    number: str | None = None
    verdict: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def run_demo(
    services: Services,
    clock: SteppingClock,
    *,
    signing: SigningFactory | None = None,
) -> ScenarioSummary:
    """Every permit type of the folder end to end, both branches where a type has them, with
    the incomplete-file and returned-paraf scenarios where a type has the steps for them
    (see :mod:`services.demo_plan`). Each final letter is checked with the verification
    service. ``signing`` makes every signature electronic with the backend it builds for the
    signer (``perizinan demo --tte``); None signs wet."""
    users = create_demo_users(services)
    driver = CaseDriver(services, users, clock, signing=signing)
    summary = ScenarioSummary()
    types = [services.permit_type(code) for code in services.forms.types]
    plans = plan_branches(types)
    counter = users[services.office.applicant_recorded_by]
    started = 0
    for pt in types:
        for position, branch in enumerate(plans[pt.code]):
            if started:
                clock.advance(90 if position == 0 else 60)
            run = CaseRun(pt.code, branch.name, branch.scenarios)
            applicant = DEMO_APPLICANTS[started % len(DEMO_APPLICANTS)]
            seed = started % 2
            started += 1
            try:
                if branch.incomplete:
                    mandatory = [r.code for r in pt.requirements_for(False) if r.mandatory]
                    first = driver.submit(
                        pt.code, applicant, present=frozenset(mandatory[1:]), seed=seed
                    )
                    clock.advance(24 * 60)
                    services.intake.complete_return(
                        counter, first.case_id, frozenset(mandatory[:1])
                    )
                else:
                    first = driver.submit(pt.code, applicant, seed=seed)
                run.case_id = first.case_id
                driver.run(first.case_id, branch.choices)
            except (UserError, RuntimeError) as exc:
                run.problem = getattr(exc, "message", None) or str(exc)
            if run.case_id is not None:
                _judge(services, run, branch.expected)
            summary.runs.append(run)
    for run in summary.runs:
        if run.case_id is None:
            continue
        view = services.queries.case(run.case_id)
        summary.cases += 1
        summary.issued += view.status is CaseStatus.ISSUED
        summary.rejected += view.status is CaseStatus.REJECTED
        summary.late_steps += sum(1 for t in view.timeline if (t.late_minutes or 0) > 0)
        summary.documents += sum(d.versions for d in view.documents)
    for book in services.books.books():
        summary.numbers += [row.number for row in services.books.agenda(book.code, None)]
    return summary


#: The letter that ends a case, per terminal.
FINAL_KIND = {
    TARGET_ISSUED: DocumentKind.PERMIT.value,
    TARGET_REJECTED: DocumentKind.REJECTION.value,
}
EXPECTED_STATUS = {TARGET_ISSUED: CaseStatus.ISSUED, TARGET_REJECTED: CaseStatus.REJECTED}


def _judge(services: Services, run: CaseRun, expected: str) -> None:
    """Did the case end as planned, with a numbered final that the verification service
    finds valid? Fills in ``run`` (``problem`` says what is wrong, in Indonesian)."""
    from desktop_perizinan.services.verification import verify_pdf

    view = services.queries.case(run.case_id)  # type: ignore[arg-type]
    run.status = view.status
    if run.problem:
        return
    if view.status is not EXPECTED_STATUS[expected]:
        run.problem = (
            f"berhenti dengan status {view.status.label} pada langkah "
            f"'{view.current_step_name}', bukan {EXPECTED_STATUS[expected].label}"
        )
        return
    final = next((d for d in view.documents if d.kind == FINAL_KIND[expected] and d.number), None)
    if final is None:
        run.problem = f"tidak ada surat {FINAL_KIND[expected]} yang bernomor"
        return
    run.number = final.number
    result = verify_pdf(services, services.documents.pdf(final.id))
    run.verdict = result.headline
    if not result.valid:
        run.problem = f"verifikasi surat {final.number}: {result.headline}"


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
    "DEMO_APPLICANTS",
    "DEMO_PASSWORD",
    "DEMO_PROFILE",
    "SAMPLE_PDF",
    "TARGET_APPLICANT",
    "CaseDriver",
    "CaseRun",
    "DemoApplicant",
    "ScenarioSummary",
    "SigningFactory",
    "SteppingClock",
    "create_demo_users",
    "run_demo",
    "sample_field_values",
    "write_outputs",
]
