"""What the LAN and kill -9 tests share: an office to work in, the "PCs" (functions that run in
spawned child processes, each with its own ``Services.open``), and the office's invariants.

Child functions never raise into ``multiprocessing``: they report ``("ok", ...)`` or
``("error", worker, "Type: message")`` through a queue, so that the parent test can show what
went wrong on which PC instead of hanging on a queue that is never filled.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from desktop_perizinan.db.engine import Database
from desktop_perizinan.db.models import (
    AgendaEntry,
    Applicant,
    AuditEntry,
    AuditHead,
    Case,
    RequirementCheck,
    StepRecord,
)
from desktop_perizinan.errors import AlreadyHandled, UserError
from desktop_perizinan.services.actor import SYSTEM, Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.attachments import AttachmentIn
from desktop_perizinan.services.audit import verify_chain
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import (
    DEMO_PASSWORD,
    SAMPLE_PDF,
    CaseDriver,
    create_demo_users,
    sample_field_values,
)
from desktop_perizinan.services.intake import IntakeRequest
from desktop_perizinan.workflow.definition import CaseStatus

FORMS = Path(__file__).resolve().parents[2] / "forms"
DAIRI = "DAIRI-LKS-ASING"
KESENIAN = "PASURUAN-NIK-KESENIAN"
#: The step of PASURUAN-NIK-KESENIAN that takes the number in its own book.
NUMBER_STEP = "terbitkan"
CLERKS = ("loket", "loket2", "loket3", "loket4", "loket5", "loket6", "loket7", "loket8")

SPAWN = mp.get_context("spawn")


# ---------------------------------------------------------------------------- the office


def open_office(url: str, *, everyone: bool = True) -> tuple[Services, dict[str, Actor]]:
    """Services on ``url`` with the demo users and eight front-office clerks, or (not
    ``everyone``: each password hash costs about 0.1 s) only the counter clerk "loket"."""
    services = Services.open(url, FORMS)
    if not everyone:
        clerk = services.users.create(
            SYSTEM,
            username="loket",
            full_name="Rina Simanjuntak",
            password=DEMO_PASSWORD,
            roles={"front_office"},
        )
        return services, {"front_office": clerk}
    users = create_demo_users(services)
    for n, username in enumerate(CLERKS[1:], start=2):
        services.users.create(
            SYSTEM,
            username=username,
            full_name=f"Petugas Loket {n}",
            password=DEMO_PASSWORD,
            roles={"front_office"},
        )
    return services, users


def actors(services: Services) -> dict[str, Actor]:
    return {actor.username: actor for actor in services.users.list_users()}


def nik(worker: int, index: int) -> str:
    """A valid NIK (Pasuruan, born 1985), distinct for each (worker < 99, index < 100)."""
    serial = worker * 100 + index + 1
    day = 1 + serial % 28
    month = 1 + serial // 28 % 12
    return f"351402{day:02d}{month:02d}85{serial:04d}"


def intake_request(
    services: Services, code: str, applicant_nik: str, name: str, *, same_scan: bool = False
) -> IntakeRequest:
    """A complete application. Its scan is unique to the applicant unless ``same_scan``
    (the very same PDF file attached at several counters)."""
    pt = services.permit_type(code)
    scan = SAMPLE_PDF if same_scan else SAMPLE_PDF + f"% {applicant_nik} {name}\n".encode()
    return IntakeRequest(
        form_code=code,
        nik=applicant_nik,
        name=name,
        address="Jl. Raya Raci Km. 9, Pasuruan",
        phone="081331234567",
        channel="loket" if "loket" in pt.channels else pt.channels[0],
        fields=sample_field_values(pt),
        present=frozenset(r.code for r in pt.requirements_for(False)),
        attachments=(AttachmentIn("ktp.pdf", scan, "ktp"),),
    )


def cases_at_number_step(services: Services, users: dict[str, Actor], count: int) -> list[int]:
    """``count`` cases of the arts registration waiting at the numbering step."""
    driver = CaseDriver(services, users, None)
    step_ids = []
    for index in range(count):
        result = services.intake.submit(
            users["front_office"],
            intake_request(services, KESENIAN, nik(90, index), f"Sanggar Uji {index + 1}"),
        )
        assert driver.run(result.case_id, stop_at=NUMBER_STEP) is CaseStatus.RUNNING
        step = services.queries.case(result.case_id).open_step
        assert step is not None and step.step_id == NUMBER_STEP
        step_ids.append(step.step_record_id)
    return step_ids


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------------------- the PCs


def pc_intakes(
    url: str, worker: int, count: int, start: Any, queue: Any, same_nik: str = ""
) -> None:
    """A counter PC taking in ``count`` applications (child process)."""
    try:
        services = Services.open(url, FORMS)
    except BaseException as exc:
        queue.put(("error", worker, describe(exc)))
        return
    try:
        clerk = actors(services)[CLERKS[worker % len(CLERKS)]]
        start.wait(timeout=120)
        done = []
        for index in range(count):
            applicant = same_nik or nik(worker, index)
            request = intake_request(services, KESENIAN, applicant, f"Pemohon {worker}-{index}")
            result = services.intake.submit(clerk, request)
            done.append((result.case_id, result.reg_number))
        queue.put(("ok", worker, done))
    except BaseException as exc:
        queue.put(("error", worker, describe(exc)))
    finally:
        services.close()


def pc_race_for_steps(url: str, worker: int, step_ids: list[int], barrier: Any, queue: Any) -> None:
    """A PC whose clerk clicks "teruskan" on the same steps as everybody else (child)."""
    try:
        services = Services.open(url, FORMS)
    except BaseException as exc:
        queue.put(("error", worker, describe(exc)))
        return
    try:
        clerk = actors(services)[CLERKS[worker % len(CLERKS)]]
        outcomes: list[tuple[int, str, str]] = []
        for step_id in step_ids:
            view_outcome = _first_outcome(services, step_id)
            barrier.wait(timeout=120)
            try:
                services.work.act(clerk, ActRequest(step_id, view_outcome))
                outcomes.append((step_id, "won", clerk.full_name))
            except AlreadyHandled as exc:
                outcomes.append((step_id, "already", exc.message))
            except UserError as exc:
                outcomes.append((step_id, "refused", exc.message))
        queue.put(("ok", worker, outcomes))
    except BaseException as exc:
        queue.put(("error", worker, describe(exc)))
    finally:
        services.close()


def _first_outcome(services: Services, step_record_id: int) -> str:
    with services.db.reading() as session:
        record = session.get(StepRecord, step_record_id)
        assert record is not None
        case = session.get(Case, record.case_id)
        assert case is not None
        pt = services.definition_for(session, case)
        return next(o.code for o in pt.step(record.step_id).outcomes if not o.needs_note)


def pc_number(url: str, worker: int, step_ids: list[int], start: Any, queue: Any) -> None:
    """The Kasubbag Umum's PC numbering permits (child): one number per step record."""
    try:
        services = Services.open(url, FORMS)
    except BaseException as exc:
        queue.put(("error", worker, describe(exc)))
        return
    try:
        clerk = actors(services)[CLERKS[worker % len(CLERKS)]]
        start.wait(timeout=120)
        numbers = []
        for step_id in step_ids:
            result = services.work.act(clerk, ActRequest(step_id, "dinomori"))
            numbers.extend(d.number for d in result.documents if d.number)
        queue.put(("ok", worker, numbers))
    except BaseException as exc:
        queue.put(("error", worker, describe(exc)))
    finally:
        services.close()


