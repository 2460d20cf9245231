"""The number of a letter signed through BSrE is taken before the gateway is called, in its
own short transaction (``services.number_reservation``), against the real simulator over HTTP:

* PostgreSQL, two PCs: while PC A's signing call is held by the simulator, PC B takes a
  number in the same book and gets it at once (the counter is not locked during the call);
* a refusal after the number was taken leaves it in the book for the same permit (no gap),
  another permit signed meanwhile takes the next one, and the retry signs with the kept one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pdftext import pdf_text, squash

from desktop_perizinan.devtools.bsre_sim import DEMO_USERS, BsreSimulator
from desktop_perizinan.services import esign
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import DEMO_APPLICANTS, CaseDriver, create_demo_users
from desktop_perizinan.workflow.definition import CaseStatus

FORMS = Path(__file__).resolve().parents[2] / "forms"

DAIRI = "DAIRI-LKS-ASING"
BOOK = "izin_lks_asing"
SIGNER = DEMO_USERS[0]


def _number(seq: int) -> str:
    return f"503/{seq:04d}/IT-LKSA/DPMPTSPK/2026"


@pytest.fixture
def sim() -> Iterator[BsreSimulator]:
    with BsreSimulator() as simulator:
        yield simulator


def _use_bsre(services: Services, users: dict, sim: BsreSimulator) -> None:
    esign.add_trust_root(services, users["admin"], sim.ca_pem)
    esign.save_signer_config(
        services,
        users["admin"],
        esign.SignerConfig(
            user_id=users["kadis"].id, backend="bsre", gateway_url=sim.url, nik=SIGNER.nik
        ),
    )


def _at_signing(services: Services, driver: CaseDriver, seed: int) -> tuple[int, int]:
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[seed % len(DEMO_APPLICANTS)], seed=seed)
    assert driver.run(intake.case_id, stop_at="ttd_izin") is CaseStatus.RUNNING
    step = services.queries.case(intake.case_id).open_step
    assert step is not None and step.step_id == "ttd_izin"
    return intake.case_id, step.step_record_id


def _sign(services: Services, users: dict, record_id: int) -> Any:
    return services.work.act(
        users["kadis"],
        ActRequest(
            record_id,
            "ditandatangani",
            data={"mode": "elektronik", "passphrase": SIGNER.passphrase},
        ),
    )


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_another_pc_numbers_in_the_same_book_while_bsre_holds_the_signing_call(pg_url, clock, sim):
    pc_a = Services.open(pg_url, FORMS, clock=clock)
    pc_b = Services.open(pg_url, FORMS, clock=clock)  # its own engine and connections
    try:
        users = create_demo_users(pc_a)
        _use_bsre(pc_a, users, sim)
        case_id, record_id = _at_signing(pc_a, CaseDriver(pc_a, users, clock), seed=0)

        # The gateway holds A's request until told (or 60 s: the old code would make B wait
        # that long for the counter, and then A's call would no longer be held below).
        sim.inject("hold", delay=60)
        outcome: dict[str, Any] = {}

        def sign_on_a() -> None:
            try:
                outcome["result"] = _sign(pc_a, users, record_id)
            except BaseException as exc:  # reported by the main thread
                outcome["error"] = exc

        signing = threading.Thread(target=sign_on_a, name="pc-a-signing")
        signing.start()
        try:
            _wait_for(lambda: sim.held == 1 or not signing.is_alive(), "A never reached BSrE")
            assert "error" not in outcome, outcome.get("error")
            reserved = pc_b.outside_numbers.reserve(
                users["admin"],
                BOOK,
                purpose="Surat izin yang diketik di luar aplikasi",
                requested_by="Sekretariat",
            )
            # B has its number while A's signing call is still waiting at the gateway.
            assert sim.held == 1 and signing.is_alive()
        finally:
            sim.release()
            signing.join(timeout=120)
        assert not signing.is_alive()
        assert "error" not in outcome, outcome.get("error")
        signed = next(d for d in outcome["result"].documents if d.number)
        assert signed.number == _number(1) and reserved.number == _number(2)
        lines = pc_a.books.agenda(BOOK, 2026)
        assert [line.number for line in lines] == [_number(1), _number(2)]
        assert lines[0].signature == "TTE"
        assert pc_a.queries.case(case_id).permit_number == _number(1)
    finally:
        pc_b.close()
        pc_a.close()


def _numbers_in_audit(services) -> list[tuple[int | None, str]]:
    """(case, number) of every audited taking of a letter's number before its step."""
    import json

    from sqlalchemy import select

    from desktop_perizinan.db.models import AuditEntry

    with services.db.reading() as session:
        rows = session.execute(
            select(AuditEntry.case_id, AuditEntry.detail)
            .where(AuditEntry.action == "nomor.untuk_surat")
            .order_by(AuditEntry.id)
        ).all()
    return [(case_id, json.loads(detail)["nomor"]) for case_id, detail in rows]


