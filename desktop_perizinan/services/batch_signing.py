"""Batch signing: the Kadis signs every draft waiting for him in one action.

Each draft goes through the same use case as the signing step (``casework.act``, mode
"elektronik"), one transaction per case that stores the signed PDF, so a file that fails
leaves its case exactly as it was. Its number is taken apart, in a short transaction of its
own (``services.number_reservation``), so the book's counter is not locked while BSrE
answers: a file refused after that keeps its number in the book, for that same draft, and the
next attempt signs with it (``services.number_reservation``); the book never has a gap. The
signing backend (his own PKCS#12, opened once, or BSrE with the passphrase/TOTP asked once) is
built once and handed to every case; the secret lives in that object for the batch only.

BSrE V2 accepts several files per call, so there the batch makes one gateway call
(:func:`_sign_in_one_call`): each draft first runs through the signing step up to the moment
it would call the gateway (its number taken and kept, its final PDF rendered with the number,
the step's transaction rolled back); then one call signs the prepared files; then each draft
runs through the step again and stores its signed file in its case's own transaction (the
same letter renders the same request; one that changed meanwhile is signed on its own). V1
and the own PKCS#12 sign file by file.

When the batch stops early: the gateway is down (no use sending the rest: the remaining cases
are reported "tidak dikirim" and the desk offers outage mode), or the passphrase was refused
twice in a row (each refusal counts towards BSrE locking the certificate). Otherwise a failing
file is reported and the batch goes on. Cancelling is honoured between files.

Every file's result is kept in ``signing_batch_item`` (migration 0008): signed with its
number, failed with the Indonesian message, cancelled or not sent. No secret is kept.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from desktop_perizinan.db.models import (
    Applicant,
    Case,
    SigningBatch,
    SigningBatchItem,
    StepRecord,
)
from desktop_perizinan.errors import PermissionDenied, UserError, ValidationError
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.workflow import engine
from desktop_perizinan.workflow.definition import Action

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

SIGNED = "ditandatangani"
FAILED = "gagal"
CANCELLED = "dibatalkan"
NOT_SENT = "tidak_dikirim"
STATUS_LABELS = {
    SIGNED: "Ditandatangani",
    FAILED: "Gagal",
    CANCELLED: "Dibatalkan",
    NOT_SENT: "Tidak dikirim",
}
#: Wrong-passphrase answers in a row after which the batch stops (BSrE lock-out).
WRONG_SECRET_STOP = 2

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class WaitingDraft:
    """An open tanda_tangan step the actor may sign, with its draft."""

    step_record_id: int
    case_id: int
    reg_number: str
    applicant: str
    permit_name: str
    title: str
    document_id: int
    outcome: str

    @property
    def label(self) -> str:
        return f"{self.reg_number} — {self.title}"


@dataclass(frozen=True)
class BatchResult:
    draft: WaitingDraft
    status: str
    number: str | None = None
    message: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class BatchReport:
    batch_id: int
    results: tuple[BatchResult, ...]
    cancelled: bool
    #: The gateway went down during the batch: the desk offers outage mode.
    gateway_down: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def summary(self) -> str:
        parts = [f"{self.count(SIGNED)} dari {len(self.results)} dokumen ditandatangani"]
        for status in (FAILED, NOT_SENT, CANCELLED):
            if self.count(status):
                parts.append(f"{self.count(status)} {STATUS_LABELS[status].lower()}")
        text = ", ".join(parts) + "."
        if self.cancelled:
            text += " Penandatanganan dihentikan atas permintaan Anda."
        return text


def waiting_drafts(services: Services, actor: Actor) -> list[WaitingDraft]:
    """The open signing steps the actor may act on, each with its draft, oldest due first."""
    result: list[WaitingDraft] = []
    with services.db.reading() as session:
        rows = session.execute(
            select(StepRecord, Case, Applicant)
            .join(Case, Case.id == StepRecord.case_id)
            .join(Applicant, Applicant.id == Case.applicant_id)
            .where(StepRecord.done_at.is_(None), StepRecord.role.in_(sorted(actor.roles)))
            .order_by(StepRecord.due_at, StepRecord.id)
        ).all()
        for record, case, applicant in rows:
            pt = services.definition_for(session, case)
            step = pt.step(record.step_id)
            # A composite step that signs among other actions stays with its own dialog.
            if step.action is not Action.SIGN or step.document is None:
                continue
            if case.current_step != record.step_id:
                continue
            from desktop_perizinan.services.steps import state_of

            if not engine.may_act(pt, services.office, state_of(case), actor.roles):
                continue
            doc = services.documents.current_document(session, case.id, step.document.value)
            # Numbered already (number-then-sign) or not: the signing use case knows which.
            if doc is None or (doc.status == "final" and doc.signed_at is not None):
                continue
            outcome = next((o.code for o in step.outcomes if o.code != "kembalikan"), "")
            if not outcome:
                continue
            result.append(
                WaitingDraft(
                    step_record_id=record.id,
                    case_id=case.id,
                    reg_number=case.reg_number or f"#{case.id}",
                    applicant=applicant.name,
                    permit_name=pt.name,
                    title=doc.title,
                    document_id=doc.id,
                    outcome=outcome,
                )
            )
    return result


def _backend(services: Services, actor: Actor, data: dict[str, Any]) -> Any:
    from desktop_perizinan.services import esign

    with services.db.reading() as session:
        backend = esign.backend_for(session, actor, data)
        if isinstance(backend, esign.Pkcs12Backend):
            backend.check(services.now())
        return backend


def _start(services: Services, actor: Actor, backend: str, total: int) -> int:
    with services.db.transaction() as session:
        batch = SigningBatch(
            signer_id=actor.id, backend=backend, started_at=services.now(), total=total
        )
        session.add(batch)
        session.flush()
        return batch.id


def _record(services: Services, batch_id: int, result: BatchResult) -> None:
    with services.db.transaction() as session:
        session.add(
            SigningBatchItem(
                batch_id=batch_id,
                case_id=result.draft.case_id,
                step_record_id=result.draft.step_record_id,
                status=result.status,
                number=result.number,
                message=result.message,
                at=services.now(),
            )
        )


def _finish(services: Services, actor: Actor, report: BatchReport) -> None:
    with services.db.transaction() as session:
        batch = session.get(SigningBatch, report.batch_id)
        assert batch is not None
        batch.finished_at = services.now()
        batch.signed = report.count(SIGNED)
        batch.failed = report.count(FAILED)
        batch.cancelled = report.cancelled
        audit.append(
            session,
            actor,
            "tte.batch",
            at=batch.finished_at,
            batch=batch.id,
            jumlah=len(report.results),
            ditandatangani=batch.signed,
            gagal=batch.failed,
            dibatalkan=report.cancelled,
        )


def sign_waiting(
    services: Services,
    actor: Actor,
    drafts: Sequence[WaitingDraft],
    secret_data: dict[str, Any],
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> BatchReport:
    """Sign ``drafts`` one by one (see the module docstring); one result per draft.

    ``secret_data`` is what the signing step takes (``passphrase``/``totp`` for BSrE,
    ``p12`` + ``passphrase`` for PKCS#12); it is read once to build the backend and not kept.
    ``progress(done, total, label)`` is called before each file; ``cancelled()`` between files.
    Refuses (nothing signed) when the secret is missing or the certificate cannot be used.
    """
    from desktop_perizinan.services import esign

    if not drafts:
        raise ValidationError("Tidak ada draf yang menunggu tanda tangan Anda.")
    waiting = {d.step_record_id for d in waiting_drafts(services, actor)}
    foreign = [d for d in drafts if d.step_record_id not in waiting]
    if foreign:
        raise PermissionDenied(
            "Tidak semua dokumen yang dipilih menunggu tanda tangan Anda: "
            + ", ".join(d.reg_number for d in foreign)
            + ". Muat ulang daftar tugas."
        )
    backend = _backend(services, actor, secret_data)
    batch_id = _start(services, actor, backend.kind, len(drafts))
    results: list[BatchResult] = []
    stop: esign.SigningError | None = None
    wrong_in_a_row = 0
    user_cancelled = False
    total = len(drafts)
    if _one_call(backend) and len(drafts) > 1:
        results, stop, user_cancelled = _sign_in_one_call(
            services, actor, drafts, backend, progress, cancelled
        )
        for result in results:
            _record(services, batch_id, result)
        drafts = ()  # all done: straight to the report
    for index, draft in enumerate(drafts):
        if stop is None and not user_cancelled and cancelled is not None and cancelled():
            user_cancelled = True
        if user_cancelled:
            result = BatchResult(draft, CANCELLED, message="Dibatalkan sebelum dikirim.")
        elif stop is not None:
            result = BatchResult(
                draft, NOT_SENT, message=f"Tidak dikirim: penandatanganan berhenti. {stop.message}"
            )
        else:
            if progress is not None:
                progress(index, total, draft.label)
            result, error = _sign_one(services, actor, draft, backend)
            if isinstance(error, esign.SigningError) and error.gateway_down:
                stop = error
            elif isinstance(error, esign.WrongPassphrase):
                wrong_in_a_row += 1
                if wrong_in_a_row >= WRONG_SECRET_STOP:
                    stop = error
            else:
                wrong_in_a_row = 0
        results.append(result)
        _record(services, batch_id, result)
    if progress is not None:
        progress(total, total, "")
    report = BatchReport(
        batch_id=batch_id,
        results=tuple(results),
        cancelled=user_cancelled,
        gateway_down=bool(stop is not None and stop.gateway_down),
    )
    _finish(services, actor, report)
    return report


def _sign_one(
    services: Services, actor: Actor, draft: WaitingDraft, backend: Any
) -> tuple[BatchResult, UserError | None]:
    """One case through the signing step's use case; its own transaction."""
    try:
        outcome = _act(services, actor, draft, backend)
    except UserError as exc:
        return _failed(services, draft, exc), exc
    number = next((d.number for d in outcome.documents if d.document_id == draft.document_id), None)
    return BatchResult(draft, SIGNED, number=number, message=f"Nomor {number}."), None


def _act(services: Services, actor: Actor, draft: WaitingDraft, backend: Any) -> Any:
    from desktop_perizinan.services.casework import ActRequest

    return services.work.act(
        actor,
        ActRequest(
            step_record_id=draft.step_record_id,
            outcome=draft.outcome,
            data={"mode": "elektronik", "backend": backend},
        ),
    )


# ---------------------------------------------------------------------- V2: one call


class _Prepared(Exception):
    """Raised by :class:`_Capture` inside the step: its transaction rolls back."""

    def __init__(self, request: Any) -> None:
        super().__init__("prepared")
        self.request = request


@dataclass(frozen=True)
class _Capture:
    """A backend that signs nothing: it carries the step's finished request out."""

    kind: str

    def sign(self, request: Any, at: Any) -> Any:
        raise _Prepared(request)

    def sign_batch(self, requests: Any, at: Any) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class _Replay:
    """A backend that answers the step with the file signed in the batch's call, when the
    step asks for exactly the request prepared.

    A letter that changed between the preparing and the storing is refused for this batch
    (:data:`CHANGED_SINCE_PREPARED`), never sent again on its own: BSrE's one-time code was
    spent on the batch's call, so a second call would come back as a wrong passphrase and
    count towards the certificate's lock-out. The Kadis signs that letter again.
    """

    backend: Any
    request: Any
    signed: Any

    @property
    def kind(self) -> str:
        return str(self.backend.kind)

    def sign(self, request: Any, at: Any) -> Any:
        if _same_letter(request, self.request):
            return self.signed
        raise ValidationError(CHANGED_SINCE_PREPARED)

    def sign_batch(self, requests: Any, at: Any) -> Any:
        return self.backend.sign_batch(requests, at)


#: Why a letter of a V2 batch is not stored: it changed after the batch's call was prepared.
CHANGED_SINCE_PREPARED = (
    "Surat berubah sejak disiapkan untuk tanda tangan bersama; tidak dikirim ulang. "
    "Tandatangani surat ini sekali lagi."
)

#: What differs between two renderings of the same letter: the renderer's wall-clock
#: creation/modification dates (fixed width) and the file identifier made from them.
_RENDER_CLOCK = re.compile(
    rb"/(?:CreationDate|ModDate) \(D:[0-9+\-']*\)|/ID \n?\[<[0-9a-f]+><[0-9a-f]+>\]"
)


def _same_letter(request: Any, prepared: Any) -> bool:
    """The step asks for the prepared letter: every field equal, and the PDF byte for byte
    apart from the rendering's clock. The signed file stored is the one signed from the
    prepared PDF, so its stored SHA-256 and verification payload are exactly what BSrE signed."""
    if dataclasses.replace(request, pdf=b"") != dataclasses.replace(prepared, pdf=b""):
        return False
    if len(request.pdf) != len(prepared.pdf):
        return False
    return _RENDER_CLOCK.sub(b"", request.pdf) == _RENDER_CLOCK.sub(b"", prepared.pdf)


def _one_call(backend: Any) -> bool:
    from desktop_perizinan.services.esign.bsre_backend import BsreBackend

    return isinstance(backend, BsreBackend) and backend.config.api_version == "v2"


def _sign_in_one_call(
    services: Services,
    actor: Actor,
    drafts: Sequence[WaitingDraft],
    backend: Any,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> tuple[list[BatchResult], Any, bool]:
    """BSrE V2: every file in one gateway call, each with its number printed.

    1. Each draft runs through the signing step with :class:`_Capture`: its number is taken
       (kept for it, ``services.number_reservation``), its final PDF rendered, and the step's
       transaction rolled back at the moment it would call the gateway.
    2. One ``sign_batch`` call (V2: ``file: [...]``) for the prepared files.
    3. Each draft runs through the step again with :class:`_Replay`: the same letter with the
       same kept number renders the same request, answered with its signed file, stored in
       the case's own transaction. A file whose request changed meanwhile is signed alone.
    A refused file keeps its number for the next attempt, as in the per-file path.
    """
    from desktop_perizinan.services import esign

    results: dict[int, BatchResult] = {}
    prepared: list[tuple[WaitingDraft, Any]] = []
    user_cancelled = False
    total = len(drafts)
    capture = _Capture(backend.kind)
    for index, draft in enumerate(drafts):
        if not user_cancelled and cancelled is not None and cancelled():
            user_cancelled = True
        if user_cancelled:
            results[index] = BatchResult(draft, CANCELLED, message="Dibatalkan sebelum dikirim.")
            continue
        if progress is not None:
            progress(index, total, draft.label)
        try:
            _act(services, actor, draft, capture)
        except _Prepared as ready:
            prepared.append((draft, ready.request))
        except UserError as exc:
            results[index] = _failed(services, draft, exc)
        else:  # signed without the gateway (cannot happen for an electronic step)
            raise AssertionError("langkah tanda tangan selesai tanpa memanggil BSrE")
    stop = None
    if prepared:
        answers = backend.sign_batch([request for _d, request in prepared], services.now())
        order = {id(d): i for i, d in enumerate(drafts)}
        for (draft, request), answer in zip(prepared, answers, strict=True):
            index = order[id(draft)]
            if isinstance(answer, esign.SigningError):
                results[index] = _failed(services, draft, answer)
                if answer.gateway_down or isinstance(answer, esign.WrongPassphrase):
                    stop = answer  # BSrE refused the call: the same answer for every file
                continue
            result, _error = _sign_one(services, actor, draft, _Replay(backend, request, answer))
            results[index] = result
    return [results[i] for i in range(total)], stop, user_cancelled


def _failed(services: Services, draft: WaitingDraft, exc: UserError) -> BatchResult:
    kept = _kept_number(services, draft)
    message = exc.message
    if kept is not None:
        message += (
            f" Nomor {kept} tetap tercatat untuk surat ini dan dipakai saat ditandatangani lagi."
        )
    return BatchResult(draft, FAILED, message=message)


def _kept_number(services: Services, draft: WaitingDraft) -> str | None:
    """The number the failed file's letter keeps in the book (taken before its gateway call;
    ``services.number_reservation``), if any."""
    from desktop_perizinan.db.models import Document
    from desktop_perizinan.services.number_reservation import reserved_line

    with services.db.reading() as session:
        doc = session.get(Document, draft.document_id)
        if doc is None or doc.number is not None:
            return None
        line = reserved_line(session, doc.id)
        return line.number if line is not None else None


def batch_items(services: Services, batch_id: int) -> list[tuple[int, str, str | None, str]]:
    """The stored results of a batch: (case id, status, number, message), in order."""
    with services.db.reading() as session:
        rows = session.scalars(
            select(SigningBatchItem)
            .where(SigningBatchItem.batch_id == batch_id)
            .order_by(SigningBatchItem.id)
        )
        return [(r.case_id, r.status, r.number, r.message) for r in rows]


__all__ = [
    "CANCELLED",
    "FAILED",
    "NOT_SENT",
    "SIGNED",
    "STATUS_LABELS",
    "BatchReport",
    "BatchResult",
    "WaitingDraft",
    "batch_items",
    "sign_waiting",
    "waiting_drafts",
]