def pc_hold_or_follow(
    url: str, what: str, forms: str, hold: bool, held: Any, go: Any, following: Any, queue: Any
) -> None:
    """One of two PCs doing the same thing (child). The holder stops just before its
    transaction commits and waits for ``go``; the follower runs meanwhile, so the two
    transactions overlap every time, not by luck of timing.

    ``what``: "same-applicant" (a new applicant's first application), "same-scan" (the same
    PDF attached) or "start" (opening the app after a permit-type file changed).
    """
    from desktop_perizinan.services import audit

    role = "holder" if hold else "follower"

    def hold_here() -> None:
        held.set()
        go.wait(timeout=120)

    try:
        if what == "start":
            if hold:
                original = Services._register_form

                def register(self: Services, *args: Any, **kwargs: Any) -> Any:
                    version = original(self, *args, **kwargs)
                    if args[1].code == KESENIAN:  # (session, permit type, text)
                        hold_here()
                    return version

                Services._register_form = register  # type: ignore[method-assign]
            else:
                following.set()
            Services.open(url, Path(forms)).close()
            queue.put(("ok", role, None))
            return
        services = Services.open(url, Path(forms))
        try:
            if hold:
                _pause_after(audit, "append", lambda *a, **k: a[2] == "permohonan.resi", None)
                audit.append.hold = hold_here  # type: ignore[attr-defined]
            clerk = actors(services)["loket" if hold else "loket2"]
            same_nik = what == "same-applicant"
            request = intake_request(
                services,
                KESENIAN,
                nik(1, 0) if same_nik else nik(2 if hold else 3, 0),
                "Pemohon Kembar",
                same_scan=what == "same-scan",
            )
            if not hold:
                following.set()
            result = services.intake.submit(clerk, request)
            queue.put(("ok", role, result.reg_number))
        finally:
            services.close()
    except BaseException as exc:
        queue.put(("error", role, describe(exc)))