def test_a_refusal_after_the_number_keeps_it_for_the_permit_and_the_retry_signs_with_it(
    services, users, driver, sim
):
    _use_bsre(services, users, sim)
    first, first_record = _at_signing(services, driver, seed=0)
    second, second_record = _at_signing(services, driver, seed=1)
    before = services.queries.case(first)

    sim.inject("2031")  # BSrE refuses the passphrase of the first permit's call
    with pytest.raises(esign.WrongPassphrase):
        _sign(services, users, first_record)
    after = services.queries.case(first)
    assert after.open_step == before.open_step and after.documents == before.documents
    assert after.timeline == before.timeline and after.permit_number is None
    (kept,) = services.books.agenda(BOOK, 2026)
    assert (kept.number, kept.reg_number) == (_number(1), before.reg_number)
    assert (kept.signature, kept.outage_note) == ("menunggu TTD",) * 2
    assert not kept.voided
    assert _numbers_in_audit(services) == [(first, _number(1))]  # the taking is audited

    # Meanwhile another permit is signed: it takes the next number, not the kept one.
    other = next(d for d in _sign(services, users, second_record).documents if d.number)
    assert other.number == _number(2)

    # The retry signs the first permit with the number kept for it; the book has no gap.
    retried = next(d for d in _sign(services, users, first_record).documents if d.number)
    assert retried.number == _number(1)
    view = services.queries.case(first)
    assert view.permit_number == _number(1) and view.open_step.step_id == "nomor_izin"
    permit = next(d for d in view.documents if d.kind == "izin")
    pdf = services.documents.pdf(permit.id)
    assert _number(1) in squash(pdf_text(pdf))
    (signature,) = esign.validate_signatures(pdf, [sim.pki.certificate])
    assert signature.ok and signature.signer.common_name == SIGNER.name
    lines = services.books.agenda(BOOK, 2026)
    assert [(line.number, line.reg_number, line.signature) for line in lines] == [
        (_number(1), before.reg_number, "TTE"),
        (_number(2), services.queries.case(second).reg_number, "TTE"),
    ]
    # Each number taken once, audited once: the retry claimed the kept line.
    assert _numbers_in_audit(services) == [
        (first, _number(1)),
        (second, _number(2)),
    ]
    # The penomoran step confirms the number taken at the signature; no second one.
    assert driver.run(first) is CaseStatus.ISSUED
    assert [line.number for line in services.books.agenda(BOOK, 2026)] == [_number(1), _number(2)]


def test_gateway_down_then_wet_the_numbering_step_prints_the_number_kept_for_the_permit(
    services, users, driver, sim
):
    """Outage mode (issue 12) after a number was kept: the Kadis signs wet with the TTE to
    follow, and the penomoran step shows and takes the kept number, not the book's next."""
    from desktop_perizinan.services.case_search import DeskLookups

    _use_bsre(services, users, sim)
    case_id, record_id = _at_signing(services, driver, seed=0)
    sim.inject("drop", count=5)
    with pytest.raises(esign.GatewayUnreachable) as down:
        _sign(services, users, record_id)
    assert down.value.gateway_down
    services.outside_numbers.reserve(
        users["admin"], BOOK, purpose="Surat yang diketik di luar", requested_by="Sekretariat"
    )
    services.work.act(
        users["kadis"],
        ActRequest(
            record_id,
            "ditandatangani",
            data={"mode": "basah", "tte_menyusul": True, "alasan": down.value.message},
        ),
    )
    assert driver.run(case_id, stop_at="nomor_izin") is CaseStatus.RUNNING
    assert DeskLookups(services).number_preview(case_id).number == _number(1)
    assert driver.run(case_id) is CaseStatus.ISSUED
    assert services.queries.case(case_id).permit_number == _number(1)
    lines = services.books.agenda(BOOK, 2026)
    assert [line.number for line in lines] == [_number(1), _number(2)]
    assert lines[0].signature == "basah, TTE menunggu"


def test_a_step_refused_before_its_number_takes_none(services, users, driver, sim):
    """The step's own checks run before the number is asked for: an attachment over the
    office's limit refuses the signing step, and the book and the audit log stay empty."""
    from desktop_perizinan.errors import ValidationError
    from desktop_perizinan.services.attachments import AttachmentIn

    _use_bsre(services, users, sim)
    case_id, record_id = _at_signing(services, driver, seed=0)
    too_big = services.settings.attachment_limit_bytes() + 1
    scan = AttachmentIn("lampiran.pdf", b"%PDF-1.4\n" + b"0" * too_big + b"\n%%EOF\n")
    with pytest.raises(ValidationError):
        services.work.act(
            users["kadis"],
            ActRequest(
                record_id,
                "ditandatangani",
                data={"mode": "elektronik", "passphrase": SIGNER.passphrase},
                attachments=(scan,),
            ),
        )
    assert services.books.agenda(BOOK, 2026) == []
    assert _numbers_in_audit(services) == [] and sim.sign_requests == []
    # Without the oversized scan the same step signs, with the book's first number.
    signed = next(d for d in _sign(services, users, record_id).documents if d.number)
    assert signed.number == _number(1)
    assert _numbers_in_audit(services) == [(case_id, _number(1))]