def pc_intakes_until(url: str, worker: int, ready: Any, stop: Any, queue: Any) -> None:
    """A counter PC that keeps taking in applications through a server outage (child).

    Puts ``worker`` in ``ready`` after its first confirmed intake (so the outage cannot
    come before the PC has started), then reports the intakes that were confirmed to the
    clerk and the messages of those that failed.
    """
    try:
        services = Services.open(url, FORMS)
    except BaseException as exc:
        queue.put(("error", worker, describe(exc)))
        ready.put(worker)
        return
    confirmed: list[tuple[int, str | None]] = []
    failures: list[str] = []
    after_outage = 0
    try:
        clerk = actors(services)[CLERKS[worker % len(CLERKS)]]
        index = 0
        while not stop.is_set():
            request = intake_request(services, KESENIAN, nik(worker, index), f"Tahan {index}")
            index += 1
            try:
                result = services.intake.submit(clerk, request)
                confirmed.append((result.case_id, result.reg_number))
                after_outage += bool(failures)
                if len(confirmed) == 1:
                    ready.put(worker)
            except Exception as exc:
                failures.append(describe(exc))
                time.sleep(0.2)
        queue.put(("ok", worker, (confirmed, failures, after_outage)))
    except BaseException as exc:
        queue.put(("error", worker, describe(exc)))
    finally:
        services.close()


# ---------------------------------------------------------------------------- kill -9 victims


def _pause_after(module: Any, name: str, when: Callable[..., bool], ready: Any) -> None:
    """Wrap ``module.name`` so that, when ``when(*args, **kwargs)``, the process stops inside
    the caller's open transaction: it signals ``ready`` and sleeps until it is killed, or
    calls the wrapper's ``hold`` attribute when one is set (see :func:`pc_hold_or_follow`)."""
    original = getattr(module, name)

    def paused(*args: Any, **kwargs: Any) -> Any:
        value = original(*args, **kwargs)
        if when(*args, **kwargs):
            hold = getattr(paused, "hold", None)
            if hold is not None:
                hold()
            else:
                ready.set()
                time.sleep(3600)
        return value

    setattr(module, name, paused)


def _record(progress: str, line: str) -> None:
    """Append what was committed; written after the commit, so it may lag by one."""
    with open(progress, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def victim_intakes(url: str, progress: str, pause: str, committed_first: int, ready: Any) -> None:
    """Take in applications until killed (child).

    ``pause``: "" (keep going; the parent kills at a random moment), "intake" (stop inside
    the intake transaction after the case, its checks and first step are written, before the
    number) or "number" (stop just after the registration number was taken, uncommitted).
    """
    from desktop_perizinan.services import audit, numbering

    services = Services.open(url, FORMS)
    clerk = actors(services)["loket"]
    worker = 1 + os.getpid() % 90  # each victim its own applicants (same NIK is fine too)
    index = 0
    while True:
        if index == committed_first:
            if pause == "intake":
                _pause_after(audit, "append", lambda *a, **k: a[2] == "permohonan.terima", ready)
            elif pause == "number":
                _pause_after(numbering, "take_number", lambda *a, **k: True, ready)
        if index == 1 and not pause:
            ready.set()  # the random killer may start its clock
        request = intake_request(services, KESENIAN, nik(worker, index % 100), f"Korban {index}")
        result = services.intake.submit(clerk, request)
        _record(progress, f"{result.case_id}\t{result.reg_number}")
        index += 1


def victim_numbering(
    url: str, progress: str, step_ids: list[int], pause_index: int, ready: Any
) -> None:
    """Number permits one by one; pause inside the ``pause_index``-th, after the number was
    taken and before the commit (child)."""
    from desktop_perizinan.services import numbering

    services = Services.open(url, FORMS)
    clerk = actors(services)["loket"]
    for index, step_id in enumerate(step_ids):
        if index == pause_index:
            _pause_after(numbering, "take_number", lambda *a, **k: True, ready)
        result = services.work.act(clerk, ActRequest(step_id, "dinomori"))
        number = next(d.number for d in result.documents if d.number)
        _record(progress, f"{step_id}\t{number}")
    ready.set()
    time.sleep(3600)


def committed(progress: Path) -> list[tuple[str, str]]:
    if not progress.exists():
        return []
    return [
        tuple(line.split("\t"))  # type: ignore[misc]
        for line in progress.read_text(encoding="utf-8").splitlines()
        if line
    ]


# ---------------------------------------------------------------------------- invariants


def office_problems(url: str) -> list[str]:
    """Everything that must hold after any crash, race or lost server:

    * every agenda book is gapless per year and no number appears twice;
    * every case has its requirement checks and step records, a running case exactly one
      open step, and a registered case its number in the registration book;
    * the audit chain verifies and its head matches the last entry.
    """
    problems: list[str] = []
    db = Database(url)
    try:
        with db.reading() as session:
            by_book: dict[tuple[int, int], list[int]] = defaultdict(list)
            numbers: dict[str, int] = defaultdict(int)
            for entry in session.scalars(select(AgendaEntry)):
                by_book[(entry.book_id, entry.year)].append(entry.seq)
                numbers[entry.number] += 1
            for (book, year), seqs in by_book.items():
                if sorted(seqs) != list(range(1, len(seqs) + 1)):
                    problems.append(f"buku {book}/{year} berlubang: {sorted(seqs)}")
            problems += [f"nomor ganda: {n} ({c}x)" for n, c in numbers.items() if c > 1]
            open_steps = dict(
                session.execute(
                    select(StepRecord.case_id, func.count())
                    .where(StepRecord.done_at.is_(None))
                    .group_by(StepRecord.case_id)
                ).all()
            )
            all_steps = dict(
                session.execute(
                    select(StepRecord.case_id, func.count()).group_by(StepRecord.case_id)
                ).all()
            )
            checks = dict(
                session.execute(
                    select(RequirementCheck.case_id, func.count()).group_by(
                        RequirementCheck.case_id
                    )
                ).all()
            )
            for case in session.scalars(select(Case)):
                if not all_steps.get(case.id):
                    problems.append(f"permohonan {case.id} tanpa langkah")
                if not checks.get(case.id):
                    problems.append(f"permohonan {case.id} tanpa daftar persyaratan")
                if case.status == CaseStatus.RUNNING.value and open_steps.get(case.id) != 1:
                    problems.append(
                        f"permohonan {case.id} berjalan dengan {open_steps.get(case.id, 0)} "
                        "langkah terbuka"
                    )
                if case.reg_number and case.reg_number not in numbers:
                    problems.append(f"nomor registrasi {case.reg_number} tidak ada di buku")
            report = verify_chain(session)
            problems += list(report.problems)
            head = session.get(AuditHead, 1)
            last = session.scalar(select(func.max(AuditEntry.id)))
            if head is not None and head.last_id != last:
                problems.append(f"kepala audit {head.last_id} != entri terakhir {last}")
    finally:
        db.dispose()
    return problems


def stored_cases(url: str) -> dict[int, str | None]:
    """Every case in the office by id, with its registration number."""
    db = Database(url)
    try:
        with db.reading() as session:
            return dict(session.execute(select(Case.id, Case.reg_number)).all())
    finally:
        db.dispose()


def counts(url: str) -> dict[str, int]:
    """Row counts of the tables a use case writes to."""
    from desktop_perizinan.db.models import Attachment, Document, DocumentVersion

    tables = {
        "cases": Case,
        "applicants": Applicant,
        "steps": StepRecord,
        "checks": RequirementCheck,
        "agenda": AgendaEntry,
        "audit": AuditEntry,
        "attachments": Attachment,
        "documents": Document,
        "versions": DocumentVersion,
    }
    db = Database(url)
    try:
        with db.reading() as session:
            return {
                name: session.scalar(select(func.count()).select_from(model)) or 0
                for name, model in tables.items()
            }
    finally:
        db.dispose()


@contextlib.contextmanager
def processes(*specs: tuple[Callable[..., None], tuple[Any, ...]]) -> Iterator[list[Any]]:
    """Start child processes; make sure none outlives the test."""
    started = [SPAWN.Process(target=target, args=args, daemon=True) for target, args in specs]
    for process in started:
        process.start()
    try:
        yield started
    finally:
        for process in started:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
                process.join(timeout=10)
